// End-to-end tests of the `agreements` CLI against the real server binary: each test
// starts build/bin/agreements-server on a free port with a fresh data directory, runs the
// CLI as a subprocess and checks its output, exit status and the server's answers.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "agreements/v1/command_service.pb.h"
#include "agreements/v1/query_service.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace agreements {
namespace {

namespace v1 = ::agreements::v1;

constexpr char kCliPath[] = AGREEMENTS_CLI_PATH;
// The server binary; the environment variable AGREEMENTS_TEST_SERVER overrides it (to run
// these tests against another build of the server).
std::string ServerPath() {
  const char* path = std::getenv("AGREEMENTS_TEST_SERVER");
  return path != nullptr && *path != '\0' ? path : AGREEMENTS_SERVER_PATH;
}
constexpr char kDemoPath[] = AGREEMENTS_DEMO_DATA_PATH;

constexpr absl::Duration kCliTimeout = absl::Seconds(60);
constexpr absl::Duration kServerStartTimeout = absl::Seconds(30);
constexpr absl::Duration kServerStopTimeout = absl::Seconds(15);

// What a finished subprocess left: exit code (128 + signal when killed) and its output.
struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  bool timed_out = false;
};

std::string Describe(const std::vector<std::string>& argv, const ProcessResult& result) {
  return absl::StrCat("$ ", absl::StrJoin(argv, " "), "\nexit ", result.exit_code,
                      result.timed_out ? " (timed out)" : "", "\n--- stdout\n",
                      result.out, "--- stderr\n", result.err);
}

// Waits up to `timeout` for `pid`; returns its wait status, or -1 if it is still running.
int WaitFor(pid_t pid, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    int status = 0;
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0 && errno != EINTR) return -1;
    if (absl::Now() >= deadline) return -1;
    absl::SleepFor(absl::Milliseconds(20));
  }
}

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

// Runs `argv` to completion (bounded by `timeout`), capturing stdout and stderr.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         absl::Duration timeout = kCliTimeout) {
  ProcessResult result;
  int out_pipe[2];
  int err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) {
    result.err = "pipe failed";
    return result;
  }
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    close(out_pipe[0]);
    close(out_pipe[1]);
    close(err_pipe[0]);
    close(err_pipe[1]);
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  const absl::Time deadline = absl::Now() + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  while (open_fds > 0) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      result.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    const int ready = poll(fds, 2, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      char buffer[4096];
      const ssize_t n = read(fds[i].fd, buffer, sizeof(buffer));
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (const pollfd& fd : fds) {
    if (fd.fd >= 0) close(fd.fd);
  }
  int status = WaitFor(pid, absl::Seconds(5));
  if (status == -1) {
    kill(pid, SIGKILL);
    status = WaitFor(pid, absl::Seconds(5));
  }
  result.exit_code = status == -1 ? -1 : ExitCodeOf(status);
  return result;
}

// A port that was free a moment ago: bind 127.0.0.1:0 and read the assigned port.
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

template <typename Message>
Message ParseJsonOrDie(const std::string& json) {
  Message message;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &message);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return message;
}

// The server under test, one per test: a child process on a free port with its own data
// directory, stopped with SIGTERM in TearDown. Used from the test thread only.
class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string server_path = ServerPath();
    ASSERT_TRUE(std::filesystem::exists(server_path))
        << "server binary missing: " << server_path;
    std::string pattern = ::testing::TempDir() + "agreements_cli_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr) << std::strerror(errno);
    temp_dir_ = pattern;
    const std::string data_dir = temp_dir_ + "/data";
    log_path_ = temp_dir_ + "/server.log";
    const int port = FreePort();
    ASSERT_GT(port, 0);
    address_ = absl::StrCat("127.0.0.1:", port);

    server_pid_ = fork();
    if (server_pid_ == 0) {
      const int log = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(log, STDOUT_FILENO);
      dup2(log, STDERR_FILENO);
      close(log);
      execl(server_path.c_str(), server_path.c_str(), "--listen", address_.c_str(),
            "--data_dir", data_dir.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    ASSERT_GT(server_pid_, 0);
    const absl::Time deadline = absl::Now() + kServerStartTimeout;
    while (true) {
      int status = 0;
      if (waitpid(server_pid_, &status, WNOHANG) == server_pid_) {
        server_pid_ = -1;
        FAIL() << "server exited with " << ExitCodeOf(status) << " during startup:\n"
               << ReadWholeFile(log_path_);
      }
      const ProcessResult health = RunProcess(
          {kCliPath, "--server", address_, "health", "--wait", "1s"}, absl::Seconds(10));
      if (health.exit_code == 0) break;
      ASSERT_LT(absl::Now(), deadline) << "server not healthy in time\n"
                                       << Describe({"health"}, health) << "server log:\n"
                                       << ReadWholeFile(log_path_);
    }
  }

  void TearDown() override {
    if (server_pid_ > 0) {
      kill(server_pid_, SIGTERM);
      int status = WaitFor(server_pid_, kServerStopTimeout);
      if (status == -1) {
        ADD_FAILURE() << "server ignored SIGTERM for " << kServerStopTimeout;
        kill(server_pid_, SIGKILL);
        WaitFor(server_pid_, kServerStopTimeout);
      } else {
        EXPECT_EQ(ExitCodeOf(status), 0) << "server log:\n" << ReadWholeFile(log_path_);
      }
      server_pid_ = -1;
    }
    if (!temp_dir_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(temp_dir_, ignored);
    }
  }

  // Runs the CLI against the test server.
  ProcessResult Cli(std::vector<std::string> args) {
    std::vector<std::string> argv = {kCliPath, "--server", address_, "--timeout", "20s"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv);
  }

  // Runs the CLI and asserts exit status 0; returns stdout.
  std::string CliOk(std::vector<std::string> args) {
    const ProcessResult result = Cli(args);
    EXPECT_EQ(result.exit_code, 0) << Describe(args, result);
    return result.out;
  }

  void RegisterStates() {
    CliOk({"party", "register", "--id", "kz", "--type", "state", "--country", "KZ",
           "--name", "en:Republic of Kazakhstan"});
    CliOk({"party", "register", "--id", "kr", "--type", "state", "--country", "KR",
           "--name", "en:Republic of Korea"});
  }

  void RecordBilateral(const std::string& id, const std::string& sector) {
    CliOk({"record", "--id", id, "--designation", "Agreement", "--kind", "agreement",
           "--nature", "binding_international", "--arity", "bilateral", "--title",
           absl::StrCat("en:Agreement ", id), "--sector", sector, "--party", "kz",
           "--party", "kr"});
  }

  v1::Agreement GetAgreement(const std::string& id) {
    return ParseJsonOrDie<v1::GetAgreementResponse>(CliOk({"get", id, "-o", "json"}))
        .agreement();
  }

  std::string WriteTempFile(const std::string& name, const std::string& content) {
    const std::string path = temp_dir_ + "/" + name;
    std::ofstream(path) << content;
    return path;
  }

  std::string temp_dir_;
  std::string log_path_;
  std::string address_;
  pid_t server_pid_ = -1;
};

TEST_F(CliTest, ServerAnnouncesItsAddress) {
  EXPECT_TRUE(
      absl::StrContains(ReadWholeFile(log_path_),
                        absl::StrCat("agreements-server listening on ", address_)))
      << ReadWholeFile(log_path_);
}

TEST_F(CliTest, PartyRegisterGetRoundTrip) {
  const std::string out =
      CliOk({"party", "register", "--id", "kz", "--type", "state", "--country", "kz",
             "--name", "en:Republic of Kazakhstan", "--name", "ru:Республика Казахстан"});
  EXPECT_TRUE(absl::StrContains(out, "committed")) << out;

  const v1::Party party =
      ParseJsonOrDie<v1::GetPartyResponse>(CliOk({"party", "get", "kz", "-o", "json"}))
          .party();
  EXPECT_EQ(party.id(), "kz");
  EXPECT_EQ(party.type(), v1::PARTY_TYPE_STATE);
  EXPECT_EQ(party.country_code(), "KZ");
  ASSERT_EQ(party.names_size(), 2);
  EXPECT_EQ(party.names(1).text(), "Республика Казахстан");
  EXPECT_EQ(party.revision(), 1u);

  const std::string table = CliOk({"party", "get", "kz"});
  EXPECT_TRUE(absl::StrContains(table, "Republic of Kazakhstan")) << table;
  const std::string list = CliOk({"party", "list", "--type", "state"});
  EXPECT_TRUE(absl::StrContains(list, "kz")) << list;

  CliOk({"party", "update", "kz", "--name", "en:Kazakhstan", "--expected-revision", "1"});
  const v1::Party updated =
      ParseJsonOrDie<v1::GetPartyResponse>(CliOk({"party", "get", "kz", "-o", "json"}))
          .party();
  EXPECT_EQ(updated.revision(), 2u);
  ASSERT_EQ(updated.names_size(), 1);
  EXPECT_EQ(updated.names(0).text(), "Kazakhstan");
  EXPECT_EQ(updated.country_code(), "KZ");
}

TEST_F(CliTest, RecordSignGetShowsTheNewStatus) {
  RegisterStates();
  RecordBilateral("kz-kr-energy-2009", "energy");
  EXPECT_EQ(GetAgreement("kz-kr-energy-2009").status(), v1::AGREEMENT_STATUS_DRAFT);

  const std::string out =
      CliOk({"sign", "kz-kr-energy-2009", "--party", "kz", "--date", "2009-05-13",
             "--kind", "simple", "--expected-revision", "1"});
  EXPECT_TRUE(absl::StrContains(out, "signed_not_in_force")) << out;

  const v1::Agreement agreement = GetAgreement("kz-kr-energy-2009");
  EXPECT_EQ(agreement.status(), v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);
  EXPECT_EQ(agreement.signed_on().year(), 2009);
  EXPECT_EQ(agreement.signed_on().month(), 5);
  EXPECT_EQ(agreement.signed_on().day(), 13);
  EXPECT_EQ(agreement.signed_on().precision(), v1::DATE_PRECISION_DAY);
  ASSERT_EQ(agreement.participations_size(), 2);
  for (const v1::Participation& p : agreement.participations()) {
    EXPECT_EQ(p.status(), p.party_id() == "kz" ? v1::PARTICIPATION_STATUS_SIGNATORY
                                               : v1::PARTICIPATION_STATUS_NEGOTIATING)
        << p.party_id();
  }
  const std::string table = CliOk({"get", "kz-kr-energy-2009"});
  EXPECT_TRUE(absl::StrContains(table, "signed_not_in_force")) << table;
  EXPECT_TRUE(absl::StrContains(table, "2009-05-13")) << table;
}

TEST_F(CliTest, BilateralTreatyReachesInForce) {
  RegisterStates();
  RecordBilateral("kz-kr-transport-2010", "transport");
  for (const char* party : {"kz", "kr"}) {
    CliOk({"sign", "kz-kr-transport-2010", "--party", party, "--date", "2010-03-01"});
    CliOk({"consent", "kz-kr-transport-2010", "--party", party, "--means", "ratification",
           "--date", "2010-09"});
  }
  CliOk({"enter-into-force", "kz-kr-transport-2010", "--date", "2010-10-01"});
  const v1::Agreement agreement = GetAgreement("kz-kr-transport-2010");
  EXPECT_EQ(agreement.status(), v1::AGREEMENT_STATUS_IN_FORCE);
  EXPECT_EQ(agreement.entered_into_force_on().precision(), v1::DATE_PRECISION_DAY);
  for (const v1::Participation& p : agreement.participations()) {
    EXPECT_EQ(p.status(), v1::PARTICIPATION_STATUS_PARTY) << p.party_id();
    EXPECT_EQ(p.consent().means(), v1::CONSENT_MEANS_RATIFICATION);
  }
  CliOk(
      {"terminate", "kz-kr-transport-2010", "--ground", "by_consent", "--date", "2015"});
  EXPECT_EQ(GetAgreement("kz-kr-transport-2010").status(),
            v1::AGREEMENT_STATUS_TERMINATED);
}

TEST_F(CliTest, SignatoryDeclaresItWillNotBecomeAParty) {
  RegisterStates();
  RecordBilateral("kz-kr-culture-2011", "education");
  CliOk({"sign", "kz-kr-culture-2011", "--party", "kr", "--date", "2011-04-02"});
  const std::string out = CliOk({"declare-non-participation", "kz-kr-culture-2011",
                                 "--party", "kr", "--date", "2012-01"});
  EXPECT_TRUE(absl::StrContains(out, "signed_not_in_force")) << out;
  const v1::Agreement agreement = GetAgreement("kz-kr-culture-2011");
  for (const v1::Participation& p : agreement.participations()) {
    if (p.party_id() == "kr") {
      EXPECT_EQ(p.status(), v1::PARTICIPATION_STATUS_NOT_BECOMING_PARTY);
    }
  }
}

TEST_F(CliTest, ListFiltersBySector) {
  RegisterStates();
  RecordBilateral("a-energy", "energy");
  RecordBilateral("b-transport", "transport");
  const std::string table = CliOk({"list", "--sector", "energy"});
  EXPECT_TRUE(absl::StrContains(table, "a-energy")) << table;
  EXPECT_FALSE(absl::StrContains(table, "b-transport")) << table;

  const auto listed = ParseJsonOrDie<v1::ListAgreementsResponse>(
      CliOk({"list", "--sector", "energy", "--all", "--page-size", "1", "-o", "json"}));
  ASSERT_EQ(listed.agreements_size(), 1);
  EXPECT_EQ(listed.agreements(0).id(), "a-energy");
  EXPECT_TRUE(listed.next_page_token().empty());

  const auto all = ParseJsonOrDie<v1::ListAgreementsResponse>(
      CliOk({"list", "--all", "--page-size", "1", "-o", "json"}));
  EXPECT_EQ(all.agreements_size(), 2);
}

// Returns request id -> "result positions" from the table output of `load`.
std::map<std::string, std::pair<std::string, std::string>> LoadRows(
    const std::string& out) {
  std::map<std::string, std::pair<std::string, std::string>> rows;
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    const std::vector<std::string> fields =
        absl::StrSplit(line, ' ', absl::SkipWhitespace());
    if (fields.size() == 4 && (fields[2] == "committed" || fields[2] == "replayed")) {
      rows[fields[1]] = {fields[2], fields[3]};
    }
  }
  return rows;
}

TEST_F(CliTest, LoadingTheDemoTwiceAddsNothing) {
  const auto first = LoadRows(CliOk({"load", kDemoPath}));
  ASSERT_FALSE(first.empty());
  for (const auto& [request_id, row] : first) {
    EXPECT_TRUE(absl::StartsWith(request_id, "demo-2009-")) << request_id;
    EXPECT_EQ(row.first, "committed") << request_id;
  }
  const std::string sectors_before = CliOk({"sectors", "-o", "json"});

  const auto second = LoadRows(CliOk({"load", kDemoPath}));
  ASSERT_EQ(second.size(), first.size());
  for (const auto& [request_id, row] : second) {
    EXPECT_EQ(row.first, "replayed") << request_id;
    EXPECT_EQ(row.second, first.at(request_id).second) << request_id;
  }
  const std::string sectors_after = CliOk({"sectors", "-o", "json"});
  const auto before = ParseJsonOrDie<v1::ListSectorsResponse>(sectors_before);
  const auto after = ParseJsonOrDie<v1::ListSectorsResponse>(sectors_after);
  ASSERT_EQ(before.sectors_size(), after.sectors_size());
  std::map<std::string, int64_t> counts;
  for (int i = 0; i < before.sectors_size(); ++i) {
    EXPECT_EQ(before.sectors(i).sector(), after.sectors(i).sector());
    EXPECT_EQ(before.sectors(i).agreement_count(), after.sectors(i).agreement_count());
    counts[before.sectors(i).sector()] = before.sectors(i).agreement_count();
  }
  EXPECT_EQ(before.position(), after.position());
  EXPECT_EQ(counts["energy"], 2);  // Balkhash and the energy memorandum
  EXPECT_EQ(counts["construction"], 2);
  EXPECT_EQ(counts["transport"], 1);
  EXPECT_EQ(counts["telecom"], 1);
  EXPECT_EQ(counts["governance"], 1);
  EXPECT_EQ(counts["trade_and_investment"], 1);

  const v1::Agreement statement = GetAgreement("kz-kr-joint-statement-2009");
  EXPECT_EQ(statement.status(), v1::AGREEMENT_STATUS_IN_EFFECT);
  EXPECT_EQ(statement.signed_on().precision(), v1::DATE_PRECISION_MONTH);
  EXPECT_EQ(statement.legal_nature(), v1::LEGAL_NATURE_NON_BINDING_POLITICAL);

  const v1::Agreement balkhash = GetAgreement("balkhash-tpp-2009");
  ASSERT_EQ(balkhash.amounts_size(), 1);
  EXPECT_EQ(balkhash.amounts(0).value().currency_code(), "USD");
  EXPECT_EQ(balkhash.amounts(0).value().units(), 4500000000);
  ASSERT_EQ(balkhash.relations_size(), 1);
  EXPECT_EQ(balkhash.relations(0).target_agreement_id(), "kz-kr-joint-statement-2009");
  EXPECT_EQ(balkhash.participations_size(), 3);

  const auto summary = ParseJsonOrDie<v1::GetSectorSummaryResponse>(
      CliOk({"summary", "energy", "-o", "json"}));
  EXPECT_EQ(summary.summary().agreement_count(), 2);
  const std::string table = CliOk({"summary", "energy"});
  EXPECT_TRUE(absl::StrContains(table, "USD 4,500,000,000")) << table;
}

TEST_F(CliTest, ErrorsPrintTheGrpcCodeAndExitNonZero) {
  ProcessResult result = Cli({"get", "no-such-agreement"});
  EXPECT_EQ(result.exit_code, 2) << Describe({"get"}, result);
  EXPECT_TRUE(absl::StartsWith(result.err, "error: NOT_FOUND: ")) << result.err;

  result = Cli({"party", "register", "--id", "nowhere", "--type", "state", "--country",
                "QQQ", "--name", "en:Nowhere"});
  EXPECT_EQ(result.exit_code, 2) << Describe({"party register"}, result);
  EXPECT_TRUE(absl::StartsWith(result.err, "error: INVALID_ARGUMENT: ")) << result.err;
  EXPECT_TRUE(absl::StrContains(result.err, "country_code")) << result.err;

  result = Cli({"get"});
  EXPECT_EQ(result.exit_code, 1) << Describe({"get"}, result);
  EXPECT_TRUE(absl::StartsWith(result.err, "error: INVALID_ARGUMENT: ")) << result.err;
  result = Cli({"sign", "x", "--party", "kz", "--date", "2009-13"});
  EXPECT_EQ(result.exit_code, 1) << Describe({"sign"}, result);

  result = RunProcess({kCliPath, "--server", absl::StrCat("127.0.0.1:", FreePort()),
                       "--timeout", "1s", "sectors"});
  EXPECT_EQ(result.exit_code, 2) << Describe({"sectors (no server)"}, result);
  EXPECT_TRUE(absl::StartsWith(result.err, "error: UNAVAILABLE: ") ||
              absl::StartsWith(result.err, "error: DEADLINE_EXCEEDED: "))
      << result.err;
}

TEST_F(CliTest, StaleExpectedRevisionIsAborted) {
  RegisterStates();
  RecordBilateral("kz-kr-health-2011", "health");
  const ProcessResult result = Cli({"sign", "kz-kr-health-2011", "--party", "kz",
                                    "--date", "2011", "--expected-revision", "5"});
  EXPECT_EQ(result.exit_code, 2) << Describe({"sign"}, result);
  EXPECT_TRUE(absl::StartsWith(result.err, "error: ABORTED: ")) << result.err;
  EXPECT_EQ(GetAgreement("kz-kr-health-2011").revision(), 1u);
}

TEST_F(CliTest, SameRequestIdIsReplayed) {
  RegisterStates();
  const std::vector<std::string> record = {"--request-id",
                                           "test-record-1",
                                           "-o",
                                           "json",
                                           "record",
                                           "--id",
                                           "kz-kr-edu-2012",
                                           "--designation",
                                           "Memorandum of Understanding",
                                           "--kind",
                                           "memorandum_of_understanding",
                                           "--nature",
                                           "non_binding_political",
                                           "--arity",
                                           "bilateral",
                                           "--title",
                                           "en:Education memorandum",
                                           "--sector",
                                           "education",
                                           "--party",
                                           "kz",
                                           "--party",
                                           "kr"};
  const auto first = ParseJsonOrDie<v1::RecordAgreementResponse>(CliOk(record));
  const auto second = ParseJsonOrDie<v1::RecordAgreementResponse>(CliOk(record));
  EXPECT_FALSE(first.result().replayed());
  EXPECT_TRUE(second.result().replayed());
  EXPECT_EQ(first.result().first_position(), second.result().first_position());
  EXPECT_EQ(GetAgreement("kz-kr-edu-2012").revision(), 1u);
}

TEST_F(CliTest, ApplyAndDataCommandsReachEveryPayloadKind) {
  RegisterStates();
  RecordBilateral("kz-kr-telecom-2013", "telecom");
  const std::string change = WriteTempFile(
      "change.json",
      R"({"documentAttached": {"document": {"title": "Signed text", "language": "en",
          "mediaType": "application/pdf", "url": "https://example.org/signed.pdf",
          "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}}})");
  CliOk({"apply", "kz-kr-telecom-2013", "-f", change});
  const std::string copy = WriteTempFile("text.txt", "the agreed text\n");
  CliOk({"attach-document", "kz-kr-telecom-2013", "--title", "Russian text", "--language",
         "ru", "--url", "https://example.org/ru.txt", "--hash-file", copy});
  CliOk({"record-amount", "kz-kr-telecom-2013", "--amount-id", "financing", "--type",
         "financing", "--currency", "USD", "--value", "1000000.50", "--as-of", "2013"});
  CliOk({"revise-amount", "kz-kr-telecom-2013", "--amount-id", "financing", "--currency",
         "USD", "--value", "2000000"});
  CliOk({"classify", "kz-kr-telecom-2013", "--sector", "telecom", "--sector",
         "construction"});
  const v1::Agreement agreement = GetAgreement("kz-kr-telecom-2013");
  ASSERT_EQ(agreement.documents_size(), 2);
  EXPECT_EQ(agreement.documents(1).sha256().size(), 64u);
  ASSERT_EQ(agreement.amounts_size(), 1);
  EXPECT_EQ(agreement.amounts(0).value().units(), 2000000);
  EXPECT_EQ(agreement.sectors_size(), 2);
  EXPECT_EQ(agreement.revision(), 6u);

  const std::string bad = WriteTempFile("bad.json", R"({"noSuchChange": {}})");
  const ProcessResult result = Cli({"apply", "kz-kr-telecom-2013", "-f", bad});
  EXPECT_EQ(result.exit_code, 1) << Describe({"apply"}, result);
}

TEST(CliHelpTest, HelpListsCommands) {
  const ProcessResult result = RunProcess({kCliPath, "--help"});
  EXPECT_EQ(result.exit_code, 0);
  for (const char* command :
       {"record", "sign", "consent", "enter-into-force", "terminate", "party register",
        "load", "summary", "apply"}) {
    EXPECT_TRUE(absl::StrContains(result.out, command)) << command;
  }
  const ProcessResult sign = RunProcess({kCliPath, "help", "sign"});
  EXPECT_EQ(sign.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(sign.out, "--expected-revision")) << sign.out;
}

}  // namespace
}  // namespace agreements
