#include "gateway/rpc_call.h"

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "google/protobuf/message.h"

namespace agreements::gateway {
namespace {

void AddMetadata(grpc::ClientContext& context, const CallMetadata& metadata) {
  for (const auto& [key, value] : metadata) context.AddMetadata(key, value);
}

std::multimap<std::string, std::string> Trailers(const grpc::ClientContext& context) {
  std::multimap<std::string, std::string> trailers;
  for (const auto& [key, value] : context.GetServerTrailingMetadata()) {
    trailers.emplace(std::string(key.data(), key.size()),
                     std::string(value.data(), value.size()));
  }
  return trailers;
}

}  // namespace

std::string MethodPath(const google::protobuf::MethodDescriptor& method) {
  return absl::StrCat("/", method.service()->full_name(), "/", method.name());
}

std::unique_ptr<google::protobuf::Message> NewMessage(
    const google::protobuf::Descriptor& type) {
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(&type);
  return std::unique_ptr<google::protobuf::Message>(prototype->New());
}

CallOutcome CallUnary(MessageStub& stub, const google::protobuf::MethodDescriptor& method,
                      const google::protobuf::Message& request,
                      const CallMetadata& metadata, absl::Duration timeout,
                      google::protobuf::Message& response) {
  grpc::ClientContext context;
  AddMetadata(context, metadata);
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  absl::Notification finished;
  CallOutcome outcome;
  stub.UnaryCall(&context, MethodPath(method), grpc::StubOptions(), &request, &response,
                 [&](grpc::Status status) {
                   outcome.status = std::move(status);
                   finished.Notify();
                 });
  finished.WaitForNotification();
  outcome.trailers = Trailers(context);
  return outcome;
}

StreamCall::StreamCall(MessageStub& stub,
                       const google::protobuf::MethodDescriptor& method,
                       const google::protobuf::Message& request,
                       const CallMetadata& metadata)
    : request_(NewMessage(*method.input_type())),
      incoming_(NewMessage(*method.output_type())) {
  request_->CopyFrom(request);
  AddMetadata(context_, metadata);
  stub.PrepareBidiStreamingCall(&context_, MethodPath(method), grpc::StubOptions(), this);
  // Held until the reads end, so that OnDone never comes while a message waits unread.
  AddHold();
  StartWriteLast(request_.get(), grpc::WriteOptions());
  StartRead(incoming_.get());
  StartCall();
}

StreamCall::~StreamCall() {
  context_.TryCancel();
  // Drains what the cancelled call still delivers, until gRPC is done with it.
  absl::MutexLock lock(&mu_);
  while (!done_) {
    if (ready_) {
      ready_ = false;
      mu_.Unlock();
      StartRead(incoming_.get());
      mu_.Lock();
      continue;
    }
    mu_.Await(absl::Condition(
        +[](StreamCall* call)
             ABSL_NO_THREAD_SAFETY_ANALYSIS { return call->ready_ || call->done_; },
        this));
  }
}

StreamCall::Next StreamCall::Read(google::protobuf::Message& out,
                                  absl::Duration timeout) {
  {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(
                             +[](StreamCall* call) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                               return call->ready_ || call->done_;
                             },
                             this),
                         timeout);
    if (!ready_) return done_ ? Next::kEnd : Next::kTimeout;
    ready_ = false;
    out.GetReflection()->Swap(&out, incoming_.get());
  }
  StartRead(incoming_.get());
  return Next::kMessage;
}

CallOutcome StreamCall::outcome() const {
  absl::MutexLock lock(&mu_);
  return outcome_;
}

void StreamCall::OnReadDone(bool ok) {
  if (!ok) {
    {
      absl::MutexLock lock(&mu_);
      reads_done_ = true;
    }
    RemoveHold();
    return;
  }
  absl::MutexLock lock(&mu_);
  ready_ = true;
}

void StreamCall::OnDone(const grpc::Status& status) {
  absl::MutexLock lock(&mu_);
  outcome_.status = status;
  outcome_.trailers = Trailers(context_);
  done_ = true;
}

}  // namespace agreements::gateway
