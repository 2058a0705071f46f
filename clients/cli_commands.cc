#include "clients/cli_commands.h"

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "clients/cli_config_file.h"
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

// --tls, --tls-ca, --tls-cert, --tls-key, --tls-server-name and --token or --token-file
// into `options`.
absl::Status ConnectionFlags(const ParsedArgs& args,
                             client::RegistryClientOptions& options) {
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
  return absl::OkStatus();
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
                const std::function<void()>& table, const std::function<void()>& wide) {
  if (!structured()) {
    (format_ == OutputFormat::kWide && wide != nullptr ? wide : table)();
    return;
  }
  out_ << RenderResponse(response, format_, json_style());
  const google::protobuf::FieldDescriptor* token =
      response.GetDescriptor()->FindFieldByName("next_page_token");
  if (format_ == OutputFormat::kJsonl && token != nullptr &&
      token->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
      !token->is_repeated()) {
    const std::string next = response.GetReflection()->GetString(response, token);
    if (!next.empty()) std::cerr << "(more: --page-token " << next << " or --all)\n";
  }
}

void Env::PrintValue(const JsonValue& value, const std::function<void()>& table) {
  if (structured()) {
    out_ << RenderValue(value, format_);
  } else {
    table();
  }
}

void Env::PrintStreamItem(const JsonValue& value) {
  out_ << RenderStreamItem(value, format_);
}

absl::StatusOr<client::RegistryClientOptions> ClientOptionsFromFlags(
    const ParsedArgs& args) {
  client::RegistryClientOptions options;
  bool server_given = true;
  if (std::optional<std::string> server = args.Get("server")) {
    options.target = *server;
  } else if (const char* env = std::getenv(kServerEnv); env != nullptr && *env != '\0') {
    options.target = env;
  } else {
    options.target = kDefaultServer;
    server_given = false;
  }
  if (std::optional<std::string> timeout = args.Get("timeout")) {
    if (!absl::ParseDuration(*timeout, &options.call_timeout) ||
        options.call_timeout <= absl::ZeroDuration()) {
      return UsageError(absl::StrCat("--timeout: \"", *timeout,
                                     "\" is not a positive duration (e.g. 10s)"));
    }
  }
  RETURN_IF_ERROR(ConnectionFlags(args, options));
  if (absl::Status status = client::LoadConnectionOptionsFromEnv(options); !status.ok()) {
    return LocalError(status);
  }
  ASSIGN_OR_RETURN(const std::optional<CliContext> context, SelectedContext(args));
  if (context.has_value()) {
    RETURN_IF_ERROR(ApplyContext(*context, server_given, options));
  }
  if (std::optional<std::string> position = args.Get("min-position")) {
    absl::StatusOr<uint64_t> parsed = ParseUint64("min-position", *position);
    if (!parsed.ok()) return parsed.status();
  }
  return options;
}

absl::StatusOr<OutputFormat> OutputFormatFromFlags(const ParsedArgs& args,
                                                   bool use_context) {
  if (std::optional<std::string> format = args.Get("output")) {
    return ParseOutputFormat(*format);
  }
  if (!use_context) return OutputFormat::kTable;
  ASSIGN_OR_RETURN(const std::optional<CliContext> context, SelectedContext(args));
  if (!context.has_value() || context->output.empty()) return OutputFormat::kTable;
  absl::StatusOr<OutputFormat> format = ParseOutputFormat(context->output);
  if (!format.ok()) {
    return UsageError(absl::StrCat("context \"", context->name,
                                   "\": output: ", format.status().message()));
  }
  return format;
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
      {"output", "FORMAT",
       "table (default), wide, json, jsonl or yaml (default: the context's output)",
       false, 'o', false, OutputFormatNames()},
      {"proto-json", "",
       "with -o json, jsonl or yaml: the exact proto3 JSON mapping (full enum names, "
       "dates as objects, 64-bit integers as strings)"},
      {"context", "NAME",
       "configuration context to use (default: $AGREEMENTS_CONTEXT, else the config "
       "file's current-context)"},
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
      {"version", "", "print the client's version, and the server's when reachable"},
      {"help", "", "show help", false, 'h'},
  };
  return *flags;
}

const std::vector<CommandSpec>& AllCommands() {
  static const std::vector<CommandSpec>* const commands = [] {
    auto* all = new std::vector<CommandSpec>();
    for (auto* set : {&QueryCommands, &AgreementCommands, &PracticeCommands,
                      &ChangeCommands, &PartyCommands, &WatchCommands, &AuditCommands,
                      &SecurityCommands, &AdminCommands, &ConfigCommands}) {
      for (CommandSpec& command : set()) all->push_back(std::move(command));
    }
    all->push_back(CompletionCommand());
    all->push_back(VersionCommand());
    return all;
  }();
  return *commands;
}

}  // namespace agreements::cli
