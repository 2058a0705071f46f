#include "store/stream_map.h"

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "agreements/v1/agreement.pb.h"
#include "agreements/v1/party.pb.h"
#include "common/status_macros.h"
#include "store/keys.h"
#include "store/merkle_tree.h"

namespace agreements::store {
namespace {

merkle::Hash Mth(const std::vector<std::string>& leaves, size_t start, size_t count) {
  if (count == 0) return merkle::EmptyRoot();
  if (count == 1) return merkle::LeafHash(leaves[start]);
  const size_t k = merkle::SplitPoint(count);
  return merkle::NodeHash(Mth(leaves, start, k), Mth(leaves, start + k, count - k));
}

void Path(const std::vector<std::string>& leaves, uint64_t index, size_t start,
          size_t count, std::vector<merkle::Hash>& out) {
  if (count <= 1) return;
  const size_t k = merkle::SplitPoint(count);
  if (index < k) {
    Path(leaves, index, start, k, out);
    out.push_back(Mth(leaves, start + k, count - k));
  } else {
    Path(leaves, index - k, start + k, count - k, out);
    out.push_back(Mth(leaves, start, k));
  }
}

}  // namespace

std::string StreamMapLeafKey(uint64_t index) {
  std::string key = "l";
  AppendU64(key, index);
  return key;
}

std::string StreamMapIndexKey(agreements::v1::StreamType type, const std::string& id) {
  return absl::StrCat("s", StreamPrefix(type, id));
}

std::string StreamMapLeaf(agreements::v1::StreamType type, const std::string& id,
                          uint64_t revision, const merkle::Hash& head) {
  std::string leaf = StreamPrefix(type, id);
  AppendU64(leaf, revision);
  leaf.append(reinterpret_cast<const char*>(head.data()), head.size());
  return leaf;
}

absl::StatusOr<uint64_t> StreamMapCount(const Store* store,
                                        const rocksdb::Snapshot* snapshot) {
  auto value = store->Get(store->stream_map(), kStreamMapCount, snapshot);
  if (absl::IsNotFound(value.status())) return 0;
  if (!value.ok()) return value.status();
  uint64_t count = 0;
  if (!DecodeU64(*value, count))
    return absl::DataLossError("stream_map/c is not 8 bytes");
  return count;
}

MerkleReader StreamMapReader(const Store* store, const rocksdb::Snapshot* snapshot) {
  return MerkleReader(store, snapshot, store->stream_map(), kStreamMapNodePrefix);
}

absl::StatusOr<StreamMapEntry> StoredStreamMapEntry(const Store* store,
                                                    const rocksdb::Snapshot* snapshot,
                                                    agreements::v1::StreamType type,
                                                    const std::string& id) {
  ASSIGN_OR_RETURN(
      std::string index_bytes,
      store->Get(store->stream_map(), StreamMapIndexKey(type, id), snapshot));
  StreamMapEntry entry;
  if (!DecodeU64(index_bytes, entry.index)) {
    return absl::DataLossError("a stream_map index is not 8 bytes");
  }
  auto leaf = store->Get(store->stream_map(), StreamMapLeafKey(entry.index), snapshot);
  if (absl::IsNotFound(leaf.status())) {
    return absl::DataLossError(
        absl::StrCat("the stream map has no leaf at index ", entry.index));
  }
  if (!leaf.ok()) return leaf.status();
  entry.leaf = *std::move(leaf);
  return entry;
}

absl::StatusOr<std::vector<std::string>> StoredStreamMapLeaves(
    const Store* store, const rocksdb::Snapshot* snapshot) {
  ASSIGN_OR_RETURN(uint64_t count, StreamMapCount(store, snapshot));
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(
      store->db()->NewIterator(read, store->stream_map()));
  std::vector<std::string> leaves;
  for (it->Seek("l"); it->Valid() && it->key().starts_with("l"); it->Next()) {
    uint64_t index = 0;
    if (!DecodeU64(ToView(it->key()).substr(1), index) || index != leaves.size()) {
      return absl::DataLossError("the stream map's leaves are not numbered 0..count-1");
    }
    leaves.push_back(it->value().ToString());
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "reading the map");
  if (leaves.size() != count) {
    return absl::DataLossError(absl::StrCat("the stream map holds ", leaves.size(),
                                            " leaves; its count says ", count));
  }
  return leaves;
}

absl::StatusOr<std::vector<std::string>> StreamMapLeaves(
    const Store* store, const rocksdb::Snapshot* snapshot, uint64_t size) {
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(store->db()->NewIterator(read, store->streams()));
  // (first position, leaf) of every stream created at or before `size`.
  std::vector<std::pair<uint64_t, std::string>> streams;
  // Keys are prefix (type, id, 0x00) || revision: one run per stream, revisions
  // ascending.
  std::string prefix;
  uint64_t first = 0, revision = 0, position = 0;
  auto flush = [&]() -> absl::Status {
    if (revision == 0) return absl::OkStatus();
    ASSIGN_OR_RETURN(
        std::string node,
        store->Get(store->merkle(), MerkleNodeKey(0, position - 1), snapshot));
    ASSIGN_OR_RETURN(merkle::Hash head, merkle::HashFromBytes(node, "stored leaf"));
    std::string leaf = prefix;
    AppendU64(leaf, revision);
    leaf.append(reinterpret_cast<const char*>(head.data()), head.size());
    streams.emplace_back(first, std::move(leaf));
    revision = 0;
    return absl::OkStatus();
  };
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const absl::string_view key = ToView(it->key());
    if (key.size() < 10) return absl::DataLossError("stream index key too short");
    const absl::string_view stream = key.substr(0, key.size() - 8);
    if (stream != prefix) {
      RETURN_IF_ERROR(flush());
      prefix = std::string(stream);
    }
    uint64_t at = 0, rev = 0;
    if (!DecodeU64(ToView(it->value()), at) ||
        !DecodeU64(key.substr(key.size() - 8), rev)) {
      return absl::DataLossError("malformed stream index entry");
    }
    if (rev == 1) first = at;
    if (at <= size) {
      revision = rev;
      position = at;
    }
  }
  if (!it->status().ok())
    return FromRocksStatus(it->status(), "reading the stream index");
  RETURN_IF_ERROR(flush());
  std::sort(streams.begin(), streams.end());
  std::vector<std::string> leaves;
  leaves.reserve(streams.size());
  for (auto& stream : streams) leaves.push_back(std::move(stream.second));
  return leaves;
}

std::vector<std::pair<std::string, std::string>> StreamMapContents(
    const std::vector<std::string>& leaves) {
  std::vector<std::pair<std::string, std::string>> contents;
  contents.reserve(4 * leaves.size() + 1);
  // The projection writes the count with the first stream; an empty map has no keys.
  if (!leaves.empty()) contents.emplace_back(kStreamMapCount, EncodeU64(leaves.size()));
  MerkleAppender appender = MerkleAppender::Empty();
  for (uint64_t i = 0; i < leaves.size(); ++i) {
    const std::string& leaf = leaves[i];
    contents.emplace_back(StreamMapLeafKey(i), leaf);
    contents.emplace_back(absl::StrCat("s", leaf.substr(0, leaf.size() - 40)),
                          EncodeU64(i));
    appender.Append(merkle::LeafHash(leaf));
    for (const auto& [key, hash] : appender.TakeAdded()) {
      contents.emplace_back(
          absl::StrCat(kStreamMapNodePrefix, key),
          std::string(reinterpret_cast<const char*>(hash.data()), hash.size()));
    }
  }
  return contents;
}

absl::StatusOr<StreamMapWriter> StreamMapWriter::Start(const Store* store) {
  ASSIGN_OR_RETURN(uint64_t count, StreamMapCount(store, nullptr));
  return StreamMapWriter(store, count);
}

absl::StatusOr<uint64_t> StreamMapWriter::IndexOf(agreements::v1::StreamType type,
                                                  const std::string& id) {
  std::string key = StreamMapIndexKey(type, id);
  if (auto it = indexes_.find(key); it != indexes_.end()) return it->second;
  ASSIGN_OR_RETURN(std::string bytes, store_->Get(store_->stream_map(), key));
  uint64_t index = 0;
  if (!DecodeU64(bytes, index) || index >= stored_count_) {
    return absl::DataLossError(absl::StrCat("the stream map index of ", id, " is bad"));
  }
  indexes_.emplace(std::move(key), index);
  return index;
}

uint64_t StreamMapWriter::AddStream(agreements::v1::StreamType type,
                                    const std::string& id) {
  const uint64_t index = count_++;
  std::string key = StreamMapIndexKey(type, id);
  indexes_[key] = index;
  new_indexes_[std::move(key)] = index;
  return index;
}

void StreamMapWriter::SetLeaf(uint64_t index, std::string leaf) {
  leaves_[index] = std::move(leaf);
}

absl::StatusOr<merkle::Hash> StreamMapWriter::Node(int level, uint64_t index) const {
  if (auto it = nodes_.find({level, index}); it != nodes_.end()) return it->second;
  ASSIGN_OR_RETURN(
      std::string bytes,
      store_->Get(store_->stream_map(),
                  absl::StrCat(kStreamMapNodePrefix, MerkleNodeKey(level, index))));
  return merkle::HashFromBytes(bytes, "stored stream map node");
}

absl::Status StreamMapWriter::Finish(ViewSink& sink) {
  if (leaves_.empty() && new_indexes_.empty()) return absl::OkStatus();
  // Level 0, then each level above: the complete subtrees over a changed leaf.
  std::vector<uint64_t> changed;
  changed.reserve(leaves_.size());
  for (const auto& [index, leaf] : leaves_) {
    nodes_[{0, index}] = merkle::LeafHash(leaf);
    changed.push_back(index);
  }
  for (int level = 0; !changed.empty(); ++level) {
    std::vector<uint64_t> parents;
    for (uint64_t index : changed) {
      const uint64_t parent = index >> 1;
      if (((parent + 1) << (level + 1)) > count_) continue;  // not complete
      if (!parents.empty() && parents.back() == parent) continue;
      parents.push_back(parent);
    }
    for (uint64_t parent : parents) {
      ASSIGN_OR_RETURN(merkle::Hash left, Node(level, parent * 2));
      ASSIGN_OR_RETURN(merkle::Hash right, Node(level, parent * 2 + 1));
      nodes_[{level + 1, parent}] = merkle::NodeHash(left, right);
    }
    changed = std::move(parents);
  }
  for (const auto& [index, leaf] : leaves_)
    sink.Put(Family::kStreamMap, StreamMapLeafKey(index), leaf);
  for (const auto& [key, index] : new_indexes_)
    sink.Put(Family::kStreamMap, key, EncodeU64(index));
  for (const auto& [at, hash] : nodes_) {
    sink.Put(Family::kStreamMap,
             absl::StrCat(kStreamMapNodePrefix, MerkleNodeKey(at.first, at.second)),
             absl::string_view(reinterpret_cast<const char*>(hash.data()), hash.size()));
  }
  if (count_ != stored_count_) {
    sink.Put(Family::kStreamMap, kStreamMapCount, EncodeU64(count_));
  }
  return absl::OkStatus();
}

merkle::Hash MapRoot(const std::vector<std::string>& leaves) {
  return Mth(leaves, 0, leaves.size());
}

std::vector<merkle::Hash> MapInclusionProof(const std::vector<std::string>& leaves,
                                            uint64_t index) {
  std::vector<merkle::Hash> proof;
  Path(leaves, index, 0, leaves.size(), proof);
  return proof;
}

}  // namespace agreements::store
