'use strict';
/**
 * RegistryClient: one connection to a registry server (plaintext or TLS, optionally
 * mutual, with an optional bearer token), with promise-returning methods for the
 * CommandService and QueryService, the health check, WhoAmI, and resuming feeds. Every
 * failure is a RegistryError (errors.js). Requests and responses are plain objects with
 * the proto's field names (protos.js); the wrapper's own options are camelCase.
 * @module agreements/client
 */

const fs = require('node:fs/promises');
const grpc = require('@grpc/grpc-js');
const { loadApi } = require('./protos');
const { RegistryError, toRegistryError } = require('./errors');
const { FeedSubscription, subscribeRequest } = require('./feed');
const { checkRequestId, expectedRevision, newRequestId, toUint64 } = require('./values');

const DEFAULT_TARGET = '127.0.0.1:50051';
const DEFAULT_CALL_TIMEOUT_MS = 10000;
/** A bearer token: printable ASCII without spaces. */
const TOKEN = /^[\x21-\x7e]+$/;

/**
 * @typedef {object} ConnectOptions
 * @property {string} [target='127.0.0.1:50051'] "host:port" or a gRPC target URI
 * @property {boolean} [tls] use TLS; implied by caFile, certFile, keyFile or serverName
 * @property {string} [caFile] PEM CA certificates that verify the server (default: the
 *   system's roots)
 * @property {string} [certFile] PEM client certificate chain, for mutual TLS
 * @property {string} [keyFile] PEM private key of certFile
 * @property {string} [serverName] the name checked in the server's certificate instead
 *   of the target's host
 * @property {string} [token] bearer token sent as "authorization: Bearer <token>" with
 *   every call (in clear without TLS: only over loopback)
 * @property {string} [tokenFile] a file holding the token (trailing whitespace dropped)
 * @property {number} [callTimeoutMs=10000] deadline of each unary call
 * @property {number} [healthTimeoutMs] when set, connect() waits up to this long for the
 *   health check to answer SERVING
 * @property {object} [channelOptions] extra grpc-js channel options
 */

/**
 * Fills the connection options that are still unset from the environment, like the C++
 * client and the CLI: AGREEMENTS_SERVER, AGREEMENTS_TLS_CA, AGREEMENTS_TLS_CERT,
 * AGREEMENTS_TLS_KEY, AGREEMENTS_TLS_SERVER_NAME, AGREEMENTS_TOKEN and
 * AGREEMENTS_TOKEN_FILE. Empty variables count as unset.
 * @param {ConnectOptions} options
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {ConnectOptions} a new object
 */
function optionsFromEnv(options = {}, env = process.env) {
  const pick = (value, name) => (value !== undefined && value !== '' ? value : env[name] || undefined);
  const filled = {
    ...options,
    target: pick(options.target, 'AGREEMENTS_SERVER'),
    caFile: pick(options.caFile, 'AGREEMENTS_TLS_CA'),
    certFile: pick(options.certFile, 'AGREEMENTS_TLS_CERT'),
    keyFile: pick(options.keyFile, 'AGREEMENTS_TLS_KEY'),
    serverName: pick(options.serverName, 'AGREEMENTS_TLS_SERVER_NAME'),
  };
  if (!filled.token && !filled.tokenFile) {
    filled.token = env.AGREEMENTS_TOKEN || undefined;
    filled.tokenFile = filled.token ? undefined : env.AGREEMENTS_TOKEN_FILE || undefined;
  }
  return filled;
}

/**
 * The token in a file: its content without trailing whitespace.
 * @param {string} file
 * @returns {Promise<string>}
 */
async function readTokenFile(file) {
  const token = (await fs.readFile(file, 'utf8')).trimEnd();
  if (token === '') throw new TypeError(`tokenFile ${file}: the file is empty`);
  return token;
}

/**
 * The channel credentials the options ask for (files read here).
 * @param {ConnectOptions} options
 * @returns {Promise<grpc.ChannelCredentials>}
 */
async function channelCredentials(options) {
  const { caFile, certFile, keyFile, serverName } = options;
  if (Boolean(certFile) !== Boolean(keyFile)) {
    throw new TypeError('certFile and keyFile: give both (mutual TLS) or neither');
  }
  if (!(options.tls || caFile || certFile || serverName)) {
    return grpc.credentials.createInsecure();
  }
  const read = (file) => (file ? fs.readFile(file) : Promise.resolve(null));
  const [ca, cert, key] = await Promise.all([read(caFile), read(certFile), read(keyFile)]);
  return grpc.credentials.createSsl(ca, key, cert);
}

/**
 * @param {ConnectOptions} options
 * @returns {object} grpc-js channel options
 */
function channelOptions(options) {
  const channel = { ...(options.channelOptions || {}) };
  if (options.serverName) {
    channel['grpc.ssl_target_name_override'] = options.serverName;
    channel['grpc.default_authority'] = options.serverName;
  }
  return channel;
}

/**
 * The token the options give, checked.
 * @param {ConnectOptions} options
 * @returns {Promise<string>} '' for none
 */
async function resolveToken(options) {
  if (options.token && options.tokenFile) {
    throw new TypeError('token and tokenFile: give one');
  }
  const token = options.tokenFile ? await readTokenFile(options.tokenFile) : options.token || '';
  if (token !== '' && !TOKEN.test(token)) {
    throw new TypeError('token: printable ASCII without spaces');
  }
  return token;
}

/**
 * The CommandContext of a write.
 * @param {object} options
 * @returns {object}
 */
function commandContext(options) {
  return {
    request_id: checkRequestId(options.requestId === undefined ? newRequestId() : options.requestId),
    correlation_id: options.correlationId || '',
    causation_id: options.causationId || '',
    reason: options.reason || '',
  };
}

/**
 * A connection to one registry server. Connecting is lazy unless healthTimeoutMs is
 * given: an unreachable server shows as UNAVAILABLE on the first call. Safe to share.
 */
class RegistryClient {
  /**
   * Reads the TLS and token files and creates the channel.
   * @param {ConnectOptions} [options]
   * @returns {Promise<RegistryClient>}
   * @throws {TypeError} for inconsistent options; the fs error for unreadable files
   */
  static async connect(options = {}) {
    const target = options.target || DEFAULT_TARGET;
    const [credentials, token] = await Promise.all([
      channelCredentials(options),
      resolveToken(options),
    ]);
    const client = new RegistryClient(target, credentials, channelOptions(options), {
      token,
      callTimeoutMs: options.callTimeoutMs || DEFAULT_CALL_TIMEOUT_MS,
    });
    if (options.healthTimeoutMs !== undefined) {
      try {
        await client.waitForHealthy(options.healthTimeoutMs);
      } catch (err) {
        client.close();
        throw err;
      }
    }
    return client;
  }

  /**
   * Use connect(). The services share one channel.
   * @param {string} target
   * @param {grpc.ChannelCredentials} credentials
   * @param {object} channel grpc-js channel options
   * @param {{token: string, callTimeoutMs: number}} settings
   */
  constructor(target, credentials, channel, settings) {
    const api = loadApi();
    const v1 = api.agreements.v1;
    this.target = target;
    this._token = settings.token;
    this._callTimeoutMs = settings.callTimeoutMs;
    /** The raw grpc-js stubs, for RPCs the wrapper does not cover (AuditService ...). */
    this.stubs = {};
    this.stubs.commands = new v1.CommandService(target, credentials, channel);
    const shared = { ...channel, channelOverride: this.stubs.commands.getChannel() };
    this.stubs.queries = new v1.QueryService(target, credentials, shared);
    this.stubs.feeds = new v1.FeedService(target, credentials, shared);
    this.stubs.audit = new v1.AuditService(target, credentials, shared);
    this.stubs.security = new v1.SecurityService(target, credentials, shared);
    this.stubs.admin = new v1.AdminService(target, credentials, shared);
    this.stubs.health = new api.grpc.health.v1.Health(target, credentials, shared);
  }

  /** Closes the channel; calls in flight fail with CANCELLED or UNAVAILABLE. */
  close() {
    this.stubs.commands.close();
  }

  /**
   * Metadata for one call: the authorization header when there is a token. Plain
   * metadata rather than call credentials, which grpc-js refuses on plaintext channels
   * (the server decides what it accepts).
   * @returns {grpc.Metadata}
   */
  metadata() {
    const metadata = new grpc.Metadata();
    if (this._token !== '') metadata.set('authorization', `Bearer ${this._token}`);
    return metadata;
  }

  /**
   * Any unary RPC of the raw stubs, with the token, the deadline and RegistryError.
   * @param {string} stub a key of `stubs`, e.g. 'audit'
   * @param {string} method e.g. 'GetCheckpoint'
   * @param {object} request
   * @param {{timeoutMs?: number}} [options]
   * @returns {Promise<object>}
   */
  call(stub, method, request, options = {}) {
    const service = this.stubs[stub];
    if (service === undefined || typeof service[method] !== 'function') {
      return Promise.reject(new TypeError(`no RPC ${stub}.${method}`));
    }
    const deadline = Date.now() + (options.timeoutMs || this._callTimeoutMs);
    const name = (service[method].path || `${stub}/${method}`).replace(/^\//, '');
    return new Promise((resolve, reject) => {
      service[method](request, this.metadata(), { deadline }, (err, response) => {
        if (err) reject(toRegistryError(err, name));
        else resolve(response);
      });
    });
  }

  // CommandService. Each resolves once the events are durable, with the CommitResult in
  // `result` (`result.replayed` for a request id seen before) and, by default, the state.

  /**
   * Records a new agreement (agreement_recorded).
   * @param {object} agreement an Agreement: id (optional), designation, instrument_kind,
   *   legal_nature, titles, arity, participations, classifications ...
   * @param {object} [options]
   * @param {string} [options.requestId] reuse it to retry safely; default a new one
   * @param {string} [options.initialStatus] 'AGREEMENT_STATUS_DRAFT' (default) or
   *   'AGREEMENT_STATUS_NEGOTIATING'
   * @param {string} [options.responseView] 'RESPONSE_VIEW_FULL' or '..._RESULT_ONLY'
   * @param {string} [options.reason]
   * @returns {Promise<{result: object, agreement: object}>}
   */
  recordAgreement(agreement, options = {}) {
    return this.call('commands', 'RecordAgreement', {
      context: commandContext(options),
      agreement,
      initial_status: options.initialStatus || 'AGREEMENT_STATUS_UNSPECIFIED',
      response_view: options.responseView || 'RESPONSE_VIEW_UNSPECIFIED',
    });
  }

  /**
   * Applies one change to an agreement.
   * @param {string} agreementId
   * @param {object} change an EventPayload with one member set, e.g.
   *   `{participant_signed: {party_id: 'kz', signature: {kind: 'SIGNATURE_KIND_SIMPLE',
   *   date: date('2010-03-02')}}}`
   * @param {object} [options]
   * @param {string} [options.requestId] reuse it to retry safely; default a new one
   * @param {number|string|bigint} [options.expectedRevision] the agreement's revision the
   *   change is based on ('any', 'no_stream', 'stream_exists' also); a mismatch fails
   *   with ABORTED (reason WRONG_EXPECTED_REVISION) and changes nothing
   * @param {string} [options.responseView]
   * @param {string} [options.reason]
   * @returns {Promise<{result: object, agreement: object}>}
   */
  applyChange(agreementId, change, options = {}) {
    return this.call('commands', 'ApplyAgreementChange', {
      context: commandContext(options),
      agreement_id: agreementId,
      expected_revision: expectedRevision(options.expectedRevision),
      change,
      response_view: options.responseView || 'RESPONSE_VIEW_UNSPECIFIED',
    });
  }

  /**
   * Registers a party.
   * @param {object} party a Party: id (optional), type, names, country_code ...
   * @param {{requestId?: string, responseView?: string, reason?: string}} [options]
   * @returns {Promise<{result: object, party: object}>}
   */
  registerParty(party, options = {}) {
    return this.call('commands', 'RegisterParty', {
      context: commandContext(options),
      party,
      response_view: options.responseView || 'RESPONSE_VIEW_UNSPECIFIED',
    });
  }

  /**
   * Replaces the fields of a party named by `paths`.
   * @param {object} party party.id names it; the new values
   * @param {string[]} paths e.g. ['names', 'country_code']
   * @param {{requestId?: string, expectedRevision?: number|string|bigint, reason?: string}} [options]
   * @returns {Promise<{result: object, party: object}>}
   */
  updateParty(party, paths, options = {}) {
    return this.call('commands', 'UpdateParty', {
      context: commandContext(options),
      party,
      update_mask: { paths },
      expected_revision: expectedRevision(options.expectedRevision),
      response_view: options.responseView || 'RESPONSE_VIEW_UNSPECIFIED',
    });
  }

  /**
   * Up to 100 commands on any streams, all or nothing.
   * @param {object[]} commands Command messages (stream_type, stream_id,
   *   expected_revision, change, reason)
   * @param {{requestId?: string, responseView?: string, reason?: string}} [options]
   * @returns {Promise<object>} ExecuteBatchResponse
   */
  executeBatch(commands, options = {}) {
    return this.call('commands', 'ExecuteBatch', {
      context: commandContext(options),
      commands,
      response_view: options.responseView || 'RESPONSE_VIEW_UNSPECIFIED',
    });
  }

  // QueryService. By default a read sees every write acknowledged before it; pass
  // minPosition (a CommitResult's last_position) to read your writes on any server.

  /**
   * @param {string} agreementId
   * @param {{minPosition?: number|string|bigint}} [options]
   * @returns {Promise<{agreement: object, position: string}>}
   */
  getAgreement(agreementId, options = {}) {
    return this.call('queries', 'GetAgreement', {
      agreement_id: agreementId,
      min_position: toUint64(options.minPosition || 0, 'minPosition'),
    });
  }

  /**
   * The agreement holding a scheme-qualified identifier, e.g. ('UNTS', 'I-54113').
   * @param {string} scheme
   * @param {string} value
   * @returns {Promise<{agreement: object, position: string}>}
   */
  lookupAgreement(scheme, value) {
    return this.call('queries', 'LookupAgreement', { identifier: { scheme, value } });
  }

  /**
   * One page of agreements.
   * @param {object} [request] a ListAgreementsRequest: sector, status, instrument_kind,
   *   party_id, query, order_by, page_size, page_token ...
   * @returns {Promise<{agreements: object[], next_page_token: string, position: string}>}
   */
  listAgreements(request = {}) {
    return this.call('queries', 'ListAgreements', request);
  }

  /**
   * Every agreement matching the request, page after page.
   * @param {object} [request] as listAgreements, without page_token
   * @returns {AsyncGenerator<object>}
   */
  async *agreements(request = {}) {
    yield* this._pages('ListAgreements', 'agreements', request);
  }

  /**
   * @param {{minPosition?: number|string|bigint}} [options]
   * @returns {Promise<{sectors: Array<{sector: string, agreement_count: string}>, position: string}>}
   */
  listSectors(options = {}) {
    return this.call('queries', 'ListSectors', {
      min_position: toUint64(options.minPosition || 0, 'minPosition'),
    });
  }

  /**
   * @param {string} sector
   * @param {{topParties?: number, minPosition?: number|string|bigint}} [options]
   * @returns {Promise<{summary: object, position: string}>}
   */
  getSectorSummary(sector, options = {}) {
    return this.call('queries', 'GetSectorSummary', {
      sector,
      top_parties: options.topParties || 0,
      min_position: toUint64(options.minPosition || 0, 'minPosition'),
    });
  }

  /**
   * @param {object} [request] a GetStatisticsRequest: sector, party_id, period
   * @returns {Promise<object>}
   */
  getStatistics(request = {}) {
    return this.call('queries', 'GetStatistics', request);
  }

  /**
   * @param {string} partyId
   * @param {{minPosition?: number|string|bigint}} [options]
   * @returns {Promise<{party: object, position: string}>}
   */
  getParty(partyId, options = {}) {
    return this.call('queries', 'GetParty', {
      party_id: partyId,
      min_position: toUint64(options.minPosition || 0, 'minPosition'),
    });
  }

  /**
   * One page of parties.
   * @param {object} [request] a ListPartiesRequest: type, country_code, page_size ...
   * @returns {Promise<{parties: object[], next_page_token: string, position: string}>}
   */
  listParties(request = {}) {
    return this.call('queries', 'ListParties', request);
  }

  /**
   * Every party matching the request, page after page.
   * @param {object} [request]
   * @returns {AsyncGenerator<object>}
   */
  async *parties(request = {}) {
    yield* this._pages('ListParties', 'parties', request);
  }

  /**
   * Walks the pages of a list RPC.
   * @param {string} method
   * @param {string} field the repeated field of the response
   * @param {object} request
   */
  async *_pages(method, field, request) {
    let pageToken = '';
    do {
      const page = await this.call('queries', method, { ...request, page_token: pageToken });
      yield* page[field];
      pageToken = page.next_page_token;
    } while (pageToken !== '');
  }

  // Feeds, security and health.

  /**
   * Follows the change feed with resume (feed.js): iterate the result.
   * @param {object} [options] from ('beginning', 'now' or a position), after (resume
   *   after a position), filter, checkpointEveryEvents, checkpointIntervalMs,
   *   maxEventsPerMessage, and the ResumeOptions (initialBackoffMs, maxBackoffMs,
   *   backoffJitter, onResume)
   * @returns {FeedSubscription}
   */
  follow(options = {}) {
    const request = subscribeRequest(options);
    const open = (next) => this.stubs.feeds.Subscribe(next, this.metadata());
    return new FeedSubscription(open, request, options);
  }

  /**
   * Who the server takes this client for (SecurityService.WhoAmI).
   * @returns {Promise<object>} principal, method, roles, permissions, development_mode
   */
  whoAmI() {
    return this.call('security', 'WhoAmI', {});
  }

  /**
   * One health check (grpc.health.v1.Health/Check).
   * @param {string} [service=''] '' for the server as a whole
   * @returns {Promise<string>} 'SERVING', 'NOT_SERVING' ...
   */
  async checkHealth(service = '') {
    const response = await this.call('health', 'Check', { service });
    return response.status;
  }

  /**
   * Waits until the health check answers SERVING, retrying while the server is
   * unreachable or not serving.
   * @param {number} timeoutMs
   * @returns {Promise<void>}
   * @throws {RegistryError} DEADLINE_EXCEEDED naming the last answer when time runs out
   */
  async waitForHealthy(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      const left = Math.max(1, deadline - Date.now());
      try {
        const status = await this.call('health', 'Check', { service: '' }, { timeoutMs: Math.min(left, 2000) });
        if (status.status === 'SERVING') return;
        last = status.status;
      } catch (err) {
        last = err.message;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(100, left)));
    }
    throw new RegistryError({
      code: grpc.status.DEADLINE_EXCEEDED,
      details: `${this.target} not healthy within ${timeoutMs} ms (last: ${last})`,
      method: 'grpc.health.v1.Health/Check',
    });
  }
}

module.exports = { DEFAULT_TARGET, RegistryClient, optionsFromEnv, readTokenFile };
