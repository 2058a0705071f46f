// What every HTTP listener of the server does the same way (the HTTP API, the metrics
// endpoint): read HOST:PORT, make a plain or TLS cpp-httplib server, bind it (port 0:
// any free port) and serve it on a thread of its own.
#ifndef AGREEMENTS_GATEWAY_HTTP_LISTEN_H_
#define AGREEMENTS_GATEWAY_HTTP_LISTEN_H_

#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/status/statusor.h"

namespace httplib {
class Server;
}

namespace agreements::gateway {

// "HOST:PORT" (HOST may be a bracketed IPv6 address) as host without brackets and port;
// INVALID_ARGUMENT naming `flag` otherwise.
absl::StatusOr<std::pair<std::string, int>> SplitListen(const std::string& listen,
                                                        const char* flag);

// HTTPS with the PEM certificate chain and key when both are given, else plain HTTP;
// INVALID_ARGUMENT naming `what` when they do not load.
absl::StatusOr<std::unique_ptr<httplib::Server>> NewHttpServer(
    const std::string& cert_file, const std::string& key_file, const char* what);

// Binds `server` to host:port and serves it on `thread` (started here, running once this
// returns); the port bound. UNAVAILABLE naming `what` when it cannot bind.
absl::StatusOr<int> ServeOn(httplib::Server& server, const std::string& host, int port,
                            const char* what, std::thread& thread);

}  // namespace agreements::gateway

#endif  // AGREEMENTS_GATEWAY_HTTP_LISTEN_H_
