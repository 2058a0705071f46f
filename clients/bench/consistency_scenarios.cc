// Consistency scenarios (docs/consistency.md): what a read costs and sees while the views
// trail the log.
//
//   read-after-write: at a fixed rate, record an agreement, then read it back with the
//     default consistency (READ_CONSISTENCY_ACKNOWLEDGED, so the read waits for the
//     views to reach the log's head as it was when the read arrived). The read's latency.
//   projection-lag: appends as fast as they go (the append load) while one prober reads
//     the views' position with READ_CONSISTENCY_AVAILABLE (GetParty, answered at once
//     from the views as they are): how long after its acknowledgement a write shows in
//     the views (lag.h).
#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/bench/append_load.h"
#include "clients/bench/bench.h"
#include "clients/bench/lag.h"
#include "clients/bench/paced_loop.h"

namespace agreements::bench {
namespace {

struct ReadCall {
  grpc::ClientContext context;
  v1::GetAgreementRequest request;
  v1::GetAgreementResponse response;
};

// What read-after-write records per write, written once by its completions.
struct WriteThenRead {
  int64_t write_nanos = -1;
  int64_t read_nanos = -1;
  // The read did not show the write: NOT_FOUND, or views before the write's position.
  bool stale = false;
};

// Reads agreement `id`, which the write acknowledged in `ack` holds, with the default
// consistency; records the outcome in `out` and calls `done`.
void ReadBack(Dataset& dataset, const std::string& id, const AppendAck& ack,
              WriteThenRead& out, std::function<void(const grpc::Status&)> done) {
  auto* call = new ReadCall;
  dataset.Prepare(call->context);
  call->request.set_agreement_id(id);
  const int64_t sent = NowNanos();
  dataset.queries()->async()->GetAgreement(
      &call->context, &call->request, &call->response,
      [call, sent, ack, &out, done = std::move(done)](grpc::Status status) {
        out.read_nanos = NowNanos() - sent;
        if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
          out.stale = true;
          status = grpc::Status::OK;
        } else if (status.ok() && call->response.position() < ack.position) {
          out.stale = true;
        }
        delete call;
        done(status);
      });
}

std::vector<int64_t> Collect(const std::vector<WriteThenRead>& runs,
                             int64_t WriteThenRead::*field) {
  std::vector<int64_t> values;
  for (const WriteThenRead& run : runs) {
    if (run.*field >= 0) values.push_back(run.*field);
  }
  return values;
}

}  // namespace

absl::StatusOr<Report> RunReadAfterWrite(Dataset& dataset, double rate) {
  const BenchConfig& config = dataset.config();
  if (rate <= 0) return absl::InvalidArgumentError("read-after-write: no rate");
  const int64_t n = std::max<int64_t>(
      1, static_cast<int64_t>(rate * absl::ToDoubleSeconds(config.duration)));
  AppendMix mix;
  mix.first_agreement = dataset.ReserveAgreements(n);
  const AppendIssuer write = RegistryAppendIssuer(dataset, mix);
  std::vector<WriteThenRead> runs(n);
  PacedLoopOptions options;
  options.rate = rate;
  options.count = n;
  const PacedLoopResult result =
      RunPaced(options, [&](int64_t i, std::function<void(const grpc::Status&)> done) {
        write(
            i, [&, i, done = std::move(done)](const grpc::Status& status, AppendAck ack) {
              ack.acked_nanos = NowNanos();
              if (!status.ok()) {
                done(status);
                return;
              }
              runs[i].write_nanos = ack.acked_nanos - ack.sent_nanos;
              ReadBack(dataset, dataset.generator().AgreementId(mix.first_agreement + i),
                       ack, runs[i], std::move(done));
            });
      });
  std::vector<int64_t> reads = Collect(runs, &WriteThenRead::read_nanos);
  std::vector<int64_t> writes = Collect(runs, &WriteThenRead::write_nanos);
  const int64_t stale = std::count_if(runs.begin(), runs.end(),
                                      [](const WriteThenRead& r) { return r.stale; });
  Report report("read-after-write");
  report.AddLatency("read", Summarize(reads), /*p999=*/true, /*max=*/true);
  report.AddLatency("write", Summarize(writes), /*p999=*/false, /*max=*/true);
  report.AddInt("stale_reads", stale);
  report.Add("rate_target", rate);
  report.Add("rate_achieved", result.rate_achieved);
  report.Add("seconds", result.send_seconds);
  report.AddInt("failed", result.failed);
  if (result.failed > 0) {
    report.AddText("first_error", result.first_error);
    report.AddText("error", absl::StrCat(result.failed, " writes or reads failed"));
  }
  return report;
}

namespace {

// Reads the views' position at most every `interval` on its own thread, one read at a
// time, until told to stop. The probes may be read after Join.
class PositionProber {
 public:
  PositionProber(Dataset& dataset, absl::Duration interval)
      : dataset_(dataset), interval_nanos_(absl::ToInt64Nanoseconds(interval)) {
    request_.set_party_id(dataset.generator().parties().front().id());
    request_.set_consistency(v1::READ_CONSISTENCY_AVAILABLE);
    thread_ = std::thread([this] { Run(); });
  }
  ~PositionProber() { Join(absl::ZeroDuration()); }

  // Stops once a probe sent after this call shows `position`, or after `timeout`, and
  // waits for the thread. A probe sent earlier may already show `position` (the views
  // can reach a write before its acknowledgement reaches the client), but it tells
  // nothing about writes acknowledged after it was sent.
  void Join(uint64_t position, absl::Duration timeout) {
    until_position_ = position;
    const int64_t now = NowNanos();
    join_nanos_ = now;
    give_up_nanos_ = now + absl::ToInt64Nanoseconds(timeout);
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  void Join(absl::Duration timeout) { Join(0, timeout); }

  const std::vector<PositionProbe>& probes() const { return probes_; }
  int64_t errors() const { return errors_; }
  const std::string& first_error() const { return first_error_; }

 private:
  bool Done() const {
    if (!stop_) return false;
    return (!probes_.empty() && probes_.back().sent_nanos >= join_nanos_ &&
            probes_.back().position >= until_position_) ||
           NowNanos() >= give_up_nanos_;
  }

  void Run() {
    while (!Done()) {
      PositionProbe probe;
      grpc::ClientContext context;
      dataset_.Prepare(context);
      v1::GetPartyResponse response;
      probe.sent_nanos = NowNanos();
      const grpc::Status status =
          dataset_.queries()->GetParty(&context, request_, &response);
      probe.answered_nanos = NowNanos();
      if (status.ok()) {
        probe.position = response.position();
        probes_.push_back(probe);
      } else if (errors_++ == 0) {
        first_error_ = status.error_message();
      }
      const int64_t next = probe.sent_nanos + interval_nanos_;
      if (next > NowNanos()) absl::SleepFor(absl::Nanoseconds(next - NowNanos()));
    }
  }

  Dataset& dataset_;
  const int64_t interval_nanos_;
  v1::GetPartyRequest request_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> until_position_{0};
  std::atomic<int64_t> join_nanos_{0};
  std::atomic<int64_t> give_up_nanos_{0};
  // Written by the thread only; read after Join.
  std::vector<PositionProbe> probes_;
  int64_t errors_ = 0;
  std::string first_error_;
  std::thread thread_;
};

std::vector<int64_t> ProbeRoundTrips(const std::vector<PositionProbe>& probes) {
  std::vector<int64_t> rtt;
  rtt.reserve(probes.size());
  for (const PositionProbe& p : probes) rtt.push_back(p.answered_nanos - p.sent_nanos);
  return rtt;
}

}  // namespace

absl::StatusOr<Report> RunProjectionLag(Dataset& dataset) {
  const BenchConfig& config = dataset.config();
  AppendMix mix;
  mix.first_agreement = dataset.ReserveAgreements(config.append_count);
  std::vector<AppendAck> acks(config.append_count);
  AppendLoadOptions options;
  options.count = config.append_count;
  options.in_flight = config.in_flight;
  options.timeout = config.scenario_timeout;
  options.on_ack = [&acks](int64_t i, const AppendAck& ack) { acks[i] = ack; };
  PositionProber prober(dataset, config.lag_probe_interval);
  const AppendLoadResult load =
      RunAppendLoad(options, RegistryAppendIssuer(dataset, mix));
  // Probe on until the views show the last write (bounded), so every write is seen.
  acks.erase(std::remove_if(acks.begin(), acks.end(),
                            [](const AppendAck& a) { return a.position == 0; }),
             acks.end());
  uint64_t last = 0;
  for (const AppendAck& ack : acks) last = std::max(last, ack.position);
  prober.Join(last, absl::Seconds(15));

  LagSamples lag = MeasureLag(acks, prober.probes());
  std::vector<int64_t> rtt = ProbeRoundTrips(prober.probes());
  Report report("projection-lag");
  report.AddLatency("lag", Summarize(lag.ack_to_visible_nanos), /*p999=*/true,
                    /*max=*/true);
  std::vector<int64_t>& sent = lag.ack_to_probe_sent_nanos;
  report.Add("lag_to_probe_sent_p50_ms", Percentile(sent, 0.50) / 1e6);
  report.Add("lag_to_probe_sent_p99_ms", Percentile(sent, 0.99) / 1e6);
  report.AddInt("unseen", lag.unseen);
  report.AddInt("behind_events_p50", Percentile(lag.behind_events, 0.50));
  report.AddInt("behind_events_p99", Percentile(lag.behind_events, 0.99));
  report.AddInt("behind_events_max", Percentile(lag.behind_events, 1.0));
  report.AddInt("probes", static_cast<int64_t>(prober.probes().size()));
  report.AddLatency("probe_rtt", Summarize(rtt), /*p999=*/false, /*max=*/false);
  report.Add("probe_interval_ms", absl::ToDoubleMilliseconds(config.lag_probe_interval));
  report.AddInt("probe_errors", prober.errors());
  if (!prober.first_error().empty()) report.AddText("probe_error", prober.first_error());
  report.Add("append_events_per_s", load.events_per_s);
  report.AddLatency("append", load.latency, /*p999=*/false, /*max=*/false);
  AddLoopOutcome(report, load.loop);
  if (lag.unseen > 0 && !report.Has("error")) {
    report.AddText("error",
                   absl::StrCat(lag.unseen, " writes never showed in the views"));
  }
  return report;
}

}  // namespace agreements::bench
