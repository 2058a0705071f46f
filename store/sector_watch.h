// SectorWatch: the engine of a live sector view (FeedService.WatchSector). First the
// current state of every matching agreement from one snapshot, then, through a
// FeedCursor filtered on the sector, each change as the agreement's state after that
// event (or its removal from the view), with the cursor's checkpoints and markers.
//
// The state after an event comes from a small per-watch cache of recent agreement states
// (evolved forward by the event) or, on a miss, from replaying the agreement's stream up
// to the event's revision; memory is bounded by the cache (kStateCacheSize states) and
// one step. Changes the view filter drops still advance checkpoints, so a subscriber's
// resume position moves on. The snapshot is taken once the views reflect the log's head
// as it was when the watch was created (like a read, docs/consistency.md): the first
// step waits for the projection, at most kViewsWait (UNAVAILABLE naming the lag after
// it). The snapshot phase holds a RocksDB snapshot; it must finish
// within kSnapshotTimeLimit (ABORTED otherwise), so a stalled client cannot pin old data.
// Not thread-safe (one thread at a time); does not own the store or hub.
#ifndef AGREEMENTS_STORE_SECTOR_WATCH_H_
#define AGREEMENTS_STORE_SECTOR_WATCH_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "agreements/v1/feed_service.pb.h"
#include "store/feed_cursor.h"
#include "store/projection.h"
#include "store/view_reader.h"

namespace agreements::store {

class SectorWatch {
 public:
  static constexpr size_t kStateCacheSize = 1024;
  static constexpr absl::Duration kSnapshotTimeLimit = absl::Minutes(2);
  static constexpr absl::Duration kViewsWait = absl::Seconds(10);

  // Validates the request (INVALID_ARGUMENT naming the field). Non-public agreements
  // are in the view only when `clearance` sees non-public agreements of the sector.
  // `projection` (may be null: the views are taken as they are) tells when the views
  // reach the hub's head; it must outlive the watch.
  static absl::StatusOr<std::unique_ptr<SectorWatch>> Create(
      const Store* store, const FeedHub* hub,
      const agreements::v1::WatchSectorRequest& request, absl::Time now,
      domain::Clearance clearance = domain::Clearance::All(),
      const Projection* projection = nullptr);

  struct Step {
    std::vector<agreements::v1::WatchSectorResponse> messages;
    bool at_head = false;
  };
  absl::StatusOr<Step> Next(absl::Time now);

  // The next log position the watch examines (0 while it still lists its snapshot).
  uint64_t next_position() const {
    return cursor_ == nullptr ? 0 : cursor_->next_position();
  }

 private:
  SectorWatch(const Store* store, const agreements::v1::WatchSectorRequest& request,
              domain::Clearance clearance);
  bool InView(const agreements::v1::Agreement& agreement) const;
  // Opens the snapshot and the cursor after it, once the views reach the target.
  absl::Status OpenSnapshot(absl::Time now);
  // Appends the update or removal for one event (or nothing); true if it appended.
  absl::StatusOr<bool> Translate(const agreements::v1::Event& event,
                                 std::vector<agreements::v1::WatchSectorResponse>& out);
  // The agreement's state just before `event` (empty before its first event).
  absl::StatusOr<agreements::v1::Agreement> StateBefore(
      const agreements::v1::Event& event);

  const Store* const store_;
  const std::string sector_;
  const domain::Clearance clearance_;
  absl::flat_hash_set<int> statuses_;
  absl::flat_hash_set<int> kinds_;
  // Before the snapshot phase: the position the views must reach first, the cursor's
  // filter until the cursor exists, and what tells the views' position.
  const FeedHub* hub_ = nullptr;
  const Projection* projection_ = nullptr;
  uint64_t snapshot_target_ = 0;
  bool snapshot_pending_ = false;
  std::unique_ptr<FeedFilter> filter_;
  // The snapshot phase: the reader and where its listing continues.
  std::unique_ptr<ViewReader> snapshot_;
  std::string snapshot_after_;
  absl::Time snapshot_deadline_;
  std::unique_ptr<FeedCursor> cursor_;
  FeedCursorOptions options_;
  // Agreement id -> its latest state seen by this watch.
  absl::flat_hash_map<std::string, agreements::v1::Agreement> states_;
  // Changes examined (and dropped by the view filter) since the last message.
  uint64_t dropped_since_message_ = 0;
  absl::Time last_message_time_;
};

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_SECTOR_WATCH_H_
