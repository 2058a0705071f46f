// FeedStream: one server-streaming feed RPC on the gRPC callback API.
//
// The reactor (owned by gRPC, deleted in OnDone) holds a shared Core; the Core holds the
// source (a FeedCursor or a SectorWatch) and a small queue of outgoing messages. Rules:
// one write in flight; no blocking in reactions (sources run on FeedDispatcher threads);
// the source is refilled only when the queue is empty and no write is in flight, or,
// while it is catching up (its last step was not at the head) and `refill_at` > 0, when
// the queue holds at most `refill_at` messages: the next step is then read while the
// previous one is being written, so a catch-up does not stall on each step. A
// subscriber that stops reading costs at most `refill_at` plus one step's messages; a
// live one that stops reading is not read ahead for, so it falls out of the window as
// before. Finish is called exactly once, after the last write completed; no lock is held
// across StartWrite or Finish.
#ifndef AGREEMENTS_SERVICES_FEED_STREAM_H_
#define AGREEMENTS_SERVICES_FEED_STREAM_H_

#include <atomic>
#include <deque>
#include <memory>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/grpc_status.h"
#include "grpcpp/support/server_callback.h"
#include "services/feed_dispatcher.h"

namespace agreements::services {

// Adapts a source (FeedCursor, SectorWatch) whose Next(now) returns a step with
// `messages` and `at_head`.
template <typename Response, typename Source>
class FeedStream final : public grpc::ServerWriteReactor<Response> {
 public:
  // Registers with the dispatcher as a stream of `owner` and starts filling; on refusal
  // finishes at once.
  FeedStream(grpc::CallbackServerContext* context, FeedDispatcher* dispatcher,
             StreamOwner owner, std::unique_ptr<Source> source, size_t refill_at = 0)
      : core_(std::make_shared<Core>(this, context, dispatcher, std::move(source),
                                     refill_at)) {
    absl::Status admitted = dispatcher->Register(core_, std::move(owner));
    if (!admitted.ok()) {
      core_->Close(ToGrpcStatus(admitted));
      return;
    }
    core_->Pump();
  }

  void OnWriteDone(bool ok) override { core_->WriteDone(ok); }
  void OnCancel() override {
    core_->Close(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the client"));
  }
  void OnDone() override {
    core_->Detach();
    delete this;
  }

 private:
  class Core final : public DispatchedStream, public std::enable_shared_from_this<Core> {
   public:
    Core(FeedStream* reactor, grpc::CallbackServerContext* context,
         FeedDispatcher* dispatcher, std::unique_ptr<Source> source, size_t refill_at)
        : reactor_(reactor),
          context_(context),
          dispatcher_(dispatcher),
          source_(std::move(source)),
          refill_at_(refill_at) {}

    void Fill(absl::Time now) override {
      uint64_t wakes_before;
      {
        absl::MutexLock lock(&mu_);
        if (closing_) {
          filling_ = false;
          return;
        }
        wakes_before = wakes_;
      }
      auto step = source_->Next(now);  // only one dispatcher thread runs this at a time
      {
        absl::MutexLock lock(&mu_);
        filling_ = false;
        if (closing_) {
          // Closed meanwhile: nothing more is sent.
        } else if (!step.ok()) {
          closing_ = true;
          status_ = ToGrpcStatus(step.status());
        } else {
          for (auto& message : step->messages) {
            if (message.has_fell_behind()) dispatcher_->CountFellBehind();
            queue_.push_back(std::move(message));
          }
          position_.store(source_->next_position(), std::memory_order_relaxed);
          // A wake that came while the step ran (a publish after it read the head)
          // means there may be more already: do not sleep on it.
          waiting_ = step->at_head && step->messages.empty() && wakes_ == wakes_before;
          catching_up_ = !step->at_head;
        }
      }
      Pump();
    }

    void Wake() override {
      {
        absl::MutexLock lock(&mu_);
        ++wakes_;
        if (!waiting_) return;
        waiting_ = false;
      }
      Pump();
    }

    void Close(const grpc::Status& status) override {
      {
        absl::MutexLock lock(&mu_);
        if (closing_) return;
        closing_ = true;
        status_ = status;
        queue_.clear();
      }
      Pump();
    }

    // A write stuck on a client that stopped reading would hold the stream open: the
    // call is cancelled, its OnWriteDone(false) then finishes it.
    void CancelIfStuck() override {
      grpc::CallbackServerContext* stuck = nullptr;
      {
        absl::MutexLock lock(&mu_);
        if (writing_ && reactor_ != nullptr) stuck = context_;
      }
      if (stuck != nullptr) stuck->TryCancel();
    }

    uint64_t next_position() const override {
      return position_.load(std::memory_order_relaxed);
    }

    size_t queued_messages() override {
      absl::MutexLock lock(&mu_);
      return queue_.size() + (writing_ ? 1 : 0);
    }

    void WriteDone(bool ok) {
      {
        absl::MutexLock lock(&mu_);
        writing_ = false;
        if (!ok && !closing_) {  // the client went away
          closing_ = true;
          status_ = grpc::Status(grpc::StatusCode::CANCELLED, "the stream broke");
          queue_.clear();
        }
      }
      Pump();
    }

    // Called from OnDone: the reactor is gone.
    void Detach() {
      {
        absl::MutexLock lock(&mu_);
        reactor_ = nullptr;
        closing_ = true;
        queue_.clear();
      }
      dispatcher_->Unregister(this->shared_from_this());
    }

    // Decides the next actions under the lock and performs them outside: finish, or
    // write the next message and/or ask for the next step.
    void Pump() {
      bool write = false, fill = false, finish = false;
      FeedStream* reactor = nullptr;
      grpc::Status status;
      {
        absl::MutexLock lock(&mu_);
        reactor = reactor_;
        if (reactor == nullptr || finished_) return;
        if (closing_) {
          if (writing_) return;
          finished_ = true;
          status = status_;
          finish = true;
        } else {
          if (!writing_ && !queue_.empty()) {
            current_ = std::move(queue_.front());
            queue_.pop_front();
            writing_ = true;
            write = true;
          }
          const bool low = (refill_at_ > 0 && catching_up_) ? queue_.size() <= refill_at_
                                                            : queue_.empty() && !writing_;
          if (low && !filling_ && !waiting_) {
            filling_ = true;
            fill = true;
          }
        }
      }
      if (fill) dispatcher_->Schedule(this->shared_from_this());
      if (write) reactor->StartWrite(&current_);
      if (finish) reactor->Finish(status);
    }

   private:
    absl::Mutex mu_;
    // The source's next position after its last step (read by FeedDispatcher::Stats).
    std::atomic<uint64_t> position_{0};
    FeedStream* reactor_ ABSL_GUARDED_BY(mu_);
    // Valid while reactor_ is set (until OnDone).
    grpc::CallbackServerContext* const context_;
    FeedDispatcher* const dispatcher_;
    const std::unique_ptr<Source> source_;
    // Ask for the next step when the queue holds at most this many messages.
    const size_t refill_at_;
    std::deque<Response> queue_ ABSL_GUARDED_BY(mu_);
    // The message being written; untouched until its OnWriteDone.
    Response current_;
    bool writing_ ABSL_GUARDED_BY(mu_) = false;
    bool filling_ ABSL_GUARDED_BY(mu_) = false;
    bool waiting_ ABSL_GUARDED_BY(mu_) = false;
    // The last step was not at the head: the next one is ready to be read ahead.
    bool catching_up_ ABSL_GUARDED_BY(mu_) = false;
    // Counts wakes, so that one arriving during a step is not lost.
    uint64_t wakes_ ABSL_GUARDED_BY(mu_) = 0;
    bool closing_ ABSL_GUARDED_BY(mu_) = false;
    bool finished_ ABSL_GUARDED_BY(mu_) = false;
    grpc::Status status_ ABSL_GUARDED_BY(mu_);
  };

  std::shared_ptr<Core> core_;
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_FEED_STREAM_H_
