#include "store/online_rebuild.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "store/applier.h"
#include "store/family_build.h"
#include "store/replayer.h"

namespace agreements::store {
namespace {

// The view-stage applier that writes the family named `name`.
absl::StatusOr<std::unique_ptr<Applier>> ViewApplierOf(const std::string& name) {
  ASSIGN_OR_RETURN(auto appliers, MakeAppliers(ApplierContext(), ApplierStage::kView));
  std::vector<std::string> views;
  for (auto& applier : appliers) {
    for (Family family : applier->families()) {
      if (name == FamilyName(family)) return std::move(applier);
      views.push_back(FamilyName(family));
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "family: \"", name, "\" is not a view rebuilt online; the views are ",
      absl::StrJoin(views, ", "),
      " (the log, requests and checkpoints are not derived; streams and event_tags are "
      "written by the committer: rebuild them offline with agreements-admin rebuild "
      "--replace)"));
}

// Between two projection batches: replays what was applied since the first replay,
// builds the families beside the stored ones and swaps them in.
absl::Status FinishAndSwap(Store* store, Replayer& replayer, RebuildReport& replay,
                           uint64_t applied, FamilyRebuildReport& out) {
  const absl::Time start = absl::Now();
  replayer.ViewsUntil(applied);
  RETURN_IF_ERROR(replayer.ReplayLog(store, nullptr, applied, replay, nullptr, applied));
  RETURN_IF_ERROR(replayer.Finish());
  ASSIGN_OR_RETURN(std::vector<BuiltFamily> built,
                   BuildBeside(store, replayer.sink(), replayer.families()));
  const absl::Status swapped = store->Swap(SwapList(built));
  if (!swapped.ok()) {
    for (const BuiltFamily& family : built) store->DropBeside(family.handle);
    return swapped;
  }
  for (const BuiltFamily& family : built) {
    out.families.push_back(FamilyName(family.family));
    out.keys += family.keys;
  }
  out.position = applied;
  out.events = replay.events;
  out.held = absl::Now() - start;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<FamilyRebuildReport> RebuildFamilyOnline(Store* store,
                                                        Projection* projection,
                                                        const std::string& family,
                                                        const RebuildProgress& progress) {
  ASSIGN_OR_RETURN(std::unique_ptr<Applier> applier, ViewApplierOf(family));
  std::vector<std::unique_ptr<Applier>> appliers;
  appliers.push_back(std::move(applier));
  RebuildReport replay;
  // Without holding anything: up to the views' applied position now.
  ASSIGN_OR_RETURN(const uint64_t first_until, store->ReadApplied());
  Replayer replayer(std::move(appliers), first_until);
  RETURN_IF_ERROR(
      replayer.ReplayLog(store, nullptr, first_until, replay, progress, first_until));
  FamilyRebuildReport out;
  RETURN_IF_ERROR(projection->RunBetweenBatches([&](uint64_t applied) {
    return FinishAndSwap(store, replayer, replay, applied, out);
  }));
  return out;
}

}  // namespace agreements::store
