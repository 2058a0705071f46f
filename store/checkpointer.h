// Checkpointer: publishes signed checkpoints of the log's Merkle tree. A thread looks at
// the head every 50 ms and signs a new checkpoint when `every_events` events were
// appended since the last one, or `interval` passed and anything was appended; the first
// checkpoint (possibly of the empty tree) is signed at start. Each note is kept in the
// `checkpoints` column family (tree size -> note), so earlier checkpoints stay available
// for consistency checks and survive restarts.
//
// Thread-safe. Does not own the store.
#ifndef AGREEMENTS_STORE_CHECKPOINTER_H_
#define AGREEMENTS_STORE_CHECKPOINTER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/merkle.h"
#include "common/signed_note.h"
#include "store/store.h"

namespace agreements::store {

struct CheckpointerOptions {
  // The checkpoint origin (first line), also the signing key's name.
  // Default: "agreements-registry".
  std::string origin = "agreements-registry";
  // Sign after this many new events.
  // Default: 1000.
  uint64_t every_events = 1000;
  // Sign at least this often while events arrive.
  // Default: 1 s.
  absl::Duration interval = absl::Seconds(1);
};

struct SignedCheckpoint {
  uint64_t size = 0;
  merkle::Hash root{};
  std::string note;
  // For the latest checkpoint: a snapshot of the store at exactly `size`, so that proofs
  // against it read the stored stream-head map as it was signed (O(log streams)). Null
  // for older checkpoints.
  std::shared_ptr<const rocksdb::Snapshot> snapshot;
  // When this server signed it, or loaded it at start (the server's metrics).
  absl::Time signed_at;
};

// Whether the store holds a signed checkpoint (then only the key that signed it may
// sign the next ones).
absl::StatusOr<bool> HasCheckpoints(const Store* store);

class Checkpointer {
 public:
  static absl::StatusOr<std::unique_ptr<Checkpointer>> Start(const Store* store,
                                                             note::NoteSigner signer,
                                                             CheckpointerOptions options);
  ~Checkpointer();

  // The latest published checkpoint.
  SignedCheckpoint Latest() const;
  // The checkpoint published at `size`; NOT_FOUND if none was.
  absl::StatusOr<SignedCheckpoint> AtSize(uint64_t size) const;
  // Signs and publishes the current head now if it is newer than the latest checkpoint.
  absl::StatusOr<SignedCheckpoint> PublishNow();
  std::string VerifierKey() const { return signer_.VerifierKey(); }

  void Shutdown();

 private:
  Checkpointer(const Store* store, note::NoteSigner signer, CheckpointerOptions options)
      : store_(store), signer_(std::move(signer)), options_(std::move(options)) {}
  void Run();

  const Store* const store_;
  const note::NoteSigner signer_;
  const CheckpointerOptions options_;
  mutable absl::Mutex mu_;
  SignedCheckpoint latest_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Serializes signing (the thread and PublishNow).
  absl::Mutex publish_mu_;
  // Serializes joining the thread when Shutdown runs on several threads.
  absl::Mutex join_mu_;
  std::thread thread_;
};

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_CHECKPOINTER_H_
