// The commands of the `agreements` tool and what they share: the environment of one
// invocation (parsed flags, output, a lazily connected client) and helpers that build
// command contexts and print responses.
#ifndef AGREEMENTS_CLIENTS_CLI_COMMANDS_H_
#define AGREEMENTS_CLIENTS_CLI_COMMANDS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agreements/v1/command_service.pb.h"
#include "agreements/v1/events.pb.h"
#include "clients/cli_flags.h"
#include "clients/cli_json.h"
#include "clients/cli_output.h"
#include "clients/cli_values.h"
#include "clients/client.h"
#include "google/protobuf/message.h"

namespace agreements::cli {

namespace v1 = ::agreements::v1;

// Everything one command invocation needs. Owns the client it connects on first use;
// refers to the parsed arguments and output stream, which must outlive it. Used by one
// thread.
class Env {
 public:
  Env(const ParsedArgs& args, OutputFormat format, client::RegistryClientOptions options,
      std::ostream& out)
      : args_(args), format_(format), options_(std::move(options)), out_(out) {}

  const ParsedArgs& args() const { return args_; }
  OutputFormat format() const { return format_; }
  std::ostream& out() { return out_; }
  const client::RegistryClientOptions& client_options() const { return options_; }

  // The client, connected on the first call.
  absl::StatusOr<const client::RegistryClient*> Client();

  // The command context from --request-id (a fresh random id when absent), --reason,
  // --correlation-id and --causation-id.
  v1::CommandContext CommandContext() const;

  // --min-position, 0 when absent (already validated by main).
  uint64_t MinPosition() const;

  // How structured output renders messages: kProto with --proto-json.
  JsonStyle json_style() const {
    return args_.Has("proto-json") ? JsonStyle::kProto : JsonStyle::kFriendly;
  }
  bool structured() const { return IsStructured(format_); }

  // Prints a whole response: json, jsonl or yaml as RenderResponse (cli_output.h; with
  // jsonl, a "(more: ...)" hint on stderr when the response has a next page token), or
  // with `wide` (-o wide; `table` when there is none) or `table`.
  void Print(const google::protobuf::Message& response,
             const std::function<void()>& table,
             const std::function<void()>& wide = nullptr);
  // Prints a value built by the command (a count, a status): structured forms as
  // RenderValue, else `table`.
  void PrintValue(const JsonValue& value, const std::function<void()>& table);
  // Prints one message of a stream, or one line of a result set: a compact JSON line
  // (json, jsonl) or a YAML document (yaml). Only for structured formats.
  void PrintStreamItem(const JsonValue& value);
  // `message` as a JSON value in this invocation's style.
  JsonValue ToValue(const google::protobuf::Message& message) const {
    return MessageToValue(message, json_style());
  }

 private:
  const ParsedArgs& args_;
  const OutputFormat format_;
  const client::RegistryClientOptions options_;
  std::ostream& out_;
  std::unique_ptr<client::RegistryClient> client_;
};

// The paging shared by the list commands: --page-size, --page-token and --min-position
// set on `request`; one page, or with --all every page merged into one response; printed
// in the structured forms, or with `table` (or `wide` for -o wide, when given) plus a
// hint when more pages remain.
//   fetch(client, request) -> absl::StatusOr<Response>
//   merge(all, page)       appends the page's items to `all`
template <typename Request, typename Response, typename Fetch, typename Merge>
absl::Status ListPages(Env& env, Request request, Fetch fetch, Merge merge,
                       std::function<void(const Response&)> table,
                       std::function<void(const Response&)> wide = nullptr) {
  const ParsedArgs& args = env.args();
  if (std::optional<std::string> size = args.Get("page-size")) {
    absl::StatusOr<int32_t> page_size = ParseInt32("page-size", *size);
    if (!page_size.ok()) return page_size.status();
    request.set_page_size(*page_size);
  }
  request.set_page_token(args.Get("page-token").value_or(""));
  request.set_min_position(env.MinPosition());
  absl::StatusOr<const client::RegistryClient*> client = env.Client();
  if (!client.ok()) return client.status();
  Response all;
  while (true) {
    absl::StatusOr<Response> page = fetch(**client, request);
    if (!page.ok()) return page.status();
    merge(all, *page);
    all.set_position(page->position());
    all.set_next_page_token(page->next_page_token());
    if (!args.Has("all") || page->next_page_token().empty()) break;
    request.set_page_token(page->next_page_token());
  }
  const auto print = [&](const std::function<void(const Response&)>& rows) {
    rows(all);
    if (!all.next_page_token().empty()) {
      env.out() << "(more: --page-token " << all.next_page_token() << " or --all)\n";
    }
  };
  env.Print(
      all, [&] { print(table); }, [&] { print(wide != nullptr ? wide : table); });
  return absl::OkStatus();
}

// The client options from the global flags: --server (else $AGREEMENTS_SERVER, else the
// context's server, else 127.0.0.1:50051), --timeout, --tls, --tls-ca, --tls-cert,
// --tls-key, --tls-server-name, --token or --token-file; connection fields without a
// flag come from the environment (client::LoadConnectionOptionsFromEnv), then from the
// selected context (cli_config_file.h, SelectedContext). Also validates --min-position.
// Errors are local (exit status 1); the files other than the token file are read by
// Connect.
absl::StatusOr<client::RegistryClientOptions> ClientOptionsFromFlags(
    const ParsedArgs& args);
// -o, else the selected context's output, else table. `use_context` false: -o or table.
absl::StatusOr<OutputFormat> OutputFormatFromFlags(const ParsedArgs& args,
                                                   bool use_context = true);

// --expected-revision N (exact), or "none" (the stream must not exist) / "exists"; unset
// when the flag is absent.
absl::StatusOr<v1::ExpectedRevision> ExpectedRevisionFlag(const ParsedArgs& args);
FlagSpec ExpectedRevisionFlagSpec();

// The command sets, one per source file.
std::vector<CommandSpec> QueryCommands();  // get, lookup, list, summary, sectors, load,
                                           // health
CommandSpec LoadCommand();                 // load (cli_load.cc)
std::vector<CommandSpec> AgreementCommands();  // record, binding lifecycle changes
// reservations, depositaries, UN registration, terms, succession, identifiers
std::vector<CommandSpec> PracticeCommands();
std::vector<CommandSpec> ChangeCommands();  // data changes, non-binding, contracts, apply
std::vector<CommandSpec> PartyCommands();   // party register/update/get/list
std::vector<CommandSpec> WatchCommands();   // watch, watch-sector
std::vector<CommandSpec> AuditCommands();   // audit checkpoint/prove/follow, history
std::vector<CommandSpec> SecurityCommands();  // whoami, security-status
std::vector<CommandSpec> AdminCommands();     // rebuild-view
std::vector<CommandSpec> ConfigCommands();    // config get-contexts, use-context, ...
CommandSpec CompletionCommand();              // completion bash|zsh|fish
CommandSpec VersionCommand();                 // version (also --version)

// Every command, in help order.
const std::vector<CommandSpec>& AllCommands();
// The flags every command accepts.
const std::vector<FlagSpec>& GlobalFlags();

}  // namespace agreements::cli

#endif  // AGREEMENTS_CLIENTS_CLI_COMMANDS_H_
