#include "services/standby_server.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace agreements::services {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(
    const StandbyOptions& options) {
  if (options.tls_cert_file.empty()) return grpc::InsecureServerCredentials();
  auto cert = ReadFile(options.tls_cert_file);
  if (!cert.ok()) return cert.status();
  auto key = ReadFile(options.tls_key_file);
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions ssl;
  ssl.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(ssl);
}

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

}  // namespace

class StandbyServer::Health final : public grpc::health::v1::Health::Service {
 public:
  explicit Health(std::string reason) : reason_(std::move(reason)) {}

  void SetReason(const std::string& reason) {
    absl::MutexLock lock(&mu_);
    reason_ = reason;
  }
  void Stop() {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }

  grpc::Status Check(grpc::ServerContext* context, const HealthCheckRequest*,
                     HealthCheckResponse* response) override {
    response->set_status(HealthCheckResponse::NOT_SERVING);
    context->AddTrailingMetadata(kNotServingReasonHeader, reason());
    return grpc::Status::OK;
  }

  // NOT_SERVING once, then held open until the client leaves or the standby stops (the
  // registry's server answers the next Watch).
  grpc::Status Watch(grpc::ServerContext* context, const HealthCheckRequest*,
                     grpc::ServerWriter<HealthCheckResponse>* writer) override {
    HealthCheckResponse response;
    response.set_status(HealthCheckResponse::NOT_SERVING);
    context->AddTrailingMetadata(kNotServingReasonHeader, reason());
    if (!writer->Write(response)) return grpc::Status::OK;
    absl::MutexLock lock(&mu_);
    while (!stopping_ && !context->IsCancelled()) {
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::Milliseconds(100));
    }
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is changing over");
  }

  std::string reason() {
    absl::MutexLock lock(&mu_);
    return reason_;
  }

 private:
  absl::Mutex mu_;
  std::string reason_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

// Every method but health: UNAVAILABLE, naming the reason.
class StandbyServer::Unavailable final : public grpc::CallbackGenericService {
 public:
  explicit Unavailable(Health* health) : health_(health) {}

  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override {
    class Reactor : public grpc::ServerGenericBidiReactor {
     public:
      explicit Reactor(const std::string& message) {
        Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, message));
      }
      void OnDone() override { delete this; }
    };
    return new Reactor(
        absl::StrCat("the server is not serving yet (", health_->reason(), "); retry"));
  }

 private:
  Health* const health_;
};

absl::StatusOr<std::unique_ptr<StandbyServer>> StandbyServer::Start(
    const StandbyOptions& options, const std::string& reason) {
  auto credentials = Credentials(options);
  if (!credentials.ok()) return credentials.status();
  std::unique_ptr<StandbyServer> standby(new StandbyServer());
  standby->health_ = std::make_unique<Health>(reason);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, *credentials, &standby->port_);
  builder.RegisterService(standby->health_.get());
  standby->others_ = std::make_unique<Unavailable>(standby->health_.get());
  builder.RegisterCallbackGenericService(standby->others_.get());
  standby->server_ = builder.BuildAndStart();
  if (standby->server_ == nullptr || standby->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  return standby;
}

StandbyServer::~StandbyServer() { Stop(); }

void StandbyServer::SetReason(const std::string& reason) { health_->SetReason(reason); }

void StandbyServer::Stop() {
  if (server_ == nullptr) return;
  health_->Stop();
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  server_.reset();
}

}  // namespace agreements::services
