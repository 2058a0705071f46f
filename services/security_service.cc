#include "services/security_service.h"

#include "common/build_info.h"
#include "common/grpc_status.h"

namespace agreements::services {

namespace v1 = ::agreements::v1;

grpc::Status SecurityService::WhoAmI(grpc::ServerContext* context,
                                     const v1::WhoAmIRequest* request,
                                     v1::WhoAmIResponse* response) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, access_->Authenticate(*context));
  *response = access_->Describe(caller);
  response->set_server_version(build_info::Version());
  response->set_server_commit(build_info::Commit());
  return grpc::Status::OK;
}

grpc::Status SecurityService::GetSecurityStatus(
    grpc::ServerContext* context, const v1::GetSecurityStatusRequest* request,
    v1::GetSecurityStatusResponse* response) {
  RETURN_IF_ERROR_GRPC(
      access_->Authorize(*context, security::Permission::kSecurityRead).status());
  *response = access_->Status();
  feeds_->DescribeLimits(*response->mutable_streams());
  read_waits_->Describe(*response->mutable_read_waits());
  return grpc::Status::OK;
}

}  // namespace agreements::services
