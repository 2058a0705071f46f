// The rebuild scenario: stop the server, time `agreements-admin rebuild` (replay and
// compare with the stored views) and `agreements-admin rebuild --replace` (replay into
// new families written as SST files and swapped in), restart.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "clients/bench/bench.h"

namespace agreements::bench {
namespace {

// The N of "replayed N events" in the admin tool's output; -1 when absent.
int64_t ReplayedEvents(const std::string& output) {
  const std::string marker = "replayed ";
  const size_t at = output.find(marker);
  if (at == std::string::npos) return -1;
  return std::strtoll(output.c_str() + at + marker.size(), nullptr, 10);
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

absl::StatusOr<Report> RunRebuild(Dataset& dataset) {
  const BenchConfig& config = dataset.config();
  const int64_t stop_start = NowNanos();
  if (absl::Status s = dataset.StopServer(); !s.ok()) {
    return absl::InternalError(absl::StrCat("stopping the server: ", s.ToString()));
  }
  const double stop_seconds = (NowNanos() - stop_start) / 1e9;
  absl::StatusOr<ProcessResult> check =
      RunProcess({config.admin_bin, "rebuild", "--data_dir", dataset.server().data_dir()},
                 config.scenario_timeout);
  absl::StatusOr<ProcessResult> run =
      check.ok() ? RunProcess({config.admin_bin, "rebuild", "--replace", "--data_dir",
                               dataset.server().data_dir()},
                              config.scenario_timeout)
                 : check;
  const int64_t restart_start = NowNanos();
  const absl::Status restarted = dataset.StartServer();
  const double restart_seconds = (NowNanos() - restart_start) / 1e9;
  if (!run.ok()) return run.status();
  if (!restarted.ok()) {
    return absl::InternalError(
        absl::StrCat("restarting the server: ", restarted.ToString()));
  }
  const int64_t replayed = ReplayedEvents(run->output);
  const double seconds = absl::ToDoubleSeconds(run->wall);
  const int64_t events = replayed >= 0 ? replayed : static_cast<int64_t>(dataset.head());
  Report report("rebuild");
  report.Add("events_per_s", events / std::max(1e-9, seconds));
  report.AddInt("count", events);
  report.Add("seconds", seconds);
  report.AddInt("exit_code", run->exit_code);
  report.AddText("output", FirstLine(run->output));
  const double check_seconds = absl::ToDoubleSeconds(check->wall);
  report.Add("check_events_per_s", events / std::max(1e-9, check_seconds));
  report.Add("check_seconds", check_seconds);
  report.AddInt("check_exit_code", check->exit_code);
  report.AddText("check_output", FirstLine(check->output));
  report.Add("server_stop_seconds", stop_seconds);
  report.Add("server_restart_seconds", restart_seconds);
  return report;
}

}  // namespace agreements::bench
