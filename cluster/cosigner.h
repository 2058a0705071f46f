// Cosigner: co-signed checkpoints in cluster mode (docs/cluster.md, "Audit in a
// cluster"). Every node publishes its latest checkpoint's size and root to the
// `agreements_cosignatures` table, signed with its own key over a plain C2SP checkpoint
// body (origin, size, root). Every node also checks the sizes other nodes published once
// its own views reach them: when its own tree has the same root there, it signs the same
// body (a co-signature); when the root differs, it reports the divergence (a log line
// naming the node and the size, a metric) and never co-signs it. The latest size this
// node signed together with at least one other node is served as one note carrying every
// signature line (AuditService.GetCheckpoint's cosigned_note), which a client verifies
// against the pinned keys of the nodes and a threshold (note::VerifyCosignedCheckpoint).
// No private key leaves its node.
//
// Thread-safe; one thread of its own with its own PostgreSQL connection.
#ifndef AGREEMENTS_CLUSTER_COSIGNER_H_
#define AGREEMENTS_CLUSTER_COSIGNER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "cluster/pg_connection.h"
#include "common/signed_note.h"
#include "store/checkpointer.h"
#include "store/store.h"

namespace agreements::cluster {

struct CosignerOptions {
  std::string conninfo;
  std::string node_id;
  // The checkpoint origin (the first line of every body).
  std::string origin = "agreements-registry";
  // How often the table is read and written.
  // Default: 1 s.
  absl::Duration interval = absl::Seconds(1);
};

struct CosignerStatus {
  // The size of the note served (0: none yet) and how many keys signed it.
  uint64_t cosigned_size = 0;
  size_t signatures = 0;
  // Other nodes' roots that differ from this node's at the same size.
  uint64_t divergences = 0;
  absl::Status last_error;
};

class Cosigner {
 public:
  static absl::StatusOr<std::unique_ptr<Cosigner>> Start(
      const store::Store* store, const store::Checkpointer* checkpointer,
      note::NoteSigner signer, CosignerOptions options);
  ~Cosigner();
  Cosigner(const Cosigner&) = delete;
  Cosigner& operator=(const Cosigner&) = delete;

  // The latest co-signed note ("" when none yet).
  std::string CosignedNote() const;
  CosignerStatus status() const;
  void Shutdown();

 private:
  Cosigner(const store::Store* store, const store::Checkpointer* checkpointer,
           note::NoteSigner signer, CosignerOptions options)
      : store_(store),
        checkpointer_(checkpointer),
        signer_(std::move(signer)),
        options_(std::move(options)) {}
  void Run();
  absl::Status Step();
  // Signs the plain body of (size, root) and stores the signature line.
  absl::Status Sign(uint64_t size, const merkle::Hash& root);
  // Checks, and co-signs or reports, the sizes other nodes published since the last step.
  absl::Status CheckOthers();
  // Builds the note of the latest size signed here and by another node.
  absl::Status Collect();
  absl::StatusOr<PgRows> Exec(const std::string& sql, const std::vector<PgParam>& params,
                              bool binary_result = false);

  const store::Store* const store_;
  const store::Checkpointer* const checkpointer_;
  const note::NoteSigner signer_;
  const CosignerOptions options_;

  // The cosigner's thread only.
  std::unique_ptr<PgConnection> conn_;
  uint64_t signed_latest_ = 0;  // the largest own checkpoint size published
  uint64_t considered_ = 0;     // other nodes' sizes up to here were checked

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::string note_ ABSL_GUARDED_BY(mu_);
  CosignerStatus status_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace agreements::cluster

#endif  // AGREEMENTS_CLUSTER_COSIGNER_H_
