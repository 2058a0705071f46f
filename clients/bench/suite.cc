#include "clients/bench/suite.h"

#include <cstdio>
#include <fstream>
#include <utility>

#include "absl/strings/str_cat.h"

namespace agreements::bench {

const std::vector<std::string>& AllScenarios() {
  static const auto* all = new std::vector<std::string>{
      "stack-baseline", "append",           "append-batch",   "append-stream",
      "feed-latency",   "read-after-write", "projection-lag", "subscribers-1000",
      "participants",   "catch-up",         "query",          "rebuild",
      "proof",          "growth",           "memory",         "confidentiality"};
  return *all;
}

void Output::Emit(const Report& report) {
  std::printf("%s", report.Table().c_str());
  EmitJson(report);
  std::printf("\n");
  std::fflush(stdout);
}

void Output::EmitJson(const Report& report) {
  std::printf("%s\n", report.Json().c_str());
  std::fflush(stdout);
  if (!json_out_.empty()) {
    std::ofstream out(json_out_, std::ios::app);
    out << report.Json() << "\n";
    if (!out) std::fprintf(stderr, "bench: cannot write %s\n", json_out_.c_str());
  }
}

Suite::Suite(const BenchConfig& config, std::set<std::string> selected, Output& output)
    : config_(config),
      selected_(std::move(selected)),
      output_(output),
      generator_(config.seed, config.parties, config.agreement_bytes) {}

void Suite::Run() {
  // Right before the registry's appends, so that the two are measured minutes apart.
  if (Want("stack-baseline")) {
    Note("stack-baseline");
    Record(RunStackBaseline(config_, generator_), "stack-baseline");
  }
  if (AnyOf({"append", "append-batch", "append-stream", "feed-latency",
             "read-after-write", "projection-lag"})) {
    RunEmptyStore();
  }
  if (Want("subscribers-1000")) {
    Note("subscribers-1000");
    Record(RunManySubscribers(config_, generator_), "subscribers-1000");
  }
  if (Want("participants")) {
    Note("participants");
    Record(RunParticipants(config_, generator_), "participants");
  }
  if (AnyOf({"catch-up", "query", "rebuild", "proof", "growth", "memory"})) {
    RunLoaded();
  }
  if (Want("confidentiality")) {
    Note("confidentiality");
    Record(RunConfidentiality(config_, generator_), "confidentiality");
  }
}

bool Suite::AnyOf(std::initializer_list<const char*> names) const {
  for (const char* name : names) {
    if (Want(name)) return true;
  }
  return false;
}

void Suite::Record(absl::StatusOr<Report> report, const std::string& name) {
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

void Suite::Fail(const std::string& name, absl::Status status) {
  if (status.ok()) status = absl::UnknownError("not run");
  Record(std::move(status), name);
}

void Suite::FailAll(std::initializer_list<const char*> names,
                    const absl::Status& status) {
  for (const char* name : names) {
    if (Want(name)) Fail(name, status);
  }
}

void Suite::Note(const std::string& what) {
  std::fprintf(stderr, "bench: %s\n", what.c_str());
}

std::unique_ptr<Dataset> Suite::NewDataset(const std::string& name,
                                           const DatasetOptions& options) {
  Note(absl::StrCat("creating dataset ", name, " (", config_.parties, " parties)"));
  absl::StatusOr<std::unique_ptr<Dataset>> dataset =
      Dataset::Create(config_, generator_, name, options);
  if (!dataset.ok()) {
    Note(absl::StrCat("dataset ", name, ": ", dataset.status().ToString()));
    last_error_ = dataset.status();
    return nullptr;
  }
  return *std::move(dataset);
}

double Suite::ReadAfterWriteRate(std::string* source) const {
  if (config_.read_after_write_rate > 0) {
    *source = "--read_after_write_rate";
    return config_.read_after_write_rate;
  }
  if (append_events_per_s_ > 0) {
    *source = "half the append figure";
    return append_events_per_s_ / 2;
  }
  *source = "--rate (no append figure in this run)";
  return config_.rate;
}

void Suite::RunEmptyStore() {
  DatasetOptions options;
  if (Want("read-after-write")) {
    // The bench's one caller stands for many clients, each of which would have its own
    // share of the reads waiting for the views: give it the server's whole allowance.
    options.server_args.push_back("--max_read_waits_per_principal=4096");
  }
  std::unique_ptr<Dataset> dataset = NewDataset("empty", options);
  if (dataset == nullptr) {
    FailAll({"append", "append-batch", "append-stream", "feed-latency",
             "read-after-write", "projection-lag"},
            last_error_);
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
  if (Want("append-stream")) {
    Note("append-stream");
    Record(RunStreamedAppend(*dataset), "append-stream");
  }
  if (Want("feed-latency")) {
    Note("feed-latency");
    Record(RunFeedLatency(*dataset), "feed-latency");
  }
  if (Want("read-after-write")) {
    Note("read-after-write");
    std::string source;
    const double rate = ReadAfterWriteRate(&source);
    absl::StatusOr<Report> report = RunReadAfterWrite(*dataset, rate);
    if (report.ok()) report->AddText("rate_source", source);
    Record(std::move(report), "read-after-write");
  }
  if (Want("projection-lag")) {
    Note("projection-lag");
    Record(RunProjectionLag(*dataset), "projection-lag");
  }
}

void Suite::RunLoaded() {
  std::unique_ptr<Dataset> dataset = NewDataset("loaded");
  if (dataset == nullptr) {
    FailAll({"catch-up", "query", "rebuild", "proof", "growth", "memory"}, last_error_);
    return;
  }
  if (AnyOf({"catch-up", "query", "rebuild"})) {
    absl::StatusOr<Report> load = LoadAgreements(*dataset, config_.load_events, "load");
    const bool loaded = load.ok();
    Record(std::move(load), "load");
    if (!loaded) {
      FailAll({"catch-up", "query", "rebuild", "proof", "growth", "memory"},
              absl::AbortedError("the load failed"));
      return;
    }
    // Catch-up, query and rebuild read a registry at rest: the views caught up with the
    // load and RocksDB's compactions done ("settle-load").
    Settle(*dataset, "settle-load");
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
        FailAll({"proof", "growth", "memory"},
                absl::AbortedError("the server is not running"));
        return;
      }
    }
  }
  if (!AnyOf({"proof", "growth", "memory"})) return;
  if (!LoadBig(*dataset)) return;
  if (Want("proof")) {
    Note("proof");
    Record(RunProof(*dataset), "proof");
  }
  if (Want("growth")) RunGrowth(*dataset);
  if (Want("memory")) {
    Note("memory");
    Record(RunMemory(*dataset), "memory");
  }
}

bool Suite::LoadBig(Dataset& dataset) {
  absl::StatusOr<Report> load = LoadAgreements(dataset, config_.big_events, "load-big");
  const bool loaded = load.ok();
  Record(std::move(load), "load-big");
  if (!loaded) {
    FailAll({"proof", "growth", "memory"}, absl::AbortedError("the big load failed"));
    return false;
  }
  // A store loaded as fast as it goes owes RocksDB compactions for minutes; proof and
  // growth measure the store at rest (the wait is reported as "settle").
  Settle(dataset, "settle");
  return true;
}

void Suite::Settle(Dataset& dataset, const std::string& name) {
  Note(name);
  bool settled = false;
  absl::StatusOr<double> waited =
      WaitUntilIdle(dataset.server().pid(), /*busy_fraction=*/0.05,
                    /*quiet_seconds=*/5, config_.settle_timeout, &settled);
  if (!waited.ok()) {
    Record(waited.status(), name);
    return;
  }
  Report settle(name);
  settle.Add("seconds", *waited);
  settle.AddText("settled", settled ? "yes" : "no (timeout)");
  Record(std::move(settle), name);
}

void Suite::RunGrowth(Dataset& dataset) {
  Note("growth");
  // The empty store is measured right before and right after the big one, each time on
  // a fresh server, so that the ratio compares runs seconds apart: on this machine the
  // same append run moves by 10-25% within minutes, and the `append` scenario ran up to
  // an hour earlier.
  absl::StatusOr<double> before = AppendOnEmptyStore("growth-empty-before");
  absl::StatusOr<Report> growth = RunAppend(dataset, "growth");
  // The big store's flushes and compactions after its run would take a core from the
  // empty store's second run.
  Settle(dataset, "settle-growth");
  absl::StatusOr<double> after = AppendOnEmptyStore("growth-empty-after");
  if (growth.ok() && (!before.ok() || !after.ok())) {
    growth = !before.ok() ? before.status() : after.status();
  }
  if (growth.ok()) {
    const double big = growth->Get("events_per_s", 0);
    const double empty = (*before + *after) / 2;
    growth->Add("events_per_s_big", big);
    growth->Add("events_per_s_empty_before", *before);
    growth->Add("events_per_s_empty_after", *after);
    growth->Add("events_per_s_empty", empty);
    growth->Add("ratio", big / empty);
    if (append_events_per_s_ > 0) {
      growth->Add("ratio_to_append_scenario", big / append_events_per_s_);
    }
  }
  Record(std::move(growth), "growth");
}

absl::StatusOr<double> Suite::AppendOnEmptyStore(const std::string& name) {
  std::unique_ptr<Dataset> empty = NewDataset(name, DatasetOptions());
  if (empty == nullptr) return last_error_;
  absl::StatusOr<Report> report = RunAppend(*empty, name);
  if (!report.ok()) return report.status();
  if (report->Has("error")) {
    return absl::InternalError(
        absl::StrCat(name, ": ", report->Get("failed", 0), " appends failed"));
  }
  return report->Get("events_per_s", 0);
}

}  // namespace agreements::bench
