#include "services/admin_service.h"

#include "absl/time/clock.h"
#include "common/grpc_status.h"
#include "common/log.h"
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
  logging::Info("view rebuilt",
                {{"family", request->family()},
                 {"position", report->position},
                 {"keys", report->keys},
                 {"projection_held_ms", absl::ToDoubleMilliseconds(report->held)}});
  return grpc::Status::OK;
}

grpc::Status AdminService::Backup(grpc::ServerContext* context,
                                  const v1::BackupRequest* request,
                                  v1::BackupResponse* response) {
  RETURN_IF_ERROR_GRPC(
      access_->Authorize(*context, security::Permission::kServerAdmin).status());
  if (request->directory().empty() || request->directory().front() != '/') {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "directory: required, an absolute path on the server's machine");
  }
  if (!backup_mu_.TryLock()) {
    return grpc::Status(grpc::StatusCode::ABORTED,
                        "another backup is running; try again when it ends");
  }
  const absl::Time start = absl::Now();
  logging::Info("backup started", {{"directory", request->directory()}});
  auto record = store::CreateBackup(store_, request->directory(), backup_keys_);
  backup_mu_.Unlock();
  if (!record.ok()) {
    logging::Warning("backup failed", {{"directory", request->directory()},
                                       {"error", record.status().ToString()}});
    return ToGrpcStatus(record.status());
  }
  response->set_backup_id(record->id);
  response->set_position(record->position);
  response->set_applied_position(record->applied_position);
  response->set_size_bytes(record->size_bytes);
  response->set_copied_bytes(record->copied_bytes);
  response->set_file_count(record->file_count);
  response->set_manifest_json(record->manifest_json);
  SetDuration(absl::Now() - start, *response->mutable_duration());
  logging::Info("backup done", {{"directory", request->directory()},
                                {"backup_id", record->id},
                                {"position", record->position},
                                {"size_bytes", record->size_bytes},
                                {"copied_bytes", record->copied_bytes},
                                {"seconds", absl::ToDoubleSeconds(absl::Now() - start)}});
  return grpc::Status::OK;
}

}  // namespace agreements::services
