#include "services/feed_dispatcher.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"

namespace agreements::services {

FeedDispatcher::FeedDispatcher(store::FeedHub* hub, FeedDispatcherOptions options)
    : hub_(hub),
      options_(options),
      quota_(options.max_streams, options.max_streams_per_principal,
             options.reserved_streams) {
  // The committer only flags the new head; a dispatcher thread wakes the streams, so
  // commits never do work per subscriber.
  listener_id_ = hub_->AddListener([this](uint64_t) {
    absl::MutexLock lock(&mu_);
    head_moved_ = true;
  });
  next_tick_ = absl::Now() + options_.tick;
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { Run(); });
}

FeedDispatcher::~FeedDispatcher() { Shutdown(); }

absl::Status FeedDispatcher::Register(const std::shared_ptr<DispatchedStream>& stream,
                                      StreamOwner owner) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return absl::UnavailableError("the registry is shutting down");
  if (owner.caller.generation < revoked_generation_) {
    return absl::UnavailableError(
        "the security files were reloaded while the stream opened; subscribe again");
  }
  absl::Status admitted = quota_.Admit(owner.caller);
  if (!admitted.ok()) return admitted;
  streams_.emplace(stream, std::move(owner));
  return absl::OkStatus();
}

void FeedDispatcher::Unregister(const std::shared_ptr<DispatchedStream>& stream) {
  absl::MutexLock lock(&mu_);
  auto it = streams_.find(stream);
  if (it == streams_.end()) return;
  quota_.Release(it->second.caller);
  revoked_.erase(stream.get());
  streams_.erase(it);
}

size_t FeedDispatcher::Revoke(
    uint64_t generation, const std::function<absl::Status(const StreamOwner&)>& check) {
  std::vector<std::pair<std::shared_ptr<DispatchedStream>, StreamOwner>> streams;
  {
    absl::MutexLock lock(&mu_);
    revoked_generation_ = std::max(revoked_generation_, generation);
    for (const auto& entry : streams_) {
      if (!revoked_.contains(entry.first.get())) streams.push_back(entry);
    }
  }
  std::vector<const DispatchedStream*> closed;
  for (const auto& [stream, owner] : streams) {
    absl::Status allowed = check(owner);
    if (allowed.ok()) continue;
    stream->Close(ToGrpcStatus(allowed));
    closed.push_back(stream.get());
  }
  absl::MutexLock lock(&mu_);
  const absl::Time cancel_at = absl::Now() + kRevokeGrace;
  absl::flat_hash_set<const DispatchedStream*> open;
  for (const auto& entry : streams_) open.insert(entry.first.get());
  for (const DispatchedStream* stream : closed) {
    // A stream that unregistered meanwhile is gone: nothing to cancel.
    if (open.contains(stream)) revoked_[stream] = cancel_at;
  }
  revoked_streams_ += static_cast<int64_t>(closed.size());
  return closed.size();
}

void FeedDispatcher::Describe(agreements::v1::StreamLimitStatus& status) const {
  absl::MutexLock lock(&mu_);
  quota_.Describe(status);
  status.set_revoked_stream_count(revoked_streams_);
}

void FeedDispatcher::Schedule(std::shared_ptr<DispatchedStream> stream) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return;
  ready_.push_back(std::move(stream));
}

size_t FeedDispatcher::TEST_max_queued_messages() const {
  std::vector<std::shared_ptr<DispatchedStream>> streams;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [stream, owner] : streams_) streams.push_back(stream);
  }
  size_t most = 0;
  for (const auto& stream : streams) most = std::max(most, stream->queued_messages());
  return most;
}

size_t FeedDispatcher::open_streams() const {
  absl::MutexLock lock(&mu_);
  return streams_.size();
}

FeedStats FeedDispatcher::Stats() const {
  FeedStats stats;
  stats.fell_behind = fell_behind_.load(std::memory_order_relaxed);
  const uint64_t head = hub_->head();
  absl::MutexLock lock(&mu_);
  stats.open_streams = streams_.size();
  for (const auto& [stream, owner] : streams_) {
    const uint64_t next = stream->next_position();
    if (next > 0 && next <= head) {
      stats.max_lag_events = std::max(stats.max_lag_events, head + 1 - next);
    }
  }
  return stats;
}

void FeedDispatcher::WakeAll() {
  std::vector<std::shared_ptr<DispatchedStream>> streams;
  {
    absl::MutexLock lock(&mu_);
    streams.reserve(streams_.size());
    for (const auto& [stream, owner] : streams_) streams.push_back(stream);
  }
  for (const auto& stream : streams) stream->Wake();
}

void FeedDispatcher::CancelStuckRevoked(absl::Time now) {
  std::vector<std::shared_ptr<DispatchedStream>> stuck;
  {
    absl::MutexLock lock(&mu_);
    if (revoked_.empty()) return;
    for (const auto& [stream, owner] : streams_) {
      auto it = revoked_.find(stream.get());
      if (it == revoked_.end() || it->second > now) continue;
      it->second = absl::InfiniteFuture();  // cancelled once
      stuck.push_back(stream);
    }
  }
  for (const auto& stream : stuck) stream->CancelIfStuck();
}

void FeedDispatcher::Run() {
  while (true) {
    std::shared_ptr<DispatchedStream> stream;
    bool wake = false;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || head_moved_ || !ready_.empty();
      };
      mu_.AwaitWithDeadline(absl::Condition(&ready), next_tick_);
      if (stopping_) return;
      const absl::Time now = absl::Now();
      // One thread takes each head move and each tick.
      if (head_moved_ || now >= next_tick_) {
        wake = true;
        head_moved_ = false;
        if (now >= next_tick_) next_tick_ = now + options_.tick;
      } else if (!ready_.empty()) {
        stream = std::move(ready_.front());
        ready_.pop_front();
      }
    }
    if (wake) {
      WakeAll();
      CancelStuckRevoked(absl::Now());
    }
    if (stream != nullptr) stream->Fill(absl::Now());
  }
}

void FeedDispatcher::Shutdown(absl::Duration grace) {
  std::vector<std::shared_ptr<DispatchedStream>> streams;
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_) hub_->RemoveListener(listener_id_);
    stopping_ = true;
    ready_.clear();
    for (const auto& [stream, owner] : streams_) streams.push_back(stream);
  }
  const grpc::Status unavailable(grpc::StatusCode::UNAVAILABLE,
                                 "the registry is shutting down; resume from the last "
                                 "position or checkpoint");
  for (const auto& stream : streams) stream->Close(unavailable);
  {
    // Streams finish (and unregister) once their last write completes; those that do not
    // within the grace have a client that stopped reading.
    absl::MutexLock lock(&mu_);
    auto finished = [this]()
                        ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return streams_.empty(); };
    mu_.AwaitWithTimeout(absl::Condition(&finished), grace);
    streams.clear();
    for (const auto& [stream, owner] : streams_) streams.push_back(stream);
  }
  for (const auto& stream : streams) stream->CancelIfStuck();
  absl::MutexLock join_lock(&join_mu_);
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

}  // namespace agreements::services
