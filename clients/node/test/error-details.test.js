'use strict';
// The rich error details a real server sends in the grpc-status-details-bin trailer
// (google.rpc.Status with ErrorInfo, BadRequest ...), read through RegistryError. The
// codes and messages are checked first; the details after them.

const assert = require('node:assert/strict');
const { after, before, describe, it } = require('node:test');
const { RegistryClient, RegistryError, status } = require('../lib');
const { startServer } = require('./support/server');
const { bilateralAgreement, registerStates, signed, stateParty } = require('./support/fixtures');

describe('error details from agreements-server', { timeout: 60000 }, () => {
  let server;
  let client;

  before(async () => {
    server = await startServer();
    client = await RegistryClient.connect({ target: server.target, healthTimeoutMs: 10000 });
    await registerStates(client);
    await client.recordAgreement(bilateralAgreement('details-a', 'energy', ['kz', 'kr']), {
      requestId: 'details-record',
    });
    await client.applyChange('details-a', signed('kz', '2016-01-01'), {
      requestId: 'details-sign-kz',
      expectedRevision: 1,
    });
  });

  after(async () => {
    if (client) client.close();
    if (server) await server.stop();
  });

  it('a wrong expected revision carries ErrorInfo WRONG_EXPECTED_REVISION', async () => {
    const stale = client.applyChange('details-a', signed('kr', '2016-01-02'), {
      requestId: 'details-sign-kr-stale',
      expectedRevision: 1,
    });
    await assert.rejects(stale, (err) => {
      assert.ok(err instanceof RegistryError);
      assert.equal(err.code, status.ABORTED);
      assert.equal(err.reason, 'WRONG_EXPECTED_REVISION');
      assert.equal(err.domain, 'agreements.registry');
      assert.equal(err.metadata.current_revision, '2');
      return true;
    });
  });

  it('an invalid field carries a BadRequest field violation naming it', async () => {
    await assert.rejects(client.registerParty(stateParty('xx', 'XX', 'Nowhere')), (err) => {
      assert.ok(err instanceof RegistryError);
      assert.equal(err.code, status.INVALID_ARGUMENT);
      const violation = err.fieldViolations.find((v) => v.field === 'party.country_code');
      assert.ok(violation, `a field violation for party.country_code in ${JSON.stringify(err.fieldViolations)}`);
      assert.notEqual(violation.description, '');
      return true;
    });
  });
});
