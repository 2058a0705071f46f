// End-to-end tests of the CLI's conveniences against the real server: the server's error
// details on stderr, the exit code of each class of error, "did you mean", a group named
// without its subcommand, --version, the output forms (wide, json, jsonl, yaml), the
// configuration contexts, shell completion, and `watch --state` across CLI restarts.
#include <signal.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "clients/cli_test_util.h"
#include "gtest/gtest.h"

namespace agreements::cli_test {
namespace {

constexpr absl::Duration kWait = absl::Seconds(30);

std::vector<std::string> NonEmptyLines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

TEST_F(CliTest, ErrorsShowTheServersDetails) {
  RegisterStates();
  RecordBilateral("kz-kr-health-2011", "health");
  ProcessResult result = Cli({"sign", "kz-kr-health-2011", "--party", "kz", "--date",
                              "2011", "--expected-revision", "5"});
  EXPECT_EQ(result.exit_code, 5) << Describe({"sign"}, result);
  EXPECT_TRUE(absl::StartsWith(result.err, "error: ABORTED: ")) << result.err;
  EXPECT_TRUE(absl::StrContains(result.err, "\nreason: WRONG_EXPECTED_REVISION\n"))
      << result.err;

  result = Cli({"party", "register", "--id", "nowhere", "--type", "state", "--country",
                "QQQ", "--name", "en:Nowhere"});
  EXPECT_EQ(result.exit_code, 6) << Describe({"party register"}, result);
  EXPECT_TRUE(absl::StrContains(result.err, "\nreason: INVALID_FIELD\n")) << result.err;
  EXPECT_TRUE(absl::StrContains(result.err, "\n  field party.country_code: "))
      << result.err;
}

TEST_F(CliTest, ExitCodesFollowTheClassOfTheError) {
  RegisterStates();
  EXPECT_EQ(Cli({"get", "no-such-agreement"}).exit_code, 3);  // NOT_FOUND
  EXPECT_EQ(Cli({"party", "register", "--id", "kz", "--type", "state", "--country", "KZ",
                 "--name", "en:Again"})
                .exit_code,
            5);  // ALREADY_EXISTS
  EXPECT_EQ(Cli({"party", "register", "--id", "xx", "--type", "state", "--country", "QQQ",
                 "--name", "en:Nowhere"})
                .exit_code,
            6);                                               // INVALID_ARGUMENT
  EXPECT_EQ(Cli({"list", "--status", "nope"}).exit_code, 1);  // usage
  const ProcessResult down =
      RunProcess({kCliPath, "--server", absl::StrCat("127.0.0.1:", FreePort()),
                  "--timeout", "1s", "sectors"});
  EXPECT_EQ(down.exit_code, 8) << Describe({"sectors (no server)"}, down);  // UNAVAILABLE
}

TEST_F(CliTest, UnknownWordsSuggestTheClosestAndGroupsListTheirSubcommands) {
  ProcessResult result = Cli({"lsit"});
  EXPECT_EQ(result.exit_code, 1) << Describe({"lsit"}, result);
  EXPECT_EQ(
      result.err,
      "error: INVALID_ARGUMENT: unknown command \"lsit\"; did you mean \"list\"?\n");
  result = Cli({"list", "--sectr", "energy"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(result.err, "did you mean --sector?")) << result.err;

  result = Cli({"party"});
  EXPECT_EQ(result.exit_code, 1) << Describe({"party"}, result);
  EXPECT_EQ(result.out, "");
  EXPECT_TRUE(absl::StartsWith(result.err, "Usage: agreements party SUBCOMMAND"))
      << result.err;
  for (const char* sub : {"party register", "party update", "party get", "party list"}) {
    EXPECT_TRUE(absl::StrContains(result.err, absl::StrCat("  ", sub, " "))) << sub;
  }
  result = Cli({"help", "party"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(result.out, "  party register ")) << result.out;
}

TEST_F(CliTest, VersionNamesTheClientAndTheServer) {
  ProcessResult result = Cli({"--version"});
  ASSERT_EQ(result.exit_code, 0) << Describe({"--version"}, result);
  EXPECT_TRUE(absl::StartsWith(result.out, "agreements ")) << result.out;
  EXPECT_TRUE(absl::StrContains(result.out, "\nserver: agreements-server "))
      << result.out;
  EXPECT_TRUE(absl::StrContains(result.out, absl::StrCat(" at ", address_)))
      << result.out;

  result = RunProcess(
      {kCliPath, "--server", absl::StrCat("127.0.0.1:", FreePort()), "version"});
  EXPECT_EQ(result.exit_code, 0) << Describe({"version (no server)"}, result);
  EXPECT_TRUE(absl::StrContains(result.out, "\nserver: unreachable (")) << result.out;

  result = Cli({"version", "-o", "json"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(result.out, "\"reachable\": true")) << result.out;
}

TEST_F(CliTest, OutputFormsWideJsonJsonlYaml) {
  RegisterStates();
  RecordBilateral("a-energy", "energy");
  RecordBilateral("b-energy", "energy");
  CliOk({"sign", "a-energy", "--party", "kz", "--date", "2009-05-13"});

  const std::vector<std::string> jsonl =
      NonEmptyLines(CliOk({"list", "--sector", "energy", "-o", "jsonl"}));
  ASSERT_EQ(jsonl.size(), 2u);
  EXPECT_TRUE(absl::StartsWith(jsonl[0], R"({"id":"a-energy",)")) << jsonl[0];
  EXPECT_TRUE(absl::StrContains(jsonl[0], R"("status":"signed_not_in_force")"))
      << jsonl[0];
  EXPECT_TRUE(absl::StrContains(jsonl[0], R"("signedOn":"2009-05-13")")) << jsonl[0];
  EXPECT_TRUE(absl::StrContains(jsonl[0], R"("instrumentKind":"agreement")")) << jsonl[0];
  EXPECT_TRUE(absl::StrContains(jsonl[0], R"("revision":2,)")) << jsonl[0];

  const std::string json = CliOk({"get", "a-energy", "-o", "json"});
  EXPECT_TRUE(absl::StrContains(json, "\"legalNature\": \"binding_international\""))
      << json;
  const std::string yaml = CliOk({"get", "a-energy", "-o", "yaml"});
  EXPECT_TRUE(absl::StartsWith(yaml, "agreement:\n  id: a-energy\n")) << yaml;
  EXPECT_TRUE(absl::StrContains(yaml, "\n  signedOn: \"2009-05-13\"\n")) << yaml;

  const std::string wide = CliOk({"list", "-o", "wide"});
  EXPECT_TRUE(absl::StartsWith(wide, "ID")) << wide;
  EXPECT_TRUE(absl::StrContains(NonEmptyLines(wide)[0], "NATURE")) << wide;
  EXPECT_TRUE(absl::StrContains(wide, "kz,kr")) << wide;
  EXPECT_TRUE(absl::StrContains(CliOk({"party", "list", "-o", "wide"}), "IDENTIFIERS"));
  EXPECT_EQ(CliOk({"list", "--count", "-o", "yaml"}), "count: 2\n");
}

TEST_F(CliTest, ContextsNameTheServerAndTheOutput) {
  // Cli() passes --server: set-context stores it.
  std::string out = CliOk({"config", "set-context", "test", "--default-output", "jsonl"});
  EXPECT_TRUE(absl::StartsWith(out, "context \"test\" created in ")) << out;
  EXPECT_EQ(CliOk({"config", "use-context", "test"}), "switched to context \"test\"\n");
  EXPECT_EQ(CliOk({"config", "current-context"}), "test\n");
  out = CliOk({"config", "get-contexts"});
  ASSERT_EQ(NonEmptyLines(out).size(), 2u) << out;
  EXPECT_TRUE(absl::StartsWith(NonEmptyLines(out)[1], "*")) << out;
  EXPECT_TRUE(absl::StrContains(out, absl::StrCat("test  ", address_))) << out;

  // No --server: the context's server, and its default output.
  RegisterStates();
  ProcessResult result = RunProcess({kCliPath, "party", "list"});
  ASSERT_EQ(result.exit_code, 0) << Describe({"party list (context)"}, result);
  EXPECT_EQ(NonEmptyLines(result.out).size(), 2u) << result.out;
  EXPECT_TRUE(absl::StartsWith(result.out, R"({"id":"kr",)")) << result.out;
  result = RunProcess({kCliPath, "party", "list", "-o", "table"});
  EXPECT_TRUE(absl::StartsWith(result.out, "ID")) << result.out;

  result = RunProcess({kCliPath, "--context", "tset", "sectors"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(result.err, "did you mean \"test\"?")) << result.err;
  EXPECT_EQ(Cli({"config", "use-context", "nope"}).exit_code, 1);

  out = CliOk({"config", "delete-context", "test"});
  EXPECT_TRUE(absl::StrContains(out, "it was the current context")) << out;
  EXPECT_TRUE(absl::StartsWith(CliOk({"config", "get-contexts"}), "no contexts in "));
  EXPECT_EQ(Cli({"config", "current-context"}).exit_code, 1);
}

TEST_F(CliTest, CompletionScriptsComeFromTheCommandTables) {
  const std::string bash = CliOk({"completion", "bash"});
  EXPECT_TRUE(absl::StrContains(bash, "complete -F _agreements agreements")) << bash;
  EXPECT_TRUE(absl::StrContains(bash, "\"watch-sector\")")) << bash;
  EXPECT_TRUE(absl::StartsWith(CliOk({"completion", "zsh"}), "#compdef agreements\n"));
  EXPECT_TRUE(absl::StrContains(CliOk({"completion", "fish"}), "complete -c agreements"));
  EXPECT_EQ(Cli({"completion", "tcsh"}).exit_code, 1);
}

// The positions of the event rows of a watch's table output.
std::vector<uint64_t> EventRows(const std::string& out) {
  std::vector<uint64_t> positions;
  for (const std::string& line : NonEmptyLines(out)) {
    uint64_t position = 0;
    const std::string first = std::string(line.substr(0, line.find(' ')));
    if (absl::SimpleAtoi(first, &position)) positions.push_back(position);
  }
  return positions;
}

TEST_F(CliTest, WatchWithStateResumesAfterTheLastEventItPrinted) {
  RegisterStates();                       // 1, 2
  RecordBilateral("a-energy", "energy");  // 3
  const std::string state = absl::StrCat(temp_dir_, "/watch.state");
  Background first =
      SpawnCli("first", {"watch", "--from", "beginning", "--state", state});
  EXPECT_TRUE(
      WaitUntil([&] { return absl::StrContains(first.out(), "caught up at 3"); }, kWait))
      << first.out() << first.err();
  kill(first.pid, SIGTERM);
  EXPECT_EQ(WaitForExit(first, absl::Seconds(10)), 0) << first.err();
  EXPECT_EQ(EventRows(first.out()), (std::vector<uint64_t>{1, 2, 3})) << first.out();
  EXPECT_EQ(absl::StripAsciiWhitespace(ReadWholeFile(state)), "3");

  RecordBilateral("b-energy", "energy");                           // 4
  CliOk({"sign", "b-energy", "--party", "kz", "--date", "2010"});  // 5
  // --from beginning is ignored once the state file exists.
  Background second =
      SpawnCli("second", {"watch", "--from", "beginning", "--state", state});
  EXPECT_TRUE(
      WaitUntil([&] { return absl::StrContains(second.out(), "caught up at 5"); }, kWait))
      << second.out() << second.err();
  RecordBilateral("c-energy", "energy");  // 6, live
  EXPECT_TRUE(WaitUntil([&] { return EventRows(second.out()).size() == 3; }, kWait))
      << second.out();
  kill(second.pid, SIGINT);
  EXPECT_EQ(WaitForExit(second, absl::Seconds(10)), 0) << second.err();
  EXPECT_EQ(EventRows(second.out()), (std::vector<uint64_t>{4, 5, 6})) << second.out();
  EXPECT_TRUE(absl::StrContains(second.err(), "watch: resuming after position 3"))
      << second.err();
  EXPECT_EQ(absl::StripAsciiWhitespace(ReadWholeFile(state)), "6");

  WriteTempFile("bad.state", "not a position\n");
  const ProcessResult bad =
      Cli({"watch", "--state", absl::StrCat(temp_dir_, "/bad.state")});
  EXPECT_EQ(bad.exit_code, 1) << Describe({"watch --state bad"}, bad);
}

TEST_F(CliTest, WatchRetryNotesAreOneLineEach) {
  RegisterStates();
  Background watch = SpawnCli("watch", {"watch", "--from", "beginning"});
  EXPECT_TRUE(
      WaitUntil([&] { return absl::StrContains(watch.out(), "caught up at 2"); }, kWait));
  EXPECT_EQ(StopServer(SIGTERM), 0);
  EXPECT_TRUE(
      WaitUntil([&] { return absl::StrContains(watch.err(), "retrying in"); }, kWait))
      << watch.err();
  StartServer();
  EXPECT_TRUE(WaitUntil(
      [&] { return absl::StrContains(watch.err(), "watch: reconnected"); }, kWait))
      << watch.err();
  kill(watch.pid, SIGTERM);
  EXPECT_EQ(WaitForExit(watch, absl::Seconds(10)), 0);
  for (const std::string& line : NonEmptyLines(watch.err())) {
    EXPECT_TRUE(absl::StartsWith(line, "watch: connection lost (") ||
                line == "watch: reconnected")
        << line;
    if (absl::StartsWith(line, "watch: connection lost (")) {
      EXPECT_TRUE(absl::StrContains(line, "); retrying in ")) << line;
    }
  }
}

}  // namespace
}  // namespace agreements::cli_test
