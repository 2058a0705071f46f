#include "common/log.h"

#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace agreements::logging {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override { RedirectForTest(&out_); }
  void TearDown() override {
    RedirectForTest(nullptr);
    Configure(Format::kJson, Level::kInfo);
  }

  std::vector<std::string> Lines() const {
    std::vector<std::string> lines = absl::StrSplit(out_.str(), '\n', absl::SkipEmpty());
    return lines;
  }

  // Parses one JSON line with protobuf's own parser.
  static google::protobuf::Struct Parse(const std::string& line) {
    google::protobuf::Struct parsed;
    const auto status = google::protobuf::util::JsonStringToMessage(line, &parsed);
    EXPECT_TRUE(status.ok()) << status.ToString() << " in " << line;
    return parsed;
  }

  std::ostringstream out_;
};

TEST_F(LogTest, JsonLinesCarryTimeLevelMessageAndTypedFields) {
  Configure(Format::kJson, Level::kInfo);
  Info("request failed", {{"method", "/agreements.v1.QueryService/GetAgreement"},
                          {"code", "NOT_FOUND"},
                          {"latency_ms", 1.25},
                          {"position", uint64_t{42}},
                          {"retried", false}});
  const std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  const google::protobuf::Struct line = Parse(lines[0]);
  const auto& f = line.fields();
  EXPECT_EQ(f.at("level").string_value(), "info");
  EXPECT_EQ(f.at("msg").string_value(), "request failed");
  EXPECT_EQ(f.at("method").string_value(), "/agreements.v1.QueryService/GetAgreement");
  EXPECT_EQ(f.at("code").string_value(), "NOT_FOUND");
  EXPECT_DOUBLE_EQ(f.at("latency_ms").number_value(), 1.25);
  EXPECT_EQ(f.at("position").number_value(), 42);
  EXPECT_FALSE(f.at("retried").bool_value());
  // RFC 3339 in UTC with microseconds.
  const std::string time = f.at("time").string_value();
  ASSERT_EQ(time.size(), 27u) << time;
  EXPECT_EQ(time[10], 'T');
  EXPECT_EQ(time.back(), 'Z');
}

TEST_F(LogTest, TextThatWouldBreakTheLineIsEscaped) {
  Configure(Format::kJson, Level::kInfo);
  const std::string nasty = "a \"quoted\" \\ line\nwith\ttabs and \x01 control";
  Warning(nasty, {{"principal", nasty}});
  const std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 1u) << out_.str();
  const google::protobuf::Struct line = Parse(lines[0]);
  EXPECT_EQ(line.fields().at("msg").string_value(), nasty);
  EXPECT_EQ(line.fields().at("principal").string_value(), nasty);
  EXPECT_EQ(line.fields().at("level").string_value(), "warning");
}

TEST_F(LogTest, RecordsBelowTheLevelAreDropped) {
  Configure(Format::kJson, Level::kWarning);
  EXPECT_FALSE(Enabled(Level::kInfo));
  EXPECT_TRUE(Enabled(Level::kError));
  Debug("debug");
  Info("info");
  Warning("warning");
  Error("error");
  const std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 2u) << out_.str();
  EXPECT_EQ(Parse(lines[0]).fields().at("msg").string_value(), "warning");
  EXPECT_EQ(Parse(lines[1]).fields().at("level").string_value(), "error");
}

TEST_F(LogTest, TextFormatIsKeyValueQuotedWhenNeeded) {
  Configure(Format::kText, Level::kDebug);
  Debug("subscriber connected",
        {{"principal", "alice"}, {"filter", "sector energy"}, {"streams", 3}});
  const std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(" debug   subscriber connected principal=alice "
                          "filter=\"sector energy\" streams=3"),
            std::string::npos)
      << lines[0];
}

TEST(LogParseTest, LevelsAndFormatsByName) {
  EXPECT_EQ(*ParseLevel("DEBUG"), Level::kDebug);
  EXPECT_EQ(*ParseLevel("warn"), Level::kWarning);
  EXPECT_EQ(*ParseFormat("text"), Format::kText);
  EXPECT_NE(
      ParseLevel("verbose").status().message().find("debug, info, warning or error"),
      std::string::npos);
  EXPECT_FALSE(ParseFormat("xml").ok());
}

}  // namespace
}  // namespace agreements::logging
