#include "services/admin_service.h"

#include <cstdio>

#include "absl/time/clock.h"
#include "common/grpc_status.h"
#include "store/online_rebuild.h"

namespace agreements::services {
namespace {

namespace v1 = ::agreements::v1;

void SetDuration(absl::Duration duration, google::protobuf::Duration& out) {
  const int64_t nanos = absl::ToInt64Nanoseconds(duration);
  out.set_seconds(nanos / 1000000000);
  out.set_nanos(static_cast<int32_t>(nanos % 1000000000));
}

}  // namespace

grpc::Status AdminService::RebuildView(grpc::ServerContext* context,
                                       const v1::RebuildViewRequest* request,
                                       v1::RebuildViewResponse* response) {
  RETURN_IF_ERROR_GRPC(
      access_->Authorize(*context, security::Permission::kServerAdmin).status());
  if (request->family().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "family: required (the name of a view family, e.g. agreements)");
  }
  if (!rebuild_mu_.TryLock()) {
    return grpc::Status(grpc::StatusCode::ABORTED,
                        "another view rebuild is running; try again when it ends");
  }
  const absl::Time start = absl::Now();
  auto report = store::RebuildFamilyOnline(store_, projection_, request->family());
  rebuild_mu_.Unlock();
  if (!report.ok()) return ToGrpcStatus(report.status());
  for (const auto& family : report->families) response->add_families(family);
  response->set_position(report->position);
  response->set_events_replayed(report->events);
  response->set_keys_written(report->keys);
  SetDuration(report->held, *response->mutable_projection_held());
  SetDuration(absl::Now() - start, *response->mutable_duration());
  std::fprintf(stderr,
               "agreements-server: rebuilt view %s at position %llu (%llu keys; "
               "projection held %s)\n",
               request->family().c_str(),
               static_cast<unsigned long long>(report->position),
               static_cast<unsigned long long>(report->keys),
               absl::FormatDuration(report->held).c_str());
  return grpc::Status::OK;
}

}  // namespace agreements::services
