// SectorWatch: the engine of a live sector view (FeedService.WatchSector). First the
// current state of every matching agreement from one snapshot, then, through a
// FeedCursor filtered on the sector, each change as the agreement's state after that
// event (or its removal from the view), with the cursor's checkpoints and markers.
//
// The state after an event is recomputed by replaying the agreement's stream up to the
// event's revision, so a subscriber holds no per-agreement state: memory stays bounded
// by one step. Not thread-safe (one thread at a time); does not own the store or hub.
#ifndef AGREEMENTS_STORE_SECTOR_WATCH_H_
#define AGREEMENTS_STORE_SECTOR_WATCH_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "agreements/v1/feed_service.pb.h"
#include "store/feed_cursor.h"
#include "store/view_reader.h"

namespace agreements::store {

class SectorWatch {
 public:
  // Validates the request (INVALID_ARGUMENT naming the field).
  static absl::StatusOr<std::unique_ptr<SectorWatch>> Create(
      const Store* store, const FeedHub* hub,
      const agreements::v1::WatchSectorRequest& request, absl::Time now);

  struct Step {
    std::vector<agreements::v1::WatchSectorResponse> messages;
    bool at_head = false;
  };
  absl::StatusOr<Step> Next(absl::Time now);

 private:
  SectorWatch(const Store* store, const agreements::v1::WatchSectorRequest& request);
  bool InView(const agreements::v1::Agreement& agreement) const;
  absl::Status Translate(const agreements::v1::Event& event,
                         std::vector<agreements::v1::WatchSectorResponse>& out) const;

  const Store* const store_;
  const std::string sector_;
  absl::flat_hash_set<int> statuses_;
  absl::flat_hash_set<int> kinds_;
  // The snapshot phase: the reader and where its listing continues.
  std::unique_ptr<ViewReader> snapshot_;
  std::string snapshot_after_;
  std::unique_ptr<FeedCursor> cursor_;
};

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_SECTOR_WATCH_H_
