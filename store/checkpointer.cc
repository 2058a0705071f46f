#include "store/checkpointer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/keys.h"
#include "store/merkle_tree.h"
#include "store/stream_map.h"

namespace agreements::store {

absl::StatusOr<bool> HasCheckpoints(const Store* store) {
  std::unique_ptr<rocksdb::Iterator> it(
      store->db()->NewIterator(rocksdb::ReadOptions(), store->checkpoints()));
  it->SeekToFirst();
  if (!it->status().ok()) return FromRocksStatus(it->status(), "reading checkpoints");
  return it->Valid();
}

absl::StatusOr<std::unique_ptr<Checkpointer>> Checkpointer::Start(
    const Store* store, note::NoteSigner signer, CheckpointerOptions options) {
  std::unique_ptr<Checkpointer> checkpointer(
      new Checkpointer(store, std::move(signer), std::move(options)));
  // The latest stored checkpoint, if any.
  rocksdb::ReadOptions read;
  std::unique_ptr<rocksdb::Iterator> it(
      store->db()->NewIterator(read, store->checkpoints()));
  it->SeekToLast();
  if (it->Valid()) {
    uint64_t size = 0;
    if (!DecodeU64(ToView(it->key()), size)) {
      return absl::DataLossError("checkpoint key is not 8 bytes");
    }
    auto parsed = note::VerifyCheckpoint(it->value().ToString(),
                                         checkpointer->signer_.VerifierKey());
    if (absl::IsDataLoss(parsed.status())) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the stored checkpoints were signed with another key than ",
          checkpointer->signer_.VerifierKey(),
          "; start with the key file that signed them (keys cannot be rotated yet)"));
    }
    if (!parsed.ok()) return parsed.status();
    absl::MutexLock lock(&checkpointer->mu_);
    checkpointer->latest_ = {size, parsed->root, it->value().ToString(), nullptr,
                             absl::Now()};
  } else {
    // The first checkpoint: sign whatever the log holds (perhaps nothing).
    absl::MutexLock lock(&checkpointer->mu_);
    checkpointer->latest_.size = UINT64_MAX;  // "none yet": PublishNow signs any head
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "reading checkpoints");
  ASSIGN_OR_RETURN(auto first, checkpointer->PublishNow());
  (void)first;
  checkpointer->thread_ = std::thread([c = checkpointer.get()] { c->Run(); });
  return checkpointer;
}

Checkpointer::~Checkpointer() { Shutdown(); }

void Checkpointer::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  absl::MutexLock join(&join_mu_);
  if (thread_.joinable()) thread_.join();
}

SignedCheckpoint Checkpointer::Latest() const {
  absl::MutexLock lock(&mu_);
  return latest_;
}

absl::StatusOr<SignedCheckpoint> Checkpointer::AtSize(uint64_t size) const {
  auto note = store_->Get(store_->checkpoints(), EncodeU64(size));
  if (absl::IsNotFound(note.status())) {
    return absl::NotFoundError(
        absl::StrCat("no checkpoint was published at tree size ", size));
  }
  if (!note.ok()) return note.status();
  ASSIGN_OR_RETURN(note::Checkpoint parsed,
                   note::VerifyCheckpoint(*note, signer_.VerifierKey()));
  return SignedCheckpoint{size, parsed.root, *std::move(note), nullptr};
}

absl::StatusOr<SignedCheckpoint> Checkpointer::PublishNow() {
  absl::MutexLock publish(&publish_mu_);
  std::shared_ptr<const rocksdb::Snapshot> snapshot = SharedSnapshot(store_->db());
  // The tree and the stream-head map are views: sign what the views reflect.
  ASSIGN_OR_RETURN(uint64_t head, store_->ReadApplied(snapshot.get()));
  {
    absl::MutexLock lock(&mu_);
    if (latest_.size != UINT64_MAX && latest_.size >= head) {
      // Nothing new (at start, the latest stored checkpoint may be at the head).
      if (latest_.size == head && latest_.snapshot == nullptr)
        latest_.snapshot = snapshot;
      return latest_;
    }
  }
  MerkleReader reader(store_, snapshot.get());
  note::Checkpoint checkpoint;
  checkpoint.origin = options_.origin;
  checkpoint.size = head;
  ASSIGN_OR_RETURN(checkpoint.root, reader.Root(head));
  // The stream-head map is written with the tree: its root at this snapshot is the map
  // at `head`, O(log streams) reads.
  ASSIGN_OR_RETURN(checkpoint.stream_count, StreamMapCount(store_, snapshot.get()));
  ASSIGN_OR_RETURN(checkpoint.stream_map_root,
                   StreamMapReader(store_, snapshot.get()).Root(checkpoint.stream_count));
  checkpoint.has_stream_map = true;
  ASSIGN_OR_RETURN(std::string signed_note,
                   signer_.Sign(note::CheckpointBody(checkpoint)));
  rocksdb::WriteOptions write;
  write.sync = true;
  rocksdb::Status s =
      store_->db()->Put(write, store_->checkpoints(), EncodeU64(head), signed_note);
  if (!s.ok()) return FromRocksStatus(s, "storing a checkpoint");
  SignedCheckpoint published{head, checkpoint.root, std::move(signed_note),
                             std::move(snapshot), absl::Now()};
  absl::MutexLock lock(&mu_);
  latest_ = published;
  return published;
}

void Checkpointer::Run() {
  absl::Time last = absl::Now();
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping), absl::Milliseconds(50)))
        return;
    }
    auto head = store_->ReadApplied();
    if (!head.ok()) continue;
    const uint64_t published = Latest().size;
    const absl::Time now = absl::Now();
    if (*head > published &&
        (*head - published >= options_.every_events || now - last >= options_.interval)) {
      if (PublishNow().ok()) last = now;
    }
  }
}

}  // namespace agreements::store
