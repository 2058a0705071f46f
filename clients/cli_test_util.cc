#include "clients/cli_test_util.h"

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
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "agreements/v1/query_service.pb.h"

namespace agreements::cli_test {
namespace {

// Attempts to start the server before giving up (a restart on the same port may race
// with the release of the killed server's socket).
constexpr int kServerStartAttempts = 3;

std::vector<char*> ArgvOf(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  return args;
}

}  // namespace

std::string ServerPath() {
  const char* path = std::getenv("AGREEMENTS_TEST_SERVER");
  return path != nullptr && *path != '\0' ? path : AGREEMENTS_SERVER_PATH;
}

std::string Describe(const std::vector<std::string>& argv, const ProcessResult& result) {
  return absl::StrCat("$ ", absl::StrJoin(argv, " "), "\nexit ", result.exit_code,
                      result.timed_out ? " (timed out)" : "", "\n--- stdout\n",
                      result.out, "--- stderr\n", result.err);
}

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

ProcessResult RunProcess(const std::vector<std::string>& argv, absl::Duration timeout) {
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
    std::vector<char*> args = ArgvOf(argv);
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

pid_t SpawnProcess(const std::vector<std::string>& argv, const std::string& out_path,
                   const std::string& err_path) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (out < 0 || err < 0) _exit(127);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    close(out);
    close(err);
    std::vector<char*> args = ArgvOf(argv);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

bool WaitUntil(const std::function<bool()>& condition, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    if (condition()) return true;
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
}

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

std::string ShownValue(const std::string& table, absl::string_view key) {
  for (absl::string_view line : absl::StrSplit(table, '\n')) {
    if (absl::ConsumePrefix(&line, key) && absl::StartsWith(line, " ")) {
      return std::string(absl::StripAsciiWhitespace(line));
    }
  }
  return "";
}

void CliTest::SetUp() {
  ASSERT_TRUE(std::filesystem::exists(ServerPath()))
      << "server binary missing: " << ServerPath();
  std::string pattern = ::testing::TempDir() + "agreements_cli_test.XXXXXX";
  ASSERT_NE(mkdtemp(pattern.data()), nullptr) << std::strerror(errno);
  temp_dir_ = pattern;
  data_dir_ = temp_dir_ + "/data";
  // The CLI processes must not read the configuration of whoever runs the tests: each
  // test has its own (absent until a test writes it), no context or server named by a
  // variable.
  setenv("AGREEMENTS_CONFIG", (temp_dir_ + "/config.yaml").c_str(), 1);
  unsetenv("AGREEMENTS_CONTEXT");
  unsetenv("AGREEMENTS_SERVER");
  const int port = FreePort();
  ASSERT_GT(port, 0);
  address_ = absl::StrCat("127.0.0.1:", port);
  ConfigureServer();
  if (HasFatalFailure()) return;
  StartServer();
}

void CliTest::StartServer() {
  std::vector<std::string> server_argv = {
      ServerPath(), "--listen",         address_,      "--data_dir",
      data_dir_,    "--metrics_listen", "127.0.0.1:0", "--http_listen="};
  server_argv.insert(server_argv.end(), server_flags_.begin(), server_flags_.end());
  std::vector<std::string> probe = {kCliPath, "--server", address_};
  probe.insert(probe.end(), probe_flags_.begin(), probe_flags_.end());
  probe.insert(probe.end(), {"health", "--wait", "1s"});
  for (int attempt = 1;; ++attempt) {
    ++server_starts_;
    log_path_ = absl::StrCat(temp_dir_, "/server-", server_starts_, ".log");
    std::vector<char*> args = ArgvOf(server_argv);
    server_pid_ = fork();
    if (server_pid_ == 0) {
      const int log = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(log, STDOUT_FILENO);
      dup2(log, STDERR_FILENO);
      close(log);
      execv(args[0], args.data());
      _exit(127);
    }
    ASSERT_GT(server_pid_, 0);
    const absl::Time deadline = absl::Now() + kServerStartTimeout;
    while (true) {
      int status = 0;
      if (waitpid(server_pid_, &status, WNOHANG) == server_pid_) {
        server_pid_ = -1;
        ASSERT_LT(attempt, kServerStartAttempts)
            << "server exited with " << ExitCodeOf(status) << " during startup:\n"
            << ReadWholeFile(log_path_);
        absl::SleepFor(absl::Milliseconds(500));
        break;
      }
      const ProcessResult health = RunProcess(probe, absl::Seconds(10));
      if (health.exit_code == 0) return;
      ASSERT_LT(absl::Now(), deadline) << "server not healthy in time\n"
                                       << Describe({"health"}, health) << "server log:\n"
                                       << ReadWholeFile(log_path_);
    }
  }
}

int CliTest::StopServer(int signal) {
  if (server_pid_ <= 0) return -1;
  kill(server_pid_, signal);
  int status = WaitFor(server_pid_, kServerStopTimeout);
  if (status == -1) {
    ADD_FAILURE() << "server ignored signal " << signal << " for " << kServerStopTimeout;
    kill(server_pid_, SIGKILL);
    status = WaitFor(server_pid_, kServerStopTimeout);
  }
  server_pid_ = -1;
  return status == -1 ? -1 : ExitCodeOf(status);
}

void CliTest::TearDown() {
  for (pid_t pid : background_) {
    if (WaitFor(pid, absl::ZeroDuration()) == -1) {
      kill(pid, SIGKILL);
      WaitFor(pid, absl::Seconds(5));
    }
  }
  if (server_pid_ > 0) {
    EXPECT_EQ(StopServer(SIGTERM), 0) << "server log:\n" << ReadWholeFile(log_path_);
  }
  if (!temp_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(temp_dir_, ignored);
  }
}

ProcessResult CliTest::Cli(std::vector<std::string> args) {
  std::vector<std::string> argv = {kCliPath, "--server", address_, "--timeout", "20s"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv);
}

std::string CliTest::CliOk(std::vector<std::string> args) {
  const ProcessResult result = Cli(args);
  EXPECT_EQ(result.exit_code, 0) << Describe(args, result);
  return result.out;
}

CliTest::Background CliTest::SpawnCli(const std::string& name,
                                      std::vector<std::string> args) {
  Background process;
  process.out_path = absl::StrCat(temp_dir_, "/", name, ".out");
  process.err_path = absl::StrCat(temp_dir_, "/", name, ".err");
  std::vector<std::string> argv = {kCliPath, "--server", address_};
  argv.insert(argv.end(), args.begin(), args.end());
  process.pid = SpawnProcess(argv, process.out_path, process.err_path);
  EXPECT_GT(process.pid, 0);
  if (process.pid > 0) background_.push_back(process.pid);
  return process;
}

int CliTest::WaitForExit(const Background& process, absl::Duration timeout) {
  const int status = WaitFor(process.pid, timeout);
  return status == -1 ? -1 : ExitCodeOf(status);
}

void CliTest::RegisterStates() {
  CliOk({"party", "register", "--id", "kz", "--type", "state", "--country", "KZ",
         "--name", "en:Republic of Kazakhstan"});
  CliOk({"party", "register", "--id", "kr", "--type", "state", "--country", "KR",
         "--name", "en:Republic of Korea"});
}

void CliTest::RecordBilateral(const std::string& id, const std::string& sector) {
  CliOk({"record", "--id", id, "--designation", "Agreement", "--kind", "agreement",
         "--nature", "binding_international", "--arity", "bilateral", "--title",
         absl::StrCat("en:Agreement ", id), "--sector", sector, "--party", "kz",
         "--party", "kr"});
}

v1::Agreement CliTest::GetAgreement(const std::string& id) {
  return ParseJsonOrDie<v1::GetAgreementResponse>(
             CliOk({"get", id, "-o", "json", "--proto-json"}))
      .agreement();
}

std::string CliTest::WriteTempFile(const std::string& name, const std::string& content) {
  const std::string path = temp_dir_ + "/" + name;
  std::ofstream(path) << content;
  return path;
}

}  // namespace agreements::cli_test
