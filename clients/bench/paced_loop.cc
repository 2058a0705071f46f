#include "clients/bench/paced_loop.h"

#include <algorithm>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "clients/bench/stats.h"

namespace agreements::bench {
namespace {

// Shared by the loop and the completions (each holds a reference).
struct PacedState {
  absl::Mutex mu;
  int64_t completed ABSL_GUARDED_BY(mu) = 0;
  int64_t failed ABSL_GUARDED_BY(mu) = 0;
  std::string first_error ABSL_GUARDED_BY(mu);
};

// Sleeps until NowNanos() >= target: coarse sleeps, then yields for the last 0.2 ms.
void WaitUntil(int64_t target) {
  for (int64_t now = NowNanos(); now < target; now = NowNanos()) {
    if (target - now > 200000) {
      absl::SleepFor(absl::Nanoseconds(target - now - 100000));
    } else {
      std::this_thread::yield();
    }
  }
}

}  // namespace

PacedLoopResult RunPaced(
    const PacedLoopOptions& options,
    const std::function<void(int64_t index,
                             std::function<void(const grpc::Status&)> done)>& issue) {
  auto state = std::make_shared<PacedState>();
  const double period_ns = 1e9 / std::max(1e-9, options.rate);
  const int64_t t0 = NowNanos();
  for (int64_t i = 0; i < options.count; ++i) {
    WaitUntil(t0 + static_cast<int64_t>(i * period_ns));
    issue(i, [state](const grpc::Status& status) {
      absl::MutexLock lock(&state->mu);
      ++state->completed;
      if (!status.ok() && state->failed++ == 0) {
        state->first_error = absl::StrCat(static_cast<int>(status.error_code()), " ",
                                          status.error_message());
      }
    });
  }
  PacedLoopResult result;
  result.send_seconds = (NowNanos() - t0) / 1e9;
  result.rate_achieved = options.count > 1
                             ? (options.count - 1) / std::max(1e-9, result.send_seconds)
                             : options.rate;
  absl::MutexLock lock(&state->mu);
  PacedState* raw = state.get();
  const int64_t count = options.count;
  auto all_done = [raw, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(raw->mu) {
    return raw->completed >= count;
  };
  state->mu.Await(absl::Condition(&all_done));
  result.completed = state->completed;
  result.failed = state->failed;
  result.first_error = state->first_error;
  return result;
}

}  // namespace agreements::bench
