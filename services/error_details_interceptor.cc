#include "services/error_details_interceptor.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/error_info.h"
#include "common/grpc_status.h"
#include "google/protobuf/descriptor.h"

namespace agreements::services {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::ServerRpcInfo;

// The full name of the request type of "/pkg.Service/Method", or "" when unknown.
std::string RequestTypeOf(const std::string& method) {
  if (method.size() < 2 || method[0] != '/') return "";
  const std::string name = absl::StrReplaceAll(method.substr(1), {{"/", "."}});
  const google::protobuf::MethodDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(name);
  return descriptor == nullptr ? "" : descriptor->input_type()->full_name();
}

class ErrorDetailsInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit ErrorDetailsInterceptor(ServerRpcInfo* info)
      : info_(info),
        // Only the first message of these calls is read before the handler runs; a
        // stream's later reads end with no message at the end of the stream too.
        single_request_(info->type() == ServerRpcInfo::Type::UNARY ||
                        info->type() == ServerRpcInfo::Type::SERVER_STREAMING) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        single_request_ && !received_) {
      received_ = true;
      unparsable_ = methods->GetRecvMessage() == nullptr;
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status sent = methods->GetSendStatus();
      if (!sent.ok()) methods->ModifySendStatus(Completed(sent));
    }
    methods->Proceed();
  }

 private:
  grpc::Status Completed(const grpc::Status& sent) const {
    absl::Status status = FromGrpcStatus(sent);
    if (unparsable_) {
      status = errors::WithReason(
          absl::InvalidArgumentError(UnparsableMessage(info_->method())),
          errors::kUnparsableRequest, {{"method", info_->method()}});
    }
    return ToGrpcStatus(errors::CompleteDetails(std::move(status)));
  }

  ServerRpcInfo* const info_;
  const bool single_request_;
  bool received_ = false;
  bool unparsable_ = false;
};

}  // namespace

std::string UnparsableMessage(const std::string& method) {
  const std::string type = RequestTypeOf(method);
  return absl::StrCat("request: the server cannot parse the request of ", method,
                      type.empty() ? "" : absl::StrCat(" as ", type),
                      ": it is not a valid serialized message of that type");
}

grpc::experimental::Interceptor* ErrorDetailsInterceptorFactory::CreateServerInterceptor(
    ServerRpcInfo* info) {
  return new ErrorDetailsInterceptor(info);
}

}  // namespace agreements::services
