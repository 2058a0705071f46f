// CallObserver: a gRPC server interceptor that sees every call of every service once
// it ends: it counts it in ServerMetrics (method, code, latency) and logs it: failed
// calls (method, principal, request id, code, message, latency), slow unary calls
// (over a threshold), and the opening and end of streaming calls at debug level
// (subscriber connects and disconnects). One mechanism for every service, so no
// handler logs or counts on its own.
#ifndef AGREEMENTS_SERVICES_CALL_OBSERVER_H_
#define AGREEMENTS_SERVICES_CALL_OBSERVER_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "grpcpp/support/server_interceptor.h"

namespace agreements::services {

class AccessControl;
class ServerMetrics;

struct CallObserverOptions {
  // Unary calls taking at least this long are logged at warning level (0: never).
  // Default: 1 s.
  absl::Duration slow_call = absl::Seconds(1);
};

class CallObserverFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // `metrics` (may be null) and `access` (may be null until set, for the principal in
  // log lines) must outlive the server.
  CallObserverFactory(ServerMetrics* metrics, CallObserverOptions options)
      : metrics_(metrics), options_(options) {}
  void set_access(const AccessControl* access) { access_ = access; }

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  ServerMetrics* const metrics_;
  const CallObserverOptions options_;
  const AccessControl* access_ = nullptr;
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_CALL_OBSERVER_H_
