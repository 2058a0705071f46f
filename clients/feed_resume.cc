#include "clients/feed_resume.h"

#include <algorithm>
#include <utility>

#include "absl/random/random.h"

namespace agreements::client {

bool IsResumable(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kCancelled:
      return true;
    default:
      return false;
  }
}

SubscribeResume::SubscribeResume(v1::SubscribeRequest request)
    : request_(std::move(request)) {
  switch (request_.start_case()) {
    case v1::SubscribeRequest::kFromPosition:
      if (request_.from_position() > 0) last_ = request_.from_position() - 1;
      break;
    case v1::SubscribeRequest::kFromNow:
      break;
    case v1::SubscribeRequest::kFromBeginning:
    case v1::SubscribeRequest::START_NOT_SET:
      last_ = 0;
      break;
  }
}

void SubscribeResume::Observe(const v1::SubscribeResponse& message) {
  uint64_t covered = 0;
  switch (message.kind_case()) {
    case v1::SubscribeResponse::kEvent:
      covered = message.event().envelope().position();
      break;
    case v1::SubscribeResponse::kCheckpoint:
      covered = message.checkpoint().position();
      break;
    case v1::SubscribeResponse::kCaughtUp:
      covered = message.caught_up().position();
      break;
    case v1::SubscribeResponse::kFellBehind:
      covered = message.fell_behind().position();
      break;
    case v1::SubscribeResponse::kEvents:
      // A batch covers its last event.
      if (message.events().events().empty()) return;
      covered = message.events().events().rbegin()->envelope().position();
      break;
    case v1::SubscribeResponse::KIND_NOT_SET:
      return;
  }
  // Positions never go back; max() keeps a stray lower one from causing repeats.
  last_ = std::max(last_.value_or(0), covered);
  observed_ = true;
}

v1::SubscribeRequest SubscribeResume::ResumeRequest() const {
  v1::SubscribeRequest request = request_;
  if (observed_) request.set_from_position(*last_ + 1);
  return request;
}

SectorResume::SectorResume(v1::WatchSectorRequest request)
    : request_(std::move(request)), last_(request_.resume_after()) {}

void SectorResume::Observe(const v1::WatchSectorResponse& message) {
  uint64_t covered = 0;
  switch (message.kind_case()) {
    case v1::WatchSectorResponse::kUpdate:
      if (message.update().snapshot()) return;
      covered = message.update().position();
      break;
    case v1::WatchSectorResponse::kRemoved:
      covered = message.removed().position();
      break;
    case v1::WatchSectorResponse::kCheckpoint:
      covered = message.checkpoint().position();
      break;
    case v1::WatchSectorResponse::kCaughtUp:
      covered = message.caught_up().position();
      break;
    case v1::WatchSectorResponse::kFellBehind:
      covered = message.fell_behind().position();
      break;
    case v1::WatchSectorResponse::KIND_NOT_SET:
      return;
  }
  last_ = std::max(last_, covered);
}

v1::WatchSectorRequest SectorResume::ResumeRequest() const {
  v1::WatchSectorRequest request = request_;
  if (last_ > 0) request.set_resume_after(last_);
  return request;
}

Backoff::Backoff(absl::Duration initial, absl::Duration max, double jitter)
    : initial_(initial), max_(max), jitter_(jitter), current_(initial) {}

absl::Duration Backoff::Next() {
  absl::Duration pause = current_;
  if (jitter_ > 0) {
    absl::BitGen gen;
    pause *= absl::Uniform<double>(gen, 1 - jitter_, 1 + jitter_);
  }
  current_ = std::min(current_ * 2, max_);
  return std::min(pause, max_);
}

}  // namespace agreements::client
