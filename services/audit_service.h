// AuditService: the gRPC adapter of the verifiable log (docs/audit.md): signed
// checkpoints from the Checkpointer, proofs from the stored Merkle tree (one RocksDB
// snapshot per call). Synchronous API: short blocking reads. Thread-safe; owns nothing.
#ifndef AGREEMENTS_SERVICES_AUDIT_SERVICE_H_
#define AGREEMENTS_SERVICES_AUDIT_SERVICE_H_

#include "agreements/v1/audit_service.grpc.pb.h"
#include "store/checkpointer.h"
#include "store/store.h"

namespace agreements::services {

class AuditService final : public agreements::v1::AuditService::Service {
 public:
  AuditService(const store::Store* store, store::Checkpointer* checkpointer)
      : store_(store), checkpointer_(checkpointer) {}

  grpc::Status GetCheckpoint(grpc::ServerContext* context,
                             const agreements::v1::GetCheckpointRequest* request,
                             agreements::v1::GetCheckpointResponse* response) override;
  grpc::Status GetInclusionProof(
      grpc::ServerContext* context,
      const agreements::v1::GetInclusionProofRequest* request,
      agreements::v1::GetInclusionProofResponse* response) override;
  grpc::Status GetConsistencyProof(
      grpc::ServerContext* context,
      const agreements::v1::GetConsistencyProofRequest* request,
      agreements::v1::GetConsistencyProofResponse* response) override;

 private:
  const store::Store* const store_;
  store::Checkpointer* const checkpointer_;
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_AUDIT_SERVICE_H_
