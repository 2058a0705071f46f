// The projection of state into views: the keys and values the appliers
// (store/appliers/) write, live and in a rebuild.
//
// All functions are pure and thread-safe.
#ifndef AGREEMENTS_STORE_PROJECTOR_H_
#define AGREEMENTS_STORE_PROJECTOR_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "agreements/storage/v1/storage.pb.h"
#include "agreements/v1/agreement.pb.h"
#include "agreements/v1/events.pb.h"
#include "agreements/v1/party.pb.h"
#include "agreements/v1/types.pb.h"

namespace agreements::store {

// Builds the feed tags of one event (event_tags column family): the sectors, instrument
// kinds and parties of the agreement just before and just after the event, or the party
// of a party event. Sorted and unique, so the bytes are deterministic.
class EventTagger {
 public:
  // `with_parties` false leaves the participants out (they were added already).
  void Add(const agreements::v1::Agreement& agreement, bool with_parties = true);
  void AddParty(const std::string& party_id) { parties_.push_back(party_id); }
  agreements::storage::v1::EventTags Build();

 private:
  std::set<std::string> sectors_;
  std::set<int> kinds_;
  // Sorted and made unique by Build: one sort instead of a tree insert per participant.
  std::vector<std::string> parties_;
  int level_ = 0;
};

// The tags of one event: of its agreement just before (null before the first event)
// and just after it, or of its party for a party event.
agreements::storage::v1::EventTags EventTagsOf(
    const agreements::v1::Agreement* before, const agreements::v1::Agreement* after,
    const agreements::v1::EventEnvelope& envelope);

// True when two states of an agreement have the same index keys and the same counter
// contributions: the same sectors, status, kind, level, participants, depositaries,
// identifiers, registrations and amounts, titles, summary, the dates of signature, entry
// into force and end, and the recording time (in the same order; a difference of order
// alone answers false, which only costs a recomputation). Most events (a signature, a
// ratification, a document) change none of them, and then the views skip the
// recomputation, whose cost grows with the number of participants.
bool SameListingInputs(const agreements::v1::Agreement& a,
                       const agreements::v1::Agreement& b);

// Keys of agreement_index for one agreement (sorted, unique): its list entries (every
// agreement, sectors, status, kind, parties, depositaries, text terms, sort orders) in
// each visibility partition
// it belongs to, its identifiers, and its visibility entry (store/keys.h).
std::vector<std::string> AgreementIndexKeys(const agreements::v1::Agreement& agreement);
// The list partitions of an agreement: public, or non-public and one per sector.
std::vector<std::string> ListPartitionsOf(const agreements::v1::Agreement& agreement);

// The UNTS scheme: registration numbers with the UN Secretariat are identifiers of it.
inline constexpr char kUntsScheme[] = "UNTS";

// The scheme-qualified identifiers an agreement holds in the registry, each unique among
// all agreements: its identifiers and its registration numbers (scheme "UNTS").
std::vector<agreements::v1::Identifier> UniqueIdentifiersOf(
    const agreements::v1::Agreement& agreement);

// The sort orders of lists (ListAgreementsRequest.order_by): upper case ascending, lower
// case descending. Agreements without the date (or title) come last either way.
inline constexpr char kOrderSigned = 'S';
inline constexpr char kOrderInForce = 'E';
inline constexpr char kOrderRecorded = 'R';
inline constexpr char kOrderTitle = 'T';
inline constexpr char kOrders[] = {'S', 's', 'E', 'e', 'R', 'r', 'T', 't'};
bool DescendingOrder(char order);
// The sort value of an agreement under `order` (no 0x00 byte): dates as YYYYMMDD, the
// recording time, the lower-cased title (English, else the first); complemented bytes
// for a descending order.
std::string OrderValue(const agreements::v1::Agreement& agreement, char order);

// Keys of party_index for one party: its type and country, and its name terms.
std::vector<std::string> PartyIndexKeys(const agreements::v1::Party& party);

// Sector -> running counters. An ordered map so iteration (and so rebuild output) is
// deterministic.
using SectorCounterMap = std::map<std::string, agreements::storage::v1::SectorCounters>;

// What ApplyContribution changed: the sectors (their counts by status and kind), and the
// (sector, amount key) and (sector, party id) entries.
struct CounterChanges {
  std::set<std::string> sectors;
  std::set<std::pair<std::string, std::string>> amounts;
  std::set<std::pair<std::string, std::string>> parties;
};

// Adds (sign = +1) or removes (sign = -1) one agreement's contribution to the counters of
// each of its sectors, noting what changed in `changes` when given. Entries that reach
// zero are erased, so that incremental updates and a from-scratch rebuild give identical
// bytes.
void ApplyContribution(const agreements::v1::Agreement& agreement, int sign,
                       SectorCounterMap& counters, CounterChanges* changes = nullptr);

// The sector_counters family stores one sector's counters as several keys, so that a
// commit rewrites only what it changed (a sector's party and amount maps grow with the
// registry):
//   sector 0x00 'c'               -> SectorCounters with agreement_count, by_status,
//                                    by_kind only
//   sector 0x00 'a' amount key    -> AmountTotalRecord
//   sector 0x00 'p' party id      -> u64 BE agreement count
// Sector codes never contain 0x00.
std::string SectorCountersPrefix(const std::string& sector);
std::string SectorCountsKey(const std::string& sector);
std::string SectorAmountKey(const std::string& sector, const std::string& amount_key);
std::string SectorPartyKey(const std::string& sector, const std::string& party_id);

// A key and its value, or no value for a key to delete.
struct CounterEntry {
  std::string key;
  std::optional<std::string> value;
};
// The entries of `changes` as they now are in `counters` (deletions for entries gone).
std::vector<CounterEntry> ChangedCounterEntries(const SectorCounterMap& counters,
                                                const CounterChanges& changes);
// Every entry of one sector's counters (none for empty counters), in key order.
std::vector<std::pair<std::string, std::string>> SectorCounterEntries(
    const std::string& sector, const agreements::storage::v1::SectorCounters& counters);
// Adds one stored entry (key without the sector prefix, starting with its tag) to
// `counters`; false when it is malformed.
bool MergeSectorCounterEntry(absl::string_view suffix, absl::string_view value,
                             agreements::storage::v1::SectorCounters& counters);

// The counters of non-public agreements are kept apart from the public ones, under
// "<sector>/restricted" and "<sector>/confidential" (sector codes hold no '/'), so that a
// summary adds only the levels its caller may see (docs/storage.md). The public level
// (and an unspecified one) uses the sector itself, as before confidentiality existed.
std::string CounterSector(const std::string& sector, int level);
// The counter sectors of one sector's views: the public one, and with `non_public` the
// restricted and confidential ones too.
std::vector<std::string> CounterSectorsOf(const std::string& sector, bool non_public);
// Adds `from` to `into` (every count, total and party count).
void AddCounters(const agreements::storage::v1::SectorCounters& from,
                 agreements::storage::v1::SectorCounters& into);

// True when a sector's counters hold nothing (the record is then deleted, not stored).
bool CountersEmpty(const agreements::storage::v1::SectorCounters& counters);

// Key of an amount total: "<currency>/<AmountType number>".
std::string AmountTotalKey(const agreements::v1::Money& money, int amount_type);

// Exact decimal arithmetic on Money: a + sign * b, normalized (units and nanos with the
// same sign, |nanos| < 10^9). The currency of `a` is kept.
agreements::v1::Money AddMoney(const agreements::v1::Money& a,
                               const agreements::v1::Money& b, int sign);

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_PROJECTOR_H_
