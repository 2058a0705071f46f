// StandbyServer: the gRPC port while the registry cannot serve (starting up: opening
// the store, migrating, applying the log to the views; recovering from a failed
// write). The health service answers NOT_SERVING with the reason in the trailing
// metadata "agreements-not-serving-reason", so probes reach the port early and say why
// it is not ready; every other method answers UNAVAILABLE with the reason (what clients
// retry), as a closed port would. It binds with SO_REUSEPORT (gRPC's default), so the
// registry's own server can bind the same port before the standby stops: the port never
// closes in between.
#ifndef AGREEMENTS_SERVICES_STANDBY_SERVER_H_
#define AGREEMENTS_SERVICES_STANDBY_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/server.h"

namespace agreements::services {

inline constexpr char kNotServingReasonHeader[] = "agreements-not-serving-reason";

struct StandbyOptions {
  // host:port (port 0 picks one).
  std::string listen;
  // PEM files: TLS as on the registry's port (no client certificates asked).
  std::string tls_cert_file;
  std::string tls_key_file;
};

class StandbyServer {
 public:
  static absl::StatusOr<std::unique_ptr<StandbyServer>> Start(
      const StandbyOptions& options, const std::string& reason);
  ~StandbyServer();
  StandbyServer(const StandbyServer&) = delete;
  StandbyServer& operator=(const StandbyServer&) = delete;

  int port() const { return port_; }
  void SetReason(const std::string& reason);
  // Stops answering; idempotent.
  void Stop();

 private:
  class Health;
  class Unavailable;
  StandbyServer() = default;

  std::unique_ptr<Health> health_;
  std::unique_ptr<Unavailable> others_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_STANDBY_SERVER_H_
