// PositionWaiters: reads that wait for a position (min_position, or the log's head on
// arrival) without holding a thread. A waiting read is a record (position, deadline,
// what to do next) kept here; one thread wakes when the views move (the projection's
// applied position) or the earliest deadline passes, and hands the reads that are ready
// or out of time to a few worker threads, which run them taking the principals in turn,
// so one caller's expensive reads cannot hold back another's. Waits are limited in total
// and per principal, with some kept for callers holding audit.read, so that one caller
// cannot take the server's memory or every slot (docs/security.md).
//
// Thread-safe. Owns its threads; does not own the source. The source must outlive
// Shutdown, and must not move when the object is destroyed (it may call a listener
// shortly after RemoveListener returns): destroy it after the projection stopped.
#ifndef AGREEMENTS_SERVICES_POSITION_WAITERS_H_
#define AGREEMENTS_SERVICES_POSITION_WAITERS_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agreements/v1/security_service.pb.h"
#include "store/position_source.h"

namespace agreements::services {

struct PositionWaitOptions {
  // Reads waiting at once (or ready and not yet run), in total and per principal; more
  // are RESOURCE_EXHAUSTED. Of the total, `reserved_waits` only callers holding
  // audit.read (admins, auditors) may take.
  // Default: 4096, 256, 256.
  size_t max_waits = 4096;
  size_t max_waits_per_principal = 256;
  size_t reserved_waits = 256;
  // Threads that run the reads once they are ready.
  // Default: 2.
  int threads = 2;
};

// The deadline of a read's wait: at most `max_wait` from `now`, and a little before the
// client's own deadline (a tenth of the time left, at most 50 ms), so that the client
// hears why the read failed (the views' lag) rather than its own DEADLINE_EXCEEDED.
absl::Time WaitDeadline(absl::Time now, absl::Duration max_wait,
                        absl::Time client_deadline);

class PositionWaiters {
 public:
  using Done = std::function<void(absl::Status)>;

  // `readable` returns the position the views have reached, `logged` the log's head;
  // `source` signals when `readable` moves.
  PositionWaiters(store::PositionSource* source, std::function<uint64_t()> readable,
                  std::function<uint64_t()> logged, PositionWaitOptions options);
  // Shuts down.
  ~PositionWaiters();

  // Calls `done` once: with OK when `position` is readable (at once, on this thread, if
  // it is already); at `deadline` with UNAVAILABLE naming the views' lag when the log
  // holds `position`, else with DEADLINE_EXCEEDED naming min_position; or with
  // UNAVAILABLE at Shutdown. Returns RESOURCE_EXHAUSTED without calling `done` when the
  // caller or the server has too many waits (`privileged`: the caller may take the
  // reserved ones).
  absl::Status Wait(const std::string& principal, bool privileged, uint64_t position,
                    absl::Time deadline, Done done);

  // Ends every wait with UNAVAILABLE, runs what is ready, refuses new waits
  // (UNAVAILABLE) and stops the threads.
  void Shutdown();

  size_t waiting() const;
  const PositionWaitOptions& options() const { return options_; }
  // The limits, the reads waiting and those refused, for GetSecurityStatus.
  void Describe(agreements::v1::ReadWaitStatus& status) const;

 private:
  struct Waiter {
    std::string principal;
    uint64_t position = 0;
    absl::Time deadline;
    Done done;
    absl::Status outcome;
  };
  absl::Status Admit(const std::string& principal, bool privileged)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Watch();
  void Work();
  // Moves the waiters that are ready or out of time to the principals' ready queues.
  void TakeFinished(uint64_t readable, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Release(const std::string& principal) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  store::PositionSource* const source_;
  const std::function<uint64_t()> readable_;
  const std::function<uint64_t()> logged_;
  const PositionWaitOptions options_;
  uint64_t listener_id_ = 0;

  mutable absl::Mutex mu_;
  std::list<Waiter> waiters_ ABSL_GUARDED_BY(mu_);
  // Reads ready to run, per principal, and the principals in turn.
  absl::flat_hash_map<std::string, std::deque<Waiter>> ready_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> turns_ ABSL_GUARDED_BY(mu_);
  // Waiting and ready reads, in all and per principal.
  size_t held_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, size_t> per_principal_ ABSL_GUARDED_BY(mu_);
  int64_t refused_ ABSL_GUARDED_BY(mu_) = 0;
  bool moved_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread watcher_;
  std::vector<std::thread> workers_;
  absl::Mutex join_mu_;
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_POSITION_WAITERS_H_
