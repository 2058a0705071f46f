// Builds families beside the stored ones from a rebuild's output: each family's final
// contents (CollectingSink, in key order) become sorted SST files ingested into a new
// column family (Store::CreateBeside), ready for Store::Swap. Used by the offline
// rebuild that replaces every derived family and by the online rebuild of one family.
#ifndef AGREEMENTS_STORE_FAMILY_BUILD_H_
#define AGREEMENTS_STORE_FAMILY_BUILD_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "store/keys.h"
#include "store/rebuild_output.h"
#include "store/store.h"

namespace agreements::store {

struct BuiltFamily {
  Family family;
  rocksdb::ColumnFamilyHandle* handle = nullptr;
  uint64_t keys = 0;
  uint64_t files = 0;
};

// Most bytes in one SST file written by a build (RocksDB's own target file size).
inline constexpr uint64_t kBuildFileBytes = 64 << 20;

// Writes each family's contents from `sink` (which it drains) into a new column family,
// two families at a time. On failure the new column families are dropped.
absl::StatusOr<std::vector<BuiltFamily>> BuildBeside(Store* store, CollectingSink& sink,
                                                     const std::vector<Family>& families);

// The (family, handle) pairs Store::Swap takes.
std::vector<std::pair<Family, rocksdb::ColumnFamilyHandle*>> SwapList(
    const std::vector<BuiltFamily>& built);

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_FAMILY_BUILD_H_
