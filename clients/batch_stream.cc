#include "clients/batch_stream.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "clients/error_details.h"

namespace agreements::client {

namespace v1 = ::agreements::v1;

BatchStream::BatchStream(v1::CommandService::Stub& stub, absl::Duration answer_timeout,
                         const std::function<void(grpc::ClientContext&)>& prepare)
    : answer_timeout_(answer_timeout) {
  prepare(context_);
  stream_ = stub.ExecuteBatchStream(&context_);
  watchdog_ = std::thread([this] { Watch(); });
}

BatchStream::~BatchStream() {
  if (!finished_) {
    context_.TryCancel();
    v1::ExecuteBatchStreamResponse ignored;
    while (Receive(ignored)) {
    }
    Finish().IgnoreError();
  }
  {
    absl::MutexLock lock(&mu_);
    ended_ = true;
  }
  watchdog_.join();
}

bool BatchStream::Send(const v1::ExecuteBatchRequest& batch) {
  {
    absl::MutexLock lock(&mu_);
    if (sent_ == received_) waiting_since_ = absl::Now();
    ++sent_;
  }
  v1::ExecuteBatchStreamRequest request;
  *request.mutable_batch() = batch;
  return stream_->Write(request);
}

bool BatchStream::CloseSend() { return stream_->WritesDone(); }

bool BatchStream::Receive(v1::ExecuteBatchStreamResponse& answer) {
  if (!stream_->Read(&answer)) return false;
  absl::MutexLock lock(&mu_);
  ++received_;
  waiting_since_ = absl::Now();
  return true;
}

absl::Status BatchStream::Finish() {
  finished_ = true;
  const grpc::Status status = stream_->Finish();
  {
    absl::MutexLock lock(&mu_);
    ended_ = true;
    if (timed_out_) {
      return absl::DeadlineExceededError(absl::StrCat(
          "no answer from the server within ", absl::FormatDuration(answer_timeout_),
          " (the stream was cancelled)"));
    }
  }
  return StatusFromGrpc(status);
}

void BatchStream::Cancel() { context_.TryCancel(); }

std::string BatchStream::writer() const {
  if (!finished_) return "";
  const auto& trailers = context_.GetServerTrailingMetadata();
  auto named = trailers.find(kWriterMetadata);
  return named == trailers.end()
             ? ""
             : std::string(named->second.data(), named->second.size());
}

void BatchStream::Watch() {
  absl::MutexLock lock(&mu_);
  while (!ended_) {
    const bool waiting = sent_ > received_;
    const absl::Time now = absl::Now();
    if (waiting && now - waiting_since_ >= answer_timeout_) {
      timed_out_ = true;
      context_.TryCancel();
      return;
    }
    // Wakes when the stream ends; otherwise looks again when the oldest wait could be
    // overdue (or after a timeout's length, when nothing is outstanding).
    const absl::Duration next =
        waiting ? waiting_since_ + answer_timeout_ - now : answer_timeout_;
    mu_.AwaitWithTimeout(absl::Condition(&ended_), next);
  }
}

}  // namespace agreements::client
