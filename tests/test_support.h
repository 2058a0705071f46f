// Shared helpers of the end-to-end tests: temp dirs, request builders, a registry server
// in the test's process, and a child process running the real agreements-server binary.
#ifndef AGREEMENTS_TESTS_TEST_SUPPORT_H_
#define AGREEMENTS_TESTS_TEST_SUPPORT_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agreements/v1/command_service.grpc.pb.h"
#include "agreements/v1/command_service.pb.h"
#include "agreements/v1/events.pb.h"
#include "common/temp_dir.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "services/server.h"

namespace agreements::testing {

agreements::v1::RegisterPartyRequest StateParty(const std::string& request_id,
                                                const std::string& id,
                                                const std::string& country);
// Registers Kazakhstan ("kz") and Korea ("kr"), the parties of the tests' bilateral
// agreements, with request ids "p-kz" and "p-kr"; the first failure, else OK.
grpc::Status RegisterKzKr(agreements::v1::CommandService::Stub& commands);

// A bilateral binding agreement between `parties` in `sector`.
agreements::v1::RecordAgreementRequest BindingAgreement(
    const std::string& request_id, const std::string& id,
    const std::vector<std::string>& parties, const std::string& sector);
agreements::v1::Date Day(int year, int month, int day);

// A client context whose deadline is `seconds` from now: no call of a test waits
// unbounded.
std::unique_ptr<grpc::ClientContext> ContextWithDeadline(int seconds = 10);

// A RegistryServer in the test's process on 127.0.0.1 (a port it picks), its data in
// `data_dir`, and a plaintext channel to it.
struct LocalRegistry {
  std::unique_ptr<services::RegistryServer> server;
  std::shared_ptr<grpc::Channel> channel;
};
// `options.listen` and `options.data_dir` are set here.
absl::StatusOr<LocalRegistry> StartLocalRegistry(services::ServerOptions options,
                                                 const std::string& data_dir);

// Runs `command` with /bin/sh; its exit code (-1 when it did not exit) and its stdout
// and stderr together.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult RunCommand(const std::string& command);

// agreements-server as a child process on 127.0.0.1 with a port it picks itself.
// Not thread-safe; the destructor kills the process if it still runs.
class ServerProcess {
 public:
  // `extra_args` follow --listen and --data_dir on the command line.
  ServerProcess(std::string binary, std::string data_dir,
                std::vector<std::string> extra_args = {})
      : binary_(std::move(binary)),
        data_dir_(std::move(data_dir)),
        extra_args_(std::move(extra_args)) {}
  ~ServerProcess();

  // Starts the server and waits (at most 20 s) for its "listening on" line.
  bool Start();
  // SIGTERM and wait; returns the exit status (or -1).
  int Stop();
  // SIGKILL and reap.
  void Kill();
  // Sends `signal` (e.g. SIGHUP) and returns at once.
  void Signal(int signal);
  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }
  // The Prometheus listener's port (0: none).
  int metrics_port() const { return metrics_port_; }
  // The HTTP API's port (0: none).
  int http_port() const { return http_port_; }

 private:
  std::string binary_;
  std::string data_dir_;
  std::vector<std::string> extra_args_;
  // False when the arguments turn a listener off ("--metrics_listen=", "--http_listen=").
  bool HasListener(const std::string& flag) const;

  pid_t pid_ = -1;
  int port_ = 0;
  int metrics_port_ = 0;
  int http_port_ = 0;
};

}  // namespace agreements::testing

#endif  // AGREEMENTS_TESTS_TEST_SUPPORT_H_
