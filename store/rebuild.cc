#include "store/rebuild.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <unordered_map>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "domain/decider.h"
#include "rocksdb/write_batch.h"
#include "store/applier.h"
#include "store/keys.h"
#include "store/rebuild_output.h"

namespace agreements::store {
namespace {

namespace v1 = ::agreements::v1;

// Replays the log into the appliers: the record stage up to the head, the view stage up
// to the applied position. Checks that positions and revisions follow each other.
class Replayer {
 public:
  Replayer(std::vector<std::unique_ptr<Applier>> appliers, uint64_t applied)
      : appliers_(std::move(appliers)), applied_(applied) {}

  absl::Status Add(uint64_t position, absl::string_view bytes, RebuildReport& report) {
    if (position != report.head + 1) {
      return absl::DataLossError(absl::StrCat("the log has a gap: position ", position,
                                              " follows ", report.head));
    }
    auto event = std::make_shared<v1::Event>();
    if (!event->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return absl::DataLossError(
          absl::StrCat("event at position ", position, " cannot be parsed"));
    }
    const v1::EventEnvelope& envelope = event->envelope();
    if (envelope.position() != position) {
      return absl::DataLossError(absl::StrCat("event stored at position ", position,
                                              " names position ", envelope.position()));
    }
    Change change;
    change.event = event.get();
    change.bytes = bytes;
    change.leaf_hash = merkle::LeafHash(bytes);
    RETURN_IF_ERROR(Fold(*event, change));
    for (auto& applier : appliers_) {
      if (applier->stage() == ApplierStage::kView && position > applied_) continue;
      RETURN_IF_ERROR(applier->Apply(change, sink_));
    }
    report.head = position;
    ++report.events;
    return absl::OkStatus();
  }

  absl::Status Finish() {
    for (auto& applier : appliers_) RETURN_IF_ERROR(applier->Flush(sink_));
    return absl::OkStatus();
  }

  // The families the appliers wrote.
  std::vector<Family> families() const {
    std::vector<Family> families;
    for (const auto& applier : appliers_) {
      for (Family family : applier->families()) families.push_back(family);
    }
    return families;
  }
  CollectingSink& sink() { return sink_; }

 private:
  template <typename State>
  static absl::Status Next(
      std::unordered_map<std::string, std::shared_ptr<const State>>& states,
      const v1::Event& event, std::shared_ptr<const State>& before,
      std::shared_ptr<const State>& after, void (*evolve)(State&, const v1::Event&)) {
    const v1::EventEnvelope& envelope = event.envelope();
    std::shared_ptr<const State>& state = states[envelope.stream_id()];
    const uint64_t revision = state == nullptr ? 0 : state->revision();
    if (envelope.revision() != revision + 1) {
      return absl::DataLossError(absl::StrCat(
          "event at position ", envelope.position(), " is revision ", envelope.revision(),
          " of ", envelope.stream_id(), ", which is at revision ", revision,
          " (an event recorded twice or missing)"));
    }
    auto next =
        state == nullptr ? std::make_shared<State>() : std::make_shared<State>(*state);
    evolve(*next, event);
    before = state;
    after = next;
    state = std::move(next);
    return absl::OkStatus();
  }

  absl::Status Fold(const v1::Event& event, Change& change) {
    if (event.envelope().stream_type() == v1::STREAM_TYPE_PARTY) {
      return Next<v1::Party>(parties_, event, change.party_before, change.party_after,
                             &domain::EvolveParty);
    }
    return Next<v1::Agreement>(agreements_, event, change.agreement_before,
                               change.agreement_after, &domain::EvolveAgreement);
  }

  std::vector<std::unique_ptr<Applier>> appliers_;
  const uint64_t applied_;
  CollectingSink sink_;
  std::unordered_map<std::string, std::shared_ptr<const v1::Agreement>> agreements_;
  std::unordered_map<std::string, std::shared_ptr<const v1::Party>> parties_;
};

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

  rocksdb::ReadOptions read;
  read.snapshot = snapshot.get();
  read.readahead_size = 2 << 20;
  read.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(store->db()->NewIterator(read, store->log()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t position = 0;
    if (!DecodeU64(ToView(it->key()), position)) {
      return absl::DataLossError("log key is not 8 bytes");
    }
    RETURN_IF_ERROR(replayer.Add(position, ToView(it->value()), report));
    if (progress && position % 65536 == 0) progress(position, stored_head);
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "reading the log");
  it.reset();
  RETURN_IF_ERROR(replayer.Finish());

  RETURN_IF_ERROR(CompareFamilies(store, snapshot.get(), replayer, repair, report));
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

}  // namespace agreements::store
