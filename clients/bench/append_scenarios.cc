// Write scenarios: append (single-event commands, many in flight: append_load.h, with the
// registry's commands as its issuer), append-batch (ExecuteBatch), and the dataset
// loader.
#include <atomic>
#include <cstdio>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clients/bench/append_load.h"
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

// A document_attached change of `target`, numbered `index` (its document differs); the
// bench reads only the result.
void FillChange(Dataset& dataset, const std::string& target, int64_t index,
                v1::ApplyAgreementChangeRequest& request) {
  request.mutable_context()->set_request_id(dataset.NextRequestId());
  request.set_agreement_id(target);
  request.set_response_view(v1::RESPONSE_VIEW_RESULT_ONLY);
  *request.mutable_change()->mutable_document_attached()->mutable_document() =
      dataset.generator().Document(target, index);
}

// Sends one unary command built by `fill` through `start` (the stub's async method) and
// reports its CommitResult's last position. The timing starts once the request is built.
template <typename Request, typename Response, typename Start>
void SendCommand(Dataset& dataset, const std::function<void(Request&)>& fill,
                 const Start& start, AppendDone done) {
  auto* call = new UnaryCall<Request, Response>;
  dataset.Prepare(call->context);
  fill(call->request);
  AppendAck ack;
  ack.sent_nanos = NowNanos();
  start(call->context, call->request, call->response,
        [call, ack, &dataset, done = std::move(done)](grpc::Status status) mutable {
          if (status.ok()) {
            ack.position = call->response.result().last_position();
            dataset.NotePosition(ack.position);
          }
          delete call;
          done(status, ack);
        });
}

}  // namespace

AppendIssuer RegistryAppendIssuer(Dataset& dataset, AppendMix mix) {
  return [&dataset, mix](int64_t i, AppendDone done) {
    const BenchConfig& config = dataset.config();
    Rng rng(config.seed * 31 + static_cast<uint64_t>(mix.first_agreement + i));
    const bool change = mix.change_targets != nullptr && !mix.change_targets->empty() &&
                        rng.Percent(mix.change_percent);
    auto* stub = dataset.commands()->async();
    if (change) {
      if (mix.changes != nullptr) mix.changes->fetch_add(1, std::memory_order_relaxed);
      const std::string& target =
          (*mix.change_targets)[rng.Below(mix.change_targets->size())];
      SendCommand<v1::ApplyAgreementChangeRequest, v1::ApplyAgreementChangeResponse>(
          dataset,
          [&](v1::ApplyAgreementChangeRequest& request) {
            FillChange(dataset, target, mix.first_agreement + i, request);
          },
          [stub](auto& context, auto& request, auto& response, auto callback) {
            stub->ApplyAgreementChange(&context, &request, &response,
                                       std::move(callback));
          },
          std::move(done));
      return;
    }
    SendCommand<v1::RecordAgreementRequest, v1::RecordAgreementResponse>(
        dataset,
        [&](v1::RecordAgreementRequest& request) {
          FillRecord(dataset, mix.first_agreement + i, request);
        },
        [stub](auto& context, auto& request, auto& response, auto callback) {
          stub->RecordAgreement(&context, &request, &response, std::move(callback));
        },
        std::move(done));
  };
}

absl::StatusOr<Report> RunAppend(Dataset& dataset, const std::string& name) {
  const BenchConfig& config = dataset.config();
  // Warm-up: new agreements, which are also the targets of the measured changes.
  const int64_t warm_first = dataset.ReserveAgreements(config.warmup_count);
  AppendMix warm_mix;
  warm_mix.first_agreement = warm_first;
  AppendLoadOptions warm_options;
  warm_options.count = config.warmup_count;
  warm_options.in_flight = config.in_flight;
  warm_options.timeout = config.scenario_timeout;
  const AppendLoadResult warm =
      RunAppendLoad(warm_options, RegistryAppendIssuer(dataset, warm_mix));
  if (warm.loop.failed > 0) {
    return absl::InternalError(absl::StrCat("warm-up failed: ", warm.loop.first_error));
  }
  std::vector<std::string> targets;
  for (int64_t k = 0; k < config.warmup_count; ++k) {
    targets.push_back(dataset.generator().AgreementId(warm_first + k));
  }

  std::atomic<int64_t> changes{0};
  AppendMix mix;
  mix.first_agreement = dataset.ReserveAgreements(config.append_count);
  mix.change_targets = &targets;
  mix.change_percent = config.change_percent;
  mix.changes = &changes;
  AppendLoadOptions options;
  options.count = config.append_count;
  options.in_flight = config.in_flight;
  options.timeout = config.scenario_timeout;
  const AppendLoadResult result =
      RunAppendLoad(options, RegistryAppendIssuer(dataset, mix));
  Report report(name);
  AddAppendFigures(report, result, config.in_flight);
  report.AddInt("changes", changes.load());
  report.AddInt("warmup", config.warmup_count);
  report.AddInt("head", static_cast<int64_t>(dataset.head()));
  AddLoopOutcome(report, result.loop);
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
