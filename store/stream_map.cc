#include "store/stream_map.h"

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

std::string StreamMapLeaf(agreements::v1::StreamType type, const std::string& id,
                          uint64_t revision, const merkle::Hash& head) {
  std::string leaf = StreamPrefix(type, id);
  AppendU64(leaf, revision);
  leaf.append(reinterpret_cast<const char*>(head.data()), head.size());
  return leaf;
}

absl::StatusOr<std::vector<std::string>> StreamMapLeaves(
    const Store* store, const rocksdb::Snapshot* snapshot, uint64_t size) {
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(store->db()->NewIterator(read, store->streams()));
  std::vector<std::string> leaves;
  // Keys are prefix (type, id, 0x00) || revision: one run per stream, revisions
  // ascending.
  std::string prefix;
  uint64_t revision = 0, position = 0;
  auto flush = [&]() -> absl::Status {
    if (revision == 0) return absl::OkStatus();
    ASSIGN_OR_RETURN(
        std::string node,
        store->Get(store->merkle(), MerkleNodeKey(0, position - 1), snapshot));
    ASSIGN_OR_RETURN(merkle::Hash head, merkle::HashFromBytes(node, "stored leaf"));
    std::string leaf = prefix;
    AppendU64(leaf, revision);
    leaf.append(reinterpret_cast<const char*>(head.data()), head.size());
    leaves.push_back(std::move(leaf));
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
    if (at <= size) {
      revision = rev;
      position = at;
    }
  }
  if (!it->status().ok())
    return FromRocksStatus(it->status(), "reading the stream index");
  RETURN_IF_ERROR(flush());
  return leaves;
}

absl::StatusOr<std::vector<std::string>> StreamMapLeavesAtHead(
    const Store* store, const rocksdb::Snapshot* snapshot) {
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  std::vector<std::string> leaves;
  // Agreements (type 1) then parties (type 2): the leaves' byte order.
  for (const auto type :
       {agreements::v1::STREAM_TYPE_AGREEMENT, agreements::v1::STREAM_TYPE_PARTY}) {
    rocksdb::ColumnFamilyHandle* family = type == agreements::v1::STREAM_TYPE_AGREEMENT
                                              ? store->agreements()
                                              : store->parties();
    std::unique_ptr<rocksdb::Iterator> it(store->db()->NewIterator(read, family));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      uint64_t revision = 0, last_position = 0;
      if (type == agreements::v1::STREAM_TYPE_AGREEMENT) {
        agreements::v1::Agreement state;
        if (!state.ParseFromArray(it->value().data(),
                                  static_cast<int>(it->value().size()))) {
          return absl::DataLossError("an agreement view cannot be parsed");
        }
        revision = state.revision();
        last_position = state.last_position();
      } else {
        agreements::v1::Party state;
        if (!state.ParseFromArray(it->value().data(),
                                  static_cast<int>(it->value().size()))) {
          return absl::DataLossError("a party view cannot be parsed");
        }
        revision = state.revision();
        last_position = state.last_position();
      }
      ASSIGN_OR_RETURN(
          std::string node,
          store->Get(store->merkle(), MerkleNodeKey(0, last_position - 1), snapshot));
      ASSIGN_OR_RETURN(merkle::Hash head, merkle::HashFromBytes(node, "stored leaf"));
      leaves.push_back(StreamMapLeaf(type, it->key().ToString(), revision, head));
    }
    if (!it->status().ok()) return FromRocksStatus(it->status(), "reading the views");
  }
  return leaves;
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
