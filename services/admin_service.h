// AdminService: maintenance of the running server over gRPC (the online rebuild of a
// view). A thin adapter over store/online_rebuild.h.
//
// Thread-safe. Owns neither the store, the projection nor the AccessControl, which must
// outlive the gRPC server.
#ifndef AGREEMENTS_SERVICES_ADMIN_SERVICE_H_
#define AGREEMENTS_SERVICES_ADMIN_SERVICE_H_

#include "absl/synchronization/mutex.h"
#include "agreements/v1/admin_service.grpc.pb.h"
#include "services/access_control.h"
#include "store/projection.h"
#include "store/store.h"

namespace agreements::services {

class AdminService final : public agreements::v1::AdminService::Service {
 public:
  AdminService(store::Store* store, store::Projection* projection, AccessControl* access)
      : store_(store), projection_(projection), access_(access) {}

  // One rebuild at a time: another one is refused (ABORTED) while it runs.
  grpc::Status RebuildView(grpc::ServerContext* context,
                           const agreements::v1::RebuildViewRequest* request,
                           agreements::v1::RebuildViewResponse* response) override;

 private:
  store::Store* const store_;
  store::Projection* const projection_;
  AccessControl* const access_;
  absl::Mutex rebuild_mu_;
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_ADMIN_SERVICE_H_
