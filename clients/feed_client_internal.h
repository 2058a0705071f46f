// Not API: the parts shared by FeedSubscription and SectorWatcher.
#ifndef AGREEMENTS_CLIENTS_FEED_CLIENT_INTERNAL_H_
#define AGREEMENTS_CLIENTS_FEED_CLIENT_INTERNAL_H_

#include <cstdint>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"

namespace agreements::client {
namespace feed_internal {

// The stream-independent part of FeedSubscription and SectorWatcher: the stop flag and
// the context of the open attempt, which Stop() cancels. Thread-safe.
class StopControl {
 public:
  // Makes `context` the open attempt's; false (and nothing registered) once stopped.
  bool Begin(grpc::ClientContext* context);
  // Forgets the attempt's context; returns whether Stop() was called.
  bool End();
  bool stopped() const;
  // Sleeps for `pause` or until Stop(); returns whether Stop() was called.
  bool SleepUnlessStopped(absl::Duration pause);
  void Stop();

 private:
  mutable absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
};

// A SubscribeResume or SectorResume behind a mutex: written by the Run thread, read by
// last_position() from any thread. Thread-safe.
template <typename Resume>
class SharedResume {
 public:
  template <typename Request>
  explicit SharedResume(Request request) : resume_(std::move(request)) {}

  template <typename Message>
  void Observe(const Message& message) {
    absl::MutexLock lock(&mu_);
    resume_.Observe(message);
  }
  auto ResumeRequest() const {
    absl::MutexLock lock(&mu_);
    return resume_.ResumeRequest();
  }
  uint64_t last_position() const {
    absl::MutexLock lock(&mu_);
    return resume_.last_position();
  }

 private:
  mutable absl::Mutex mu_;
  Resume resume_ ABSL_GUARDED_BY(mu_);
};

}  // namespace feed_internal

}  // namespace agreements::client

#endif  // AGREEMENTS_CLIENTS_FEED_CLIENT_INTERNAL_H_
