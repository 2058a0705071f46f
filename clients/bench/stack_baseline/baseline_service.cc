#include "clients/bench/stack_baseline/baseline_service.h"

#include <string>

namespace agreements::bench {

grpc::ServerUnaryReactor* StackBaselineService::Append(
    grpc::CallbackServerContext* context,
    const agreements::baseline::v1::AppendRequest* request,
    agreements::baseline::v1::AppendResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // The request stays alive until Finish; the writer takes its own copy of the bytes, as
  // the registry's committer takes its command.
  writer_->Append(
      request->payload(), [reactor, response](absl::StatusOr<uint64_t> position) {
        if (!position.ok()) {
          reactor->Finish(
              grpc::Status(static_cast<grpc::StatusCode>(position.status().code()),
                           std::string(position.status().message())));
          return;
        }
        response->set_position(*position);
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

}  // namespace agreements::bench
