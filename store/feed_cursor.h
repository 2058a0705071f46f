// FeedCursor: the transport-independent engine of one subscription. It walks positions
// in order from its start, reading from the FeedHub's window when it can and from the
// log when it fell behind, filters, and produces the messages of the stream: events,
// checkpoints, caught-up and fell-behind markers (docs/feeds.md).
//
// Memory is bounded: one step holds at most `max_scan` items, `max_messages` messages
// and about `max_step_bytes` of events. A page read from the log (at most `max_scan`
// items and about `max_step_bytes`) is kept until it is consumed, so a step that stops
// at `max_messages` does not make the next one read the same events again.
// Not thread-safe: one cursor is driven by one thread at a time. Does not own the store
// or the hub.
#ifndef AGREEMENTS_STORE_FEED_CURSOR_H_
#define AGREEMENTS_STORE_FEED_CURSOR_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agreements/v1/feed_service.pb.h"
#include "domain/confidentiality.h"
#include "store/feed_hub.h"
#include "store/store.h"

namespace agreements::store {

// Limits of a filter (INVALID_ARGUMENT beyond them).
inline constexpr size_t kMaxFilterValuesPerKind = 100;
inline constexpr size_t kMaxFilterValues = 200;
// Most events in one batch (SubscribeResponse.events) that a request may ask for.
inline constexpr size_t kMaxEventsPerMessage = 1000;

// A compiled agreements.v1.EventFilter.
class FeedFilter {
 public:
  // Validates (field names in errors start with `path`, e.g. "filter.sectors[2]").
  static absl::StatusOr<FeedFilter> Compile(const agreements::v1::EventFilter& filter,
                                            absl::string_view path);
  // Hides the events of non-public agreements that `clearance` does not see (by the
  // event's level and sectors in its tags).
  void Restrict(domain::Clearance clearance) { clearance_ = std::move(clearance); }
  bool Matches(const FeedItem& item) const;
  bool empty() const;
  // The parts of an item that Matches reads (an empty filter reads none).
  FeedItemParts parts() const;

 private:
  absl::flat_hash_set<std::string> sectors_, event_types_, agreement_ids_, party_ids_;
  absl::flat_hash_set<int> kinds_;
  domain::Clearance clearance_ = domain::Clearance::All();
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
  // Matching events per message: 1 sends each as `event`; more sends all of them in
  // `events` batches of up to this many events and about `max_batch_bytes`. A batch is
  // sent with the step that starts it: it never waits for events to fill it.
  // Default: 1.
  size_t max_events_per_message = 1;
  // Most event bytes in a batch (an event larger than this goes alone).
  // Default: 1 MiB.
  size_t max_batch_bytes = 1 << 20;
};

// Checks and converts the checkpoint fields of a request (0 means the default).
absl::Status CheckpointOptions(uint32_t every_events, uint32_t interval_ms,
                               FeedCursorOptions& options);
// Checks and converts SubscribeRequest.max_events_per_message (0 means 1).
absl::Status BatchOptions(uint32_t max_events_per_message, FeedCursorOptions& options);

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
  // Records that a message (new or extended) covers `covered`.
  void Covered(uint64_t covered, absl::Time now);
  // Sends `item` as its own message, or adds it to the step's open batch.
  absl::Status EmitEvent(Step& step, const FeedItem& item, std::string* owned_bytes,
                         absl::Time now);
  void MaybeTimedCheckpoint(Step& step, absl::Time now);
  // Examines `item` (the next position). `owned_bytes`, if not null, are the item's
  // bytes, which the message may take. Returns whether the step is full.
  absl::StatusOr<bool> Examine(Step& step, const FeedItem& item, std::string* owned_bytes,
                               size_t& step_bytes, absl::Time now);

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
  // The unexamined rest of the last page read from the log: page_[page_next_] is at
  // next_. Stored events never change, so the page stays valid however long it waits.
  std::vector<FeedItem> page_;
  size_t page_next_ = 0;
  // The batch being filled: the last message of the current step while events > 0.
  size_t batch_events_ = 0;
  size_t batch_bytes_ = 0;
};

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_FEED_CURSOR_H_
