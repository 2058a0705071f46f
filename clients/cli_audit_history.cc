// Audit commands that read the registry's history (AuditService): an agreement's or
// party's events (`audit history`), field-level changes between revisions (`audit
// diff`), states as recorded at a position or a time (`audit get`, `audit party`,
// `audit sector`: transaction time) and legal status on a date (`audit status-on`,
// `audit in-force`: valid time, optionally as recorded at --as-of: both axes).
#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "agreements/v1/audit_service.pb.h"
#include "clients/cli_audit_internal.h"
#include "clients/cli_commands.h"
#include "clients/cli_format.h"
#include "clients/cli_values.h"
#include "common/date_format.h"
#include "common/status_macros.h"
#include "google/protobuf/util/time_util.h"

namespace agreements::cli {
namespace {

// --as-of POSITION or an RFC 3339 time; unset (now) when absent.
absl::StatusOr<v1::AsOf> AsOfFlag(const ParsedArgs& args) {
  v1::AsOf as_of;
  std::optional<std::string> text = args.Get("as-of");
  if (!text.has_value()) return as_of;
  if (!text->empty() && std::all_of(text->begin(), text->end(), absl::ascii_isdigit)) {
    ASSIGN_OR_RETURN(uint64_t position, ParseUint64("as-of", *text));
    if (position == 0) return UsageError("--as-of: positions start at 1");
    as_of.set_position(position);
    return as_of;
  }
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, *text, &time, &error)) {
    return UsageError(absl::StrCat("--as-of: \"", *text,
                                   "\" is neither a position nor an RFC 3339 time "
                                   "(e.g. 2026-01-31T12:00:00Z)"));
  }
  *as_of.mutable_recorded_at() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(time));
  return as_of;
}

FlagSpec AsOfFlagSpec() {
  return {"as-of", "POSITION|TIME",
          "as recorded at a global position or an RFC 3339 time (default: now)"};
}

absl::StatusOr<uint64_t> OptionalUint64(const ParsedArgs& args, const std::string& name) {
  std::optional<std::string> text = args.Get(name);
  if (!text.has_value()) return 0;
  return ParseUint64(name, *text);
}

void PrintPosition(std::ostream& out, uint64_t position) {
  out << "(as recorded at position " << position << ")\n";
}

absl::Status RunHistory(Env& env) {
  const ParsedArgs& args = env.args();
  v1::ListHistoryRequest request;
  request.set_stream_type(args.Has("party") ? v1::STREAM_TYPE_PARTY
                                            : v1::STREAM_TYPE_AGREEMENT);
  request.set_stream_id(args.positional()[0]);
  if (std::optional<std::string> size = args.Get("page-size")) {
    ASSIGN_OR_RETURN(int32_t page_size, ParseInt32("page-size", *size));
    request.set_page_size(page_size);
  }
  request.set_page_token(args.Get("page-token").value_or(""));
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  v1::ListHistoryResponse all;
  while (true) {
    ASSIGN_OR_RETURN(v1::ListHistoryResponse page, client->ListHistory(request));
    all.mutable_events()->MergeFrom(page.events());
    all.set_next_page_token(page.next_page_token());
    if (!args.Has("all") || page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  env.Print(all, [&] {
    Table table({"POSITION", "RECORDED_AT", "REV", "EVENT", "ACTOR", "REASON"});
    for (const v1::Event& event : all.events()) {
      const v1::EventEnvelope& e = event.envelope();
      table.AddRow({absl::StrCat(e.position()), FormatTimestamp(e.recorded_at()),
                    absl::StrCat(e.revision()), e.event_type(), e.actor(), e.reason()});
    }
    table.Print(env.out());
    if (!all.next_page_token().empty()) {
      env.out() << "(more: --page-token " << all.next_page_token() << " or --all)\n";
    }
  });
  return absl::OkStatus();
}

absl::Status RunDiff(Env& env) {
  v1::DiffRevisionsRequest request;
  request.set_agreement_id(env.args().positional()[0]);
  ASSIGN_OR_RETURN(uint64_t from, OptionalUint64(env.args(), "from"));
  ASSIGN_OR_RETURN(uint64_t to, OptionalUint64(env.args(), "to"));
  request.set_from_revision(from);
  request.set_to_revision(to);
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  ASSIGN_OR_RETURN(v1::DiffRevisionsResponse response, client->DiffRevisions(request));
  env.Print(response, [&] {
    env.out() << "revision " << response.from_revision() << " -> "
              << response.to_revision() << "\n";
    Table table({"REV", "POSITION", "EVENT", "FIELD", "OLD", "NEW", "ACTOR"});
    for (const v1::FieldChange& c : response.changes()) {
      const std::string event =
          c.corrects_position() == 0
              ? c.event_type()
              : absl::StrCat(c.event_type(), " (corrects ", c.corrects_position(), ")");
      table.AddRow({absl::StrCat(c.revision()), absl::StrCat(c.position()), event,
                    c.field(), c.old_value().empty() ? "-" : c.old_value(),
                    c.new_value().empty() ? "-" : c.new_value(), c.actor()});
    }
    table.Print(env.out());
  });
  return absl::OkStatus();
}

absl::Status RunGetAsOf(Env& env) {
  v1::GetAgreementAsOfRequest request;
  request.set_agreement_id(env.args().positional()[0]);
  ASSIGN_OR_RETURN(*request.mutable_as_of(), AsOfFlag(env.args()));
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  ASSIGN_OR_RETURN(v1::GetAgreementAsOfResponse response,
                   client->GetAgreementAsOf(request));
  env.Print(response, [&] {
    PrintAgreement(env.out(), response.agreement());
    PrintPosition(env.out(), response.position());
  });
  return absl::OkStatus();
}

absl::Status RunPartyAsOf(Env& env) {
  v1::GetPartyAsOfRequest request;
  request.set_party_id(env.args().positional()[0]);
  ASSIGN_OR_RETURN(*request.mutable_as_of(), AsOfFlag(env.args()));
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  ASSIGN_OR_RETURN(v1::GetPartyAsOfResponse response, client->GetPartyAsOf(request));
  env.Print(response, [&] {
    PrintParty(env.out(), response.party());
    PrintPosition(env.out(), response.position());
  });
  return absl::OkStatus();
}

absl::Status RunSectorAsOf(Env& env) {
  v1::ListSectorAsOfRequest request;
  request.set_sector(env.args().positional()[0]);
  ASSIGN_OR_RETURN(*request.mutable_as_of(), AsOfFlag(env.args()));
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  ASSIGN_OR_RETURN(v1::ListSectorAsOfResponse response, client->ListSectorAsOf(request));
  env.Print(response, [&] {
    PrintSectorSummary(env.out(), response.summary());
    env.out() << "\n";
    PrintAgreementList(env.out(), response.agreements());
    PrintPosition(env.out(), response.position());
  });
  return absl::OkStatus();
}

absl::Status RunStatusOn(Env& env) {
  v1::GetLegalStatusOnRequest request;
  request.set_agreement_id(env.args().positional()[0]);
  ASSIGN_OR_RETURN(*request.mutable_date(), RequiredDateFlag(env.args(), "date"));
  ASSIGN_OR_RETURN(*request.mutable_as_of(), AsOfFlag(env.args()));
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  ASSIGN_OR_RETURN(v1::GetLegalStatusOnResponse response,
                   client->GetLegalStatusOn(request));
  env.Print(response, [&] {
    KeyValueBlock block;
    block.Add("agreement", response.agreement_id());
    block.Add("date", FormatDate(response.date()));
    block.Add("status", absl::StrCat(EnumName(response.status()),
                                     response.uncertain() ? " (uncertain)" : ""));
    block.Print(env.out());
    if (response.participants_size() > 0) {
      Table table({"PARTY", "STATUS"});
      for (const v1::ParticipantLegalStatus& p : response.participants()) {
        table.AddRow({p.party_id(), EnumName(p.status())});
      }
      env.out() << "\n";
      table.Print(env.out());
    }
    PrintPosition(env.out(), response.position());
  });
  return absl::OkStatus();
}

absl::Status RunInForce(Env& env) {
  v1::ListInForceOnRequest request;
  request.set_sector(env.args().positional()[0]);
  ASSIGN_OR_RETURN(*request.mutable_date(), RequiredDateFlag(env.args(), "date"));
  ASSIGN_OR_RETURN(*request.mutable_as_of(), AsOfFlag(env.args()));
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  ASSIGN_OR_RETURN(v1::ListInForceOnResponse response, client->ListInForceOn(request));
  env.Print(response, [&] {
    PrintAgreementList(env.out(), response.agreements());
    PrintPosition(env.out(), response.position());
  });
  return absl::OkStatus();
}

CommandSpec Command(std::string path, std::string args_usage, std::string summary,
                    std::vector<FlagSpec> flags, std::function<absl::Status(Env&)> run) {
  CommandSpec command;
  command.path = std::move(path);
  command.args_usage = std::move(args_usage);
  command.min_args = command.max_args = 1;
  command.summary = std::move(summary);
  command.flags = std::move(flags);
  command.run = std::move(run);
  return command;
}

}  // namespace

std::vector<CommandSpec> AuditHistoryCommands() {
  const FlagSpec date = {"date", "DATE", "the legal date (YYYY, YYYY-MM or YYYY-MM-DD)"};
  std::vector<CommandSpec> commands;
  commands.push_back(Command(
      "audit history", "ID", "every event of an agreement (or --party) with its envelope",
      {{"party", "", "ID is a party"},
       {"page-size", "N", "events per page, 1 to 1000 (default 100)"},
       {"page-token", "TOKEN", "continue a listing"},
       {"all", "", "fetch every page"}},
      RunHistory));
  commands.back().details =
      "Table: POSITION RECORDED_AT REV EVENT ACTOR REASON, in revision order.\n"
      "-o json: the ListHistoryResponse (events with their envelopes and payloads).";
  commands.push_back(Command(
      "audit diff", "ID", "field-level changes between two revisions of an agreement",
      {{"from", "REV",
        "the state after revision REV (default 0: before the first event)"},
       {"to", "REV", "the state after revision REV (default: the latest)"}},
      RunDiff));
  commands.back().details =
      "Table: REV POSITION EVENT FIELD OLD NEW ACTOR, in event order; values in\n"
      "protobuf text format, \"-\" when unset.";
  commands.push_back(Command("audit get", "ID",
                             "an agreement as recorded at a position or a time",
                             {AsOfFlagSpec()}, RunGetAsOf));
  commands.push_back(Command("audit party", "ID",
                             "a party as recorded at a position or a time",
                             {AsOfFlagSpec()}, RunPartyAsOf));
  commands.push_back(Command("audit sector", "SECTOR",
                             "a sector's summary and agreements as recorded at --as-of",
                             {AsOfFlagSpec()}, RunSectorAsOf));
  commands.push_back(Command("audit status-on", "ID",
                             "the legal status of an agreement on a legal date",
                             {date, AsOfFlagSpec()}, RunStatusOn));
  commands.back().details =
      "From the effective dates of its events; \"(uncertain)\" when a date of lower\n"
      "precision leaves the answer open. With --as-of: as the registry recorded it then.";
  commands.push_back(Command("audit in-force", "SECTOR",
                             "the agreements of a sector in force on a legal date",
                             {date, AsOfFlagSpec()}, RunInForce));
  return commands;
}

}  // namespace agreements::cli
