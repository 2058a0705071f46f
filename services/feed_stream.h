// FeedStream: one server-streaming feed RPC on the gRPC callback API.
//
// The reactor (owned by gRPC, deleted in OnDone) holds a shared Core; the Core holds the
// source (a FeedCursor or a SectorWatch) and a small queue of outgoing messages. Rules:
// one write in flight; no blocking in reactions (sources run on FeedDispatcher threads);
// the source is refilled only when the queue is empty, so a subscriber that stops
// reading costs one step's messages and nothing more; Finish is called exactly once,
// after the last write completed; no lock is held across StartWrite or Finish.
#ifndef AGREEMENTS_SERVICES_FEED_STREAM_H_
#define AGREEMENTS_SERVICES_FEED_STREAM_H_

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
  // Registers with the dispatcher and starts filling; on refusal finishes at once.
  FeedStream(grpc::CallbackServerContext* context, FeedDispatcher* dispatcher,
             std::unique_ptr<Source> source)
      : core_(std::make_shared<Core>(this, context, dispatcher, std::move(source))) {
    absl::Status admitted = dispatcher->Register(core_);
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
         FeedDispatcher* dispatcher, std::unique_ptr<Source> source)
        : reactor_(reactor),
          context_(context),
          dispatcher_(dispatcher),
          source_(std::move(source)) {}

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
          for (auto& message : step->messages) queue_.push_back(std::move(message));
          // A wake that came while the step ran (a publish after it read the head)
          // means there may be more already: do not sleep on it.
          waiting_ = step->at_head && step->messages.empty() && wakes_ == wakes_before;
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

    // Decides the next action under the lock and performs it outside.
    void Pump() {
      enum { kNothing, kWrite, kFill, kFinish } action = kNothing;
      FeedStream* reactor = nullptr;
      grpc::Status status;
      {
        absl::MutexLock lock(&mu_);
        reactor = reactor_;
        if (reactor == nullptr || writing_ || finished_) return;
        if (closing_) {
          finished_ = true;
          status = status_;
          action = kFinish;
        } else if (!queue_.empty()) {
          current_ = std::move(queue_.front());
          queue_.pop_front();
          writing_ = true;
          action = kWrite;
        } else if (!filling_ && !waiting_) {
          filling_ = true;
          action = kFill;
        }
      }
      switch (action) {
        case kWrite:
          reactor->StartWrite(&current_);
          break;
        case kFill:
          dispatcher_->Schedule(this->shared_from_this());
          break;
        case kFinish:
          reactor->Finish(status);
          break;
        case kNothing:
          break;
      }
    }

   private:
    absl::Mutex mu_;
    FeedStream* reactor_ ABSL_GUARDED_BY(mu_);
    // Valid while reactor_ is set (until OnDone).
    grpc::CallbackServerContext* const context_;
    FeedDispatcher* const dispatcher_;
    const std::unique_ptr<Source> source_;
    std::deque<Response> queue_ ABSL_GUARDED_BY(mu_);
    // The message being written; untouched until its OnWriteDone.
    Response current_;
    bool writing_ ABSL_GUARDED_BY(mu_) = false;
    bool filling_ ABSL_GUARDED_BY(mu_) = false;
    bool waiting_ ABSL_GUARDED_BY(mu_) = false;
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
