#include "common/grpc_status.h"

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "common/error_info.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/status.pb.h"

namespace agreements {
namespace {

constexpr char kStatusUrl[] = "type.googleapis.com/google.rpc.Status";

// The google.rpc.Status of an error whose payloads hold google.rpc details; "" without.
std::string DetailsOf(const absl::Status& status) {
  google::rpc::Status details;
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& value) {
    if (!absl::StartsWith(url, errors::kDetailsPrefix) || url == kStatusUrl) return;
    google::protobuf::Any* any = details.add_details();
    any->set_type_url(std::string(url));
    any->set_value(std::string(value));
  });
  if (details.details_size() == 0) return "";
  details.set_code(static_cast<int32_t>(status.code()));
  details.set_message(std::string(status.message()));
  return details.SerializeAsString();
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()), DetailsOf(status));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status result(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
  if (status.error_details().empty()) return result;
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return result;
  result.SetPayload(kStatusUrl, absl::Cord(status.error_details()));
  for (const google::protobuf::Any& any : details.details()) {
    result.SetPayload(any.type_url(), absl::Cord(any.value()));
  }
  return result;
}

}  // namespace agreements
