// Write scenarios: append (single-event commands, many in flight), append-batch
// (ExecuteBatch), and the dataset loader.
#include <atomic>
#include <cstdio>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clients/bench/bench.h"
#include "clients/bench/closed_loop.h"

namespace agreements::bench {
namespace {

template <typename Request, typename Response>
struct UnaryCall {
  grpc::ClientContext context;
  Request request;
  Response response;
  int64_t start = 0;
};

double Seconds(absl::Duration d) { return absl::ToDoubleSeconds(d); }

// A RecordAgreement request for agreement `index`; the bench reads only the result.
void FillRecord(Dataset& dataset, int64_t index, v1::RecordAgreementRequest& request) {
  v1::AgreementRecorded recorded = dataset.generator().Agreement(index);
  request.mutable_context()->set_request_id(dataset.NextRequestId());
  request.set_response_view(v1::RESPONSE_VIEW_RESULT_ONLY);
  request.set_initial_status(recorded.initial_status());
  request.set_allocated_agreement(recorded.release_agreement());
}

// Runs `count` RecordAgreement commands (agreements `first`..) with `in_flight`
// outstanding; for warm-up.
ClosedLoopResult RecordMany(Dataset& dataset, int64_t first, int64_t count,
                            int in_flight) {
  ClosedLoopOptions options;
  options.total = count;
  options.in_flight = in_flight;
  options.timeout = dataset.config().scenario_timeout;
  return RunClosedLoop(
      options, [&](int64_t i, std::function<void(const grpc::Status&)> done) {
        using Call = UnaryCall<v1::RecordAgreementRequest, v1::RecordAgreementResponse>;
        auto* call = new Call;
        dataset.Prepare(call->context);
        FillRecord(dataset, first + i, call->request);
        dataset.commands()->async()->RecordAgreement(
            &call->context, &call->request, &call->response,
            [call, done = std::move(done), &dataset](grpc::Status status) {
              if (status.ok())
                dataset.NotePosition(call->response.result().last_position());
              delete call;
              done(status);
            });
      });
}

// Failed requests make the figures unreliable: the report then carries an "error" (the
// summary lists it as an error instead of judging its figures).
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

}  // namespace

absl::StatusOr<Report> RunAppend(Dataset& dataset, const std::string& name) {
  const BenchConfig& config = dataset.config();
  // Warm-up: new agreements, which are also the targets of the measured changes.
  const int64_t warm_first = dataset.ReserveAgreements(config.warmup_count);
  const ClosedLoopResult warm =
      RecordMany(dataset, warm_first, config.warmup_count, config.in_flight);
  if (warm.failed > 0) {
    return absl::InternalError(absl::StrCat("warm-up failed: ", warm.first_error));
  }
  std::vector<std::string> targets;
  for (int64_t k = 0; k < config.warmup_count; ++k) {
    targets.push_back(dataset.generator().AgreementId(warm_first + k));
  }

  const int64_t count = config.append_count;
  const int64_t first = dataset.ReserveAgreements(count);
  std::vector<int64_t> latency(count, -1);
  std::atomic<int64_t> changes{0};
  ClosedLoopOptions options;
  options.total = count;
  options.in_flight = config.in_flight;
  options.timeout = config.scenario_timeout;
  const ClosedLoopResult result = RunClosedLoop(
      options, [&](int64_t i, std::function<void(const grpc::Status&)> done) {
        Rng rng(config.seed * 31 + static_cast<uint64_t>(first + i));
        const bool change = !targets.empty() && rng.Percent(config.change_percent);
        if (change) {
          changes.fetch_add(1, std::memory_order_relaxed);
          using Call = UnaryCall<v1::ApplyAgreementChangeRequest,
                                 v1::ApplyAgreementChangeResponse>;
          auto* call = new Call;
          dataset.Prepare(call->context);
          const std::string& target = targets[rng.Below(targets.size())];
          call->request.mutable_context()->set_request_id(dataset.NextRequestId());
          call->request.set_agreement_id(target);
          call->request.set_response_view(v1::RESPONSE_VIEW_RESULT_ONLY);
          *call->request.mutable_change()
               ->mutable_document_attached()
               ->mutable_document() = dataset.generator().Document(target, first + i);
          call->start = NowNanos();
          dataset.commands()->async()->ApplyAgreementChange(
              &call->context, &call->request, &call->response,
              [call, i, &latency, &dataset, done = std::move(done)](grpc::Status status) {
                if (status.ok()) latency[i] = NowNanos() - call->start;
                if (status.ok()) {
                  dataset.NotePosition(call->response.result().last_position());
                }
                delete call;
                done(status);
              });
          return;
        }
        using Call = UnaryCall<v1::RecordAgreementRequest, v1::RecordAgreementResponse>;
        auto* call = new Call;
        dataset.Prepare(call->context);
        FillRecord(dataset, first + i, call->request);
        call->start = NowNanos();
        dataset.commands()->async()->RecordAgreement(
            &call->context, &call->request, &call->response,
            [call, i, &latency, &dataset, done = std::move(done)](grpc::Status status) {
              if (status.ok()) latency[i] = NowNanos() - call->start;
              if (status.ok())
                dataset.NotePosition(call->response.result().last_position());
              delete call;
              done(status);
            });
      });
  std::vector<int64_t> ok_latency;
  ok_latency.reserve(count);
  for (int64_t v : latency) {
    if (v >= 0) ok_latency.push_back(v);
  }
  const LatencySummary summary = Summarize(ok_latency);
  const int64_t events = result.completed - result.failed;
  Report report(name);
  report.Add("events_per_s", events / std::max(1e-9, Seconds(result.elapsed)));
  report.AddLatency("latency", summary, /*p999=*/true, /*max=*/true);
  report.AddInt("count", events);
  report.Add("seconds", Seconds(result.elapsed));
  report.AddInt("in_flight", config.in_flight);
  report.AddInt("changes", changes.load());
  report.AddInt("warmup", config.warmup_count);
  report.AddInt("head", static_cast<int64_t>(dataset.head()));
  AddLoopOutcome(report, result);
  return report;
}

absl::StatusOr<Report> RunAppendBatch(Dataset& dataset) {
  const BenchConfig& config = dataset.config();
  const int k = config.batch_events;
  const int64_t requests = (config.batch_total_events + k - 1) / k;
  const int64_t first = dataset.ReserveAgreements(requests * k);
  std::vector<int64_t> latency(requests, -1);
  std::atomic<int64_t> bytes{0};
  ClosedLoopOptions options;
  options.total = requests;
  options.in_flight = config.batch_in_flight;
  options.timeout = config.scenario_timeout;
  const ClosedLoopResult result = RunClosedLoop(
      options, [&](int64_t i, std::function<void(const grpc::Status&)> done) {
        using Call = UnaryCall<v1::ExecuteBatchRequest, v1::ExecuteBatchResponse>;
        auto* call = new Call;
        dataset.Prepare(call->context);
        call->request.mutable_context()->set_request_id(dataset.NextRequestId());
        for (int j = 0; j < k; ++j) {
          v1::AgreementRecorded recorded =
              dataset.generator().Agreement(first + i * k + j);
          v1::Command* command = call->request.add_commands();
          command->set_stream_type(v1::STREAM_TYPE_AGREEMENT);
          command->set_stream_id(recorded.agreement().id());
          *command->mutable_change()->mutable_agreement_recorded() = std::move(recorded);
        }
        const int64_t size = static_cast<int64_t>(call->request.ByteSizeLong());
        call->start = NowNanos();
        dataset.commands()->async()->ExecuteBatch(
            &call->context, &call->request, &call->response,
            [call, i, size, &latency, &bytes, &dataset,
             done = std::move(done)](grpc::Status status) {
              if (status.ok()) latency[i] = NowNanos() - call->start;
              if (status.ok()) {
                bytes.fetch_add(size, std::memory_order_relaxed);
                dataset.NotePosition(call->response.result().last_position());
              }
              delete call;
              done(status);
            });
      });
  std::vector<int64_t> ok_latency;
  for (int64_t v : latency) {
    if (v >= 0) ok_latency.push_back(v);
  }
  const LatencySummary summary = Summarize(ok_latency);
  const double seconds = std::max(1e-9, Seconds(result.elapsed));
  const int64_t events = (result.completed - result.failed) * k;
  Report report("append-batch");
  report.Add("events_per_s", events / seconds);
  report.Add("mb_per_s", static_cast<double>(bytes.load()) / (1024.0 * 1024.0) / seconds);
  report.AddInt("count", events);
  report.AddInt("requests", result.completed - result.failed);
  report.AddInt("bytes", bytes.load());
  report.Add("seconds", seconds);
  report.AddInt("batch_events", k);
  report.AddInt("in_flight", config.batch_in_flight);
  report.AddLatency("request_latency", summary, /*p999=*/false, /*max=*/true);
  AddLoopOutcome(report, result);
  return report;
}

absl::StatusOr<Report> LoadAgreements(Dataset& dataset, int64_t agreements,
                                      const std::string& name,
                                      const AgreementShaper& shape) {
  const BenchConfig& config = dataset.config();
  const int64_t have = dataset.next_agreement();
  const int64_t n = agreements - have;
  Report report(name);
  if (n <= 0) {
    report.AddInt("count", 0);
    return report;
  }
  const int k = config.load_batch;
  const int64_t requests = (n + k - 1) / k;
  const int64_t first = dataset.ReserveAgreements(n);
  std::atomic<int64_t> bytes{0};
  std::atomic<int64_t> loaded{0};
  int64_t last_loaded = 0;
  absl::Duration last_elapsed;
  ClosedLoopOptions options;
  options.total = requests;
  options.in_flight = config.load_in_flight;
  options.timeout = std::max(config.scenario_timeout, absl::Seconds(n / 1000));
  options.progress = [&](int64_t, absl::Duration elapsed) {
    const int64_t now_loaded = loaded.load();
    const double recent = (now_loaded - last_loaded) /
                          std::max(1e-9, absl::ToDoubleSeconds(elapsed - last_elapsed));
    std::fprintf(
        stderr,
        "[%s] %lld/%lld events loaded, %.0f events/s (avg %.0f), head %llu, "
        "%.0f s\n",
        name.c_str(), static_cast<long long>(now_loaded), static_cast<long long>(n),
        recent, now_loaded / std::max(1e-9, absl::ToDoubleSeconds(elapsed)),
        static_cast<unsigned long long>(dataset.head()), absl::ToDoubleSeconds(elapsed));
    last_loaded = now_loaded;
    last_elapsed = elapsed;
  };
  const ClosedLoopResult result = RunClosedLoop(
      options, [&](int64_t i, std::function<void(const grpc::Status&)> done) {
        using Call = UnaryCall<v1::ExecuteBatchRequest, v1::ExecuteBatchResponse>;
        auto* call = new Call;
        dataset.Prepare(call->context);
        call->request.mutable_context()->set_request_id(dataset.NextRequestId());
        const int64_t begin = first + i * k;
        const int64_t end = std::min(first + n, begin + k);
        for (int64_t index = begin; index < end; ++index) {
          v1::AgreementRecorded recorded = dataset.generator().Agreement(index);
          if (shape) shape(recorded);
          v1::Command* command = call->request.add_commands();
          command->set_stream_type(v1::STREAM_TYPE_AGREEMENT);
          command->set_stream_id(recorded.agreement().id());
          *command->mutable_change()->mutable_agreement_recorded() = std::move(recorded);
        }
        const int64_t size = static_cast<int64_t>(call->request.ByteSizeLong());
        const int64_t events = end - begin;
        dataset.commands()->async()->ExecuteBatch(
            &call->context, &call->request, &call->response,
            [call, size, events, &bytes, &loaded, &dataset,
             done = std::move(done)](grpc::Status status) {
              if (status.ok()) {
                bytes.fetch_add(size, std::memory_order_relaxed);
                loaded.fetch_add(events, std::memory_order_relaxed);
                dataset.NotePosition(call->response.result().last_position());
              }
              delete call;
              done(status);
            });
      });
  const double seconds = std::max(1e-9, Seconds(result.elapsed));
  report.Add("events_per_s", loaded.load() / seconds);
  report.Add("mb_per_s", static_cast<double>(bytes.load()) / (1024.0 * 1024.0) / seconds);
  report.AddInt("count", loaded.load());
  report.Add("seconds", seconds);
  report.AddInt("head", static_cast<int64_t>(dataset.head()));
  AddLoopOutcome(report, result);
  if (result.failed > 0 || loaded.load() < n) {
    return absl::InternalError(absl::StrFormat("load stopped after %d of %d events: %s",
                                               loaded.load(), n, result.first_error));
  }
  return report;
}

}  // namespace agreements::bench
