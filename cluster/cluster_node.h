// ClusterNode: one registry node of a cluster (docs/cluster.md). Its thread
// - as a replica, reads the replicated log after the node's last record (woken by the
//   log's notifications) and applies the records through the committer
//   (Committer::ApplyRecords: the same group code, appliers, feed hub and projection as
//   the writer's own commits);
// - when the writer lease ran out, takes it, applies every record in the log, and
//   becomes the writer by a fenced term record (Committer::BecomeWriter);
// - as the writer, renews the lease every quarter of its duration, and steps down when
//   the lease is lost or an append was fenced out.
// A replica's refusals of writes name the writer (the lease holder), so that clients
// follow. Shutdown of the writer lets its lease run out at once.
//
// Thread-safety: every public method may be called from any thread.
#ifndef AGREEMENTS_CLUSTER_CLUSTER_NODE_H_
#define AGREEMENTS_CLUSTER_CLUSTER_NODE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "cluster/postgres_log.h"
#include "cluster/writer_lease.h"
#include "store/committer.h"

namespace agreements::cluster {

struct ClusterNodeOptions {
  // This node's name (unique in the cluster) and the gRPC address clients reach it at.
  std::string node_id;
  std::string address;
  // How long the writer lease lasts without renewal: a writer that is gone is replaced
  // after about this long (plus one check, a quarter of it).
  // Default: 5 s.
  absl::Duration lease = absl::Seconds(5);
  // Most records applied in one step.
  // Default: 256.
  size_t max_records = 256;
  // Called on the node's thread when the node becomes the writer or stops being it.
  std::function<void(bool writer)> on_role;
  // A replica is "current" while at most this many records of the log are not applied
  // here (and it has read the log since it started).
  // Default: 1000.
  uint64_t max_lag_records = 1000;
  // Called on the node's thread when the node becomes current or stops being current
  // (the health service's "agreements.replica" status).
  std::function<void(bool current)> on_current;
};

// What the node reports (metrics, health).
struct ClusterNodeStatus {
  bool writer = false;
  bool caught_up = false;  // applied every record it knew of at its last read
  uint64_t term = 0;
  std::string writer_node;
  std::string writer_address;
  uint64_t record_index = 0;    // the last record applied here
  uint64_t log_last_index = 0;  // the highest index seen in the log
  uint64_t terms_started = 0;   // times this node became the writer
  uint64_t step_downs = 0;
  uint64_t read_errors = 0;
  absl::Status last_error;
};

class ClusterNode {
 public:
  static absl::StatusOr<std::unique_ptr<ClusterNode>> Start(
      PostgresLog* log, std::unique_ptr<WriterLease> lease, store::Committer* committer,
      ClusterNodeOptions options);
  ~ClusterNode();
  ClusterNode(const ClusterNode&) = delete;
  ClusterNode& operator=(const ClusterNode&) = delete;

  // Stops the thread; a writer stops taking writes and releases its lease.
  void Shutdown();
  ClusterNodeStatus status() const;
  // Records between this node and the log's end.
  uint64_t lag_records() const;

 private:
  ClusterNode(PostgresLog* log, std::unique_ptr<WriterLease> lease,
              store::Committer* committer, ClusterNodeOptions options)
      : log_(log),
        lease_(std::move(lease)),
        committer_(committer),
        options_(std::move(options)) {}
  void Run();
  // Reads and applies what the log has after this node's last record; true when it
  // applied something.
  bool Follow(absl::Duration wait);
  // The lease check of a replica: learns the writer, takes an expired lease.
  void CheckLease();
  // Holding the lease: applies every record, then appends the term record.
  void TryToLead();
  void RenewLease();
  void StepDown(const std::string& why);
  void Note(const absl::Status& error);
  // Calls on_current when currency changed.
  void ReportCurrency();
  bool Sleep(absl::Duration duration);

  PostgresLog* const log_;
  const std::unique_ptr<WriterLease> lease_;
  store::Committer* const committer_;
  const ClusterNodeOptions options_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  ClusterNodeStatus status_ ABSL_GUARDED_BY(mu_);
  // The term of the lease this node holds (0: none).
  uint64_t held_term_ = 0;
  // What on_current was last told (nullopt: nothing yet); read the log once.
  std::optional<bool> current_;
  bool read_once_ = false;
  absl::Time next_lease_check_ = absl::InfinitePast();
  std::thread thread_;
};

}  // namespace agreements::cluster

#endif  // AGREEMENTS_CLUSTER_CLUSTER_NODE_H_
