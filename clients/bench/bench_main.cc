// agreements-bench: a load generator that starts a real agreements-server on 127.0.0.1
// and measures it, next to agreements-stack-baseline (the same gRPC and RocksDB doing
// nothing but durable appends). The scenarios (--scenarios, comma-separated; default all)
// and their order are in suite.h.
//
// Each scenario prints a table and one JSON line {"scenario":"<name>",...} on stdout
// (also appended to --json_out); a final summary compares the figures with the targets
// (summary.h). Progress goes to stderr. Every flag is listed in clients/bench/README.md;
// sizes left at 0 take the --suite's value (reduced or full).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "clients/bench/bench.h"
#include "clients/bench/suite.h"
#include "clients/bench/summary.h"
#include "common/flags_usage.h"

ABSL_FLAG(std::string, suite, "reduced", "sizes: reduced or full");
ABSL_FLAG(
    std::string, scenarios, "all",
    "comma-separated: stack-baseline,append,append-batch,append-stream,feed-latency,"
    "read-after-write,projection-lag,subscribers-1000,participants,catch-up,query,"
    "rebuild,proof,growth,memory,confidentiality (or all)");
ABSL_FLAG(std::string, server_bin, "",
          "agreements-server binary (default: next to this binary)");
ABSL_FLAG(std::string, admin_bin, "",
          "agreements-admin binary (default: next to this binary)");
ABSL_FLAG(std::string, stack_baseline_bin, "",
          "agreements-stack-baseline binary (default: next to this binary)");
ABSL_FLAG(std::string, work_dir, "/tmp/agreements-bench",
          "where datasets are created (one fresh subdirectory each)");
ABSL_FLAG(bool, keep, false, "keep the dataset directories");
ABSL_FLAG(std::string, json_out, "", "append every JSON line to this file");
ABSL_FLAG(uint64_t, seed, 42, "seed of the synthetic data");
ABSL_FLAG(int, parties, 200, "parties registered in every dataset");
ABSL_FLAG(int, agreement_bytes, 1024, "target serialized size of an agreement");
ABSL_FLAG(absl::Duration, call_timeout, absl::Seconds(60), "deadline of each RPC");
ABSL_FLAG(absl::Duration, scenario_timeout, absl::Minutes(30),
          "a scenario stops starting requests after this long");
ABSL_FLAG(bool, parse_events, false,
          "feed-latency/catch-up/memory: parse every feed message fully, like a real "
          "client (default: decode only the kind and position)");
ABSL_FLAG(int, catch_up_batch, 256,
          "catch-up: max_events_per_message asked for (the figure); the scenario also "
          "measures one event per message");
ABSL_FLAG(absl::Duration, settle_timeout, absl::ZeroDuration(),
          "after the big load: longest wait for the server's background work (RocksDB "
          "compactions) to end before proof and growth (0: reduced 2 min, full 15 min)");
ABSL_FLAG(int, in_flight, 64, "append/growth: concurrent single-event commands");
ABSL_FLAG(int64_t, warmup_count, 1000, "append/growth: warm-up commands (not measured)");
ABSL_FLAG(int64_t, append_count, 0,
          "append/growth: measured commands (0: reduced 20000, full 100000)");
ABSL_FLAG(int, change_percent, 10,
          "append/growth: percent of commands that change an existing agreement");
ABSL_FLAG(int, batch_events, 100, "append-batch: commands per ExecuteBatch (1-100)");
ABSL_FLAG(int, batch_in_flight, 4, "append-batch: concurrent requests");
ABSL_FLAG(int64_t, batch_total_events, 0,
          "append-batch: events in all (0: reduced 50000, full 200000)");
ABSL_FLAG(int, subscribers, 50, "feed-latency: live subscriptions");
ABSL_FLAG(int, rate, 1000, "feed-latency: appends per second");
ABSL_FLAG(absl::Duration, duration, absl::ZeroDuration(),
          "feed-latency: writing time (0: reduced 10s, full 30s)");
ABSL_FLAG(int64_t, load_events, 0,
          "catch-up/query/rebuild dataset: agreements (0: reduced 200000, full 1000000)");
ABSL_FLAG(int64_t, big_events, 0,
          "proof/growth/memory dataset: agreements (0: reduced 1000000, full 10000000)");
ABSL_FLAG(int, load_batch, 100, "loads: commands per ExecuteBatch (1-100)");
ABSL_FLAG(int, load_in_flight, 8, "loads: concurrent ExecuteBatch requests");
ABSL_FLAG(int64_t, query_count, 0,
          "query: GetAgreement calls and ListAgreements calls each (0: reduced 5000, "
          "full 20000)");
ABSL_FLAG(int, query_threads, 1, "query: client threads, each calling sequentially");
ABSL_FLAG(int, list_pages, 3, "query: pages followed from each random start");
ABSL_FLAG(int64_t, proof_count, 0,
          "proof: inclusion proofs (0: reduced 5000, full 20000)");
ABSL_FLAG(int, verify_proofs, 20, "proof: how many proofs to verify with common/merkle");
ABSL_FLAG(int, idle_subscriptions, 1000, "memory: idle from_now subscriptions");
ABSL_FLAG(absl::Duration, memory_wait, absl::Seconds(2),
          "memory: wait after opening the subscriptions");
ABSL_FLAG(int64_t, hidden_agreements, 20000,
          "confidentiality: confidential agreements of the probed hidden party");
ABSL_FLAG(int64_t, confidentiality_probes, 2000,
          "confidentiality: measured pairs (hidden, absent) of each question");
ABSL_FLAG(double, read_after_write_rate, 0,
          "read-after-write: writes (each then read back) per second (0: half the append "
          "figure of this run)");
ABSL_FLAG(absl::Duration, lag_probe_interval, absl::Milliseconds(1),
          "projection-lag: time between two reads of the views' position");
ABSL_FLAG(int, many_subscribers, 1000,
          "subscribers-1000: subscriptions (half read at once, a tenth never, the rest "
          "slowly)");
ABSL_FLAG(int, many_subscribers_rate, 100,
          "subscribers-1000: appends per second while they subscribe");
ABSL_FLAG(absl::Duration, slow_read_interval, absl::Milliseconds(100),
          "subscribers-1000: a slow subscriber's wait before each read");
ABSL_FLAG(int64_t, participants_agreements, 0,
          "participants: agreements of each size, 2 and --large_participants "
          "participations (0: reduced 500, full 2000)");
ABSL_FLAG(int, large_participants, 200,
          "participants: participations of a large agreement (at most --parties)");
ABSL_FLAG(double, pg_events_per_s, 0,
          "baseline: PostgreSQL events/s (> 0 adds the append ratio, target >= 3)");
ABSL_FLAG(double, dbbench_mb_per_s, 0,
          "baseline: db_bench MB/s (> 0 adds the append-batch ratio, target >= 0.5)");

namespace agreements::bench {
namespace {

template <typename T>
T SuiteDefault(T flag, bool full, T reduced_value, T full_value) {
  return flag > T() ? flag : (full ? full_value : reduced_value);
}

absl::StatusOr<BenchConfig> ResolveConfig() {
  BenchConfig c;
  const std::string suite = absl::GetFlag(FLAGS_suite);
  if (suite != "reduced" && suite != "full") {
    return absl::InvalidArgumentError("--suite must be reduced or full");
  }
  const bool full = suite == "full";
  const std::string dir = SelfDirectory();
  c.server_bin = absl::GetFlag(FLAGS_server_bin);
  if (c.server_bin.empty()) c.server_bin = dir + "/agreements-server";
  c.admin_bin = absl::GetFlag(FLAGS_admin_bin);
  if (c.admin_bin.empty()) c.admin_bin = dir + "/agreements-admin";
  c.stack_baseline_bin = absl::GetFlag(FLAGS_stack_baseline_bin);
  if (c.stack_baseline_bin.empty()) {
    c.stack_baseline_bin = dir + "/agreements-stack-baseline";
  }
  c.work_dir = absl::GetFlag(FLAGS_work_dir);
  c.keep = absl::GetFlag(FLAGS_keep);
  c.seed = absl::GetFlag(FLAGS_seed);
  c.parties = absl::GetFlag(FLAGS_parties);
  c.agreement_bytes = absl::GetFlag(FLAGS_agreement_bytes);
  c.call_timeout = absl::GetFlag(FLAGS_call_timeout);
  c.scenario_timeout = absl::GetFlag(FLAGS_scenario_timeout);
  c.parse_events = absl::GetFlag(FLAGS_parse_events);
  c.catch_up_batch = absl::GetFlag(FLAGS_catch_up_batch);
  c.settle_timeout = SuiteDefault(absl::GetFlag(FLAGS_settle_timeout), full,
                                  absl::Minutes(2), absl::Minutes(15));
  c.in_flight = absl::GetFlag(FLAGS_in_flight);
  c.warmup_count = absl::GetFlag(FLAGS_warmup_count);
  c.append_count =
      SuiteDefault<int64_t>(absl::GetFlag(FLAGS_append_count), full, 20000, 100000);
  c.change_percent = absl::GetFlag(FLAGS_change_percent);
  c.batch_events = absl::GetFlag(FLAGS_batch_events);
  c.batch_in_flight = absl::GetFlag(FLAGS_batch_in_flight);
  c.batch_total_events =
      SuiteDefault<int64_t>(absl::GetFlag(FLAGS_batch_total_events), full, 50000, 200000);
  c.subscribers = absl::GetFlag(FLAGS_subscribers);
  c.rate = absl::GetFlag(FLAGS_rate);
  c.duration = SuiteDefault(absl::GetFlag(FLAGS_duration), full, absl::Seconds(10),
                            absl::Seconds(30));
  c.load_events =
      SuiteDefault<int64_t>(absl::GetFlag(FLAGS_load_events), full, 200000, 1000000);
  c.big_events =
      SuiteDefault<int64_t>(absl::GetFlag(FLAGS_big_events), full, 1000000, 10000000);
  c.load_batch = absl::GetFlag(FLAGS_load_batch);
  c.load_in_flight = absl::GetFlag(FLAGS_load_in_flight);
  c.query_count =
      SuiteDefault<int64_t>(absl::GetFlag(FLAGS_query_count), full, 5000, 20000);
  c.query_threads = absl::GetFlag(FLAGS_query_threads);
  c.list_pages = absl::GetFlag(FLAGS_list_pages);
  c.proof_count =
      SuiteDefault<int64_t>(absl::GetFlag(FLAGS_proof_count), full, 5000, 20000);
  c.verify_proofs = absl::GetFlag(FLAGS_verify_proofs);
  c.idle_subscriptions = absl::GetFlag(FLAGS_idle_subscriptions);
  c.memory_wait = absl::GetFlag(FLAGS_memory_wait);
  c.hidden_agreements = absl::GetFlag(FLAGS_hidden_agreements);
  c.confidentiality_probes = absl::GetFlag(FLAGS_confidentiality_probes);
  c.read_after_write_rate = absl::GetFlag(FLAGS_read_after_write_rate);
  c.lag_probe_interval = absl::GetFlag(FLAGS_lag_probe_interval);
  c.many_subscribers = absl::GetFlag(FLAGS_many_subscribers);
  c.many_subscribers_rate = absl::GetFlag(FLAGS_many_subscribers_rate);
  c.slow_read_interval = absl::GetFlag(FLAGS_slow_read_interval);
  c.participants_agreements = SuiteDefault<int64_t>(
      absl::GetFlag(FLAGS_participants_agreements), full, 500, 2000);
  c.large_participants = absl::GetFlag(FLAGS_large_participants);

  if (c.batch_events < 1 || c.batch_events > 100 || c.load_batch < 1 ||
      c.load_batch > 100) {
    return absl::InvalidArgumentError("--batch_events and --load_batch must be 1..100");
  }
  if (c.in_flight < 1 || c.batch_in_flight < 1 || c.load_in_flight < 1 ||
      c.subscribers < 1 || c.rate < 1 || c.query_threads < 1 || c.list_pages < 1 ||
      c.idle_subscriptions < 1 || c.warmup_count < 1) {
    return absl::InvalidArgumentError(
        "--in_flight, --batch_in_flight, --load_in_flight, --subscribers, --rate, "
        "--query_threads, --list_pages, --idle_subscriptions and --warmup_count must be "
        ">= 1");
  }
  if (c.change_percent < 0 || c.change_percent > 100) {
    return absl::InvalidArgumentError("--change_percent must be 0..100");
  }
  if (c.big_events < c.load_events) {
    return absl::InvalidArgumentError("--big_events must be >= --load_events");
  }
  if (c.hidden_agreements < 1 || c.confidentiality_probes < 1) {
    return absl::InvalidArgumentError(
        "--hidden_agreements and --confidentiality_probes must be at least 1");
  }
  if (c.many_subscribers < 10 || c.many_subscribers_rate < 1 ||
      c.read_after_write_rate < 0) {
    return absl::InvalidArgumentError(
        "--many_subscribers must be >= 10, --many_subscribers_rate >= 1 and "
        "--read_after_write_rate >= 0");
  }
  if (c.lag_probe_interval < absl::ZeroDuration() ||
      c.slow_read_interval < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--lag_probe_interval and --slow_read_interval must not be negative");
  }
  if (c.call_timeout <= absl::ZeroDuration() ||
      c.scenario_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("timeouts must be positive");
  }
  return c;
}

}  // namespace
}  // namespace agreements::bench

int main(int argc, char** argv) {
  using namespace agreements::bench;  // NOLINT: main only.
  agreements::ConfigureFlagsUsage(
      "agreements-bench",
      "agreements-bench [--suite=reduced|full] [--scenarios=a,b,...] [flags]\n"
      "Starts agreements-server on 127.0.0.1 and measures it; see "
      "clients/bench/README.md.",
      {"clients/bench/"});
  absl::ParseCommandLine(argc, argv);
  absl::StatusOr<BenchConfig> config = ResolveConfig();
  if (!config.ok()) {
    std::fprintf(stderr, "agreements-bench: %s\n", config.status().ToString().c_str());
    return 1;
  }
  std::set<std::string> selected;
  const std::string list = absl::GetFlag(FLAGS_scenarios);
  for (absl::string_view name : absl::StrSplit(list, ',', absl::SkipWhitespace())) {
    if (name == "all") {
      selected.insert(AllScenarios().begin(), AllScenarios().end());
      continue;
    }
    if (std::find(AllScenarios().begin(), AllScenarios().end(), name) ==
        AllScenarios().end()) {
      std::fprintf(stderr, "agreements-bench: unknown scenario \"%s\" (known: %s)\n",
                   std::string(name).c_str(), absl::StrJoin(AllScenarios(), ",").c_str());
      return 1;
    }
    selected.insert(std::string(name));
  }
  std::fprintf(stderr,
               "agreements-bench: suite %s, scenarios %s; server %s; work dir %s\n",
               absl::GetFlag(FLAGS_suite).c_str(), absl::StrJoin(selected, ",").c_str(),
               config->server_bin.c_str(), config->work_dir.c_str());
  Output output(absl::GetFlag(FLAGS_json_out));
  const absl::Time start = absl::Now();
  Suite suite(*config, selected, output);
  suite.Run();
  ExternalBaselines baselines;
  baselines.pg_events_per_s = absl::GetFlag(FLAGS_pg_events_per_s);
  baselines.dbbench_mb_per_s = absl::GetFlag(FLAGS_dbbench_mb_per_s);
  PrintSummary(suite.reports(), baselines, output);
  std::fprintf(stderr, "agreements-bench: done in %.0f s\n",
               absl::ToDoubleSeconds(absl::Now() - start));
  // Missed targets are results, not failures; a scenario that could not run is.
  for (const Report& report : suite.reports()) {
    if (report.Has("error")) return 2;
  }
  return 0;
}
