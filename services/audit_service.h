// AuditService: the gRPC adapter of the verifiable log (docs/audit.md): signed
// checkpoints from the Checkpointer, proofs from the stored Merkle tree (one RocksDB
// snapshot per call); history, as-of reads and valid time (audit_valid_time.cc).
// Synchronous API: short blocking reads. Like a query, every call first waits (at most
// kMaxViewsWait and the call's deadline) until the views reach the log's head as it was
// on arrival: the tree, the map and the as-of indexes are views (docs/consistency.md).
// Thread-safe; owns nothing.
#ifndef AGREEMENTS_SERVICES_AUDIT_SERVICE_H_
#define AGREEMENTS_SERVICES_AUDIT_SERVICE_H_

#include <functional>
#include <string>

#include "absl/synchronization/mutex.h"
#include "agreements/v1/audit_service.grpc.pb.h"
#include "services/access_control.h"
#include "services/page_token.h"
#include "services/position_waiters.h"
#include "store/checkpointer.h"
#include "store/committer.h"
#include "store/store.h"

namespace agreements::services {

class AuditService final : public agreements::v1::AuditService::Service {
 public:
  static constexpr absl::Duration kMaxViewsWait = absl::Seconds(10);

  // Every RPC needs audit.read (checked by `access`); `tokens` seals page tokens; the
  // committer tells the log's head and its projection the views' position. All must
  // outlive the service.
  AuditService(const store::Store* store, const store::Committer* committer,
               store::Checkpointer* checkpointer, AccessControl* access,
               const PageTokenCodec* tokens)
      : store_(store),
        committer_(committer),
        checkpointer_(checkpointer),
        access_(access),
        tokens_(tokens) {}

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
  grpc::Status GetCompletenessProof(
      grpc::ServerContext* context,
      const agreements::v1::GetCompletenessProofRequest* request,
      agreements::v1::GetCompletenessProofResponse* response) override;
  grpc::Status ListHistory(grpc::ServerContext* context,
                           const agreements::v1::ListHistoryRequest* request,
                           agreements::v1::ListHistoryResponse* response) override;
  grpc::Status DiffRevisions(grpc::ServerContext* context,
                             const agreements::v1::DiffRevisionsRequest* request,
                             agreements::v1::DiffRevisionsResponse* response) override;
  grpc::Status GetAgreementAsOf(
      grpc::ServerContext* context,
      const agreements::v1::GetAgreementAsOfRequest* request,
      agreements::v1::GetAgreementAsOfResponse* response) override;
  grpc::Status GetPartyAsOf(grpc::ServerContext* context,
                            const agreements::v1::GetPartyAsOfRequest* request,
                            agreements::v1::GetPartyAsOfResponse* response) override;
  grpc::Status ListSectorAsOf(grpc::ServerContext* context,
                              const agreements::v1::ListSectorAsOfRequest* request,
                              agreements::v1::ListSectorAsOfResponse* response) override;
  grpc::Status GetLegalStatusOn(
      grpc::ServerContext* context,
      const agreements::v1::GetLegalStatusOnRequest* request,
      agreements::v1::GetLegalStatusOnResponse* response) override;
  grpc::Status ListInForceOn(grpc::ServerContext* context,
                             const agreements::v1::ListInForceOnRequest* request,
                             agreements::v1::ListInForceOnResponse* response) override;
  grpc::Status ListPartyAgreementsOn(
      grpc::ServerContext* context,
      const agreements::v1::ListPartyAgreementsOnRequest* request,
      agreements::v1::ListPartyAgreementsOnResponse* response) override;

  // Cluster mode: where GetCheckpoint takes the latest co-signed note from (a
  // cluster::Cosigner, which must outlive the service or be replaced by an empty source
  // first). Thread-safe.
  void SetCosignedNoteSource(std::function<std::string()> source) {
    absl::MutexLock lock(&cosigned_mu_);
    cosigned_ = std::move(source);
  }

 private:
  // The first tree size whose checkpoints commit to the map in creation order (0 unless
  // the store was migrated from schema version 3 or older).
  absl::StatusOr<uint64_t> MapSince() const;
  // Authorizes audit.read, then waits for the views (see above).
  absl::StatusOr<Caller> Admit(grpc::ServerContext& context) const;

  const store::Store* const store_;
  const store::Committer* const committer_;
  store::Checkpointer* const checkpointer_;
  AccessControl* const access_;
  const PageTokenCodec* const tokens_;
  absl::Mutex cosigned_mu_;
  std::function<std::string()> cosigned_ ABSL_GUARDED_BY(cosigned_mu_);
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_AUDIT_SERVICE_H_
