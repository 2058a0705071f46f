#include "common/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace agreements::metrics {
namespace {

struct ProcStat {
  double cpu_seconds = 0;
  double start_seconds_after_boot = 0;
  double threads = 0;
  double rss_bytes = 0;
};

// /proc/self/stat: the fields after the command name (which may hold spaces), counted
// from field 3 (state).
bool ReadProcStat(ProcStat& stat) {
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::vector<std::string> f = absl::StrSplit(line.substr(close + 2), ' ');
  // Index 0 is field 3; utime 14, stime 15, num_threads 20, starttime 22, rss 24.
  if (f.size() < 22) return false;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  double utime = 0, stime = 0, threads = 0, start = 0, rss_pages = 0;
  if (!absl::SimpleAtod(f[11], &utime) || !absl::SimpleAtod(f[12], &stime) ||
      !absl::SimpleAtod(f[17], &threads) || !absl::SimpleAtod(f[19], &start) ||
      !absl::SimpleAtod(f[21], &rss_pages)) {
    return false;
  }
  stat.cpu_seconds = (utime + stime) / ticks;
  stat.threads = threads;
  stat.start_seconds_after_boot = start / ticks;
  stat.rss_bytes = rss_pages * static_cast<double>(sysconf(_SC_PAGESIZE));
  return true;
}

double BootTime() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime" && in >> value) return value;
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

double OpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  double count = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count - 1;  // the directory stream itself
}

}  // namespace

void AddProcessMetrics(Registry& registry) {
  Gauge& rss =
      registry.AddGauge("process_resident_memory_bytes", "Resident memory size in bytes.")
          .With({});
  Counter& cpu = registry
                     .AddCounter("process_cpu_seconds_total",
                                 "Total user and system CPU time spent in seconds.")
                     .With({});
  Gauge& fds =
      registry.AddGauge("process_open_fds", "Number of open file descriptors.").With({});
  Gauge& max_fds =
      registry.AddGauge("process_max_fds", "Maximum number of open file descriptors.")
          .With({});
  Gauge& threads = registry.AddGauge("process_threads", "Number of OS threads.").With({});
  Gauge& start = registry
                     .AddGauge("process_start_time_seconds",
                               "Start time of the process since the Unix epoch in "
                               "seconds.")
                     .With({});
  const double boot = BootTime();
  registry.AddCollector([&rss, &cpu, &fds, &max_fds, &threads, &start, boot] {
    ProcStat stat;
    if (ReadProcStat(stat)) {
      rss.Set(stat.rss_bytes);
      cpu.Set(stat.cpu_seconds);
      threads.Set(stat.threads);
      start.Set(boot + stat.start_seconds_after_boot);
    }
    fds.Set(OpenFds());
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
      max_fds.Set(static_cast<double>(limit.rlim_cur));
    }
  });
}

}  // namespace agreements::metrics
