// Latency samples, percentiles and the figures a scenario reports (a human-readable table
// and one JSON line).
#ifndef AGREEMENTS_CLIENTS_BENCH_STATS_H_
#define AGREEMENTS_CLIENTS_BENCH_STATS_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace agreements::bench {

// Monotonic nanoseconds (steady clock), comparable across threads of this process.
inline int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Summary of a set of durations, in milliseconds.
struct LatencySummary {
  int64_t count = 0;
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double p999_ms = 0;
  double max_ms = 0;
  double mean_ms = 0;
};

// Sorts `nanos` in place and summarises it (nearest-rank percentiles). Empty: all zero.
LatencySummary Summarize(std::vector<int64_t>& nanos);

// The nearest-rank percentile `q` (0 to 1) of `values`, sorted in place; 0 when empty.
int64_t Percentile(std::vector<int64_t>& values, double q);

// The figures of one scenario, in insertion order. Not thread-safe.
class Report {
 public:
  explicit Report(std::string scenario) : scenario_(std::move(scenario)) {}

  void Add(const std::string& key, double value);
  void AddInt(const std::string& key, int64_t value);
  void AddText(const std::string& key, const std::string& value);
  // Adds <prefix>_p50_ms, _p99_ms (and _p999_ms, _max_ms when asked) and <prefix>_count.
  void AddLatency(const std::string& prefix, const LatencySummary& s, bool p999,
                  bool max);

  const std::string& scenario() const { return scenario_; }
  // The value of a numeric figure, or `fallback` when absent.
  double Get(const std::string& key, double fallback = -1) const;
  bool Has(const std::string& key) const;

  // "{"scenario":"<name>","key":value,...}" on one line.
  std::string Json() const;
  // A two-column table headed by the scenario name.
  std::string Table() const;

 private:
  struct Figure {
    std::string key;
    bool numeric;
    bool integer;
    double number;
    std::string text;
  };
  std::string scenario_;
  std::vector<Figure> figures_;
};

// Formats a number for tables: integers without decimals, others with up to 3.
std::string FormatNumber(double value);

}  // namespace agreements::bench

#endif  // AGREEMENTS_CLIENTS_BENCH_STATS_H_
