// PostgreSQL 15 servers started by the tests themselves (docs/cluster.md, "Tests"):
// initdb in a temp dir, a unix socket in that dir and no TCP, run as the `postgres`
// user when the tests run as root. A primary, and streaming standbys made with
// pg_basebackup, synchronous when the primary names them. Every instance is killed
// and its directory removed on destruction.
#ifndef AGREEMENTS_TESTS_PG_INSTANCE_H_
#define AGREEMENTS_TESTS_PG_INSTANCE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace agreements::testing {

class PgInstance {
 public:
  // initdb and start a primary in a new directory under `parent` (created for the
  // postgres user). `sync_standbys`: synchronous_standby_names ("" none).
  static absl::StatusOr<std::unique_ptr<PgInstance>> StartPrimary(
      const std::string& parent, const std::string& name,
      const std::string& sync_standbys = "");
  // A streaming standby of `primary`, connecting with application_name `name`.
  static absl::StatusOr<std::unique_ptr<PgInstance>> StartStandby(
      const std::string& parent, const std::string& name, const PgInstance& primary);
  ~PgInstance();

  // host=<socket dir> port=5432 (libpq key=value, no database or user).
  std::string host_port() const;
  // A whole connection string for this server alone.
  std::string conninfo() const;
  // SIGKILL of the postmaster and every server process (a machine that died).
  void Kill();
  // pg_ctl promote, waiting until it accepts writes.
  absl::Status Promote();
  // psql -c `sql`: its output, or the error.
  absl::StatusOr<std::string> Psql(const std::string& sql) const;
  bool running() const { return running_; }

  // The conninfo of a cluster of servers: every host, following the primary.
  static std::string ClusterConninfo(const std::vector<const PgInstance*>& servers);
  // True when PostgreSQL 15's programs are installed.
  static bool Available();

 private:
  PgInstance(std::string dir) : dir_(std::move(dir)) {}
  absl::Status Start();
  std::string dir_;  // holds data/ and the socket
  bool running_ = false;
};

}  // namespace agreements::testing

#endif  // AGREEMENTS_TESTS_PG_INSTANCE_H_
