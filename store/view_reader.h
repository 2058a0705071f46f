// ViewReader: reads the current-state views (agreements, parties, indexes, sector
// counters) from one RocksDB snapshot, so every answer reflects exactly one position.
//
// Not thread-safe (one per request); cheap to create. Does not own the Store.
#ifndef AGREEMENTS_STORE_VIEW_READER_H_
#define AGREEMENTS_STORE_VIEW_READER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agreements/storage/v1/storage.pb.h"
#include "agreements/v1/agreement.pb.h"
#include "agreements/v1/party.pb.h"
#include "agreements/v1/query_service.pb.h"
#include "domain/confidentiality.h"
#include "store/store.h"

namespace agreements::store {

struct AgreementFilter {
  std::string sector;
  agreements::v1::AgreementStatus status = agreements::v1::AGREEMENT_STATUS_UNSPECIFIED;
  agreements::v1::InstrumentKind kind = agreements::v1::INSTRUMENT_KIND_UNSPECIFIED;
  std::string party_id;
  // With party_id: the participant's current status is one of these (empty: any).
  std::vector<agreements::v1::ParticipationStatus> party_statuses;
  // With party_id: a condition on the participant now.
  agreements::v1::PartyCondition party_condition =
      agreements::v1::PARTY_CONDITION_UNSPECIFIED;
  // A depositary of the agreement.
  std::string depositary_id;
  // Binding, in force or suspended, and not registered with the UN Secretariat.
  bool registration_due = false;
  // The date "now" is for party_condition (the dates the views hold are read against it,
  // domain::StatusAsRecorded); unset: the record alone.
  agreements::v1::Date today;
  // Inclusive bounds on signed_on; unset (year 0) means open.
  agreements::v1::Date signed_from;
  agreements::v1::Date signed_to;
  // Who reads: non-public agreements it does not see are left out (with `sector` set,
  // by whether it sees non-public agreements of that sector).
  domain::Clearance clearance = domain::Clearance::All();
  // Text search: the query's terms (store/text_terms.h); empty: no search.
  std::vector<std::string> terms;
  // A sort order of store/projector.h (kOrderSigned ...); 0: by id (or relevance).
  char order = 0;
};

// Whether an agreement passes every filter of `filter` (clearance included).
bool KeepAgreement(const AgreementFilter& filter, const agreements::v1::Agreement& a);

// Text search: the most agreements (and parties) one query term considers.
inline constexpr size_t kMaxSearchCandidates = 10000;

struct PartyFilter {
  agreements::v1::PartyType type = agreements::v1::PARTY_TYPE_UNSPECIFIED;
  std::string country_code;
};

template <typename T>
struct Page {
  std::vector<T> items;
  // Id to continue after; empty when there is nothing more.
  std::string next_after;
  // Index entries examined (only entries of the partitions the caller may read).
  size_t scanned = 0;
};

// One sector's counters, assembled from its entries in sector_counters (empty counters
// when it has none).
absl::StatusOr<agreements::storage::v1::SectorCounters> ReadSectorCounters(
    const Store* store, const rocksdb::Snapshot* snapshot, const std::string& sector);

class ViewReader {
 public:
  // Most index entries examined for one page; a page may come back short (with a
  // continuation) when filters reject many entries. Lists examine only the entries of
  // agreements the caller may see, so this limit never depends on hidden ones.
  static constexpr size_t kMaxScanPerPage = 20000;

  static absl::StatusOr<std::unique_ptr<ViewReader>> Create(const Store* store);

  // The global position these views reflect.
  uint64_t position() const { return position_; }

  absl::StatusOr<agreements::v1::Agreement> GetAgreement(const std::string& id) const;
  // Whether `clearance` sees agreement `id`, from its small visibility entry: false for
  // an agreement that does not exist and for one it may not see, after the same one seek,
  // so that a caller can tell neither apart by the answer or its time.
  absl::StatusOr<bool> Sees(const domain::Clearance& clearance,
                            const std::string& id) const;
  // The id of the agreement that holds a scheme-qualified identifier (or registration
  // number, scheme "UNTS"); NOT_FOUND when none does.
  absl::StatusOr<std::string> FindAgreementId(
      const agreements::v1::Identifier& identifier) const;
  absl::StatusOr<agreements::v1::Party> GetParty(const std::string& id) const;
  // Ordered by id, by filter.order, or for a search by relevance; starts after `after`
  // (exclusive: an id, or the sort key the previous page ended with). Reads only the list
  // partitions `filter.clearance` may see.
  absl::StatusOr<Page<agreements::v1::Agreement>> ListAgreements(
      const AgreementFilter& filter, const std::string& after, size_t page_size) const;
  absl::StatusOr<Page<agreements::v1::Party>> ListParties(const PartyFilter& filter,
                                                          const std::string& after,
                                                          size_t page_size) const;
  // Empty counters when the sector has no agreement. Counts public agreements only,
  // or with `non_public` also the restricted and confidential ones.
  absl::StatusOr<agreements::storage::v1::SectorCounters> GetSectorCounters(
      const std::string& sector, bool non_public) const;
  // One sector's statistics (store/statistics.h) for every agreement, or those of
  // `party_id`, counting non-public ones with `non_public`.
  absl::StatusOr<agreements::v1::SectorStatistics> GetStatistics(
      const std::string& sector, const std::string& party_id, bool non_public,
      bool by_month) const;

 private:
  explicit ViewReader(const Store* store) : store_(store), snapshot_(store->db()) {}
  // ListAgreements with filter.terms: every candidate ranked, then one page.
  absl::StatusOr<Page<agreements::v1::Agreement>> SearchAgreements(
      const AgreementFilter& filter, const std::string& after, size_t page_size) const;

  const Store* store_;
  ScopedSnapshot snapshot_;
  uint64_t position_ = 0;
};

// The ids of the agreements that list `party_id` as a participant, in id order, from
// `snapshot` (nullptr: the latest state).
absl::StatusOr<std::vector<std::string>> AgreementIdsOfParty(
    const Store* store, const rocksdb::Snapshot* snapshot, const std::string& party_id);

// The id of the agreement holding `identifier` in agreement_index (NOT_FOUND if none);
// read from `snapshot` (nullptr: the latest state).
absl::StatusOr<std::string> FindIdentifierOwner(
    const Store* store, const rocksdb::Snapshot* snapshot,
    const agreements::v1::Identifier& identifier);

// True when `date` lies within [from, to] (see ListAgreementsRequest): a date of lower
// precision is placed at its first day; `to` of lower precision extends to its last day.
bool DateWithin(const agreements::v1::Date& date, const agreements::v1::Date& from,
                const agreements::v1::Date& to);

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_VIEW_READER_H_
