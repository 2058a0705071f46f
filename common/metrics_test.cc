#include "common/metrics.h"

#include <cstdio>
#include <fstream>
#include <string>

#include "common/process_metrics.h"
#include "common/temp_dir.h"
#include "gtest/gtest.h"

namespace agreements::metrics {
namespace {

// Runs `promtool check metrics` on `text`; its exit code and output.
std::pair<int, std::string> PromtoolCheck(const std::string& text) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/metrics.txt";
  std::ofstream(path) << text;
  const std::string command = "promtool check metrics < " + path + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  return {WEXITSTATUS(status), output};
}

TEST(MetricsTest, CountersGaugesAndLabelsAreExposed) {
  Registry registry;
  auto& requests = registry.AddCounter(
      "test_requests_total", "Requests by method and code.", {"method", "code"});
  requests.With({"/a.B/C", "OK"}).Increment();
  requests.With({"/a.B/C", "OK"}).Increment(2);
  requests.With({"/a.B/C", "NOT_FOUND"}).Increment();
  registry.AddGauge("test_head_position", "The log's head.").With({}).Set(42);
  const std::string text = registry.Expose();
  EXPECT_NE(text.find("# HELP test_requests_total Requests by method and code.\n"
                      "# TYPE test_requests_total counter\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("test_requests_total{method=\"/a.B/C\",code=\"OK\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("test_requests_total{method=\"/a.B/C\",code=\"NOT_FOUND\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE test_head_position gauge\ntest_head_position 42\n"),
            std::string::npos)
      << text;
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithSumAndCount) {
  Registry registry;
  auto& latency = registry.AddHistogram("test_duration_seconds", "Latency.",
                                        {0.001, 0.01, 0.1}, {"method"});
  Histogram& h = latency.With({"/x"});
  h.Observe(0.0005);
  h.Observe(0.001);  // on a bound: counted in that bucket (le)
  h.Observe(0.05);
  h.Observe(3);
  const std::string text = registry.Expose();
  EXPECT_NE(text.find("test_duration_seconds_bucket{method=\"/x\",le=\"0.001\"} 2\n"
                      "test_duration_seconds_bucket{method=\"/x\",le=\"0.01\"} 2\n"
                      "test_duration_seconds_bucket{method=\"/x\",le=\"0.1\"} 3\n"
                      "test_duration_seconds_bucket{method=\"/x\",le=\"+Inf\"} 4\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("test_duration_seconds_count{method=\"/x\"} 4\n"),
            std::string::npos);
  EXPECT_NE(text.find("test_duration_seconds_sum{method=\"/x\"} 3.0515"),
            std::string::npos)
      << text;
}

TEST(MetricsTest, LabelValuesAndHelpAreEscaped) {
  Registry registry;
  registry.AddCounter("test_odd_total", "Help with a \\ and a\nnewline.", {"principal"})
      .With({"a \"quoted\" \\ name\nnext"})
      .Increment();
  const std::string text = registry.Expose();
  EXPECT_NE(text.find("# HELP test_odd_total Help with a \\\\ and a\\nnewline.\n"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("test_odd_total{principal=\"a \\\"quoted\\\" \\\\ name\\nnext\"} 1\n"),
      std::string::npos)
      << text;
  EXPECT_EQ(PromtoolCheck(text).first, 0) << PromtoolCheck(text).second;
}

TEST(MetricsTest, CollectorsRunOnEachExposition) {
  Registry registry;
  Gauge& gauge = registry.AddGauge("test_collected", "Set by a collector.").With({});
  int runs = 0;
  registry.AddCollector([&] { gauge.Set(++runs * 10); });
  EXPECT_NE(registry.Expose().find("test_collected 10\n"), std::string::npos);
  EXPECT_NE(registry.Expose().find("test_collected 20\n"), std::string::npos);
}

TEST(MetricsTest, ProcessMetricsAreReadAndPassPromtool) {
  Registry registry;
  AddProcessMetrics(registry);
  registry.AddHistogram("test_wait_seconds", "Waits.", LatencyBuckets())
      .With({})
      .Observe(0.002);
  const std::string text = registry.Expose();
  for (const char* name :
       {"process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds",
        "process_max_fds", "process_start_time_seconds", "process_threads"}) {
    const size_t at = text.find(std::string("\n") + name + " ");
    ASSERT_NE(at, std::string::npos) << name << " in\n" << text;
  }
  EXPECT_EQ(text.find("process_resident_memory_bytes 0\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("process_open_fds 0\n"), std::string::npos) << text;
  const auto [code, output] = PromtoolCheck(text);
  EXPECT_EQ(code, 0) << output << "\n" << text;
}

TEST(MetricsTest, PromtoolRejectsABrokenExposition) {
  // The check above can fail: promtool finds a counter without _total.
  Registry registry;
  registry.AddCounter("test_requests", "A counter named wrongly.").With({}).Increment();
  const auto [code, output] = PromtoolCheck(registry.Expose());
  EXPECT_NE(code, 0) << output;
}

}  // namespace
}  // namespace agreements::metrics
