#include "clients/bench/read_pacer.h"

#include <utility>

#include "absl/time/time.h"
#include "clients/bench/stats.h"

namespace agreements::bench {

ReadPacer::ReadPacer() {
  thread_ = std::thread([this] { Run(); });
}

ReadPacer::~ReadPacer() { Stop(); }

void ReadPacer::Schedule(int64_t at_nanos, std::function<void()> callback) {
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_) {
      if (queue_.empty() || at_nanos < queue_.top().at_nanos) earlier_ = true;
      queue_.push({at_nanos, std::move(callback)});
      return;
    }
  }
  callback();
}

void ReadPacer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

std::vector<ReadPacer::Entry> ReadPacer::TakeDueLocked() {
  std::vector<Entry> due;
  const int64_t now = NowNanos();
  while (!queue_.empty() && (stopping_ || queue_.top().at_nanos <= now)) {
    due.push_back(queue_.top());
    queue_.pop();
  }
  return due;
}

void ReadPacer::Run() {
  for (;;) {
    std::vector<Entry> due;
    bool stopping = false;
    {
      absl::MutexLock lock(&mu_);
      earlier_ = false;
      const absl::Time deadline =
          queue_.empty()
              ? absl::InfiniteFuture()
              : absl::Now() + absl::Nanoseconds(queue_.top().at_nanos - NowNanos());
      auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || earlier_;
      };
      mu_.AwaitWithDeadline(absl::Condition(&woken), deadline);
      due = TakeDueLocked();
      stopping = stopping_;
    }
    for (Entry& entry : due) entry.callback();
    if (stopping) return;
  }
}

}  // namespace agreements::bench
