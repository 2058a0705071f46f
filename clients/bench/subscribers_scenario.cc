// subscribers-1000: many feed subscriptions of three kinds under a steady append load, on
// a server of its own (so that its peak RSS is this scenario's): half read every
// message at once, a tenth never read, the rest read one message every
// --slow_read_interval. Reports the server's peak RSS and whether the subscribers that
// read missed anything.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/bench/bench.h"
#include "clients/bench/paced_loop.h"
#include "clients/bench/read_pacer.h"
#include "clients/bench/subscriber_set.h"

namespace agreements::bench {
namespace {

// Samples a process's resident set every 100 ms on its own thread and keeps the largest.
class RssSampler {
 public:
  explicit RssSampler(pid_t pid) : pid_(pid), thread_([this] { Run(); }) {}
  ~RssSampler() { Stop(); }
  // Stops and returns the largest sample (MiB).
  double Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return max_mb_;
  }

 private:
  void Run() {
    while (!stop_) {
      absl::StatusOr<ProcessMemory> memory = ReadProcessMemory(pid_);
      if (memory.ok()) max_mb_ = std::max(max_mb_, memory->rss_mb);
      absl::SleepFor(absl::Milliseconds(100));
    }
  }

  const pid_t pid_;
  std::atomic<bool> stop_{false};
  double max_mb_ = 0;  // Written by the thread; read after the join.
  std::thread thread_;
};

// The positions of the acknowledged appends, and how many are at or before a position.
class Appended {
 public:
  void Add(uint64_t position) { positions_.push_back(position); }
  // Call once every append ended.
  void Seal() {
    std::sort(positions_.begin(), positions_.end());
    positions_.erase(std::remove(positions_.begin(), positions_.end(), 0),
                     positions_.end());
  }
  int64_t size() const { return static_cast<int64_t>(positions_.size()); }
  uint64_t last() const { return positions_.empty() ? 0 : positions_.back(); }
  bool Has(uint64_t position) const {
    return std::binary_search(positions_.begin(), positions_.end(), position);
  }
  int64_t UpTo(uint64_t position) const {
    return std::upper_bound(positions_.begin(), positions_.end(), position) -
           positions_.begin();
  }
  std::vector<uint64_t>& positions() { return positions_; }

 private:
  std::vector<uint64_t> positions_;
};

// What one kind of subscriber received, after its set was closed.
struct KindFigures {
  int64_t received_min = 0;
  int64_t received_max = 0;
  // Appended events a subscriber should have had and had not: every one for a reader
  // at full rate, those up to its last receipt for a slow one.
  int64_t missing = 0;
  int64_t gaps = 0;
  int64_t fell_behind = 0;
};

KindFigures Tally(const SubscriberSet& set, const Appended& appended, bool all_expected) {
  KindFigures figures;
  figures.received_min = INT64_MAX;
  for (const auto& s : set.subscribers()) {
    int64_t received = 0;
    uint64_t last = 0;
    for (const auto& [position, at] : s->receipts()) {
      if (!appended.Has(position)) continue;
      ++received;
      last = std::max(last, position);
    }
    const int64_t expected = all_expected ? appended.size() : appended.UpTo(last);
    figures.missing += std::max<int64_t>(0, expected - received);
    figures.received_min = std::min(figures.received_min, received);
    figures.received_max = std::max(figures.received_max, received);
    figures.gaps += s->gaps();
    figures.fell_behind += s->fell_behind();
  }
  if (figures.received_min == INT64_MAX) figures.received_min = 0;
  return figures;
}

void AddKind(Report& report, const std::string& kind, const KindFigures& f) {
  report.AddInt(kind + "_received_min", f.received_min);
  report.AddInt(kind + "_received_max", f.received_max);
  report.AddInt(kind + "_missing", f.missing);
  report.AddInt(kind + "_gaps", f.gaps);
  report.AddInt(kind + "_fell_behind", f.fell_behind);
}

// CPU used by the server and by this process since the meter was made, in percent of
// one core (on two shared cores, either can starve the other).
struct CpuPercent {
  double server = 0;
  double bench = 0;
};

class CpuMeter {
 public:
  explicit CpuMeter(pid_t server)
      : server_(server),
        start_(NowNanos()),
        server_start_(ReadProcessCpuSeconds(server).value_or(0)),
        bench_start_(ReadProcessCpuSeconds(getpid()).value_or(0)) {}

  CpuPercent Read() const {
    const double seconds = std::max(1e-9, (NowNanos() - start_) / 1e9);
    CpuPercent cpu;
    cpu.server =
        100 * (ReadProcessCpuSeconds(server_).value_or(0) - server_start_) / seconds;
    cpu.bench =
        100 * (ReadProcessCpuSeconds(getpid()).value_or(0) - bench_start_) / seconds;
    return cpu;
  }

 private:
  const pid_t server_;
  const int64_t start_;
  const double server_start_;
  const double bench_start_;
};

// Waits (at most `timeout`) until every subscriber of `set` read up to `position`.
void WaitForReaders(const SubscriberSet& set, uint64_t position, absl::Duration timeout) {
  const absl::Time until = absl::Now() + timeout;
  while (position > 0 && absl::Now() < until) {
    bool all = true;
    for (const auto& s : set.subscribers()) {
      if (s->last_position() < position) all = false;
    }
    if (all) return;
    absl::SleepFor(absl::Milliseconds(10));
  }
}

// Appends new agreements at config.many_subscribers_rate for config.duration.
PacedLoopResult AppendSteadily(Dataset& dataset, Appended& appended,
                               std::vector<int64_t>& latency) {
  const BenchConfig& config = dataset.config();
  const int64_t n =
      std::max<int64_t>(1, static_cast<int64_t>(config.many_subscribers_rate *
                                                absl::ToDoubleSeconds(config.duration)));
  AppendMix mix;
  mix.first_agreement = dataset.ReserveAgreements(n);
  const AppendIssuer write = RegistryAppendIssuer(dataset, mix);
  appended.positions().assign(n, 0);
  latency.assign(n, -1);
  PacedLoopOptions options;
  options.rate = config.many_subscribers_rate;
  options.count = n;
  PacedLoopResult result =
      RunPaced(options, [&](int64_t i, std::function<void(const grpc::Status&)> done) {
        write(i, [&, i, done = std::move(done)](const grpc::Status& status,
                                                const AppendAck& ack) {
          if (status.ok()) {
            appended.positions()[i] = ack.position;
            latency[i] = NowNanos() - ack.sent_nanos;
          }
          done(status);
        });
      });
  appended.Seal();
  latency.erase(std::remove(latency.begin(), latency.end(), -1), latency.end());
  return result;
}

}  // namespace

absl::StatusOr<Report> RunManySubscribers(const BenchConfig& config,
                                          const DataGenerator& generator) {
  DatasetOptions dataset_options;
  dataset_options.server_args.push_back(
      absl::StrCat("--max_streams=", std::max(1000, config.many_subscribers)));
  absl::StatusOr<std::unique_ptr<Dataset>> created =
      Dataset::Create(config, generator, "subscribers", dataset_options);
  if (!created.ok()) return created.status();
  Dataset& dataset = **created;
  const pid_t pid = dataset.server().pid();
  absl::StatusOr<ProcessMemory> before = ReadProcessMemory(pid);
  if (!before.ok()) return before.status();

  const int total = config.many_subscribers;
  const int never_count = total / 10;
  const int full_count = total / 2;
  const int slow_count = total - full_count - never_count;
  v1::SubscribeRequest request;
  request.set_from_now(true);
  // Declared before the sets, so that it outlives their reads.
  ReadPacer pacer;
  SubscriberOptions full_options;
  full_options.record = true;
  full_options.parse_events = config.parse_events;
  SubscriberOptions slow_options = full_options;
  slow_options.read_interval = config.slow_read_interval;
  slow_options.pacer = &pacer;
  SubscriberOptions never_options;
  never_options.never_read = true;
  RssSampler sampler(pid);
  SubscriberSet full(dataset, full_count, /*per_channel=*/10, request, full_options);
  SubscriberSet slow(dataset, slow_count, /*per_channel=*/10, request, slow_options);
  SubscriberSet never(dataset, never_count, /*per_channel=*/10, request, never_options);
  if (!full.group().WaitCaughtUp(full.size(), absl::Seconds(60)) ||
      !slow.group().WaitCaughtUp(slow.size(), absl::Seconds(60))) {
    return absl::DeadlineExceededError(
        "the reading subscribers did not catch up in 60 s");
  }
  const int failed_before = full.group().failed() + slow.group().failed();
  if (failed_before > 0) {
    return absl::UnavailableError(
        absl::StrCat(failed_before, " subscriptions ended before the writer started"));
  }

  Appended appended;
  std::vector<int64_t> latency;
  const CpuMeter meter(pid);
  const PacedLoopResult writes = AppendSteadily(dataset, appended, latency);
  const CpuPercent cpu = meter.Read();
  WaitForReaders(full, appended.last(), absl::Seconds(15));
  absl::StatusOr<ProcessMemory> after = ReadProcessMemory(pid);
  const double sampled_mb = sampler.Stop();
  const int failures =
      full.group().failed() + slow.group().failed() + never.group().failed();
  const int64_t slow_last_min = [&] {
    uint64_t least = UINT64_MAX;
    for (const auto& s : slow.subscribers()) least = std::min(least, s->last_position());
    return static_cast<int64_t>(least == UINT64_MAX ? 0 : least);
  }();
  if (!full.Close() || !slow.Close() || !never.Close()) {
    return absl::DeadlineExceededError("subscriptions did not end");
  }
  if (!after.ok()) return after.status();
  const KindFigures full_figures = Tally(full, appended, /*all_expected=*/true);
  const KindFigures slow_figures = Tally(slow, appended, /*all_expected=*/false);

  Report report("subscribers-1000");
  report.Add("peak_rss_mb", after->peak_rss_mb);
  report.Add("rss_max_sampled_mb", sampled_mb);
  report.Add("rss_end_mb", after->rss_mb);
  report.Add("rss_before_subscriptions_mb", before->rss_mb);
  report.AddInt("missing", full_figures.missing + slow_figures.missing);
  report.AddInt("subscribers_full_rate", full_count);
  report.AddInt("subscribers_slow", slow_count);
  report.AddInt("subscribers_never_reading", never_count);
  report.Add("slow_read_interval_ms",
             absl::ToDoubleMilliseconds(config.slow_read_interval));
  AddKind(report, "full", full_figures);
  AddKind(report, "slow", slow_figures);
  report.AddInt("slow_last_position_min", slow_last_min);
  report.AddInt("subscription_failures", failures);
  report.AddInt("appended", appended.size());
  report.AddInt("last_position", static_cast<int64_t>(appended.last()));
  report.AddLatency("append", Summarize(latency), /*p999=*/false, /*max=*/true);
  report.Add("rate_target", config.many_subscribers_rate);
  report.Add("rate_achieved", writes.rate_achieved);
  report.Add("seconds", writes.send_seconds);
  report.AddInt("append_failed", writes.failed);
  report.Add("server_cpu_percent", cpu.server);
  report.Add("bench_cpu_percent", cpu.bench);
  if (writes.failed > 0) {
    report.AddText("first_error", writes.first_error);
    report.AddText("error", absl::StrCat(writes.failed, " appends failed"));
  }
  return report;
}

}  // namespace agreements::bench
