'use strict';
/**
 * Errors of the registry as one Error subclass, RegistryError, with the rich status the
 * server sends in the "grpc-status-details-bin" trailer (a serialized google.rpc.Status
 * whose details are google.protobuf.Any): ErrorInfo (reason, domain, metadata),
 * BadRequest (field violations) and PreconditionFailure (violations) are decoded; any
 * other detail is kept undecoded. A missing or unreadable trailer leaves those fields
 * empty: the code and the message are always there.
 * @module agreements/errors
 */

const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protobuf = require('protobufjs');
const { protoDir } = require('./protos');

/** The trailer that carries the serialized google.rpc.Status. */
const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
/** The trailer a replica sets on a refused write: the writer's address (docs/cluster.md). */
const WRITER_KEY = 'agreements-writer';
const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** gRPC status code numbers by name, and the names by number. */
const CODE_NAMES = Object.freeze(
  Object.fromEntries(Object.entries(grpc.status).map(([name, code]) => [code, name])),
);

let rpcTypes = null;

/**
 * The google.rpc types, parsed once from proto/google/rpc (protobufjs brings
 * google/protobuf/any.proto and duration.proto along).
 * @returns {protobuf.Root}
 */
function rpcRoot() {
  if (rpcTypes === null) {
    const root = new protobuf.Root();
    const dir = protoDir();
    root.resolvePath = (origin, target) =>
      target.startsWith('google/protobuf/') ? target : path.join(dir, target);
    root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'], {
      keepCase: true,
    });
    rpcTypes = root.resolveAll();
  }
  return rpcTypes;
}

/** How decoded messages are turned into plain objects. */
const TO_OBJECT = Object.freeze({ longs: String, enums: String, defaults: true });

/**
 * One detail of a google.rpc.Status: decoded when its type is among google/rpc's.
 * @param {{type_url: string, value: Uint8Array}} any
 * @returns {{type: string, value: (object|Buffer), decoded: boolean}}
 */
function decodeAny(any) {
  const typeUrl = any.type_url || '';
  const type = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  const messageType = type.startsWith('google.rpc.') ? rpcRoot().lookup(type) : null;
  if (messageType instanceof protobuf.Type) {
    try {
      const value = messageType.toObject(messageType.decode(any.value), TO_OBJECT);
      return { type, value, decoded: true };
    } catch (err) {
      // A detail that does not parse is kept as bytes, like an unknown one.
    }
  }
  return { type, value: Buffer.from(any.value || []), decoded: false };
}

/**
 * Decodes a serialized google.rpc.Status.
 * @param {Uint8Array} bytes
 * @returns {{code: number, message: string, details: Array<{type: string, value: *, decoded: boolean}>}}
 * @throws {Error} when the bytes are not a google.rpc.Status
 */
function decodeStatus(bytes) {
  const Status = rpcRoot().lookupType('google.rpc.Status');
  const status = Status.decode(bytes);
  return {
    code: status.code,
    message: status.message,
    details: status.details.map(decodeAny),
  };
}

/**
 * Encodes a google.rpc.Status with typed details (for tests and for servers in Node):
 * each detail is `{type: 'google.rpc.ErrorInfo', value: {...}}`.
 * @param {{code: number, message?: string, details?: Array<{type: string, value: object}>}} status
 * @returns {Buffer}
 */
function encodeStatus({ code, message = '', details = [] }) {
  const root = rpcRoot();
  const anys = details.map(({ type, value }) => {
    const messageType = root.lookupType(type);
    return {
      type_url: TYPE_URL_PREFIX + type,
      value: messageType.encode(messageType.fromObject(value)).finish(),
    };
  });
  const Status = root.lookupType('google.rpc.Status');
  return Buffer.from(Status.encode(Status.fromObject({ code, message, details: anys })).finish());
}

/**
 * The google.rpc.Status in a call's trailers, or null when there is none or it does not
 * parse.
 * @param {grpc.Metadata|undefined} trailers
 * @returns {ReturnType<typeof decodeStatus>|null}
 */
function statusFromTrailers(trailers) {
  const values = trailers instanceof grpc.Metadata ? trailers.get(STATUS_DETAILS_KEY) : [];
  if (values.length === 0) return null;
  try {
    return decodeStatus(values[0]);
  } catch (err) {
    return null;
  }
}

/**
 * The first detail of a type, or undefined.
 * @param {Array<{type: string, value: *}>} details
 * @param {string} type
 */
function findDetail(details, type) {
  const found = details.find((detail) => detail.type === type && detail.decoded);
  return found === undefined ? undefined : found.value;
}

/**
 * A failed call to the registry. `code` is the gRPC status code (a number, compare with
 * grpc.status.ABORTED or use `codeName`), `details` the server's message. From the
 * google.rpc.Status trailer, when the server sent one: `reason`, `domain` and `metadata`
 * (ErrorInfo), `fieldViolations` (BadRequest), `preconditionViolations`
 * (PreconditionFailure) and every detail in `statusDetails`.
 */
class RegistryError extends Error {
  /**
   * @param {object} fields
   * @param {number} fields.code gRPC status code
   * @param {string} [fields.details] the status message
   * @param {grpc.Metadata} [fields.trailers] the call's trailing metadata
   * @param {string} [fields.method] the RPC, e.g. "agreements.v1.QueryService/GetAgreement"
   * @param {Error} [fields.cause] the underlying error
   */
  constructor({ code, details = '', trailers, method, cause }) {
    const codeName = CODE_NAMES[code] || `CODE_${code}`;
    super(`${codeName}: ${details}`, cause === undefined ? undefined : { cause });
    this.name = 'RegistryError';
    /** @type {number} */
    this.code = code;
    /** @type {string} e.g. "ABORTED" */
    this.codeName = codeName;
    /** @type {string} */
    this.details = details;
    /** @type {string|undefined} */
    this.method = method;
    /** @type {grpc.Metadata} the trailing metadata as received */
    this.trailers = trailers instanceof grpc.Metadata ? trailers : new grpc.Metadata();
    const status = statusFromTrailers(this.trailers);
    /** @type {Array<{type: string, value: *, decoded: boolean}>} */
    this.statusDetails = status === null ? [] : status.details;
    const info = findDetail(this.statusDetails, 'google.rpc.ErrorInfo');
    /** @type {string|undefined} ErrorInfo.reason, e.g. "WRONG_EXPECTED_REVISION" */
    this.reason = info ? info.reason : undefined;
    /** @type {string|undefined} ErrorInfo.domain, "agreements.registry" */
    this.domain = info ? info.domain : undefined;
    /** @type {Object<string, string>} ErrorInfo.metadata, e.g. {current_revision: "3"} */
    this.metadata = info ? { ...info.metadata } : {};
    const badRequest = findDetail(this.statusDetails, 'google.rpc.BadRequest');
    /** @type {Array<{field: string, description: string}>} */
    this.fieldViolations = badRequest ? badRequest.field_violations : [];
    const precondition = findDetail(this.statusDetails, 'google.rpc.PreconditionFailure');
    /** @type {Array<{type: string, subject: string, description: string}>} */
    this.preconditionViolations = precondition ? precondition.violations : [];
    const writer = this.trailers.get(WRITER_KEY);
    /** @type {string|undefined} in cluster mode: the writer a replica names */
    this.writer = writer.length > 0 ? String(writer[0]) : undefined;
  }
}

/**
 * Turns what a grpc-js call failed with into a RegistryError (unchanged if it is one).
 * @param {Error & {code?: number, details?: string, metadata?: grpc.Metadata}} err
 * @param {string} [method]
 * @returns {RegistryError}
 */
function toRegistryError(err, method) {
  if (err instanceof RegistryError) return err;
  const code = typeof err.code === 'number' ? err.code : grpc.status.UNKNOWN;
  const details = typeof err.details === 'string' ? err.details : err.message;
  return new RegistryError({ code, details, trailers: err.metadata, method, cause: err });
}

module.exports = {
  CODE_NAMES,
  RegistryError,
  STATUS_DETAILS_KEY,
  WRITER_KEY,
  decodeStatus,
  encodeStatus,
  statusFromTrailers,
  toRegistryError,
};
