#include "clients/error_details.h"

#include <optional>
#include <string>

#include "absl/strings/cord.h"
#include "common/grpc_status.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace agreements::client {
namespace {

void AddErrorInfo(const google::rpc::ErrorInfo& info, ErrorDetails& details) {
  if (!details.reason.empty() || !details.domain.empty()) return;  // the first one only
  details.reason = info.reason();
  details.domain = info.domain();
  for (const auto& [key, value] : info.metadata()) details.metadata[key] = value;
}

void AddBadRequest(const google::rpc::BadRequest& request, ErrorDetails& details) {
  for (const google::rpc::BadRequest::FieldViolation& v : request.field_violations()) {
    details.field_violations.push_back({v.field(), v.description()});
  }
}

void AddPreconditionFailure(const google::rpc::PreconditionFailure& failure,
                            ErrorDetails& details) {
  for (const google::rpc::PreconditionFailure::Violation& v : failure.violations()) {
    details.precondition_violations.push_back({v.type(), v.subject(), v.description()});
  }
}

void AddResourceInfo(const google::rpc::ResourceInfo& info, ErrorDetails& details) {
  if (details.resource.has_value()) return;
  details.resource = ResourceDetails{info.resource_type(), info.resource_name(),
                                     info.owner(), info.description()};
}

void AddRetryInfo(const google::rpc::RetryInfo& info, ErrorDetails& details) {
  if (details.retry_delay.has_value() || !info.has_retry_delay()) return;
  details.retry_delay = absl::Seconds(info.retry_delay().seconds()) +
                        absl::Nanoseconds(info.retry_delay().nanos());
}

// Unpacks `any` into `message` when it holds that type; false otherwise (another type,
// or bytes that do not parse).
template <typename Message>
bool Unpack(const google::protobuf::Any& any, Message& message) {
  return any.Is<Message>() && any.UnpackTo(&message);
}

void AddDetail(const google::protobuf::Any& any, ErrorDetails& details) {
  google::rpc::ErrorInfo info;
  google::rpc::BadRequest bad_request;
  google::rpc::PreconditionFailure precondition;
  google::rpc::ResourceInfo resource;
  google::rpc::RetryInfo retry;
  if (Unpack(any, info)) {
    AddErrorInfo(info, details);
  } else if (Unpack(any, bad_request)) {
    AddBadRequest(bad_request, details);
  } else if (Unpack(any, precondition)) {
    AddPreconditionFailure(precondition, details);
  } else if (Unpack(any, resource)) {
    AddResourceInfo(resource, details);
  } else if (Unpack(any, retry)) {
    AddRetryInfo(retry, details);
  }
}

}  // namespace

bool ErrorDetails::empty() const {
  return reason.empty() && domain.empty() && metadata.empty() &&
         field_violations.empty() && precondition_violations.empty() &&
         !resource.has_value() && !retry_delay.has_value();
}

ErrorDetails ErrorDetails::Parse(absl::string_view serialized_status) {
  ErrorDetails details;
  google::rpc::Status status;
  if (serialized_status.empty() ||
      !status.ParseFromArray(serialized_status.data(),
                             static_cast<int>(serialized_status.size()))) {
    return details;
  }
  for (const google::protobuf::Any& any : status.details()) AddDetail(any, details);
  return details;
}

ErrorDetails ErrorDetails::FromGrpcStatus(const grpc::Status& status) {
  return Parse(status.error_details());
}

ErrorDetails ErrorDetails::FromStatus(const absl::Status& status) {
  const auto payload = status.GetPayload(kStatusDetailsTypeUrl);  // absl::optional
  if (!payload.has_value()) return ErrorDetails();
  return Parse(std::string(*payload));
}

absl::Status StatusFromGrpc(const grpc::Status& status) {
  absl::Status converted = FromGrpcStatus(status);
  if (!converted.ok() && !status.error_details().empty() &&
      !converted.GetPayload(kStatusDetailsTypeUrl).has_value()) {
    converted.SetPayload(kStatusDetailsTypeUrl, absl::Cord(status.error_details()));
  }
  return converted;
}

}  // namespace agreements::client
