#include "clients/cli_signal.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <utility>

namespace agreements::cli {
namespace {

// The write end of the SignalStopper's pipe, for the async-signal-safe handler; -1 when
// no stopper exists.
std::atomic<int> g_signal_pipe{-1};
std::atomic<int> g_signals_seen{0};

// The first SIGINT/SIGTERM wakes the stopper's thread; a second one ends the process
// the default way, in case stopping hangs.
void OnStopSignal(int signal) {
  if (g_signals_seen.fetch_add(1) > 0) {
    ::signal(signal, SIG_DFL);
    raise(signal);
    return;
  }
  const int fd = g_signal_pipe.load();
  const char byte = 's';
  if (fd >= 0) (void)!write(fd, &byte, 1);
}

}  // namespace

SignalStopper::SignalStopper(std::function<void()> stop) : stop_(std::move(stop)) {
  if (pipe2(pipe_, O_CLOEXEC) != 0) {
    pipe_[0] = pipe_[1] = -1;
    return;
  }
  g_signal_pipe.store(pipe_[1]);
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, &previous_int_);
  sigaction(SIGTERM, &action, &previous_term_);
  thread_ = std::thread([this] { Loop(); });
}

SignalStopper::~SignalStopper() {
  if (pipe_[0] < 0) return;
  sigaction(SIGINT, &previous_int_, nullptr);
  sigaction(SIGTERM, &previous_term_, nullptr);
  g_signal_pipe.store(-1);
  const char quit = 'q';
  (void)!write(pipe_[1], &quit, 1);
  thread_.join();
  close(pipe_[0]);
  close(pipe_[1]);
}

void SignalStopper::Loop() {
  while (true) {
    char byte = 0;
    const ssize_t n = read(pipe_[0], &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || byte == 'q') return;
    stop_();
  }
}

}  // namespace agreements::cli
