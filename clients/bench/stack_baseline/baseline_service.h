// StackBaselineService: the gRPC adapter of the stack baseline. Each Append hands its
// payload to the GroupWriter and answers from the writer's callback, after the group
// holding it is durable (callback API: no gRPC thread waits for a write).
//
// Thread-safe. Does not own the writer, which must outlive the gRPC server's calls.
#ifndef AGREEMENTS_CLIENTS_BENCH_STACK_BASELINE_BASELINE_SERVICE_H_
#define AGREEMENTS_CLIENTS_BENCH_STACK_BASELINE_BASELINE_SERVICE_H_

#include "agreements/baseline/v1/stack_baseline.grpc.pb.h"
#include "clients/bench/stack_baseline/group_writer.h"

namespace agreements::bench {

class StackBaselineService final
    : public agreements::baseline::v1::StackBaseline::CallbackService {
 public:
  explicit StackBaselineService(GroupWriter* writer) : writer_(writer) {}

  grpc::ServerUnaryReactor* Append(
      grpc::CallbackServerContext* context,
      const agreements::baseline::v1::AppendRequest* request,
      agreements::baseline::v1::AppendResponse* response) override;

 private:
  GroupWriter* const writer_;
};

}  // namespace agreements::bench

#endif  // AGREEMENTS_CLIENTS_BENCH_STACK_BASELINE_BASELINE_SERVICE_H_
