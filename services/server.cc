#include "services/server.h"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "cluster/cluster_node.h"
#include "cluster/cosigner.h"
#include "cluster/postgres_log.h"
#include "common/build_info.h"
#include "common/log.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "openssl/rand.h"
#include "services/error_details_interceptor.h"

namespace agreements::services {
namespace {

// A listener off loopback needs TLS and access control, or --insecure (then a warning).
absl::Status CheckExposure(const char* flag, const std::string& listen,
                           const ServerOptions& options) {
  const std::string host = listen.substr(0, listen.rfind(':'));
  const bool tls = !options.security.tls_cert_file.empty();
  const bool open = IsDevelopmentMode(options.security);
  if (IsLoopbackHost(host) || (tls && !open)) return absl::OkStatus();
  const std::string what = !tls ? "without TLS" : "without access control";
  if (!options.insecure) {
    return absl::FailedPreconditionError(
        absl::StrCat(flag, ": ", listen, " is not a loopback address; serving it ", what,
                     " needs --insecure (docs/security.md)"));
  }
  logging::Warning("serving an open port (--insecure)",
                   {{flag, listen}, {"exposure", what}});
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<RegistryServer>> RegistryServer::Start(
    ServerOptions options) {
  std::unique_ptr<RegistryServer> server(new RegistryServer());
  server->options_ = options;
  if (options.metrics == nullptr) {
    server->owned_metrics_ = std::make_unique<ServerMetrics>();
    server->metrics_ = server->owned_metrics_.get();
  } else {
    server->metrics_ = options.metrics;
  }
  options.committer.on_write_failure = [raw = server.get()](const absl::Status& cause) {
    raw->MarkNotServing(cause);
  };
  options.committer.on_group_written = [metrics = server->metrics_](
                                           size_t requests, uint64_t events,
                                           absl::Duration write) {
    metrics->RecordGroup(requests, events, write);
  };
  if (options.security.staging_dir.empty()) {
    options.security.staging_dir = options.data_dir + "/tls-active";
  }
  if (absl::Status exposed = CheckExposure("listen", options.listen, options);
      !exposed.ok()) {
    return exposed;
  }
  if (!options.http.listen.empty()) {
    if (absl::Status exposed = CheckExposure("http_listen", options.http.listen, options);
        !exposed.ok()) {
      return exposed;
    }
  }
  auto store = store::Store::Open(options.data_dir, options.store);
  if (!store.ok()) return store.status();
  server->store_ = *std::move(store);
  logging::Info("store opened", {{"data_dir", options.data_dir}});
  if (options.cluster.enabled()) {
    if (absl::Status opened = server->OpenClusterLog(options); !opened.ok())
      return opened;
  }
  if (!options.http.listen.empty()) {
    // Known to this process only: the gateway's calls name their HTTP client with it.
    unsigned char key[16];
    if (RAND_bytes(key, sizeof(key)) != 1) {
      return absl::InternalError("cannot draw the HTTP gateway's key");
    }
    options.security.limits.gateway_key = absl::BytesToHexString(
        absl::string_view(reinterpret_cast<char*>(key), sizeof(key)));
    options.http.peer_key = options.security.limits.gateway_key;
  }
  // After the store, whose lock keeps a second server on the same data directory from
  // touching the staged certificate files.
  auto access = AccessControl::Create(options.security);
  if (!access.ok()) return access.status();
  server->access_ = *std::move(access);
  auto page_tokens = PageTokenCodec::LoadOrCreate(options.data_dir + "/page_token.key");
  if (!page_tokens.ok()) return page_tokens.status();
  server->page_tokens_ = *std::move(page_tokens);
  options.projection.on_failure = [raw = server.get()](const absl::Status& cause) {
    raw->MarkNotServing(cause);
  };
  // Brings the views up to the log's head (after a crash they may lag) before anything
  // decides or reads.
  auto projection = store::Projection::Start(server->store_.get(), options.projection);
  if (!projection.ok()) return projection.status();
  server->projection_ = *std::move(projection);
  logging::Info("views caught up with the log",
                {{"applied", server->projection_->applied()}});
  options.committer.projection = server->projection_.get();
  auto head = server->store_->ReadHead();
  if (!head.ok()) return head.status();
  server->hub_ = std::make_unique<store::FeedHub>(options.feed_window,
                                                  options.feed_window_bytes, *head);
  options.committer.feed_hub = server->hub_.get();
  auto committer = store::Committer::Start(server->store_.get(), options.committer);
  if (!committer.ok()) return committer.status();
  server->committer_ = *std::move(committer);
  server->command_service_ = std::make_unique<CommandService>(
      server->committer_.get(), server->access_.get(), options.command_streams);
  server->query_service_ = std::make_unique<QueryService>(
      server->store_.get(), server->committer_.get(), options.max_min_position_wait,
      options.position_waits, server->access_.get(), server->page_tokens_.get());
  server->feed_service_ = std::make_unique<FeedService>(
      server->store_.get(), server->hub_.get(), server->projection_.get(), options.feeds,
      server->access_.get());
  const std::string key_path = options.signing_key.empty()
                                   ? options.data_dir + "/checkpoint.key"
                                   : options.signing_key;
  // A missing key is created only for a store that never signed anything: after a
  // restore, or a key moved away, the operator gives the key that signed the stored
  // checkpoints (docs/operations.md).
  if (!std::filesystem::exists(key_path)) {
    auto signed_before = store::HasCheckpoints(server->store_.get());
    if (!signed_before.ok()) return signed_before.status();
    if (*signed_before) {
      return absl::FailedPreconditionError(absl::StrCat(
          "signing_key: ", key_path,
          " does not exist, but this store holds checkpoints signed with a key; give "
          "the key that signed them with --signing_key (a new key is created only for "
          "a store that never signed one)"));
    }
  }
  server->signing_key_path_ = key_path;
  auto signer = note::NoteSigner::LoadOrCreate(key_path, options.checkpoints.origin);
  if (!signer.ok()) return signer.status();
  auto checkpointer = store::Checkpointer::Start(server->store_.get(), *std::move(signer),
                                                 options.checkpoints);
  if (!checkpointer.ok()) return checkpointer.status();
  server->checkpointer_ = *std::move(checkpointer);
  server->audit_service_ = std::make_unique<AuditService>(
      server->store_.get(), server->committer_.get(), server->checkpointer_.get(),
      server->access_.get(), server->page_tokens_.get());
  server->security_service_ = std::make_unique<SecurityService>(
      server->access_.get(), server->feed_service_.get(),
      &server->query_service_->waiters());
  store::BackupKeys backup_keys;
  backup_keys.page_token_key_file = options.data_dir + "/page_token.key";
  backup_keys.signing_key_file = key_path;
  backup_keys.signing_verifier_key = server->checkpointer_->VerifierKey();
  backup_keys.server_version =
      absl::StrCat(build_info::Version(), " (commit ", build_info::Commit(), ")");
  server->admin_service_ =
      std::make_unique<AdminService>(server->store_.get(), server->projection_.get(),
                                     server->access_.get(), std::move(backup_keys));

  if (absl::Status started = server->StartGrpc(options); !started.ok()) return started;
  if (options.cluster.enabled()) {
    if (absl::Status started = server->StartClusterNode(options); !started.ok()) {
      return started;
    }
  }
  if (!options.http.listen.empty()) {
    if (absl::Status started = server->StartHttp(options); !started.ok()) return started;
  }
  if (!options.metrics_listen.empty()) {
    auto listener =
        MetricsListener::Start(MetricsListenerOptionsOf(options),
                               [raw = server->metrics_] { return raw->Expose(); });
    if (!listener.ok()) return listener.status();
    server->metrics_listener_ = *std::move(listener);
  }
  MetricSources sources;
  sources.store = server->store_.get();
  sources.committer = server->committer_.get();
  sources.projection = server->projection_.get();
  sources.checkpointer = server->checkpointer_.get();
  sources.feeds = server->feed_service_.get();
  sources.access = server->access_.get();
  sources.data_dir = options.data_dir;
  sources.serving = [raw = server.get()] { return raw->serving(); };
  if (server->cluster_ != nullptr) {
    sources.cluster = [raw = server.get(), node = server->cluster_.get(),
                       log = server->commit_log_.get()] {
      const cluster::ClusterNodeStatus status = node->status();
      ClusterFigures figures;
      figures.writer = status.writer;
      figures.term = status.term;
      figures.record_index = status.record_index;
      figures.lag_records = node->lag_records();
      figures.terms_started = status.terms_started;
      figures.step_downs = status.step_downs;
      figures.read_errors = status.read_errors;
      figures.appends_resolved = log->appends_resolved();
      figures.appends_unknown = log->appends_unknown();
      figures.log_gap = raw->log_gap_.load();
      if (raw->cosigner_ != nullptr) {
        const cluster::CosignerStatus cosigned = raw->cosigner_->status();
        figures.cosigned_size = cosigned.cosigned_size;
        figures.cosigned_signatures = cosigned.signatures;
        figures.tree_divergences = cosigned.divergences;
      }
      return figures;
    };
  }
  server->metrics_->Watch(std::move(sources));
  return server;
}

absl::Status RegistryServer::StartGrpc(const ServerOptions& options) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, access_->ServerCredentials(), &port_);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  builder.RegisterService(command_service_.get());
  builder.RegisterService(query_service_.get());
  builder.RegisterService(feed_service_.get());
  builder.RegisterService(audit_service_.get());
  builder.RegisterService(security_service_.get());
  builder.RegisterService(admin_service_.get());
  reflection_v1_ = std::make_unique<ReflectionV1>(std::vector<std::string>{
      agreements::v1::CommandService::service_full_name(),
      agreements::v1::QueryService::service_full_name(),
      agreements::v1::FeedService::service_full_name(),
      agreements::v1::AuditService::service_full_name(),
      agreements::v1::SecurityService::service_full_name(),
      agreements::v1::AdminService::service_full_name(), "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"});
  builder.RegisterService(reflection_v1_.get());
  auto observer = std::make_unique<CallObserverFactory>(metrics_, options.calls);
  observer->set_access(access_.get());
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  // Details first, so that the observer logs and counts the status the client gets.
  interceptors.push_back(std::make_unique<ErrorDetailsInterceptorFactory>());
  interceptors.push_back(std::move(observer));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  absl::MutexLock lock(&mu_);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  server_->GetHealthCheckService()->SetServingStatus(!not_serving_);
  logging::Info("serving", {{"listen", options.listen},
                            {"port", port_},
                            {"tls", access_->tls()},
                            {"serving", !not_serving_}});
  return absl::OkStatus();
}

absl::Status RegistryServer::StartHttp(const ServerOptions& options) {
  gateway::HttpGatewayOptions http = options.http;
  http.tls_cert_file = options.security.tls_cert_file;
  http.tls_key_file = options.security.tls_key_file;
  std::shared_ptr<grpc::Channel> channel;
  {
    absl::MutexLock lock(&mu_);
    grpc::ChannelArguments arguments;
    arguments.SetMaxReceiveMessageSize(-1);
    channel = server_->InProcessChannel(arguments);
  }
  auto gateway = gateway::HttpGateway::Start(std::move(http), std::move(channel));
  if (!gateway.ok()) return gateway.status();
  http_ = *std::move(gateway);
  return absl::OkStatus();
}

bool RegistryServer::serving() const {
  absl::MutexLock lock(&mu_);
  return !not_serving_ && !shut_down_ && server_ != nullptr;
}

MetricsListenerOptions MetricsListenerOptionsOf(const ServerOptions& options) {
  MetricsListenerOptions metrics;
  metrics.listen = options.metrics_listen;
  metrics.tls_cert_file = options.security.tls_cert_file;
  metrics.tls_key_file = options.security.tls_key_file;
  metrics.bearer_token = options.metrics_token;
  metrics.insecure = options.insecure;
  return metrics;
}

RegistryServer::~RegistryServer() { Shutdown(); }

void RegistryServer::MarkNotServing(const absl::Status& cause) {
  logging::Error("NOT_SERVING: a write failed; the server takes no more writes",
                 {{"cause", cause.ToString()}});
  bool first = false;
  {
    absl::MutexLock lock(&mu_);
    first = !not_serving_;
    not_serving_ = true;
    if (server_ != nullptr && !shut_down_) {
      server_->GetHealthCheckService()->SetServingStatus(false);
    }
  }
  // Nothing will be published any more: open feeds end now (UNAVAILABLE) so that their
  // clients go elsewhere instead of waiting at a head that never moves.
  if (feed_service_ != nullptr) feed_service_->Shutdown();
  if (first && options_.on_not_serving) options_.on_not_serving(cause);
}

void RegistryServer::MarkStopped(const absl::Status& cause) {
  logging::Error("NOT_SERVING: the replicated log does not follow this node's copy",
                 {{"cause", cause.ToString()}});
  log_gap_ = true;
  absl::MutexLock lock(&mu_);
  not_serving_ = true;
  if (server_ != nullptr && !shut_down_) {
    server_->GetHealthCheckService()->SetServingStatus(false);
  }
}

absl::Status RegistryServer::OpenClusterLog(ServerOptions& options) {
  cluster::PostgresLogOptions log;
  log.conninfo = options.cluster.commit_log;
  log.node_id = options.cluster.node_id.empty() ? "node" : options.cluster.node_id;
  log.resolve_timeout = options.cluster.resolve_timeout;
  auto opened = cluster::PostgresLog::Open(store_.get(), std::move(log));
  if (!opened.ok()) return opened.status();
  commit_log_ = *std::move(opened);
  options.committer.log = commit_log_.get();
  options.committer.on_log_gap = [this](const absl::Status& cause) {
    MarkStopped(cause);
  };
  logging::Info("cluster mode: the log of record is in PostgreSQL");
  return absl::OkStatus();
}

absl::Status RegistryServer::StartClusterNode(const ServerOptions& options) {
  cluster::ClusterNodeOptions node;
  node.address = options.cluster.advertise;
  if (node.address.empty()) {
    node.address =
        absl::StrCat(options.listen.substr(0, options.listen.rfind(':')), ":", port_);
  }
  node.node_id = options.cluster.node_id.empty() ? node.address : options.cluster.node_id;
  node.lease = options.cluster.writer_lease;
  node.on_current = [this](bool current) {
    absl::MutexLock lock(&mu_);
    if (server_ != nullptr && !shut_down_) {
      server_->GetHealthCheckService()->SetServingStatus(kReplicaHealthService, current);
    }
  };
  {
    absl::MutexLock lock(&mu_);
    server_->GetHealthCheckService()->SetServingStatus(kReplicaHealthService, false);
  }
  auto lease = std::make_unique<cluster::WriterLease>(
      options.cluster.commit_log, node.node_id, node.address, node.lease);
  cluster::CosignerOptions cosign;
  cosign.conninfo = options.cluster.commit_log;
  cosign.node_id = node.node_id;
  cosign.origin = options.checkpoints.origin;
  auto started = cluster::ClusterNode::Start(commit_log_.get(), std::move(lease),
                                             committer_.get(), std::move(node));
  if (!started.ok()) return started.status();
  cluster_ = *std::move(started);
  // The checkpoint key once more, for co-signing (it never leaves this node).
  auto signer = note::NoteSigner::Load(signing_key_path_);
  if (!signer.ok()) return signer.status();
  auto cosigner = cluster::Cosigner::Start(store_.get(), checkpointer_.get(),
                                           *std::move(signer), std::move(cosign));
  if (!cosigner.ok()) return cosigner.status();
  cosigner_ = *std::move(cosigner);
  audit_service_->SetCosignedNoteSource(
      [raw = cosigner_.get()] { return raw->CosignedNote(); });
  return absl::OkStatus();
}

void RegistryServer::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  // The HTTP listener first: its calls go through the gRPC server below.
  if (http_ != nullptr) http_->Stop();
  logging::Info("shutting down: closing feed streams and waiting reads");
  // The collectors stop reading the parts about to go.
  if (metrics_ != nullptr) metrics_->Unwatch();
  // Open feed streams end first (UNAVAILABLE): the gRPC server's Shutdown waits for
  // every call to finish.
  if (feed_service_ != nullptr) feed_service_->Shutdown();
  // So do reads waiting for a position.
  if (query_service_ != nullptr) query_service_->Shutdown();
  if (server_ != nullptr) {
    logging::Info("shutting down: letting calls in flight finish",
                  {{"grace_s", absl::ToDoubleSeconds(options_.shutdown_grace)}});
    server_->GetHealthCheckService()->SetServingStatus(false);
    server_->Shutdown(std::chrono::system_clock::now() +
                      absl::ToChronoSeconds(options_.shutdown_grace));
  }
  if (cosigner_ != nullptr) {
    if (audit_service_ != nullptr) audit_service_->SetCosignedNoteSource(nullptr);
    cosigner_->Shutdown();
    cosigner_.reset();
  }
  if (checkpointer_ != nullptr) checkpointer_->Shutdown();
  if (committer_ != nullptr) {
    committer_->Shutdown();
    logging::Info("shutting down: every acknowledged command is durable",
                  {{"head", committer_->committed_position()}});
  }
  // After the committer drained: a writer lets its lease go for the next one.
  if (cluster_ != nullptr) cluster_->Shutdown();
  cluster_.reset();
  committer_.reset();
  commit_log_.reset();
  // After the committer: the views take in every acknowledged event before the store
  // closes.
  if (projection_ != nullptr) {
    projection_->Shutdown();
    logging::Info("shutting down: the views applied the log",
                  {{"applied", projection_->applied()}});
  }
  projection_.reset();
  if (metrics_listener_ != nullptr) metrics_listener_->Stop();
  // The gRPC server goes before the services registered with it; the feed service after
  // the committer, so that no publish reaches its dispatcher any more.
  server_.reset();
  feed_service_.reset();
  audit_service_.reset();
  security_service_.reset();
  checkpointer_.reset();
  hub_.reset();
  store_.reset();
  logging::Info("shutting down: store closed");
  // access_ and page_tokens_ stay until destruction: ReloadSecurity may still run.
}

absl::StatusOr<size_t> RegistryServer::ReloadSecurity() {
  // Held throughout: reloads run one at a time, and Shutdown (which takes mu_ first)
  // waits until the open streams were checked against the new files.
  absl::MutexLock lock(&mu_);
  if (shut_down_) return absl::FailedPreconditionError("the server is shut down");
  absl::Status reloaded = access_->Reload();
  if (!reloaded.ok()) return reloaded;
  return feed_service_ != nullptr ? feed_service_->Reauthorize() : 0;
}

size_t RegistryServer::query_waiting() const {
  return query_service_ == nullptr ? 0 : query_service_->waiters().waiting();
}

void RegistryServer::Wait() {
  if (server_ != nullptr) server_->Wait();
}

}  // namespace agreements::services
