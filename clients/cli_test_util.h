// What the end-to-end tests of the `agreements` CLI share: running subprocesses with
// bounded waits, and the CliTest fixture, which starts build/bin/agreements-server on a
// free port with a fresh data directory (and can kill and restart it on the same port
// and directory). A derived fixture may add server flags (e.g. TLS and access control)
// in ConfigureServer.
#ifndef AGREEMENTS_CLIENTS_CLI_TEST_UTIL_H_
#define AGREEMENTS_CLIENTS_CLI_TEST_UTIL_H_

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "agreements/v1/agreement.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace agreements::cli_test {

namespace v1 = ::agreements::v1;

inline constexpr char kCliPath[] = AGREEMENTS_CLI_PATH;
inline constexpr char kDemoPath[] = AGREEMENTS_DEMO_DATA_PATH;
// The server binary; the environment variable AGREEMENTS_TEST_SERVER overrides it (to run
// these tests against another build of the server).
std::string ServerPath();

inline constexpr absl::Duration kCliTimeout = absl::Seconds(60);
inline constexpr absl::Duration kServerStartTimeout = absl::Seconds(30);
inline constexpr absl::Duration kServerStopTimeout = absl::Seconds(15);

// What a finished subprocess left: exit code (128 + signal when killed) and its output.
struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  bool timed_out = false;
};

std::string Describe(const std::vector<std::string>& argv, const ProcessResult& result);

// Waits up to `timeout` for `pid`; returns its wait status, or -1 if it is still running.
int WaitFor(pid_t pid, absl::Duration timeout);
int ExitCodeOf(int wait_status);

// Runs `argv` to completion (bounded by `timeout`), capturing stdout and stderr.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         absl::Duration timeout = kCliTimeout);

// Starts `argv` with stdout and stderr appended to files; returns its pid (-1 on
// failure). The caller waits for it.
pid_t SpawnProcess(const std::vector<std::string>& argv, const std::string& out_path,
                   const std::string& err_path);

// Polls `condition` every 20 ms until it holds (true) or `timeout` passes (false).
bool WaitUntil(const std::function<bool()>& condition, absl::Duration timeout);

// A port that was free a moment ago: bind 127.0.0.1:0 and read the assigned port.
int FreePort();

std::string ReadWholeFile(const std::string& path);

// The value of the first "KEY  value" line of a key/value block (`get`, `audit
// status-on`), whatever the alignment; "" when there is none.
std::string ShownValue(const std::string& table, absl::string_view key);

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
  void SetUp() override;
  void TearDown() override;

  // Called by SetUp once temp_dir_ and address_ exist and before the server starts: a
  // derived fixture writes its files there and sets server_flags_ and probe_flags_.
  virtual void ConfigureServer() {}

  // Starts the server on address_ with the test's data directory and waits until it is
  // healthy (retrying a start that fails while the port is still being released).
  void StartServer();
  // Sends `signal` to the server and waits for it to exit; returns its exit code.
  int StopServer(int signal);

  // Runs the CLI against the test server.
  ProcessResult Cli(std::vector<std::string> args);
  // Runs the CLI and asserts exit status 0; returns stdout.
  std::string CliOk(std::vector<std::string> args);

  // A CLI process running in the background against the test server, its output going to
  // files. TearDown kills those still running.
  struct Background {
    pid_t pid = -1;
    std::string out_path;
    std::string err_path;
    std::string out() const { return ReadWholeFile(out_path); }
    std::string err() const { return ReadWholeFile(err_path); }
  };
  Background SpawnCli(const std::string& name, std::vector<std::string> args);
  // Waits (bounded) for a background CLI to exit; returns its exit code, -1 on timeout.
  int WaitForExit(const Background& process, absl::Duration timeout = kCliTimeout);

  void RegisterStates();
  void RecordBilateral(const std::string& id, const std::string& sector);
  v1::Agreement GetAgreement(const std::string& id);
  std::string WriteTempFile(const std::string& name, const std::string& content);

  std::string temp_dir_;
  std::string data_dir_;
  std::string log_path_;
  std::string address_;
  // Flags added to the server's command line, e.g. "--tls_cert=FILE".
  // Default: none (plaintext, development mode).
  std::vector<std::string> server_flags_;
  // Connection flags of the fixture's own health probe in StartServer, e.g. "--tls-ca"
  // and FILE when the server has TLS on. Cli() does not add them.
  // Default: none (plaintext).
  std::vector<std::string> probe_flags_;
  pid_t server_pid_ = -1;
  int server_starts_ = 0;
  std::vector<pid_t> background_;
};

}  // namespace agreements::cli_test

#endif  // AGREEMENTS_CLIENTS_CLI_TEST_UTIL_H_
