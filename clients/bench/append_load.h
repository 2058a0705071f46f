// The single-event append load shared by every scenario that appends as fast as it can
// (append, growth, projection-lag, stack-baseline): `count` appends with `in_flight`
// outstanding, each timed from the moment it was handed to gRPC to its answer.
//
// What an append is, and over which RPC, is the issuer's business: a unary
// RecordAgreement to the registry (append_scenarios.cc), an Append to the stack baseline
// (stack_baseline_scenario.cc), or a message on a streamed append. The load, the timing
// and the figures are the same for all, so their figures compare.
#ifndef AGREEMENTS_CLIENTS_BENCH_APPEND_LOAD_H_
#define AGREEMENTS_CLIENTS_BENCH_APPEND_LOAD_H_

#include <cstdint>
#include <functional>

#include "absl/time/time.h"
#include "clients/bench/closed_loop.h"
#include "clients/bench/stats.h"
#include "grpcpp/support/status.h"

namespace agreements::bench {

// One acknowledged append.
struct AppendAck {
  // The position the server gave the event (0: the RPC names none).
  uint64_t position = 0;
  // NowNanos when the request was handed to gRPC, and when its answer arrived.
  int64_t sent_nanos = 0;
  int64_t acked_nanos = 0;
};

// Called once per append, from any thread, with its status and acknowledgement (the
// issuer sets position and sent_nanos; the load sets acked_nanos).
using AppendDone = std::function<void(const grpc::Status& status, AppendAck ack)>;

// Starts append `index` (0 .. count-1, each once) asynchronously and arranges for
// `done` to be called exactly once. Must not block.
using AppendIssuer = std::function<void(int64_t index, AppendDone done)>;

struct AppendLoadOptions {
  // Appends to make. Default: 0.
  int64_t count = 0;
  // Appends outstanding at any time. Default: 64.
  int in_flight = 64;
  // Stop starting appends after this long. Default: 30 minutes.
  absl::Duration timeout = absl::Minutes(30);
  // Called from gRPC threads after each successful append (e.g. to record positions).
  // Default: none.
  std::function<void(int64_t index, const AppendAck& ack)> on_ack;
};

struct AppendLoadResult {
  ClosedLoopResult loop;
  // Of the successful appends, from handing over to the answer.
  LatencySummary latency;
  // Successful appends, and their rate over the loop's elapsed time.
  int64_t events = 0;
  double events_per_s = 0;
};

// Runs the load on the calling thread (blocking) until every append ended.
AppendLoadResult RunAppendLoad(const AppendLoadOptions& options,
                               const AppendIssuer& issue);

// Adds the figures every append scenario reports: events_per_s, latency_p50/p99/p999/
// max_ms, count, seconds, in_flight.
void AddAppendFigures(Report& report, const AppendLoadResult& result, int in_flight);

// Adds the failures of a closed loop: failed, first_error, and an "error" when any
// request failed or the loop stopped early (the summary then lists the scenario as an
// error instead of judging figures that are unreliable).
void AddLoopOutcome(Report& report, const ClosedLoopResult& result);

}  // namespace agreements::bench

#endif  // AGREEMENTS_CLIENTS_BENCH_APPEND_LOAD_H_
