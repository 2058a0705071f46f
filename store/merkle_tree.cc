#include "store/merkle_tree.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/keys.h"

namespace agreements::store {
namespace {

absl::StatusOr<merkle::Hash> ReadStoredNode(const Store* store,
                                            const rocksdb::Snapshot* snapshot,
                                            rocksdb::ColumnFamilyHandle* family,
                                            const std::string& key_prefix, int level,
                                            uint64_t index) {
  auto value =
      store->Get(family, absl::StrCat(key_prefix, MerkleNodeKey(level, index)), snapshot);
  if (absl::IsNotFound(value.status())) {
    return absl::DataLossError(absl::StrCat("the Merkle tree in ", family->GetName(),
                                            " has no node at level ", level, " index ",
                                            index));
  }
  if (!value.ok()) return value.status();
  return merkle::HashFromBytes(*value, "stored Merkle node");
}

bool IsPowerOfTwo(uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

int Log2(uint64_t n) {
  int level = 0;
  while (n > 1) {
    n >>= 1;
    ++level;
  }
  return level;
}

}  // namespace

std::string MerkleNodeKey(int level, uint64_t index) {
  std::string key(1, static_cast<char>(level));
  AppendU64(key, index);
  return key;
}

absl::StatusOr<MerkleAppender> MerkleAppender::Start(const Store* store, uint64_t size) {
  MerkleAppender appender(size);
  uint64_t start = 0;
  for (int level = 63; level >= 0; --level) {
    const uint64_t width = uint64_t{1} << level;
    if ((size & width) == 0) continue;
    ASSIGN_OR_RETURN(merkle::Hash hash, ReadStoredNode(store, nullptr, store->merkle(),
                                                       "", level, start >> level));
    appender.edge_[level] = {start >> level, hash};
    start += width;
  }
  return appender;
}

void MerkleAppender::Append(const merkle::Hash& leaf) {
  uint64_t index = size_;
  int level = 0;
  merkle::Hash hash = leaf;
  while (true) {
    added_.emplace_back(MerkleNodeKey(level, index), hash);
    if ((index & 1) == 0) {  // a left child: its parent is not complete yet
      edge_[level] = {index, hash};
      break;
    }
    // A right child: its left sibling is the last complete subtree of this level.
    const merkle::Hash& left = edge_[level].second;
    hash = merkle::NodeHash(left, hash);
    edge_.erase(level);
    index >>= 1;
    ++level;
  }
  ++size_;
}

merkle::Hash MerkleAppender::Root() const {
  if (edge_.empty()) return merkle::EmptyRoot();
  // The edge's subtrees from the smallest (rightmost) up: each is a left sibling.
  auto it = edge_.begin();
  merkle::Hash hash = it->second.second;
  for (++it; it != edge_.end(); ++it) hash = merkle::NodeHash(it->second.second, hash);
  return hash;
}

std::vector<std::pair<std::string, merkle::Hash>> MerkleAppender::TakeAdded() {
  return std::move(added_);
}

absl::StatusOr<merkle::Hash> MerkleReader::ReadNode(int level, uint64_t index) const {
  return ReadStoredNode(store_, snapshot_, family_, key_prefix_, level, index);
}

absl::StatusOr<merkle::Hash> MerkleReader::Subtree(uint64_t start, uint64_t count) const {
  if (count == 0) return merkle::EmptyRoot();
  if (IsPowerOfTwo(count) && start % count == 0) {
    return ReadNode(Log2(count), start / count);
  }
  const uint64_t k = merkle::SplitPoint(count);
  ASSIGN_OR_RETURN(merkle::Hash left, Subtree(start, k));
  ASSIGN_OR_RETURN(merkle::Hash right, Subtree(start + k, count - k));
  return merkle::NodeHash(left, right);
}

absl::StatusOr<merkle::Hash> MerkleReader::Root(uint64_t size) const {
  return Subtree(0, size);
}

absl::Status MerkleReader::Path(uint64_t index, uint64_t start, uint64_t count,
                                std::vector<merkle::Hash>& out) const {
  if (count <= 1) return absl::OkStatus();
  const uint64_t k = merkle::SplitPoint(count);
  if (index < k) {
    RETURN_IF_ERROR(Path(index, start, k, out));
    ASSIGN_OR_RETURN(merkle::Hash sibling, Subtree(start + k, count - k));
    out.push_back(sibling);
  } else {
    RETURN_IF_ERROR(Path(index - k, start + k, count - k, out));
    ASSIGN_OR_RETURN(merkle::Hash sibling, Subtree(start, k));
    out.push_back(sibling);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<merkle::Hash>> MerkleReader::InclusionProof(
    uint64_t index, uint64_t size) const {
  if (index >= size) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf index ", index, " is not below the tree size ", size));
  }
  std::vector<merkle::Hash> proof;
  RETURN_IF_ERROR(Path(index, 0, size, proof));
  return proof;
}

absl::Status MerkleReader::SubProof(uint64_t m, uint64_t start, uint64_t count,
                                    bool whole, std::vector<merkle::Hash>& out) const {
  if (m == count) {
    if (!whole) {
      ASSIGN_OR_RETURN(merkle::Hash hash, Subtree(start, count));
      out.push_back(hash);
    }
    return absl::OkStatus();
  }
  const uint64_t k = merkle::SplitPoint(count);
  if (m <= k) {
    RETURN_IF_ERROR(SubProof(m, start, k, whole, out));
    ASSIGN_OR_RETURN(merkle::Hash right, Subtree(start + k, count - k));
    out.push_back(right);
  } else {
    RETURN_IF_ERROR(SubProof(m - k, start + k, count - k, false, out));
    ASSIGN_OR_RETURN(merkle::Hash left, Subtree(start, k));
    out.push_back(left);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<merkle::Hash>> MerkleReader::ConsistencyProof(
    uint64_t size1, uint64_t size2) const {
  if (size1 == 0 || size1 > size2) {
    return absl::InvalidArgumentError(
        absl::StrCat("a consistency proof needs 0 < first size <= second size (got ",
                     size1, " and ", size2, ")"));
  }
  std::vector<merkle::Hash> proof;
  if (size1 == size2) return proof;
  RETURN_IF_ERROR(SubProof(size1, 0, size2, true, proof));
  return proof;
}

}  // namespace agreements::store
