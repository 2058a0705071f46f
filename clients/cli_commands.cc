#include "clients/cli_commands.h"

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "clients/cli_values.h"
#include "common/status_macros.h"

namespace agreements::cli {
namespace {

constexpr char kServerEnv[] = "AGREEMENTS_SERVER";
constexpr char kDefaultServer[] = "127.0.0.1:50051";

// The value of --`name`, which must not be empty when given; "" when absent.
absl::StatusOr<std::string> NonEmptyFlag(const ParsedArgs& args,
                                         const std::string& name) {
  std::optional<std::string> value = args.Get(name);
  if (!value.has_value()) return std::string();
  if (value->empty()) return UsageError(absl::StrCat("--", name, ": must not be empty"));
  return *value;
}

}  // namespace

absl::StatusOr<const client::RegistryClient*> Env::Client() {
  if (client_ == nullptr) {
    absl::StatusOr<std::unique_ptr<client::RegistryClient>> connected =
        client::RegistryClient::Connect(options_);
    if (!connected.ok()) return LocalError(connected.status());
    client_ = std::move(connected).value();
  }
  return client_.get();
}

v1::CommandContext Env::CommandContext() const {
  v1::CommandContext context;
  context.set_request_id(args_.Get("request-id").value_or(client::NewRequestId()));
  context.set_reason(args_.Get("reason").value_or(""));
  context.set_correlation_id(args_.Get("correlation-id").value_or(""));
  context.set_causation_id(args_.Get("causation-id").value_or(""));
  return context;
}

uint64_t Env::MinPosition() const {
  std::optional<std::string> text = args_.Get("min-position");
  if (!text.has_value()) return 0;
  absl::StatusOr<uint64_t> value = ParseUint64("min-position", *text);
  return value.ok() ? *value : 0;
}

void Env::Print(const google::protobuf::Message& response,
                const std::function<void()>& table) {
  if (format_ == OutputFormat::kJson) {
    out_ << ToJson(response, /*pretty=*/true) << "\n";
  } else {
    table();
  }
}

absl::StatusOr<client::RegistryClientOptions> ClientOptionsFromFlags(
    const ParsedArgs& args) {
  client::RegistryClientOptions options;
  if (std::optional<std::string> server = args.Get("server")) {
    options.target = *server;
  } else if (const char* env = std::getenv(kServerEnv); env != nullptr && *env != '\0') {
    options.target = env;
  } else {
    options.target = kDefaultServer;
  }
  if (std::optional<std::string> timeout = args.Get("timeout")) {
    if (!absl::ParseDuration(*timeout, &options.call_timeout) ||
        options.call_timeout <= absl::ZeroDuration()) {
      return UsageError(absl::StrCat("--timeout: \"", *timeout,
                                     "\" is not a positive duration (e.g. 10s)"));
    }
  }
  options.tls = args.Has("tls");
  ASSIGN_OR_RETURN(options.tls_ca_file, NonEmptyFlag(args, "tls-ca"));
  ASSIGN_OR_RETURN(options.tls_cert_file, NonEmptyFlag(args, "tls-cert"));
  ASSIGN_OR_RETURN(options.tls_key_file, NonEmptyFlag(args, "tls-key"));
  ASSIGN_OR_RETURN(options.tls_server_name, NonEmptyFlag(args, "tls-server-name"));
  ASSIGN_OR_RETURN(options.token, NonEmptyFlag(args, "token"));
  ASSIGN_OR_RETURN(const std::string token_file, NonEmptyFlag(args, "token-file"));
  if (!options.token.empty() && !token_file.empty()) {
    return UsageError("--token and --token-file: give one of them");
  }
  if (!token_file.empty()) {
    absl::StatusOr<std::string> token = client::ReadTokenFile(token_file, "--token-file");
    if (!token.ok()) return LocalError(token.status());
    options.token = *std::move(token);
  }
  if (absl::Status status = client::LoadConnectionOptionsFromEnv(options); !status.ok()) {
    return LocalError(status);
  }
  if (std::optional<std::string> position = args.Get("min-position")) {
    absl::StatusOr<uint64_t> parsed = ParseUint64("min-position", *position);
    if (!parsed.ok()) return parsed.status();
  }
  return options;
}

absl::StatusOr<v1::ExpectedRevision> ExpectedRevisionFlag(const ParsedArgs& args) {
  v1::ExpectedRevision expected;
  std::optional<std::string> text = args.Get("expected-revision");
  if (!text.has_value()) return expected;
  if (*text == "none") {
    expected.set_no_stream(true);
  } else if (*text == "exists") {
    expected.set_stream_exists(true);
  } else if (*text == "any") {
    expected.set_any(true);
  } else {
    absl::StatusOr<uint64_t> exact = ParseUint64("expected-revision", *text);
    if (!exact.ok()) {
      return UsageError(absl::StrCat("--expected-revision: \"", *text,
                                     "\" is not a revision number, none, exists or any"));
    }
    expected.set_exact(*exact);
  }
  return expected;
}

FlagSpec ExpectedRevisionFlagSpec() {
  return {"expected-revision", "N",
          "fail with ABORTED unless the stream is at revision N (or: none, exists, any)"};
}

const std::vector<FlagSpec>& GlobalFlags() {
  static const std::vector<FlagSpec>* const flags = new std::vector<FlagSpec>{
      {"server", "HOST:PORT",
       "registry server (default: $AGREEMENTS_SERVER, else 127.0.0.1:50051)"},
      {"output", "FORMAT", "table (default) or json", false, 'o'},
      {"request-id", "ID",
       "request id of a command; a retry with the same id is replayed, not applied twice "
       "(default: a random id)"},
      {"reason", "TEXT", "reason recorded with a command"},
      {"correlation-id", "ID", "correlation id recorded with a command"},
      {"causation-id", "ID", "causation id recorded with a command"},
      {"timeout", "DURATION", "deadline of each RPC, e.g. 500ms, 10s, 2m (default: 10s)"},
      {"tls", "", "use TLS (implied by any --tls-* flag or $AGREEMENTS_TLS_* variable)"},
      {"tls-ca", "FILE",
       "PEM CA bundle that verifies the server (default: $AGREEMENTS_TLS_CA, else the "
       "system roots)"},
      {"tls-cert", "FILE",
       "client certificate chain for mutual TLS, with --tls-key (default: "
       "$AGREEMENTS_TLS_CERT)"},
      {"tls-key", "FILE", "private key of --tls-cert (default: $AGREEMENTS_TLS_KEY)"},
      {"tls-server-name", "NAME",
       "name to verify in the server certificate (default: $AGREEMENTS_TLS_SERVER_NAME, "
       "else the --server host)"},
      {"token", "TOKEN",
       "bearer token sent with every call, in clear without TLS; visible in ps, prefer "
       "--token-file (default: $AGREEMENTS_TOKEN)"},
      {"token-file", "FILE",
       "file holding the bearer token (default: $AGREEMENTS_TOKEN_FILE)"},
      {"min-position", "N", "queries wait until the views reflect global position N"},
      {"help", "", "show help", false, 'h'},
  };
  return *flags;
}

const std::vector<CommandSpec>& AllCommands() {
  static const std::vector<CommandSpec>* const commands = [] {
    auto* all = new std::vector<CommandSpec>();
    for (auto* set : {&QueryCommands, &AgreementCommands, &PracticeCommands,
                      &ChangeCommands, &PartyCommands, &WatchCommands, &AuditCommands,
                      &SecurityCommands, &AdminCommands}) {
      for (CommandSpec& command : set()) all->push_back(std::move(command));
    }
    return all;
  }();
  return *commands;
}

}  // namespace agreements::cli
