// The stream-head map: for every agreement and party stream with an event at or before a
// tree size N, its latest revision and the leaf hash of its latest event, as of N. Each
// signed checkpoint commits to the RFC 9162 root of this map (docs/audit.md), so a
// history can be shown to end where it does: nothing withheld after its last event.
//
// Map leaf: stream type (1 byte) || id || 0x00 || revision (u64 BE) || head leaf hash
// (32 bytes). Leaves are in the order the streams were created (the position of each
// stream's first event), so a new stream appends a leaf and a later event of a stream
// replaces its leaf in place: the projection keeps the map in the `stream_map` family in
// the projection's batches (its applier, store/appliers/stream_map.cc), with the log
// tree's layout (complete subtrees stored), at O(log streams) per changed stream.
//
// stream_map keys:
//   "c"                          -> number of streams (u64 BE)
//   "l" || index (u64 BE)        -> the leaf
//   "n" || level || index        -> hash of the complete subtree (as the merkle family)
//   "s" || type || id || 0x00    -> the stream's index (u64 BE)
#ifndef AGREEMENTS_STORE_STREAM_MAP_H_
#define AGREEMENTS_STORE_STREAM_MAP_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "agreements/v1/events.pb.h"
#include "common/merkle.h"
#include "rocksdb/write_batch.h"
#include "store/applier.h"
#include "store/merkle_tree.h"
#include "store/store.h"

namespace agreements::store {

inline constexpr char kStreamMapCount[] = "c";
inline constexpr char kStreamMapNodePrefix[] = "n";
std::string StreamMapLeafKey(uint64_t index);
std::string StreamMapIndexKey(agreements::v1::StreamType type, const std::string& id);

std::string StreamMapLeaf(agreements::v1::StreamType type, const std::string& id,
                          uint64_t revision, const merkle::Hash& head);

// The number of streams in the stored map as of `snapshot` (nullptr: latest).
absl::StatusOr<uint64_t> StreamMapCount(const Store* store,
                                        const rocksdb::Snapshot* snapshot);

// A reader of the stored map's tree (root and inclusion proofs) as of a snapshot.
MerkleReader StreamMapReader(const Store* store, const rocksdb::Snapshot* snapshot);

// A stream's leaf in the stored map as of a snapshot: its index and bytes; NOT_FOUND when
// the stream has no event.
struct StreamMapEntry {
  uint64_t index = 0;
  std::string leaf;
};
absl::StatusOr<StreamMapEntry> StoredStreamMapEntry(const Store* store,
                                                    const rocksdb::Snapshot* snapshot,
                                                    agreements::v1::StreamType type,
                                                    const std::string& id);

// The stored map's leaves in index order, as of the snapshot's head (O(streams); tests
// and the rebuild check).
absl::StatusOr<std::vector<std::string>> StoredStreamMapLeaves(
    const Store* store, const rocksdb::Snapshot* snapshot);

// The map's leaves as of any `size` up to the snapshot's head, in index order, derived
// from the stream index and the log tree (O(events) reads, O(streams) memory). Used for
// completeness proofs against checkpoints older than the latest.
absl::StatusOr<std::vector<std::string>> StreamMapLeaves(
    const Store* store, const rocksdb::Snapshot* snapshot, uint64_t size);

// RFC 9162 root and inclusion proof over in-memory leaves.
merkle::Hash MapRoot(const std::vector<std::string>& leaves);
std::vector<merkle::Hash> MapInclusionProof(const std::vector<std::string>& leaves,
                                            uint64_t index);

// Every key and value of a stored map holding `leaves` (in index order), unsorted: what
// the rebuild expects.
std::vector<std::pair<std::string, std::string>> StreamMapContents(
    const std::vector<std::string>& leaves);

// The changes one batch makes to the stored map. Streams created by the batch are added
// in position order; every stream the batch touched gets its new leaf; Finish writes the
// leaves, the new indexes, the count and the complete subtrees above every changed leaf.
// Not thread-safe (the projection's thread).
class StreamMapWriter {
 public:
  // Loads the stream count (as of the latest committed state).
  static absl::StatusOr<StreamMapWriter> Start(const Store* store);

  // The index of a stream that exists in the store or was added to this writer;
  // NOT_FOUND otherwise. Reads the store once per stream.
  absl::StatusOr<uint64_t> IndexOf(agreements::v1::StreamType type,
                                   const std::string& id);
  // Adds a stream created by the group; returns its index.
  uint64_t AddStream(agreements::v1::StreamType type, const std::string& id);
  // Sets the leaf at `index` (< count()).
  void SetLeaf(uint64_t index, std::string leaf);
  // Adds every change to `batch`; reads the unchanged sibling nodes it needs.
  absl::Status Finish(ViewSink& sink);

  uint64_t count() const { return count_; }

 private:
  StreamMapWriter(const Store* store, uint64_t count)
      : store_(store), count_(count), stored_count_(count) {}
  absl::StatusOr<merkle::Hash> Node(int level, uint64_t index) const;

  const Store* store_;
  uint64_t count_;
  uint64_t stored_count_;
  std::map<std::string, uint64_t> indexes_;      // index key -> index
  std::map<std::string, uint64_t> new_indexes_;  // streams added by this writer
  std::map<uint64_t, std::string> leaves_;       // changed leaves
  std::map<std::pair<int, uint64_t>, merkle::Hash> nodes_;  // recomputed nodes
};

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_STREAM_MAP_H_
