// Errors over HTTP: the gRPC status of the call, as a JSON body that keeps the gRPC code
// name, the message (whose field names are the proto's) and the google.rpc details, with
// the HTTP status that google.rpc.Code maps it to (docs/http.md).
#ifndef AGREEMENTS_GATEWAY_HTTP_ERRORS_H_
#define AGREEMENTS_GATEWAY_HTTP_ERRORS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "common/json_text.h"
#include "grpcpp/support/status.h"

namespace agreements::gateway {

// 400 for INVALID_ARGUMENT, 404 for NOT_FOUND, 503 for UNAVAILABLE ...
int HttpStatusOf(grpc::StatusCode code);
// "INVALID_ARGUMENT".
std::string CodeName(grpc::StatusCode code);
// {"error":{"code":400,"status":"INVALID_ARGUMENT","grpc_code":3,"message":"...",
//  "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":...}]}}
// `http_status` 0: HttpStatusOf the code.
std::string ErrorJson(const grpc::Status& status, int http_status = 0);
using ::agreements::JsonQuote;

}  // namespace agreements::gateway

#endif  // AGREEMENTS_GATEWAY_HTTP_ERRORS_H_
