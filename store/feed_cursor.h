// FeedCursor: the transport-independent engine of one subscription. It walks positions
// in order from its start, reading from the FeedHub's window when it can and from the
// log when it fell behind, filters, and produces the messages of the stream: events,
// checkpoints, caught-up and fell-behind markers (docs/feeds.md).
//
// Memory is bounded: one step holds at most `max_scan` items, `max_messages` messages
// and about `max_step_bytes` of events.
// Not thread-safe: one cursor is driven by one thread at a time. Does not own the store
// or the hub.
#ifndef AGREEMENTS_STORE_FEED_CURSOR_H_
#define AGREEMENTS_STORE_FEED_CURSOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agreements/v1/feed_service.pb.h"
#include "store/feed_hub.h"
#include "store/store.h"

namespace agreements::store {

// Limits of a filter (INVALID_ARGUMENT beyond them).
inline constexpr size_t kMaxFilterValuesPerKind = 100;
inline constexpr size_t kMaxFilterValues = 200;

// A compiled agreements.v1.EventFilter.
class FeedFilter {
 public:
  // Validates (field names in errors start with `path`, e.g. "filter.sectors[2]").
  static absl::StatusOr<FeedFilter> Compile(const agreements::v1::EventFilter& filter,
                                            absl::string_view path);
  bool Matches(const FeedItem& item) const;
  bool empty() const;

 private:
  absl::flat_hash_set<std::string> sectors_, event_types_, agreement_ids_, party_ids_;
  absl::flat_hash_set<int> kinds_;
};

struct FeedCursorOptions {
  // A checkpoint after this many scanned events without a message.
  // Default: 1000.
  uint64_t checkpoint_every_events = 1000;
  // A checkpoint at least this often while the scanned position advances.
  // Default: 5 s.
  absl::Duration checkpoint_interval = absl::Seconds(5);
  // Most events examined in one step.
  // Default: 1024.
  size_t max_scan = 1024;
  // Most messages produced in one step.
  // Default: 256.
  size_t max_messages = 256;
  // Most event bytes read or produced in one step (at least one event always).
  // Default: 4 MiB.
  size_t max_step_bytes = 4 << 20;
  // Put each event's stored bytes into the message as they are, without parsing them:
  // the message then holds field 1 (`event`) as an unknown field, which serializes to
  // exactly the bytes of a message with `event` set (one copy, no parse, no
  // re-serialization per subscriber). For messages that are only sent; a reader of
  // `message.event()` on the server needs the default.
  // Default: false.
  bool raw_events = false;
};

// Checks and converts the checkpoint fields of a request (0 means the default).
absl::Status CheckpointOptions(uint32_t every_events, uint32_t interval_ms,
                               FeedCursorOptions& options);

class FeedCursor {
 public:
  // `start` is the first position to examine (>= 1).
  FeedCursor(const Store* store, const FeedHub* hub, FeedFilter filter, uint64_t start,
             FeedCursorOptions options, absl::Time now);

  struct Step {
    std::vector<agreements::v1::SubscribeResponse> messages;
    // True when the cursor is at the head: call again when the head advances or the
    // checkpoint interval passes.
    bool at_head = false;
  };
  // Examines the next positions. Blocking: may read the log.
  absl::StatusOr<Step> Next(absl::Time now);

  // The next position to examine.
  uint64_t next_position() const { return next_; }
  // Whether the cursor has delivered everything up to the head and is live.
  bool live() const { return live_; }

 private:
  void Emit(Step& step, agreements::v1::SubscribeResponse message, uint64_t covered,
            absl::Time now);
  void MaybeTimedCheckpoint(Step& step, absl::Time now);

  const Store* const store_;
  const FeedHub* const hub_;
  const FeedFilter filter_;
  const FeedCursorOptions options_;
  uint64_t next_;
  bool live_ = false;
  // The last position a message covered (an event, a checkpoint or a marker).
  uint64_t reported_;
  uint64_t scanned_since_message_ = 0;
  absl::Time last_message_time_;
};

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_FEED_CURSOR_H_
