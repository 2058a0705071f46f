// Child processes of agreements-bench: the agreements-server under test (on 127.0.0.1,
// a port it picks itself) and one-shot tools such as `agreements-admin rebuild`.
#ifndef AGREEMENTS_CLIENTS_BENCH_PROCESS_H_
#define AGREEMENTS_CLIENTS_BENCH_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace agreements::bench {

// agreements-server as a child process. The child gets SIGKILL if this process dies. Its
// stdout and stderr are appended to `log_path`. Not thread-safe; the destructor kills
// a server that still runs.
class ServerProcess {
 public:
  // `extra_args` follow --listen and --data_dir on every start (e.g. --tokens=FILE).
  ServerProcess(std::string binary, std::string data_dir, std::string log_path,
                std::vector<std::string> extra_args = {})
      : binary_(std::move(binary)),
        data_dir_(std::move(data_dir)),
        log_path_(std::move(log_path)),
        extra_args_(std::move(extra_args)) {}
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess();

  // Starts the server and waits (at most `timeout`) for its "listening on" line.
  absl::Status Start(absl::Duration timeout = absl::Seconds(60));
  // SIGTERM, then waits up to `timeout` (SIGKILL after). OK when it exited with 0.
  absl::Status Stop(absl::Duration timeout = absl::Seconds(120));

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& data_dir() const { return data_dir_; }

 private:
  void Kill();

  std::string binary_;
  std::string data_dir_;
  std::string log_path_;
  std::vector<std::string> extra_args_;
  pid_t pid_ = -1;
  int port_ = 0;
  int stdout_fd_ = -1;
  // Copies the child's stdout to the log after the "listening on" line.
  std::thread drain_;
};

// The outcome of RunProcess.
struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal or the timeout.
  std::string output;  // stdout and stderr, interleaved.
  absl::Duration wall;
};

// Runs `argv` (argv[0] is the path) to completion, at most `timeout` (then SIGKILL).
absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                         absl::Duration timeout);

// Memory of a process from /proc/<pid>/status, in MiB: VmHWM (peak resident set) and
// VmRSS.
struct ProcessMemory {
  double peak_rss_mb = 0;
  double rss_mb = 0;
};
absl::StatusOr<ProcessMemory> ReadProcessMemory(pid_t pid);

// CPU seconds (user + system) the process has used so far, from /proc/<pid>/stat.
absl::StatusOr<double> ReadProcessCpuSeconds(pid_t pid);

// Waits until the process uses less than `busy_fraction` of one core over each of
// `quiet_seconds` consecutive seconds (its background work, e.g. compactions after a
// load, is done), or `timeout` passes. Returns the seconds waited; false in `settled`
// on timeout.
absl::StatusOr<double> WaitUntilIdle(pid_t pid, double busy_fraction, int quiet_seconds,
                                     absl::Duration timeout, bool* settled);

// The directory of this executable (from /proc/self/exe).
std::string SelfDirectory();

}  // namespace agreements::bench

#endif  // AGREEMENTS_CLIENTS_BENCH_PROCESS_H_
