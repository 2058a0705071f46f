// QueryService: the gRPC adapter of the read side. Each call reads one RocksDB snapshot
// through store::ViewReader, so an answer reflects exactly one global position, which it
// reports. min_position waits (bounded) for the committer to reach that position.
//
// Uses the synchronous API on purpose: reads are short blocking RocksDB calls and the
// optional min_position wait blocks; gRPC's sync thread pool bounds both, while the
// callback threads that serve commands never block. Thread-safe; does not own the Store
// or the Committer.
#ifndef AGREEMENTS_SERVICES_QUERY_SERVICE_H_
#define AGREEMENTS_SERVICES_QUERY_SERVICE_H_

#include "agreements/storage/v1/storage.pb.h"
#include "agreements/v1/query_service.grpc.pb.h"
#include "services/access_control.h"
#include "services/page_token.h"
#include "store/committer.h"
#include "store/store.h"

namespace agreements::services {

// The public summary of a sector from its stored counters, with the `top_parties` most
// frequent parties.
agreements::v1::SectorSummary SummarizeCounters(
    const std::string& sector, const agreements::storage::v1::SectorCounters& counters,
    size_t top_parties);

class QueryService final : public agreements::v1::QueryService::Service {
 public:
  static constexpr int kDefaultPageSize = 50;
  static constexpr int kMaxPageSize = 1000;

  // `max_wait` bounds the wait for min_position (the client's deadline may shorten it).
  // Every RPC needs registry.read (checked by `access`); `tokens` seals page tokens.
  // Both must outlive the service.
  QueryService(const store::Store* store, const store::Committer* committer,
               absl::Duration max_wait, AccessControl* access,
               const PageTokenCodec* tokens)
      : store_(store),
        committer_(committer),
        max_wait_(max_wait),
        access_(access),
        tokens_(tokens) {}

  grpc::Status GetAgreement(grpc::ServerContext* context,
                            const agreements::v1::GetAgreementRequest* request,
                            agreements::v1::GetAgreementResponse* response) override;
  grpc::Status LookupAgreement(
      grpc::ServerContext* context, const agreements::v1::LookupAgreementRequest* request,
      agreements::v1::LookupAgreementResponse* response) override;
  grpc::Status ListAgreements(grpc::ServerContext* context,
                              const agreements::v1::ListAgreementsRequest* request,
                              agreements::v1::ListAgreementsResponse* response) override;
  grpc::Status GetSectorSummary(
      grpc::ServerContext* context,
      const agreements::v1::GetSectorSummaryRequest* request,
      agreements::v1::GetSectorSummaryResponse* response) override;
  grpc::Status ListSectors(grpc::ServerContext* context,
                           const agreements::v1::ListSectorsRequest* request,
                           agreements::v1::ListSectorsResponse* response) override;
  grpc::Status GetParty(grpc::ServerContext* context,
                        const agreements::v1::GetPartyRequest* request,
                        agreements::v1::GetPartyResponse* response) override;
  grpc::Status ListParties(grpc::ServerContext* context,
                           const agreements::v1::ListPartiesRequest* request,
                           agreements::v1::ListPartiesResponse* response) override;

 private:
  absl::Status AwaitPosition(const grpc::ServerContext* context,
                             uint64_t min_position) const;

  const store::Store* const store_;
  const store::Committer* const committer_;
  const absl::Duration max_wait_;
  AccessControl* const access_;
  const PageTokenCodec* const tokens_;
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_QUERY_SERVICE_H_
