// PgConnection: one libpq connection to the PostgreSQL server holding the replicated log
// (docs/cluster.md), with the few operations the cluster needs: parameterized
// statements (text parameters, or bytea in binary), LISTEN and waiting for
// notifications, and reconnecting.
//
// The connection string is libpq's (a postgres:// URI or key=value pairs). With several
// hosts and target_session_attrs=read-write, libpq finds the primary after a failover;
// Connect adds a connect_timeout when none is given.
//
// Not thread-safe: one thread uses a connection.
#ifndef AGREEMENTS_CLUSTER_PG_CONNECTION_H_
#define AGREEMENTS_CLUSTER_PG_CONNECTION_H_

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace agreements::cluster {

// One statement parameter: text, or binary (bytea) when `binary`.
struct PgParam {
  std::string value;
  bool binary = false;
  bool null = false;
};

// A statement's result rows (every column as bytes: text, or binary when asked).
struct PgRows {
  std::vector<std::vector<std::optional<std::string>>> rows;
};

class PgConnection {
 public:
  // Connects once; UNAVAILABLE when the server cannot be reached.
  static absl::StatusOr<std::unique_ptr<PgConnection>> Connect(
      const std::string& conninfo, const std::string& application_name);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one statement. A lost connection is UNAVAILABLE (the outcome of a write is then
  // unknown); an error the server reported is its SQLSTATE class mapped to a code
  // (ABORTED for unique violations and serialization failures, INTERNAL otherwise) with
  // the server's message; `binary_result` returns columns in binary.
  absl::StatusOr<PgRows> Exec(const std::string& sql, const std::vector<PgParam>& params,
                              bool binary_result = false);
  // Runs statements without parameters (schema, LISTEN).
  absl::Status ExecSimple(const std::string& sql);
  // Waits up to `timeout` for a notification on a LISTENed channel; true when one (or
  // more) arrived, and then `payload` is the last one's.
  absl::StatusOr<bool> WaitForNotification(absl::Duration timeout, std::string* payload);
  // True while the connection is usable.
  bool ok() const;
  // The server process serving this connection, and this connection's
  // application_name (unique per connection), to find it in pg_stat_activity.
  int backend_pid() const { return backend_pid_; }
  const std::string& application_name() const { return application_name_; }
  // "host:port" of the server connected to.
  std::string server() const;

 private:
  explicit PgConnection(PGconn* conn, std::string application_name);
  // Takes the result of a statement (freeing it): its rows, or the error (see Exec).
  absl::StatusOr<PgRows> RowsOf(PGresult* result);
  PGconn* conn_;
  int backend_pid_ = 0;
  std::string application_name_;
};

}  // namespace agreements::cluster

#endif  // AGREEMENTS_CLUSTER_PG_CONNECTION_H_
