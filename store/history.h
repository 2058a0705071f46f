// History and bitemporal reads over the log (docs/audit.md): an agreement's or party's
// events, field-level diffs between revisions, states "as recorded" at a position or a
// time (transaction time), and a sector as recorded. Every function reads from the
// snapshot it is given. Thread-safe (no state); does not own the store.
#ifndef AGREEMENTS_STORE_HISTORY_H_
#define AGREEMENTS_STORE_HISTORY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agreements/v1/audit_service.pb.h"
#include "agreements/v1/events.pb.h"
#include "store/store.h"

namespace agreements::store {

// The position an AsOf names, at most the snapshot's head: its position, or the last
// position recorded at or before its time (binary search: recorded_at never decreases
// along positions), or the head when unset.
absl::StatusOr<uint64_t> ResolveAsOf(const Store* store,
                                     const rocksdb::Snapshot* snapshot,
                                     const agreements::v1::AsOf& as_of);

// The events of one stream with positions <= max_position, in revision order.
absl::StatusOr<std::vector<agreements::v1::Event>> StreamHistory(
    const Store* store, const rocksdb::Snapshot* snapshot,
    agreements::v1::StreamType type, const std::string& id, uint64_t max_position);

// The field changes made by each event after `from_revision` up to `to_revision`, in
// event order. Bookkeeping fields (revision, last_position, times) are left out.
std::vector<agreements::v1::FieldChange> DiffHistory(
    const std::vector<agreements::v1::Event>& history, uint64_t from_revision,
    uint64_t to_revision);

// The agreements of a sector as recorded at `position`, ordered by id: those whose state
// at that position lists the sector. Finds candidates from the event tags of positions
// 1..position, then replays each candidate's stream (cost: O(position) tag reads).
absl::StatusOr<std::vector<agreements::v1::Agreement>> SectorAsOf(
    const Store* store, const rocksdb::Snapshot* snapshot, const std::string& sector,
    uint64_t position);

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_HISTORY_H_
