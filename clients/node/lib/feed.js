'use strict';
/**
 * Following the change feed (FeedService.Subscribe, contract in docs/feeds.md) with
 * resume: a FeedSubscription is an async iterable that reopens its stream after a
 * disconnect or a server restart from the last position it delivered, so every matching
 * event reaches the consumer once, in position order. Stopping (stop(), or leaving a
 * for-await loop) cancels the stream; `lastPosition` then says where to resume, in this
 * process (iterate the same subscription again) or another (`follow({after: position})`).
 * @module agreements/feed
 */

const { setTimeout: sleep } = require('node:timers/promises');
const grpc = require('@grpc/grpc-js');
const { toRegistryError } = require('./errors');
const { nextPosition, toUint64 } = require('./values');

const SUBSCRIBE_METHOD = 'agreements.v1.FeedService/Subscribe';

/**
 * Whether a feed stream that ended with `code` should be reopened: UNAVAILABLE (server
 * down, restarting or shutting down), CANCELLED not asked for by the consumer (a broken
 * connection) and OK (a feed never ends by itself). Anything else is an answer
 * (INVALID_ARGUMENT, PERMISSION_DENIED, RESOURCE_EXHAUSTED ...), as in the C++ client
 * (clients/feed_resume.h).
 * @param {number} code
 * @returns {boolean}
 */
function isResumable(code) {
  return code === grpc.status.UNAVAILABLE || code === grpc.status.CANCELLED ||
    code === grpc.status.OK;
}

/**
 * The position a SubscribeResponse covers: an event its own, a batch its last event's,
 * a checkpoint, caught_up or fell_behind the one it carries; null for none.
 * @param {object} message a SubscribeResponse
 * @returns {string|null}
 */
function coveredPosition(message) {
  switch (message.kind) {
    case 'event':
      return message.event.envelope.position;
    case 'events': {
      const events = message.events.events;
      return events.length === 0 ? null : events[events.length - 1].envelope.position;
    }
    case 'checkpoint':
    case 'caught_up':
    case 'fell_behind':
      return message[message.kind].position;
    default:
      return null;
  }
}

/**
 * The events a SubscribeResponse carries (none for the markers).
 * @param {object} message
 * @returns {object[]}
 */
function eventsOf(message) {
  if (message.kind === 'event') return [message.event];
  if (message.kind === 'events') return message.events.events;
  return [];
}

/**
 * A SubscribeRequest from the wrapper's options.
 * @param {object} [options]
 * @param {'beginning'|'now'|number|string|bigint} [options.from='beginning'] where to
 *   start: the first position, the head at subscription time, or a position (inclusive)
 * @param {number|string|bigint} [options.after] resume after this covered position
 *   (instead of `from`)
 * @param {object} [options.filter] EventFilter: sectors, instrument_kinds, event_types,
 *   agreement_ids, party_ids
 * @param {number} [options.checkpointEveryEvents]
 * @param {number} [options.checkpointIntervalMs]
 * @param {number} [options.maxEventsPerMessage] > 1: events arrive in batches
 * @returns {object}
 */
function subscribeRequest(options = {}) {
  const { from, after, filter } = options;
  if (from !== undefined && after !== undefined) {
    throw new TypeError('follow: give `from` or `after`, not both');
  }
  const request = {
    filter: filter || {},
    checkpoint_every_events: options.checkpointEveryEvents || 0,
    checkpoint_interval_ms: options.checkpointIntervalMs || 0,
    max_events_per_message: options.maxEventsPerMessage || 0,
  };
  if (after !== undefined) {
    request.from_position = nextPosition(after);
  } else if (from === undefined || from === 'beginning') {
    request.from_beginning = true;
  } else if (from === 'now') {
    request.from_now = true;
  } else {
    request.from_position = toUint64(from, 'from');
  }
  return request;
}

/**
 * The resume point of one Subscribe stream (clients/feed_resume.h, SubscribeResume):
 * observe what was delivered, in order; resumeRequest() then delivers exactly the rest.
 */
class SubscribeResume {
  /** @param {object} request the original SubscribeRequest */
  constructor(request) {
    this._request = request;
    /** @type {string|null} */
    this._last = null;
  }

  /** @param {object} message a SubscribeResponse delivered in full */
  observe(message) {
    const position = coveredPosition(message);
    if (position !== null) this._last = position;
  }

  /** @param {string} position a position delivered (one event of a batch) */
  observePosition(position) {
    this._last = position;
  }

  /**
   * The last position covered, or null before any (and for a from_now stream until the
   * server names one).
   * @returns {string|null}
   */
  get lastPosition() {
    return this._last;
  }

  /**
   * from_position = lastPosition + 1 with the original filter and settings; the original
   * request while nothing with a position was delivered.
   * @returns {object}
   */
  resumeRequest() {
    if (this._last === null) return { ...this._request };
    const { from_beginning, from_now, from_position, ...rest } = this._request;
    return { ...rest, from_position: nextPosition(this._last) };
  }
}

/**
 * Bounded exponential backoff with jitter (clients/feed_resume.h, Backoff).
 */
class Backoff {
  /**
   * @param {number} initialMs > 0
   * @param {number} maxMs >= initialMs
   * @param {number} jitter in [0, 1)
   */
  constructor(initialMs, maxMs, jitter) {
    if (!(initialMs > 0 && maxMs >= initialMs && jitter >= 0 && jitter < 1)) {
      throw new TypeError('backoff: needs 0 < initialBackoffMs <= maxBackoffMs and 0 <= jitter < 1');
    }
    this._initial = initialMs;
    this._max = maxMs;
    this._jitter = jitter;
    this._current = initialMs;
  }

  /** @returns {number} the pause to take now, in ms; the next one doubles */
  next() {
    const factor = 1 - this._jitter + 2 * this._jitter * Math.random();
    const pause = Math.min(this._max, this._current * factor);
    this._current = Math.min(this._max, this._current * 2);
    return pause;
  }

  reset() {
    this._current = this._initial;
  }
}

/**
 * @typedef {object} ResumeOptions
 * @property {number} [initialBackoffMs=100] pause before the first reopening
 * @property {number} [maxBackoffMs=5000] the pause doubles up to this
 * @property {number} [backoffJitter=0.2] each pause times a random factor in [1-j, 1+j]
 * @property {(ended: Error, resumeAfter: string|null, pauseMs: number) => void} [onResume]
 *   called before each pause with why the stream ended and where it resumes
 */

/**
 * A Subscribe stream followed across disconnects. Iterate it (`for await (const message
 * of subscription)`) for every SubscribeResponse, or `events()` for the events alone
 * (batches unpacked). Not for two loops at once.
 */
class FeedSubscription {
  /**
   * @param {(request: object) => grpc.ClientReadableStream<object>} open opens one stream
   * @param {object} request the SubscribeRequest
   * @param {ResumeOptions} [options]
   */
  constructor(open, request, options = {}) {
    this._open = open;
    this._resume = new SubscribeResume(request);
    this._backoff = new Backoff(
      options.initialBackoffMs ?? 100,
      options.maxBackoffMs ?? 5000,
      options.backoffJitter ?? 0.2,
    );
    this._onResume = options.onResume;
    this._stopped = false;
    this._call = null;
    this._pause = null;
  }

  /** @returns {string|null} the last position delivered (see SubscribeResume) */
  get lastPosition() {
    return this._resume.lastPosition;
  }

  /** @returns {object} the SubscribeRequest that continues after lastPosition */
  resumeRequest() {
    return this._resume.resumeRequest();
  }

  /** @returns {boolean} */
  get stopped() {
    return this._stopped;
  }

  /**
   * Ends the subscription for good: the open stream is cancelled, a pause is cut short,
   * and the loop reading it ends without an error.
   */
  stop() {
    this._stopped = true;
    if (this._call !== null) this._call.cancel();
    if (this._pause !== null) this._pause.abort();
  }

  [Symbol.asyncIterator]() {
    return this.messages();
  }

  /** @returns {AsyncGenerator<object>} every SubscribeResponse (events and markers) */
  messages() {
    return this._run(false);
  }

  /** @returns {AsyncGenerator<object>} every matching Event, batches unpacked */
  events() {
    return this._run(true);
  }

  /**
   * Opens streams until stopped, delivering what they send. Leaving the consumer's loop
   * returns this generator (and cancels the stream) wherever it is.
   * @param {boolean} eventsOnly
   */
  async *_run(eventsOnly) {
    while (!this._stopped) {
      const ended = yield* this._stream(eventsOnly);
      if (this._stopped) return;
      if (!isResumable(ended.code)) throw toRegistryError(ended, SUBSCRIBE_METHOD);
      await this._pauseBeforeResume(ended);
    }
  }

  /**
   * One stream: delivers its messages and returns what it ended with (an end without an
   * error as status OK).
   * @param {boolean} eventsOnly
   */
  async *_stream(eventsOnly) {
    const call = this._open(this._resume.resumeRequest());
    // The iterator below reports the error; this listener keeps one that arrives after
    // the consumer left from being an unhandled 'error' event.
    call.on('error', () => {});
    this._call = call;
    try {
      for await (const message of call) {
        this._backoff.reset();
        yield* this._deliver(message, eventsOnly);
      }
      return { code: grpc.status.OK, details: 'the feed stream ended', metadata: undefined };
    } catch (err) {
      return err;
    } finally {
      this._call = null;
      call.cancel();
    }
  }

  /**
   * What one message gives the consumer, recorded as delivered just before.
   * @param {object} message
   * @param {boolean} eventsOnly
   */
  *_deliver(message, eventsOnly) {
    if (!eventsOnly) {
      this._resume.observe(message);
      yield message;
      return;
    }
    for (const event of eventsOf(message)) {
      this._resume.observePosition(event.envelope.position);
      yield event;
    }
    this._resume.observe(message);
  }

  /**
   * Waits the backoff's pause (cut short by stop()).
   * @param {Error} ended why the stream ended
   */
  async _pauseBeforeResume(ended) {
    const pause = this._backoff.next();
    if (typeof this._onResume === 'function') {
      this._onResume(toRegistryError(ended, SUBSCRIBE_METHOD), this.lastPosition, pause);
    }
    this._pause = new AbortController();
    try {
      await sleep(pause, undefined, { signal: this._pause.signal });
    } catch (err) {
      if (err.name !== 'AbortError') throw err;
    } finally {
      this._pause = null;
    }
  }
}

module.exports = {
  Backoff,
  FeedSubscription,
  SubscribeResume,
  coveredPosition,
  eventsOf,
  isResumable,
  subscribeRequest,
};
