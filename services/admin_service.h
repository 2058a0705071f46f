// AdminService: maintenance of the running server over gRPC: the online rebuild of a
// view and online backups. A thin adapter over store/online_rebuild.h and
// store/backup.h.
//
// Thread-safe. Owns neither the store, the projection nor the AccessControl, which must
// outlive the gRPC server.
#ifndef AGREEMENTS_SERVICES_ADMIN_SERVICE_H_
#define AGREEMENTS_SERVICES_ADMIN_SERVICE_H_

#include <utility>

#include "absl/synchronization/mutex.h"
#include "agreements/v1/admin_service.grpc.pb.h"
#include "services/access_control.h"
#include "store/backup.h"
#include "store/projection.h"
#include "store/store.h"

namespace agreements::services {

class AdminService final : public agreements::v1::AdminService::Service {
 public:
  // `backup_keys`: what backups name and copy besides the store (store/backup.h).
  AdminService(store::Store* store, store::Projection* projection, AccessControl* access,
               store::BackupKeys backup_keys)
      : store_(store),
        projection_(projection),
        access_(access),
        backup_keys_(std::move(backup_keys)) {}

  // One rebuild at a time: another one is refused (ABORTED) while it runs.
  grpc::Status RebuildView(grpc::ServerContext* context,
                           const agreements::v1::RebuildViewRequest* request,
                           agreements::v1::RebuildViewResponse* response) override;
  // One backup at a time: another one is refused (ABORTED) while it runs.
  grpc::Status Backup(grpc::ServerContext* context,
                      const agreements::v1::BackupRequest* request,
                      agreements::v1::BackupResponse* response) override;

 private:
  store::Store* const store_;
  store::Projection* const projection_;
  AccessControl* const access_;
  const store::BackupKeys backup_keys_;
  absl::Mutex rebuild_mu_;
  absl::Mutex backup_mu_;
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_ADMIN_SERVICE_H_
