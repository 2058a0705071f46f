// SecurityService: the caller's identity (WhoAmI) and the server's access-control status
// (GetSecurityStatus) over gRPC. A thin adapter over AccessControl.
//
// Thread-safe. Does not own the AccessControl, which must outlive the gRPC server.
#ifndef AGREEMENTS_SERVICES_SECURITY_SERVICE_H_
#define AGREEMENTS_SERVICES_SECURITY_SERVICE_H_

#include "agreements/v1/security_service.grpc.pb.h"
#include "services/access_control.h"

namespace agreements::services {

class SecurityService final : public agreements::v1::SecurityService::Service {
 public:
  explicit SecurityService(AccessControl* access) : access_(access) {}

  grpc::Status WhoAmI(grpc::ServerContext* context,
                      const agreements::v1::WhoAmIRequest* request,
                      agreements::v1::WhoAmIResponse* response) override;
  grpc::Status GetSecurityStatus(
      grpc::ServerContext* context,
      const agreements::v1::GetSecurityStatusRequest* request,
      agreements::v1::GetSecurityStatusResponse* response) override;

 private:
  AccessControl* const access_;
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_SECURITY_SERVICE_H_
