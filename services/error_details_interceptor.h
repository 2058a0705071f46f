// ErrorDetailsInterceptor: a gRPC server interceptor that gives every error the server
// sends its google.rpc details (common/error_info.h): an ErrorInfo with a stable reason
// for errors that name none, and a BadRequest for INVALID_ARGUMENT messages that name a
// field. It also answers a request the server cannot parse with INVALID_ARGUMENT
// (reason UNPARSABLE_REQUEST) instead of the UNIMPLEMENTED that gRPC's callback API
// sends, which would tell a client that the method does not exist. One mechanism for
// every service, health and reflection included.
#ifndef AGREEMENTS_SERVICES_ERROR_DETAILS_INTERCEPTOR_H_
#define AGREEMENTS_SERVICES_ERROR_DETAILS_INTERCEPTOR_H_

#include <string>

#include "grpcpp/support/server_interceptor.h"

namespace agreements::services {

class ErrorDetailsInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;
};

// The message for a request of `method` ("/pkg.Service/Method") that could not be parsed.
std::string UnparsableMessage(const std::string& method);

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_ERROR_DETAILS_INTERCEPTOR_H_
