#include "services/feed_service.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "services/feed_stream.h"
#include "store/feed_cursor.h"
#include "store/sector_watch.h"

namespace agreements::services {
namespace {

namespace v1 = ::agreements::v1;

// A Subscribe stream holds at most two steps of messages: the next step is read while
// the previous one is being written (FeedStream's refill_at), within the same bound as
// one step of 256 messages and 4 MiB (docs/feeds.md).
constexpr size_t kSubscribeStepMessages = 128;
constexpr size_t kSubscribeStepBytes = 2 << 20;

// A stream that only reports an error.
template <typename Response>
class Refusal final : public grpc::ServerWriteReactor<Response> {
 public:
  explicit Refusal(const absl::Status& status) { this->Finish(ToGrpcStatus(status)); }
  void OnDone() override { delete this; }
};

absl::StatusOr<std::unique_ptr<store::FeedCursor>> MakeCursor(
    const store::Store* store, const store::FeedHub* hub,
    const v1::SubscribeRequest& request, domain::Clearance clearance) {
  auto filter = store::FeedFilter::Compile(request.filter(), "filter");
  if (!filter.ok()) return filter.status();
  filter->Restrict(std::move(clearance));
  store::FeedCursorOptions options;
  options.raw_events = true;  // sent as stored, never read here
  options.max_messages = kSubscribeStepMessages;
  options.max_step_bytes = kSubscribeStepBytes;
  absl::Status checked = store::CheckpointOptions(
      request.checkpoint_every_events(), request.checkpoint_interval_ms(), options);
  if (!checked.ok()) return checked;
  checked = store::BatchOptions(request.max_events_per_message(), options);
  if (!checked.ok()) return checked;
  uint64_t start = 1;
  switch (request.start_case()) {
    case v1::SubscribeRequest::kFromPosition:
      if (request.from_position() == 0) {
        return absl::InvalidArgumentError(
            "from_position: positions start at 1 (use from_beginning)");
      }
      start = request.from_position();
      break;
    case v1::SubscribeRequest::kFromNow:
      start = hub->head() + 1;
      break;
    case v1::SubscribeRequest::kFromBeginning:
    case v1::SubscribeRequest::START_NOT_SET:
      start = 1;
      break;
  }
  return std::make_unique<store::FeedCursor>(store, hub, *std::move(filter), start,
                                             options, absl::Now());
}

// Whether `now` shows everything `before` showed (it may show more).
bool Covers(const domain::Clearance& now, const domain::Clearance& before) {
  if (now.all) return true;
  if (before.all) return false;
  return std::includes(now.sectors.begin(), now.sectors.end(), before.sectors.begin(),
                       before.sectors.end());
}

}  // namespace

FeedService::FeedService(const store::Store* store, store::FeedHub* hub,
                         const store::Projection* projection,
                         FeedDispatcherOptions options, AccessControl* access)
    : store_(store),
      hub_(hub),
      projection_(projection),
      access_(access),
      dispatcher_(std::make_unique<FeedDispatcher>(hub, options)) {}

grpc::ServerWriteReactor<v1::SubscribeResponse>* FeedService::Subscribe(
    grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) {
  absl::StatusOr<Caller> caller =
      access_->Authorize(*context, security::Permission::kRegistryRead);
  if (!caller.ok()) return new Refusal<v1::SubscribeResponse>(caller.status());
  StreamOwner owner{*caller, ClearanceOf(*caller)};
  auto cursor = MakeCursor(store_, hub_, *request, owner.clearance);
  if (!cursor.ok()) return new Refusal<v1::SubscribeResponse>(cursor.status());
  return new FeedStream<v1::SubscribeResponse, store::FeedCursor>(
      context, dispatcher_.get(), std::move(owner), *std::move(cursor),
      /*refill_at=*/kSubscribeStepMessages);
}

grpc::ServerWriteReactor<v1::WatchSectorResponse>* FeedService::WatchSector(
    grpc::CallbackServerContext* context, const v1::WatchSectorRequest* request) {
  absl::StatusOr<Caller> caller =
      access_->Authorize(*context, security::Permission::kRegistryRead);
  if (!caller.ok()) return new Refusal<v1::WatchSectorResponse>(caller.status());
  StreamOwner owner{*caller, ClearanceOf(*caller)};
  auto watch = store::SectorWatch::Create(store_, hub_, *request, absl::Now(),
                                          owner.clearance, projection_);
  if (!watch.ok()) return new Refusal<v1::WatchSectorResponse>(watch.status());
  return new FeedStream<v1::WatchSectorResponse, store::SectorWatch>(
      context, dispatcher_.get(), std::move(owner), *std::move(watch));
}

size_t FeedService::Reauthorize() {
  return dispatcher_->Revoke(access_->generation(),
                             [this](const StreamOwner& owner) { return Recheck(owner); });
}

absl::Status FeedService::Recheck(const StreamOwner& owner) const {
  absl::StatusOr<Caller> caller = access_->Reauthenticate(owner.caller);
  if (!caller.ok()) return caller.status();
  if (!security::Allows(caller->grants, security::Permission::kRegistryRead)) {
    return MissingPermission(
        "registry.read", caller->principal,
        absl::StrCat("missing permission registry.read: principal \"", caller->principal,
                     "\" lost it when the security files were reloaded"));
  }
  // A stream shows what its caller was cleared for when it opened; one that would now
  // show something hidden from its caller ends. A wider clearance keeps the stream (it
  // shows less than it may), and a new subscription shows the rest.
  if (!Covers(ClearanceOf(*caller), owner.clearance)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "principal \"", caller->principal,
        "\" may no longer see every instrument this stream shows (its clearance changed "
        "when the security files were reloaded); subscribe again"));
  }
  return absl::OkStatus();
}

}  // namespace agreements::services
