#include "clients/feed_client.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "clients/error_details.h"

namespace agreements::client {
namespace feed_internal {

bool StopControl::Begin(grpc::ClientContext* context) {
  absl::MutexLock lock(&mu_);
  if (stopped_) return false;
  context_ = context;
  return true;
}

bool StopControl::End() {
  absl::MutexLock lock(&mu_);
  context_ = nullptr;
  return stopped_;
}

bool StopControl::stopped() const {
  absl::MutexLock lock(&mu_);
  return stopped_;
}

bool StopControl::SleepUnlessStopped(absl::Duration pause) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&stopped_), pause);
  return stopped_;
}

void StopControl::Stop() {
  absl::MutexLock lock(&mu_);
  stopped_ = true;
  // The context stays alive while registered: the Run thread unregisters it (End) before
  // destroying it, under this mutex.
  if (context_ != nullptr) context_->TryCancel();
}

}  // namespace feed_internal
namespace {

absl::Status CheckOptions(const ResumeOptions& options) {
  if (options.initial_backoff <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("initial_backoff: must be positive");
  }
  if (options.max_backoff < options.initial_backoff) {
    return absl::InvalidArgumentError("max_backoff: must be at least initial_backoff");
  }
  if (!(options.backoff_jitter >= 0 && options.backoff_jitter < 1)) {
    return absl::InvalidArgumentError("backoff_jitter: must be in [0, 1)");
  }
  return absl::OkStatus();
}

// The resume loop shared by both streams; `open(context, request)` opens one attempt.
template <typename Response, typename Resume, typename Open, typename Handler>
absl::Status RunResuming(const ResumeOptions& options,
                         feed_internal::StopControl& control,
                         feed_internal::SharedResume<Resume>& resume, const Open& open,
                         const Handler& handler) {
  Backoff backoff(options.initial_backoff, options.max_backoff, options.backoff_jitter);
  while (true) {
    grpc::ClientContext context;
    if (!control.Begin(&context)) return absl::OkStatus();
    const auto request = resume.ResumeRequest();
    auto reader = open(context, request);
    Response message;
    bool received = false;
    bool handler_stopped = false;
    while (reader->Read(&message)) {
      received = true;
      // Stop() may come between two reads: no further message is delivered after it.
      if (control.stopped()) break;
      resume.Observe(message);
      if (!handler(message)) {
        handler_stopped = true;
        context.TryCancel();
        break;
      }
    }
    const grpc::Status finished = reader->Finish();
    reader.reset();
    const bool stopped = control.End();
    if (stopped || handler_stopped) return absl::OkStatus();
    absl::Status ended = StatusFromGrpc(finished);
    if (!IsResumable(ended)) return ended;
    if (ended.ok()) ended = absl::UnavailableError("the server ended the stream");
    if (received) backoff.Reset();
    const absl::Duration pause = backoff.Next();
    if (options.on_resume) options.on_resume(ended, resume.last_position(), pause);
    if (control.SleepUnlessStopped(pause)) return absl::OkStatus();
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<FeedSubscription>> FeedSubscription::Create(
    const RegistryClient* client, v1::SubscribeRequest request, ResumeOptions options) {
  if (client == nullptr) return absl::InvalidArgumentError("client: must not be null");
  absl::Status checked = CheckOptions(options);
  if (!checked.ok()) return checked;
  return std::unique_ptr<FeedSubscription>(
      new FeedSubscription(client, std::move(request), std::move(options)));
}

FeedSubscription::FeedSubscription(const RegistryClient* client,
                                   v1::SubscribeRequest request, ResumeOptions options)
    : client_(client), options_(std::move(options)), resume_(std::move(request)) {}

absl::Status FeedSubscription::Run(const Handler& handler) {
  return RunResuming<v1::SubscribeResponse>(
      options_, control_, resume_,
      [this](grpc::ClientContext& context, const v1::SubscribeRequest& request) {
        return client_->Subscribe(context, request);
      },
      handler);
}

uint64_t FeedSubscription::last_position() const { return resume_.last_position(); }

absl::StatusOr<std::unique_ptr<SectorWatcher>> SectorWatcher::Create(
    const RegistryClient* client, v1::WatchSectorRequest request, ResumeOptions options) {
  if (client == nullptr) return absl::InvalidArgumentError("client: must not be null");
  absl::Status checked = CheckOptions(options);
  if (!checked.ok()) return checked;
  return std::unique_ptr<SectorWatcher>(
      new SectorWatcher(client, std::move(request), std::move(options)));
}

SectorWatcher::SectorWatcher(const RegistryClient* client, v1::WatchSectorRequest request,
                             ResumeOptions options)
    : client_(client), options_(std::move(options)), resume_(std::move(request)) {}

absl::Status SectorWatcher::Run(const Handler& handler) {
  return RunResuming<v1::WatchSectorResponse>(
      options_, control_, resume_,
      [this](grpc::ClientContext& context, const v1::WatchSectorRequest& request) {
        return client_->WatchSector(context, request);
      },
      handler);
}

uint64_t SectorWatcher::last_position() const { return resume_.last_position(); }

}  // namespace agreements::client
