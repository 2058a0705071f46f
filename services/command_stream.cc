#include "services/command_stream.h"

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

#include "common/grpc_status.h"
#include "services/command_internal.h"
#include "services/command_service.h"

namespace agreements::services {
namespace {

namespace v1 = ::agreements::v1;
using command_internal::BatchCost;
using command_internal::CheckBatchPermissions;
using command_internal::CommitError;
using command_internal::FillBatchResponse;
using command_internal::MakeCommitRequest;
using command_internal::WantsStates;

v1::ExecuteBatchStreamResponse Answer(int64_t index,
                                      const v1::ExecuteBatchRequest& batch) {
  v1::ExecuteBatchStreamResponse answer;
  answer.set_index(index);
  answer.set_request_id(batch.context().request_id());
  return answer;
}

void SetError(const absl::Status& status, v1::ExecuteBatchStreamResponse& answer) {
  v1::RequestError* error = answer.mutable_error();
  error->set_code(static_cast<int32_t>(status.code()));
  error->set_message(std::string(status.message()));
}

}  // namespace

CommandStream::CommandStream(grpc::CallbackServerContext* context,
                             store::Committer* committer, AccessControl* access,
                             const CommandStreamOptions& options)
    : committer_(committer), access_(access), options_(options) {
  absl::StatusOr<Caller> caller = access_->Authenticate(*context);
  // A caller that may write nothing is refused at once; each request then needs what
  // its commands need.
  if (caller.ok() &&
      !security::Allows(caller->grants, security::Permission::kPartiesWrite)) {
    absl::Status allowed =
        access_->Check(*caller, security::Permission::kAgreementsWrite);
    if (!allowed.ok()) caller = allowed;
  }
  // A replica takes no writes: the stream ends at once, naming the writer.
  if (caller.ok()) {
    absl::Status refusal = committer_->WriterRefusal();
    if (!refusal.ok()) {
      if (auto writer = refusal.GetPayload(store::kWriterPayload)) {
        context->AddTrailingMetadata(kWriterMetadata, std::string(*writer));
      }
      caller = refusal;
    }
  }
  if (!caller.ok()) {
    {
      absl::MutexLock lock(&mu_);
      finished_ = true;
    }
    Finish(ToGrpcStatus(caller.status()));
    return;
  }
  opened_ = *caller;
  caller_ = *std::move(caller);
  generation_ = opened_.generation;
  Pump();
}

void CommandStream::OnReadDone(bool ok) {
  int64_t index = 0;
  bool admit = false;
  {
    absl::MutexLock lock(&mu_);
    reading_ = false;
    if (!ok || cancelled_) {
      read_closed_ = true;
    } else {
      index = next_index_++;
      answers_.emplace_back();
      admitting_ = true;
      admit = true;
      if (options_.TEST_on_read) options_.TEST_on_read(answers_.size() + writing_);
    }
  }
  if (admit && Admit(index, *incoming_.mutable_batch())) EndAdmission();
  Pump();
}

void CommandStream::OnWriteDone(bool ok) {
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) cancelled_ = true;  // the client is gone
  }
  Pump();
}

void CommandStream::OnCancel() {
  {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
  }
  Pump();
}

void CommandStream::OnDone() { delete this; }

absl::StatusOr<Caller> CommandStream::CurrentCaller() {
  const uint64_t generation = access_->generation();
  if (generation != generation_) {
    // Security files reloaded: the token may be gone, the grants changed.
    caller_ = access_->Reauthenticate(opened_);
    generation_ = generation;
  }
  return caller_;
}

bool CommandStream::Admit(int64_t index, v1::ExecuteBatchRequest& batch) {
  absl::StatusOr<Caller> caller = CurrentCaller();
  absl::Status allowed = caller.status();
  if (allowed.ok()) {
    if (std::optional<absl::Duration> wait = access_->Pace(*caller, BatchCost(batch))) {
      Pace(index, batch, *wait);
      return false;
    }
    allowed = CheckBatchPermissions(*access_, *caller, batch);
  }
  if (!allowed.ok()) {
    v1::ExecuteBatchStreamResponse answer = Answer(index, batch);
    SetError(allowed, answer);
    Deliver(std::move(answer), /*from_committer=*/false);
    return true;
  }
  Submit(index, *caller, batch);
  return true;
}

void CommandStream::Submit(int64_t index, const Caller& caller,
                           v1::ExecuteBatchRequest& batch) {
  std::vector<v1::Command> commands(
      std::make_move_iterator(batch.mutable_commands()->begin()),
      std::make_move_iterator(batch.mutable_commands()->end()));
  store::CommitRequest request =
      MakeCommitRequest(caller, batch.context(), std::move(commands));
  const bool states = WantsStates(batch.response_view(), /*full_by_default=*/false);
  {
    absl::MutexLock lock(&mu_);
    ++pending_;
  }
  committer_->Submit(
      std::move(request), [this, states, answer = Answer(index, batch)](
                              absl::StatusOr<store::CommitOutcome> outcome) mutable {
        if (outcome.ok()) {
          FillBatchResponse(*std::move(outcome), states, *answer.mutable_response());
        } else {
          SetError(CommitError(*access_, outcome.status(), {}), answer);
        }
        Deliver(std::move(answer), /*from_committer=*/true);
      });
}

void CommandStream::Pace(int64_t index, v1::ExecuteBatchRequest& batch,
                         absl::Duration wait) {
  paced_index_ = index;
  if (&batch != &paced_) paced_ = std::move(batch);
  {
    absl::MutexLock lock(&mu_);
    ++pending_;
  }
  // The previous alarm, if any, has fired: its callback (possibly the one running now)
  // keeps what it needs alive by itself.
  alarm_ = std::make_unique<grpc::Alarm>();
  alarm_->Set(absl::ToChronoTime(absl::Now() + std::min(wait, kMaxPaceStep)),
              [this](bool) { OnPaced(); });
}

void CommandStream::OnPaced() {
  bool cancelled;
  {
    absl::MutexLock lock(&mu_);
    --pending_;
    cancelled = cancelled_;
  }
  // A cancelled stream drops the request: nobody will read its answer.
  if (cancelled || Admit(paced_index_, paced_)) EndAdmission();
  Pump();
}

void CommandStream::EndAdmission() {
  absl::MutexLock lock(&mu_);
  admitting_ = false;
}

void CommandStream::Deliver(v1::ExecuteBatchStreamResponse answer, bool from_committer) {
  {
    absl::MutexLock lock(&mu_);
    if (from_committer) --pending_;
    answers_[answer.index() - first_index_] = std::move(answer);
  }
  Pump();
}

void CommandStream::Pump() {
  bool write = false, read = false, finish = false;
  grpc::Status status;
  {
    absl::MutexLock lock(&mu_);
    if (finished_) return;
    if (!writing_ && !cancelled_ && !answers_.empty() && answers_.front().has_value()) {
      outgoing_ = *std::move(answers_.front());
      answers_.pop_front();
      ++first_index_;
      writing_ = write = true;
    }
    const size_t in_flight = answers_.size() + (writing_ ? 1 : 0);
    if (!reading_ && !admitting_ && !read_closed_ && !cancelled_ &&
        in_flight < std::max<size_t>(options_.max_in_flight, 1)) {
      reading_ = read = true;
    }
    if (!reading_ && !writing_ && !admitting_ && pending_ == 0 &&
        (cancelled_ || (read_closed_ && answers_.empty()))) {
      finished_ = finish = true;
      status = cancelled_ ? grpc::Status(grpc::StatusCode::CANCELLED, "stream cancelled")
                          : grpc::Status::OK;
    }
  }
  if (write) StartWrite(&outgoing_);
  if (read) StartRead(&incoming_);
  if (finish) Finish(status);
}

}  // namespace agreements::services
