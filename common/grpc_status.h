// The one place where absl::Status and grpc::Status are converted. abseil's status codes
// are gRPC's codes, so the conversion is a cast plus the message; the status's
// google.rpc details (common/error_info.h payloads) travel as the serialized
// google.rpc.Status of "grpc-status-details-bin", and come back as payloads.
#ifndef AGREEMENTS_COMMON_GRPC_STATUS_H_
#define AGREEMENTS_COMMON_GRPC_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace agreements {

grpc::Status ToGrpcStatus(const absl::Status& status);

// The code's name as gRPC and abseil spell it: "OK", "INVALID_ARGUMENT", ...
inline std::string StatusCodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

// The details' payloads are each detail by its type URL, and the whole google.rpc.Status
// under "type.googleapis.com/google.rpc.Status".
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace agreements

// In a function returning grpc::Status: returns the converted status when not OK.
#define RETURN_IF_ERROR_GRPC(expr)                         \
  do {                                                     \
    ::absl::Status agr_grpc_status_ = (expr);              \
    if (!agr_grpc_status_.ok()) {                          \
      return ::agreements::ToGrpcStatus(agr_grpc_status_); \
    }                                                      \
  } while (false)

// In a function returning grpc::Status: assigns the value of a StatusOr or returns its
// converted status.
#define ASSIGN_OR_RETURN_GRPC(lhs, expr)                                               \
  AGR_ASSIGN_OR_RETURN_GRPC_IMPL_(AGR_GRPC_CONCAT_(agr_grpc_statusor_, __LINE__), lhs, \
                                  expr)
#define AGR_GRPC_CONCAT_INNER_(a, b) a##b
#define AGR_GRPC_CONCAT_(a, b) AGR_GRPC_CONCAT_INNER_(a, b)
#define AGR_ASSIGN_OR_RETURN_GRPC_IMPL_(statusor, lhs, expr)                \
  auto statusor = (expr);                                                   \
  if (!statusor.ok()) return ::agreements::ToGrpcStatus(statusor.status()); \
  lhs = std::move(statusor).value()

#endif  // AGREEMENTS_COMMON_GRPC_STATUS_H_
