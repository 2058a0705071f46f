// Statistics per sector and period (docs/storage.md, "statistics"): how many agreements
// were recorded, signed, entered into force and ended in each month (or year, for dates
// known only to the year), and the amounts by currency, for every agreement of a sector
// and for each participating party. Kept per counter sector (CounterSector: public and
// non-public levels apart) so that a caller adds only the levels it may see.
//
// Keys of the statistics family:
//   counter sector · 0x00 · scope · 0x00 · period · 0x00 · measure [· currency]
// where the scope is "" (every agreement) or a party id, the period "YYYY-MM" or "YYYY",
// and the measure 'r' recorded, 's' signed, 'e' entered into force, 't' ended (u64 BE
// counts), or 'a' followed by the currency (a Money, amounts of every agreement by the
// period of its signature, else of its recording; scope "" only).
#ifndef AGREEMENTS_STORE_STATISTICS_H_
#define AGREEMENTS_STORE_STATISTICS_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "agreements/v1/agreement.pb.h"
#include "agreements/v1/query_service.pb.h"
#include "store/store.h"

namespace agreements::store {

inline constexpr char kMeasureRecorded = 'r';
inline constexpr char kMeasureSigned = 's';
inline constexpr char kMeasureInForce = 'e';
inline constexpr char kMeasureEnded = 't';
inline constexpr char kMeasureAmount = 'a';

// One agreement's contribution: key -> count, key -> amount.
struct StatisticsContribution {
  std::map<std::string, int64_t> counts;
  std::map<std::string, agreements::v1::Money> amounts;
  bool operator==(const StatisticsContribution& other) const;
};
StatisticsContribution ContributionOf(const agreements::v1::Agreement& agreement);

// The prefix of one scope of one counter sector.
std::string StatisticsPrefix(const std::string& counter_sector, const std::string& scope);

// Adds the entries under `prefix` to `periods` (period -> counts), by year or month.
absl::Status AddStatistics(const Store* store, const rocksdb::Snapshot* snapshot,
                           const std::string& prefix, bool by_month,
                           std::map<std::string, agreements::v1::PeriodCounts>& periods);

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_STATISTICS_H_
