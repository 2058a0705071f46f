#include "services/call_observer.h"

#include <string>

#include "common/grpc_status.h"
#include "common/log.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "services/access_control.h"
#include "services/server_metrics.h"

namespace agreements::services {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::ServerRpcInfo;

// Failures a client caused (its input, its rights, the registry's rules) are logged at
// info; the rest (the server's own trouble) at warning.
bool ClientCaused(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return true;
    default:
      return false;
  }
}

// A string field named `name` of `message`, or null.
const google::protobuf::FieldDescriptor* StringField(
    const google::protobuf::Message& message, const char* name) {
  const google::protobuf::FieldDescriptor* field =
      message.GetDescriptor()->FindFieldByName(name);
  if (field == nullptr || field->is_repeated() ||
      field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_STRING) {
    return nullptr;
  }
  return field;
}

// The request id of a command: `context.request_id` (RequestContext), or a top-level
// `request_id`; "" when the message has neither.
std::string RequestIdOf(const google::protobuf::Message* request) {
  if (request == nullptr) return "";
  const google::protobuf::Reflection* reflection = request->GetReflection();
  const google::protobuf::FieldDescriptor* context =
      request->GetDescriptor()->FindFieldByName("context");
  if (context != nullptr && !context->is_repeated() &&
      context->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE &&
      reflection->HasField(*request, context)) {
    const google::protobuf::Message& inner = reflection->GetMessage(*request, context);
    if (const auto* id = StringField(inner, "request_id"); id != nullptr) {
      return inner.GetReflection()->GetString(inner, id);
    }
  }
  const google::protobuf::FieldDescriptor* id = StringField(*request, "request_id");
  return id == nullptr ? "" : reflection->GetString(*request, id);
}

// The registry's own services take protobuf messages; others (health, reflection) may
// take raw byte buffers.
bool OwnService(const char* method) {
  return absl::string_view(method).substr(0, 12) == "/agreements.";
}

class CallObserver final : public grpc::experimental::Interceptor {
 public:
  CallObserver(ServerRpcInfo* info, ServerMetrics* metrics, const AccessControl* access,
               const CallObserverOptions& options)
      : info_(info),
        metrics_(metrics),
        access_(access),
        options_(options),
        streaming_(info->type() != ServerRpcInfo::Type::UNARY),
        start_(absl::Now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA) &&
        streaming_ && logging::Enabled(logging::Level::kDebug)) {
      logging::Debug("stream opened",
                     {{"method", info_->method()}, {"principal", Principal()}});
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        !streaming_ && !received_ && OwnService(info_->method())) {
      // Read now: a synchronous service's request is gone when its status is sent.
      received_ = true;
      request_id_ = RequestIdOf(
          static_cast<const google::protobuf::Message*>(methods->GetRecvMessage()));
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      Finished(methods->GetSendStatus());
    }
    methods->Proceed();
  }

 private:
  std::string Principal() const {
    return access_ == nullptr ? "" : access_->DescribeCaller(*info_->server_context());
  }

  void Finished(const grpc::Status& status) {
    const absl::Duration latency = absl::Now() - start_;
    const grpc::StatusCode code = status.error_code();
    if (metrics_ != nullptr)
      metrics_->RecordCall(info_->method(), code, streaming_, latency);
    const double ms = absl::ToDoubleMilliseconds(latency);
    if (streaming_) {
      // A stream's end is a disconnect (debug) when the client left or the server
      // closed it (shutdown, revoked access: UNAVAILABLE); a refusal of its request
      // is logged like a failed unary call.
      const bool disconnect = code == grpc::StatusCode::OK ||
                              code == grpc::StatusCode::CANCELLED ||
                              code == grpc::StatusCode::UNAVAILABLE;
      const logging::Level level = disconnect           ? logging::Level::kDebug
                                   : ClientCaused(code) ? logging::Level::kInfo
                                                        : logging::Level::kWarning;
      if (!logging::Enabled(level)) return;
      logging::Log(level, "stream ended",
                   {{"method", info_->method()},
                    {"principal", Principal()},
                    {"code", StatusCodeName(code)},
                    {"message", status.error_message()},
                    {"duration_ms", ms}});
      return;
    }
    const bool slow =
        options_.slow_call > absl::ZeroDuration() && latency >= options_.slow_call;
    if (code == grpc::StatusCode::OK && !slow) return;
    const logging::Level level =
        code == grpc::StatusCode::OK
            ? logging::Level::kWarning
            : (ClientCaused(code) && !slow ? logging::Level::kInfo
                                           : logging::Level::kWarning);
    if (!logging::Enabled(level)) return;
    logging::Log(level, code == grpc::StatusCode::OK ? "slow request" : "request failed",
                 {{"method", info_->method()},
                  {"principal", Principal()},
                  {"request_id", request_id_},
                  {"code", StatusCodeName(code)},
                  {"message", status.error_message()},
                  {"latency_ms", ms}});
  }

  ServerRpcInfo* const info_;
  ServerMetrics* const metrics_;
  const AccessControl* const access_;
  const CallObserverOptions options_;
  const bool streaming_;
  const absl::Time start_;
  bool received_ = false;
  std::string request_id_;
};

}  // namespace

grpc::experimental::Interceptor* CallObserverFactory::CreateServerInterceptor(
    ServerRpcInfo* info) {
  return new CallObserver(info, metrics_, access_, options_);
}

}  // namespace agreements::services
