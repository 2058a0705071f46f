#!/usr/bin/env node
'use strict';
/**
 * Follows the change feed: catches up from a position, then prints events live as they
 * are recorded, reconnecting by itself after a disconnect or a server restart. On exit
 * (Ctrl-C, --limit or --until-caught-up) it prints the position to resume from.
 *
 *   node examples/follow-feed.js --server 127.0.0.1:50051 [--from beginning|now|POSITION]
 *     [--sector S] [--agreement ID] [--type EVENT_TYPE] [--limit N] [--until-caught-up]
 *     [--token-file F --ca-file F]
 */

const { formatDate, nextPosition } = require('../lib');
const { connect, parseCommandLine, run } = require('./common');

const USAGE = `usage: node examples/follow-feed.js [options] [connection flags]
  --from beginning|now|POSITION   where to start (default beginning)
  --sector S, --agreement ID, --type EVENT_TYPE, --party ID   filters (each may repeat)
  --limit N             stop after N events
  --until-caught-up     stop once every event so far was delivered`;

const FLAGS = {
  from: { type: 'string', default: 'beginning' },
  sector: { type: 'string', multiple: true, default: [] },
  agreement: { type: 'string', multiple: true, default: [] },
  type: { type: 'string', multiple: true, default: [] },
  party: { type: 'string', multiple: true, default: [] },
  limit: { type: 'string' },
  'until-caught-up': { type: 'boolean', default: false },
};

/**
 * The first legal date in a change (its own, or one level down: a signature's date).
 * @param {object} change
 * @param {number} [depth=2]
 * @returns {string} '' when none
 */
function firstDate(change, depth = 2) {
  for (const value of Object.values(change)) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    const text = 'precision' in value ? formatDate(value) : depth > 1 ? firstDate(value, depth - 1) : '';
    if (text !== '') return text;
  }
  return '';
}

/**
 * One line for an event: position, stream, revision, type and a date when it has one.
 * @param {object} event
 * @returns {string}
 */
function describeEvent(event) {
  const { envelope, payload } = event;
  const change = payload[payload.kind] || {};
  const when = firstDate(change);
  const party = change.party_id ? ` party=${change.party_id}` : '';
  return `${envelope.position} ${envelope.stream_id}@${envelope.revision} ${envelope.event_type}` +
    `${party}${when ? ` ${when}` : ''} by ${envelope.actor}`;
}

/**
 * The --limit value.
 * @param {string|undefined} text
 * @returns {number} Infinity when unset
 */
function parseLimit(text) {
  if (text === undefined) return Infinity;
  const limit = Number(text);
  if (!Number.isSafeInteger(limit) || limit < 1) throw new Error(`--limit: a positive integer (got ${text})`);
  return limit;
}

async function main() {
  const values = parseCommandLine(FLAGS, USAGE);
  const limit = parseLimit(values.limit);
  const client = await connect(values);
  const subscription = client.follow({
    from: values.from,
    filter: {
      sectors: values.sector,
      agreement_ids: values.agreement,
      event_types: values.type,
      party_ids: values.party,
    },
    onResume: (ended, after, pauseMs) =>
      console.error(`stream ended (${ended.codeName}); resuming after ${after ?? 'the start'} in ${Math.round(pauseMs)} ms`),
  });
  process.once('SIGINT', () => subscription.stop());
  let delivered = 0;
  try {
    for await (const message of subscription) {
      const events = message.kind === 'event' ? [message.event] : message.kind === 'events' ? message.events.events : [];
      for (const event of events) {
        console.log(describeEvent(event));
        delivered += 1;
      }
      if (message.kind === 'caught_up') console.log(`caught up at ${message.caught_up.position}`);
      if (delivered >= limit || (message.kind === 'caught_up' && values['until-caught-up'])) break;
    }
  } finally {
    client.close();
  }
  const last = subscription.lastPosition;
  console.log(last === null ? 'nothing delivered' : `resume with --from ${nextPosition(last)}`);
}

run(main);
