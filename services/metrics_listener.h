// MetricsListener: the Prometheus endpoint (GET /metrics, text format 0.0.4) on an HTTP
// listener of its own, served by cpp-httplib on a thread of its own. On a loopback
// address it may be plain HTTP without a token; on any other address it needs TLS and a
// bearer token unless `insecure` is set, like the gRPC port (docs/operations.md).
#ifndef AGREEMENTS_SERVICES_METRICS_LISTENER_H_
#define AGREEMENTS_SERVICES_METRICS_LISTENER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace httplib {
class Server;
}

namespace agreements::services {

struct MetricsListenerOptions {
  // host:port; port 0 picks a free port.
  // Default: 127.0.0.1:9464.
  std::string listen = "127.0.0.1:9464";
  // PEM certificate chain and key: HTTPS. Empty: plain HTTP.
  std::string tls_cert_file;
  std::string tls_key_file;
  // When set, every request must carry "Authorization: Bearer <token>".
  std::string bearer_token;
  // Allows a non-loopback address without TLS or without a token.
  bool insecure = false;
};

class MetricsListener {
 public:
  // Binds and starts serving; `expose` is called for each scrape, on the listener's
  // threads.
  static absl::StatusOr<std::unique_ptr<MetricsListener>> Start(
      const MetricsListenerOptions& options, std::function<std::string()> expose);
  // Stops.
  ~MetricsListener();
  MetricsListener(const MetricsListener&) = delete;
  MetricsListener& operator=(const MetricsListener&) = delete;

  int port() const { return port_; }
  // Stops accepting and waits for the thread. Idempotent.
  void Stop();

 private:
  MetricsListener() = default;

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_METRICS_LISTENER_H_
