#include "clients/bench/closed_loop.h"

#include <algorithm>
#include <atomic>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace agreements::bench {
namespace {

using Issue =
    std::function<void(int64_t index, std::function<void(const grpc::Status&)> done)>;

// Shared by the calling thread and the completions; each pending completion holds a
// reference, so the state outlives a completion that arrives after the caller gave up.
struct LoopState : std::enable_shared_from_this<LoopState> {
  int64_t total = 0;
  int64_t max_failures = 0;
  // The caller's function; only called while stop is false, which the caller sets
  // before returning.
  const Issue* issue;
  absl::Time stop_at;
  std::atomic<int64_t> next{0};
  std::atomic<bool> stop{false};
  absl::Mutex mu;
  int64_t outstanding ABSL_GUARDED_BY(mu) = 0;
  int64_t completed ABSL_GUARDED_BY(mu) = 0;
  int64_t failed ABSL_GUARDED_BY(mu) = 0;
  std::string first_error ABSL_GUARDED_BY(mu);
  absl::Time last_done ABSL_GUARDED_BY(mu);

  // Starts the next operation, if any; false when none was started.
  bool Launch() {
    if (stop.load(std::memory_order_relaxed)) return false;
    if (absl::Now() >= stop_at) {
      stop = true;
      return false;
    }
    const int64_t index = next.fetch_add(1);
    if (index >= total) return false;
    {
      absl::MutexLock lock(&mu);
      ++outstanding;
    }
    (*issue)(index, [self = shared_from_this()](const grpc::Status& status) {
      self->Done(status);
    });
    return true;
  }

  void Done(const grpc::Status& status) {
    {
      absl::MutexLock lock(&mu);
      ++completed;
      last_done = absl::Now();
      if (!status.ok()) {
        if (failed++ == 0) {
          first_error = absl::StrCat(static_cast<int>(status.error_code()), " ",
                                     status.error_message());
        }
        if (failed >= max_failures) stop = true;
      }
    }
    // Start the replacement before this operation stops counting as outstanding, so
    // the caller never sees zero outstanding while work remains.
    Launch();
    absl::MutexLock lock(&mu);
    --outstanding;
  }
};

}  // namespace

ClosedLoopResult RunClosedLoop(const ClosedLoopOptions& options, const Issue& issue) {
  ClosedLoopResult result;
  if (options.total <= 0) return result;
  auto state = std::make_shared<LoopState>();
  state->total = options.total;
  state->max_failures = options.max_failures;
  state->issue = &issue;
  const absl::Time start = absl::Now();
  state->stop_at = start + options.timeout;
  {
    absl::MutexLock lock(&state->mu);
    state->last_done = start;
  }
  const int64_t initial = std::min<int64_t>(options.in_flight, options.total);
  for (int64_t k = 0; k < initial; ++k) {
    if (!state->Launch()) break;
  }
  absl::Time next_progress = start + options.progress_every;
  bool finished = false;
  // Waits for all operations; after the loop's own timeout, outstanding calls still end
  // by their deadlines, so allow a grace period before giving up on them.
  const absl::Time give_up = state->stop_at + absl::Minutes(2);
  while (!finished) {
    absl::Time wake = options.progress ? next_progress : absl::Now() + absl::Seconds(1);
    int64_t completed = 0;
    {
      absl::MutexLock lock(&state->mu);
      LoopState* raw = state.get();
      auto all_done = [raw]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(raw->mu) {
        return raw->outstanding == 0;
      };
      state->mu.AwaitWithDeadline(absl::Condition(&all_done), wake);
      finished = state->outstanding == 0;
      completed = state->completed;
    }
    const absl::Time now = absl::Now();
    if (!finished && options.progress && now >= next_progress) {
      options.progress(completed, now - start);
      next_progress = now + options.progress_every;
    }
    if (!finished && now >= give_up) break;
  }
  // Late completions (after the grace period) must not call back into the caller.
  const bool stopped = state->stop.exchange(true);
  {
    absl::MutexLock lock(&state->mu);
    result.completed = state->completed;
    result.failed = state->failed;
    result.first_error = state->first_error;
    result.elapsed = state->last_done - start;
    result.stopped_early = stopped || state->completed < options.total;
  }
  return result;
}

}  // namespace agreements::bench
