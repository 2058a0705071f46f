// ReadPacer: runs callbacks at given times on a thread of its own; slow feed subscribers
// use it to start each read some time after the previous one ended (subscriber.h), since
// a reaction must never block.
//
// Thread-safe. Owns its thread. Stop (or the destructor) runs every callback still
// scheduled at once; a callback scheduled after Stop runs at once on the caller's
// thread. Callbacks must not block.
#ifndef AGREEMENTS_CLIENTS_BENCH_READ_PACER_H_
#define AGREEMENTS_CLIENTS_BENCH_READ_PACER_H_

#include <cstdint>
#include <functional>
#include <queue>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace agreements::bench {

class ReadPacer {
 public:
  ReadPacer();
  ReadPacer(const ReadPacer&) = delete;
  ReadPacer& operator=(const ReadPacer&) = delete;
  ~ReadPacer();

  // Runs `callback` once, at NowNanos() >= `at_nanos` (or at Stop).
  void Schedule(int64_t at_nanos, std::function<void()> callback);
  // Runs what is scheduled and stops the thread. Idempotent.
  void Stop();

 private:
  struct Entry {
    int64_t at_nanos;
    std::function<void()> callback;
  };
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      return a.at_nanos > b.at_nanos;
    }
  };

  void Run();
  // Removes and returns the entries due now (all of them when stopping).
  std::vector<Entry> TakeDueLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::priority_queue<Entry, std::vector<Entry>, Later> queue_ ABSL_GUARDED_BY(mu_);
  // A callback earlier than the one the thread waits for was scheduled.
  bool earlier_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace agreements::bench

#endif  // AGREEMENTS_CLIENTS_BENCH_READ_PACER_H_
