'use strict';
// The wrapper against a real server in development mode: writes with request ids and
// expected revisions, replays, the errors' codes, queries and lists.

const assert = require('node:assert/strict');
const { after, before, describe, it } = require('node:test');
const { RegistryClient, RegistryError, date, formatDate, status } = require('../lib');
const { startServer } = require('./support/server');
const {
  bilateralAgreement,
  enteredIntoForce,
  ratified,
  registerStates,
  signed,
  stateParty,
} = require('./support/fixtures');

describe('RegistryClient against agreements-server', { timeout: 120000 }, () => {
  let server;
  let client;

  before(async () => {
    server = await startServer();
    client = await RegistryClient.connect({ target: server.target, healthTimeoutMs: 10000 });
    await registerStates(client);
  });

  after(async () => {
    if (client) client.close();
    if (server) await server.stop();
  });

  it('answers the health check and WhoAmI', async () => {
    assert.equal(await client.checkHealth(), 'SERVING');
    const me = await client.whoAmI();
    assert.equal(me.principal, 'anonymous');
    assert.equal(me.development_mode, true);
  });

  it('records an agreement and takes it into force with expected revisions', async () => {
    const id = 'kz-kr-air-2010';
    const recorded = await client.recordAgreement(
      bilateralAgreement(id, 'transport', ['kz', 'kr'], 'Air Services Agreement'),
      { requestId: 'record-air' },
    );
    assert.equal(recorded.result.replayed, false);
    assert.equal(recorded.agreement.revision, '1');
    assert.equal(recorded.agreement.status, 'AGREEMENT_STATUS_DRAFT');
    assert.deepEqual(recorded.agreement.sectors, ['transport']);

    const steps = [
      signed('kz', '2010-03-02'),
      signed('kr', '2010-03-02'),
      ratified('kz', '2010-06-01'),
      ratified('kr', '2010-07-01'),
      enteredIntoForce('2010-08-01'),
    ];
    let revision = Number(recorded.agreement.revision);
    let response;
    for (const [i, change] of steps.entries()) {
      response = await client.applyChange(id, change, {
        requestId: `air-step-${i}`,
        expectedRevision: revision,
      });
      assert.equal(response.result.replayed, false);
      assert.equal(response.agreement.revision, String(revision + 1));
      revision += 1;
    }
    assert.equal(response.agreement.status, 'AGREEMENT_STATUS_IN_FORCE');
    assert.equal(formatDate(response.agreement.entered_into_force_on), '2010-08-01');
    assert.equal(response.result.streams[0].stream_id, id);
    assert.equal(response.result.first_position, response.result.last_position);
  });

  it('replays a request id instead of appending twice', async () => {
    const id = 'kz-uz-rail-2011';
    const first = await client.recordAgreement(bilateralAgreement(id, 'transport', ['kz', 'uz']), {
      requestId: 'record-rail',
    });
    const sign = signed('uz', '2011-04-05');
    const applied = await client.applyChange(id, sign, { requestId: 'rail-sign-uz', expectedRevision: 1 });
    const again = await client.applyChange(id, sign, { requestId: 'rail-sign-uz', expectedRevision: 1 });
    assert.equal(again.result.replayed, true);
    assert.deepEqual(again.result.streams, applied.result.streams);
    assert.equal(again.result.last_position, applied.result.last_position);
    const { agreement } = await client.getAgreement(id, { minPosition: again.result.last_position });
    assert.equal(agreement.revision, '2');
    assert.equal(first.result.replayed, false);
  });

  it('refuses a wrong expected revision and changes nothing', async () => {
    const id = 'kz-kr-energy-2012';
    await client.recordAgreement(bilateralAgreement(id, 'energy', ['kz', 'kr']), { requestId: 'record-energy' });
    await client.applyChange(id, signed('kz', '2012-01-10'), { requestId: 'energy-sign-kz', expectedRevision: 1 });
    const stale = client.applyChange(id, signed('kr', '2012-01-11'), {
      requestId: 'energy-sign-kr-stale',
      expectedRevision: 1,
    });
    await assert.rejects(stale, (err) => {
      assert.ok(err instanceof RegistryError);
      // docs/api.md: an expected_revision mismatch is ABORTED ("re-read and retry").
      assert.equal(err.code, status.ABORTED);
      assert.equal(err.codeName, 'ABORTED');
      assert.match(err.details, /expected_revision: agreements\/kz-kr-energy-2012 is at revision 2; expected 1/);
      assert.equal(err.method, 'agreements.v1.CommandService/ApplyAgreementChange');
      return true;
    });
    const { agreement } = await client.getAgreement(id);
    assert.equal(agreement.revision, '2');
  });

  it('reports an illegal transition as FAILED_PRECONDITION', async () => {
    const id = 'kz-kr-telecom-2013';
    await client.recordAgreement(bilateralAgreement(id, 'telecom', ['kz', 'kr']), { requestId: 'record-telecom' });
    await assert.rejects(
      client.applyChange(id, enteredIntoForce('2013-05-01'), { requestId: 'telecom-eif', expectedRevision: 1 }),
      (err) => {
        assert.ok(err instanceof RegistryError);
        assert.equal(err.code, status.FAILED_PRECONDITION);
        assert.match(err.details, /cannot enter into force/);
        return true;
      },
    );
  });

  it('reports an invalid field as INVALID_ARGUMENT naming the field', async () => {
    await assert.rejects(client.registerParty(stateParty('xx', 'XX', 'Nowhere')), (err) => {
      assert.equal(err.code, status.INVALID_ARGUMENT);
      assert.match(err.details, /^party\.country_code: /);
      return true;
    });
  });

  it('reports an unknown agreement as NOT_FOUND', async () => {
    await assert.rejects(client.getAgreement('no-such-agreement'), (err) => err.code === status.NOT_FOUND);
  });

  it('checks request ids and expected revisions before sending', async () => {
    assert.throws(() => client.applyChange('x', signed('kz', '2010-01-01'), { requestId: '' }), TypeError);
    assert.throws(() => client.applyChange('x', signed('kz', '2010-01-01'), { expectedRevision: -1 }), TypeError);
  });

  it('queries sectors, summaries and lists across pages', async () => {
    const { sectors, position } = await client.listSectors();
    const transport = sectors.find((entry) => entry.sector === 'transport');
    assert.equal(transport.agreement_count, '2');
    assert.ok(Number(position) > 0);

    const { summary } = await client.getSectorSummary('transport');
    assert.equal(summary.agreement_count, '2');
    const inForce = summary.by_status.find((entry) => entry.status === 'AGREEMENT_STATUS_IN_FORCE');
    assert.equal(inForce.count, '1');

    const page = await client.listAgreements({ sector: 'transport', page_size: 1 });
    assert.equal(page.agreements.length, 1);
    assert.notEqual(page.next_page_token, '');
    const ids = [];
    for await (const agreement of client.agreements({ sector: 'transport', page_size: 1 })) {
      ids.push(agreement.id);
    }
    assert.deepEqual(ids, ['kz-kr-air-2010', 'kz-uz-rail-2011']);

    const { agreements } = await client.listAgreements({ party_id: 'uz' });
    assert.deepEqual(agreements.map((a) => a.id), ['kz-uz-rail-2011']);
    const states = [];
    for await (const party of client.parties({ type: 'PARTY_TYPE_STATE', page_size: 2 })) states.push(party.id);
    assert.deepEqual(states, ['kr', 'kz', 'uz']);
    const { party } = await client.getParty('kz');
    assert.equal(party.names[0].text, 'Republic of Kazakhstan');
  });

  it('searches by title words', async () => {
    const { agreements } = await client.listAgreements({ query: 'air services' });
    assert.deepEqual(agreements.map((a) => a.id), ['kz-kr-air-2010']);
  });

  it('makes legal dates at their precision', () => {
    assert.deepEqual(date('2009-05'), { year: 2009, month: 5, day: 0, precision: 'DATE_PRECISION_MONTH' });
    assert.equal(formatDate(date('2009')), '2009');
    assert.equal(formatDate(date('2009-05-12')), '2009-05-12');
    assert.throws(() => date('12 May 2009'), TypeError);
  });
});
