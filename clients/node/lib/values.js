'use strict';
/**
 * Small conversions between JavaScript values and the registry's messages: request ids,
 * expected revisions, legal dates and positions.
 * @module agreements/values
 */

const crypto = require('node:crypto');

/**
 * A fresh random request id ("node-" and 32 lowercase hex digits). A retry of the same
 * command must reuse its id, not call this again: the server then replays the original
 * result instead of appending twice.
 * @returns {string}
 */
function newRequestId() {
  return `node-${crypto.randomBytes(16).toString('hex')}`;
}

/** printable ASCII, 1 to 128 characters (docs/api.md, CommandService). */
const REQUEST_ID = /^[\x20-\x7e]{1,128}$/;

/**
 * Checks a request id before it is sent.
 * @param {string} requestId
 * @returns {string} the id
 * @throws {TypeError}
 */
function checkRequestId(requestId) {
  if (typeof requestId !== 'string' || !REQUEST_ID.test(requestId)) {
    throw new TypeError(`requestId: 1 to 128 printable ASCII characters (got ${JSON.stringify(requestId)})`);
  }
  return requestId;
}

/**
 * A position or revision as the decimal string the protos carry.
 * @param {number|bigint|string} value a non-negative integer
 * @param {string} name for the error
 * @returns {string}
 * @throws {TypeError}
 */
function toUint64(value, name) {
  const text = typeof value === 'string' ? value.trim() : String(value);
  if (!/^\d+$/.test(text) || (typeof value === 'number' && !Number.isSafeInteger(value))) {
    throw new TypeError(`${name}: a non-negative integer (got ${JSON.stringify(String(value))})`);
  }
  return BigInt(text).toString();
}

/**
 * The position after `position` (a resume point: docs/feeds.md).
 * @param {number|bigint|string} position
 * @returns {string}
 */
function nextPosition(position) {
  return (BigInt(toUint64(position, 'position')) + 1n).toString();
}

/**
 * An ExpectedRevision message: a revision number (the stream must be exactly there; 0 =
 * no stream yet), or 'any', 'no_stream', 'stream_exists'; undefined or null: no check.
 * @param {number|bigint|string|undefined|null} expected
 * @returns {object|null}
 */
function expectedRevision(expected) {
  if (expected === undefined || expected === null) return null;
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') {
    return { [expected]: true };
  }
  return { exact: toUint64(expected, 'expectedRevision') };
}

const PRECISIONS = ['DATE_PRECISION_YEAR', 'DATE_PRECISION_MONTH', 'DATE_PRECISION_DAY'];

/**
 * A legal Date message from "YYYY", "YYYY-MM" or "YYYY-MM-DD", with the matching
 * precision (nothing is invented: "2009-05" stays a month).
 * @param {string} text
 * @returns {{year: number, month: number, day: number, precision: string}}
 * @throws {TypeError}
 */
function date(text) {
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(String(text));
  if (match === null) {
    throw new TypeError(`date: YYYY, YYYY-MM or YYYY-MM-DD (got ${JSON.stringify(text)})`);
  }
  const parts = match.slice(1).filter((part) => part !== undefined).map(Number);
  return {
    year: parts[0],
    month: parts[1] || 0,
    day: parts[2] || 0,
    precision: PRECISIONS[parts.length - 1],
  };
}

/**
 * The text of a Date message at its precision ("2009", "2009-05", "2009-05-12"); "" for
 * an unset date.
 * @param {{year: number, month: number, day: number, precision: string}|null} value
 * @returns {string}
 */
function formatDate(value) {
  if (!value || !value.year) return '';
  const pad = (n) => String(n).padStart(2, '0');
  const year = String(value.year).padStart(4, '0');
  if (value.precision === 'DATE_PRECISION_YEAR') return year;
  if (value.precision === 'DATE_PRECISION_MONTH') return `${year}-${pad(value.month)}`;
  return `${year}-${pad(value.month)}-${pad(value.day)}`;
}

module.exports = {
  checkRequestId,
  date,
  expectedRevision,
  formatDate,
  newRequestId,
  nextPosition,
  toUint64,
};
