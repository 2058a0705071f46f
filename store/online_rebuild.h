// The rebuild of one view while the server runs, for when a view is added or one is
// found damaged (docs/storage.md, "Replacing a family"): the applier that writes the
// family replays the log from nothing up to the views' applied position, without
// stopping anything; then, between two projection batches, it replays what was applied
// since, writes its families as SST files into new column families beside the stored
// ones, and swaps them in. Reads never wait for it; appends go on, and the projection
// resumes after the swap.
#ifndef AGREEMENTS_STORE_ONLINE_REBUILD_H_
#define AGREEMENTS_STORE_ONLINE_REBUILD_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "store/projection.h"
#include "store/rebuild.h"
#include "store/store.h"

namespace agreements::store {

struct FamilyRebuildReport {
  // The families replaced (all those of the applier that writes the one asked for).
  std::vector<std::string> families;
  // The applied position the new families reflect, the events replayed, keys written.
  uint64_t position = 0;
  uint64_t events = 0;
  uint64_t keys = 0;
  // How long the projection was held for the last replay, the files and the swap.
  absl::Duration held;
};

// Rebuilds the view family named `family` (its column family's first-generation name,
// e.g. "agreements"), with its applier's other families. INVALID_ARGUMENT for a family
// that is not a view (the log, requests, checkpoints, or a record-stage family the
// committer writes: rebuild those offline).
absl::StatusOr<FamilyRebuildReport> RebuildFamilyOnline(
    Store* store, Projection* projection, const std::string& family,
    const RebuildProgress& progress = nullptr);

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_ONLINE_REBUILD_H_
