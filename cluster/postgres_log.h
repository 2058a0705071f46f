// PostgresLog: the replicated log of record in PostgreSQL (cluster mode,
// docs/cluster.md). One row per record in `agreements_log`, keyed by the record index
// the writer decided; request ids unique in `agreements_requests`; every append
// notifies the channel `agreements_log` so replicas read at once.
//
// Append is one statement (one transaction): it inserts the record only if no record
// holds its index and the writer lease still has the record's term, inserts its request
// ids, and notifies. With synchronous_commit on (the default) it returns after the
// commit is durable on the primary and, with synchronous standbys configured, on them.
// When the connection breaks during the statement, the outcome is settled by reading
// the log, never guessed: the node reconnects (libpq follows the primary), ends the
// broken statement's server process and waits for it to go, then finds the record at the
// index: its own (durable, after one more synchronous write so that it is replicated
// too), another's (fenced), or none (appended again). Only when the log stays
// unreachable for `resolve_timeout` is the outcome unknown.
//
// Thread-safety: Append on one thread (the committer's), Read and LastIndex on one other.
#ifndef AGREEMENTS_CLUSTER_POSTGRES_LOG_H_
#define AGREEMENTS_CLUSTER_POSTGRES_LOG_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cluster/pg_connection.h"
#include "store/commit_log.h"
#include "store/store.h"

namespace agreements::cluster {

struct PostgresLogOptions {
  // libpq connection string (postgres://... URI or key=value pairs). Required.
  std::string conninfo;
  // This node's name, in the connections' application_name.
  std::string node_id = "node";
  // How long an append whose connection broke keeps trying to reach the log to settle
  // its outcome (a PostgreSQL failover must fit in it).
  // Default: 30 s.
  absl::Duration resolve_timeout = absl::Seconds(30);
};

class PostgresLog : public store::RecordLog {
 public:
  // Connects and creates the tables when missing (docs/cluster.md, "Schema").
  static absl::StatusOr<std::unique_ptr<PostgresLog>> Open(store::Store* store,
                                                           PostgresLogOptions options);

  store::AppendResult Append(const agreements::storage::v1::LogRecord* record,
                             rocksdb::WriteBatch& local) override;
  absl::StatusOr<std::vector<agreements::storage::v1::LogRecord>> Read(
      uint64_t after_index, size_t max_records, absl::Duration wait) override;
  // The highest record index in the log (0 when empty).
  absl::StatusOr<uint64_t> LastIndex();

  // The highest index this node has seen in the log (appended, read or notified).
  uint64_t last_index_seen() const { return last_seen_.load(); }
  // Appends whose connection broke, and those of them that stayed unknown.
  uint64_t appends_resolved() const { return resolved_.load(); }
  uint64_t appends_unknown() const { return unknown_.load(); }

 private:
  PostgresLog(store::Store* store, PostgresLogOptions options)
      : store_(store), options_(std::move(options)) {}
  absl::Status Connect(std::unique_ptr<PgConnection>& conn, const char* role);
  // Runs the append statement: 1 row when the record went in, 0 when fenced.
  absl::StatusOr<bool> Insert(const agreements::storage::v1::LogRecord& record,
                              const std::string& body);
  store::AppendResult Resolve(const agreements::storage::v1::LogRecord& record,
                              const std::string& body, int broken_pid,
                              std::string broken_name);
  // Ends the server process of a broken connection and waits until it is gone.
  absl::Status EndBackend(int pid, const std::string& name, absl::Time deadline);
  store::AppendResult WriteLocal(rocksdb::WriteBatch& local);
  void Saw(uint64_t index);

  store::Store* const store_;
  const PostgresLogOptions options_;
  std::unique_ptr<PgConnection> append_conn_;
  std::unique_ptr<PgConnection> read_conn_;
  std::atomic<uint64_t> connections_{0};
  std::atomic<uint64_t> last_seen_{0};
  std::atomic<uint64_t> resolved_{0};
  std::atomic<uint64_t> unknown_{0};
};

// The SQL that creates the log's tables (idempotent).
const char* LogSchemaSql();

}  // namespace agreements::cluster

#endif  // AGREEMENTS_CLUSTER_POSTGRES_LOG_H_
