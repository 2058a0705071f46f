// statistics: per counter sector, scope (every agreement, or one party) and period, the
// counts of agreements recorded, signed, entered into force and ended, and the amounts
// by currency (store/statistics.h). Like sector_counters, each agreement a batch changed
// takes back its contribution before the batch and adds the one after it; the applier
// keeps the entries it read (only it writes them).
#include "store/statistics.h"

#include "common/status_macros.h"
#include "store/appliers/appliers.h"
#include "store/keys.h"
#include "store/projector.h"

namespace agreements::store::appliers {
namespace {

namespace v1 = ::agreements::v1;

// Entries kept in memory between batches (a counter per sector, party and month grows
// with the registry).
constexpr size_t kMaxCachedEntries = 100000;

class Statistics : public Applier {
 public:
  explicit Statistics(const Store* store) : store_(store) {}

  const char* name() const override { return "statistics"; }
  ApplierStage stage() const override { return ApplierStage::kView; }
  std::vector<Family> families() const override { return {Family::kStatistics}; }

  absl::Status Apply(const Change& change, ViewSink&) override {
    if (change.agreement_after == nullptr) return absl::OkStatus();
    changed_.Add(change.event->envelope().stream_id(), change.agreement_before,
                 change.agreement_after);
    return absl::OkStatus();
  }

  absl::Status Flush(ViewSink& sink) override {
    std::map<std::string, int64_t> counts;
    std::map<std::string, v1::Money> amounts;
    for (const auto& [id, span] : changed_.spans()) {
      if (span.before != nullptr && SameListingInputs(*span.before, *span.after))
        continue;
      StatisticsContribution after = ContributionOf(*span.after);
      if (span.before != nullptr) {
        StatisticsContribution before = ContributionOf(*span.before);
        if (before == after) continue;
        Add(before, -1, counts, amounts);
      }
      Add(after, +1, counts, amounts);
    }
    // Every read first, so that a failed read leaves the cached entries unchanged.
    for (const auto& [key, delta] : counts) RETURN_IF_ERROR(LoadCount(key));
    for (const auto& [key, delta] : amounts) RETURN_IF_ERROR(LoadAmount(key));
    for (const auto& [key, delta] : counts) {
      int64_t& value = counts_[key];
      value += delta;
      if (value == 0) {
        sink.Delete(Family::kStatistics, key);
      } else {
        sink.Put(Family::kStatistics, key, EncodeU64(static_cast<uint64_t>(value)));
      }
    }
    for (const auto& [key, delta] : amounts) {
      v1::Money& value = amounts_[key];
      value = AddMoney(value, delta, +1);
      if (value.units() == 0 && value.nanos() == 0) {
        sink.Delete(Family::kStatistics, key);
      } else {
        sink.Put(Family::kStatistics, key, value.SerializeAsString());
      }
    }
    changed_.Clear();
    // The cache only spares reads: past a bound it starts again from the store, which
    // holds these entries once this batch is written (before the next Flush). A rebuild
    // from nothing (no store) keeps every entry.
    if (store_ != nullptr && counts_.size() + amounts_.size() > kMaxCachedEntries) {
      counts_.clear();
      amounts_.clear();
    }
    return absl::OkStatus();
  }

  void Reset() override {
    changed_.Clear();
    counts_.clear();
    amounts_.clear();
  }

 private:
  static void Add(const StatisticsContribution& contribution, int sign,
                  std::map<std::string, int64_t>& counts,
                  std::map<std::string, v1::Money>& amounts) {
    for (const auto& [key, n] : contribution.counts) counts[key] += sign * n;
    for (const auto& [key, money] : contribution.amounts) {
      v1::Money& total = amounts[key];
      total = AddMoney(total, money, sign);
    }
  }

  absl::Status LoadCount(const std::string& key) {
    if (counts_.count(key) || store_ == nullptr) return absl::OkStatus();
    auto stored = store_->Get(store_->statistics(), key);
    if (absl::IsNotFound(stored.status())) {
      counts_[key] = 0;
      return absl::OkStatus();
    }
    if (!stored.ok()) return stored.status();
    uint64_t value = 0;
    if (!DecodeU64(*stored, value))
      return absl::DataLossError("statistics count corrupt");
    counts_[key] = static_cast<int64_t>(value);
    return absl::OkStatus();
  }

  absl::Status LoadAmount(const std::string& key) {
    if (amounts_.count(key) || store_ == nullptr) return absl::OkStatus();
    auto stored = store_->Get(store_->statistics(), key);
    if (absl::IsNotFound(stored.status())) {
      amounts_[key] = v1::Money();
      return absl::OkStatus();
    }
    if (!stored.ok()) return stored.status();
    if (!amounts_[key].ParseFromString(*stored)) {
      return absl::DataLossError("statistics amount corrupt");
    }
    return absl::OkStatus();
  }

  const Store* const store_;
  Coalesced<v1::Agreement> changed_;
  std::map<std::string, int64_t> counts_;
  std::map<std::string, v1::Money> amounts_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Applier>> NewStatistics(const ApplierContext& context) {
  return std::make_unique<Statistics>(context.store);
}

}  // namespace agreements::store::appliers
