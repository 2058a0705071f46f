// The bookkeeping that makes a change feed resumable (docs/feeds.md), without any
// transport: which position a stream has covered, the request that continues it, and the
// pause before the next attempt. FeedSubscription and SectorWatcher (feed_client.h) use
// these; a client that drives the streams itself (async API, another thread model) can
// use them directly.
#ifndef AGREEMENTS_CLIENTS_FEED_RESUME_H_
#define AGREEMENTS_CLIENTS_FEED_RESUME_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "agreements/v1/feed_service.pb.h"

namespace agreements::client {

namespace v1 = ::agreements::v1;

// Whether a feed stream that ended with `status` should be reopened: UNAVAILABLE (server
// down, restarting or shutting down), CANCELLED (the connection broke; a cancellation
// asked for by the caller is recognized before this is consulted), and OK (a feed never
// ends by itself, so an end without an error is a broken connection too). Everything
// else (INVALID_ARGUMENT, RESOURCE_EXHAUSTED, DATA_LOSS, ...) is an answer, not a
// disconnect.
bool IsResumable(const absl::Status& status);

// The resume point of one Subscribe stream. Observe every message received, in order;
// ResumeRequest() is then the request that delivers exactly the rest: every event after
// the last position covered (an event's position, or a checkpoint, caught-up or
// fell-behind position), with the same filter and checkpoint settings. A value type; not
// thread-safe.
class SubscribeResume {
 public:
  explicit SubscribeResume(v1::SubscribeRequest request);

  void Observe(const v1::SubscribeResponse& message);

  // False only for a from_now request (or an invalid from_position 0) before its first
  // message: "now" is not a position until the server names one.
  bool has_position() const { return last_.has_value(); }
  // The last position covered; 0 when none (has_position() false, or nothing yet from
  // the beginning).
  uint64_t last_position() const { return last_.value_or(0); }

  // from_position = last_position() + 1 and the original filter and checkpoint fields;
  // the original request until a message with a position was observed.
  v1::SubscribeRequest ResumeRequest() const;

 private:
  v1::SubscribeRequest request_;
  std::optional<uint64_t> last_;
  bool observed_ = false;
};

// The resume point of one WatchSector stream. Positions come from non-snapshot updates,
// removals, checkpoints and caught-up/fell-behind markers. A snapshot cannot be resumed
// part way (its rows all carry the snapshot position and the protocol has no page
// cursor), so until the first message after the snapshot the resume request is the
// original one and the snapshot starts over. A value type; not thread-safe.
class SectorResume {
 public:
  explicit SectorResume(v1::WatchSectorRequest request);

  void Observe(const v1::WatchSectorResponse& message);

  // True once a message after the snapshot arrived, or from the start when the request
  // asked for no snapshot (resume_after > 0).
  bool past_snapshot() const { return last_ > 0; }
  // The last position covered; 0 while the snapshot is incomplete.
  uint64_t last_position() const { return last_; }

  // resume_after = last_position() (no snapshot) with the original sector, filters and
  // checkpoint fields; the original request while past_snapshot() is false.
  v1::WatchSectorRequest ResumeRequest() const;

 private:
  v1::WatchSectorRequest request_;
  uint64_t last_ = 0;
};

// Bounded exponential backoff with jitter: `initial`, then doubling up to `max`, each
// pause multiplied by a random factor in [1 - jitter, 1 + jitter] (and still at most
// `max`). Reset() after a success. A value type; not thread-safe.
class Backoff {
 public:
  // Requires 0 < initial <= max and 0 <= jitter < 1 (checked by the callers' options).
  Backoff(absl::Duration initial, absl::Duration max, double jitter);

  // The pause to take now; the next one is twice as long (before jitter), up to max.
  absl::Duration Next();
  void Reset() { current_ = initial_; }

 private:
  absl::Duration initial_;
  absl::Duration max_;
  double jitter_;
  absl::Duration current_;
};

}  // namespace agreements::client

#endif  // AGREEMENTS_CLIENTS_FEED_RESUME_H_
