// sector_counters: per sector (and confidentiality level) the agreement counts by status
// and kind, amount totals and party counts. Counters change once per batch: each
// agreement the batch changed takes back its contribution before the batch and adds
// the one after it. The applier keeps the counters it has read (only it writes them).
#include <set>

#include "common/status_macros.h"
#include "domain/confidentiality.h"
#include "store/appliers/appliers.h"
#include "store/projector.h"
#include "store/view_reader.h"

namespace agreements::store::appliers {
namespace {

namespace v1 = ::agreements::v1;

class SectorCounters : public Applier {
 public:
  explicit SectorCounters(const Store* store) : store_(store) {}

  const char* name() const override { return "sector_counters"; }
  ApplierStage stage() const override { return ApplierStage::kView; }
  std::vector<Family> families() const override { return {Family::kSectorCounters}; }

  absl::Status Apply(const Change& change, ViewSink&) override {
    if (change.agreement_after == nullptr) return absl::OkStatus();
    changed_.Add(change.event->envelope().stream_id(), change.agreement_before,
                 change.agreement_after);
    return absl::OkStatus();
  }

  absl::Status Flush(ViewSink& sink) override {
    // Every read first, so that a failed read leaves the cached counters unchanged. An
    // agreement whose contribution did not change is skipped.
    for (const auto& [id, span] : changed_.spans()) {
      if (Unchanged(span)) continue;
      if (span.before != nullptr) RETURN_IF_ERROR(Load(*span.before));
      RETURN_IF_ERROR(Load(*span.after));
    }
    CounterChanges changes;
    for (const auto& [id, span] : changed_.spans()) {
      if (Unchanged(span)) continue;
      if (span.before != nullptr)
        ApplyContribution(*span.before, -1, counters_, &changes);
      ApplyContribution(*span.after, +1, counters_, &changes);
    }
    for (const auto& entry : ChangedCounterEntries(counters_, changes)) {
      if (entry.value.has_value()) {
        sink.Put(Family::kSectorCounters, entry.key, *entry.value);
      } else {
        sink.Delete(Family::kSectorCounters, entry.key);
      }
    }
    changed_.Clear();
    return absl::OkStatus();
  }

  // The cached counters may hold a batch that was not written.
  void Reset() override {
    changed_.Clear();
    counters_.clear();
    loaded_.clear();
  }

 private:
  static bool Unchanged(const Coalesced<v1::Agreement>::Span& span) {
    return span.before != nullptr && SameListingInputs(*span.before, *span.after);
  }
  absl::Status Load(const v1::Agreement& agreement) {
    if (store_ == nullptr) return absl::OkStatus();  // built from nothing
    for (const auto& real_sector : agreement.sectors()) {
      const std::string sector = CounterSector(real_sector, domain::LevelOf(agreement));
      if (loaded_.count(sector)) continue;
      ASSIGN_OR_RETURN(counters_[sector], ReadSectorCounters(store_, nullptr, sector));
      loaded_.insert(sector);
    }
    return absl::OkStatus();
  }

  const Store* const store_;
  Coalesced<v1::Agreement> changed_;
  SectorCounterMap counters_;
  std::set<std::string> loaded_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Applier>> NewSectorCounters(
    const ApplierContext& context) {
  return std::make_unique<SectorCounters>(context.store);
}

}  // namespace agreements::store::appliers
