// Read commands (get, lookup, list, summary, sectors) and the health check; bulk loading
// (load) is in cli_load.cc.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "clients/cli_audit_internal.h"
#include "clients/cli_commands.h"
#include "clients/cli_format.h"
#include "clients/cli_values.h"
#include "common/status_macros.h"

namespace agreements::cli {
namespace {

// The largest page ListAgreements serves; `list --count` asks for it to need few calls.
constexpr int32_t kMaxPageSize = 1000;

absl::Status RunGet(Env& env) {
  v1::GetAgreementRequest request;
  request.set_agreement_id(env.args().positional()[0]);
  request.set_min_position(env.MinPosition());
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  ASSIGN_OR_RETURN(v1::GetAgreementResponse response, client->GetAgreement(request));
  env.Print(response, [&] { PrintAgreement(env.out(), response.agreement()); });
  return absl::OkStatus();
}

absl::Status RunLookup(Env& env) {
  v1::LookupAgreementRequest request;
  ASSIGN_OR_RETURN(*request.mutable_identifier(),
                   ParseIdentifier(env.args().positional()[0]));
  request.set_min_position(env.MinPosition());
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  ASSIGN_OR_RETURN(v1::LookupAgreementResponse response,
                   client->LookupAgreement(request));
  env.Print(response, [&] { PrintAgreement(env.out(), response.agreement()); });
  return absl::OkStatus();
}

// What `list --party-status` asks of the participant: statuses (any of them) and at
// most one condition.
struct PartyStanding {
  std::vector<v1::ParticipationStatus> statuses;
  v1::PartyCondition condition = v1::PARTY_CONDITION_UNSPECIFIED;
};

absl::StatusOr<PartyStanding> PartyStatusFlags(const ParsedArgs& args) {
  PartyStanding standing;
  for (const std::string& text : args.GetAll("party-status")) {
    absl::StatusOr<PartyStatusFilter> filter = ParsePartyStatusFilter(text);
    if (!filter.ok()) {
      return UsageError(absl::StrCat("--party-status: ", filter.status().message()));
    }
    if (filter->condition == v1::PARTY_CONDITION_UNSPECIFIED) {
      standing.statuses.push_back(filter->status);
    } else if (standing.condition != v1::PARTY_CONDITION_UNSPECIFIED &&
               standing.condition != filter->condition) {
      return UsageError(
          "--party-status: give at most one of in_force and provisionally_applying");
    } else {
      standing.condition = filter->condition;
    }
  }
  if (args.Has("party-status") && !args.Has("party")) {
    return UsageError("--party-status needs --party (whose status?)");
  }
  return standing;
}

// --party-role: true for depositary, false for participant (the default).
absl::StatusOr<bool> DepositaryRole(const ParsedArgs& args) {
  std::optional<std::string> role = args.Get("party-role");
  if (!role.has_value()) return false;
  const std::string name = absl::AsciiStrToLower(*role);
  if (name != "participant" && name != "depositary") {
    return UsageError(absl::StrCat("--party-role: \"", *role,
                                   "\" is not one of: participant, depositary"));
  }
  if (!args.Has("party")) return UsageError("--party-role needs --party");
  if (name == "depositary" && args.Has("party-status")) {
    return UsageError(
        "--party-status: a depositary has no participation status (it is not a "
        "participant)");
  }
  if (name == "depositary" && args.Has("depositary")) {
    return UsageError("give --depositary or --party-role depositary, not both");
  }
  return name == "depositary";
}

absl::StatusOr<v1::ListAgreementsRequest> ListRequest(const ParsedArgs& args) {
  v1::ListAgreementsRequest request;
  request.set_sector(args.Get("sector").value_or(""));
  request.set_query(args.Get("search").value_or(""));
  request.set_order_by(args.Get("order-by").value_or(""));
  ASSIGN_OR_RETURN(auto status, EnumFlag<v1::AgreementStatus>(args, "status"));
  if (status.has_value()) request.set_status(*status);
  ASSIGN_OR_RETURN(auto kind, EnumFlag<v1::InstrumentKind>(args, "kind"));
  if (kind.has_value()) request.set_instrument_kind(*kind);
  ASSIGN_OR_RETURN(const bool depositary, DepositaryRole(args));
  const std::string party = args.Get("party").value_or("");
  request.set_party_id(depositary ? "" : party);
  request.set_depositary_id(depositary ? party : args.Get("depositary").value_or(""));
  ASSIGN_OR_RETURN(PartyStanding standing, PartyStatusFlags(args));
  for (v1::ParticipationStatus s : standing.statuses) request.add_party_statuses(s);
  request.set_party_condition(standing.condition);
  request.set_registration_due(args.Has("registration-due"));
  ASSIGN_OR_RETURN(auto from, DateFlag(args, "signed-from"));
  if (from.has_value()) *request.mutable_signed_from() = *from;
  ASSIGN_OR_RETURN(auto to, DateFlag(args, "signed-to"));
  if (to.has_value()) *request.mutable_signed_to() = *to;
  return request;
}

// `{"count": N}` in the structured forms, else N.
void PrintCount(Env& env, int64_t count) {
  JsonValue value = JsonValue::Object();
  value.Set("count", JsonValue::Integer(count));
  env.PrintValue(value, [&] { env.out() << count << "\n"; });
}

// The values of list --party-status: participation statuses with their aliases, and the
// conditions.
std::vector<std::string> PartyStatusChoices() {
  std::vector<std::string> choices =
      EnumShortNames(*v1::ParticipationStatus_descriptor());
  for (const char* extra : {"signed", "signed_not_ratified", "withdrew", "in_force",
                            "provisionally_applying"}) {
    choices.push_back(extra);
  }
  return choices;
}

absl::StatusOr<int32_t> PageSizeFlag(const ParsedArgs& args, int32_t fallback) {
  std::optional<std::string> size = args.Get("page-size");
  if (!size.has_value()) return fallback;
  return ParseInt32("page-size", *size);
}

// --count on ListAgreements: every page, counted here.
absl::Status CountAgreements(Env& env, v1::ListAgreementsRequest request) {
  ASSIGN_OR_RETURN(const int32_t page_size, PageSizeFlag(env.args(), kMaxPageSize));
  request.set_page_size(page_size);
  request.set_min_position(env.MinPosition());
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  int64_t count = 0;
  while (true) {
    ASSIGN_OR_RETURN(v1::ListAgreementsResponse page, client->ListAgreements(request));
    count += page.agreements_size();
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  PrintCount(env, count);
  return absl::OkStatus();
}

// The filters of ListAgreements that ListPartyAgreementsOn does not have.
constexpr const char* kFiltersNotOnDate[] = {"sector",          "status",    "kind",
                                             "signed-from",     "signed-to", "depositary",
                                             "registration-due"};

absl::StatusOr<v1::ListPartyAgreementsOnRequest> ListOnRequest(const ParsedArgs& args) {
  for (const char* flag : kFiltersNotOnDate) {
    if (args.Has(flag)) {
      return UsageError(absl::StrCat(
          "--", flag,
          " does not apply with --on or --as-of (they list one party's "
          "agreements with its standing on a date: --party and --party-status only)"));
    }
  }
  ASSIGN_OR_RETURN(const bool depositary, DepositaryRole(args));
  if (depositary) {
    return UsageError(
        "--party-role depositary does not apply with --on or --as-of (a depositary has "
        "no standing under the treaty)");
  }
  v1::ListPartyAgreementsOnRequest request;
  ASSIGN_OR_RETURN(*request.mutable_party_id(), RequiredFlag(args, "party"));
  ASSIGN_OR_RETURN(auto on, DateFlag(args, "on"));
  if (on.has_value()) *request.mutable_date() = *on;
  ASSIGN_OR_RETURN(*request.mutable_as_of(), AsOfFlag(args));
  ASSIGN_OR_RETURN(PartyStanding standing, PartyStatusFlags(args));
  for (v1::ParticipationStatus s : standing.statuses) request.add_party_statuses(s);
  request.set_party_condition(standing.condition);
  return request;
}

// `list --on/--as-of`: AuditService.ListPartyAgreementsOn, paged like the other lists;
// the total count is the server's.
absl::Status RunListOn(Env& env) {
  const ParsedArgs& args = env.args();
  ASSIGN_OR_RETURN(v1::ListPartyAgreementsOnRequest request, ListOnRequest(args));
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  if (args.Has("count")) {
    request.set_page_size(1);
    ASSIGN_OR_RETURN(v1::ListPartyAgreementsOnResponse page,
                     client->ListPartyAgreementsOn(request));
    PrintCount(env, page.total_count());
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(const int32_t page_size, PageSizeFlag(args, 0));
  request.set_page_size(page_size);
  request.set_page_token(args.Get("page-token").value_or(""));
  v1::ListPartyAgreementsOnResponse all;
  while (true) {
    ASSIGN_OR_RETURN(v1::ListPartyAgreementsOnResponse page,
                     client->ListPartyAgreementsOn(request));
    all.mutable_agreements()->MergeFrom(page.agreements());
    all.set_next_page_token(page.next_page_token());
    all.set_total_count(page.total_count());
    all.set_position(page.position());
    if (!args.Has("all") || page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  env.Print(all, [&] {
    PrintPartyAgreements(env.out(), all);
    if (!all.next_page_token().empty()) {
      env.out() << "(more: --page-token " << all.next_page_token() << " or --all)\n";
    }
  });
  return absl::OkStatus();
}

absl::Status RunList(Env& env) {
  const ParsedArgs& args = env.args();
  if (args.Has("count") && args.Has("page-token")) {
    return UsageError("--count counts every page: --page-token does not apply");
  }
  if (args.Has("on") || args.Has("as-of")) return RunListOn(env);
  ASSIGN_OR_RETURN(v1::ListAgreementsRequest request, ListRequest(args));
  if (args.Has("count")) return CountAgreements(env, std::move(request));
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
      },
      [&env](const v1::ListAgreementsResponse& all) {
        PrintAgreementListWide(env.out(), all.agreements());
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

absl::Status RunStats(Env& env) {
  const ParsedArgs& args = env.args();
  v1::GetStatisticsRequest request;
  request.set_sector(args.Get("sector").value_or(""));
  request.set_party_id(args.Get("party").value_or(""));
  const std::string by = args.Get("by").value_or("year");
  if (by != "year" && by != "month") {
    return UsageError(absl::StrCat("--by: year or month (got \"", by, "\")"));
  }
  request.set_period(by == "month" ? v1::STATISTICS_PERIOD_MONTH
                                   : v1::STATISTICS_PERIOD_YEAR);
  request.set_min_position(env.MinPosition());
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  ASSIGN_OR_RETURN(v1::GetStatisticsResponse response, client->GetStatistics(request));
  env.Print(response, [&] { PrintStatistics(env.out(), response); });
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
  JsonValue value = JsonValue::Object();
  value.Set("status", JsonValue::String("SERVING"));
  env.PrintValue(value, [&] { env.out() << "SERVING\n"; });
  return absl::OkStatus();
}

}  // namespace

std::vector<CommandSpec> QueryCommands() {
  std::vector<CommandSpec> commands;
  commands.push_back(FixedArgsCommand("get", "ID", 1, "show one agreement", RunGet));
  CommandSpec lookup =
      FixedArgsCommand("lookup", "SCHEME:VALUE", 1,
                       "show the agreement that carries an identifier", RunLookup);
  lookup.details =
      "E.g. 'lookup UNTS:I-54113' (a UN registration number: recorded with register-un\n"
      "or as an identifier) or 'lookup CELEX:22016A1019(01)'. Printed like get.";
  commands.push_back(std::move(lookup));
  CommandSpec list = FixedArgsCommand(
      "list", "", 0, "list agreements: by id, --order-by, or --search", RunList);
  list.details =
      "Filters combine with AND. Without --all one page is shown.\n\n"
      "--party-status takes participation statuses (negotiating, signatory (or signed,\n"
      "signed_not_ratified), contracting, party, withdrawal_pending, former_party (or\n"
      "withdrew), suspended, not_becoming_party: any of them) and at most one "
      "condition:\n"
      "in_force (the instrument is in force for the party; provisional application is\n"
      "not) or provisionally_applying.\n\n"
      "With --on DATE and/or --as-of, the party's agreements with its standing on that\n"
      "legal date as recorded then (AuditService.ListPartyAgreementsOn): needs --party,\n"
      "takes --party-status, prints AGREEMENT STATUS PARTY_STATUS IN_FORCE_FOR\n"
      "PROVISIONAL PERIOD NOTES and \"N agreements\". Without --on: the party's status\n"
      "as recorded. E.g.\n"
      "  agreements list --party kr --party-status in_force --on 2021-03-01 -o json";
  list.flags = {
      {"sector", "CODE", "only agreements in this sector, e.g. energy"},
      EnumFlagSpec<v1::AgreementStatus>(
          {"status", "STATUS", "only this status, e.g. in_force"}),
      EnumFlagSpec<v1::InstrumentKind>({"kind", "KIND", "only this instrument kind"}),
      {"party", "ID", "only agreements this party participates in (see --party-role)"},
      WithChoices(
          {"party-role", "ROLE",
           "participant (default) or depositary: --party names a depositary instead"},
          {"participant", "depositary"}),
      WithChoices(
          {"party-status", "STATUS",
           "only where --party has this status or meets this condition (in_force, "
           "provisionally_applying)",
           true},
          PartyStatusChoices()),
      {"depositary", "ID", "only agreements of which this party is a depositary"},
      {"registration-due", "",
       "only binding instruments in force or suspended not yet registered with the UN "
       "Secretariat"},
      {"signed-from", "DATE", "signed on or after"},
      {"signed-to", "DATE", "signed on or before"},
      {"search", "TEXT",
       "words of the titles, summary or party names (ranked by words matched)"},
      {"order-by", "FIELD",
       "signed_on, entered_into_force_on, create_time or title, optionally with \" "
       "desc\""},
      {"on", "DATE", "the party's standing on this legal date (needs --party)"},
      AsOfFlagSpec(),
      {"count", "", "print only the number of matching agreements ({\"count\": N})"},
      {"page-size", "N",
       "agreements per page (1 to 1000; server default 50, with --on 100)"},
      {"page-token", "TOKEN", "continue a previous listing"},
      {"all", "", "follow page tokens to the end"}};
  commands.push_back(std::move(list));
  CommandSpec summary =
      FixedArgsCommand("summary", "SECTOR", 1,
                       "counts, amounts and top parties of one sector", RunSummary);
  summary.flags = {{"top", "N", "how many top parties (server default 10)"}};
  commands.push_back(std::move(summary));
  commands.push_back(FixedArgsCommand(
      "sectors", "", 0, "every registry sector with its agreement count", RunSectors));
  CommandSpec stats = FixedArgsCommand(
      "stats", "", 0,
      "agreements recorded, signed, in force and ended per sector and year (or month)",
      RunStats);
  stats.details =
      "Prints SECTOR PERIOD RECORDED SIGNED IN_FORCE ENDED AMOUNTS, one line per sector\n"
      "and period with anything in it. Amounts are those of the agreements signed in "
      "the\n"
      "period (recorded in it when no signature date is known), per currency. E.g.\n"
      "  agreements stats --sector energy --by month\n"
      "  agreements stats --party kz";
  stats.flags = {{"sector", "CODE", "one sector (default: every sector)"},
                 {"party", "ID", "only the agreements this party participates in"},
                 {"by", "year|month", "the period (default year)"}};
  commands.push_back(std::move(stats));
  commands.push_back(LoadCommand());
  CommandSpec health = FixedArgsCommand(
      "health", "", 0, "wait until the server reports SERVING", RunHealth);
  health.flags = {{"wait", "DURATION", "how long to wait (default: --timeout)"}};
  commands.push_back(std::move(health));
  return commands;
}

}  // namespace agreements::cli
