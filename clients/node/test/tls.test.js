'use strict';
// Connecting with TLS and bearer tokens (docs/security.md): a server started with a
// certificate made by openssl and a token file; the wrapper verifies the server with the
// CA, sends the token with every call and stream, and reports refusals as RegistryError.

const assert = require('node:assert/strict');
const { after, before, describe, it } = require('node:test');
const { RegistryClient, RegistryError, status } = require('../lib');
const { startServer, tempDir, removeDir } = require('./support/server');
const { makeSecureSetup } = require('./support/secure');
const { bilateralAgreement, registerStates, signed } = require('./support/fixtures');

describe('TLS and bearer tokens', { timeout: 120000 }, () => {
  let dir;
  let secure;
  let server;
  const clients = [];

  /**
   * A client of the secure server; closed after the suite.
   * @param {object} options connect options besides the target
   */
  async function connect(options) {
    const client = await RegistryClient.connect({ target: server.target, callTimeoutMs: 5000, ...options });
    clients.push(client);
    return client;
  }

  before(async () => {
    dir = tempDir('tls');
    secure = makeSecureSetup(dir);
    server = await startServer({ flags: secure.serverFlags });
  });

  after(async () => {
    for (const client of clients) client.close();
    if (server) await server.stop();
    if (dir) removeDir(dir);
  });

  it('authenticates with a token over TLS and records as that principal', async () => {
    const admin = await connect({ caFile: secure.caFile, tokenFile: secure.adminTokenFile, healthTimeoutMs: 10000 });
    const me = await admin.whoAmI();
    assert.equal(me.principal, 'node-admin');
    assert.equal(me.method, 'AUTHENTICATION_METHOD_BEARER_TOKEN');
    assert.equal(me.development_mode, false);

    await registerStates(admin);
    const { result } = await admin.recordAgreement(bilateralAgreement('tls-a', 'energy', ['kz', 'kr']), {
      requestId: 'tls-record',
    });
    await admin.applyChange('tls-a', signed('kz', '2015-01-01'), { requestId: 'tls-sign', expectedRevision: 1 });
    const subscription = admin.follow({ filter: { agreement_ids: ['tls-a'] } });
    const events = [];
    for await (const event of subscription.events()) {
      events.push(event);
      if (events.length === 2) break;
    }
    assert.equal(events[0].envelope.position, result.last_position);
    assert.ok(events.every((event) => event.envelope.actor === 'node-admin'));
    assert.ok(events.every((event) => event.envelope.actor_authenticated));
  });

  it('checks the server name given instead of the target host', async () => {
    const byName = await connect({ caFile: secure.caFile, serverName: 'localhost', token: secure.readerToken });
    assert.equal(await byName.checkHealth(), 'SERVING');
    const wrongName = await connect({ caFile: secure.caFile, serverName: 'other.example', token: secure.readerToken });
    await assert.rejects(wrongName.checkHealth(), (err) => err.code === status.UNAVAILABLE);
  });

  it('refuses calls without a token, with an unknown one, and without TLS', async () => {
    const anonymous = await connect({ caFile: secure.caFile });
    await assert.rejects(anonymous.listSectors(), (err) => {
      assert.ok(err instanceof RegistryError);
      assert.equal(err.code, status.UNAUTHENTICATED);
      return true;
    });
    const unknown = await connect({ caFile: secure.caFile, token: 'not-a-known-token' });
    await assert.rejects(unknown.listSectors(), (err) => {
      assert.equal(err.code, status.UNAUTHENTICATED);
      assert.match(err.details, /unknown bearer token/);
      return true;
    });
    const plaintext = await connect({ token: secure.adminToken });
    await assert.rejects(plaintext.listSectors(), (err) => err.code === status.UNAVAILABLE);
  });

  it('lets a reader read and refuses its writes with PERMISSION_DENIED', async () => {
    const reader = await connect({ caFile: secure.caFile, token: secure.readerToken });
    const { agreement } = await reader.getAgreement('tls-a');
    assert.equal(agreement.revision, '2');
    await assert.rejects(
      reader.applyChange('tls-a', signed('kr', '2015-01-02'), { expectedRevision: 2 }),
      (err) => {
        assert.equal(err.code, status.PERMISSION_DENIED);
        assert.match(err.details, /^missing permission agreements\.write/);
        return true;
      },
    );
  });

  it('checks its own options', async () => {
    await assert.rejects(RegistryClient.connect({ certFile: secure.certFile }), TypeError);
    await assert.rejects(RegistryClient.connect({ token: 'has space' }), TypeError);
    await assert.rejects(RegistryClient.connect({ token: 'a', tokenFile: secure.adminTokenFile }), TypeError);
    await assert.rejects(RegistryClient.connect({ caFile: `${dir}/missing.pem` }), { code: 'ENOENT' });
  });
});
