#include "store/projector.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "domain/confidentiality.h"
#include "store/keys.h"
#include "store/store.h"
#include "store/text_terms.h"

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

// True when both states list the same participants in the same order.
bool SameParticipants(const v1::Agreement& a, const v1::Agreement& b) {
  if (a.participations_size() != b.participations_size()) return false;
  for (int i = 0; i < a.participations_size(); ++i) {
    if (a.participations(i).party_id() != b.participations(i).party_id()) return false;
  }
  return true;
}

template <typename Map, typename Key>
void AddCount(Map* map, const Key& key, int64_t delta) {
  int64_t& value = (*map)[key];
  value += delta;
  if (value == 0) map->erase(key);
}

}  // namespace

void EventTagger::Add(const v1::Agreement& agreement, bool with_parties) {
  for (const auto& sector : agreement.sectors()) sectors_.insert(sector);
  if (agreement.instrument_kind() != v1::INSTRUMENT_KIND_UNSPECIFIED) {
    kinds_.insert(agreement.instrument_kind());
  }
  if (with_parties) {
    for (const auto& participation : agreement.participations()) {
      parties_.push_back(participation.party_id());
    }
  }
  level_ = std::max<int>(level_, domain::LevelOf(agreement));
}

sv1::EventTags EventTagger::Build() {
  std::sort(parties_.begin(), parties_.end());
  parties_.erase(std::unique(parties_.begin(), parties_.end()), parties_.end());
  sv1::EventTags tags;
  for (const auto& sector : sectors_) tags.add_sectors(sector);
  for (int kind : kinds_) tags.add_instrument_kinds(kind);
  for (const auto& party : parties_) tags.add_party_ids(party);
  // Public events leave the field out: their tags are the bytes they were before
  // confidentiality existed.
  if (!domain::IsPublicLevel(level_)) tags.set_confidentiality(level_);
  return tags;
}

sv1::EventTags EventTagsOf(const v1::Agreement* before, const v1::Agreement* after,
                           const v1::EventEnvelope& envelope) {
  EventTagger tagger;
  if (envelope.stream_type() == v1::STREAM_TYPE_PARTY) {
    tagger.AddParty(envelope.stream_id());
    return tagger.Build();
  }
  if (before != nullptr) tagger.Add(*before);
  if (after != nullptr) {
    // Most events leave the participants as they were: add them once.
    tagger.Add(*after, before == nullptr || !SameParticipants(*before, *after));
  }
  return tagger.Build();
}

namespace {

template <typename Field, typename Equal>
bool SameRepeated(const Field& a, const Field& b, Equal equal) {
  if (a.size() != b.size()) return false;
  for (int i = 0; i < a.size(); ++i) {
    if (!equal(a.Get(i), b.Get(i))) return false;
  }
  return true;
}

}  // namespace

bool SameDate(const v1::Date& a, const v1::Date& b) {
  return a.year() == b.year() && a.month() == b.month() && a.day() == b.day() &&
         a.precision() == b.precision();
}

// The inputs of the text-search and sort entries and of the statistics.
bool SameTextAndDates(const v1::Agreement& a, const v1::Agreement& b) {
  return a.summary() == b.summary() && SameDate(a.signed_on(), b.signed_on()) &&
         SameDate(a.entered_into_force_on(), b.entered_into_force_on()) &&
         SameDate(a.ended_on(), b.ended_on()) &&
         a.create_time().seconds() == b.create_time().seconds() &&
         a.create_time().nanos() == b.create_time().nanos() &&
         SameRepeated(a.titles(), b.titles(), [](const auto& x, const auto& y) {
           return x.language() == y.language() && x.text() == y.text();
         });
}

bool SameListingInputs(const v1::Agreement& a, const v1::Agreement& b) {
  if (a.status() != b.status() || a.instrument_kind() != b.instrument_kind() ||
      domain::LevelOf(a) != domain::LevelOf(b) || !SameTextAndDates(a, b)) {
    return false;
  }
  auto same_party = [](const auto& x, const auto& y) {
    return x.party_id() == y.party_id();
  };
  return SameRepeated(
             a.sectors(), b.sectors(),
             [](const std::string& x, const std::string& y) { return x == y; }) &&
         SameRepeated(a.participations(), b.participations(), same_party) &&
         SameRepeated(a.depositaries(), b.depositaries(), same_party) &&
         SameRepeated(a.identifiers(), b.identifiers(),
                      [](const v1::Identifier& x, const v1::Identifier& y) {
                        return x.scheme() == y.scheme() && x.value() == y.value();
                      }) &&
         SameRepeated(
             a.registrations(), b.registrations(),
             [](const auto& x, const auto& y) { return x.number() == y.number(); }) &&
         SameRepeated(a.amounts(), b.amounts(), [](const auto& x, const auto& y) {
           return x.type() == y.type() &&
                  x.value().currency_code() == y.value().currency_code() &&
                  x.value().units() == y.value().units() &&
                  x.value().nanos() == y.value().nanos();
         });
}

std::vector<v1::Identifier> UniqueIdentifiersOf(const v1::Agreement& agreement) {
  std::vector<v1::Identifier> identifiers(agreement.identifiers().begin(),
                                          agreement.identifiers().end());
  for (const auto& registration : agreement.registrations()) {
    v1::Identifier& unts = identifiers.emplace_back();
    unts.set_scheme(kUntsScheme);
    unts.set_value(registration.number());
  }
  return identifiers;
}

std::vector<std::string> ListPartitionsOf(const v1::Agreement& agreement) {
  if (domain::IsPublicLevel(domain::LevelOf(agreement))) {
    return {ListPartition(kPartitionPublic)};
  }
  std::vector<std::string> partitions{ListPartition(kPartitionNonPublic)};
  for (const auto& sector : agreement.sectors()) {
    partitions.push_back(ListPartition(kPartitionSector, sector));
  }
  return partitions;
}

std::vector<std::string> AgreementIndexKeys(const v1::Agreement& agreement) {
  const std::string& id = agreement.id();
  std::vector<std::string> entries{IndexPrefix(kIndexAll, "")};
  for (const auto& sector : agreement.sectors()) {
    entries.push_back(IndexPrefix(kIndexSector, sector));
  }
  entries.push_back(IndexPrefixEnum(kIndexStatus, agreement.status()));
  entries.push_back(IndexPrefixEnum(kIndexKind, agreement.instrument_kind()));
  for (const auto& party : PartiesOf(agreement)) {
    entries.push_back(IndexPrefix(kIndexParty, party));
  }
  for (const auto& depositary : agreement.depositaries()) {
    entries.push_back(IndexPrefix(kIndexDepositary, depositary.party_id()));
  }
  for (const std::string& term : AgreementTerms(agreement)) {
    entries.push_back(IndexPrefix(kIndexTerm, term));
  }
  for (char order : kOrders) {
    entries.push_back(absl::StrCat(std::string(1, kIndexOrder), std::string(1, order),
                                   OrderValue(agreement, order), std::string(1, '\0')));
  }
  std::vector<std::string> keys;
  for (const std::string& partition : ListPartitionsOf(agreement)) {
    for (const std::string& entry : entries) keys.push_back(partition + entry + id);
  }
  for (const auto& identifier : UniqueIdentifiersOf(agreement)) {
    keys.push_back(IdentifierPrefix(identifier.scheme(), identifier.value()) + id);
  }
  keys.push_back(VisibilityKey(id, domain::LevelOf(agreement),
                               absl::StrJoin(agreement.sectors(), ",")));
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

std::vector<std::string> PartyIndexKeys(const v1::Party& party) {
  std::vector<std::string> keys{
      IndexPrefixEnum(kIndexPartyType, party.type()) + party.id(),
      IndexPrefix(kIndexPartyCountry, party.country_code()) + party.id()};
  // A former state is found by its ISO 3166-3 code as well.
  if (!party.former_country_code().empty()) {
    keys.push_back(IndexPrefix(kIndexPartyCountry, party.former_country_code()) +
                   party.id());
  }
  for (const std::string& term : PartyTerms(party)) {
    keys.push_back(IndexPrefix(kIndexPartyTerm, term) + party.id());
  }
  return keys;
}

namespace {

// "YYYYMMDD" (00 for an unknown month or day); "\xFF" (after every date) when unset.
std::string DateOrderValue(const v1::Date& date) {
  if (date.year() == 0) return "\xFF";
  return absl::StrFormat("%04d%02d%02d", date.year(), date.month(), date.day());
}

std::string AscendingValue(const v1::Agreement& agreement, char order) {
  switch (order) {
    case kOrderSigned:
      return DateOrderValue(agreement.signed_on());
    case kOrderInForce:
      return DateOrderValue(agreement.entered_into_force_on());
    case kOrderRecorded:
      return absl::StrFormat("%012d%09d", agreement.create_time().seconds(),
                             agreement.create_time().nanos());
    case kOrderTitle: {
      std::string title;
      for (const auto& t : agreement.titles()) {
        if (t.language() == "en") title = t.text();
      }
      if (title.empty() && !agreement.titles().empty())
        title = agreement.titles(0).text();
      if (title.empty()) return "\xFF";
      title = absl::AsciiStrToLower(title.substr(0, 64));
      // Control characters are never in titles; 0x00 must not be in a value.
      title.erase(std::remove(title.begin(), title.end(), '\0'), title.end());
      return title;
    }
  }
  return "";
}

}  // namespace

bool DescendingOrder(char order) { return absl::ascii_islower(order); }

std::string OrderValue(const v1::Agreement& agreement, char order) {
  const char ascending = absl::ascii_toupper(order);
  std::string value = AscendingValue(agreement, ascending);
  if (!DescendingOrder(order) || value == "\xFF") return value;
  // Byte complement, with a terminator first so that a longer value with the same
  // beginning comes first; no byte of the result is 0x00 (values hold no 0xFF).
  value.push_back('\0');
  for (char& c : value) c = static_cast<char>(~static_cast<unsigned char>(c));
  return value;
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
                       SectorCounterMap& counters, CounterChanges* changes) {
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
  const int level = domain::LevelOf(agreement);
  for (const auto& real_sector : agreement.sectors()) {
    const std::string sector = CounterSector(real_sector, level);
    sv1::SectorCounters& c = counters[sector];
    c.set_agreement_count(c.agreement_count() + sign);
    AddCount(c.mutable_by_status(), static_cast<int32_t>(agreement.status()), sign);
    AddCount(c.mutable_by_kind(), static_cast<int32_t>(agreement.instrument_kind()),
             sign);
    for (const auto& party : parties) AddCount(c.mutable_party_counts(), party, sign);
    if (changes != nullptr) {
      changes->sectors.insert(sector);
      for (const auto& party : parties) changes->parties.emplace(sector, party);
      for (const auto& [key, money] : totals) changes->amounts.emplace(sector, key);
    }
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

std::string CounterSector(const std::string& sector, int level) {
  switch (level) {
    case v1::CONFIDENTIALITY_RESTRICTED:
      return sector + "/restricted";
    case v1::CONFIDENTIALITY_CONFIDENTIAL:
      return sector + "/confidential";
    default:
      return sector;
  }
}

std::vector<std::string> CounterSectorsOf(const std::string& sector, bool non_public) {
  if (!non_public) return {sector};
  return {sector, CounterSector(sector, v1::CONFIDENTIALITY_RESTRICTED),
          CounterSector(sector, v1::CONFIDENTIALITY_CONFIDENTIAL)};
}

void AddCounters(const sv1::SectorCounters& from, sv1::SectorCounters& into) {
  into.set_agreement_count(into.agreement_count() + from.agreement_count());
  for (const auto& [status, count] : from.by_status()) {
    AddCount(into.mutable_by_status(), status, count);
  }
  for (const auto& [kind, count] : from.by_kind()) {
    AddCount(into.mutable_by_kind(), kind, count);
  }
  for (const auto& [party, count] : from.party_counts()) {
    AddCount(into.mutable_party_counts(), party, count);
  }
  for (const auto& [key, record] : from.amount_totals()) {
    auto& total = (*into.mutable_amount_totals())[key];
    *total.mutable_total() = AddMoney(total.total(), record.total(), +1);
    total.set_agreement_count(total.agreement_count() + record.agreement_count());
  }
}

std::string SectorCountersPrefix(const std::string& sector) {
  return absl::StrCat(sector, std::string(1, '\0'));
}

std::string SectorCountsKey(const std::string& sector) {
  return absl::StrCat(SectorCountersPrefix(sector), "c");
}

std::string SectorAmountKey(const std::string& sector, const std::string& amount_key) {
  return absl::StrCat(SectorCountersPrefix(sector), "a", amount_key);
}

std::string SectorPartyKey(const std::string& sector, const std::string& party_id) {
  return absl::StrCat(SectorCountersPrefix(sector), "p", party_id);
}

namespace {

std::string CountsValue(const sv1::SectorCounters& counters) {
  sv1::SectorCounters counts;
  counts.set_agreement_count(counters.agreement_count());
  *counts.mutable_by_status() = counters.by_status();
  *counts.mutable_by_kind() = counters.by_kind();
  return SerializeDeterministic(counts);
}

}  // namespace

std::vector<CounterEntry> ChangedCounterEntries(const SectorCounterMap& counters,
                                                const CounterChanges& changes) {
  std::vector<CounterEntry> entries;
  static const sv1::SectorCounters kEmpty;
  auto of = [&counters](const std::string& sector) -> const sv1::SectorCounters& {
    auto it = counters.find(sector);
    return it == counters.end() ? kEmpty : it->second;
  };
  for (const auto& sector : changes.sectors) {
    const sv1::SectorCounters& c = of(sector);
    if (c.agreement_count() == 0 && c.by_status().empty() && c.by_kind().empty()) {
      entries.push_back({SectorCountsKey(sector), std::nullopt});
    } else {
      entries.push_back({SectorCountsKey(sector), CountsValue(c)});
    }
  }
  for (const auto& [sector, key] : changes.amounts) {
    const auto& totals = of(sector).amount_totals();
    auto it = totals.find(key);
    if (it == totals.end()) {
      entries.push_back({SectorAmountKey(sector, key), std::nullopt});
    } else {
      entries.push_back(
          {SectorAmountKey(sector, key), SerializeDeterministic(it->second)});
    }
  }
  for (const auto& [sector, party] : changes.parties) {
    const auto& parties = of(sector).party_counts();
    auto it = parties.find(party);
    if (it == parties.end()) {
      entries.push_back({SectorPartyKey(sector, party), std::nullopt});
    } else {
      entries.push_back(
          {SectorPartyKey(sector, party), EncodeU64(static_cast<uint64_t>(it->second))});
    }
  }
  return entries;
}

std::vector<std::pair<std::string, std::string>> SectorCounterEntries(
    const std::string& sector, const sv1::SectorCounters& counters) {
  std::vector<std::pair<std::string, std::string>> entries;
  if (CountersEmpty(counters)) return entries;
  // Key order: 'a' < 'c' < 'p'.
  std::map<std::string, const sv1::AmountTotalRecord*> amounts;
  for (const auto& [key, record] : counters.amount_totals()) amounts[key] = &record;
  for (const auto& [key, record] : amounts) {
    entries.emplace_back(SectorAmountKey(sector, key), SerializeDeterministic(*record));
  }
  if (counters.agreement_count() != 0 || !counters.by_status().empty() ||
      !counters.by_kind().empty()) {
    entries.emplace_back(SectorCountsKey(sector), CountsValue(counters));
  }
  std::map<std::string, int64_t> parties(counters.party_counts().begin(),
                                         counters.party_counts().end());
  for (const auto& [party, count] : parties) {
    entries.emplace_back(SectorPartyKey(sector, party),
                         EncodeU64(static_cast<uint64_t>(count)));
  }
  return entries;
}

bool MergeSectorCounterEntry(absl::string_view suffix, absl::string_view value,
                             sv1::SectorCounters& counters) {
  if (suffix.empty()) return false;
  const absl::string_view rest = suffix.substr(1);
  switch (suffix[0]) {
    case 'c': {
      sv1::SectorCounters counts;
      if (!counts.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
        return false;
      }
      counters.set_agreement_count(counts.agreement_count());
      *counters.mutable_by_status() = counts.by_status();
      *counters.mutable_by_kind() = counts.by_kind();
      return true;
    }
    case 'a': {
      sv1::AmountTotalRecord record;
      if (!record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
        return false;
      }
      (*counters.mutable_amount_totals())[std::string(rest)] = std::move(record);
      return true;
    }
    case 'p': {
      uint64_t count = 0;
      if (!DecodeU64(value, count)) return false;
      (*counters.mutable_party_counts())[std::string(rest)] = static_cast<int64_t>(count);
      return true;
    }
  }
  return false;
}

bool CountersEmpty(const sv1::SectorCounters& counters) {
  return counters.agreement_count() == 0 && counters.by_status().empty() &&
         counters.by_kind().empty() && counters.amount_totals().empty() &&
         counters.party_counts().empty();
}

}  // namespace agreements::store
