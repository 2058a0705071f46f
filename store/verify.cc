#include "store/verify.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "agreements/v1/events.pb.h"
#include "common/merkle.h"
#include "common/signed_note.h"
#include "common/status_macros.h"
#include "store/applier.h"
#include "store/keys.h"
#include "store/merkle_tree.h"

namespace agreements::store {
namespace {

// Checks every tree node the log tree applier writes against the stored node: proofs
// and signed roots are built from the stored ones.
class TreeCheck : public ViewSink {
 public:
  TreeCheck(const Store* store, const rocksdb::Snapshot* snapshot)
      : store_(store), snapshot_(snapshot) {}

  void Put(Family, absl::string_view key, absl::string_view value) override {
    if (!status_.ok()) return;
    auto stored = store_->Get(store_->merkle(), key, snapshot_);
    if (stored.ok() && *stored == value) return;
    // A leaf is level 0: its node key starts with a zero byte.
    status_ = absl::DataLossError(
        !key.empty() && key[0] == 0
            ? absl::StrCat("the event stored at position ", position_,
                           " does not hash to the tree's leaf: it was changed after it "
                           "was committed")
            : absl::StrCat("the stored Merkle tree differs from the log at the node "
                           "completed by position ",
                           position_));
  }
  void Delete(Family, absl::string_view) override {
    status_ = absl::InternalError("the log tree never deletes a node");
  }
  void set_position(uint64_t position) { position_ = position; }
  const absl::Status& status() const { return status_; }

 private:
  const Store* const store_;
  const rocksdb::Snapshot* const snapshot_;
  uint64_t position_ = 0;
  absl::Status status_;
};

// The registered applier that writes the log's tree, built from nothing.
absl::StatusOr<std::unique_ptr<Applier>> TreeApplier() {
  ASSIGN_OR_RETURN(auto appliers, MakeAppliers(ApplierContext()));
  for (auto& applier : appliers) {
    const std::vector<Family> families = applier->families();
    if (families.size() == 1 && families[0] == Family::kMerkle) return std::move(applier);
  }
  return absl::InternalError("no applier writes the merkle family");
}

}  // namespace

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

  // The tree is a view: it is checked up to the position the views reflect, and every
  // signed checkpoint is at most there.
  ASSIGN_OR_RETURN(const uint64_t applied, store->ReadApplied(snapshot.get()));
  ASSIGN_OR_RETURN(std::unique_ptr<Applier> tree, TreeApplier());
  TreeCheck tree_check(store, snapshot.get());
  MerkleReader stored_tree(store, snapshot.get());
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
      // Every stored node up to `size` was checked against the log.
      ASSIGN_OR_RETURN(const merkle::Hash root, stored_tree.Root(pending->first));
      if (pending->second.root != root) {
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
    if (position <= applied) {
      Change change;
      change.event = &event;
      change.bytes = ToView(log->value());
      change.leaf_hash = leaf;
      tree_check.set_position(position);
      RETURN_IF_ERROR(tree->Apply(change, tree_check));
      RETURN_IF_ERROR(tree_check.status());
    }
    report.events = position;
    RETURN_IF_ERROR(check_checkpoints_at(position));
  }
  if (!log->status().ok()) return FromRocksStatus(log->status(), "reading the log");
  if (pending.has_value() || checkpoints->Valid()) {
    return absl::DataLossError(absl::StrCat("signed checkpoints go beyond the tree's ",
                                            std::min(applied, report.events), " events"));
  }
  return report;
}

}  // namespace agreements::store
