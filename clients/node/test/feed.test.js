'use strict';
// Following the change feed through the wrapper: read N events, stop, resume from the
// last position and receive exactly the following events once (in another subscription
// and in the same one), filtered resumes past checkpoints, batches, live delivery, and
// the automatic resume across a server restart (docs/feeds.md).

const assert = require('node:assert/strict');
const { after, before, describe, it } = require('node:test');
const { RegistryClient, RegistryError, status } = require('../lib');
const { startServer } = require('./support/server');
const { bilateralAgreement, registerStates, signed } = require('./support/fixtures');

const WAIT_MS = 20000;

/**
 * Runs `consume` over an async iterable with a time limit: on timeout the subscription
 * is stopped and the test fails.
 * @param {import('../lib').FeedSubscription} subscription
 * @param {() => Promise<*>} consume
 */
async function bounded(subscription, consume) {
  let timer;
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => {
      subscription.stop();
      reject(new Error(`feed: nothing more within ${WAIT_MS} ms`));
    }, WAIT_MS);
  });
  try {
    return await Promise.race([consume(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The first `n` events of a subscription; leaves the loop after the n-th.
 * @returns {Promise<object[]>}
 */
function takeEvents(subscription, n) {
  return bounded(subscription, async () => {
    const events = [];
    for await (const event of subscription.events()) {
      events.push(event);
      if (events.length === n) break;
    }
    return events;
  });
}

/**
 * The events up to the first caught_up; leaves the loop there.
 * @returns {Promise<{events: object[], caughtUp: string}>}
 */
function untilCaughtUp(subscription) {
  return bounded(subscription, async () => {
    const events = [];
    for await (const message of subscription) {
      if (message.kind === 'event') events.push(message.event);
      if (message.kind === 'events') events.push(...message.events.events);
      if (message.kind === 'caught_up') return { events, caughtUp: message.caught_up.position };
    }
    throw new Error('the subscription ended before catching up');
  });
}

/** @param {object[]} events @returns {number[]} their positions */
function positions(events) {
  return events.map((event) => Number(event.envelope.position));
}

/** @returns {number[]} from..to */
function range(from, to) {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

describe('following the feed', { timeout: 180000 }, () => {
  let server;
  let client;
  let head;

  /**
   * Records an agreement and signs it by both parties: 3 events.
   * @returns {Promise<string>} the last position
   */
  async function threeEvents(id, sector) {
    await client.recordAgreement(bilateralAgreement(id, sector, ['kz', 'kr']), { requestId: `rec-${id}` });
    await client.applyChange(id, signed('kz', '2014-02-01'), { requestId: `kz-${id}`, expectedRevision: 1 });
    const { result } = await client.applyChange(id, signed('kr', '2014-02-02'), {
      requestId: `kr-${id}`,
      expectedRevision: 2,
    });
    head = Number(result.last_position);
    return result.last_position;
  }

  before(async () => {
    server = await startServer();
    client = await RegistryClient.connect({ target: server.target, healthTimeoutMs: 10000 });
    await registerStates(client); // positions 1-3
    await threeEvents('feed-a', 'energy'); // 4-6
    await threeEvents('feed-b', 'transport'); // 7-9
    await threeEvents('feed-c', 'energy'); // 10-12
  });

  after(async () => {
    if (client) client.close();
    if (server) await server.stop();
  });

  it('reads N events, stops, and a new subscription resumes with exactly the rest', async () => {
    const first = client.follow({ from: 'beginning' });
    const read = await takeEvents(first, 5);
    assert.deepEqual(positions(read), [1, 2, 3, 4, 5]);
    assert.equal(first.lastPosition, '5');
    assert.equal(read[3].envelope.event_type, 'agreement_recorded');
    assert.equal(read[3].payload.kind, 'agreement_recorded');
    assert.equal(read[4].payload.participant_signed.party_id, 'kz');

    const resumed = client.follow({ after: first.lastPosition });
    const rest = await untilCaughtUp(resumed);
    assert.deepEqual(positions(rest.events), range(6, head));
    assert.equal(rest.caughtUp, String(head));
  });

  it('continues the same subscription after the consumer left its loop', async () => {
    const subscription = client.follow({ from: 'beginning' });
    const first = await takeEvents(subscription, 2);
    const second = await takeEvents(subscription, 3);
    const rest = await untilCaughtUp(subscription);
    assert.deepEqual(positions([...first, ...second, ...rest.events]), range(1, head));
    assert.deepEqual(subscription.resumeRequest().from_position, String(head + 1));
  });

  it('resumes a filtered feed past checkpoints without repeating an event', async () => {
    const filter = { sectors: ['energy'] };
    const first = client.follow({ filter, checkpointEveryEvents: 1 });
    const energy = await takeEvents(first, 3);
    assert.deepEqual(positions(energy), [4, 5, 6]);
    const resumed = client.follow({ after: first.lastPosition, filter, checkpointEveryEvents: 1 });
    const rest = await untilCaughtUp(resumed);
    assert.deepEqual(positions(rest.events), [10, 11, 12]);
    assert.ok(rest.events.every((event) => event.envelope.stream_id === 'feed-c'));
    assert.equal(resumed.lastPosition, String(head));
  });

  it('unpacks batches and resumes in the middle of one', async () => {
    const batched = client.follow({ maxEventsPerMessage: 4 });
    const kinds = [];
    const read = await bounded(batched, async () => {
      const events = [];
      for await (const message of batched) {
        kinds.push(message.kind);
        if (message.kind === 'caught_up') break;
        events.push(...message.events.events);
      }
      return events;
    });
    assert.ok(kinds.includes('events'));
    assert.ok(!kinds.includes('event'));
    assert.deepEqual(positions(read), range(1, head));

    const half = client.follow({ maxEventsPerMessage: 4 });
    const five = await takeEvents(half, 5);
    assert.deepEqual(positions(five), [1, 2, 3, 4, 5]);
    assert.equal(half.lastPosition, '5');
    const rest = await untilCaughtUp(client.follow({ after: half.lastPosition, maxEventsPerMessage: 4 }));
    assert.deepEqual(positions(rest.events), range(6, head));
  });

  it('delivers live events once after catching up', async () => {
    const live = client.follow({ from: 'now' });
    const caught = await untilCaughtUp(live);
    assert.deepEqual(caught.events, []);
    const from = head + 1;
    const consumer = takeEvents(live, 3);
    await threeEvents('feed-live', 'finance');
    const events = await consumer;
    assert.deepEqual(positions(events), range(from, head));
    assert.ok(events.every((event) => event.envelope.stream_id === 'feed-live'));
  });

  it('stop() ends a waiting loop without an error', async () => {
    const subscription = client.follow({ from: 'now' });
    await untilCaughtUp(subscription);
    const loop = (async () => {
      for await (const event of subscription.events()) return event;
      return null;
    })();
    setTimeout(() => subscription.stop(), 200);
    assert.equal(await loop, null);
    assert.equal(subscription.stopped, true);
  });

  it('fails on an answer that is not a disconnect', async () => {
    const bad = client.follow({ filter: { sectors: ['no-such-sector'] } });
    await assert.rejects(untilCaughtUp(bad), (err) => {
      assert.ok(err instanceof RegistryError);
      assert.equal(err.code, status.INVALID_ARGUMENT);
      assert.match(err.details, /filter\.sectors/);
      return true;
    });
  });

  it('resumes by itself across a server restart', async () => {
    const resumes = [];
    const subscription = client.follow({
      from: 'beginning',
      initialBackoffMs: 50,
      maxBackoffMs: 500,
      onResume: (ended, resumeAfter) => resumes.push({ code: ended.code, resumeAfter }),
    });
    const before = head;
    const seen = [];
    const consumer = bounded(subscription, async () => {
      for await (const event of subscription.events()) {
        seen.push(event);
        if (seen.length === before + 3) return;
      }
    });
    const caughtUpBy = Date.now() + WAIT_MS;
    while (seen.length < before && Date.now() < caughtUpBy) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(seen.length, before, 'caught up before the restart');
    await server.restart();
    await client.waitForHealthy(10000);
    await threeEvents('feed-restart', 'health');
    await consumer;
    subscription.stop();
    assert.deepEqual(positions(seen), range(1, before + 3));
    assert.ok(resumes.length >= 1, 'the stream was reopened');
    assert.equal(resumes[0].resumeAfter, String(before));
  });
});
