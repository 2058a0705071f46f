// The registered appliers (store/applier.h): one factory per derived family, listed
// once in registry.cc. Adding a view is one file here and one line there.
#ifndef AGREEMENTS_STORE_APPLIERS_APPLIERS_H_
#define AGREEMENTS_STORE_APPLIERS_APPLIERS_H_

#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "store/applier.h"

namespace agreements::store::appliers {

// Record stage (written with the events).
absl::StatusOr<std::unique_ptr<Applier>> NewStreamIndex(const ApplierContext& context);
absl::StatusOr<std::unique_ptr<Applier>> NewEventTags(const ApplierContext& context);
// View stage (written by the projection pipeline).
absl::StatusOr<std::unique_ptr<Applier>> NewAgreementView(const ApplierContext& context);
absl::StatusOr<std::unique_ptr<Applier>> NewPartyView(const ApplierContext& context);
absl::StatusOr<std::unique_ptr<Applier>> NewSectorCounters(const ApplierContext& context);
absl::StatusOr<std::unique_ptr<Applier>> NewStatistics(const ApplierContext& context);
absl::StatusOr<std::unique_ptr<Applier>> NewLogTree(const ApplierContext& context);
absl::StatusOr<std::unique_ptr<Applier>> NewStreamMap(const ApplierContext& context);

// Sorts and removes duplicates.
std::vector<std::string> SortedUnique(std::vector<std::string> keys);
// Deletes the keys only in `before` and puts (with an empty value) those only in
// `after`; both sorted and unique.
void WriteIndexDiff(Family family, const std::vector<std::string>& before,
                    const std::vector<std::string>& after, ViewSink& sink);

// The first state before and the last state after of each stream a batch changed, so
// that a view is written once per batch however many of its events the batch holds.
template <typename State>
class Coalesced {
 public:
  struct Span {
    std::shared_ptr<const State> before;
    std::shared_ptr<const State> after;
  };
  void Add(const std::string& id, std::shared_ptr<const State> before,
           std::shared_ptr<const State> after) {
    auto [it, inserted] = spans_.try_emplace(id);
    if (inserted) it->second.before = std::move(before);
    it->second.after = std::move(after);
  }
  const std::unordered_map<std::string, Span>& spans() const { return spans_; }
  void Clear() { spans_.clear(); }

 private:
  std::unordered_map<std::string, Span> spans_;
};

}  // namespace agreements::store::appliers

#endif  // AGREEMENTS_STORE_APPLIERS_APPLIERS_H_
