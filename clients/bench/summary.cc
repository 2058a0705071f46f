#include "clients/bench/summary.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace agreements::bench {
namespace {

// One line of the summary: a figure, and optionally a target and its verdict.
struct Check {
  std::string label;
  std::string key;  // JSON key in the summary line.
  double value;
  std::string target;  // "" when there is no target.
  bool pass;
};

// The checks of a run, taken from the reports of the scenarios that ran without error.
class Checks {
 public:
  explicit Checks(const std::vector<Report>& reports) : reports_(reports) {}

  // The scenario's report, when it ran without error.
  const Report* Find(const std::string& scenario) const {
    for (const Report& r : reports_) {
      if (r.scenario() == scenario && !r.Has("error")) return &r;
    }
    return nullptr;
  }

  // A figure without a target.
  void Figure(const char* scenario, const char* key, const std::string& label,
              const std::string& json_key) {
    const Report* r = Find(scenario);
    if (r == nullptr || !r->Has(key)) return;
    checks_.push_back({label, json_key, r->Get(key), "", true});
  }

  // A figure with a target: `op` is ">=" or "<=".
  void Target(const char* scenario, const char* key, const std::string& label,
              const std::string& json_key, const char* op, double target) {
    const Report* r = Find(scenario);
    if (r == nullptr || !r->Has(key)) return;
    Judge(label, json_key, r->Get(key), op, target);
  }

  // The figure divided by `base` (skipped when base <= 0); judged against `target`
  // (">=") when one is given.
  void Ratio(const char* scenario, const char* key, const std::string& label,
             const std::string& json_key, double base, double target = -1) {
    const Report* r = Find(scenario);
    if (r == nullptr || !r->Has(key) || base <= 0) return;
    const double value = r->Get(key) / base;
    if (target < 0) {
      checks_.push_back({label, json_key, value, "", true});
      return;
    }
    Judge(label, json_key, value, ">=", target);
  }

  // A figure that must lie within [low, high].
  void Within(const char* scenario, const char* key, const std::string& label,
              const std::string& json_key, double low, double high) {
    const Report* r = Find(scenario);
    if (r == nullptr || !r->Has(key)) return;
    const double value = r->Get(key);
    checks_.push_back({label, json_key, value, absl::StrCat(low, "-", high),
                       value >= low && value <= high});
  }

  const std::vector<Check>& checks() const { return checks_; }

 private:
  void Judge(const std::string& label, const std::string& json_key, double value,
             const char* op, double target) {
    const bool at_least = std::string(op) == ">=";
    checks_.push_back({label, json_key, value,
                       absl::StrCat(op, " ", FormatNumber(target)),
                       at_least ? value >= target : value <= target});
  }

  const std::vector<Report>& reports_;
  std::vector<Check> checks_;
};

void AddAppendChecks(Checks& c, const ExternalBaselines& baselines) {
  c.Figure("stack-baseline", "events_per_s", "stack baseline events/s",
           "stack_events_per_s");
  c.Figure("stack-baseline", "latency_p99_ms", "stack baseline p99 ms", "stack_p99_ms");
  c.Figure("append", "events_per_s", "append events/s", "append_events_per_s");
  c.Figure("append", "latency_p99_ms", "append p99 ms", "append_p99_ms");
  c.Ratio("append", "events_per_s", "append / postgres", "append_vs_pg",
          baselines.pg_events_per_s, 3);
  c.Figure("append-stream", "events_per_s", "append-stream events/s",
           "append_stream_events_per_s");
  c.Ratio("append-stream", "events_per_s", "append-stream / postgres",
          "append_stream_vs_pg", baselines.pg_events_per_s, 2);
  c.Figure("append-batch", "mb_per_s", "append-batch MiB/s", "append_batch_mb_per_s");
  c.Figure("append-batch", "events_per_s", "append-batch events/s",
           "append_batch_events_per_s");
  c.Ratio("append-batch", "mb_per_s", "append-batch / db_bench",
          "append_batch_vs_dbbench", baselines.dbbench_mb_per_s, 0.5);
}

// Every append figure of the registry as a ratio to the stack baseline's (no target:
// how much of what the stack allows the registry reaches).
void AddStackRatios(Checks& c) {
  const Report* stack = c.Find("stack-baseline");
  if (stack == nullptr) return;
  const double events = stack->Get("events_per_s", 0);
  const double p99 = stack->Get("latency_p99_ms", 0);
  c.Ratio("append", "events_per_s", "append / stack", "append_vs_stack", events);
  c.Ratio("append", "latency_p99_ms", "append p99 / stack p99", "append_p99_vs_stack",
          p99);
  c.Ratio("append-batch", "events_per_s", "append-batch / stack", "append_batch_vs_stack",
          events);
  c.Ratio("append-stream", "events_per_s", "append-stream / stack",
          "append_stream_vs_stack", events);
  c.Ratio("projection-lag", "append_events_per_s", "projection-lag appends / stack",
          "projection_lag_append_vs_stack", events);
  c.Ratio("growth", "events_per_s", "growth / stack", "growth_vs_stack", events);
}

void AddFeedAndConsistencyChecks(Checks& c) {
  c.Target("feed-latency", "ack_to_receipt_p99_ms", "feed ack->receipt p99 ms",
           "feed_ack_p99_ms", "<=", 5);
  c.Figure("feed-latency", "send_to_receipt_p99_ms", "feed send->receipt p99 ms",
           "feed_send_p99_ms");
  c.Target("feed-latency", "missing", "feed missing events", "feed_missing", "<=", 0);
  c.Target("read-after-write", "read_p99_ms", "read-after-write read p99 ms",
           "read_after_write_p99_ms", "<=", 5);
  c.Target("read-after-write", "stale_reads", "read-after-write stale reads",
           "read_after_write_stale", "<=", 0);
  c.Target("projection-lag", "lag_p99_ms", "projection lag p99 ms",
           "projection_lag_p99_ms", "<=", 20);
  c.Figure("projection-lag", "lag_p50_ms", "projection lag p50 ms",
           "projection_lag_p50_ms");
  c.Target("subscribers-1000", "peak_rss_mb", "subscribers-1000 peak RSS MiB",
           "subscribers_peak_rss_mb", "<=", 512);
  c.Target("subscribers-1000", "missing", "subscribers-1000 missing",
           "subscribers_missing", "<=", 0);
}

void AddParticipantsChecks(Checks& c) {
  const Report* r = c.Find("participants");
  if (r == nullptr) return;
  c.Figure("participants", "small_events_per_s", "append to 2 participants ev/s",
           "participants_small_events_per_s");
  c.Figure(
      "participants", "large_events_per_s",
      absl::StrCat("append to ", r->Get("large_participants", 0), " participants ev/s"),
      "participants_large_events_per_s");
  c.Target("participants", "ratio", "participants ratio large/small",
           "participants_ratio", ">=", 0.8);
}

void AddLoadedChecks(Checks& c) {
  c.Target("catch-up", "events_per_s", "catch-up events/s", "catch_up_events_per_s",
           ">=", 300000);
  c.Target("rebuild", "events_per_s", "rebuild events/s", "rebuild_events_per_s",
           ">=", 200000);
  c.Target("query", "get_p99_ms", "query Get p99 ms", "query_get_p99_ms", "<=", 1);
  c.Target("query", "list_p99_ms", "query List p99 ms", "query_list_p99_ms", "<=", 5);
  c.Target("proof", "latency_p99_ms", "proof p99 ms", "proof_p99_ms", "<=", 1);
  c.Figure("growth", "events_per_s", "growth events/s (big)", "growth_events_per_s");
  c.Target("growth", "ratio", "growth ratio big/empty", "growth_ratio", ">=", 0.9);
  c.Target("memory", "peak_rss_mb", "memory peak RSS MiB", "memory_peak_rss_mb",
           "<=", 512);
  c.Figure("memory", "rss_mb", "memory RSS MiB", "memory_rss_mb");
}

void AddConfidentialityChecks(Checks& c) {
  c.Target("confidentiality", "list_accuracy", "hidden/absent List accuracy",
           "confidentiality_list_accuracy", "<=", 0.6);
  c.Within("confidentiality", "list_median_ratio", "hidden/absent List p50 ratio",
           "confidentiality_list_median_ratio", 0.8, 1.25);
  c.Target("confidentiality", "get_accuracy", "hidden/absent Get accuracy",
           "confidentiality_get_accuracy", "<=", 0.6);
  c.Within("confidentiality", "get_median_ratio", "hidden/absent Get p50 ratio",
           "confidentiality_get_median_ratio", 0.8, 1.25);
}

}  // namespace

bool PrintSummary(const std::vector<Report>& reports, const ExternalBaselines& baselines,
                  Output& output) {
  Checks checks(reports);
  AddAppendChecks(checks, baselines);
  AddStackRatios(checks);
  AddFeedAndConsistencyChecks(checks);
  AddParticipantsChecks(checks);
  AddLoadedChecks(checks);
  AddConfidentialityChecks(checks);

  Report summary("summary");
  std::string table = "== summary ==\n";
  absl::StrAppendFormat(&table, "  %-32s %14s %10s  %s\n", "figure", "value", "target",
                        "result");
  int passed = 0, failed = 0;
  for (const Check& c : checks.checks()) {
    absl::StrAppendFormat(&table, "  %-32s %14s %10s  %s\n", c.label,
                          FormatNumber(c.value), c.target.empty() ? "-" : c.target,
                          c.target.empty() ? "" : (c.pass ? "PASS" : "FAIL"));
    summary.Add(c.key, c.value);
    if (!c.target.empty()) {
      summary.AddText(c.key + "_result", c.pass ? "PASS" : "FAIL");
      (c.pass ? passed : failed)++;
    }
  }
  if (baselines.pg_events_per_s <= 0) {
    table += "  (append / postgres: pass --pg_events_per_s)\n";
  }
  if (baselines.dbbench_mb_per_s <= 0) {
    table += "  (append-batch / db_bench: pass --dbbench_mb_per_s)\n";
  }
  if (checks.Find("stack-baseline") == nullptr) {
    table += "  (append / stack: run the stack-baseline scenario)\n";
  }
  for (const Report& r : reports) {
    if (r.Has("error")) {
      absl::StrAppendFormat(&table, "  %s: ERROR (see above)\n", r.scenario());
      std::string key = r.scenario() + "_error";
      std::replace(key.begin(), key.end(), '-', '_');
      summary.AddText(key, "true");
      ++failed;
    }
  }
  if (baselines.pg_events_per_s > 0) {
    summary.Add("pg_events_per_s", baselines.pg_events_per_s);
  }
  if (baselines.dbbench_mb_per_s > 0) {
    summary.Add("dbbench_mb_per_s", baselines.dbbench_mb_per_s);
  }
  summary.AddInt("checks_passed", passed);
  summary.AddInt("checks_failed", failed);
  std::printf("%s", table.c_str());
  output.EmitJson(summary);
  return failed == 0;
}

}  // namespace agreements::bench
