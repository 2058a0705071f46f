// Supervisor: runs the RegistryServer behind a port that stays open, and brings it back
// by itself after a failed write (docs/operations.md, "Start-up and recovery").
//
// - Start: a StandbyServer takes the port first (health NOT_SERVING, with the reason:
//   opening the store, migrating, applying the log), then the registry's server binds
//   the same port and the standby stops.
// - After a write fails (a full disk, an I/O error), the registry's server marks itself
//   NOT_SERVING; the supervisor puts the standby back on the port, shuts the server
//   down (every acknowledged command is durable; the outcome of the failed group is in
//   the log or not), and starts it again every `retry` until it opens: reopening the
//   store replays its write-ahead log and re-reads the head, so nothing decided in
//   memory is trusted. Clients retry with the same request ids and get the durable
//   outcome.
//
// The metrics (and their listener) belong to the supervisor, so they stay reachable
// throughout and agreements_serving reads 0 meanwhile. Thread-safe.
#ifndef AGREEMENTS_SERVICES_SUPERVISOR_H_
#define AGREEMENTS_SERVICES_SUPERVISOR_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/metrics_listener.h"
#include "services/server.h"
#include "services/server_metrics.h"
#include "services/standby_server.h"

namespace agreements::services {

struct SupervisorOptions {
  // How often a failed server is started again, at first and at most (doubling).
  // Default: 1 s and 30 s.
  absl::Duration retry = absl::Seconds(1);
  absl::Duration max_retry = absl::Seconds(30);
};

class Supervisor {
 public:
  // Starts the registry (ServerOptions::metrics and on_not_serving are the
  // supervisor's). Fails when the first start fails: a configuration or a store that
  // cannot open is for the operator, not for retries.
  static absl::StatusOr<std::unique_ptr<Supervisor>> Start(
      ServerOptions options, SupervisorOptions supervisor = SupervisorOptions());
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  int port() const { return port_; }
  int metrics_port() const { return listener_ ? listener_->port() : 0; }
  // The HTTP listener's port (0: none); the same across restarts.
  int http_port() const { return http_port_; }
  // Whether the registry serves now (false while recovering).
  bool serving() const;
  // Recoveries completed since start.
  int recoveries() const;
  // SIGHUP: reloads the security files of the running server.
  absl::StatusOr<size_t> ReloadSecurity();
  void Shutdown();

 private:
  Supervisor() = default;
  absl::Status StartServer(const std::string& reason);
  void Recover(const absl::Status& cause);
  void RecoveryLoop();

  ServerOptions options_;
  SupervisorOptions supervisor_;
  ServerMetrics metrics_;
  std::unique_ptr<MetricsListener> listener_;
  int port_ = 0;
  int http_port_ = 0;

  mutable absl::Mutex mu_;
  std::unique_ptr<RegistryServer> server_ ABSL_GUARDED_BY(mu_);
  bool failed_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status cause_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int recoveries_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread recovery_;
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_SUPERVISOR_H_
