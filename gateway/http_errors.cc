#include "gateway/http_errors.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/status.pb.h"

namespace agreements::gateway {

int HttpStatusOf(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    default:
      return 500;
  }
}

std::string CodeName(grpc::StatusCode code) {
  static constexpr const char* kNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  const int index = static_cast<int>(code);
  return index >= 0 && index <= 16 ? kNames[index] : absl::StrCat("CODE_", index);
}

namespace {

// ',"details":[...]' with each google.rpc detail as proto3 JSON ({"@type": ...}), or ""
// when the status has none.
std::string DetailsJson(const grpc::Status& status) {
  google::rpc::Status details;
  if (status.error_details().empty() ||
      !details.ParseFromString(status.error_details())) {
    return "";
  }
  std::vector<std::string> items;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  for (const google::protobuf::Any& any : details.details()) {
    std::string json;
    if (google::protobuf::util::MessageToJsonString(any, &json, options).ok()) {
      items.push_back(std::move(json));
    }
  }
  if (items.empty()) return "";
  return absl::StrCat(",\"details\":[", absl::StrJoin(items, ","), "]");
}

}  // namespace

std::string ErrorJson(const grpc::Status& status, int http_status) {
  if (http_status == 0) http_status = HttpStatusOf(status.error_code());
  return absl::StrCat("{\"error\":{\"code\":", http_status, ",\"status\":\"",
                      CodeName(status.error_code()),
                      "\",\"grpc_code\":", static_cast<int>(status.error_code()),
                      ",\"message\":", JsonQuote(status.error_message()),
                      DetailsJson(status), "}}\n");
}

}  // namespace agreements::gateway
