#include "clients/bench/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace agreements::bench {
namespace {

// In the child: die with the parent, run `argv`. Never returns.
[[noreturn]] void Exec(const std::vector<std::string>& argv) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

// Waits for `pid` at most `timeout`; true with *status when it exited.
bool WaitFor(pid_t pid, absl::Duration timeout, int* status) {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    const pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid) return true;
    if (r < 0) return false;
    if (absl::Now() >= deadline) return false;
    usleep(20 * 1000);
  }
}

}  // namespace

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Kill();
  if (drain_.joinable()) drain_.join();
}

absl::Status ServerProcess::Start(absl::Duration timeout) {
  if (pid_ > 0) return absl::FailedPreconditionError("server already running");
  if (drain_.joinable()) drain_.join();
  if (access(binary_.c_str(), X_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("server binary not executable: ", binary_));
  }
  const int log_fd =
      open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return absl::InternalError(absl::StrCat("cannot open ", log_path_));
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(log_fd);
    return absl::InternalError("pipe failed");
  }
  std::vector<std::string> argv = {binary_, "--listen=127.0.0.1:0",
                                   "--data_dir=" + data_dir_,
                                   "--metrics_listen=127.0.0.1:0", "--http_listen="};
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  pid_ = fork();
  if (pid_ < 0) {
    close(log_fd);
    close(out[0]);
    close(out[1]);
    return absl::InternalError("fork failed");
  }
  if (pid_ == 0) {
    dup2(out[1], STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    Exec(argv);
  }
  close(out[1]);
  stdout_fd_ = out[0];
  // Read lines until "listening on 127.0.0.1:PORT", bounded in time.
  std::string line;
  port_ = 0;
  const absl::Time deadline = absl::Now() + timeout;
  bool eof = false;
  while (port_ == 0 && !eof && absl::Now() < deadline) {
    pollfd fd{stdout_fd_, POLLIN, 0};
    if (poll(&fd, 1, 200) <= 0) continue;
    char buffer[512];
    const ssize_t n = read(stdout_fd_, buffer, sizeof(buffer));
    if (n <= 0) {
      eof = true;
      break;
    }
    (void)!write(log_fd, buffer, n);
    line.append(buffer, n);
    const std::string marker = "listening on 127.0.0.1:";
    const size_t at = line.find(marker);
    if (at != std::string::npos) {
      const size_t end = line.find_first_not_of("0123456789", at + marker.size());
      if (end != std::string::npos) {
        port_ = std::atoi(line.c_str() + at + marker.size());
      }
    }
  }
  if (port_ == 0) {
    close(log_fd);
    close(stdout_fd_);
    stdout_fd_ = -1;
    Kill();
    return absl::UnavailableError(
        absl::StrCat("server did not report \"listening on\" (see ", log_path_, ")"));
  }
  // Keep the pipe drained so the server never blocks on stdout.
  const int fd = stdout_fd_;
  drain_ = std::thread([fd, log_fd] {
    char buffer[4096];
    for (;;) {
      const ssize_t n = read(fd, buffer, sizeof(buffer));
      if (n <= 0) break;
      (void)!write(log_fd, buffer, n);
    }
    close(fd);
    close(log_fd);
  });
  return absl::OkStatus();
}

absl::Status ServerProcess::Stop(absl::Duration timeout) {
  if (pid_ <= 0) return absl::FailedPreconditionError("server not running");
  kill(pid_, SIGTERM);
  int status = 0;
  if (!WaitFor(pid_, timeout, &status)) {
    Kill();
    if (drain_.joinable()) drain_.join();
    return absl::DeadlineExceededError("server did not stop after SIGTERM; killed");
  }
  pid_ = -1;
  if (drain_.joinable()) drain_.join();
  stdout_fd_ = -1;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat("server exited with status ", status));
  }
  return absl::OkStatus();
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                         absl::Duration timeout) {
  if (argv.empty() || access(argv[0].c_str(), X_OK) != 0) {
    return absl::NotFoundError(
        absl::StrCat("not executable: ", argv.empty() ? "" : argv[0]));
  }
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return absl::InternalError("pipe failed");
  const absl::Time start = absl::Now();
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    dup2(out[1], STDERR_FILENO);
    Exec(argv);
  }
  close(out[1]);
  ProcessResult result;
  const absl::Time deadline = start + timeout;
  bool killed = false;
  for (;;) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      kill(pid, SIGKILL);
      killed = true;
      break;
    }
    pollfd fd{out[0], POLLIN, 0};
    if (poll(&fd, 1, 200) <= 0) continue;
    char buffer[4096];
    const ssize_t n = read(out[0], buffer, sizeof(buffer));
    if (n <= 0) break;
    result.output.append(buffer, n);
  }
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.wall = absl::Now() - start;
  result.exit_code = (!killed && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  return result;
}

absl::StatusOr<ProcessMemory> ReadProcessMemory(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  if (!in) return absl::NotFoundError(absl::StrCat("no /proc/", pid, "/status"));
  ProcessMemory memory;
  bool hwm = false, rss = false;
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view view(line);
    const bool is_hwm = absl::ConsumePrefix(&view, "VmHWM:");
    const bool is_rss = !is_hwm && absl::ConsumePrefix(&view, "VmRSS:");
    if (!is_hwm && !is_rss) continue;
    view = absl::StripAsciiWhitespace(view);
    absl::ConsumeSuffix(&view, "kB");
    int64_t kb = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(view), &kb)) continue;
    (is_hwm ? memory.peak_rss_mb : memory.rss_mb) = static_cast<double>(kb) / 1024.0;
    (is_hwm ? hwm : rss) = true;
  }
  if (!hwm || !rss) return absl::InternalError("VmHWM/VmRSS not found");
  return memory;
}

absl::StatusOr<double> ReadProcessCpuSeconds(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  if (!in) return absl::NotFoundError(absl::StrCat("no /proc/", pid, "/stat"));
  std::string line;
  std::getline(in, line);
  // The command name may hold spaces: the fields after it start past the last ')'.
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return absl::InternalError("malformed /proc/pid/stat");
  std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(line).substr(close + 2), ' ');
  // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the state (field 3).
  int64_t utime = 0, stime = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) ||
      !absl::SimpleAtoi(fields[12], &stime)) {
    return absl::InternalError("malformed /proc/pid/stat");
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

absl::StatusOr<double> WaitUntilIdle(pid_t pid, double busy_fraction, int quiet_seconds,
                                     absl::Duration timeout, bool* settled) {
  const absl::Time start = absl::Now();
  absl::StatusOr<double> last = ReadProcessCpuSeconds(pid);
  if (!last.ok()) return last.status();
  int quiet = 0;
  *settled = false;
  while (absl::Now() - start < timeout) {
    absl::SleepFor(absl::Seconds(1));
    absl::StatusOr<double> now = ReadProcessCpuSeconds(pid);
    if (!now.ok()) return now.status();
    quiet = (*now - *last) < busy_fraction ? quiet + 1 : 0;
    last = now;
    if (quiet >= quiet_seconds) {
      *settled = true;
      break;
    }
  }
  return absl::ToDoubleSeconds(absl::Now() - start);
}

std::string SelfDirectory() {
  char path[4096];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n <= 0) return ".";
  std::string self(path, n);
  const size_t slash = self.rfind('/');
  return slash == std::string::npos ? "." : self.substr(0, slash);
}

}  // namespace agreements::bench
