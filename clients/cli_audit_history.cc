// Audit commands that read the registry's history (AuditService): an agreement's or
// party's events (`audit history`), field-level changes between revisions (`audit
// diff`), states as recorded at a position or a time (`audit get`, `audit party`,
// `audit sector`: transaction time) and legal status on a date (`audit status-on`,
// `audit in-force`: valid time, optionally as recorded at --as-of: both axes).
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agreements/v1/audit_service.pb.h"
#include "clients/cli_audit_internal.h"
#include "clients/cli_commands.h"
#include "clients/cli_format.h"
#include "clients/cli_values.h"
#include "common/date_format.h"
#include "common/status_macros.h"

namespace agreements::cli {
namespace {

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

std::string YesNo(bool value) { return value ? "yes" : "no"; }

// "withdrawal_due kr 2021-12-31: withdrawal due on ...".
std::string FormatNote(const v1::StatusNote& note) {
  std::string out = EnumName(note.kind());
  if (!note.party_id().empty()) absl::StrAppend(&out, " ", note.party_id());
  if (note.date().year() != 0) absl::StrAppend(&out, " ", FormatDate(note.date()));
  if (!note.text().empty()) absl::StrAppend(&out, ": ", note.text());
  return out;
}

void PrintLegalStatus(std::ostream& out, const v1::GetLegalStatusOnResponse& response) {
  KeyValueBlock block;
  block.Add("agreement", response.agreement_id());
  block.Add("date", FormatDate(response.date()));
  block.Add("status", absl::StrCat(EnumName(response.status()),
                                   response.uncertain() ? " (uncertain)" : ""));
  block.Add("in force", YesNo(response.in_force()));
  block.Add("provisionally applied", YesNo(response.provisionally_applied()));
  if (response.expires_on().year() != 0) {
    block.Add("expires on", FormatDate(response.expires_on()));
  }
  for (const v1::StatusNote& note : response.notes()) block.Add("note", FormatNote(note));
  block.Print(out);
  if (response.participants_size() > 0) {
    Table table(
        {"PARTY", "STATUS", "IN FORCE FOR", "PROVISIONAL", "PERIOD", "SUCCEEDED FROM"});
    for (const v1::ParticipantLegalStatus& p : response.participants()) {
      table.AddRow({p.party_id(), EnumName(p.status()), YesNo(p.in_force_for()),
                    YesNo(p.provisionally_applying()), absl::StrCat(p.period()),
                    p.succeeded_from().empty() ? "-" : p.succeeded_from()});
    }
    out << "\n";
    table.Print(out);
  }
  Table reservations({"PARTY", "RESERVATION", "KIND", "ARTICLES", "DATE", "OBJECTS TO"});
  for (const v1::ParticipantLegalStatus& p : response.participants()) {
    for (const v1::Reservation& r : p.reservations()) {
      std::string objects_to = "-";
      if (!r.objects_to_party_id().empty()) {
        objects_to =
            absl::StrCat(r.objects_to_party_id(), ":", r.objects_to_reservation_id(),
                         r.precludes_entry_into_force() ? " (precludes entry "
                                                          "into force)"
                                                        : "");
      }
      reservations.AddRow({p.party_id(), r.id(), EnumName(r.kind()),
                           r.articles().empty() ? "-" : absl::StrJoin(r.articles(), "; "),
                           FormatDate(r.date()), objects_to});
    }
  }
  if (!reservations.empty()) {
    out << "\nReservations in effect\n";
    reservations.Print(out);
  }
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
    PrintLegalStatus(env.out(), response);
    PrintPosition(env.out(), response.position());
  });
  return absl::OkStatus();
}

absl::Status RunInForce(Env& env) {
  v1::ListInForceOnRequest request;
  request.set_sector(env.args().positional()[0]);
  ASSIGN_OR_RETURN(*request.mutable_date(), RequiredDateFlag(env.args(), "date"));
  ASSIGN_OR_RETURN(*request.mutable_as_of(), AsOfFlag(env.args()));
  request.set_provisionally_applied(env.args().Has("provisionally-applied"));
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
  return FixedArgsCommand(std::move(path), std::move(args_usage), 1, std::move(summary),
                          std::move(run), std::move(flags));
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
      "precision leaves the answer open. With --as-of: as the registry recorded it "
      "then.\n"
      "Shows whether it is in force (never by provisional application alone) or\n"
      "provisionally applied, its expiry on the date, notes where the record lags the\n"
      "law (a withdrawal or expiry due but not recorded), and per participant its\n"
      "status, whether it is in force for it, its period and reservations in effect.";
  commands.push_back(Command(
      "audit in-force", "SECTOR", "the agreements of a sector in force on a legal date",
      {date,
       AsOfFlagSpec(),
       {"provisionally-applied", "",
        "list those provisionally applied on the date (and not in force) instead"}},
      RunInForce));
  return commands;
}

}  // namespace agreements::cli
