// SecurityService: the caller's identity (WhoAmI) and the server's access-control status
// (GetSecurityStatus) over gRPC. A thin adapter over AccessControl, with the feed
// service's stream limits.
//
// Thread-safe. Owns neither the AccessControl nor the FeedService, which must outlive
// the gRPC server.
#ifndef AGREEMENTS_SERVICES_SECURITY_SERVICE_H_
#define AGREEMENTS_SERVICES_SECURITY_SERVICE_H_

#include "agreements/v1/security_service.grpc.pb.h"
#include "services/access_control.h"
#include "services/feed_service.h"
#include "services/position_waiters.h"

namespace agreements::services {

class SecurityService final : public agreements::v1::SecurityService::Service {
 public:
  SecurityService(AccessControl* access, const FeedService* feeds,
                  const PositionWaiters* read_waits)
      : access_(access), feeds_(feeds), read_waits_(read_waits) {}

  grpc::Status WhoAmI(grpc::ServerContext* context,
                      const agreements::v1::WhoAmIRequest* request,
                      agreements::v1::WhoAmIResponse* response) override;
  grpc::Status GetSecurityStatus(
      grpc::ServerContext* context,
      const agreements::v1::GetSecurityStatusRequest* request,
      agreements::v1::GetSecurityStatusResponse* response) override;

 private:
  AccessControl* const access_;
  const FeedService* const feeds_;
  const PositionWaiters* const read_waits_;
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_SECURITY_SERVICE_H_
