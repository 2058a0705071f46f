// RegistryServer: the whole registry in one object: the Store, the Committer, access
// control and the gRPC server with the command, query, feed, audit and security services,
// the standard health service and server reflection. Used by agreements-server and by the
// end-to-end tests.
//
// Thread-safe: Shutdown may be called from any thread, once or more. Owns everything it
// starts; destruction shuts down.
#ifndef AGREEMENTS_SERVICES_SERVER_H_
#define AGREEMENTS_SERVICES_SERVER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "gateway/http_gateway.h"
#include "grpcpp/server.h"
#include "services/access_control.h"
#include "services/admin_service.h"
#include "services/audit_service.h"
#include "services/call_observer.h"
#include "services/command_service.h"
#include "services/feed_service.h"
#include "services/metrics_listener.h"
#include "services/page_token.h"
#include "services/query_service.h"
#include "services/reflection_v1.h"
#include "services/security_service.h"
#include "services/server_metrics.h"
#include "store/committer.h"
#include "store/store.h"

namespace agreements::cluster {
class ClusterNode;
class Cosigner;
class PostgresLog;
}  // namespace agreements::cluster

namespace agreements::services {

// Cluster mode (docs/cluster.md): the log of record in PostgreSQL, this node a replica
// that may become the writer.
struct ClusterServerOptions {
  // "" or "embedded": the embedded log (one server). Otherwise a PostgreSQL connection
  // string: a postgres:// or postgresql:// URI or libpq key=value pairs; list every
  // PostgreSQL host with target_session_attrs=read-write so that failovers are followed.
  std::string commit_log;
  // This node's name in the cluster, unique.
  // Default: "" (the advertised address).
  std::string node_id;
  // The gRPC address clients reach this node at (refusals of writes name it).
  // Default: "" (the listen host with the bound port).
  std::string advertise;
  // How long a writer lease lasts without renewal; failover takes about this long.
  // Default: 5 s.
  absl::Duration writer_lease = absl::Seconds(5);
  // How long an append whose connection broke tries to settle its outcome.
  // Default: 30 s.
  absl::Duration resolve_timeout = absl::Seconds(30);

  bool enabled() const { return !commit_log.empty() && commit_log != "embedded"; }
};

// The health service's name for "this replica is current" (cluster mode): SERVING while
// it applied the log to within ClusterNodeOptions::max_lag_records and did not stop.
inline constexpr char kReplicaHealthService[] = "agreements.replica";

struct ServerOptions {
  // host:port to listen on; port 0 picks a free port (see RegistryServer::port()).
  // Default: 127.0.0.1:50051.
  std::string listen = "127.0.0.1:50051";
  // RocksDB data directory; created when missing.
  // Default: ./data.
  std::string data_dir = "./data";
  // Largest request accepted, in bytes.
  // Default: 4 MiB.
  int max_receive_message_bytes = 4 << 20;
  // How long Shutdown lets in-flight RPCs finish before cancelling them.
  // Default: 10 s.
  absl::Duration shutdown_grace = absl::Seconds(10);
  // Longest wait of a query for its min_position, and how many may wait at once.
  // Default: 10 s; 4096 in total and 256 per principal.
  absl::Duration max_min_position_wait = absl::Seconds(10);
  PositionWaitOptions position_waits;
  // Events kept in memory for live subscribers (the feed window), by count and by bytes.
  // A subscriber further behind reads the log. Sized so that the server stays within
  // its memory budget (docs/performance.md): 16,384 events of about 1 KiB are 16 s at
  // 1,000 events/s.
  // Default: 16384 events, 64 MiB.
  size_t feed_window = 16384;
  size_t feed_window_bytes = 64 << 20;
  // Feed streams: threads, the most open at once and per principal, the slots kept for
  // admins and auditors, the checkpoint tick.
  FeedDispatcherOptions feeds;
  // Signed checkpoints: the key file (created with a new Ed25519 key when absent; empty
  // means <data_dir>/checkpoint.key), the origin line (also the key name), and when to
  // publish.
  // Default: "", "agreements-registry", every 1000 events or 1 s.
  std::string signing_key;
  store::CheckpointerOptions checkpoints;
  // Options of the commit path.
  store::CommitterOptions committer;
  // ExecuteBatchStream calls: the requests of one stream in flight.
  // Default: see CommandStreamOptions.
  CommandStreamOptions command_streams;
  // The projection pipeline (its lag bound; on_failure is set by the server).
  store::ProjectionOptions projection;
  // TLS, tokens and policy, and the request rate and token-failure limits per caller
  // (docs/security.md). An empty staging_dir means <data_dir>/tls-active.
  SecurityOptions security;
  // Allows a listen address that is not loopback without TLS, or without access control
  // (development mode). Logs a warning when it is used.
  // Default: false.
  bool insecure = false;
  // RocksDB: the block cache and the memtables.
  // Default: 128 MiB and 64 MiB (StoreOptions).
  store::StoreOptions store;
  // Calls logged and counted (CallObserver): the slow-call threshold.
  CallObserverOptions calls;
  // The Prometheus endpoint: host:port (empty: none), its bearer token (required with
  // TLS off loopback). It serves TLS with the gRPC port's certificate when there is one.
  // Default: "" (agreements-server's --metrics_listen defaults to 127.0.0.1:9464).
  std::string metrics_listen;
  std::string metrics_token;
  // Metrics kept by the caller across servers (Supervisor); null: the server keeps its
  // own.
  ServerMetrics* metrics = nullptr;
  // The HTTP/JSON API and the web explorer (docs/http.md): its listen address (empty:
  // none; the same exposure rule as the gRPC port), threads and explorer folder. It
  // serves TLS with the gRPC port's certificate when there is one.
  // Default: none (agreements-server's --http_listen defaults to 127.0.0.1:8480).
  gateway::HttpGatewayOptions http = [] {
    gateway::HttpGatewayOptions none;
    none.listen.clear();
    return none;
  }();
  // Cluster mode; by default the embedded log.
  ClusterServerOptions cluster;
  // Called once, on the thread that found it, when a write fails and the server marks
  // itself NOT_SERVING (Supervisor recovers).
  std::function<void(const absl::Status&)> on_not_serving;
};

// The metrics listener of `options`: its address and token, the gRPC port's TLS.
MetricsListenerOptions MetricsListenerOptionsOf(const ServerOptions& options);

class RegistryServer {
 public:
  static absl::StatusOr<std::unique_ptr<RegistryServer>> Start(ServerOptions options);
  ~RegistryServer();

  // The port actually bound.
  int port() const { return port_; }
  // The metrics listener's port (0: none).
  int metrics_port() const { return metrics_listener_ ? metrics_listener_->port() : 0; }
  // The HTTP listener's port (0: none).
  int http_port() const { return http_ != nullptr ? http_->port() : 0; }
  // The metrics' text exposition, as the listener serves it.
  std::string ExposeMetrics() const { return metrics_->Expose(); }
  // The health service's status (false once a write failed or after Shutdown).
  bool serving() const;
  // The store, for tests that check what the server wrote (valid until Shutdown).
  const store::Store* TEST_store() const { return store_.get(); }
  const FeedService* TEST_feeds() const { return feed_service_.get(); }
  store::Checkpointer* TEST_checkpointer() const { return checkpointer_.get(); }
  // Cluster mode: the node's role and log figures (null in the embedded mode).
  const cluster::ClusterNode* cluster_node() const { return cluster_.get(); }
  // Stops accepting calls, lets in-flight calls finish (commands are answered only once
  // durable), drains the committer and closes the store.
  void Shutdown();
  // Reads waiting for their min_position now.
  size_t query_waiting() const;
  // Blocks until the server has shut down.
  void Wait();
  // Re-reads the certificate, token and policy files (SIGHUP). All or nothing: on error
  // the files in use stay. After a successful reload, every open feed stream is checked
  // against the new files and ends if its caller lost its token, registry.read or part
  // of its clearance (FeedService::Reauthorize); connections stay open, and new ones use
  // the new certificates within SecurityOptions::reload_poll_seconds. Returns how many
  // streams it ended.
  absl::StatusOr<size_t> ReloadSecurity();

 private:
  RegistryServer() = default;
  // After a failed write: health NOT_SERVING from now on.
  void MarkNotServing(const absl::Status& cause);
  // After a gap in the replicated log: NOT_SERVING for good (a restart would find the
  // same gap), without asking the supervisor to recover.
  void MarkStopped(const absl::Status& cause);
  // Cluster mode: opens the PostgreSQL log for the committer.
  absl::Status OpenClusterLog(ServerOptions& options);
  // Cluster mode: starts following the log (after the port is bound).
  absl::Status StartClusterNode(const ServerOptions& options);
  // Builds the gRPC server with every service and the call observer, and starts it.
  absl::Status StartGrpc(const ServerOptions& options);
  // Starts the HTTP gateway over an in-process channel to the gRPC server.
  absl::Status StartHttp(const ServerOptions& options);

  ServerOptions options_;
  std::unique_ptr<ServerMetrics> owned_metrics_;
  ServerMetrics* metrics_ = nullptr;
  std::unique_ptr<MetricsListener> metrics_listener_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<AccessControl> access_;
  std::unique_ptr<PageTokenCodec> page_tokens_;
  std::unique_ptr<store::FeedHub> hub_;
  std::unique_ptr<store::Projection> projection_;
  std::unique_ptr<cluster::PostgresLog> commit_log_;
  std::unique_ptr<store::Committer> committer_;
  std::unique_ptr<cluster::ClusterNode> cluster_;
  std::unique_ptr<cluster::Cosigner> cosigner_;
  std::string signing_key_path_;
  // Set once a gap in the replicated log stopped this node.
  std::atomic<bool> log_gap_{false};
  std::unique_ptr<store::Checkpointer> checkpointer_;
  std::unique_ptr<CommandService> command_service_;
  std::unique_ptr<QueryService> query_service_;
  std::unique_ptr<FeedService> feed_service_;
  std::unique_ptr<AuditService> audit_service_;
  std::unique_ptr<SecurityService> security_service_;
  std::unique_ptr<AdminService> admin_service_;
  std::unique_ptr<ReflectionV1> reflection_v1_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<gateway::HttpGateway> http_;
  int port_ = 0;
  mutable absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  bool not_serving_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_SERVER_H_
