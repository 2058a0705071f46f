// append-stream: the append scenario's events (new agreements, one command per request)
// sent by ONE client on ONE ExecuteBatchStream call: a thread sends while another
// receives the answers in order. The server reads a bounded number of requests ahead of
// its answers, so the sender is held back by flow control, not by a client-side window.
// Latency is from handing a request to gRPC to receiving its answer.
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/bench/bench.h"
#include "grpcpp/client_context.h"

namespace agreements::bench {
namespace {

v1::ExecuteBatchStreamRequest StreamRequest(Dataset& dataset, int64_t agreement) {
  v1::ExecuteBatchStreamRequest request;
  v1::ExecuteBatchRequest& batch = *request.mutable_batch();
  batch.mutable_context()->set_request_id(dataset.NextRequestId());
  batch.set_response_view(v1::RESPONSE_VIEW_RESULT_ONLY);
  v1::AgreementRecorded recorded = dataset.generator().Agreement(agreement);
  v1::Command* command = batch.add_commands();
  command->set_stream_type(v1::STREAM_TYPE_AGREEMENT);
  command->set_stream_id(recorded.agreement().id());
  *command->mutable_change()->mutable_agreement_recorded() = std::move(recorded);
  return request;
}

}  // namespace

absl::StatusOr<Report> RunStreamedAppend(Dataset& dataset) {
  const BenchConfig& config = dataset.config();
  const int64_t count = config.append_count;
  const int64_t first = dataset.ReserveAgreements(count);
  // Built before the clock starts: the stream measures the server, not the generator.
  std::vector<v1::ExecuteBatchStreamRequest> requests;
  requests.reserve(count);
  for (int64_t i = 0; i < count; ++i)
    requests.push_back(StreamRequest(dataset, first + i));

  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + config.scenario_timeout));
  auto stream = dataset.commands()->ExecuteBatchStream(&context);
  std::vector<int64_t> sent(count, 0);
  std::vector<int64_t> latency;
  latency.reserve(count);
  std::atomic<int64_t> written{0};
  const int64_t start = NowNanos();
  std::thread sender([&] {
    for (int64_t i = 0; i < count; ++i) {
      sent[i] = NowNanos();
      written.store(i + 1, std::memory_order_release);
      if (!stream->Write(requests[i])) break;
    }
    stream->WritesDone();
  });
  int64_t failed = 0;
  std::string first_error;
  uint64_t last_position = 0;
  v1::ExecuteBatchStreamResponse answer;
  for (int64_t i = 0; i < count && stream->Read(&answer); ++i) {
    const int64_t now = NowNanos();
    if (answer.has_error()) {
      if (failed++ == 0) first_error = answer.error().message();
      continue;
    }
    // The answer follows the write, which followed the time stored before it.
    (void)written.load(std::memory_order_acquire);
    latency.push_back(now - sent[answer.index()]);
    last_position = answer.response().result().last_position();
  }
  const int64_t end = NowNanos();
  sender.join();
  const grpc::Status finished = stream->Finish();
  if (last_position > 0) dataset.NotePosition(last_position);

  const int64_t events = static_cast<int64_t>(latency.size());
  const double seconds = std::max(1e-9, (end - start) / 1e9);
  const LatencySummary summary = Summarize(latency);
  Report report("append-stream");
  report.Add("events_per_s", events / seconds);
  report.Add("latency_p50_ms", summary.p50_ms);
  report.Add("latency_p99_ms", summary.p99_ms);
  report.Add("latency_max_ms", summary.max_ms);
  report.AddInt("count", events);
  report.Add("seconds", seconds);
  report.AddInt("failed", failed);
  if (failed > 0 || !finished.ok() || events < count) {
    report.AddText(
        "error",
        absl::StrCat(events, " of ", count, " answered; ", failed, " failed (",
                     first_error, "); the stream ended: ", finished.error_message()));
  }
  return report;
}

}  // namespace agreements::bench
