// Rebuild: recomputes every view from the log with the same projection code the committer
// uses, and compares the result with the stored views key by key and byte for byte.
// With repair set it also rewrites the stored views to match (offline use only: nothing
// else may write to the store at the same time).
#ifndef AGREEMENTS_STORE_REBUILD_H_
#define AGREEMENTS_STORE_REBUILD_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/store.h"

namespace agreements::store {

struct RebuildReport {
  // Events replayed and the head position they end at.
  uint64_t events = 0;
  uint64_t head = 0;
  // Keys compared across the view column families.
  uint64_t keys_compared = 0;
  // Total number of differences, and the first ones in readable form, e.g.
  // "agreements/kz-kr-1: stored value differs from the rebuild".
  uint64_t difference_count = 0;
  std::vector<std::string> differences;
  // True when repair rewrote the differing keys.
  bool repaired = false;
};

// Most differences listed in the report (all are counted).
inline constexpr size_t kMaxListedDifferences = 100;

absl::StatusOr<RebuildReport> RebuildViews(Store* store, bool repair);

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_REBUILD_H_
