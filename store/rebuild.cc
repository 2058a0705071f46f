#include "store/rebuild.h"

#include <atomic>
#include <limits>
#include <memory>
#include <thread>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "rocksdb/write_batch.h"
#include "store/applier.h"
#include "store/family_build.h"
#include "store/keys.h"
#include "store/rebuild_output.h"
#include "store/replayer.h"

namespace agreements::store {
namespace {

// Compares every family the appliers wrote with the stored one, two families at a time
// (each walk is independent: its own sorted output, iterator and repair batches), and
// adds the differences to `report` in family order.
absl::Status CompareFamilies(Store* store, const rocksdb::Snapshot* snapshot,
                             Replayer& replayer, bool repair, RebuildReport& report) {
  const std::vector<Family> families = replayer.families();
  std::vector<RebuildReport> parts(families.size());
  std::vector<absl::Status> statuses(families.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < families.size(); i = next++) {
      RepairWriter fixes(store);
      FamilyComparer comparer(store, snapshot, store->handle(families[i]), repair, fixes,
                              parts[i]);
      replayer.sink().Drain(families[i],
                            [&comparer](absl::string_view key, absl::string_view value) {
                              comparer.Add(key, value);
                            });
      statuses[i] = comparer.Finish();
      bool wrote = false;
      if (statuses[i].ok() && repair) statuses[i] = fixes.Finish(wrote);
      parts[i].repaired = wrote;
    }
  };
  std::thread helper(work);
  work();
  helper.join();
  for (size_t i = 0; i < families.size(); ++i) {
    RETURN_IF_ERROR(statuses[i]);
    report.keys_compared += parts[i].keys_compared;
    report.difference_count += parts[i].difference_count;
    report.repaired = report.repaired || parts[i].repaired;
    for (auto& difference : parts[i].differences) {
      if (report.differences.size() < kMaxListedDifferences) {
        report.differences.push_back(std::move(difference));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RebuildReport> RebuildViews(Store* store, bool repair,
                                           const RebuildProgress& progress) {
  ScopedSnapshot snapshot(store->db());
  RebuildReport report;
  ASSIGN_OR_RETURN(const uint64_t stored_head, store->ReadHead(snapshot.get()));
  ASSIGN_OR_RETURN(report.applied, store->ReadApplied(snapshot.get()));
  ASSIGN_OR_RETURN(auto appliers, MakeAppliers(ApplierContext()));
  Replayer replayer(std::move(appliers), report.applied);
  // One tag and one stream index entry per event, about two tree nodes.
  replayer.sink().Reserve(Family::kEventTags, stored_head);
  replayer.sink().Reserve(Family::kStreams, stored_head);
  replayer.sink().Reserve(Family::kMerkle, 2 * report.applied);
  const absl::Time start = absl::Now();
  RETURN_IF_ERROR(replayer.ReplayLog(store, snapshot.get(), Replayer::kToEnd, report,
                                     progress, stored_head));
  RETURN_IF_ERROR(replayer.Finish());
  const absl::Time replayed = absl::Now();
  report.replay_seconds = absl::ToDoubleSeconds(replayed - start);

  RETURN_IF_ERROR(CompareFamilies(store, snapshot.get(), replayer, repair, report));
  report.output_seconds = absl::ToDoubleSeconds(absl::Now() - replayed);
  RepairWriter fixes(store);
  if (stored_head != report.head) {
    ++report.difference_count;
    report.differences.push_back(absl::StrCat("meta/head: stored ", stored_head,
                                              ", the log ends at ", report.head));
    if (repair) fixes.Put(store->meta(), kMetaHead, EncodeU64(report.head));
  }
  if (report.applied > report.head) {
    ++report.difference_count;
    report.differences.push_back(absl::StrCat("meta/applied: stored ", report.applied,
                                              ", the log ends at ", report.head));
  }
  if (repair) {
    bool wrote = false;
    RETURN_IF_ERROR(fixes.Finish(wrote));
    report.repaired = report.repaired || wrote;
  }
  return report;
}

absl::StatusOr<RebuildReport> ReplaceViews(Store* store,
                                           const RebuildProgress& progress) {
  RebuildReport report;
  ASSIGN_OR_RETURN(const uint64_t stored_head, store->ReadHead());
  ASSIGN_OR_RETURN(auto appliers, MakeAppliers(ApplierContext()));
  // Every stage up to the head: the replaced views reflect the whole log.
  Replayer replayer(std::move(appliers), std::numeric_limits<uint64_t>::max());
  replayer.sink().Reserve(Family::kEventTags, stored_head);
  replayer.sink().Reserve(Family::kStreams, stored_head);
  replayer.sink().Reserve(Family::kMerkle, 2 * stored_head);
  const absl::Time start = absl::Now();
  RETURN_IF_ERROR(replayer.ReplayLog(store, nullptr, Replayer::kToEnd, report, progress,
                                     stored_head));
  RETURN_IF_ERROR(replayer.Finish());
  const absl::Time replayed = absl::Now();
  report.replay_seconds = absl::ToDoubleSeconds(replayed - start);
  ASSIGN_OR_RETURN(std::vector<BuiltFamily> built,
                   BuildBeside(store, replayer.sink(), replayer.families()));
  rocksdb::WriteBatch positions;
  positions.Put(store->meta(), kMetaHead, EncodeU64(report.head));
  positions.Put(store->meta(), kMetaApplied, EncodeU64(report.head));
  RETURN_IF_ERROR(store->Swap(SwapList(built), &positions));
  report.applied = report.head;
  for (const BuiltFamily& family : built) report.keys_written += family.keys;
  report.families_replaced = built.size();
  report.repaired = true;
  report.output_seconds = absl::ToDoubleSeconds(absl::Now() - replayed);
  return report;
}

}  // namespace agreements::store
