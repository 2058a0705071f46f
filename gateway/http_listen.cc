#include "gateway/http_listen.h"

#include <httplib.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace agreements::gateway {

absl::StatusOr<std::pair<std::string, int>> SplitListen(const std::string& listen,
                                                        const char* flag) {
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(listen.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": expected HOST:PORT (got \"", listen, "\")"));
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return std::make_pair(host, port);
}

absl::StatusOr<std::unique_ptr<httplib::Server>> NewHttpServer(
    const std::string& cert_file, const std::string& key_file, const char* what) {
  if (cert_file.empty() != key_file.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": give both a TLS certificate and its key, or neither"));
  }
  if (cert_file.empty()) return std::make_unique<httplib::Server>();
  auto tls = std::make_unique<httplib::SSLServer>(cert_file.c_str(), key_file.c_str());
  if (!tls->is_valid()) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": cannot load the TLS certificate ", cert_file, " and key ", key_file));
  }
  return tls;
}

absl::StatusOr<int> ServeOn(httplib::Server& server, const std::string& host, int port,
                            const char* what, std::thread& thread) {
  const int bound = port == 0 ? server.bind_to_any_port(host)
                              : (server.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return absl::UnavailableError(
        absl::StrCat(what, ": cannot listen on ", host, ":", port));
  }
  thread = std::thread([&server] { server.listen_after_bind(); });
  // A stop before the loop started would be lost: wait until it runs (bounded).
  for (int i = 0; i < 500 && !server.is_running(); ++i) {
    absl::SleepFor(absl::Milliseconds(2));
  }
  return bound;
}

}  // namespace agreements::gateway
