// HttpGateway: the HTTP/JSON API of the registry (docs/http.md) on a listener of its
// own, served by cpp-httplib. Every route of gateway/routes.h is answered by calling the
// route's gRPC method over a channel to the registry's own gRPC server (in-process), with
// the caller's bearer token, so access control, confidentiality, rate limits, logs and
// metrics are exactly those of a gRPC call. Unary reads answer JSON; the feed and the
// sector views answer server-sent events; exports stream CSV or JSON Lines. It serves
// the web explorer's static files too, when given their folder.
//
// Thread-safe; Stop is idempotent. Streams (event streams and exports) each hold a
// worker thread while open, and there are at most `max_streams` of them.
#ifndef AGREEMENTS_GATEWAY_HTTP_GATEWAY_H_
#define AGREEMENTS_GATEWAY_HTTP_GATEWAY_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace agreements::gateway {

// Metadata on every call the gateway makes: the HTTP client's address in gRPC's peer
// form ("ipv4:ADDR:PORT", "ipv6:[ADDR]:PORT"), for the server's per-peer limits, and the
// gateway's key, a secret of the process that makes the server trust that address.
inline constexpr char kHttpPeerMetadata[] = "agreements-http-peer";
inline constexpr char kGatewayKeyMetadata[] = "agreements-gateway-key";

struct HttpGatewayOptions {
  // host:port; port 0 picks a free port. The caller decides whether the address may be
  // exposed (RegistryServer applies the gRPC port's rule).
  std::string listen = "127.0.0.1:8480";
  // PEM certificate chain and key: HTTPS. Empty: plain HTTP.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Worker threads, and how many of them streams may hold at once (the others answer
  // 503 while that many are open).
  // Default: 16 and 12.
  int threads = 16;
  int max_streams = 12;
  // Deadline of one unary call (reads wait for positions within it).
  // Default: 30 s.
  absl::Duration call_timeout = absl::Seconds(30);
  // A comment line on an idle event stream this often, so that dead clients are noticed
  // and proxies keep the connection.
  // Default: 15 s.
  absl::Duration keepalive = absl::Seconds(15);
  // Folder of the web explorer's files, served at "/". Empty: none.
  std::string static_dir;
  // Sent as kGatewayKeyMetadata (RegistryServer sets it).
  std::string peer_key;
};

class HttpGateway {
 public:
  // Binds and starts serving; `channel` reaches the registry's gRPC services.
  static absl::StatusOr<std::unique_ptr<HttpGateway>> Start(
      HttpGatewayOptions options, std::shared_ptr<grpc::Channel> channel);
  ~HttpGateway();
  HttpGateway(const HttpGateway&) = delete;
  HttpGateway& operator=(const HttpGateway&) = delete;

  int port() const { return port_; }
  // Stops accepting, ends open streams (within about a second) and waits for the
  // workers.
  void Stop();

 private:
  struct Shared;
  HttpGateway() = default;

  std::shared_ptr<Shared> shared_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace agreements::gateway

#endif  // AGREEMENTS_GATEWAY_HTTP_GATEWAY_H_
