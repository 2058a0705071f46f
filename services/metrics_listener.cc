#include "services/metrics_listener.h"

#include <httplib.h>
#include <openssl/crypto.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/sha256.h"
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
  const size_t colon = options.listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(options.listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "metrics_listen: expected HOST:PORT (got \"", options.listen, "\")"));
  }
  std::string host = options.listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (absl::Status exposure = CheckExposure(options, host); !exposure.ok())
    return exposure;

  std::unique_ptr<MetricsListener> listener(new MetricsListener());
  if (!options.tls_cert_file.empty()) {
    auto tls = std::make_unique<httplib::SSLServer>(options.tls_cert_file.c_str(),
                                                    options.tls_key_file.c_str());
    if (!tls->is_valid()) {
      return absl::InvalidArgumentError(
          absl::StrCat("metrics listener: cannot load the TLS certificate ",
                       options.tls_cert_file, " and key ", options.tls_key_file));
    }
    listener->server_ = std::move(tls);
  } else {
    listener->server_ = std::make_unique<httplib::Server>();
  }
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
  listener->port_ = port == 0 ? server.bind_to_any_port(host)
                              : (server.bind_to_port(host, port) ? port : -1);
  if (listener->port_ <= 0) {
    return absl::UnavailableError(
        absl::StrCat("metrics listener: cannot listen on ", options.listen));
  }
  listener->thread_ = std::thread([&server] { server.listen_after_bind(); });
  // Stop() before the loop started would be lost: wait until it runs (bounded).
  for (int i = 0; i < 500 && !server.is_running(); ++i) {
    absl::SleepFor(absl::Milliseconds(2));
  }
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
