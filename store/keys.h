// Key encodings of the store. Every integer in a key is fixed-width big-endian, so byte
// order is numeric order. docs/storage.md has the whole schema as one table.
#ifndef AGREEMENTS_STORE_KEYS_H_
#define AGREEMENTS_STORE_KEYS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "agreements/v1/events.pb.h"

namespace agreements::store {

// The column families, in one table: Family names a family, FamilyName gives its
// RocksDB name, and Store opens them in this order (Store::handle(Family)).
enum class Family : int {
  kDefault,
  kLog,
  kStreams,
  kRequests,
  kAgreements,
  kParties,
  kAgreementIndex,
  kPartyIndex,
  kSectorCounters,
  kEventTags,
  kMerkle,
  kCheckpoints,
  kStreamMap,
  kStatistics,
  kCount,  // not a family
};
inline constexpr int kFamilyCount = static_cast<int>(Family::kCount);
const char* FamilyName(Family family);

// Column family names.
inline constexpr char kCfLog[] = "log";
inline constexpr char kCfStreams[] = "streams";
inline constexpr char kCfRequests[] = "requests";
inline constexpr char kCfAgreements[] = "agreements";
inline constexpr char kCfParties[] = "parties";
inline constexpr char kCfAgreementIndex[] = "agreement_index";
inline constexpr char kCfPartyIndex[] = "party_index";
inline constexpr char kCfSectorCounters[] = "sector_counters";
inline constexpr char kCfEventTags[] = "event_tags";
inline constexpr char kCfMerkle[] = "merkle";
inline constexpr char kCfCheckpoints[] = "checkpoints";
inline constexpr char kCfStreamMap[] = "stream_map";
inline constexpr char kCfStatistics[] = "statistics";

// Keys of the default column family.
inline constexpr char kMetaSchemaVersion[] = "meta/schema_version";
inline constexpr char kMetaHead[] = "meta/head";
// The last position the views reflect, written by the projection with its views.
inline constexpr char kMetaApplied[] = "meta/applied";
// Cluster mode only: the index and term of the last record of the replicated log this
// store holds (EncodeU64(index) · EncodeU64(term)), written with the record's events.
inline constexpr char kMetaRecord[] = "meta/record";
// Prefix of the keys naming the generation each replaced family is stored in
// ("meta/family/agreements" -> "2": column family "agreements@2"); absent means the
// first generation, stored under the family's own name.
inline constexpr char kMetaFamilyPrefix[] = "meta/family/";
// 2 added event_tags, 3 the merkle tree, 4 the stored stream-head map, 5 sector counters
// split into one key per entry, 6 list entries per visibility partition and visibility
// entries, 7 views written by the projection behind the log (meta/applied); an older
// store is migrated on open by deriving them from the log; 8 added the text-search and
// sort entries of agreement_index and party_index and the statistics family.
inline constexpr char kSchemaVersion[] = "8";
// Set by the migration to version 4: the tree size from which signed checkpoints commit
// to the stream-head map in creation order (before it, in key order).
inline constexpr char kMetaStreamMapSince[] = "meta/stream_map_since";

// The list entries of agreement_index are kept per visibility partition, so that a list
// scans only entries its caller may see (docs/security.md):
//   'L' · partition · tag · value · 0x00 · agreement id -> empty
// where the partition is 'p' (public agreements), 'n' (every non-public agreement) or
// 's' · sector · 0x00 (the non-public agreements of that sector, one entry per sector).
inline constexpr char kIndexList = 'L';
inline constexpr char kPartitionPublic = 'p';
inline constexpr char kPartitionNonPublic = 'n';
inline constexpr char kPartitionSector = 's';
// List tags (after the partition).
inline constexpr char kIndexAll = 'a';  // every agreement, with an empty value
inline constexpr char kIndexSector = 's';
inline constexpr char kIndexStatus = 't';
inline constexpr char kIndexKind = 'k';
inline constexpr char kIndexParty = 'p';
// Depositaries (not participants).
inline constexpr char kIndexDepositary = 'd';
// Text search: 'w' · term · 0x00 · agreement id, one per term of the titles and the
// summary (store/text_terms.h). A query term is looked up as a key prefix.
inline constexpr char kIndexTerm = 'w';
// Sort orders: 'o' · order byte · sort value · 0x00 · agreement id, where the value
// holds no 0x00 (store/projector.h, OrderEntry).
inline constexpr char kIndexOrder = 'o';
// Scheme-qualified identifiers (not partitioned: unique in the whole registry):
// 'i' · scheme · 0x00 · value · 0x00 · agreement id; registration numbers with the UN
// Secretariat under the scheme "UNTS".
inline constexpr char kIndexIdentifier = 'i';
// Who may see an agreement, read before its view:
//   'V' · agreement id · 0x00 · level (1 byte) · sectors joined by ',' -> empty
inline constexpr char kIndexVisibility = 'V';
// Index tags of the party_index column family.
inline constexpr char kIndexPartyType = 'y';
inline constexpr char kIndexPartyCountry = 'c';
// Text search of party names: 'w' · term · 0x00 · party id.
inline constexpr char kIndexPartyTerm = 'w';

void AppendU64(std::string& out, uint64_t value);
void AppendU32(std::string& out, uint32_t value);
std::string EncodeU64(uint64_t value);
// Decodes 8 big-endian bytes; false if the input is not 8 bytes long.
bool DecodeU64(absl::string_view in, uint64_t& value);

// log: position -> Event bytes.
inline std::string LogKey(uint64_t position) { return EncodeU64(position); }

// streams: type byte, id, 0x00, revision -> position. Ids never contain 0x00.
std::string StreamPrefix(agreements::v1::StreamType type, absl::string_view id);
std::string StreamKey(agreements::v1::StreamType type, absl::string_view id,
                      uint64_t revision);

// agreement_index / party_index: tag, value, 0x00, id -> empty. Enum values are encoded
// as 4-byte big-endian numbers, strings as themselves; the 0x00 separator ends the value.
std::string IndexPrefix(char tag, absl::string_view value);
std::string IndexPrefixEnum(char tag, int value);
std::string EnumValue(int value);

// The prefix of one list partition: 'L' · 'p', 'L' · 'n', or 'L' · 's' · sector · 0x00.
std::string ListPartition(char partition, absl::string_view sector = "");
// The visibility entry of an agreement, and its prefix ('V' · id · 0x00).
std::string VisibilityPrefix(absl::string_view agreement_id);
std::string VisibilityKey(absl::string_view agreement_id, int level,
                          absl::string_view joined_sectors);

// The agreement_index prefix of one identifier: 'i' · scheme · 0x00 · value · 0x00, both
// in ASCII upper case (identifiers are unique without regard to case). Schemes and
// values hold no 0x00 (validation refuses control characters).
std::string IdentifierPrefix(absl::string_view scheme, absl::string_view value);

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_KEYS_H_
