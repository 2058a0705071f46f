#include "clients/bench/stats.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/json_text.h"

namespace agreements::bench {
namespace {

double Ms(int64_t nanos) { return static_cast<double>(nanos) / 1e6; }

int64_t NearestRank(const std::vector<int64_t>& sorted, double q) {
  const size_t n = sorted.size();
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(n)));
  if (rank < 1) rank = 1;
  if (rank > n) rank = n;
  return sorted[rank - 1];
}

std::string JsonNumber(double value, bool integer) {
  if (!std::isfinite(value)) return "null";
  if (integer) return absl::StrCat(static_cast<int64_t>(value));
  return absl::StrFormat("%.6g", value);
}

}  // namespace

LatencySummary Summarize(std::vector<int64_t>& nanos) {
  LatencySummary s;
  if (nanos.empty()) return s;
  std::sort(nanos.begin(), nanos.end());
  s.count = static_cast<int64_t>(nanos.size());
  s.p50_ms = Ms(NearestRank(nanos, 0.50));
  s.p90_ms = Ms(NearestRank(nanos, 0.90));
  s.p99_ms = Ms(NearestRank(nanos, 0.99));
  s.p999_ms = Ms(NearestRank(nanos, 0.999));
  s.max_ms = Ms(nanos.back());
  double sum = 0;
  for (int64_t v : nanos) sum += static_cast<double>(v);
  s.mean_ms = sum / static_cast<double>(nanos.size()) / 1e6;
  return s;
}

int64_t Percentile(std::vector<int64_t>& values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return NearestRank(values, q);
}

std::string FormatNumber(double value) {
  if (!std::isfinite(value)) return "n/a";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  if (std::fabs(value) >= 1000) return absl::StrFormat("%.0f", value);
  if (std::fabs(value) >= 10) return absl::StrFormat("%.2f", value);
  return absl::StrFormat("%.3f", value);
}

void Report::Add(const std::string& key, double value) {
  figures_.push_back({key, true, false, value, ""});
}

void Report::AddInt(const std::string& key, int64_t value) {
  figures_.push_back({key, true, true, static_cast<double>(value), ""});
}

void Report::AddText(const std::string& key, const std::string& value) {
  figures_.push_back({key, false, false, 0, value});
}

void Report::AddLatency(const std::string& prefix, const LatencySummary& s, bool p999,
                        bool max) {
  Add(prefix + "_p50_ms", s.p50_ms);
  Add(prefix + "_p99_ms", s.p99_ms);
  if (p999) Add(prefix + "_p999_ms", s.p999_ms);
  if (max) Add(prefix + "_max_ms", s.max_ms);
  AddInt(prefix + "_count", s.count);
}

double Report::Get(const std::string& key, double fallback) const {
  for (const Figure& f : figures_) {
    if (f.key == key && f.numeric) return f.number;
  }
  return fallback;
}

bool Report::Has(const std::string& key) const {
  for (const Figure& f : figures_) {
    if (f.key == key) return true;
  }
  return false;
}

std::string Report::Json() const {
  std::string out = absl::StrCat("{\"scenario\":", JsonQuote(scenario_));
  for (const Figure& f : figures_) {
    absl::StrAppend(&out, ",", JsonQuote(f.key), ":",
                    f.numeric ? JsonNumber(f.number, f.integer) : JsonQuote(f.text));
  }
  out += "}";
  return out;
}

std::string Report::Table() const {
  size_t width = 10;
  for (const Figure& f : figures_) width = std::max(width, f.key.size());
  std::string out = absl::StrCat("== ", scenario_, " ==\n");
  for (const Figure& f : figures_) {
    absl::StrAppendFormat(&out, "  %-*s  %s\n", static_cast<int>(width), f.key,
                          f.numeric ? FormatNumber(f.number) : f.text);
  }
  return out;
}

}  // namespace agreements::bench
