#include "services/metrics_listener.h"

#include <httplib.h>
#include <openssl/crypto.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/sha256.h"
#include "gateway/http_listen.h"
#include "services/access_control.h"

namespace agreements::services {
namespace {

absl::Status CheckExposure(const MetricsListenerOptions& options,
                           const std::string& host) {
  const bool tls = !options.tls_cert_file.empty();
  if (tls != !options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "metrics listener: give both a TLS certificate and its key, or neither");
  }
  if (IsLoopbackHost(host) || options.insecure) return absl::OkStatus();
  if (!tls || options.bearer_token.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "metrics_listen: ", options.listen,
        " is not a loopback address; serving metrics there needs TLS (--tls_cert, "
        "--tls_key) and a token (--metrics_token_file or AGREEMENTS_METRICS_TOKEN), or "
        "--insecure"));
  }
  return absl::OkStatus();
}

// Compares digests, so the time taken does not depend on where the tokens differ.
bool TokenMatches(const std::string& header, const Sha256Digest& expected) {
  constexpr absl::string_view kScheme = "Bearer ";
  if (header.size() <= kScheme.size() || !absl::StartsWithIgnoreCase(header, kScheme)) {
    return false;
  }
  const Sha256Digest presented =
      Sha256::Hash(absl::string_view(header).substr(kScheme.size()));
  return CRYPTO_memcmp(presented.data(), expected.data(), expected.size()) == 0;
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsListener>> MetricsListener::Start(
    const MetricsListenerOptions& options, std::function<std::string()> expose) {
  auto address = gateway::SplitListen(options.listen, "metrics_listen");
  if (!address.ok()) return address.status();
  const auto& [host, port] = *address;
  if (absl::Status exposure = CheckExposure(options, host); !exposure.ok())
    return exposure;
  std::unique_ptr<MetricsListener> listener(new MetricsListener());
  auto server_made = gateway::NewHttpServer(options.tls_cert_file, options.tls_key_file,
                                            "metrics listener");
  if (!server_made.ok()) return server_made.status();
  listener->server_ = *std::move(server_made);
  httplib::Server& server = *listener->server_;
  server.new_task_queue = [] { return new httplib::ThreadPool(2); };
  server.set_read_timeout(5, 0);
  server.set_write_timeout(5, 0);
  const bool check_token = !options.bearer_token.empty();
  const Sha256Digest expected = Sha256::Hash(options.bearer_token);
  server.Get("/metrics", [expose = std::move(expose), check_token, expected](
                             const httplib::Request& request,
                             httplib::Response& response) {
    if (check_token &&
        !TokenMatches(request.get_header_value("Authorization"), expected)) {
      response.status = 401;
      response.set_header("WWW-Authenticate", "Bearer");
      response.set_content("metrics: a valid bearer token is required\n", "text/plain");
      return;
    }
    response.set_content(expose(), "text/plain; version=0.0.4; charset=utf-8");
  });
  auto bound =
      gateway::ServeOn(server, host, port, "metrics listener", listener->thread_);
  if (!bound.ok()) return bound.status();
  listener->port_ = *bound;
  logging::Info("metrics listener started",
                {{"listen", absl::StrCat(host, ":", listener->port_)},
                 {"tls", !options.tls_cert_file.empty()},
                 {"token", check_token}});
  return listener;
}

MetricsListener::~MetricsListener() { Stop(); }

void MetricsListener::Stop() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace agreements::services
