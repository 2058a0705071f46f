// FeedDispatcher: the threads that advance feed streams, so that no gRPC callback thread
// ever blocks on the log. A stream asks to be filled when its outgoing queue is empty;
// a dispatcher thread runs one step of its source (reading the hub window or the log)
// and hands the messages back. Streams at the head sleep until the hub publishes a new
// head or a tick passes (for time-based checkpoints).
//
// It also admits streams (StreamQuota: the most open, per principal, and the slots kept
// for admins and auditors) and, after a reload of the security files, ends the streams
// whose callers lost access (Revoke).
//
// Thread-safe. Owns its threads; does not own the hub.
#ifndef AGREEMENTS_SERVICES_FEED_DISPATCHER_H_
#define AGREEMENTS_SERVICES_FEED_DISPATCHER_H_

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agreements/v1/security_service.pb.h"
#include "domain/confidentiality.h"
#include "grpcpp/support/status.h"
#include "services/access_control.h"
#include "services/stream_quota.h"
#include "store/feed_hub.h"

namespace agreements::services {

// What the dispatcher drives. Implementations are thread-safe.
class DispatchedStream {
 public:
  virtual ~DispatchedStream() = default;
  // Runs one step of the source; called by one dispatcher thread at a time.
  virtual void Fill(absl::Time now) = 0;
  // Called when the head advanced or a tick passed: a stream waiting at the head asks
  // to be filled again.
  virtual void Wake() = 0;
  // Ends the stream with `status` as soon as no write is in flight.
  virtual void Close(const grpc::Status& status) = 0;
  // After Close: cancels the call if a write is still in flight (a client that stopped
  // reading would otherwise hold the stream open).
  virtual void CancelIfStuck() = 0;
  // Messages prepared and not yet written (the per-stream memory bound).
  virtual size_t queued_messages() = 0;
  // The next log position the stream's source examines (0: not reading the log yet).
  virtual uint64_t next_position() const { return 0; }
};

// The open streams as the server's metrics show them.
struct FeedStats {
  size_t open_streams = 0;
  // The most positions between the hub's head and an open stream reading the log.
  uint64_t max_lag_events = 0;
  // Fell-behind markers sent since start (a subscriber left the in-memory window).
  uint64_t fell_behind = 0;
};

// Who opened a stream: what admission counts, and what a reload checks again.
struct StreamOwner {
  // The caller as authenticated when the stream opened.
  Caller caller;
  // What the stream's source shows.
  domain::Clearance clearance;
};

// How long a revoked stream may take to finish its last write.
inline constexpr absl::Duration kRevokeGrace = absl::Milliseconds(500);

struct FeedDispatcherOptions {
  // Threads that run stream steps.
  // Default: 2.
  int threads = 2;
  // Most open streams; more are refused with RESOURCE_EXHAUSTED.
  // Default: 1000.
  size_t max_streams = 1000;
  // Most open streams of one principal (callers with the admin role are exempt); 0
  // means no limit per principal.
  // Default: 100.
  size_t max_streams_per_principal = 100;
  // Of max_streams, the slots only callers holding audit.read (admins, auditors) may
  // take; a larger value reserves every slot.
  // Default: 50.
  size_t reserved_streams = 50;
  // How often streams at the head wake for time-based checkpoints.
  // Default: 200 ms.
  absl::Duration tick = absl::Milliseconds(200);
};

class FeedDispatcher {
 public:
  FeedDispatcher(store::FeedHub* hub, FeedDispatcherOptions options);
  // Stops the threads (Shutdown must have been called).
  ~FeedDispatcher();

  // Admits a stream of `owner`: RESOURCE_EXHAUSTED at a limit (StreamQuota);
  // UNAVAILABLE after Shutdown, or when a reload replaced the security files that
  // authenticated the owner since (Revoke ran without this stream: the client retries).
  absl::Status Register(const std::shared_ptr<DispatchedStream>& stream,
                        StreamOwner owner);
  void Unregister(const std::shared_ptr<DispatchedStream>& stream);
  // Queues a fill of the stream (the stream makes sure it is queued at most once).
  void Schedule(std::shared_ptr<DispatchedStream> stream);

  // Closes every open stream with UNAVAILABLE, refuses new ones, stops the threads.
  // Streams whose last write does not complete within `grace` are cancelled.
  void Shutdown(absl::Duration grace = absl::Milliseconds(500));

  // After a reload to the files of `generation`: closes every open stream whose owner
  // `check` refuses, with that status. Returns how many were closed (a stream closed by
  // an earlier reload and still ending is not counted again). A closed stream whose
  // last write does not complete within a tick and `kRevokeGrace` (a client that
  // stopped reading) is cancelled, so it frees its slot.
  size_t Revoke(uint64_t generation,
                const std::function<absl::Status(const StreamOwner&)>& check);

  size_t open_streams() const;
  FeedStats Stats() const;
  // Called by a stream for each fell-behind marker it sends.
  void CountFellBehind() { fell_behind_.fetch_add(1, std::memory_order_relaxed); }
  // The limits, the open streams and what was refused or revoked.
  void Describe(agreements::v1::StreamLimitStatus& status) const;
  // The most messages any open stream holds prepared (tests check the bound).
  size_t TEST_max_queued_messages() const;

 private:
  void Run();
  void WakeAll();
  // Cancels the revoked streams still writing after their grace.
  void CancelStuckRevoked(absl::Time now);

  store::FeedHub* const hub_;
  const FeedDispatcherOptions options_;
  std::atomic<uint64_t> fell_behind_{0};
  uint64_t listener_id_ = 0;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::shared_ptr<DispatchedStream>, StreamOwner> streams_
      ABSL_GUARDED_BY(mu_);
  StreamQuota quota_ ABSL_GUARDED_BY(mu_);
  // The generation of the last Revoke; owners authenticated before it are refused.
  uint64_t revoked_generation_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t revoked_streams_ ABSL_GUARDED_BY(mu_) = 0;
  // Revoked streams not yet unregistered, and when to cancel them if still writing.
  absl::flat_hash_map<const DispatchedStream*, absl::Time> revoked_ ABSL_GUARDED_BY(mu_);
  std::deque<std::shared_ptr<DispatchedStream>> ready_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Set by the hub listener; taken by one dispatcher thread, which wakes the streams.
  bool head_moved_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time next_tick_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_;
  absl::Mutex join_mu_;
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_FEED_DISPATCHER_H_
