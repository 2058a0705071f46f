// End-to-end tests of the feed commands, `watch` and `watch-sector`, against the real
// server: catch-up output and filters, live delivery to a watch started before the
// command, the live sector view, and resumption across server kills and restarts on the
// same port and data directory. Every wait is bounded.
#include <signal.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "agreements/v1/feed_service.pb.h"
#include "clients/cli_test_util.h"
#include "gtest/gtest.h"

namespace agreements::cli_test {
namespace {

constexpr absl::Duration kWatchWait = absl::Seconds(30);

// The complete lines of `out` (a line still being written is left out).
std::vector<std::string> Lines(const std::string& out) {
  std::vector<std::string> lines = absl::StrSplit(out, '\n');
  lines.pop_back();  // after the last '\n': empty or incomplete
  return lines;
}

// The whitespace-separated fields of each table row that starts with a position.
std::vector<std::vector<std::string>> Rows(const std::string& out) {
  std::vector<std::vector<std::string>> rows;
  for (const std::string& line : Lines(out)) {
    std::vector<std::string> fields = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    uint64_t position = 0;
    if (!fields.empty() && absl::SimpleAtoi(fields[0], &position)) rows.push_back(fields);
  }
  return rows;
}

std::vector<uint64_t> RowPositions(const std::string& out) {
  std::vector<uint64_t> positions;
  for (const auto& row : Rows(out)) positions.push_back(std::stoull(row[0]));
  return positions;
}

template <typename Response>
std::vector<Response> JsonLines(const std::string& out) {
  std::vector<Response> messages;
  for (const std::string& line : Lines(out)) {
    messages.push_back(ParseJsonOrDie<Response>(line));
  }
  return messages;
}

std::vector<uint64_t> EventPositions(const std::vector<v1::SubscribeResponse>& messages) {
  std::vector<uint64_t> positions;
  for (const v1::SubscribeResponse& m : messages) {
    if (m.has_event()) positions.push_back(m.event().envelope().position());
  }
  return positions;
}

// "e3" for an event, "c4" for a checkpoint, "u5" for caught-up, "f6" for fell-behind.
std::string Kinds(const std::vector<v1::SubscribeResponse>& messages) {
  std::vector<std::string> kinds;
  for (const v1::SubscribeResponse& m : messages) {
    if (m.has_event())
      kinds.push_back(absl::StrCat("e", m.event().envelope().position()));
    if (m.has_checkpoint()) kinds.push_back(absl::StrCat("c", m.checkpoint().position()));
    if (m.has_caught_up()) kinds.push_back(absl::StrCat("u", m.caught_up().position()));
    if (m.has_fell_behind()) {
      kinds.push_back(absl::StrCat("f", m.fell_behind().position()));
    }
  }
  return absl::StrJoin(kinds, " ");
}

std::vector<uint64_t> Range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> positions;
  for (uint64_t p = first; p <= last; ++p) positions.push_back(p);
  return positions;
}

class WatchTest : public CliTest {
 protected:
  // Parties kz, kr (positions 1, 2); a-energy (3); b-transport (4); kz signs a-energy
  // (5).
  void RecordFiveEvents() {
    RegisterStates();
    RecordBilateral("a-energy", "energy");
    RecordBilateral("b-transport", "transport");
    CliOk({"sign", "a-energy", "--party", "kz", "--date", "2009-05-13"});
  }

  // Waits until the background process printed `text` on stdout.
  void ExpectOutput(const Background& process, const std::string& text) {
    EXPECT_TRUE(
        WaitUntil([&] { return absl::StrContains(process.out(), text); }, kWatchWait))
        << "no \"" << text << "\" in time\n--- stdout\n"
        << process.out() << "--- stderr\n"
        << process.err();
  }
};

TEST_F(WatchTest, FromTheBeginningPrintsTheRecordedEventsInOrder) {
  RecordFiveEvents();
  const std::string table = CliOk({"watch", "--from", "beginning", "--limit", "5"});
  EXPECT_EQ(RowPositions(table), Range(1, 5)) << table;
  EXPECT_TRUE(absl::StartsWith(table, "POSITION")) << table;
  const auto rows = Rows(table);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0][2], "party/kz");
  EXPECT_EQ(rows[0][4], "party_registered");
  EXPECT_EQ(rows[4][2], "agreement/a-energy");
  EXPECT_EQ(rows[4][3], "2");  // revision
  EXPECT_EQ(rows[4][4], "participant_signed");

  const auto energy = JsonLines<v1::SubscribeResponse>(
      CliOk({"-o", "json", "--proto-json", "watch", "--from", "beginning", "--sector",
             "energy", "--limit", "2"}));
  EXPECT_EQ(EventPositions(energy), (std::vector<uint64_t>{3, 5}));
  ASSERT_FALSE(energy.empty());
  EXPECT_EQ(energy.back().event().payload().participant_signed().party_id(), "kz");

  // Checkpoints and the caught-up marker are lines of their own in JSON.
  const auto marked = JsonLines<v1::SubscribeResponse>(
      CliOk({"-o", "json", "--proto-json", "watch", "--from", "beginning", "--sector",
             "energy", "--checkpoint-every", "1", "--limit", "2"}));
  EXPECT_EQ(Kinds(marked), "c1 c2 e3 c4 e5");

  const std::string signed_only =
      CliOk({"watch", "--from", "4", "--type", "participant_signed", "--limit", "1"});
  EXPECT_EQ(RowPositions(signed_only), (std::vector<uint64_t>{5})) << signed_only;
  const std::string by_party =
      CliOk({"watch", "--from", "beginning", "--party", "kr", "--limit", "4"});
  EXPECT_EQ(RowPositions(by_party), (std::vector<uint64_t>{2, 3, 4, 5})) << by_party;
}

TEST_F(WatchTest, FromNowPrintsACommandRecordedAfterIt) {
  RegisterStates();
  Background watch = SpawnCli("watch", {"watch", "--limit", "1"});
  ExpectOutput(watch, "-- caught up at 2 --");
  RecordBilateral("a-energy", "energy");
  EXPECT_EQ(WaitForExit(watch), 0) << watch.out() << watch.err();
  EXPECT_EQ(RowPositions(watch.out()), (std::vector<uint64_t>{3})) << watch.out();
  EXPECT_TRUE(absl::StrContains(watch.out(), "agreement/a-energy")) << watch.out();
  EXPECT_EQ(watch.err(), "");
}

TEST_F(WatchTest, StopsCleanlyOnSigint) {
  Background watch = SpawnCli("watch", {"watch", "--from", "beginning"});
  ExpectOutput(watch, "-- caught up at 0 --");
  kill(watch.pid, SIGINT);
  EXPECT_EQ(WaitForExit(watch, absl::Seconds(10)), 0) << watch.err();
}

TEST_F(WatchTest, WatchSectorPrintsTheSnapshotThenLiveChanges) {
  RegisterStates();
  RecordBilateral("a-energy", "energy");
  RecordBilateral("b-transport", "transport");
  Background watch =
      SpawnCli("sector", {"watch-sector", "energy", "--status", "draft", "--limit", "3"});
  ExpectOutput(watch, "-- caught up at 4 --");
  RecordBilateral("c-energy", "energy");                           // 5: enters the view
  CliOk({"sign", "a-energy", "--party", "kz", "--date", "2009"});  // 6: leaves it
  EXPECT_EQ(WaitForExit(watch), 0) << watch.out() << watch.err();

  const std::string out = watch.out();
  const auto rows = Rows(out);
  ASSERT_EQ(rows.size(), 3u) << out;
  // POSITION AGREEMENT STATUS REV TITLE...
  EXPECT_EQ(rows[0][1], "a-energy");
  EXPECT_EQ(rows[0][2], "draft");
  EXPECT_EQ(rows[0][3], "1");
  EXPECT_EQ(rows[0].back(), "(snapshot)");
  EXPECT_EQ(absl::StrJoin(rows[1], " "), "5 c-energy draft 1 Agreement c-energy");
  EXPECT_EQ(absl::StrJoin(rows[2], " "), "6 a-energy (removed) 2 -");
  EXPECT_FALSE(absl::StrContains(out, "b-transport")) << out;

  // Resuming after the snapshot's position gives the changes only.
  const auto resumed = JsonLines<v1::WatchSectorResponse>(
      CliOk({"-o", "json", "--proto-json", "watch-sector", "energy", "--status", "draft",
             "--resume-after", "4", "--limit", "2"}));
  std::vector<std::string> changes;
  for (const v1::WatchSectorResponse& m : resumed) {
    if (m.has_update()) {
      EXPECT_FALSE(m.update().snapshot());
      changes.push_back(
          absl::StrCat(m.update().agreement().id(), "@", m.update().position()));
    }
    if (m.has_removed()) {
      changes.push_back(
          absl::StrCat("-", m.removed().agreement_id(), "@", m.removed().position()));
    }
  }
  EXPECT_EQ(changes, (std::vector<std::string>{"c-energy@5", "-a-energy@6"}));
}

TEST_F(WatchTest, ResumesAcrossServerRestartsWithoutGapsOrRepeats) {
  RecordFiveEvents();
  Background watch =
      SpawnCli("watch", {"-o", "json", "--proto-json", "watch", "--from", "beginning"});
  ExpectOutput(watch, R"("caughtUp":{"position":"5"})");

  // A crash: the stream breaks without a status; appends follow the restart.
  EXPECT_EQ(StopServer(SIGKILL), 128 + SIGKILL);
  EXPECT_TRUE(WaitUntil([&] { return absl::StrContains(watch.err(), "retrying in"); },
                        kWatchWait))
      << watch.err();
  StartServer();
  RecordBilateral("c-energy", "energy");                           // 6
  CliOk({"sign", "c-energy", "--party", "kz", "--date", "2010"});  // 7
  ExpectOutput(watch, R"("position":"7")");

  // A clean shutdown: the stream ends with UNAVAILABLE.
  EXPECT_EQ(StopServer(SIGTERM), 0) << ReadWholeFile(log_path_);
  StartServer();
  CliOk({"sign", "c-energy", "--party", "kr", "--date", "2010"});  // 8
  ExpectOutput(watch, R"("position":"8")");

  kill(watch.pid, SIGTERM);
  EXPECT_EQ(WaitForExit(watch, absl::Seconds(10)), 0) << watch.err();
  const auto messages = JsonLines<v1::SubscribeResponse>(watch.out());
  EXPECT_EQ(EventPositions(messages), Range(1, 8)) << Kinds(messages);
  EXPECT_TRUE(absl::StrContains(watch.err(), "reconnected")) << watch.err();
}

TEST_F(WatchTest, BadRequestsAreReported) {
  ProcessResult result = Cli({"watch", "--sector", "no-such-sector"});
  EXPECT_EQ(result.exit_code, 6) << Describe({"watch --sector"}, result);
  EXPECT_TRUE(absl::StartsWith(result.err, "error: INVALID_ARGUMENT: filter.sectors[0]"))
      << result.err;
  EXPECT_EQ(result.out, "");

  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"watch", "--from", "0"},
           {"watch", "--from", "yesterday"},
           {"watch", "--kind", "no-such-kind"},
           {"watch", "--limit", "0"},
           {"watch", "--checkpoint-interval", "soon"},
           {"watch-sector"},
           {"watch-sector", "energy", "--status", "x"}}) {
    result = Cli(args);
    EXPECT_EQ(result.exit_code, 1) << Describe(args, result);
  }
  result = Cli({"watch-sector", "energy", "--checkpoint-interval", "10ms"});
  EXPECT_EQ(result.exit_code, 6) << Describe({"watch-sector"}, result);
  EXPECT_TRUE(absl::StrContains(result.err, "checkpoint_interval_ms")) << result.err;
}

}  // namespace
}  // namespace agreements::cli_test
