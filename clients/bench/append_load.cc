#include "clients/bench/append_load.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace agreements::bench {

AppendLoadResult RunAppendLoad(const AppendLoadOptions& options,
                               const AppendIssuer& issue) {
  // latency[i] is written once, by the completion of append i; read after the loop.
  std::vector<int64_t> latency(std::max<int64_t>(0, options.count), -1);
  ClosedLoopOptions loop;
  loop.total = options.count;
  loop.in_flight = options.in_flight;
  loop.timeout = options.timeout;
  AppendLoadResult result;
  result.loop =
      RunClosedLoop(loop, [&](int64_t i, std::function<void(const grpc::Status&)> done) {
        issue(i, [&options, &latency, i, done = std::move(done)](
                     const grpc::Status& status, AppendAck ack) {
          ack.acked_nanos = NowNanos();
          if (status.ok()) {
            latency[i] = ack.acked_nanos - ack.sent_nanos;
            if (options.on_ack) options.on_ack(i, ack);
          }
          done(status);
        });
      });
  std::vector<int64_t> ok_latency;
  ok_latency.reserve(latency.size());
  for (int64_t v : latency) {
    if (v >= 0) ok_latency.push_back(v);
  }
  result.latency = Summarize(ok_latency);
  result.events = result.loop.completed - result.loop.failed;
  result.events_per_s =
      result.events / std::max(1e-9, absl::ToDoubleSeconds(result.loop.elapsed));
  return result;
}

void AddLoopOutcome(Report& report, const ClosedLoopResult& result) {
  report.AddInt("failed", result.failed);
  if (!result.first_error.empty()) report.AddText("first_error", result.first_error);
  if (result.stopped_early) report.AddText("stopped_early", "true");
  if (result.failed > 0 || result.stopped_early) {
    report.AddText("error", absl::StrCat(result.failed, " requests failed (first: ",
                                         result.first_error, ")",
                                         result.stopped_early ? ", stopped early" : ""));
  }
}

void AddAppendFigures(Report& report, const AppendLoadResult& result, int in_flight) {
  report.Add("events_per_s", result.events_per_s);
  report.AddLatency("latency", result.latency, /*p999=*/true, /*max=*/true);
  report.AddInt("count", result.events);
  report.Add("seconds", absl::ToDoubleSeconds(result.loop.elapsed));
  report.AddInt("in_flight", in_flight);
}

}  // namespace agreements::bench
