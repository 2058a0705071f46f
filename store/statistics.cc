#include "store/statistics.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "domain/confidentiality.h"
#include "google/protobuf/util/message_differencer.h"
#include "store/keys.h"
#include "store/projector.h"

namespace agreements::store {
namespace {

namespace v1 = ::agreements::v1;

std::string PeriodOf(const v1::Date& date) {
  if (date.precision() == v1::DATE_PRECISION_YEAR || date.month() == 0) {
    return absl::StrFormat("%04d", date.year());
  }
  return absl::StrFormat("%04d-%02d", date.year(), date.month());
}

std::string PeriodOf(const google::protobuf::Timestamp& time) {
  return absl::FormatTime("%Y-%m", absl::FromUnixSeconds(time.seconds()),
                          absl::UTCTimeZone());
}

std::string Key(const std::string& prefix, const std::string& period, char measure,
                const std::string& currency = "") {
  return absl::StrCat(prefix, period, std::string(1, '\0'), std::string(1, measure),
                      currency);
}

}  // namespace

bool StatisticsContribution::operator==(const StatisticsContribution& other) const {
  if (counts != other.counts || amounts.size() != other.amounts.size()) return false;
  for (auto a = amounts.begin(), b = other.amounts.begin(); a != amounts.end();
       ++a, ++b) {
    if (a->first != b->first ||
        !google::protobuf::util::MessageDifferencer::Equals(a->second, b->second)) {
      return false;
    }
  }
  return true;
}

std::string StatisticsPrefix(const std::string& counter_sector,
                             const std::string& scope) {
  return absl::StrCat(counter_sector, std::string(1, '\0'), scope, std::string(1, '\0'));
}

StatisticsContribution ContributionOf(const v1::Agreement& agreement) {
  StatisticsContribution out;
  std::set<std::string> scopes{""};
  for (const auto& participation : agreement.participations()) {
    scopes.insert(participation.party_id());
  }
  const std::string recorded = PeriodOf(agreement.create_time());
  for (const std::string& sector : agreement.sectors()) {
    const std::string counter_sector = CounterSector(sector, domain::LevelOf(agreement));
    for (const std::string& scope : scopes) {
      const std::string prefix = StatisticsPrefix(counter_sector, scope);
      out.counts[Key(prefix, recorded, kMeasureRecorded)] += 1;
      if (agreement.signed_on().year() != 0) {
        out.counts[Key(prefix, PeriodOf(agreement.signed_on()), kMeasureSigned)] += 1;
      }
      if (agreement.entered_into_force_on().year() != 0) {
        out.counts[Key(prefix, PeriodOf(agreement.entered_into_force_on()),
                       kMeasureInForce)] += 1;
      }
      if (agreement.ended_on().year() != 0) {
        out.counts[Key(prefix, PeriodOf(agreement.ended_on()), kMeasureEnded)] += 1;
      }
      if (!scope.empty()) continue;
      const std::string period =
          agreement.signed_on().year() != 0 ? PeriodOf(agreement.signed_on()) : recorded;
      for (const v1::Amount& amount : agreement.amounts()) {
        const std::string currency = amount.value().currency_code();
        if (currency.empty()) continue;
        v1::Money& total = out.amounts[Key(prefix, period, kMeasureAmount, currency)];
        total.set_currency_code(currency);
        total = AddMoney(total, amount.value(), +1);
      }
    }
  }
  return out;
}

absl::Status AddStatistics(const Store* store, const rocksdb::Snapshot* snapshot,
                           const std::string& prefix, bool by_month,
                           std::map<std::string, v1::PeriodCounts>& periods) {
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(
      store->db()->NewIterator(read, store->statistics()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const absl::string_view rest = ToView(it->key()).substr(prefix.size());
    const size_t end = rest.find('\0');
    if (end == absl::string_view::npos || end + 1 >= rest.size()) {
      return absl::DataLossError("a stored statistics key is corrupt");
    }
    std::string period(rest.substr(0, end));
    if (!by_month) period = period.substr(0, 4);
    v1::PeriodCounts& counts = periods[period];
    counts.set_period(period);
    const char measure = rest[end + 1];
    if (measure == kMeasureAmount) {
      v1::Money money;
      if (!money.ParseFromArray(it->value().data(),
                                static_cast<int>(it->value().size()))) {
        return absl::DataLossError("a stored statistics amount is corrupt");
      }
      v1::Money* total = nullptr;
      for (v1::Money& existing : *counts.mutable_amounts()) {
        if (existing.currency_code() == money.currency_code()) total = &existing;
      }
      if (total == nullptr) {
        total = counts.add_amounts();
        total->set_currency_code(money.currency_code());
      }
      *total = AddMoney(*total, money, +1);
      continue;
    }
    uint64_t value = 0;
    if (!DecodeU64(ToView(it->value()), value)) {
      return absl::DataLossError("a stored statistics count is corrupt");
    }
    const int64_t n = static_cast<int64_t>(value);
    switch (measure) {
      case kMeasureRecorded:
        counts.set_recorded_count(counts.recorded_count() + n);
        break;
      case kMeasureSigned:
        counts.set_signed_count(counts.signed_count() + n);
        break;
      case kMeasureInForce:
        counts.set_entered_into_force_count(counts.entered_into_force_count() + n);
        break;
      case kMeasureEnded:
        counts.set_ended_count(counts.ended_count() + n);
        break;
      default:
        return absl::DataLossError("a stored statistics measure is unknown");
    }
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "reading statistics");
  return absl::OkStatus();
}

}  // namespace agreements::store
