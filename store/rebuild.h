// Rebuild: replays the log through every registered applier (store/applier.h) from
// nothing (store/replayer.h), and compares the result with the stored families key by key
// and byte for byte: the record stage (stream index, event tags) up to the head, the view
// stage up to the applied position the views claim. With repair set it also rewrites the
// stored families to match (offline use only: nothing else may write to the store
// meanwhile).
#ifndef AGREEMENTS_STORE_REBUILD_H_
#define AGREEMENTS_STORE_REBUILD_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/store.h"

namespace agreements::store {

struct RebuildReport {
  // Events replayed and the head position they end at.
  uint64_t events = 0;
  uint64_t head = 0;
  // The position the stored views reflect (what the view stage was compared at).
  uint64_t applied = 0;
  // Keys compared across the view column families.
  uint64_t keys_compared = 0;
  // Total number of differences, and the first ones in readable form, e.g.
  // "agreements/kz-kr-1: stored value differs from the rebuild".
  uint64_t difference_count = 0;
  std::vector<std::string> differences;
  // True when repair rewrote the differing keys (or ReplaceViews replaced families).
  bool repaired = false;
  // ReplaceViews: the keys written into the new families, and how many families.
  uint64_t keys_written = 0;
  uint64_t families_replaced = 0;
  // Where the time went: replaying the log through the appliers, and the rest
  // (sorting, comparing or writing files, swapping).
  double replay_seconds = 0;
  double output_seconds = 0;
};

// Most differences listed in the report (all are counted).
inline constexpr size_t kMaxListedDifferences = 100;

// Called now and then during the replay with the events replayed so far and the head.
using RebuildProgress = std::function<void(uint64_t events, uint64_t head)>;

absl::StatusOr<RebuildReport> RebuildViews(Store* store, bool repair,
                                           const RebuildProgress& progress = nullptr);

// Replays the whole log through every applier into new families beside the stored ones
// (sorted SST files, two families at a time: store/family_build.h), then swaps them in
// with the head as the applied position (Store::Swap). Offline only: nothing else may
// write to the store meanwhile. The stored families are not read at all, so a damaged
// view is replaced whatever it holds. The Merkle tree is rebuilt from the log too:
// `agreements-admin verify` checks the log against the signed checkpoints.
absl::StatusOr<RebuildReport> ReplaceViews(Store* store,
                                           const RebuildProgress& progress = nullptr);

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_REBUILD_H_
