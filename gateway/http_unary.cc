// Unary routes: one call, one JSON document, with its position and an ETag.
#include <httplib.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/sha256.h"
#include "gateway/gateway_internal.h"
#include "gateway/http_errors.h"
#include "gateway/json_output.h"

namespace agreements::gateway {
namespace {

constexpr char kJson[] = "application/json; charset=utf-8";

// The response's top-level uint64 `position` (the views' position it reflects).
std::optional<uint64_t> PositionOf(const google::protobuf::Message& message) {
  const google::protobuf::FieldDescriptor* field =
      message.GetDescriptor()->FindFieldByName("position");
  if (field == nullptr ||
      field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_UINT64) {
    return std::nullopt;
  }
  return message.GetReflection()->GetUInt64(message, field);
}

}  // namespace

void WriteError(httplib::Response& response, const grpc::Status& status) {
  response.status = HttpStatusOf(status.error_code());
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    response.set_header("WWW-Authenticate", "Bearer");
  }
  response.set_content(ErrorJson(status), kJson);
}

void WriteError(httplib::Response& response, const CallOutcome& outcome) {
  WriteError(response, outcome.status);
  auto retry = outcome.trailers.find("retry-after-ms");
  int64_t millis = 0;
  if (retry != outcome.trailers.end() && absl::SimpleAtoi(retry->second, &millis)) {
    response.set_header("Retry-After", absl::StrCat((millis + 999) / 1000));
  }
}

void ServeUnary(GatewayShared& shared, BoundCall& call, const httplib::Request& request,
                httplib::Response& response) {
  std::unique_ptr<google::protobuf::Message> answer =
      NewMessage(*call.method->output_type());
  const CallOutcome outcome =
      CallUnary(shared.stub, *call.method, *call.request, call.metadata,
                shared.options.call_timeout, *answer);
  response.set_header("Cache-Control", "private, no-cache");
  response.set_header("Vary", "Authorization");
  if (!outcome.status.ok()) {
    WriteError(response, outcome);
    return;
  }
  std::string body = absl::StrCat(MessageJson(*answer), "\n");
  const std::string etag =
      absl::StrCat("\"", DigestHex(Sha256::Hash(body)).substr(0, 32), "\"");
  response.set_header("ETag", etag);
  if (std::optional<uint64_t> position = PositionOf(*answer)) {
    response.set_header("X-Agreements-Position", absl::StrCat(*position));
  }
  if (request.get_header_value("If-None-Match") == etag) {
    response.status = 304;
    return;
  }
  response.set_content(body, kJson);
}

}  // namespace agreements::gateway
