// The one list of appliers, and helpers they share. Order matters only for readability:
// each applier writes its own families.
#include <algorithm>

#include "common/status_macros.h"
#include "store/applier.h"
#include "store/appliers/appliers.h"
#include "store/store.h"

namespace agreements::store {
namespace {

constexpr ApplierFactory kRegistered[] = {
    &appliers::NewStreamIndex, &appliers::NewEventTags,      &appliers::NewAgreementView,
    &appliers::NewPartyView,   &appliers::NewSectorCounters, &appliers::NewLogTree,
    &appliers::NewStreamMap,   &appliers::NewStatistics,
};

}  // namespace

void BatchSink::Put(Family family, absl::string_view key, absl::string_view value) {
  batch_->Put(store_->handle(family), rocksdb::Slice(key.data(), key.size()),
              rocksdb::Slice(value.data(), value.size()));
}

void BatchSink::Delete(Family family, absl::string_view key) {
  batch_->Delete(store_->handle(family), rocksdb::Slice(key.data(), key.size()));
}

absl::StatusOr<std::vector<std::unique_ptr<Applier>>> MakeAppliers(
    const ApplierContext& context) {
  std::vector<std::unique_ptr<Applier>> appliers;
  for (ApplierFactory factory : kRegistered) {
    ASSIGN_OR_RETURN(std::unique_ptr<Applier> applier, factory(context));
    appliers.push_back(std::move(applier));
  }
  return appliers;
}

absl::StatusOr<std::vector<std::unique_ptr<Applier>>> MakeAppliers(
    const ApplierContext& context, ApplierStage stage) {
  ASSIGN_OR_RETURN(auto all, MakeAppliers(context));
  std::vector<std::unique_ptr<Applier>> of_stage;
  for (auto& applier : all) {
    if (applier->stage() == stage) of_stage.push_back(std::move(applier));
  }
  return of_stage;
}

std::vector<Family> FamiliesOf(ApplierStage stage) {
  // Appliers built from nothing read nothing: cheap, and they name their families.
  std::vector<Family> families;
  auto all = MakeAppliers(ApplierContext());
  if (!all.ok()) return families;
  for (const auto& applier : *all) {
    if (applier->stage() != stage) continue;
    for (Family family : applier->families()) families.push_back(family);
  }
  return families;
}

namespace appliers {

std::vector<std::string> SortedUnique(std::vector<std::string> keys) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

void WriteIndexDiff(Family family, const std::vector<std::string>& before,
                    const std::vector<std::string>& after, ViewSink& sink) {
  auto old_key = before.begin();
  auto new_key = after.begin();
  while (old_key != before.end() || new_key != after.end()) {
    if (new_key == after.end() || (old_key != before.end() && *old_key < *new_key)) {
      sink.Delete(family, *old_key++);
    } else if (old_key == before.end() || *new_key < *old_key) {
      sink.Put(family, *new_key++, "");
    } else {
      ++old_key;
      ++new_key;
    }
  }
}

}  // namespace appliers
}  // namespace agreements::store
