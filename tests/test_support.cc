#include "tests/test_support.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"

namespace agreements::testing {

namespace v1 = ::agreements::v1;

v1::Date Day(int year, int month, int day) {
  v1::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  date.set_precision(v1::DATE_PRECISION_DAY);
  return date;
}

v1::RegisterPartyRequest StateParty(const std::string& request_id, const std::string& id,
                                    const std::string& country) {
  v1::RegisterPartyRequest request;
  request.mutable_context()->set_request_id(request_id);
  v1::Party* party = request.mutable_party();
  party->set_id(id);
  party->set_type(v1::PARTY_TYPE_STATE);
  party->set_country_code(country);
  auto* name = party->add_names();
  name->set_language("en");
  name->set_text("State " + country);
  return request;
}

v1::RecordAgreementRequest BindingAgreement(const std::string& request_id,
                                            const std::string& id,
                                            const std::vector<std::string>& parties,
                                            const std::string& sector) {
  v1::RecordAgreementRequest request;
  request.mutable_context()->set_request_id(request_id);
  v1::Agreement* agreement = request.mutable_agreement();
  agreement->set_id(id);
  agreement->set_designation("Agreement");
  agreement->set_instrument_kind(v1::INSTRUMENT_KIND_AGREEMENT);
  agreement->set_legal_nature(v1::LEGAL_NATURE_BINDING_INTERNATIONAL);
  agreement->set_arity(v1::ARITY_BILATERAL);
  auto* title = agreement->add_titles();
  title->set_language("en");
  title->set_text("Agreement " + id);
  for (const auto& party : parties) {
    auto* participation = agreement->add_participations();
    participation->set_party_id(party);
    participation->add_roles(v1::PARTICIPANT_ROLE_PARTY);
  }
  auto* classification = agreement->add_classifications();
  classification->set_scheme(v1::CLASSIFICATION_SCHEME_REGISTRY_SECTOR);
  classification->set_code(sector);
  return request;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Kill();
}

bool ServerProcess::Start() {
  int out[2];
  if (pipe(out) != 0) return false;
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    std::string data = "--data_dir=" + data_dir_;
    std::vector<std::string> args = {binary_, "--listen=127.0.0.1:0", data,
                                     "--metrics_listen=127.0.0.1:0",
                                     "--http_listen=127.0.0.1:0"};
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(binary_.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  // Read the "listening on 127.0.0.1:PORT" line, bounded in time.
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd fd{out[0], POLLIN, 0};
    if (poll(&fd, 1, 200) <= 0) continue;
    char c;
    if (read(out[0], &c, 1) != 1) break;
    if (c != '\n') {
      line.push_back(c);
      continue;
    }
    const std::string marker = "listening on 127.0.0.1:";
    const std::string metrics = "metrics on 127.0.0.1:";
    const std::string http = "http on 127.0.0.1:";
    if (auto at = line.find(marker); at != std::string::npos) {
      port_ = std::atoi(line.c_str() + at + marker.size());
    } else if (auto at = line.find(metrics); at != std::string::npos) {
      metrics_port_ = std::atoi(line.c_str() + at + metrics.size());
    } else if (auto at = line.find(http); at != std::string::npos) {
      http_port_ = std::atoi(line.c_str() + at + http.size());
    }
    line.clear();
    // The metrics and http lines follow the listening line at once, when there are ones.
    if (port_ > 0 && (metrics_port_ > 0 || !HasListener("metrics_listen")) &&
        (http_port_ > 0 || !HasListener("http_listen"))) {
      break;
    }
  }
  // Keep the pipe drained by nobody: the server writes only a few lines, well under the
  // pipe buffer. Closing it would make later writes fail with SIGPIPE.
  return port_ > 0;
}

grpc::Status RegisterKzKr(agreements::v1::CommandService::Stub& commands) {
  for (const auto& [id, country] : {std::pair<const char*, const char*>{"kz", "KZ"},
                                    std::pair<const char*, const char*>{"kr", "KR"}}) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    agreements::v1::RegisterPartyResponse response;
    const grpc::Status status = commands.RegisterParty(
        &context, StateParty(std::string("p-") + id, id, country), &response);
    if (!status.ok()) return status;
  }
  return grpc::Status::OK;
}

CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe))
    result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

bool ServerProcess::HasListener(const std::string& flag) const {
  bool on = true;  // Start passes both listeners on 127.0.0.1:0 first
  const std::string prefix = "--" + flag + "=";
  for (const std::string& arg : extra_args_) {
    if (arg.rfind(prefix, 0) == 0) on = arg != prefix;
  }
  return on;
}

void ServerProcess::Signal(int signal) {
  if (pid_ > 0) kill(pid_, signal);
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 300; ++i) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    usleep(100 * 1000);
  }
  Kill();
  return -1;
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::unique_ptr<grpc::ClientContext> ContextWithDeadline(int seconds) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return context;
}

absl::StatusOr<LocalRegistry> StartLocalRegistry(services::ServerOptions options,
                                                 const std::string& data_dir) {
  options.listen = "127.0.0.1:0";
  options.data_dir = data_dir;
  absl::StatusOr<std::unique_ptr<services::RegistryServer>> server =
      services::RegistryServer::Start(options);
  if (!server.ok()) return server.status();
  LocalRegistry registry;
  registry.server = *std::move(server);
  registry.channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(registry.server->port()),
                          grpc::InsecureChannelCredentials());
  return registry;
}

}  // namespace agreements::testing
