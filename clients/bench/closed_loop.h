// A closed-loop driver for asynchronous RPCs: keeps N operations outstanding until a
// total is done, so one thread (and gRPC's callback threads) can have many requests in
// flight without a thread per request.
#ifndef AGREEMENTS_CLIENTS_BENCH_CLOSED_LOOP_H_
#define AGREEMENTS_CLIENTS_BENCH_CLOSED_LOOP_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/time/time.h"
#include "grpcpp/support/status.h"

namespace agreements::bench {

struct ClosedLoopOptions {
  // Operations to run. Default: 0.
  int64_t total = 0;
  // Operations outstanding at any time. Default: 1.
  int in_flight = 1;
  // Stop starting new operations after this long (the outstanding ones still finish).
  // Default: 30 minutes.
  absl::Duration timeout = absl::Minutes(30);
  // Stop starting new operations after this many failures. Default: 20.
  int64_t max_failures = 20;
  // Called on the calling thread about once per `progress_every` with the number of
  // completed operations; unset: never. Default: 1 s.
  std::function<void(int64_t completed, absl::Duration elapsed)> progress;
  absl::Duration progress_every = absl::Seconds(1);
};

struct ClosedLoopResult {
  int64_t completed = 0;  // Finished, successfully or not.
  int64_t failed = 0;
  std::string first_error;     // "CODE: message" of the first failure.
  absl::Duration elapsed;      // From the first start to the last completion.
  bool stopped_early = false;  // Timeout or too many failures.
};

// Runs the loop. `issue(index, done)` starts operation `index` (0 .. total-1, each once)
// and must arrange for `done(status)` to be called exactly once, from any thread, when
// it ends (done may start the next operation before returning). Blocks until every
// started operation has called done. Thread-safe to call from several threads, each run
// being independent.
ClosedLoopResult RunClosedLoop(
    const ClosedLoopOptions& options,
    const std::function<void(int64_t index,
                             std::function<void(const grpc::Status&)> done)>& issue);

}  // namespace agreements::bench

#endif  // AGREEMENTS_CLIENTS_BENCH_CLOSED_LOOP_H_
