#include "services/server_metrics.h"

#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace agreements::services {
namespace {

TEST(ServerMetricsTest, MethodLabelsStayBoundedWhateverClientsName) {
  ServerMetrics metrics;
  for (int i = 0; i < 1000; ++i) {
    metrics.RecordCall(absl::StrCat("/made.up.Service/Method", i),
                       grpc::StatusCode::UNIMPLEMENTED, false, absl::Milliseconds(1));
  }
  std::set<std::string> labels;
  for (absl::string_view line : absl::StrSplit(metrics.Expose(), '\n')) {
    if (!absl::StartsWith(line, "agreements_requests_total{method=\"")) continue;
    line.remove_prefix(std::string("agreements_requests_total{method=\"").size());
    labels.insert(std::string(line.substr(0, line.find('"'))));
  }
  EXPECT_LE(labels.size(), 256u);
  EXPECT_EQ(labels.count("other"), 1u);
  const std::string text = metrics.Expose();
  // Every call is counted: the named ones and the rest under "other".
  EXPECT_NE(
      text.find("agreements_requests_total{method=\"other\",code=\"UNIMPLEMENTED\"} " +
                std::to_string(1000 - 255)),
      std::string::npos);
}

}  // namespace
}  // namespace agreements::services
