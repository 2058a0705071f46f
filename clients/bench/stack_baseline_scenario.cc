// stack-baseline: the append scenario's load against agreements-stack-baseline, the
// registry's gRPC and RocksDB doing nothing but durable appends (one key per request in
// synced groups). The registry's append figures are read as ratios to it (summary).
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "agreements/baseline/v1/stack_baseline.grpc.pb.h"
#include "clients/bench/append_load.h"
#include "clients/bench/bench.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace agreements::bench {
namespace {

namespace bv1 = ::agreements::baseline::v1;

// A directory under the work dir holding the baseline's data and log; removed at the
// end unless config.keep.
class ScratchDir {
 public:
  ScratchDir(const BenchConfig& config, const std::string& name)
      : path_(absl::StrCat(config.work_dir, "/", name, "-", getpid())),
        keep_(config.keep) {}
  ~ScratchDir() {
    std::error_code error;
    if (!keep_) std::filesystem::remove_all(path_, error);
  }
  absl::Status Create() {
    std::error_code error;
    std::filesystem::remove_all(path_, error);
    std::filesystem::create_directories(path_ + "/data", error);
    if (error) {
      return absl::InternalError(
          absl::StrCat("cannot create ", path_, ": ", error.message()));
    }
    return absl::OkStatus();
  }
  const std::string& path() const { return path_; }

 private:
  const std::string path_;
  const bool keep_;
};

struct AppendCall {
  grpc::ClientContext context;
  bv1::AppendRequest request;
  bv1::AppendResponse response;
};

// The same bytes the registry's append scenario sends for a new agreement: a serialized
// RecordAgreementRequest of generated agreement `index`.
std::string Payload(const BenchConfig& config, const DataGenerator& generator,
                    int64_t index) {
  v1::AgreementRecorded recorded = generator.Agreement(index);
  v1::RecordAgreementRequest request;
  request.mutable_context()->set_request_id(
      absl::StrCat("stack-", config.seed, "-", index));
  request.set_response_view(v1::RESPONSE_VIEW_RESULT_ONLY);
  request.set_initial_status(recorded.initial_status());
  request.set_allocated_agreement(recorded.release_agreement());
  return request.SerializeAsString();
}

AppendIssuer StackIssuer(const BenchConfig& config, const DataGenerator& generator,
                         bv1::StackBaseline::Stub* stub, int64_t first,
                         std::atomic<int64_t>* bytes) {
  return [&config, &generator, stub, first, bytes](int64_t i, AppendDone done) {
    auto* call = new AppendCall;
    call->context.set_deadline(absl::ToChronoTime(absl::Now() + config.call_timeout));
    call->request.set_payload(Payload(config, generator, first + i));
    bytes->fetch_add(static_cast<int64_t>(call->request.payload().size()),
                     std::memory_order_relaxed);
    AppendAck ack;
    ack.sent_nanos = NowNanos();
    stub->async()->Append(
        &call->context, &call->request, &call->response,
        [call, ack, done = std::move(done)](grpc::Status status) mutable {
          if (status.ok()) ack.position = call->response.position();
          delete call;
          done(status, ack);
        });
  };
}

}  // namespace

absl::StatusOr<Report> RunStackBaseline(const BenchConfig& config,
                                        const DataGenerator& generator) {
  ScratchDir dir(config, "stack-baseline");
  if (absl::Status s = dir.Create(); !s.ok()) return s;
  ServerProcess server(config.stack_baseline_bin, dir.path() + "/data",
                       dir.path() + "/server.log");
  if (absl::Status s = server.Start(); !s.ok()) return s;
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateChannel(server.target(), grpc::InsecureChannelCredentials());
  if (!channel->WaitForConnected(absl::ToChronoTime(absl::Now() + absl::Seconds(30)))) {
    return absl::UnavailableError(
        absl::StrCat("cannot connect to the stack baseline at ", server.target()));
  }
  std::unique_ptr<bv1::StackBaseline::Stub> stub = bv1::StackBaseline::NewStub(channel);

  // Warm-up as in append (not measured), then the measured appends.
  std::atomic<int64_t> bytes{0};
  AppendLoadOptions options;
  options.count = config.warmup_count;
  options.in_flight = config.in_flight;
  options.timeout = config.scenario_timeout;
  const AppendLoadResult warm =
      RunAppendLoad(options, StackIssuer(config, generator, stub.get(), 0, &bytes));
  if (warm.loop.failed > 0) {
    return absl::InternalError(absl::StrCat("warm-up failed: ", warm.loop.first_error));
  }
  bytes = 0;
  options.count = config.append_count;
  const AppendLoadResult result = RunAppendLoad(
      options, StackIssuer(config, generator, stub.get(), config.warmup_count, &bytes));
  Report report("stack-baseline");
  AddAppendFigures(report, result, config.in_flight);
  report.Add("payload_bytes_avg", static_cast<double>(bytes.load()) /
                                      std::max<int64_t>(1, config.append_count));
  report.AddInt("warmup", config.warmup_count);
  AddLoopOutcome(report, result.loop);
  stub.reset();
  channel.reset();
  if (absl::Status s = server.Stop(); !s.ok()) {
    report.AddText("note", absl::StrCat("stopping the baseline: ", s.ToString()));
  }
  return report;
}

}  // namespace agreements::bench
