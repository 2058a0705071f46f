// The log's RFC 9162 Merkle tree, kept in the `merkle` column family and maintained at
// append in the same batch as the events (docs/audit.md).
//
// Stored nodes are the complete subtrees: key = level (1 byte) || index (u64 BE), value =
// the 32-byte hash of leaves [index * 2^level, (index + 1) * 2^level). Each append adds
// one leaf node and the subtrees it completes (two nodes per leaf on average). Any root,
// inclusion proof or consistency proof then needs O(log n) reads: a range that is not a
// complete subtree is split as RFC 9162 splits it, down to stored subtrees.
#ifndef AGREEMENTS_STORE_MERKLE_TREE_H_
#define AGREEMENTS_STORE_MERKLE_TREE_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/merkle.h"
#include "rocksdb/write_batch.h"
#include "store/store.h"

namespace agreements::store {

std::string MerkleNodeKey(int level, uint64_t index);

// Appends leaves, producing the new complete-subtree nodes. Start() loads the right edge
// of the tree (at most one node per level), so Append never reads the store and cannot
// fail. Not thread-safe (the committer thread, or a rebuild).
class MerkleAppender {
 public:
  // Loads the frontier of the tree of `size` leaves from `store` (nothing for size 0).
  static absl::StatusOr<MerkleAppender> Start(const Store* store, uint64_t size);
  // An appender of a new, empty tree (reads nothing).
  static MerkleAppender Empty() { return MerkleAppender(0); }

  void Append(const merkle::Hash& leaf);
  uint64_t size() const { return size_; }
  // The root of the tree so far (from the right edge).
  merkle::Hash Root() const;
  // Nodes created since the last call, as (key, hash) for the `merkle` family.
  std::vector<std::pair<std::string, merkle::Hash>> TakeAdded();

 private:
  explicit MerkleAppender(uint64_t size) : size_(size) {}

  uint64_t size_;
  // The right edge: per level, the last complete subtree (level -> hash), and its index.
  std::map<int, std::pair<uint64_t, merkle::Hash>> edge_;
  std::vector<std::pair<std::string, merkle::Hash>> added_;
};

// Reads roots and proofs from one snapshot. Not thread-safe; cheap. By default it reads
// the log's tree; the stream-head map keeps a tree of the same layout under a key prefix
// of its own family (store/stream_map.h).
class MerkleReader {
 public:
  MerkleReader(const Store* store, const rocksdb::Snapshot* snapshot)
      : MerkleReader(store, snapshot, store->merkle(), "") {}
  MerkleReader(const Store* store, const rocksdb::Snapshot* snapshot,
               rocksdb::ColumnFamilyHandle* family, std::string key_prefix)
      : store_(store),
        snapshot_(snapshot),
        family_(family),
        key_prefix_(std::move(key_prefix)) {}

  // The root of the tree of the first `size` leaves.
  absl::StatusOr<merkle::Hash> Root(uint64_t size) const;
  // RFC 9162 PATH(index, D[size]), leaf to root.
  absl::StatusOr<std::vector<merkle::Hash>> InclusionProof(uint64_t index,
                                                           uint64_t size) const;
  // RFC 9162 PROOF(size1, D[size2]).
  absl::StatusOr<std::vector<merkle::Hash>> ConsistencyProof(uint64_t size1,
                                                             uint64_t size2) const;

 private:
  // MTH of leaves [start, start + count).
  absl::StatusOr<merkle::Hash> Subtree(uint64_t start, uint64_t count) const;
  absl::Status Path(uint64_t index, uint64_t start, uint64_t count,
                    std::vector<merkle::Hash>& out) const;
  absl::Status SubProof(uint64_t m, uint64_t start, uint64_t count, bool whole,
                        std::vector<merkle::Hash>& out) const;

  absl::StatusOr<merkle::Hash> ReadNode(int level, uint64_t index) const;

  const Store* const store_;
  const rocksdb::Snapshot* const snapshot_;
  rocksdb::ColumnFamilyHandle* const family_;
  const std::string key_prefix_;
};

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_MERKLE_TREE_H_
