// Metrics in the Prometheus text exposition format (version 0.0.4): counters, gauges
// and histograms, each a family with fixed label names, kept in one Registry and written
// out by Expose(). Updates are lock-free on a child once it is found (cache the
// reference on hot paths); finding a child by its label values takes the family's lock.
// Figures read from elsewhere (RocksDB, /proc) are set by collectors run on each Expose.
//
// Thread-safe. Families and children live as long as the registry.
#ifndef AGREEMENTS_COMMON_METRICS_H_
#define AGREEMENTS_COMMON_METRICS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace agreements::metrics {

// A value that only goes up (or is set from a source that only goes up).
class Counter {
 public:
  void Increment(double by = 1);
  // For a counter mirrored from elsewhere (a RocksDB ticker, the process's CPU time).
  void Set(double total);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double by);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Cumulative buckets with the given upper bounds (ascending), plus +Inf.
class Histogram {
 public:
  explicit Histogram(const std::vector<double>& bounds);
  void Observe(double value);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // per bound, then +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Read() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bucket, not cumulative
  std::atomic<double> sum_{0};
};

// Upper bounds for latencies in seconds: 100 us to 10 s.
std::vector<double> LatencyBuckets();
// 1, 2, 4, ... up to `max` (a power of two).
std::vector<double> PowersOfTwo(double max);

enum class Type { kCounter, kGauge, kHistogram };

// One metric name, its help and its label names; children by label values.
template <typename T>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::function<std::unique_ptr<T>()> make)
      : name_(std::move(name)),
        help_(std::move(help)),
        label_names_(std::move(label_names)),
        make_(std::move(make)) {}

  // The child with these label values (as many as label names), created when new.
  T& With(std::initializer_list<absl::string_view> values);
  T& With(const std::vector<std::string>& values);

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // Calls `f(values, child)` for each child in label order.
  void ForEach(
      const std::function<void(const std::vector<std::string>&, const T&)>& f) const;

 private:
  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  const std::function<std::unique_ptr<T>()> make_;
  mutable absl::Mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> children_ ABSL_GUARDED_BY(mu_);
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Names must be valid Prometheus names (counters end in _total); each once.
  Family<Counter>& AddCounter(std::string name, std::string help,
                              std::vector<std::string> label_names = {});
  Family<Gauge>& AddGauge(std::string name, std::string help,
                          std::vector<std::string> label_names = {});
  Family<Histogram>& AddHistogram(std::string name, std::string help,
                                  std::vector<double> bounds,
                                  std::vector<std::string> label_names = {});
  // Runs before each Expose (in the order added), to set gauges and mirrored counters.
  void AddCollector(std::function<void()> collect);

  // The text exposition of every family, in the order added.
  std::string Expose() const;

 private:
  struct Entry {
    Type type;
    Family<Counter>* counters = nullptr;
    Family<Gauge>* gauges = nullptr;
    Family<Histogram>* histograms = nullptr;
  };
  mutable absl::Mutex mu_;
  std::vector<Entry> entries_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Family<Counter>>> counters_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Family<Gauge>>> gauges_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Family<Histogram>>> histograms_ ABSL_GUARDED_BY(mu_);
  std::vector<std::function<void()>> collectors_ ABSL_GUARDED_BY(mu_);
};

// The exposition's escaping of a label value (backslash, double quote, newline) and a
// number ("+Inf", "-Inf", "NaN", integers without an exponent).
std::string EscapeLabelValue(absl::string_view value);
std::string FormatValue(double value);

}  // namespace agreements::metrics

#endif  // AGREEMENTS_COMMON_METRICS_H_
