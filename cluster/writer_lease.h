// WriterLease: who may try to be the writer, in the `agreements_writer` row of the log's
// PostgreSQL (docs/cluster.md). The lease only decides which node tries; safety comes
// from the fenced appends (cluster/postgres_log.h): a node whose lease ran out can no
// longer append, because its term is no longer the lease's and a new writer's term
// record takes the next index. Expiry uses the database's clock, so nodes' clocks do not
// matter.
//
// Not thread-safe: the cluster node's thread.
#ifndef AGREEMENTS_CLUSTER_WRITER_LEASE_H_
#define AGREEMENTS_CLUSTER_WRITER_LEASE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cluster/pg_connection.h"

namespace agreements::cluster {

struct WriterInfo {
  uint64_t term = 0;
  std::string node_id;
  std::string address;
  // False when the lease ran out (or nobody ever held it).
  bool live = false;
};

class WriterLease {
 public:
  WriterLease(std::string conninfo, std::string node_id, std::string address,
              absl::Duration duration)
      : conninfo_(std::move(conninfo)),
        node_id_(std::move(node_id)),
        address_(std::move(address)),
        duration_(duration) {}

  absl::StatusOr<WriterInfo> Read();
  // Takes the lease if it ran out or is this node's, raising the term past `seen_term`
  // (the term Read returned): the new term, or nullopt when another node holds it or
  // took it first.
  absl::StatusOr<std::optional<uint64_t>> TryAcquire(uint64_t seen_term);
  // Extends this node's lease of `term`: false when it is no longer this node's.
  absl::StatusOr<bool> Renew(uint64_t term);
  // Lets the lease run out now (a clean shutdown hands over at once).
  absl::Status Release(uint64_t term);

  absl::Duration duration() const { return duration_; }

 private:
  absl::StatusOr<PgRows> Exec(const std::string& sql, const std::vector<PgParam>& params);

  const std::string conninfo_;
  const std::string node_id_;
  const std::string address_;
  const absl::Duration duration_;
  std::unique_ptr<PgConnection> conn_;
};

}  // namespace agreements::cluster

#endif  // AGREEMENTS_CLUSTER_WRITER_LEASE_H_
