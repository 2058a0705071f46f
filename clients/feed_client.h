// Resuming change-feed subscriptions (docs/feeds.md). FeedSubscription follows
// FeedService.Subscribe and SectorWatcher follows FeedService.WatchSector; after a
// disconnect or a server restart each reopens its stream from the last position it saw,
// so the handler receives every matching event once, in position order.
//
//   auto subscription = FeedSubscription::Create(client.get(), request);
//   absl::Status status = (*subscription)->Run([&](const v1::SubscribeResponse& m) {
//     Apply(m);
//     return true;  // false stops the subscription
//   });
//   // elsewhere: (*subscription)->Stop();
#ifndef AGREEMENTS_CLIENTS_FEED_CLIENT_H_
#define AGREEMENTS_CLIENTS_FEED_CLIENT_H_

#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agreements/v1/feed_service.pb.h"
#include "clients/client.h"
#include "clients/feed_client_internal.h"
#include "clients/feed_resume.h"

namespace agreements::client {

// How a resuming stream reopens after a disconnect.
struct ResumeOptions {
  // Pause before the first attempt to reopen a broken stream. Must be positive.
  // Default: 100 ms.
  absl::Duration initial_backoff = absl::Milliseconds(100);
  // The pause doubles after each attempt that received nothing, up to this. Must be at
  // least initial_backoff.
  // Default: 5 s.
  absl::Duration max_backoff = absl::Seconds(5);
  // Each pause is multiplied by a random factor in [1 - jitter, 1 + jitter], so that
  // many clients of a restarted server do not all return at once. In [0, 1).
  // Default: 0.2.
  double backoff_jitter = 0.2;
  // Called on the Run thread before each pause with the status that ended the stream,
  // the last position covered (the stream reopens after it; while it is 0, with the
  // original request: from "now" again, or a new snapshot), and the pause. Empty:
  // nothing is called.
  // Default: empty.
  std::function<void(const absl::Status& ended, uint64_t resume_after,
                     absl::Duration pause)>
      on_resume;
};

// A FeedSubscription follows one Subscribe stream (a start position and a filter) across
// disconnects and server restarts: after UNAVAILABLE, CANCELLED (not asked for by the
// caller) or an end of stream, it resubscribes with from_position = last position seen
// + 1 (an event's, or a checkpoint's, caught-up's or fell-behind's position) and the same
// filter, with bounded exponential backoff; the backoff resets once a reopened stream
// delivers a message. So the handler receives each matching event once, in order; markers
// and checkpoints may repeat across a reconnection (a reopened stream sends a new
// caught-up). A from_now subscription that fails before its first message subscribes
// from "now" again: "now" has no position until the server names one, so events recorded
// in between are not delivered.
//
// Does not own the RegistryClient, which must outlive it; owns its request and
// bookkeeping. Run() blocks on one thread at a time; Stop() and last_position() are safe
// from any thread.
class FeedSubscription {
 public:
  // Returns false to stop the subscription (Run then returns OK).
  using Handler = std::function<bool(const v1::SubscribeResponse&)>;

  // INVALID_ARGUMENT for bad options; the request itself is checked by the server.
  static absl::StatusOr<std::unique_ptr<FeedSubscription>> Create(
      const RegistryClient* client, v1::SubscribeRequest request,
      ResumeOptions options = {});

  FeedSubscription(const FeedSubscription&) = delete;
  FeedSubscription& operator=(const FeedSubscription&) = delete;

  // Streams into `handler` on the calling thread until Stop() or the handler returns
  // false (OK), or the server answers with an error that is not a disconnect
  // (IsResumable: e.g. INVALID_ARGUMENT for a bad filter, RESOURCE_EXHAUSTED at the
  // subscription limit), which is returned. Calling Run again after the handler stopped
  // it continues after the last message delivered; after Stop() it returns OK at once.
  absl::Status Run(const Handler& handler);

  // Makes Run return OK promptly (cancels the open stream or the backoff pause); at most
  // the message being delivered at that moment still reaches the handler. Permanent.
  void Stop() { control_.Stop(); }

  // The last position covered by a delivered message (0 before any; see SubscribeResume).
  uint64_t last_position() const;

 private:
  FeedSubscription(const RegistryClient* client, v1::SubscribeRequest request,
                   ResumeOptions options);

  const RegistryClient* const client_;
  const ResumeOptions options_;
  feed_internal::StopControl control_;
  feed_internal::SharedResume<SubscribeResume> resume_;
};

// A SectorWatcher follows one WatchSector stream across disconnects and server restarts:
// it reopens with resume_after = last position seen (a non-snapshot update's, a
// removal's, or a checkpoint's or marker's position), which skips the snapshot. A
// disconnect before the first message after the snapshot restarts the snapshot (the
// protocol cannot resume one part way): the handler then sees snapshot rows again, which
// are states and replace the earlier ones. The options' on_resume receives
// resume_after = 0 in that case.
//
// Ownership and thread-safety as FeedSubscription.
class SectorWatcher {
 public:
  // Returns false to stop the watch (Run then returns OK).
  using Handler = std::function<bool(const v1::WatchSectorResponse&)>;

  static absl::StatusOr<std::unique_ptr<SectorWatcher>> Create(
      const RegistryClient* client, v1::WatchSectorRequest request,
      ResumeOptions options = {});

  SectorWatcher(const SectorWatcher&) = delete;
  SectorWatcher& operator=(const SectorWatcher&) = delete;

  // As FeedSubscription::Run.
  absl::Status Run(const Handler& handler);
  void Stop() { control_.Stop(); }
  // The last position covered; 0 while the snapshot is incomplete.
  uint64_t last_position() const;

 private:
  SectorWatcher(const RegistryClient* client, v1::WatchSectorRequest request,
                ResumeOptions options);

  const RegistryClient* const client_;
  const ResumeOptions options_;
  feed_internal::StopControl control_;
  feed_internal::SharedResume<SectorResume> resume_;
};

}  // namespace agreements::client

#endif  // AGREEMENTS_CLIENTS_FEED_CLIENT_H_
