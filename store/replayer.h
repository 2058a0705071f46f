// Replayer: runs appliers over the log from position 1, from nothing (the rebuild, the
// online rebuild of one family, verify's tree): it folds every stream's state in memory
// and collects what the appliers write in a CollectingSink. The record stage is applied
// to every event, the view stage up to a position (the views' applied position, when
// the result is compared with stored views).
#ifndef AGREEMENTS_STORE_REPLAYER_H_
#define AGREEMENTS_STORE_REPLAYER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "store/applier.h"
#include "store/rebuild.h"
#include "store/rebuild_output.h"
#include "store/store.h"

namespace agreements::store {

class Replayer {
 public:
  Replayer(std::vector<std::unique_ptr<Applier>> appliers, uint64_t views_until)
      : appliers_(std::move(appliers)), views_until_(views_until) {}

  // Applies the event at `position`, which must follow report.head; counts it in
  // `report` (events, head).
  absl::Status Add(uint64_t position, absl::string_view bytes, RebuildReport& report);
  // The `until` that reads the log to its end.
  static constexpr uint64_t kToEnd = ~uint64_t{0};
  // Reads the log after report.head up to `until` (inclusive) from `snapshot`
  // (nullptr: the latest), calling `progress` every 65,536 positions.
  absl::Status ReplayLog(const Store* store, const rocksdb::Snapshot* snapshot,
                         uint64_t until, RebuildReport& report,
                         const RebuildProgress& progress, uint64_t progress_head);
  // The view stage goes on up to `position`.
  void ViewsUntil(uint64_t position) { views_until_ = position; }
  // Lets the appliers write what they kept.
  absl::Status Finish();

  // The families the appliers write.
  std::vector<Family> families() const;
  CollectingSink& sink() { return sink_; }

 private:
  template <typename State>
  static absl::Status Next(
      std::unordered_map<std::string, std::shared_ptr<const State>>& states,
      const agreements::v1::Event& event, std::shared_ptr<const State>& before,
      std::shared_ptr<const State>& after,
      void (*evolve)(State&, const agreements::v1::Event&));
  absl::Status Fold(const agreements::v1::Event& event, Change& change);

  std::vector<std::unique_ptr<Applier>> appliers_;
  uint64_t views_until_;
  CollectingSink sink_;
  std::unordered_map<std::string, std::shared_ptr<const agreements::v1::Agreement>>
      agreements_;
  std::unordered_map<std::string, std::shared_ptr<const agreements::v1::Party>> parties_;
};

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_REPLAYER_H_
