#include "services/position_waiters.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace agreements::services {

PositionWaiters::PositionWaiters(store::FeedHub* hub, std::function<uint64_t()> readable,
                                 PositionWaitOptions options)
    : hub_(hub), readable_(std::move(readable)), options_(options) {
  listener_id_ = hub_->AddListener([this](uint64_t) {
    absl::MutexLock lock(&mu_);
    moved_ = true;
  });
  thread_ = std::thread([this] { Run(); });
}

PositionWaiters::~PositionWaiters() { Shutdown(); }

absl::Status PositionWaiters::Wait(const std::string& principal, uint64_t position,
                                   absl::Time deadline, Done done) {
  // Read outside mu_: the hub calls its listener (which takes mu_) from the committer.
  const uint64_t readable = readable_();
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return absl::UnavailableError("the server is shutting down");
    if (readable < position) {
      size_t& mine = per_principal_[principal];
      if (mine >= options_.max_waits_per_principal) {
        ++refused_;
        return absl::ResourceExhaustedError(absl::StrCat(
            "min_position: principal \"", principal, "\" already has ",
            options_.max_waits_per_principal,
            " reads waiting for a position (the limit per caller); retry when one ends"));
      }
      if (waiters_.size() >= options_.max_waits) {
        ++refused_;
        if (mine == 0) per_principal_.erase(principal);
        return absl::ResourceExhaustedError(
            absl::StrCat("min_position: the server has ", options_.max_waits,
                         " reads waiting for a position; retry later"));
      }
      ++mine;
      waiters_.push_back(Waiter{principal, position, deadline, std::move(done)});
      return absl::OkStatus();
    }
  }
  done(absl::OkStatus());
  return absl::OkStatus();
}

void PositionWaiters::Release(const std::string& principal) {
  auto it = per_principal_.find(principal);
  if (it != per_principal_.end() && --it->second == 0) per_principal_.erase(it);
}

void PositionWaiters::TakeFinished(uint64_t readable, absl::Time now,
                                   std::list<std::pair<Waiter, absl::Status>>& finished) {
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    absl::Status status;
    if (stopping_) {
      status = absl::UnavailableError("the server is shutting down");
    } else if (readable >= it->position) {
      status = absl::OkStatus();
    } else if (now >= it->deadline) {
      status = absl::DeadlineExceededError(
          absl::StrCat("min_position: the views have not reached position ", it->position,
                       " in time; they are at ", readable));
    } else {
      ++it;
      continue;
    }
    Release(it->principal);
    finished.emplace_back(std::move(*it), std::move(status));
    it = waiters_.erase(it);
  }
}

void PositionWaiters::Run() {
  // A publish sets moved_; the hub's listeners cannot block, so the wait also re-checks
  // every few milliseconds at most (a publish between the check and the wait).
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
    // Outside mu_ (lock order: the committer publishes while its listeners take mu_).
    const uint64_t readable = readable_();
    std::list<std::pair<Waiter, absl::Status>> finished;
    {
      absl::MutexLock lock(&mu_);
      TakeFinished(readable, absl::Now(), finished);
      if (stopping_ && waiters_.empty() && finished.empty()) return;
    }
    for (auto& [waiter, status] : finished) waiter.done(std::move(status));
  }
}

void PositionWaiters::Shutdown() {
  absl::MutexLock join(&join_mu_);
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  hub_->RemoveListener(listener_id_);
}

void PositionWaiters::Describe(agreements::v1::ReadWaitStatus& status) const {
  absl::MutexLock lock(&mu_);
  status.set_max_waits(static_cast<int64_t>(options_.max_waits));
  status.set_max_waits_per_principal(
      static_cast<int64_t>(options_.max_waits_per_principal));
  status.set_waiting_count(static_cast<int64_t>(waiters_.size()));
  status.set_refused_count(refused_);
}

size_t PositionWaiters::waiting() const {
  absl::MutexLock lock(&mu_);
  return waiters_.size();
}

}  // namespace agreements::services
