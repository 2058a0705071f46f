// Inside the HTTP gateway: what every handler shares, and the three ways a route is
// served (gateway/http_gateway.h).
#ifndef AGREEMENTS_GATEWAY_GATEWAY_INTERNAL_H_
#define AGREEMENTS_GATEWAY_GATEWAY_INTERNAL_H_

#include <atomic>
#include <memory>

#include "gateway/http_gateway.h"
#include "gateway/routes.h"
#include "gateway/rpc_call.h"

namespace agreements::gateway {

struct GatewayShared {
  GatewayShared(HttpGatewayOptions options, std::shared_ptr<grpc::Channel> channel)
      : options(std::move(options)), channel(channel), stub(channel) {}

  const HttpGatewayOptions options;
  std::shared_ptr<grpc::Channel> channel;
  MessageStub stub;
  // Streams open now.
  std::atomic<int> streams{0};
};

// One HTTP request resolved to its route, its RPC and the RPC's request.
struct BoundCall {
  const Route* route = nullptr;
  const google::protobuf::MethodDescriptor* method = nullptr;
  std::unique_ptr<google::protobuf::Message> request;
  CallMetadata metadata;
};

// The error of a call as JSON, with its HTTP status (and Retry-After when the server
// named a delay).
void WriteError(httplib::Response& response, const CallOutcome& outcome);
void WriteError(httplib::Response& response, const grpc::Status& status);

void ServeUnary(GatewayShared& shared, BoundCall& call, const httplib::Request& request,
                httplib::Response& response);
void ServeEventStream(const std::shared_ptr<GatewayShared>& shared, BoundCall& call,
                      const httplib::Request& request, httplib::Response& response);
void ServeExport(const std::shared_ptr<GatewayShared>& shared, BoundCall& call,
                 httplib::Response& response);

}  // namespace agreements::gateway

#endif  // AGREEMENTS_GATEWAY_GATEWAY_INTERNAL_H_
