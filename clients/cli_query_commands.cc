// Read commands (get, list, summary, sectors), bulk loading (load) and the health check.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "clients/cli_commands.h"
#include "clients/cli_format.h"
#include "clients/cli_values.h"
#include "common/sha256.h"
#include "common/status_macros.h"

namespace agreements::cli {
namespace {

// Request ids derived for load lines that carry none: "load-" and 32 hex digits of the
// line's SHA-256, so that loading the same file again is replayed, not applied twice.
constexpr size_t kDerivedRequestIdHexDigits = 32;

// One row per line of a load: line number, request id, committed/replayed, positions.
constexpr absl::string_view kLoadRowFormat = "%-6s %-40s %-10s %s\n";

absl::Status RunGet(Env& env) {
  v1::GetAgreementRequest request;
  request.set_agreement_id(env.args().positional()[0]);
  request.set_min_position(env.MinPosition());
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  ASSIGN_OR_RETURN(v1::GetAgreementResponse response, client->GetAgreement(request));
  env.Print(response, [&] { PrintAgreement(env.out(), response.agreement()); });
  return absl::OkStatus();
}

absl::Status RunList(Env& env) {
  const ParsedArgs& args = env.args();
  v1::ListAgreementsRequest request;
  request.set_sector(args.Get("sector").value_or(""));
  ASSIGN_OR_RETURN(auto status, EnumFlag<v1::AgreementStatus>(args, "status"));
  if (status.has_value()) request.set_status(*status);
  ASSIGN_OR_RETURN(auto kind, EnumFlag<v1::InstrumentKind>(args, "kind"));
  if (kind.has_value()) request.set_instrument_kind(*kind);
  request.set_party_id(args.Get("party").value_or(""));
  ASSIGN_OR_RETURN(auto from, DateFlag(args, "signed-from"));
  if (from.has_value()) *request.mutable_signed_from() = *from;
  ASSIGN_OR_RETURN(auto to, DateFlag(args, "signed-to"));
  if (to.has_value()) *request.mutable_signed_to() = *to;
  return ListPages<v1::ListAgreementsRequest, v1::ListAgreementsResponse>(
      env, std::move(request),
      [](const client::RegistryClient& client, const v1::ListAgreementsRequest& r) {
        return client.ListAgreements(r);
      },
      [](v1::ListAgreementsResponse& all, const v1::ListAgreementsResponse& page) {
        all.mutable_agreements()->MergeFrom(page.agreements());
      },
      [&env](const v1::ListAgreementsResponse& all) {
        PrintAgreementList(env.out(), all.agreements());
      });
}

absl::Status RunSummary(Env& env) {
  v1::GetSectorSummaryRequest request;
  request.set_sector(env.args().positional()[0]);
  if (std::optional<std::string> top = env.args().Get("top")) {
    ASSIGN_OR_RETURN(int32_t top_parties, ParseInt32("top", *top));
    request.set_top_parties(top_parties);
  }
  request.set_min_position(env.MinPosition());
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  ASSIGN_OR_RETURN(v1::GetSectorSummaryResponse response,
                   client->GetSectorSummary(request));
  env.Print(response, [&] { PrintSectorSummary(env.out(), response.summary()); });
  return absl::OkStatus();
}

absl::Status RunSectors(Env& env) {
  v1::ListSectorsRequest request;
  request.set_min_position(env.MinPosition());
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  ASSIGN_OR_RETURN(v1::ListSectorsResponse response, client->ListSectors(request));
  env.Print(response, [&] { PrintSectors(env.out(), response); });
  return absl::OkStatus();
}

// `text` as a JSON string literal.
std::string JsonQuote(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppend(&out, absl::StrFormat("\\u%04x", static_cast<int>(c)));
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

// One request of a load file and the line it came from.
struct LoadLine {
  int number = 0;
  v1::ExecuteBatchRequest request;
};

// Parses every line first, so that a malformed file sends nothing.
absl::StatusOr<std::vector<LoadLine>> ParseLoadFile(const std::string& path,
                                                    const std::string& content,
                                                    const std::string& reason) {
  std::vector<LoadLine> lines;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(content, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    LoadLine parsed;
    parsed.number = number;
    RETURN_IF_ERROR(ParseJson(line, absl::StrCat(path, ":", number), parsed.request));
    v1::CommandContext* context = parsed.request.mutable_context();
    if (context->request_id().empty()) {
      context->set_request_id(absl::StrCat(
          "load-", DigestHex(Sha256::Hash(line)).substr(0, kDerivedRequestIdHexDigits)));
    }
    if (context->reason().empty()) context->set_reason(reason);
    lines.push_back(std::move(parsed));
  }
  if (lines.empty()) return UsageError(absl::StrCat(path, ": no requests"));
  return lines;
}

absl::Status RunLoad(Env& env) {
  if (env.args().Has("request-id")) {
    return UsageError(
        "load: request ids come from the file; --request-id is not allowed");
  }
  const std::string& path = env.args().positional()[0];
  ASSIGN_OR_RETURN(std::string content, ReadFile(path));
  ASSIGN_OR_RETURN(std::vector<LoadLine> lines,
                   ParseLoadFile(path, content, env.args().Get("reason").value_or("")));
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  const bool json = env.format() == OutputFormat::kJson;
  if (!json)
    env.out() << absl::StrFormat(kLoadRowFormat, "LINE", "REQUEST_ID", "RESULT",
                                 "POSITIONS");
  int committed = 0;
  int replayed = 0;
  for (const LoadLine& line : lines) {
    const std::string& request_id = line.request.context().request_id();
    absl::StatusOr<v1::ExecuteBatchResponse> response =
        client->ExecuteBatch(line.request);
    if (!response.ok()) {
      env.out().flush();
      return absl::Status(response.status().code(),
                          absl::StrCat(path, ":", line.number, " (request ", request_id,
                                       "): ", response.status().message()));
    }
    const v1::CommitResult& result = response->result();
    (result.replayed() ? replayed : committed) += 1;
    if (json) {
      env.out() << "{\"line\":" << line.number
                << ",\"requestId\":" << JsonQuote(request_id)
                << ",\"response\":" << ToJson(*response, /*pretty=*/false) << "}\n";
    } else {
      env.out() << absl::StrFormat(kLoadRowFormat, absl::StrCat(line.number), request_id,
                                   result.replayed() ? "replayed" : "committed",
                                   FormatPositions(result));
    }
    env.out().flush();
  }
  if (!json) {
    env.out() << lines.size() << " requests: " << committed << " committed, " << replayed
              << " replayed\n";
  }
  return absl::OkStatus();
}

absl::Status RunHealth(Env& env) {
  absl::Duration wait = env.client_options().call_timeout;
  if (std::optional<std::string> text = env.args().Get("wait")) {
    if (!absl::ParseDuration(*text, &wait) || wait <= absl::ZeroDuration()) {
      return UsageError(
          absl::StrCat("--wait: \"", *text, "\" is not a positive duration"));
    }
  }
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  RETURN_IF_ERROR(client->WaitForHealthy(wait));
  if (env.format() == OutputFormat::kJson) {
    env.out() << "{\"status\": \"SERVING\"}\n";
  } else {
    env.out() << "SERVING\n";
  }
  return absl::OkStatus();
}

CommandSpec Simple(std::string path, std::string args_usage, size_t args,
                   std::string summary, std::function<absl::Status(Env&)> run) {
  CommandSpec spec;
  spec.path = std::move(path);
  spec.args_usage = std::move(args_usage);
  spec.min_args = spec.max_args = args;
  spec.summary = std::move(summary);
  spec.run = std::move(run);
  return spec;
}

}  // namespace

std::vector<CommandSpec> QueryCommands() {
  std::vector<CommandSpec> commands;
  commands.push_back(Simple("get", "ID", 1, "show one agreement", RunGet));
  CommandSpec list = Simple("list", "", 0, "list agreements, ordered by id", RunList);
  list.details = "Filters combine with AND. Without --all one page is shown.";
  list.flags = {{"sector", "CODE", "only agreements in this sector, e.g. energy"},
                {"status", "STATUS", "only this status, e.g. in_force"},
                {"kind", "KIND", "only this instrument kind"},
                {"party", "ID", "only agreements this party participates in"},
                {"signed-from", "DATE", "signed on or after"},
                {"signed-to", "DATE", "signed on or before"},
                {"page-size", "N", "agreements per page (1 to 1000; server default 50)"},
                {"page-token", "TOKEN", "continue a previous listing"},
                {"all", "", "follow page tokens to the end"}};
  commands.push_back(std::move(list));
  CommandSpec summary =
      Simple("summary", "SECTOR", 1, "counts, amounts and top parties of one sector",
             RunSummary);
  summary.flags = {{"top", "N", "how many top parties (server default 10)"}};
  commands.push_back(std::move(summary));
  commands.push_back(Simple(
      "sectors", "", 0, "every registry sector with its agreement count", RunSectors));
  CommandSpec load = Simple("load", "FILE.jsonl", 1,
                            "send ExecuteBatch requests, one per line", RunLoad);
  load.details =
      "Each non-blank line is an ExecuteBatchRequest in protobuf JSON; lines are sent "
      "in\n"
      "order and the load stops at the first error (exit status 2). A line without\n"
      "context.requestId gets \"load-\" plus a hash of the line, so loading a file "
      "twice\n"
      "is replayed by the server and adds nothing. --reason fills context.reason where\n"
      "empty. Prints per line: line number, request id, committed or replayed, "
      "positions;\n"
      "with -o json one object per line: {\"line\", \"requestId\", \"response\"}.";
  commands.push_back(std::move(load));
  CommandSpec health =
      Simple("health", "", 0, "wait until the server reports SERVING", RunHealth);
  health.flags = {{"wait", "DURATION", "how long to wait (default: --timeout)"}};
  commands.push_back(std::move(health));
  return commands;
}

}  // namespace agreements::cli
