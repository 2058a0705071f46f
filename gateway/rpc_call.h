// Calls a gRPC method by its descriptor, with protobuf messages the gateway made from
// HTTP text: unary calls, and server streams read one message at a time. The gateway
// calls the server it belongs to over an in-process channel, so every HTTP request goes
// through the same access control, limits, logs and metrics as a gRPC call.
#ifndef AGREEMENTS_GATEWAY_RPC_CALL_H_
#define AGREEMENTS_GATEWAY_RPC_CALL_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/support/client_callback.h"

namespace agreements::gateway {

// Metadata sent with a call: (lowercase key, value).
using CallMetadata = std::vector<std::pair<std::string, std::string>>;

struct CallOutcome {
  grpc::Status status;
  // The server's trailing metadata (retry-after-ms, agreements-writer ...).
  std::multimap<std::string, std::string> trailers;
};

using MessageStub =
    grpc::TemplatedGenericStub<google::protobuf::Message, google::protobuf::Message>;

// "/agreements.v1.QueryService/GetAgreement" for the method's descriptor.
std::string MethodPath(const google::protobuf::MethodDescriptor& method);
// A new empty message of a generated type.
std::unique_ptr<google::protobuf::Message> NewMessage(
    const google::protobuf::Descriptor& type);

// One unary call; blocks until it ends (at most `timeout`).
CallOutcome CallUnary(MessageStub& stub, const google::protobuf::MethodDescriptor& method,
                      const google::protobuf::Message& request,
                      const CallMetadata& metadata, absl::Duration timeout,
                      google::protobuf::Message& response);

// A server-streaming call, read by one thread with Next. Starts at construction; the
// destructor cancels the call if it is still open and waits until gRPC is done with it.
class StreamCall : public grpc::ClientBidiReactor<google::protobuf::Message,
                                                  google::protobuf::Message> {
 public:
  enum class Next { kMessage, kEnd, kTimeout };

  StreamCall(MessageStub& stub, const google::protobuf::MethodDescriptor& method,
             const google::protobuf::Message& request, const CallMetadata& metadata);
  ~StreamCall() override;
  StreamCall(const StreamCall&) = delete;
  StreamCall& operator=(const StreamCall&) = delete;

  // Waits up to `timeout` for the next message and swaps it into `out` (kMessage), or
  // reports that the stream ended (kEnd: see outcome()).
  Next Read(google::protobuf::Message& out, absl::Duration timeout);
  // After kEnd: the call's status and trailers.
  CallOutcome outcome() const;
  // Ends the call (CANCELLED); Read then reports kEnd.
  void Cancel() { context_.TryCancel(); }

  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  grpc::ClientContext context_;
  std::unique_ptr<google::protobuf::Message> request_;
  std::unique_ptr<google::protobuf::Message> incoming_;
  mutable absl::Mutex mu_;
  bool ready_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  CallOutcome outcome_ ABSL_GUARDED_BY(mu_);
};

}  // namespace agreements::gateway

#endif  // AGREEMENTS_GATEWAY_RPC_CALL_H_
