'use strict';
/**
 * The registry's gRPC API, loaded at run time from the repository's proto/ directory with
 * @grpc/proto-loader: these are the client's "stubs". Nothing is generated ahead of time,
 * so the client always speaks the protos it sits next to.
 *
 * Loader options (documented in README.md):
 * - keepCase: true. Message objects use the proto field names (`request_id`,
 *   `expected_revision`), the names docs/api.md, error messages ("party.country_code: ...")
 *   and the envelope's `event_type` use; the oneof virtual fields then name the set member
 *   as the proto does (`payload.kind === 'participant_signed'`).
 * - longs: String. 64-bit integers (positions, revisions, counts) are decimal strings;
 *   requests accept numbers, strings or bigints.
 * - enums: String. Enums are their value names (`'AGREEMENT_STATUS_IN_FORCE'`).
 * - defaults: true. Every field of a received message is present (unset message fields
 *   are null).
 * - oneofs: true. A oneof's name holds the name of its set member.
 * @module agreements/protos
 */

const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

/** The proto/ directory of the repository this client belongs to. */
const DEFAULT_PROTO_DIR = path.resolve(__dirname, '..', '..', '..', 'proto');

/** The files that declare the services the client uses (their imports come along). */
const SERVICE_FILES = Object.freeze([
  'agreements/v1/command_service.proto',
  'agreements/v1/query_service.proto',
  'agreements/v1/feed_service.proto',
  'agreements/v1/audit_service.proto',
  'agreements/v1/security_service.proto',
  'agreements/v1/admin_service.proto',
  'grpc/health/v1/health.proto',
]);

/**
 * The options every part of the client loads protos with.
 * @param {string} protoDir
 * @returns {import('@grpc/proto-loader').Options}
 */
function loaderOptions(protoDir) {
  return {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
    includeDirs: [protoDir],
  };
}

/**
 * Where the protos are: $AGREEMENTS_PROTO_DIR, else the repository's proto/.
 * @returns {string}
 */
function protoDir() {
  return process.env.AGREEMENTS_PROTO_DIR || DEFAULT_PROTO_DIR;
}

const cache = new Map();

/**
 * The gRPC object tree of the registry's services (`.agreements.v1.QueryService`,
 * `.grpc.health.v1.Health` ...), loaded once per directory.
 * @param {string} [dir] the proto directory; default protoDir()
 * @returns {grpc.GrpcObject}
 */
function loadApi(dir = protoDir()) {
  if (!cache.has(dir)) {
    const definition = protoLoader.loadSync([...SERVICE_FILES], loaderOptions(dir));
    cache.set(dir, grpc.loadPackageDefinition(definition));
  }
  return cache.get(dir);
}

module.exports = { DEFAULT_PROTO_DIR, SERVICE_FILES, loaderOptions, protoDir, loadApi };
