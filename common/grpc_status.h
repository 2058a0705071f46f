// The one place where absl::Status and grpc::Status are converted. abseil's status codes
// are gRPC's codes, so the conversion is a cast plus the message.
#ifndef AGREEMENTS_COMMON_GRPC_STATUS_H_
#define AGREEMENTS_COMMON_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace agreements {

inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

inline absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

}  // namespace agreements

#endif  // AGREEMENTS_COMMON_GRPC_STATUS_H_
