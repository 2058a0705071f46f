// QueryService: the gRPC adapter of the read side. Each call reads one RocksDB snapshot
// through store::ViewReader, so an answer reflects exactly one global position, which it
// reports. A read waits (bounded in time, and in number per caller) until the views
// reach the log's head as it was on arrival (unless it asks READ_CONSISTENCY_AVAILABLE)
// and its min_position (docs/consistency.md).
//
// Uses the callback API: a read is a short RocksDB call, and a read waiting for its
// position is a record in PositionWaiters, not a blocked thread. Thread-safe; does not
// own the Store or the Committer.
#ifndef AGREEMENTS_SERVICES_QUERY_SERVICE_H_
#define AGREEMENTS_SERVICES_QUERY_SERVICE_H_

#include <functional>

#include "agreements/storage/v1/storage.pb.h"
#include "agreements/v1/query_service.grpc.pb.h"
#include "services/access_control.h"
#include "services/page_token.h"
#include "services/position_waiters.h"
#include "store/committer.h"
#include "store/feed_hub.h"
#include "store/store.h"

namespace agreements::services {

// The public summary of a sector from its stored counters, with the `top_parties` most
// frequent parties.
agreements::v1::SectorSummary SummarizeCounters(
    const std::string& sector, const agreements::storage::v1::SectorCounters& counters,
    size_t top_parties);

class QueryService final : public agreements::v1::QueryService::CallbackService {
 public:
  static constexpr int kDefaultPageSize = 50;
  static constexpr int kMaxPageSize = 1000;

  // `max_wait` bounds the wait for min_position (the client's deadline may shorten it);
  // `waits` limits the reads waiting at once. Every RPC needs registry.read (checked by
  // `access`); `tokens` seals page tokens. The store, committer (and its projection),
  // access and tokens must outlive the service.
  QueryService(const store::Store* store, const store::Committer* committer,
               absl::Duration max_wait, PositionWaitOptions waits, AccessControl* access,
               const PageTokenCodec* tokens);

  grpc::ServerUnaryReactor* GetAgreement(
      grpc::CallbackServerContext* context,
      const agreements::v1::GetAgreementRequest* request,
      agreements::v1::GetAgreementResponse* response) override;
  grpc::ServerUnaryReactor* LookupAgreement(
      grpc::CallbackServerContext* context,
      const agreements::v1::LookupAgreementRequest* request,
      agreements::v1::LookupAgreementResponse* response) override;
  grpc::ServerUnaryReactor* ListAgreements(
      grpc::CallbackServerContext* context,
      const agreements::v1::ListAgreementsRequest* request,
      agreements::v1::ListAgreementsResponse* response) override;
  grpc::ServerUnaryReactor* GetSectorSummary(
      grpc::CallbackServerContext* context,
      const agreements::v1::GetSectorSummaryRequest* request,
      agreements::v1::GetSectorSummaryResponse* response) override;
  grpc::ServerUnaryReactor* ListSectors(
      grpc::CallbackServerContext* context,
      const agreements::v1::ListSectorsRequest* request,
      agreements::v1::ListSectorsResponse* response) override;
  grpc::ServerUnaryReactor* GetParty(grpc::CallbackServerContext* context,
                                     const agreements::v1::GetPartyRequest* request,
                                     agreements::v1::GetPartyResponse* response) override;
  grpc::ServerUnaryReactor* ListParties(
      grpc::CallbackServerContext* context,
      const agreements::v1::ListPartiesRequest* request,
      agreements::v1::ListPartiesResponse* response) override;
  // In services/query_statistics.cc.
  grpc::ServerUnaryReactor* GetStatistics(
      grpc::CallbackServerContext* context,
      const agreements::v1::GetStatisticsRequest* request,
      agreements::v1::GetStatisticsResponse* response) override;

  // Ends the reads still waiting for a position (UNAVAILABLE); before the gRPC server's
  // Shutdown, which waits for every call.
  void Shutdown() { waiters_.Shutdown(); }
  const PositionWaiters& waiters() const { return waiters_; }

 private:
  // What a read does once its position is reached.
  using Read = std::function<grpc::Status()>;
  // Authorizes the call, lets `prepare` check the request (before any wait) and return
  // the read, then runs the read once min_position is reached, without holding a thread
  // while it waits.
  grpc::ServerUnaryReactor* Serve(
      grpc::CallbackServerContext* context, uint64_t min_position,
      agreements::v1::ReadConsistency consistency,
      std::function<absl::StatusOr<Read>(const Caller& caller)> prepare);

  const store::Store* const store_;
  const store::Committer* const committer_;
  const absl::Duration max_wait_;
  AccessControl* const access_;
  const PageTokenCodec* const tokens_;
  PositionWaiters waiters_;
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_QUERY_SERVICE_H_
