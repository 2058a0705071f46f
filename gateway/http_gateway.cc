#include "gateway/http_gateway.h"

#include <httplib.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "gateway/gateway_internal.h"
#include "gateway/http_errors.h"
#include "gateway/http_listen.h"
#include "gateway/request_binding.h"

namespace agreements::gateway {
namespace {

// Query parameters the gateway reads itself instead of binding them to the request.
constexpr char kAccessTokenParam[] = "access_token";

CallMetadata MetadataOf(const httplib::Request& request, const std::string& peer_key) {
  CallMetadata metadata;
  if (!peer_key.empty()) metadata.emplace_back(kGatewayKeyMetadata, peer_key);
  std::string authorization = request.get_header_value("Authorization");
  if (authorization.empty() && request.has_param(kAccessTokenParam)) {
    authorization = absl::StrCat("Bearer ", request.get_param_value(kAccessTokenParam));
  }
  if (!authorization.empty()) metadata.emplace_back("authorization", authorization);
  const bool v6 = request.remote_addr.find(':') != std::string::npos;
  metadata.emplace_back(
      kHttpPeerMetadata,
      v6 ? absl::StrCat("ipv6:[", request.remote_addr, "]:", request.remote_port)
         : absl::StrCat("ipv4:", request.remote_addr, ":", request.remote_port));
  return metadata;
}

const char* KindName(RouteKind kind) {
  switch (kind) {
    case RouteKind::kUnary:
      return "json";
    case RouteKind::kEventStream:
      return "event-stream";
    case RouteKind::kExport:
      return "export";
  }
  return "";
}

// GET /v1: the routes, for people exploring the API.
std::string RouteIndex() {
  std::vector<std::string> entries;
  for (const Route& route : Routes()) {
    entries.push_back(absl::StrCat("{\"path\":", JsonQuote(route.pattern),
                                   ",\"rpc\":", JsonQuote(route.rpc), ",\"kind\":\"",
                                   KindName(route.kind), "\"}"));
  }
  return absl::StrCat("{\"routes\":[", absl::StrJoin(entries, ","), "]}\n");
}

void Handle(const std::shared_ptr<GatewayShared>& shared, const httplib::Request& request,
            httplib::Response& response) {
  if (request.path == "/v1" || request.path == "/v1/") {
    response.set_content(RouteIndex(), "application/json; charset=utf-8");
    return;
  }
  std::optional<RouteMatch> match = MatchRoute(request.path);
  if (!match.has_value()) {
    WriteError(response, grpc::Status(grpc::StatusCode::NOT_FOUND,
                                      absl::StrCat("no resource at ", request.path,
                                                   " (GET /v1 lists the routes)")));
    return;
  }
  BoundCall call;
  call.route = match->route;
  call.method = google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
      match->route->rpc);
  call.request = NewMessage(*call.method->input_type());
  std::vector<Binding> params = std::move(match->bindings);
  for (const auto& [name, value] : request.params) {
    if (name != kAccessTokenParam) params.emplace_back(name, value);
  }
  if (absl::Status bound = BindRequest(params, *call.request); !bound.ok()) {
    WriteError(response, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                      std::string(bound.message())));
    return;
  }
  call.metadata = MetadataOf(request, shared->options.peer_key);
  switch (call.route->kind) {
    case RouteKind::kUnary:
      ServeUnary(*shared, call, request, response);
      return;
    case RouteKind::kEventStream:
      ServeEventStream(shared, call, request, response);
      return;
    case RouteKind::kExport:
      ServeExport(shared, call, response);
      return;
  }
}

void NotAllowed(const httplib::Request& request, httplib::Response& response) {
  response.set_header("Allow", "GET, HEAD");
  response.status = 405;
  response.set_content(
      ErrorJson(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                             absl::StrCat(request.method,
                                          ": the HTTP API is read-only; write through "
                                          "the gRPC CommandService")),
                405),
      "application/json; charset=utf-8");
}

// Every route must name a method of the linked protos: a typo fails start-up.
absl::Status CheckRoutes() {
  for (const Route& route : Routes()) {
    if (google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(route.rpc) ==
        nullptr) {
      return absl::InternalError(
          absl::StrCat("http route ", route.pattern, ": no method ", route.rpc));
    }
  }
  return absl::OkStatus();
}

}  // namespace

struct HttpGateway::Shared : GatewayShared {
  using GatewayShared::GatewayShared;
};

absl::StatusOr<std::unique_ptr<HttpGateway>> HttpGateway::Start(
    HttpGatewayOptions options, std::shared_ptr<grpc::Channel> channel) {
  if (absl::Status routes = CheckRoutes(); !routes.ok()) return routes;
  auto address = SplitListen(options.listen, "http_listen");
  if (!address.ok()) return address.status();
  if (options.threads < 2 || options.max_streams < 1 ||
      options.max_streams > options.threads - 1) {
    return absl::InvalidArgumentError(
        "http_max_streams: at least 1, and fewer than the listener's threads");
  }
  std::unique_ptr<HttpGateway> gateway(new HttpGateway());
  auto server_made =
      NewHttpServer(options.tls_cert_file, options.tls_key_file, "http listener");
  if (!server_made.ok()) return server_made.status();
  gateway->server_ = *std::move(server_made);
  const std::string static_dir = options.static_dir;
  const int threads = options.threads;
  auto shared = std::make_shared<Shared>(std::move(options), std::move(channel));
  gateway->shared_ = shared;
  httplib::Server& server = *gateway->server_;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_read_timeout(10, 0);
  server.set_write_timeout(10, 0);
  server.set_payload_max_length(64 << 10);
  // The explorer's pages load only their own scripts, styles and API: a recorded text
  // can never run as script there.
  const httplib::Headers static_headers = {
      {"Content-Security-Policy",
       "default-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors "
       "'none'; form-action 'self'"},
      {"X-Content-Type-Options", "nosniff"}};
  if (!static_dir.empty() && !server.set_mount_point("/", static_dir, static_headers)) {
    return absl::InvalidArgumentError(
        absl::StrCat("http_explorer_dir: ", static_dir, " is not a directory"));
  }
  server.Get(".*",
             [shared](const httplib::Request& request, httplib::Response& response) {
               Handle(shared, request, response);
             });
  server.Post(".*", NotAllowed);
  server.Put(".*", NotAllowed);
  server.Patch(".*", NotAllowed);
  server.Delete(".*", NotAllowed);
  const auto& [host, port] = *address;
  auto bound = ServeOn(server, host, port, "http listener", gateway->thread_);
  if (!bound.ok()) return bound.status();
  gateway->port_ = *bound;
  logging::Info("http listener started",
                {{"listen", absl::StrCat(host, ":", gateway->port_)},
                 {"tls", !shared->options.tls_cert_file.empty()},
                 {"explorer", static_dir}});
  return gateway;
}

HttpGateway::~HttpGateway() { Stop(); }

void HttpGateway::Stop() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace agreements::gateway
