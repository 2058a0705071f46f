#include "services/position_waiters.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/error_info.h"

namespace agreements::services {

absl::Time WaitDeadline(absl::Time now, absl::Duration max_wait,
                        absl::Time client_deadline) {
  const absl::Duration margin =
      std::min(absl::Milliseconds(50), (client_deadline - now) / 10);
  return std::min(now + max_wait, client_deadline - margin);
}

PositionWaiters::PositionWaiters(store::PositionSource* source,
                                 std::function<uint64_t()> readable,
                                 std::function<uint64_t()> logged,
                                 PositionWaitOptions options)
    : source_(source),
      readable_(std::move(readable)),
      logged_(std::move(logged)),
      options_(options) {
  listener_id_ = source_->AddListener([this](uint64_t) {
    absl::MutexLock lock(&mu_);
    moved_ = true;
  });
  watcher_ = std::thread([this] { Watch(); });
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    workers_.emplace_back([this] { Work(); });
  }
}

PositionWaiters::~PositionWaiters() { Shutdown(); }

absl::Status PositionWaiters::Admit(const std::string& principal, bool privileged) {
  const size_t mine = per_principal_.contains(principal) ? per_principal_[principal] : 0;
  const size_t open =
      options_.max_waits - std::min(options_.max_waits, options_.reserved_waits);
  if (mine >= options_.max_waits_per_principal) {
    ++refused_;
    return errors::WithReason(
        absl::ResourceExhaustedError(absl::StrCat(
            "min_position: principal \"", principal, "\" already has ",
            options_.max_waits_per_principal,
            " reads waiting for a position (the limit per caller); retry when one ends")),
        errors::kTooManyWaits, {{"limit", "max_waits_per_principal"}});
  }
  if (held_ >= options_.max_waits || (!privileged && held_ >= open)) {
    ++refused_;
    return errors::WithReason(absl::ResourceExhaustedError(absl::StrCat(
                                  "min_position: the server has ", held_,
                                  " reads waiting for a position; retry later")),
                              errors::kTooManyWaits, {{"limit", "max_waits"}});
  }
  ++per_principal_[principal];
  ++held_;
  return absl::OkStatus();
}

absl::Status PositionWaiters::Wait(const std::string& principal, bool privileged,
                                   uint64_t position, absl::Time deadline, Done done) {
  // Read outside mu_: the committer's position has its own lock.
  if (readable_() >= position) {
    done(absl::OkStatus());
    return absl::OkStatus();
  }
  absl::MutexLock lock(&mu_);
  if (stopping_) return absl::UnavailableError("the server is shutting down");
  absl::Status admitted = Admit(principal, privileged);
  if (!admitted.ok()) return admitted;
  waiters_.push_back(Waiter{principal, position, deadline, std::move(done), {}});
  // The position may have moved since it was read above: look again.
  moved_ = true;
  return absl::OkStatus();
}

void PositionWaiters::Release(const std::string& principal) {
  --held_;
  auto it = per_principal_.find(principal);
  if (it != per_principal_.end() && --it->second == 0) per_principal_.erase(it);
}

void PositionWaiters::TakeFinished(uint64_t readable, absl::Time now) {
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    if (stopping_) {
      it->outcome = absl::UnavailableError("the server is shutting down");
    } else if (readable >= it->position) {
      it->outcome = absl::OkStatus();
    } else if (now >= it->deadline) {
      const uint64_t head = logged_();
      if (it->position <= head) {
        it->outcome = absl::UnavailableError(
            absl::StrCat("the views are at position ", readable, ", ", head - readable,
                         " events behind the log's head ", head,
                         ", and did not reach position ", it->position,
                         " in time; retry, or read with consistency "
                         "READ_CONSISTENCY_AVAILABLE to be answered from older views"));
      } else {
        it->outcome = absl::DeadlineExceededError(
            absl::StrCat("min_position: the views have not reached position ",
                         it->position, " in time; they are at ", readable));
      }
    } else {
      ++it;
      continue;
    }
    std::deque<Waiter>& queue = ready_[it->principal];
    if (queue.empty()) turns_.push_back(it->principal);
    queue.push_back(std::move(*it));
    it = waiters_.erase(it);
  }
}

void PositionWaiters::Watch() {
  // A publish sets moved_. The wait also ends at the earliest deadline, and at least
  // every 50 ms as a safety net.
  constexpr absl::Duration kLongestSleep = absl::Milliseconds(50);
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      absl::Time wake = absl::Now() + kLongestSleep;
      for (const Waiter& waiter : waiters_) wake = std::min(wake, waiter.deadline);
      auto ready = [this]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return moved_ || stopping_; };
      mu_.AwaitWithDeadline(absl::Condition(&ready), wake);
      moved_ = false;
    }
    const uint64_t readable = readable_();
    absl::MutexLock lock(&mu_);
    TakeFinished(readable, absl::Now());
    if (stopping_) return;
  }
}

void PositionWaiters::Work() {
  while (true) {
    Waiter next;
    {
      absl::MutexLock lock(&mu_);
      auto has_work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return !turns_.empty() || (stopping_ && waiters_.empty());
      };
      mu_.Await(absl::Condition(&has_work));
      if (turns_.empty()) return;  // stopping, and nothing is left
      const std::string principal = std::move(turns_.front());
      turns_.pop_front();
      std::deque<Waiter>& queue = ready_[principal];
      next = std::move(queue.front());
      queue.pop_front();
      if (queue.empty()) {
        ready_.erase(principal);
      } else {
        turns_.push_back(principal);  // its next read waits for the others' turns
      }
    }
    next.done(std::move(next.outcome));
    absl::MutexLock lock(&mu_);
    Release(next.principal);
  }
}

void PositionWaiters::Shutdown() {
  absl::MutexLock join(&join_mu_);
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ && !watcher_.joinable()) return;
    stopping_ = true;
  }
  // The watcher ends every wait (UNAVAILABLE); the workers run what is ready, then stop.
  if (watcher_.joinable()) watcher_.join();
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  source_->RemoveListener(listener_id_);
}

size_t PositionWaiters::waiting() const {
  absl::MutexLock lock(&mu_);
  return waiters_.size();
}

void PositionWaiters::Describe(agreements::v1::ReadWaitStatus& status) const {
  absl::MutexLock lock(&mu_);
  status.set_max_waits(static_cast<int64_t>(options_.max_waits));
  status.set_max_waits_per_principal(
      static_cast<int64_t>(options_.max_waits_per_principal));
  status.set_reserved_waits(static_cast<int64_t>(options_.reserved_waits));
  status.set_waiting_count(static_cast<int64_t>(waiters_.size()));
  status.set_refused_count(refused_);
}

}  // namespace agreements::services
