// The stream-head map: for every agreement and party stream with an event at or before a
// tree size N, its latest revision and the leaf hash of its latest event, as of N. Each
// signed checkpoint commits to the RFC 9162 root of this map (docs/audit.md), so a
// history can be shown to end where it does: nothing withheld after its last event.
//
// Map leaves, in key order: stream type (1 byte) || id || 0x00 || revision (u64 BE) ||
// head leaf hash (32 bytes). Computing the map reads the stream index (O(events)).
#ifndef AGREEMENTS_STORE_STREAM_MAP_H_
#define AGREEMENTS_STORE_STREAM_MAP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agreements/v1/events.pb.h"
#include "common/merkle.h"
#include "store/store.h"

namespace agreements::store {

std::string StreamMapLeaf(agreements::v1::StreamType type, const std::string& id,
                          uint64_t revision, const merkle::Hash& head);

// The map's leaves as of the snapshot's own head, from the current-state views (each
// agreement's and party's revision and last position are written in the batch of its
// events): O(streams). Used when signing a checkpoint at the head.
absl::StatusOr<std::vector<std::string>> StreamMapLeavesAtHead(
    const Store* store, const rocksdb::Snapshot* snapshot);

// The map's leaves as of any earlier `size`, in key order, from one snapshot (reads the
// stream index: O(events)). Used for proofs against older checkpoints.
absl::StatusOr<std::vector<std::string>> StreamMapLeaves(
    const Store* store, const rocksdb::Snapshot* snapshot, uint64_t size);

// RFC 9162 root and inclusion proof over in-memory leaves (the map is small next to the
// log, and rebuilt per checkpoint).
merkle::Hash MapRoot(const std::vector<std::string>& leaves);
std::vector<merkle::Hash> MapInclusionProof(const std::vector<std::string>& leaves,
                                            uint64_t index);

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_STREAM_MAP_H_
