#include "store/view_reader.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "domain/valid_time.h"
#include "store/index_scan.h"
#include "store/keys.h"
#include "store/projector.h"
#include "store/statistics.h"

namespace agreements::store {
namespace {

namespace v1 = ::agreements::v1;

int DateKey(const v1::Date& date, bool last_day) {
  int month = date.month();
  int day = date.day();
  if (month == 0) month = last_day ? 12 : 1;
  if (day == 0) day = last_day ? 31 : 1;
  return date.year() * 10000 + month * 100 + day;
}

template <typename T>
absl::StatusOr<T> ReadMessage(const Store* store, rocksdb::ColumnFamilyHandle* cf,
                              const std::string& key, const rocksdb::Snapshot* snapshot,
                              absl::string_view what) {
  auto bytes = store->Get(cf, key, snapshot);
  if (absl::IsNotFound(bytes.status())) {
    return absl::NotFoundError(absl::StrCat(what, " \"", key, "\" not found"));
  }
  if (!bytes.ok()) return bytes.status();
  T message;
  if (!message.ParseFromString(*bytes)) {
    return absl::DataLossError(
        absl::StrCat("stored ", what, " \"", key, "\" is corrupt"));
  }
  return message;
}

// Walks the ids under the index prefixes after `after`, loading each item (from the
// index value when `state` is the index itself) and keeping those `keep` accepts. A page
// carries a continuation only when another kept item follows, or when the scan limit
// stopped it first.
template <typename T, typename Keep>
absl::StatusOr<Page<T>> Scan(const Store* store, const rocksdb::Snapshot* snapshot,
                             rocksdb::ColumnFamilyHandle* index,
                             std::vector<std::string> prefixes,
                             rocksdb::ColumnFamilyHandle* state, const std::string& after,
                             size_t page_size, absl::string_view what, Keep keep) {
  Page<T> page;
  IndexScan scan(store, snapshot, index, std::move(prefixes), after);
  std::string last_examined, last_kept;
  for (; scan.Valid(); scan.Next()) {
    if (page.scanned == ViewReader::kMaxScanPerPage) {
      page.next_after = last_examined;
      return page;
    }
    ++page.scanned;
    last_examined = scan.id();
    // A sort entry holds the sort value before the id: "value 0x00 id".
    const size_t separator = last_examined.find('\0');
    const std::string id = separator == std::string::npos
                               ? last_examined
                               : last_examined.substr(separator + 1);
    T item;
    if (state == index) {
      const absl::string_view value = scan.value();
      if (!item.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
        return absl::DataLossError(
            absl::StrCat("stored ", what, " \"", scan.id(), "\" is corrupt"));
      }
    } else {
      auto loaded = ReadMessage<T>(store, state, id, snapshot, what);
      if (!loaded.ok()) {
        return absl::DataLossError(
            absl::StrCat("index names ", what, " \"", id,
                         "\" which cannot be read: ", loaded.status().message()));
      }
      item = *std::move(loaded);
    }
    if (!keep(item)) continue;
    if (page.items.size() == page_size) {
      page.next_after = last_kept;
      return page;
    }
    page.items.push_back(std::move(item));
    last_kept = last_examined;
  }
  if (!scan.status().ok()) return scan.status();
  return page;
}

// The list partitions a caller may read (store/keys.h): the public one, and every
// non-public one (clearance for all) or those of its cleared sectors (only `sector`'s
// when the list names a sector).
std::vector<std::string> ReadablePartitions(const domain::Clearance& clearance,
                                            const std::string& sector) {
  std::vector<std::string> partitions{ListPartition(kPartitionPublic)};
  if (clearance.all) {
    partitions.push_back(ListPartition(kPartitionNonPublic));
    return partitions;
  }
  for (const std::string& cleared : clearance.sectors) {
    if (sector.empty() || cleared == sector) {
      partitions.push_back(ListPartition(kPartitionSector, cleared));
    }
  }
  return partitions;
}

std::vector<std::string> WithEntry(std::vector<std::string> partitions,
                                   const std::string& entry) {
  for (std::string& partition : partitions) partition += entry;
  return partitions;
}

// The participant's standing filters (party_statuses, party_condition), on the
// agreement as recorded. A participant that is only a depositary is no participant.
bool KeepParticipant(const AgreementFilter& filter, const v1::Agreement& a) {
  const domain::LegalStatusOnDate now = domain::StatusAsRecorded(a, filter.today);
  const domain::ParticipantOnDate* standing =
      domain::FindParticipant(now, filter.party_id);
  return standing != nullptr && domain::MatchesStanding(*standing, filter.party_statuses,
                                                        filter.party_condition);
}

bool HasDepositary(const v1::Agreement& a, const std::string& party_id) {
  for (const auto& d : a.depositaries()) {
    if (d.party_id() == party_id) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> AgreementIdsOfParty(
    const Store* store, const rocksdb::Snapshot* snapshot, const std::string& party_id) {
  IndexScan scan(store, snapshot, store->agreement_index(),
                 WithEntry(ReadablePartitions(domain::Clearance::All(), ""),
                           IndexPrefix(kIndexParty, party_id)),
                 "");
  std::vector<std::string> ids;
  for (; scan.Valid(); scan.Next()) ids.push_back(scan.id());
  if (!scan.status().ok()) return scan.status();
  return ids;
}

absl::StatusOr<std::string> FindIdentifierOwner(const Store* store,
                                                const rocksdb::Snapshot* snapshot,
                                                const v1::Identifier& identifier) {
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  const std::string prefix = IdentifierPrefix(identifier.scheme(), identifier.value());
  std::unique_ptr<rocksdb::Iterator> it(
      store->db()->NewIterator(read, store->agreement_index()));
  it->Seek(prefix);
  if (it->Valid() && it->key().starts_with(prefix)) {
    return it->key().ToString().substr(prefix.size());
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "reading identifiers");
  return absl::NotFoundError(absl::StrCat("no agreement has identifier ",
                                          identifier.scheme(), ":", identifier.value()));
}

bool DateWithin(const v1::Date& date, const v1::Date& from, const v1::Date& to) {
  if (from.year() == 0 && to.year() == 0) return true;
  if (date.year() == 0) return false;
  const int key = DateKey(date, false);
  if (from.year() != 0 && key < DateKey(from, false)) return false;
  if (to.year() != 0 && key > DateKey(to, true)) return false;
  return true;
}

absl::StatusOr<std::unique_ptr<ViewReader>> ViewReader::Create(const Store* store) {
  std::unique_ptr<ViewReader> reader(new ViewReader(store));
  auto applied = store->ReadApplied(reader->snapshot_.get());
  if (!applied.ok()) return applied.status();
  reader->position_ = *applied;
  return reader;
}

absl::StatusOr<v1::Agreement> ViewReader::GetAgreement(const std::string& id) const {
  return ReadMessage<v1::Agreement>(store_, store_->agreements(), id, snapshot_.get(),
                                    "agreement");
}

absl::StatusOr<bool> ViewReader::Sees(const domain::Clearance& clearance,
                                      const std::string& id) const {
  rocksdb::ReadOptions read;
  read.snapshot = snapshot_.get();
  std::unique_ptr<rocksdb::Iterator> it(
      store_->db()->NewIterator(read, store_->agreement_index()));
  const std::string prefix = VisibilityPrefix(id);
  it->Seek(prefix);
  if (!it->status().ok()) return FromRocksStatus(it->status(), "reading visibility");
  if (!it->Valid() || !it->key().starts_with(prefix)) return false;
  const absl::string_view entry = ToView(it->key()).substr(prefix.size());
  if (entry.empty()) {
    return absl::DataLossError(
        absl::StrCat("visibility entry of agreement \"", id, "\" is corrupt"));
  }
  const std::vector<absl::string_view> sectors =
      absl::StrSplit(entry.substr(1), ',', absl::SkipEmpty());
  return clearance.Sees(static_cast<unsigned char>(entry[0]), sectors);
}

absl::StatusOr<std::string> ViewReader::FindAgreementId(
    const v1::Identifier& identifier) const {
  return FindIdentifierOwner(store_, snapshot_.get(), identifier);
}

absl::StatusOr<v1::Party> ViewReader::GetParty(const std::string& id) const {
  return ReadMessage<v1::Party>(store_, store_->parties(), id, snapshot_.get(), "party");
}

absl::StatusOr<Page<v1::Agreement>> ViewReader::ListAgreements(
    const AgreementFilter& filter, const std::string& after, size_t page_size) const {
  if (!filter.terms.empty()) return SearchAgreements(filter, after, page_size);
  // Walk the most selective entry the filter names (or the sort order's entries), in
  // the partitions the caller may read; check the rest on each agreement.
  std::string entry = IndexPrefix(kIndexAll, "");
  if (filter.order != 0) {
    entry = {kIndexOrder, filter.order};
  } else if (!filter.party_id.empty()) {
    entry = IndexPrefix(kIndexParty, filter.party_id);
  } else if (!filter.depositary_id.empty()) {
    entry = IndexPrefix(kIndexDepositary, filter.depositary_id);
  } else if (!filter.sector.empty()) {
    entry = IndexPrefix(kIndexSector, filter.sector);
  } else if (filter.kind != v1::INSTRUMENT_KIND_UNSPECIFIED) {
    entry = IndexPrefixEnum(kIndexKind, filter.kind);
  } else if (filter.status != v1::AGREEMENT_STATUS_UNSPECIFIED) {
    entry = IndexPrefixEnum(kIndexStatus, filter.status);
  }
  std::vector<std::string> prefixes =
      WithEntry(ReadablePartitions(filter.clearance, filter.sector), entry);
  auto keep = [&filter](const v1::Agreement& a) { return KeepAgreement(filter, a); };
  return Scan<v1::Agreement>(store_, snapshot_.get(), store_->agreement_index(),
                             std::move(prefixes), store_->agreements(), after, page_size,
                             "agreement", keep);
}

bool KeepAgreement(const AgreementFilter& filter, const v1::Agreement& a) {
  if (!filter.sector.empty()) {
    bool found = false;
    for (const auto& s : a.sectors()) found = found || s == filter.sector;
    if (!found || !filter.clearance.SeesInSector(a, filter.sector)) return false;
  } else if (!filter.clearance.Sees(a)) {
    return false;
  }
  if (filter.status != v1::AGREEMENT_STATUS_UNSPECIFIED && a.status() != filter.status) {
    return false;
  }
  if (filter.kind != v1::INSTRUMENT_KIND_UNSPECIFIED &&
      a.instrument_kind() != filter.kind) {
    return false;
  }
  if (!filter.party_id.empty() && !KeepParticipant(filter, a)) return false;
  if (!filter.depositary_id.empty() && !HasDepositary(a, filter.depositary_id)) {
    return false;
  }
  if (filter.registration_due && !domain::RegistrationDue(a)) return false;
  return DateWithin(a.signed_on(), filter.signed_from, filter.signed_to);
}

absl::StatusOr<Page<v1::Party>> ViewReader::ListParties(const PartyFilter& filter,
                                                        const std::string& after,
                                                        size_t page_size) const {
  rocksdb::ColumnFamilyHandle* index = store_->party_index();
  std::string prefix;
  if (!filter.country_code.empty()) {
    prefix = IndexPrefix(kIndexPartyCountry, filter.country_code);
  } else if (filter.type != v1::PARTY_TYPE_UNSPECIFIED) {
    prefix = IndexPrefixEnum(kIndexPartyType, filter.type);
  } else {
    index = store_->parties();
  }
  auto keep = [&filter](const v1::Party& p) {
    if (filter.type != v1::PARTY_TYPE_UNSPECIFIED && p.type() != filter.type)
      return false;
    return filter.country_code.empty() || p.country_code() == filter.country_code ||
           p.former_country_code() == filter.country_code;
  };
  return Scan<v1::Party>(store_, snapshot_.get(), index, {prefix}, store_->parties(),
                         after, page_size, "party", keep);
}

absl::StatusOr<agreements::storage::v1::SectorCounters> ReadSectorCounters(
    const Store* store, const rocksdb::Snapshot* snapshot, const std::string& sector) {
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  const std::string prefix = SectorCountersPrefix(sector);
  std::unique_ptr<rocksdb::Iterator> it(
      store->db()->NewIterator(read, store->sector_counters()));
  agreements::storage::v1::SectorCounters counters;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (!MergeSectorCounterEntry(ToView(it->key()).substr(prefix.size()),
                                 ToView(it->value()), counters)) {
      return absl::DataLossError(
          absl::StrCat("stored counters of sector \"", sector, "\" are corrupt"));
    }
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "reading sector counters");
  return counters;
}

absl::StatusOr<agreements::storage::v1::SectorCounters> ViewReader::GetSectorCounters(
    const std::string& sector, bool non_public) const {
  agreements::storage::v1::SectorCounters total;
  for (const std::string& part : CounterSectorsOf(sector, non_public)) {
    auto counters = ReadSectorCounters(store_, snapshot_.get(), part);
    if (!counters.ok()) return counters.status();
    AddCounters(*counters, total);
  }
  return total;
}

}  // namespace agreements::store

namespace agreements::store {
namespace {

// The ids under `prefix` whose entry continues with any term, then 0x00, then the id
// (a term lookup by prefix), at most kMaxSearchCandidates.
absl::Status CollectTermMatches(const Store* store, const rocksdb::Snapshot* snapshot,
                                rocksdb::ColumnFamilyHandle* family,
                                const std::string& prefix, std::set<std::string>& ids) {
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(store->db()->NewIterator(read, family));
  for (it->Seek(prefix);
       it->Valid() && it->key().starts_with(prefix) && ids.size() < kMaxSearchCandidates;
       it->Next()) {
    const absl::string_view rest = ToView(it->key()).substr(prefix.size());
    const size_t separator = rest.find('\0');
    if (separator == absl::string_view::npos) {
      return absl::DataLossError("a stored search entry is corrupt");
    }
    ids.emplace(rest.substr(separator + 1));
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "reading search entries");
  return absl::OkStatus();
}

// A search result's place: more matched terms first (0xFF minus the count), then the
// sort value (with an order) and the id.
std::string RankKey(int matched, const std::string& order_value, const std::string& id) {
  return absl::StrCat(std::string(1, static_cast<char>(0xFF - std::min(matched, 0xFE))),
                      order_value, std::string(1, '\0'), id);
}

}  // namespace

absl::StatusOr<Page<v1::Agreement>> ViewReader::SearchAgreements(
    const AgreementFilter& filter, const std::string& after, size_t page_size) const {
  const std::vector<std::string> partitions =
      ReadablePartitions(filter.clearance, filter.sector);
  std::map<std::string, int> matched;  // agreement id -> query terms it matches
  for (const std::string& term : filter.terms) {
    std::set<std::string> ids;
    for (const std::string& partition : partitions) {
      RETURN_IF_ERROR(
          CollectTermMatches(store_, snapshot_.get(), store_->agreement_index(),
                             partition + std::string(1, kIndexTerm) + term, ids));
    }
    // Parties whose names match: their agreements, as the caller may see them.
    std::set<std::string> parties;
    RETURN_IF_ERROR(CollectTermMatches(store_, snapshot_.get(), store_->party_index(),
                                       std::string(1, kIndexPartyTerm) + term, parties));
    for (const std::string& party : parties) {
      IndexScan scan(store_, snapshot_.get(), store_->agreement_index(),
                     WithEntry(partitions, IndexPrefix(kIndexParty, party)), "");
      for (; scan.Valid() && ids.size() < kMaxSearchCandidates; scan.Next()) {
        ids.insert(scan.id());
      }
      RETURN_IF_ERROR(scan.status());
    }
    for (const std::string& id : ids) ++matched[id];
  }
  // Rank every candidate the filters keep, then cut the page after `after`.
  std::map<std::string, v1::Agreement> ranked;
  Page<v1::Agreement> page;
  for (const auto& [id, count] : matched) {
    ++page.scanned;
    ASSIGN_OR_RETURN(v1::Agreement agreement, GetAgreement(id));
    if (!KeepAgreement(filter, agreement)) continue;
    const std::string order_value =
        filter.order == 0 ? "" : OrderValue(agreement, filter.order);
    std::string key = filter.order == 0 ? RankKey(count, "", id)
                                        : absl::StrCat(order_value, std::string(1, '\0'),
                                                       RankKey(count, "", id));
    if (!after.empty() && key <= after) continue;
    ranked.emplace(std::move(key), std::move(agreement));
  }
  std::string last_key;
  for (auto& [key, agreement] : ranked) {
    if (page.items.size() == page_size) {
      page.next_after = last_key;  // another kept result follows
      break;
    }
    page.items.push_back(std::move(agreement));
    last_key = key;
  }
  return page;
}

absl::StatusOr<v1::SectorStatistics> ViewReader::GetStatistics(
    const std::string& sector, const std::string& party_id, bool non_public,
    bool by_month) const {
  std::map<std::string, v1::PeriodCounts> periods;
  for (const std::string& part : CounterSectorsOf(sector, non_public)) {
    RETURN_IF_ERROR(AddStatistics(store_, snapshot_.get(),
                                  StatisticsPrefix(part, party_id), by_month, periods));
  }
  v1::SectorStatistics statistics;
  statistics.set_sector(sector);
  for (auto& [period, counts] : periods) *statistics.add_periods() = std::move(counts);
  return statistics;
}

}  // namespace agreements::store
