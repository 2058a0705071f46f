// An open-loop driver: starts operation i at i / rate seconds after the start, whatever
// the answers do, so the offered load stays fixed when the server slows down (unlike
// closed_loop.h, whose load adapts to the server). The calling thread sleeps between
// starts; completions arrive on gRPC threads.
#ifndef AGREEMENTS_CLIENTS_BENCH_PACED_LOOP_H_
#define AGREEMENTS_CLIENTS_BENCH_PACED_LOOP_H_

#include <cstdint>
#include <functional>
#include <string>

#include "grpcpp/support/status.h"

namespace agreements::bench {

struct PacedLoopOptions {
  // Operations started per second. Default: 1000.
  double rate = 1000;
  // Operations to start. Default: 0.
  int64_t count = 0;
};

struct PacedLoopResult {
  int64_t completed = 0;
  int64_t failed = 0;
  std::string first_error;  // "CODE message" of the first failure.
  // From the first start to the last, and the rate of starts over it.
  double send_seconds = 0;
  double rate_achieved = 0;
};

// Runs the loop. `issue(index, done)` starts operation `index` without blocking and
// arranges for `done(status)` to be called exactly once, from any thread. Returns once
// every operation called done (the operations' own deadlines bound the wait).
PacedLoopResult RunPaced(
    const PacedLoopOptions& options,
    const std::function<void(int64_t index,
                             std::function<void(const grpc::Status&)> done)>& issue);

}  // namespace agreements::bench

#endif  // AGREEMENTS_CLIENTS_BENCH_PACED_LOOP_H_
