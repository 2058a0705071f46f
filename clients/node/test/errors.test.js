'use strict';
// RegistryError's decoding of the google.rpc.Status trailer, without a server: a status
// is encoded here, put into the trailers the way grpc-js hands them over, and decoded.
// Also the feed's resume bookkeeping and the value helpers, which need no server either.

const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const grpc = require('@grpc/grpc-js');
const {
  Backoff,
  RegistryClient,
  RegistryError,
  loadApi,
  SubscribeResume,
  encodeStatus,
  expectedRevision,
  isResumable,
  newRequestId,
  status,
  subscribeRequest,
  toRegistryError,
} = require('../lib');

/**
 * What a grpc-js call fails with.
 * @param {number} code
 * @param {string} details
 * @param {Buffer} [statusBytes] the grpc-status-details-bin trailer
 */
function serviceError(code, details, statusBytes) {
  const metadata = new grpc.Metadata();
  if (statusBytes !== undefined) metadata.set('grpc-status-details-bin', statusBytes);
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata });
}

describe('RegistryError', () => {
  it('decodes ErrorInfo, BadRequest and PreconditionFailure from the trailer', () => {
    const bytes = encodeStatus({
      code: status.ABORTED,
      message: 'expected_revision: agreements/a is at revision 3; expected 2',
      details: [
        {
          type: 'google.rpc.ErrorInfo',
          value: {
            reason: 'WRONG_EXPECTED_REVISION',
            domain: 'agreements.registry',
            metadata: { current_revision: '3', expected_revision: '2' },
          },
        },
        {
          type: 'google.rpc.BadRequest',
          value: { field_violations: [{ field: 'party.country_code', description: 'ISO 3166-1' }] },
        },
        {
          type: 'google.rpc.PreconditionFailure',
          value: { violations: [{ type: 'REVISION', subject: 'agreements/a', description: 'at 3' }] },
        },
      ],
    });
    const err = toRegistryError(serviceError(status.ABORTED, 'expected_revision: ...', bytes), 'm/M');
    assert.ok(err instanceof RegistryError);
    assert.ok(err instanceof Error);
    assert.equal(err.code, status.ABORTED);
    assert.equal(err.codeName, 'ABORTED');
    assert.equal(err.message, 'ABORTED: expected_revision: ...');
    assert.equal(err.method, 'm/M');
    assert.equal(err.reason, 'WRONG_EXPECTED_REVISION');
    assert.equal(err.domain, 'agreements.registry');
    assert.deepEqual(err.metadata, { current_revision: '3', expected_revision: '2' });
    assert.deepEqual(err.fieldViolations, [{ field: 'party.country_code', description: 'ISO 3166-1' }]);
    assert.deepEqual(err.preconditionViolations, [
      { type: 'REVISION', subject: 'agreements/a', description: 'at 3' },
    ]);
    assert.equal(err.statusDetails.length, 3);
    assert.ok(err.trailers instanceof grpc.Metadata);
  });

  it('keeps details of unknown types undecoded', () => {
    const Any = { type_url: 'type.googleapis.com/example.Custom', value: Buffer.from([8, 1]) };
    const bytes = encodeStatus({ code: status.INTERNAL, details: [] });
    // Append an Any of a type the client does not know: field 3, length-delimited.
    const any = Buffer.concat([
      Buffer.from([0x0a, Any.type_url.length]), Buffer.from(Any.type_url),
      Buffer.from([0x12, Any.value.length]), Any.value,
    ]);
    const withUnknown = Buffer.concat([bytes, Buffer.from([0x1a, any.length]), any]);
    const err = toRegistryError(serviceError(status.INTERNAL, 'x', withUnknown));
    assert.deepEqual(err.statusDetails, [{ type: 'example.Custom', value: Any.value, decoded: false }]);
    assert.equal(err.reason, undefined);
  });

  it('tolerates a missing or unreadable trailer', () => {
    for (const bytes of [undefined, Buffer.from([0xff, 0xff, 0xff])]) {
      const err = toRegistryError(serviceError(status.NOT_FOUND, 'agreement x not found', bytes));
      assert.equal(err.code, status.NOT_FOUND);
      assert.equal(err.details, 'agreement x not found');
      assert.equal(err.reason, undefined);
      assert.equal(err.domain, undefined);
      assert.deepEqual(err.metadata, {});
      assert.deepEqual(err.fieldViolations, []);
      assert.deepEqual(err.preconditionViolations, []);
      assert.deepEqual(err.statusDetails, []);
    }
    const plain = toRegistryError(new Error('socket hang up'));
    assert.equal(plain.code, status.UNKNOWN);
    assert.equal(plain.details, 'socket hang up');
  });

  it('names the writer a replica points to', () => {
    const err = serviceError(status.UNAVAILABLE, 'not the writer');
    err.metadata.set('agreements-writer', '127.0.0.1:50052');
    assert.equal(toRegistryError(err).writer, '127.0.0.1:50052');
  });
});

describe('RegistryError through grpc-js', () => {
  it('reads the trailer a server sends with an error', async () => {
    const server = new grpc.Server();
    const bytes = encodeStatus({
      code: status.FAILED_PRECONDITION,
      message: 'agreement a is IN_FORCE: cannot enter into force',
      details: [{ type: 'google.rpc.ErrorInfo', value: { reason: 'ILLEGAL_TRANSITION', domain: 'agreements.registry' } }],
    });
    server.addService(loadApi().agreements.v1.QueryService.service, {
      GetAgreement: (call, callback) => {
        const metadata = new grpc.Metadata();
        metadata.set('grpc-status-details-bin', bytes);
        callback({ code: status.FAILED_PRECONDITION, details: 'cannot enter into force', metadata });
      },
    });
    const port = await new Promise((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) =>
        (err ? reject(err) : resolve(bound)));
    });
    const client = await RegistryClient.connect({ target: `127.0.0.1:${port}` });
    try {
      await assert.rejects(client.getAgreement('a'), (err) => {
        assert.ok(err instanceof RegistryError);
        assert.equal(err.code, status.FAILED_PRECONDITION);
        assert.equal(err.reason, 'ILLEGAL_TRANSITION');
        assert.equal(err.domain, 'agreements.registry');
        assert.equal(err.method, 'agreements.v1.QueryService/GetAgreement');
        return true;
      });
    } finally {
      client.close();
      server.forceShutdown();
    }
  });
});

describe('feed bookkeeping', () => {
  const event = (position) => ({ kind: 'event', event: { envelope: { position } } });

  it('resumes after the last covered position with the original filter', () => {
    const request = subscribeRequest({ filter: { sectors: ['energy'] }, checkpointEveryEvents: 10 });
    assert.equal(request.from_beginning, true);
    const resume = new SubscribeResume(request);
    assert.equal(resume.lastPosition, null);
    assert.deepEqual(resume.resumeRequest(), request);
    resume.observe(event('7'));
    resume.observe({ kind: 'checkpoint', checkpoint: { position: '12' } });
    const next = resume.resumeRequest();
    assert.equal(next.from_position, '13');
    assert.equal(next.from_beginning, undefined);
    assert.deepEqual(next.filter, { sectors: ['energy'] });
    assert.equal(next.checkpoint_every_events, 10);
    resume.observe({ kind: 'events', events: { events: [event('20').event, event('21').event] } });
    assert.equal(resume.lastPosition, '21');
  });

  it('keeps a from-now request until the server names a position', () => {
    const resume = new SubscribeResume(subscribeRequest({ from: 'now' }));
    assert.equal(resume.resumeRequest().from_now, true);
    resume.observe({ kind: 'caught_up', caught_up: { position: '99' } });
    assert.equal(resume.resumeRequest().from_position, '100');
    assert.equal(resume.resumeRequest().from_now, undefined);
  });

  it('builds start positions and refuses contradictions', () => {
    assert.equal(subscribeRequest({ from: 5 }).from_position, '5');
    assert.equal(subscribeRequest({ after: '18446744073709551614' }).from_position, '18446744073709551615');
    assert.throws(() => subscribeRequest({ from: 1, after: 2 }), TypeError);
    assert.throws(() => subscribeRequest({ from: 'yesterday' }), TypeError);
  });

  it('reopens only after disconnects', () => {
    assert.ok(isResumable(status.UNAVAILABLE));
    assert.ok(isResumable(status.CANCELLED));
    assert.ok(isResumable(status.OK));
    assert.ok(!isResumable(status.INVALID_ARGUMENT));
    assert.ok(!isResumable(status.RESOURCE_EXHAUSTED));
    assert.ok(!isResumable(status.PERMISSION_DENIED));
  });

  it('backs off exponentially up to the bound', () => {
    const backoff = new Backoff(100, 400, 0);
    assert.deepEqual([backoff.next(), backoff.next(), backoff.next(), backoff.next()], [100, 200, 400, 400]);
    backoff.reset();
    assert.equal(backoff.next(), 100);
    assert.throws(() => new Backoff(0, 10, 0), TypeError);
  });
});

describe('values', () => {
  it('makes expected revisions and request ids', () => {
    assert.equal(expectedRevision(undefined), null);
    assert.deepEqual(expectedRevision(3), { exact: '3' });
    assert.deepEqual(expectedRevision(0n), { exact: '0' });
    assert.deepEqual(expectedRevision('no_stream'), { no_stream: true });
    assert.throws(() => expectedRevision(1.5), TypeError);
    assert.match(newRequestId(), /^node-[0-9a-f]{32}$/);
    assert.notEqual(newRequestId(), newRequestId());
  });
});
