#include "store/projector.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "store/keys.h"

namespace agreements::store {
namespace {

namespace v1 = ::agreements::v1;
namespace sv1 = ::agreements::storage::v1;

std::set<std::string> PartiesOf(const v1::Agreement& agreement) {
  std::set<std::string> parties;
  for (const auto& participation : agreement.participations()) {
    parties.insert(participation.party_id());
  }
  return parties;
}

template <typename Map, typename Key>
void AddCount(Map* map, const Key& key, int64_t delta) {
  int64_t& value = (*map)[key];
  value += delta;
  if (value == 0) map->erase(key);
}

}  // namespace

void EventTagger::Add(const v1::Agreement& agreement) {
  for (const auto& sector : agreement.sectors()) sectors_.insert(sector);
  if (agreement.instrument_kind() != v1::INSTRUMENT_KIND_UNSPECIFIED) {
    kinds_.insert(agreement.instrument_kind());
  }
  for (const auto& party : PartiesOf(agreement)) parties_.insert(party);
}

sv1::EventTags EventTagger::Build() const {
  sv1::EventTags tags;
  for (const auto& sector : sectors_) tags.add_sectors(sector);
  for (int kind : kinds_) tags.add_instrument_kinds(kind);
  for (const auto& party : parties_) tags.add_party_ids(party);
  return tags;
}

std::vector<std::string> AgreementIndexKeys(const v1::Agreement& agreement) {
  std::vector<std::string> keys;
  const std::string& id = agreement.id();
  for (const auto& sector : agreement.sectors()) {
    keys.push_back(IndexPrefix(kIndexSector, sector) + id);
  }
  keys.push_back(IndexPrefixEnum(kIndexStatus, agreement.status()) + id);
  keys.push_back(IndexPrefixEnum(kIndexKind, agreement.instrument_kind()) + id);
  for (const auto& party : PartiesOf(agreement)) {
    keys.push_back(IndexPrefix(kIndexParty, party) + id);
  }
  return keys;
}

std::vector<std::string> PartyIndexKeys(const v1::Party& party) {
  return {IndexPrefixEnum(kIndexPartyType, party.type()) + party.id(),
          IndexPrefix(kIndexPartyCountry, party.country_code()) + party.id()};
}

std::string AmountTotalKey(const v1::Money& money, int amount_type) {
  return absl::StrCat(money.currency_code(), "/", amount_type);
}

v1::Money AddMoney(const v1::Money& a, const v1::Money& b, int sign) {
  constexpr int64_t kNano = 1000000000;
  // Work in (units, nanos) with carries; totals of realistic amounts stay far below the
  // int64 range of units.
  int64_t units = a.units() + sign * b.units();
  int64_t nanos = int64_t{a.nanos()} + sign * int64_t{b.nanos()};
  units += nanos / kNano;
  nanos %= kNano;
  if (units > 0 && nanos < 0) {
    units -= 1;
    nanos += kNano;
  } else if (units < 0 && nanos > 0) {
    units += 1;
    nanos -= kNano;
  }
  v1::Money out;
  out.set_currency_code(a.currency_code().empty() ? b.currency_code()
                                                  : a.currency_code());
  out.set_units(units);
  out.set_nanos(static_cast<int32_t>(nanos));
  return out;
}

void ApplyContribution(const v1::Agreement& agreement, int sign,
                       SectorCounterMap& counters) {
  const std::set<std::string> parties = PartiesOf(agreement);
  // Amount totals per (currency, type); an agreement counts once per key.
  std::map<std::string, v1::Money> totals;
  for (const auto& amount : agreement.amounts()) {
    const std::string key = AmountTotalKey(amount.value(), amount.type());
    auto it = totals.find(key);
    if (it == totals.end()) {
      totals.emplace(key, amount.value());
    } else {
      it->second = AddMoney(it->second, amount.value(), +1);
    }
  }
  for (const auto& sector : agreement.sectors()) {
    sv1::SectorCounters& c = counters[sector];
    c.set_agreement_count(c.agreement_count() + sign);
    AddCount(c.mutable_by_status(), static_cast<int32_t>(agreement.status()), sign);
    AddCount(c.mutable_by_kind(), static_cast<int32_t>(agreement.instrument_kind()),
             sign);
    for (const auto& party : parties) AddCount(c.mutable_party_counts(), party, sign);
    for (const auto& [key, money] : totals) {
      auto& record = (*c.mutable_amount_totals())[key];
      *record.mutable_total() = AddMoney(record.total(), money, sign);
      record.set_agreement_count(record.agreement_count() + sign);
      if (record.agreement_count() == 0 && record.total().units() == 0 &&
          record.total().nanos() == 0) {
        c.mutable_amount_totals()->erase(key);
      }
    }
  }
}

bool CountersEmpty(const sv1::SectorCounters& counters) {
  return counters.agreement_count() == 0 && counters.by_status().empty() &&
         counters.by_kind().empty() && counters.amount_totals().empty() &&
         counters.party_counts().empty();
}

}  // namespace agreements::store
