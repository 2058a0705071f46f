// `agreements version` (or `--version`): the client's version, and the server's when it
// answers SecurityService.WhoAmI within a short deadline. An unreachable server (or bad
// connection flags) is reported, not an error: the command exits 0 either way.
#include <algorithm>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "clients/cli_commands.h"
#include "clients/client.h"
#include "common/build_info.h"

namespace agreements::cli {
namespace {

// How long `version` waits for the server.
constexpr absl::Duration kServerDeadline = absl::Seconds(2);

// What the server said about itself, or why it said nothing.
struct ServerVersion {
  std::string target;
  absl::Status status;  // OK when the server answered
  std::string version;
  std::string commit;
};

ServerVersion AskServer(const ParsedArgs& args) {
  ServerVersion server;
  absl::StatusOr<client::RegistryClientOptions> options = ClientOptionsFromFlags(args);
  if (!options.ok()) {
    server.status = options.status();
    return server;
  }
  server.target = options->target;
  options->call_timeout = std::min(options->call_timeout, kServerDeadline);
  absl::StatusOr<std::unique_ptr<client::RegistryClient>> client =
      client::RegistryClient::Connect(*options);
  if (!client.ok()) {
    server.status = client.status();
    return server;
  }
  absl::StatusOr<v1::WhoAmIResponse> who = (*client)->WhoAmI(v1::WhoAmIRequest());
  if (!who.ok()) {
    server.status = who.status();
    return server;
  }
  server.version = who->server_version();
  server.commit = who->server_commit();
  return server;
}

// "server: agreements-server 0.17.0 (commit abc123) at 127.0.0.1:50051", or why not:
// "server: unreachable (UNAVAILABLE: 127.0.0.1:50051: ...)".
std::string ServerLine(const ServerVersion& server) {
  const absl::StatusCode code = server.status.code();
  const std::string reason =
      absl::StrCat(absl::StatusCodeToString(code), ": ",
                   server.target.empty() ? "" : absl::StrCat(server.target, ": "),
                   server.status.message());
  if (code == absl::StatusCode::kUnavailable ||
      code == absl::StatusCode::kDeadlineExceeded) {
    return absl::StrCat("server: unreachable (", reason, ")");
  }
  if (!server.status.ok()) return absl::StrCat("server: version unknown (", reason, ")");
  const std::string at = absl::StrCat(" at ", server.target);
  if (server.version.empty()) {
    return absl::StrCat("server: version not reported (an older server)", at);
  }
  return absl::StrCat(
      "server: agreements-server ", server.version,
      server.commit.empty() ? "" : absl::StrCat(" (commit ", server.commit, ")"), at);
}

JsonValue VersionValue(const ServerVersion& server) {
  JsonValue client = JsonValue::Object();
  client.Set("version", JsonValue::String(build_info::Version()));
  client.Set("commit", JsonValue::String(build_info::Commit()));
  client.Set("buildType", JsonValue::String(build_info::BuildType()));
  JsonValue remote = JsonValue::Object();
  remote.Set("target", JsonValue::String(server.target));
  remote.Set("reachable", JsonValue::Bool(server.status.ok()));
  if (server.status.ok()) {
    remote.Set("version", JsonValue::String(server.version));
    remote.Set("commit", JsonValue::String(server.commit));
  } else {
    remote.Set("error", JsonValue::String(
                            absl::StrCat(absl::StatusCodeToString(server.status.code()),
                                         ": ", server.status.message())));
  }
  JsonValue all = JsonValue::Object();
  all.Set("client", std::move(client));
  all.Set("server", std::move(remote));
  return all;
}

absl::Status RunVersion(Env& env) {
  const ServerVersion server = AskServer(env.args());
  env.PrintValue(VersionValue(server), [&] {
    env.out() << build_info::VersionText("agreements") << ServerLine(server) << "\n";
  });
  return absl::OkStatus();
}

}  // namespace

CommandSpec VersionCommand() {
  CommandSpec spec;
  spec.path = "version";
  spec.summary = "print the client's version, and the server's when it answers within 2s";
  spec.details =
      "Asks the server (--server, or the context's) for its version with\n"
      "SecurityService.WhoAmI; when it is unreachable, says so and still exits 0.";
  spec.offline = true;  // resolves the connection itself and tolerates failures
  spec.run = RunVersion;
  return spec;
}

}  // namespace agreements::cli
