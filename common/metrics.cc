#include "common/metrics.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace agreements::metrics {
namespace {

void AtomicAdd(std::atomic<double>& target, double by) {
  double old = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(old, old + by, std::memory_order_relaxed)) {
  }
}

std::string EscapeHelp(absl::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (const char c : help) {
    if (c == '\\') {
      out.append("\\\\");
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// {a="x",b="y"} with `extra` (a name and value) appended; "" when there is nothing.
std::string LabelSet(const std::vector<std::string>& names,
                     const std::vector<std::string>& values,
                     const std::pair<std::string, std::string>* extra = nullptr) {
  if (names.empty() && extra == nullptr) return "";
  std::string out = "{";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out.push_back(',');
    absl::StrAppend(&out, names[i], "=\"", EscapeLabelValue(values[i]), "\"");
  }
  if (extra != nullptr) {
    if (!names.empty()) out.push_back(',');
    absl::StrAppend(&out, extra->first, "=\"", EscapeLabelValue(extra->second), "\"");
  }
  out.push_back('}');
  return out;
}

void Header(std::string& out, const std::string& name, const std::string& help,
            const char* type) {
  absl::StrAppend(&out, "# HELP ", name, " ", EscapeHelp(help), "\n# TYPE ", name, " ",
                  type, "\n");
}

template <typename T>
void ExposeSimple(std::string& out, const Family<T>& family, const char* type) {
  Header(out, family.name(), family.help(), type);
  family.ForEach([&](const std::vector<std::string>& values, const T& child) {
    absl::StrAppend(&out, family.name(), LabelSet(family.label_names(), values), " ",
                    FormatValue(child.value()), "\n");
  });
}

void ExposeHistograms(std::string& out, const Family<Histogram>& family) {
  Header(out, family.name(), family.help(), "histogram");
  const std::string& name = family.name();
  family.ForEach([&](const std::vector<std::string>& values, const Histogram& h) {
    const Histogram::Snapshot snapshot = h.Read();
    for (size_t i = 0; i <= h.bounds().size(); ++i) {
      const std::pair<std::string, std::string> le(
          "le", i < h.bounds().size() ? FormatValue(h.bounds()[i]) : "+Inf");
      absl::StrAppend(&out, name, "_bucket", LabelSet(family.label_names(), values, &le),
                      " ", snapshot.cumulative[i], "\n");
    }
    const std::string labels = LabelSet(family.label_names(), values);
    absl::StrAppend(&out, name, "_sum", labels, " ", FormatValue(snapshot.sum), "\n",
                    name, "_count", labels, " ", snapshot.count, "\n");
  });
}

}  // namespace

void Counter::Increment(double by) {
  if (by > 0) AtomicAdd(value_, by);
}

void Counter::Set(double total) { value_.store(total, std::memory_order_relaxed); }

void Gauge::Add(double by) { AtomicAdd(value_, by); }

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), counts_(new std::atomic<uint64_t>[bounds.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i] = 0;
}

void Histogram::Observe(double value) {
  const size_t bucket =
      std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(sum_, value);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot snapshot;
  snapshot.cumulative.resize(bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    snapshot.cumulative[i] = running;
  }
  snapshot.count = running;
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

std::vector<double> LatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

std::vector<double> PowersOfTwo(double max) {
  std::vector<double> bounds;
  for (double b = 1; b <= max; b *= 2) bounds.push_back(b);
  return bounds;
}

template <typename T>
T& Family<T>::With(std::initializer_list<absl::string_view> values) {
  std::vector<std::string> key;
  key.reserve(values.size());
  for (absl::string_view v : values) key.emplace_back(v);
  return With(key);
}

template <typename T>
T& Family<T>::With(const std::vector<std::string>& values) {
  absl::MutexLock lock(&mu_);
  auto it = children_.find(values);
  if (it == children_.end()) {
    std::vector<std::string> key = values;
    key.resize(label_names_.size());  // a wrong count is padded or cut, never a crash
    it = children_.find(key);
    if (it == children_.end()) it = children_.emplace(std::move(key), make_()).first;
  }
  return *it->second;
}

template <typename T>
void Family<T>::ForEach(
    const std::function<void(const std::vector<std::string>&, const T&)>& f) const {
  absl::MutexLock lock(&mu_);
  for (const auto& [values, child] : children_) f(values, *child);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

Family<Counter>& Registry::AddCounter(std::string name, std::string help,
                                      std::vector<std::string> label_names) {
  absl::MutexLock lock(&mu_);
  counters_.push_back(std::make_unique<Family<Counter>>(
      std::move(name), std::move(help), std::move(label_names),
      [] { return std::make_unique<Counter>(); }));
  entries_.push_back(Entry{Type::kCounter, counters_.back().get()});
  return *counters_.back();
}

Family<Gauge>& Registry::AddGauge(std::string name, std::string help,
                                  std::vector<std::string> label_names) {
  absl::MutexLock lock(&mu_);
  gauges_.push_back(std::make_unique<Family<Gauge>>(
      std::move(name), std::move(help), std::move(label_names),
      [] { return std::make_unique<Gauge>(); }));
  Entry entry{Type::kGauge};
  entry.gauges = gauges_.back().get();
  entries_.push_back(entry);
  return *gauges_.back();
}

Family<Histogram>& Registry::AddHistogram(std::string name, std::string help,
                                          std::vector<double> bounds,
                                          std::vector<std::string> label_names) {
  std::sort(bounds.begin(), bounds.end());
  absl::MutexLock lock(&mu_);
  histograms_.push_back(std::make_unique<Family<Histogram>>(
      std::move(name), std::move(help), std::move(label_names),
      [bounds] { return std::make_unique<Histogram>(bounds); }));
  Entry entry{Type::kHistogram};
  entry.histograms = histograms_.back().get();
  entries_.push_back(entry);
  return *histograms_.back();
}

void Registry::AddCollector(std::function<void()> collect) {
  absl::MutexLock lock(&mu_);
  collectors_.push_back(std::move(collect));
}

std::string Registry::Expose() const {
  std::vector<std::function<void()>> collectors;
  std::vector<Entry> entries;
  {
    absl::MutexLock lock(&mu_);
    collectors = collectors_;
    entries = entries_;
  }
  for (const auto& collect : collectors) collect();
  std::string out;
  for (const Entry& entry : entries) {
    switch (entry.type) {
      case Type::kCounter:
        ExposeSimple(out, *entry.counters, "counter");
        break;
      case Type::kGauge:
        ExposeSimple(out, *entry.gauges, "gauge");
        break;
      case Type::kHistogram:
        ExposeHistograms(out, *entry.histograms);
        break;
    }
  }
  return out;
}

std::string EscapeLabelValue(absl::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out.append("\\\\");
    } else if (c == '"') {
      out.append("\\\"");
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  // The shortest of 15 and 17 digits that reads back as the same double.
  std::string text = absl::StrFormat("%.15g", value);
  double back = 0;
  if (absl::SimpleAtod(text, &back) && back == value) return text;
  return absl::StrFormat("%.17g", value);
}

}  // namespace agreements::metrics
