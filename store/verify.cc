#include "store/verify.h"

#include <cstring>
#include <map>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "agreements/v1/events.pb.h"
#include "common/merkle.h"
#include "common/signed_note.h"
#include "common/status_macros.h"
#include "store/keys.h"
#include "store/merkle_tree.h"

namespace agreements::store {

absl::StatusOr<VerifyReport> VerifyLog(const Store* store,
                                       const std::string& verifier_key) {
  RETURN_IF_ERROR(note::CheckVerifierKey(verifier_key));
  ScopedSnapshot snapshot(store->db());
  rocksdb::ReadOptions read;
  read.snapshot = snapshot.get();
  VerifyReport report;

  // The signed checkpoints, in size order.
  std::unique_ptr<rocksdb::Iterator> checkpoints(
      store->db()->NewIterator(read, store->checkpoints()));
  checkpoints->SeekToFirst();
  auto next_checkpoint = [&]() -> absl::StatusOr<std::pair<uint64_t, note::Checkpoint>> {
    uint64_t size = 0;
    if (!DecodeU64(ToView(checkpoints->key()), size)) {
      return absl::DataLossError("checkpoint key is not 8 bytes");
    }
    auto parsed = note::VerifyCheckpoint(checkpoints->value().ToString(), verifier_key);
    if (!parsed.ok() && !absl::IsDataLoss(parsed.status())) return parsed.status();
    if (!parsed.ok()) {
      return absl::DataLossError(absl::StrCat("checkpoint at tree size ", size, ": ",
                                              parsed.status().message()));
    }
    if (parsed->size != size) {
      return absl::DataLossError(
          absl::StrCat("checkpoint stored at tree size ", size, " says ", parsed->size));
    }
    return std::make_pair(size, *std::move(parsed));
  };

  ASSIGN_OR_RETURN(MerkleAppender tree, MerkleAppender::Start(store, 0));
  // The next signed checkpoint, parsed and its signature checked once.
  std::optional<std::pair<uint64_t, note::Checkpoint>> pending;
  auto check_checkpoints_at = [&](uint64_t size) -> absl::Status {
    while (true) {
      if (!pending.has_value()) {
        if (!checkpoints->Valid()) return absl::OkStatus();
        ASSIGN_OR_RETURN(pending, next_checkpoint());
        checkpoints->Next();
      }
      if (pending->first > size) return absl::OkStatus();
      if (pending->second.root != tree.Root()) {
        return absl::DataLossError(
            absl::StrCat("the signed checkpoint at tree size ", pending->first,
                         " does not match the events stored up to that position"));
      }
      ++report.checkpoints;
      pending.reset();
    }
  };
  RETURN_IF_ERROR(check_checkpoints_at(0));

  // Each stream's last leaf hash: every event must name its predecessor's.
  std::map<std::pair<int, std::string>, merkle::Hash> chains;
  std::unique_ptr<rocksdb::Iterator> log(store->db()->NewIterator(read, store->log()));
  for (log->SeekToFirst(); log->Valid(); log->Next()) {
    uint64_t position = 0;
    if (!DecodeU64(ToView(log->key()), position) || position != report.events + 1) {
      return absl::DataLossError(
          absl::StrCat("the log has a gap or a bad key after position ", report.events));
    }
    const merkle::Hash leaf = merkle::LeafHash(ToView(log->value()));
    auto node =
        store->Get(store->merkle(), MerkleNodeKey(0, position - 1), snapshot.get());
    if (!node.ok() || node->size() != leaf.size() ||
        std::memcmp(node->data(), leaf.data(), leaf.size()) != 0) {
      return absl::DataLossError(absl::StrCat(
          "the event stored at position ", position,
          " does not hash to the tree's leaf: it was changed after it was committed"));
    }
    agreements::v1::Event event;
    if (!event.ParseFromArray(log->value().data(),
                              static_cast<int>(log->value().size()))) {
      return absl::DataLossError(
          absl::StrCat("the event stored at position ", position, " cannot be parsed"));
    }
    const auto& envelope = event.envelope();
    const auto stream =
        std::make_pair(static_cast<int>(envelope.stream_type()), envelope.stream_id());
    auto previous = chains.find(stream);
    const std::string expected =
        previous == chains.end()
            ? std::string()
            : std::string(reinterpret_cast<const char*>(previous->second.data()), 32);
    if (envelope.previous_event_hash() != expected) {
      return absl::DataLossError(
          absl::StrCat("the event at position ", position,
                       " does not chain to the previous event of ", envelope.stream_id(),
                       ": an event of that stream was removed, inserted or changed"));
    }
    chains[stream] = leaf;
    tree.Append(leaf);
    // Every stored node the new leaf completes must be the recomputed one: proofs and
    // signed roots are built from them.
    for (const auto& [key, hash] : tree.TakeAdded()) {
      auto stored_node = store->Get(store->merkle(), key, snapshot.get());
      if (!stored_node.ok() || stored_node->size() != hash.size() ||
          std::memcmp(stored_node->data(), hash.data(), hash.size()) != 0) {
        return absl::DataLossError(
            absl::StrCat("the stored Merkle tree differs from the log at the node "
                         "completed by position ",
                         position));
      }
    }
    report.events = position;
    RETURN_IF_ERROR(check_checkpoints_at(position));
  }
  if (!log->status().ok()) return FromRocksStatus(log->status(), "reading the log");
  if (pending.has_value() || checkpoints->Valid()) {
    return absl::DataLossError(absl::StrCat("signed checkpoints go beyond the log's ",
                                            report.events, " events"));
  }
  return report;
}

}  // namespace agreements::store
