#include "clients/cli_commands.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "clients/cli_values.h"

namespace agreements::cli {

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
      {"actor", "NAME", "value of the x-actor header (default: $USER, else cli)"},
      {"min-position", "N", "queries wait until the views reflect global position N"},
      {"help", "", "show help", false, 'h'},
  };
  return *flags;
}

const std::vector<CommandSpec>& AllCommands() {
  static const std::vector<CommandSpec>* const commands = [] {
    auto* all = new std::vector<CommandSpec>();
    for (auto* set : {&QueryCommands, &AgreementCommands, &ChangeCommands, &PartyCommands,
                      &WatchCommands, &AuditCommands}) {
      for (CommandSpec& command : set()) all->push_back(std::move(command));
    }
    return all;
  }();
  return *commands;
}

}  // namespace agreements::cli
