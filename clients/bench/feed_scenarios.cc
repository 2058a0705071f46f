// Feed scenarios: feed-latency (live subscribers while one writer appends at a fixed
// rate), catch-up (one subscriber reads the whole log), memory (idle subscriptions on a
// big dataset, then the server's VmHWM / VmRSS).
#include <algorithm>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "clients/bench/bench.h"
#include "clients/bench/subscriber.h"
#include "clients/bench/subscriber_set.h"

namespace agreements::bench {
namespace {

// The writer's record of one append.
struct Append {
  int64_t sent = 0;
  int64_t acked = 0;
  uint64_t position = 0;  // 0: failed.
};

}  // namespace

absl::StatusOr<Report> RunFeedLatency(Dataset& dataset) {
  const BenchConfig& config = dataset.config();
  const int64_t n = std::max<int64_t>(
      1, static_cast<int64_t>(config.rate * absl::ToDoubleSeconds(config.duration)));
  v1::SubscribeRequest request;
  request.set_from_now(true);
  SubscriberOptions options;
  options.record = true;
  options.parse_events = config.parse_events;
  options.expected_events = static_cast<size_t>(n) + 16;
  SubscriberSet set(dataset, config.subscribers, /*per_channel=*/10, request, options);
  if (!set.group().WaitCaughtUp(set.size(), absl::Seconds(60))) {
    return absl::DeadlineExceededError("subscribers did not catch up within 60 s");
  }
  if (set.group().failed() > 0) {
    return absl::UnavailableError("a subscription ended before the writer started");
  }

  // The writer: open loop at a fixed rate from this thread, acks on gRPC threads.
  std::vector<Append> appends(n);
  absl::Mutex mu;
  int64_t acked = 0;
  int64_t failed = 0;
  std::string first_error;
  const int64_t first = dataset.ReserveAgreements(n);
  const double period_ns = 1e9 / config.rate;
  const int64_t t0 = NowNanos();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t target = t0 + static_cast<int64_t>(i * period_ns);
    for (int64_t now = NowNanos(); now < target; now = NowNanos()) {
      if (target - now > 200000) {
        absl::SleepFor(absl::Nanoseconds(target - now - 100000));
      } else {
        std::this_thread::yield();
      }
    }
    struct Call {
      grpc::ClientContext context;
      v1::RecordAgreementRequest request;
      v1::RecordAgreementResponse response;
    };
    auto* call = new Call;
    dataset.Prepare(call->context);
    v1::AgreementRecorded recorded = dataset.generator().Agreement(first + i);
    call->request.mutable_context()->set_request_id(dataset.NextRequestId());
    call->request.set_initial_status(recorded.initial_status());
    call->request.set_allocated_agreement(recorded.release_agreement());
    appends[i].sent = NowNanos();
    dataset.commands()->async()->RecordAgreement(
        &call->context, &call->request, &call->response,
        [&, call, i](grpc::Status status) {
          const int64_t now = NowNanos();
          if (status.ok()) {
            appends[i].acked = now;
            appends[i].position = call->response.result().first_position();
            dataset.NotePosition(call->response.result().last_position());
          }
          absl::MutexLock lock(&mu);
          ++acked;
          if (!status.ok() && failed++ == 0) first_error = status.error_message();
          delete call;
        });
  }
  const double send_seconds = (NowNanos() - t0) / 1e9;
  {
    absl::MutexLock lock(&mu);
    auto all = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return acked == n; };
    if (!mu.AwaitWithTimeout(absl::Condition(&all),
                             config.call_timeout + absl::Seconds(5))) {
      // The calls still end by their deadlines; their lambdas reference this frame.
      mu.Await(absl::Condition(&all));
    }
  }
  uint64_t min_position = UINT64_MAX, max_position = 0;
  for (const Append& a : appends) {
    if (a.position == 0) continue;
    min_position = std::min(min_position, a.position);
    max_position = std::max(max_position, a.position);
  }
  // Wait (bounded) for every subscriber to see the last position.
  const absl::Time wait_until = absl::Now() + absl::Seconds(15);
  while (max_position > 0 && absl::Now() < wait_until) {
    bool all = true;
    for (const auto& s : set.subscribers()) {
      if (s->last_position() < max_position) all = false;
    }
    if (all) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  const int subscriber_failures_before_close = set.group().failed();
  if (!set.Close()) return absl::DeadlineExceededError("subscriptions did not end");

  std::vector<int64_t> index_of;
  if (max_position > 0) {
    index_of.assign(max_position - min_position + 1, -1);
    for (int64_t i = 0; i < n; ++i) {
      if (appends[i].position != 0) index_of[appends[i].position - min_position] = i;
    }
  }
  const int64_t ok_appends = n - failed;
  std::vector<int64_t> ack_to_receipt, send_to_receipt, send_to_ack;
  ack_to_receipt.reserve(ok_appends * set.size());
  send_to_receipt.reserve(ok_appends * set.size());
  for (const Append& a : appends) {
    if (a.position != 0) send_to_ack.push_back(a.acked - a.sent);
  }
  int64_t missing = 0, received_min = INT64_MAX, received_max = 0;
  for (const auto& s : set.subscribers()) {
    int64_t received = 0;
    for (const auto& [position, at] : s->receipts()) {
      if (position < min_position || position > max_position) continue;
      const int64_t i = index_of[position - min_position];
      if (i < 0) continue;
      ++received;
      ack_to_receipt.push_back(std::max<int64_t>(0, at - appends[i].acked));
      send_to_receipt.push_back(at - appends[i].sent);
    }
    missing += std::max<int64_t>(0, ok_appends - received);
    received_min = std::min(received_min, received);
    received_max = std::max(received_max, received);
  }
  const LatencySummary ack = Summarize(ack_to_receipt);
  const LatencySummary send = Summarize(send_to_receipt);
  const LatencySummary write = Summarize(send_to_ack);
  Report report("feed-latency");
  report.AddLatency("ack_to_receipt", ack, /*p999=*/false, /*max=*/true);
  report.AddLatency("send_to_receipt", send, /*p999=*/false, /*max=*/true);
  report.AddLatency("append_ack", write, /*p999=*/false, /*max=*/true);
  report.AddInt("subscribers", set.size());
  report.AddInt("appended", ok_appends);
  report.AddInt("append_failed", failed);
  if (!first_error.empty()) report.AddText("first_error", first_error);
  report.AddInt("received_per_subscriber_min",
                received_min == INT64_MAX ? 0 : received_min);
  report.AddInt("received_per_subscriber_max", received_max);
  report.AddInt("missing", missing);
  report.AddInt("subscriber_failures", subscriber_failures_before_close);
  report.AddInt("rate_target", config.rate);
  report.Add("rate_achieved", n / std::max(1e-9, send_seconds));
  report.Add("seconds", send_seconds);
  if (failed > 0) {
    report.AddText("error",
                   absl::StrCat(failed, " appends failed (first: ", first_error, ")"));
  }
  return report;
}

namespace {

struct CatchUpRun {
  int64_t events = 0;
  double seconds = 0;
  int64_t bytes = 0;
  double first_event_ms = 0;
  uint64_t caught_up = 0;
  int64_t other_messages = 0, fell_behind = 0, gaps = 0;
};

// One subscriber from the beginning until caught_up, asking for batches of up to
// `batch` events per message (0: one event per message).
absl::StatusOr<CatchUpRun> CatchUpOnce(Dataset& dataset, uint32_t batch) {
  const BenchConfig& config = dataset.config();
  v1::SubscribeRequest request;
  request.set_from_beginning(true);
  request.set_max_events_per_message(batch);
  SubscriberOptions options;
  options.stop_at_caught_up = true;
  options.parse_events = config.parse_events;
  const int64_t start = NowNanos();
  SubscriberSet set(dataset, 1, 1, request, options);
  set.group().WaitCaughtUp(1, config.scenario_timeout);
  const Subscriber& s = *set.subscribers()[0];
  CatchUpRun run;
  run.caught_up = s.caught_up_at();
  const int64_t end = run.caught_up > 0 ? s.caught_up_nanos() : NowNanos();
  if (!set.Close()) return absl::DeadlineExceededError("the subscription did not end");
  if (run.caught_up == 0) {
    return absl::InternalError(
        absl::StrCat("the stream ended before caught_up: ", s.status().error_message()));
  }
  run.events = s.events();
  run.seconds = (end - start) / 1e9;
  run.bytes = s.bytes();
  run.first_event_ms =
      s.first_event_nanos() > 0 ? (s.first_event_nanos() - start) / 1e6 : 0.0;
  run.other_messages = s.other_messages();
  run.fell_behind = s.fell_behind();
  run.gaps = s.gaps();
  return run;
}

}  // namespace

absl::StatusOr<Report> RunCatchUp(Dataset& dataset) {
  const BenchConfig& config = dataset.config();
  // The figure: batches (max_events_per_message), then one event per message for
  // comparison.
  absl::StatusOr<CatchUpRun> batched = CatchUpOnce(dataset, config.catch_up_batch);
  if (!batched.ok()) return batched.status();
  absl::StatusOr<CatchUpRun> single = CatchUpOnce(dataset, 0);
  if (!single.ok()) return single.status();
  const auto rate = [](const CatchUpRun& run) {
    return run.events / std::max(1e-9, run.seconds);
  };
  Report report("catch-up");
  report.Add("events_per_s", rate(*batched));
  report.AddInt("events_per_message", config.catch_up_batch);
  report.AddInt("count", batched->events);
  report.Add("seconds", batched->seconds);
  report.Add("mb_per_s",
             batched->bytes / (1024.0 * 1024.0) / std::max(1e-9, batched->seconds));
  report.Add("first_event_ms", batched->first_event_ms);
  report.AddInt("caught_up_position", static_cast<int64_t>(batched->caught_up));
  report.Add("single_events_per_s", rate(*single));
  report.AddInt("single_count", single->events);
  report.AddInt("other_messages", batched->other_messages + single->other_messages);
  report.AddInt("fell_behind", batched->fell_behind + single->fell_behind);
  report.AddInt("gaps", batched->gaps + single->gaps);
  report.AddText("parsed", config.parse_events ? "full" : "position only");
  return report;
}

absl::StatusOr<Report> RunMemory(Dataset& dataset) {
  const BenchConfig& config = dataset.config();
  const pid_t pid = dataset.server().pid();
  absl::StatusOr<ProcessMemory> before = ReadProcessMemory(pid);
  if (!before.ok()) return before.status();
  v1::SubscribeRequest request;
  request.set_from_now(true);
  SubscriberSet set(dataset, config.idle_subscriptions, /*per_channel=*/100, request,
                    SubscriberOptions());
  const bool all_live = set.group().WaitCaughtUp(set.size(), absl::Seconds(60));
  absl::SleepFor(config.memory_wait);
  absl::StatusOr<ProcessMemory> during = ReadProcessMemory(pid);
  int live = 0;
  for (const auto& s : set.subscribers()) {
    if (s->caught_up_at() > 0) ++live;
  }
  const int failures = set.group().failed();
  if (!set.Close()) return absl::DeadlineExceededError("subscriptions did not end");
  if (!during.ok()) return during.status();
  Report report("memory");
  report.Add("peak_rss_mb", during->peak_rss_mb);
  report.Add("rss_mb", during->rss_mb);
  report.Add("rss_before_subscriptions_mb", before->rss_mb);
  report.AddInt("subscriptions", set.size());
  report.AddInt("subscriptions_live", live);
  report.AddInt("subscription_failures", failures);
  report.AddInt("head", static_cast<int64_t>(dataset.head()));
  if (!all_live) report.AddText("note", "not every subscription caught up within 60 s");
  return report;
}

}  // namespace agreements::bench
