// The summary of a run: each scenario's headline figures with their targets and
// PASS/FAIL, the registry's append figures as ratios to the baselines, printed as a table
// and one JSON line {"scenario":"summary",...} (clients/bench/README.md lists the
// checks).
#ifndef AGREEMENTS_CLIENTS_BENCH_SUMMARY_H_
#define AGREEMENTS_CLIENTS_BENCH_SUMMARY_H_

#include <vector>

#include "clients/bench/stats.h"
#include "clients/bench/suite.h"

namespace agreements::bench {

// The baselines measured outside agreements-bench, in the same suite run
// (deploy/bench/run-suite.sh passes them); 0 when not measured. The stack baseline is
// a scenario of the run (stack-baseline), read from the reports.
struct ExternalBaselines {
  double pg_events_per_s = 0;
  double dbbench_mb_per_s = 0;
};

// Prints the summary of `reports`; true when every check passed and no scenario failed.
bool PrintSummary(const std::vector<Report>& reports, const ExternalBaselines& baselines,
                  Output& output);

}  // namespace agreements::bench

#endif  // AGREEMENTS_CLIENTS_BENCH_SUMMARY_H_
