// SIGINT and SIGTERM for the commands that run until stopped (watch, watch-sector,
// audit follow): the first signal calls a stop function on a thread of its own, a second
// one ends the process the default way.
#ifndef AGREEMENTS_CLIENTS_CLI_SIGNAL_H_
#define AGREEMENTS_CLIENTS_CLI_SIGNAL_H_

#include <signal.h>

#include <functional>
#include <thread>

namespace agreements::cli {

// While it exists, SIGINT and SIGTERM call `stop` on a thread of its own (a signal
// handler may not take the locks that stopping a stream needs). Owns that thread and a
// pipe; one per process at a time; used by the thread that created it. The previous
// handlers are restored on destruction.
class SignalStopper {
 public:
  explicit SignalStopper(std::function<void()> stop);
  ~SignalStopper();

  SignalStopper(const SignalStopper&) = delete;
  SignalStopper& operator=(const SignalStopper&) = delete;

 private:
  void Loop();

  const std::function<void()> stop_;
  int pipe_[2] = {-1, -1};
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
  std::thread thread_;
};

}  // namespace agreements::cli

#endif  // AGREEMENTS_CLIENTS_CLI_SIGNAL_H_
