#include "services/supervisor.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace agreements::services {
namespace {

StandbyOptions StandbyFor(const ServerOptions& options) {
  StandbyOptions standby;
  standby.listen = options.listen;
  standby.tls_cert_file = options.security.tls_cert_file;
  standby.tls_key_file = options.security.tls_key_file;
  return standby;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Supervisor>> Supervisor::Start(
    ServerOptions options, SupervisorOptions supervisor) {
  std::unique_ptr<Supervisor> self(new Supervisor());
  self->supervisor_ = supervisor;
  if (!options.metrics_listen.empty()) {
    auto listener =
        MetricsListener::Start(MetricsListenerOptionsOf(options),
                               [raw = &self->metrics_] { return raw->Expose(); });
    if (!listener.ok()) return listener.status();
    self->listener_ = *std::move(listener);
  }
  options.metrics_listen.clear();  // the supervisor's listener serves the metrics
  options.metrics = &self->metrics_;
  options.on_not_serving = [raw = self.get()](const absl::Status& cause) {
    raw->Recover(cause);
  };
  self->options_ = options;
  if (absl::Status started = self->StartServer("starting: opening the store, migrating "
                                               "if asked, applying the log to the views");
      !started.ok()) {
    return started;
  }
  self->recovery_ = std::thread([raw = self.get()] { raw->RecoveryLoop(); });
  return self;
}

absl::Status Supervisor::StartServer(const std::string& reason) {
  auto standby = StandbyServer::Start(StandbyFor(options_), reason);
  if (!standby.ok()) return standby.status();
  if (port_ == 0) {
    port_ = (*standby)->port();
    const std::string host = options_.listen.substr(0, options_.listen.rfind(':'));
    options_.listen = absl::StrCat(host, ":", port_);
  }
  auto server = RegistryServer::Start(options_);
  if (!server.ok()) return server.status();
  (*standby)->Stop();  // the registry's server holds the port now
  if (http_port_ == 0 && (*server)->http_port() > 0) {
    // A restarted server binds the same HTTP port again.
    http_port_ = (*server)->http_port();
    const std::string& http = options_.http.listen;
    options_.http.listen = absl::StrCat(http.substr(0, http.rfind(':')), ":", http_port_);
  }
  absl::MutexLock lock(&mu_);
  server_ = *std::move(server);
  failed_ = false;
  return absl::OkStatus();
}

void Supervisor::Recover(const absl::Status& cause) {
  absl::MutexLock lock(&mu_);
  failed_ = true;
  cause_ = cause;
}

void Supervisor::RecoveryLoop() {
  while (true) {
    absl::Status cause;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](Supervisor* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
            return s->failed_ || s->stopping_;
          },
          this));
      if (stopping_) return;
      cause = cause_;
    }
    const std::string reason =
        absl::StrCat("recovering from a failed write: ", cause.ToString());
    logging::Warning("recovering: restarting the store and the services",
                     {{"cause", cause.ToString()}});
    auto standby = StandbyServer::Start(StandbyFor(options_), reason);
    std::unique_ptr<RegistryServer> failed;
    {
      absl::MutexLock lock(&mu_);
      failed = std::move(server_);
    }
    failed.reset();  // shuts down: acknowledged commands are durable
    absl::Duration wait = supervisor_.retry;
    while (true) {
      {
        absl::MutexLock lock(&mu_);
        if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), wait)) return;
      }
      auto server = RegistryServer::Start(options_);
      if (server.ok()) {
        absl::MutexLock lock(&mu_);
        server_ = *std::move(server);
        failed_ = false;
        ++recoveries_;
        break;
      }
      logging::Warning("recovering: the store does not open yet",
                       {{"error", server.status().ToString()},
                        {"next_try_s", absl::ToDoubleSeconds(wait)}});
      if (standby.ok())
        (*standby)->SetReason(
            absl::StrCat(reason, "; last try: ", server.status().ToString()));
      wait = std::min(wait * 2, supervisor_.max_retry);
    }
    if (standby.ok()) (*standby)->Stop();
    logging::Info("recovered: serving again");
  }
}

bool Supervisor::serving() const {
  absl::MutexLock lock(&mu_);
  return server_ != nullptr && !failed_ && server_->serving();
}

int Supervisor::recoveries() const {
  absl::MutexLock lock(&mu_);
  return recoveries_;
}

absl::StatusOr<size_t> Supervisor::ReloadSecurity() {
  absl::MutexLock lock(&mu_);
  if (server_ == nullptr) {
    return absl::UnavailableError("the server is recovering; reload after it serves");
  }
  return server_->ReloadSecurity();
}

void Supervisor::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ && !recovery_.joinable() && server_ == nullptr) return;
    stopping_ = true;
  }
  if (recovery_.joinable()) recovery_.join();
  std::unique_ptr<RegistryServer> server;
  {
    absl::MutexLock lock(&mu_);
    server = std::move(server_);
  }
  server.reset();
  if (listener_ != nullptr) listener_->Stop();
}

Supervisor::~Supervisor() { Shutdown(); }

}  // namespace agreements::services
