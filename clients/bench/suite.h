// The suite of agreements-bench: the scenarios in their order, on the datasets they
// share, each report printed as it comes and kept for the summary (summary.h).
//
//   stack baseline: stack-baseline                    (agreements-stack-baseline)
//   empty store:    append, append-batch, append-stream, feed-latency, read-after-write,
//                   projection-lag
//   own dataset:    subscribers-1000                  (a fresh server)
//   own dataset:    participants                      (small and large agreements)
//   N loaded:       catch-up, query, rebuild          (N = --load_events agreements)
//   big loaded:     proof, growth, memory             (--big_events agreements)
//   own dataset:    confidentiality                   (a server with access control)
//
// Not thread-safe: used from main only.
#ifndef AGREEMENTS_CLIENTS_BENCH_SUITE_H_
#define AGREEMENTS_CLIENTS_BENCH_SUITE_H_

#include <initializer_list>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clients/bench/bench.h"
#include "clients/bench/stats.h"

namespace agreements::bench {

// Every scenario name, in suite order.
const std::vector<std::string>& AllScenarios();

// Prints each report (a table and its JSON line on stdout) and appends the JSON line to
// a file when one is named.
class Output {
 public:
  explicit Output(std::string json_out) : json_out_(std::move(json_out)) {}

  // The table and the JSON line.
  void Emit(const Report& report);
  // The JSON line only.
  void EmitJson(const Report& report);

 private:
  std::string json_out_;
};

class Suite {
 public:
  Suite(const BenchConfig& config, std::set<std::string> selected, Output& output);

  // Runs the selected scenarios.
  void Run();

  const std::vector<Report>& reports() const { return reports_; }

 private:
  bool Want(const std::string& name) const { return selected_.count(name) > 0; }
  bool AnyOf(std::initializer_list<const char*> names) const;
  // Emits and keeps `report`, or an error report of `name`.
  void Record(absl::StatusOr<Report> report, const std::string& name);
  // Records `status` (not OK) as the error of `name`.
  void Fail(const std::string& name, absl::Status status);
  // Records the error of every wanted scenario of `names`.
  void FailAll(std::initializer_list<const char*> names, const absl::Status& status);
  void Note(const std::string& what);
  std::unique_ptr<Dataset> NewDataset(const std::string& name,
                                      const DatasetOptions& options = DatasetOptions());

  void RunEmptyStore();
  // The rate of read-after-write: the flag, else half the append figure of this run.
  double ReadAfterWriteRate(std::string* source) const;
  void RunLoaded();
  // Loads the big dataset and waits until the server is idle; false when it failed.
  bool LoadBig(Dataset& dataset);
  // Waits until the server is idle (at most --settle_timeout) and records how long as
  // the report `name`.
  void Settle(Dataset& dataset, const std::string& name);
  void RunGrowth(Dataset& dataset);
  // `append`'s load on a fresh empty server named `name`: its events/s.
  absl::StatusOr<double> AppendOnEmptyStore(const std::string& name);

  const BenchConfig& config_;
  const std::set<std::string> selected_;
  Output& output_;
  const DataGenerator generator_;
  std::vector<Report> reports_;
  double append_events_per_s_ = 0;
  absl::Status last_error_;
};

}  // namespace agreements::bench

#endif  // AGREEMENTS_CLIENTS_BENCH_SUITE_H_
