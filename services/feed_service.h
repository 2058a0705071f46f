// FeedService: the gRPC adapter of the change feeds (docs/feeds.md). Subscribe streams
// the events that match a filter from any start position, across the catch-up -> live
// hand-over; WatchSector streams a live sector view. Both run on the callback API with
// their sources stepped by a FeedDispatcher, which also admits them (per principal, with
// slots kept for admins and auditors) and ends those whose callers a reload revoked.
//
// Thread-safe. Owns the dispatcher; does not own the store or the hub.
#ifndef AGREEMENTS_SERVICES_FEED_SERVICE_H_
#define AGREEMENTS_SERVICES_FEED_SERVICE_H_

#include <memory>

#include "agreements/v1/feed_service.grpc.pb.h"
#include "services/access_control.h"
#include "services/feed_dispatcher.h"
#include "store/feed_hub.h"
#include "store/projection.h"
#include "store/store.h"

namespace agreements::services {

class FeedService final : public agreements::v1::FeedService::CallbackService {
 public:
  // Both streams need registry.read (checked by `access`, which must outlive the
  // service). A sector watch takes its snapshot once `projection` (not owned; must
  // outlive the service) reached the hub's head.
  FeedService(const store::Store* store, store::FeedHub* hub,
              const store::Projection* projection, FeedDispatcherOptions options,
              AccessControl* access);

  grpc::ServerWriteReactor<agreements::v1::SubscribeResponse>* Subscribe(
      grpc::CallbackServerContext* context,
      const agreements::v1::SubscribeRequest* request) override;
  grpc::ServerWriteReactor<agreements::v1::WatchSectorResponse>* WatchSector(
      grpc::CallbackServerContext* context,
      const agreements::v1::WatchSectorRequest* request) override;

  // Ends every open stream with UNAVAILABLE and refuses new ones.
  void Shutdown() { dispatcher_->Shutdown(); }
  // After a successful reload of the security files: ends every open stream whose
  // caller lost its token (UNAUTHENTICATED), registry.read or part of its clearance
  // (PERMISSION_DENIED). Returns how many ended.
  size_t Reauthorize();
  // The stream limits, the open streams and what was refused or revoked.
  void DescribeLimits(agreements::v1::StreamLimitStatus& status) const {
    dispatcher_->Describe(status);
  }
  size_t open_streams() const { return dispatcher_->open_streams(); }
  FeedStats Stats() const { return dispatcher_->Stats(); }
  size_t TEST_max_queued_messages() const {
    return dispatcher_->TEST_max_queued_messages();
  }

 private:
  // OK while the owner's caller, as the files in use now see it, may go on reading.
  absl::Status Recheck(const StreamOwner& owner) const;

  const store::Store* const store_;
  store::FeedHub* const hub_;
  const store::Projection* const projection_;
  AccessControl* const access_;
  std::unique_ptr<FeedDispatcher> dispatcher_;
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_FEED_SERVICE_H_
