// agreements-bench: a load generator that starts a real agreements-server on 127.0.0.1
// and measures it. Scenarios (--scenarios, comma-separated; default all), in suite order:
//
//   empty store:  append, append-batch, feed-latency
//   N loaded:     catch-up, query, rebuild             (N = --load_events agreements)
//   big loaded:   proof, growth, memory                (--big_events agreements)
//   own dataset:  confidentiality                      (a server with access control)
//
// Each scenario prints a table and one JSON line {"scenario":"<name>",...} on stdout
// (also appended to --json_out); a final summary compares the figures with the targets.
// Progress goes to stderr. Every flag is listed in clients/bench/README.md; sizes left at
// 0 take the --suite's value (reduced or full).
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

ABSL_FLAG(std::string, suite, "reduced", "sizes: reduced or full");
ABSL_FLAG(std::string, scenarios, "all",
          "comma-separated: append,append-batch,feed-latency,catch-up,query,rebuild,"
          "proof,growth,memory,confidentiality (or all)");
ABSL_FLAG(std::string, server_bin, "",
          "agreements-server binary (default: next to this binary)");
ABSL_FLAG(std::string, admin_bin, "",
          "agreements-admin binary (default: next to this binary)");
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
ABSL_FLAG(double, pg_events_per_s, 0,
          "baseline: PostgreSQL events/s (> 0 adds the append ratio, target >= 3)");
ABSL_FLAG(double, dbbench_mb_per_s, 0,
          "baseline: db_bench MB/s (> 0 adds the append-batch ratio, target >= 0.5)");

namespace agreements::bench {
namespace {

const std::vector<std::string>& AllScenarios() {
  static const auto* all = new std::vector<std::string>{
      "append",  "append-batch", "feed-latency", "catch-up", "query",
      "rebuild", "proof",        "growth",       "memory",   "confidentiality"};
  return *all;
}

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
  if (c.call_timeout <= absl::ZeroDuration() ||
      c.scenario_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("timeouts must be positive");
  }
  return c;
}

// Prints and records the reports.
class Output {
 public:
  explicit Output(std::string json_out) : json_out_(std::move(json_out)) {}

  // The table and the JSON line.
  void Emit(const Report& report) {
    std::printf("%s", report.Table().c_str());
    EmitJson(report);
    std::printf("\n");
    std::fflush(stdout);
  }

  // The JSON line only.
  void EmitJson(const Report& report) {
    std::printf("%s\n", report.Json().c_str());
    std::fflush(stdout);
    if (!json_out_.empty()) {
      std::ofstream out(json_out_, std::ios::app);
      out << report.Json() << "\n";
      if (!out) std::fprintf(stderr, "bench: cannot write %s\n", json_out_.c_str());
    }
  }

 private:
  std::string json_out_;
};

// The suite: runs the selected scenarios, keeps their reports.
class Suite {
 public:
  Suite(const BenchConfig& config, std::set<std::string> selected, Output& output)
      : config_(config),
        selected_(std::move(selected)),
        output_(output),
        generator_(config.seed, config.parties, config.agreement_bytes) {}

  void Run() {
    if (AnyOf({"append", "append-batch", "feed-latency"})) RunEmptyStore();
    if (AnyOf({"catch-up", "query", "rebuild", "proof", "growth", "memory"})) {
      RunLoaded();
    }
    if (Want("confidentiality")) {
      Note("confidentiality");
      Record(RunConfidentiality(config_, generator_), "confidentiality");
    }
  }

  const std::vector<Report>& reports() const { return reports_; }

 private:
  bool Want(const std::string& name) const { return selected_.count(name) > 0; }
  bool AnyOf(std::initializer_list<const char*> names) const {
    for (const char* name : names) {
      if (Want(name)) return true;
    }
    return false;
  }

  void Record(absl::StatusOr<Report> report, const std::string& name) {
    if (!report.ok()) {
      Report failed(name);
      failed.AddText("error", report.status().ToString());
      std::fprintf(stderr, "bench: %s failed: %s\n", name.c_str(),
                   report.status().ToString().c_str());
      report = std::move(failed);
    }
    output_.Emit(*report);
    reports_.push_back(*std::move(report));
  }

  void Fail(const std::string& name, absl::Status status) {
    if (status.ok()) status = absl::UnknownError("not run");
    Record(std::move(status), name);
  }

  void Note(const std::string& what) {
    std::fprintf(stderr, "bench: %s\n", what.c_str());
  }

  std::unique_ptr<Dataset> NewDataset(const std::string& name) {
    Note(absl::StrCat("creating dataset ", name, " (", config_.parties, " parties)"));
    absl::StatusOr<std::unique_ptr<Dataset>> dataset =
        Dataset::Create(config_, generator_, name);
    if (!dataset.ok()) {
      Note(absl::StrCat("dataset ", name, ": ", dataset.status().ToString()));
      last_error_ = dataset.status();
      return nullptr;
    }
    return *std::move(dataset);
  }

  void RunEmptyStore() {
    std::unique_ptr<Dataset> dataset = NewDataset("empty");
    if (dataset == nullptr) {
      for (const char* name : {"append", "append-batch", "feed-latency"}) {
        if (Want(name)) Fail(name, last_error_);
      }
      return;
    }
    if (Want("append")) {
      Note("append");
      Record(RunAppend(*dataset, "append"), "append");
      if (!reports_.back().Has("error")) {
        append_events_per_s_ = reports_.back().Get("events_per_s", 0);
      }
    }
    if (Want("append-batch")) {
      Note("append-batch");
      Record(RunAppendBatch(*dataset), "append-batch");
    }
    if (Want("feed-latency")) {
      Note("feed-latency");
      Record(RunFeedLatency(*dataset), "feed-latency");
    }
  }

  void RunLoaded() {
    std::unique_ptr<Dataset> dataset = NewDataset("loaded");
    const std::vector<const char*> later = {"catch-up", "query",  "rebuild",
                                            "proof",    "growth", "memory"};
    if (dataset == nullptr) {
      for (const char* name : later) {
        if (Want(name)) Fail(name, last_error_);
      }
      return;
    }
    if (AnyOf({"catch-up", "query", "rebuild"})) {
      absl::StatusOr<Report> load = LoadAgreements(*dataset, config_.load_events, "load");
      const bool loaded = load.ok();
      Record(std::move(load), "load");
      if (!loaded) {
        for (const char* name : later) {
          if (Want(name)) Fail(name, absl::AbortedError("the load failed"));
        }
        return;
      }
      if (Want("catch-up")) {
        Note("catch-up");
        Record(RunCatchUp(*dataset), "catch-up");
      }
      if (Want("query")) {
        Note("query");
        Record(RunQuery(*dataset, config_.load_events), "query");
      }
      if (Want("rebuild")) {
        Note("rebuild");
        Record(RunRebuild(*dataset), "rebuild");
        if (!dataset->server().running()) {
          for (const char* name : {"proof", "growth", "memory"}) {
            if (Want(name)) Fail(name, absl::AbortedError("the server is not running"));
          }
          return;
        }
      }
    }
    if (!AnyOf({"proof", "growth", "memory"})) return;
    absl::StatusOr<Report> load =
        LoadAgreements(*dataset, config_.big_events, "load-big");
    const bool loaded = load.ok();
    Record(std::move(load), "load-big");
    if (!loaded) {
      for (const char* name : {"proof", "growth", "memory"}) {
        if (Want(name)) Fail(name, absl::AbortedError("the big load failed"));
      }
      return;
    }
    // A store loaded as fast as it goes owes RocksDB compactions for minutes; proof and
    // growth measure the store at rest (the wait is reported as "settle").
    {
      Note("settle");
      bool settled = false;
      absl::StatusOr<double> waited =
          WaitUntilIdle(dataset->server().pid(), /*busy_fraction=*/0.05,
                        /*quiet_seconds=*/5, config_.settle_timeout, &settled);
      Report settle("settle");
      if (waited.ok()) {
        settle.Add("seconds", *waited);
        settle.AddText("settled", settled ? "yes" : "no (timeout)");
        Record(std::move(settle), "settle");
      } else {
        Record(waited.status(), "settle");
      }
    }
    if (Want("proof")) {
      Note("proof");
      Record(RunProof(*dataset), "proof");
    }
    if (Want("growth")) {
      Note("growth");
      absl::StatusOr<Report> growth = RunAppend(*dataset, "growth");
      if (growth.ok()) {
        const double big = growth->Get("events_per_s", 0);
        growth->Add("events_per_s_big", big);
        if (append_events_per_s_ > 0) {
          growth->Add("events_per_s_empty", append_events_per_s_);
          growth->Add("ratio", big / append_events_per_s_);
        } else {
          growth->AddText("note", "no append figure on the empty store (run append too)");
        }
      }
      Record(std::move(growth), "growth");
    }
    if (Want("memory")) {
      Note("memory");
      Record(RunMemory(*dataset), "memory");
    }
  }

  const BenchConfig& config_;
  const std::set<std::string> selected_;
  Output& output_;
  const DataGenerator generator_;
  std::vector<Report> reports_;
  double append_events_per_s_ = 0;
  absl::Status last_error_;
};

// One line of the summary: a figure, and optionally a target and its verdict.
struct Check {
  std::string label;
  std::string key;  // JSON key in the summary line.
  double value;
  std::string target;  // "" when there is no target.
  bool pass;
};

const Report* Find(const std::vector<Report>& reports, const std::string& name) {
  for (const Report& r : reports) {
    if (r.scenario() == name && !r.Has("error")) return &r;
  }
  return nullptr;
}

// Prints the summary table and its JSON line; true when every check passed.
bool Summarize(const std::vector<Report>& reports, double pg, double dbbench,
               Output& output) {
  std::vector<Check> checks;
  auto figure = [&](const char* scenario, const char* key, const std::string& label,
                    const std::string& json_key, const char* op, double target) {
    const Report* r = Find(reports, scenario);
    if (r == nullptr || !r->Has(key)) return;
    const double value = r->Get(key);
    if (op == nullptr) {
      checks.push_back({label, json_key, value, "", true});
      return;
    }
    const bool at_least = std::string(op) == ">=";
    checks.push_back({label, json_key, value, absl::StrCat(op, " ", FormatNumber(target)),
                      at_least ? value >= target : value <= target});
  };
  auto ratio = [&](const char* scenario, const char* key, const std::string& label,
                   const std::string& json_key, double base, double target) {
    const Report* r = Find(reports, scenario);
    if (r == nullptr || base <= 0) return;
    const double value = r->Get(key) / base;
    checks.push_back({label, json_key, value, absl::StrCat(">= ", FormatNumber(target)),
                      value >= target});
  };
  auto within = [&](const char* scenario, const char* key, const std::string& label,
                    const std::string& json_key, double low, double high) {
    const Report* r = Find(reports, scenario);
    if (r == nullptr || !r->Has(key)) return;
    const double value = r->Get(key);
    checks.push_back({label, json_key, value, absl::StrCat(low, "-", high),
                      value >= low && value <= high});
  };
  figure("append", "events_per_s", "append events/s", "append_events_per_s", nullptr, 0);
  figure("append", "latency_p99_ms", "append p99 ms", "append_p99_ms", nullptr, 0);
  ratio("append", "events_per_s", "append / postgres", "append_vs_pg", pg, 3);
  figure("append-batch", "mb_per_s", "append-batch MiB/s", "append_batch_mb_per_s",
         nullptr, 0);
  figure("append-batch", "events_per_s", "append-batch events/s",
         "append_batch_events_per_s", nullptr, 0);
  ratio("append-batch", "mb_per_s", "append-batch / db_bench", "append_batch_vs_dbbench",
        dbbench, 0.5);
  figure("feed-latency", "ack_to_receipt_p99_ms", "feed ack->receipt p99 ms",
         "feed_ack_p99_ms", "<=", 5);
  figure("feed-latency", "send_to_receipt_p99_ms", "feed send->receipt p99 ms",
         "feed_send_p99_ms", nullptr, 0);
  figure("feed-latency", "missing", "feed missing events", "feed_missing", "<=", 0);
  figure("catch-up", "events_per_s", "catch-up events/s", "catch_up_events_per_s",
         ">=", 300000);
  figure("rebuild", "events_per_s", "rebuild events/s", "rebuild_events_per_s",
         ">=", 200000);
  figure("query", "get_p99_ms", "query Get p99 ms", "query_get_p99_ms", "<=", 1);
  figure("query", "list_p99_ms", "query List p99 ms", "query_list_p99_ms", "<=", 5);
  figure("proof", "latency_p99_ms", "proof p99 ms", "proof_p99_ms", "<=", 1);
  figure("growth", "events_per_s", "growth events/s (big)", "growth_events_per_s",
         nullptr, 0);
  figure("growth", "ratio", "growth ratio big/empty", "growth_ratio", ">=", 0.9);
  figure("memory", "peak_rss_mb", "memory peak RSS MiB", "memory_peak_rss_mb", "<=", 512);
  figure("memory", "rss_mb", "memory RSS MiB", "memory_rss_mb", nullptr, 0);
  figure("confidentiality", "list_accuracy", "hidden/absent List accuracy",
         "confidentiality_list_accuracy", "<=", 0.6);
  within("confidentiality", "list_median_ratio", "hidden/absent List p50 ratio",
         "confidentiality_list_median_ratio", 0.8, 1.25);
  figure("confidentiality", "get_accuracy", "hidden/absent Get accuracy",
         "confidentiality_get_accuracy", "<=", 0.6);
  within("confidentiality", "get_median_ratio", "hidden/absent Get p50 ratio",
         "confidentiality_get_median_ratio", 0.8, 1.25);

  Report summary("summary");
  std::string table = "== summary ==\n";
  absl::StrAppendFormat(&table, "  %-28s %14s %10s  %s\n", "figure", "value", "target",
                        "result");
  int passed = 0, failed = 0;
  for (const Check& c : checks) {
    absl::StrAppendFormat(&table, "  %-28s %14s %10s  %s\n", c.label,
                          FormatNumber(c.value), c.target.empty() ? "-" : c.target,
                          c.target.empty() ? "" : (c.pass ? "PASS" : "FAIL"));
    summary.Add(c.key, c.value);
    if (!c.target.empty()) {
      summary.AddText(c.key + "_result", c.pass ? "PASS" : "FAIL");
      (c.pass ? passed : failed)++;
    }
  }
  if (pg <= 0) table += "  (append / postgres: pass --pg_events_per_s)\n";
  if (dbbench <= 0) table += "  (append-batch / db_bench: pass --dbbench_mb_per_s)\n";
  for (const Report& r : reports) {
    if (r.Has("error")) {
      absl::StrAppendFormat(&table, "  %s: ERROR (see above)\n", r.scenario());
      std::string key = r.scenario() + "_error";
      std::replace(key.begin(), key.end(), '-', '_');
      summary.AddText(key, "true");
      ++failed;
    }
  }
  if (pg > 0) summary.Add("pg_events_per_s", pg);
  if (dbbench > 0) summary.Add("dbbench_mb_per_s", dbbench);
  summary.AddInt("checks_passed", passed);
  summary.AddInt("checks_failed", failed);
  std::printf("%s", table.c_str());
  output.EmitJson(summary);
  return failed == 0;
}

}  // namespace
}  // namespace agreements::bench

int main(int argc, char** argv) {
  using namespace agreements::bench;  // NOLINT: main only.
  absl::SetProgramUsageMessage(
      "agreements-bench [--suite=reduced|full] [--scenarios=a,b,...] [flags]\n"
      "Starts agreements-server on 127.0.0.1 and measures it; see "
      "clients/bench/README.md.");
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
  Summarize(suite.reports(), absl::GetFlag(FLAGS_pg_events_per_s),
            absl::GetFlag(FLAGS_dbbench_mb_per_s), output);
  std::fprintf(stderr, "agreements-bench: done in %.0f s\n",
               absl::ToDoubleSeconds(absl::Now() - start));
  // Missed targets are results, not failures; a scenario that could not run is.
  for (const Report& report : suite.reports()) {
    if (report.Has("error")) return 2;
  }
  return 0;
}
