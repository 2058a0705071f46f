// Commands on parties: register, update, get, list.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "clients/cli_commands.h"
#include "clients/cli_format.h"
#include "clients/cli_values.h"
#include "common/status_macros.h"

namespace agreements::cli {
namespace {

std::vector<FlagSpec> PartyFieldFlags() {
  return {
      {"file", "FILE", "Party JSON ('-' reads stdin); flags set fields on top of it",
       false, 'f'},
      EnumFlagSpec<v1::PartyType>(
          {"type", "TYPE",
           "state, international_organization, government_body, state_owned_enterprise, "
           "company, consortium, financial_institution, other"}),
      {"country", "CODE", "ISO 3166-1 alpha-2 country code, e.g. KZ"},
      {"name", "LANG:TEXT", "name in one language", true},
      {"identifier", "SCHEME:VALUE", "scheme-qualified identifier, e.g. XI-LEI:...",
       true},
      {"controlled-by", "ID", "the party that controls this one"},
      {"former-country", "CODE",
       "a former state's ISO 3166-3 code, e.g. SUHH (then no --country; needs "
       "--existed-until)"},
      {"existed-from", "DATE", "when the state (or body) came into existence"},
      {"existed-until", "DATE", "when it ceased to exist"},
      {"predecessor", "ID[:DATE[:KIND]]",
       "a state it succeeded, e.g. suhh:1991-12-25:continuation; KIND: continuation, "
       "separation, dissolution, unification, newly_independent",
       true},
  };
}

// --former-country, --existed-from, --existed-until and --predecessor.
absl::Status ApplyStatehoodFlags(const ParsedArgs& args, v1::Party& party,
                                 std::vector<std::string>& paths) {
  if (std::optional<std::string> code = args.Get("former-country")) {
    party.set_former_country_code(absl::AsciiStrToUpper(*code));
    paths.push_back("former_country_code");
  }
  ASSIGN_OR_RETURN(std::optional<v1::Date> from, DateFlag(args, "existed-from"));
  if (from.has_value()) {
    *party.mutable_existed_from() = *from;
    paths.push_back("existed_from");
  }
  ASSIGN_OR_RETURN(std::optional<v1::Date> until, DateFlag(args, "existed-until"));
  if (until.has_value()) {
    *party.mutable_existed_until() = *until;
    paths.push_back("existed_until");
  }
  if (args.Has("predecessor")) {
    party.clear_predecessors();
    for (const std::string& text : args.GetAll("predecessor")) {
      ASSIGN_OR_RETURN(*party.add_predecessors(), ParsePredecessor("predecessor", text));
    }
    paths.push_back("predecessors");
  }
  return absl::OkStatus();
}

// Applies the field flags to `party`; appends the paths of the fields they set.
absl::Status ApplyPartyFlags(const ParsedArgs& args, v1::Party& party,
                             std::vector<std::string>& paths) {
  if (std::optional<std::string> file = args.Get("file")) {
    ASSIGN_OR_RETURN(std::string json, ReadFile(*file));
    RETURN_IF_ERROR(ParseJson(json, *file, party));
    if (party.type() != v1::PARTY_TYPE_UNSPECIFIED) paths.push_back("type");
    if (!party.country_code().empty()) paths.push_back("country_code");
    if (!party.names().empty()) paths.push_back("names");
    if (!party.identifiers().empty()) paths.push_back("identifiers");
    if (!party.controlled_by().empty()) paths.push_back("controlled_by");
    if (!party.former_country_code().empty()) paths.push_back("former_country_code");
    if (party.existed_from().year() != 0) paths.push_back("existed_from");
    if (party.existed_until().year() != 0) paths.push_back("existed_until");
    if (!party.predecessors().empty()) paths.push_back("predecessors");
  }
  ASSIGN_OR_RETURN(auto type, EnumFlag<v1::PartyType>(args, "type"));
  if (type.has_value()) {
    party.set_type(*type);
    paths.push_back("type");
  }
  if (std::optional<std::string> country = args.Get("country")) {
    party.set_country_code(absl::AsciiStrToUpper(*country));
    paths.push_back("country_code");
  }
  if (args.Has("name")) {
    party.clear_names();
    for (const std::string& name : args.GetAll("name")) {
      ASSIGN_OR_RETURN(*party.add_names(), ParseLocalizedText(name));
    }
    paths.push_back("names");
  }
  if (args.Has("identifier")) {
    party.clear_identifiers();
    for (const std::string& text : args.GetAll("identifier")) {
      absl::StatusOr<v1::Identifier> identifier = ParseIdentifier(text);
      if (!identifier.ok()) {
        return UsageError(absl::StrCat("--identifier: ", identifier.status().message()));
      }
      *party.add_identifiers() = *std::move(identifier);
    }
    paths.push_back("identifiers");
  }
  if (std::optional<std::string> controller = args.Get("controlled-by")) {
    party.set_controlled_by(*controller);
    paths.push_back("controlled_by");
  }
  return ApplyStatehoodFlags(args, party, paths);
}

void PrintPartyCommit(std::ostream& out, const v1::CommitResult& result,
                      const v1::Party& party) {
  KeyValueBlock block;
  block.Add("party", party.id());
  block.Add("revision", absl::StrCat(party.revision()));
  block.Add("result", result.replayed() ? "replayed (nothing appended)" : "committed");
  block.Add("positions", FormatPositions(result));
  block.Print(out);
}

absl::Status RunRegister(Env& env) {
  v1::RegisterPartyRequest request;
  *request.mutable_context() = env.CommandContext();
  v1::Party* party = request.mutable_party();
  std::vector<std::string> paths;
  RETURN_IF_ERROR(ApplyPartyFlags(env.args(), *party, paths));
  if (std::optional<std::string> id = env.args().Get("id")) party->set_id(*id);
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  ASSIGN_OR_RETURN(v1::RegisterPartyResponse response, client->RegisterParty(request));
  env.Print(response,
            [&] { PrintPartyCommit(env.out(), response.result(), response.party()); });
  return absl::OkStatus();
}

absl::Status RunUpdate(Env& env) {
  v1::UpdatePartyRequest request;
  *request.mutable_context() = env.CommandContext();
  v1::Party* party = request.mutable_party();
  std::vector<std::string> paths;
  RETURN_IF_ERROR(ApplyPartyFlags(env.args(), *party, paths));
  party->set_id(env.args().positional()[0]);
  if (std::optional<std::string> mask = env.args().Get("mask")) {
    paths = absl::StrSplit(*mask, ',', absl::SkipEmpty());
  }
  if (paths.empty()) return UsageError("party update: no field to change");
  for (const std::string& path : paths) request.mutable_update_mask()->add_paths(path);
  ASSIGN_OR_RETURN(v1::ExpectedRevision expected, ExpectedRevisionFlag(env.args()));
  if (expected.kind_case() != v1::ExpectedRevision::KIND_NOT_SET) {
    *request.mutable_expected_revision() = expected;
  }
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  ASSIGN_OR_RETURN(v1::UpdatePartyResponse response, client->UpdateParty(request));
  env.Print(response,
            [&] { PrintPartyCommit(env.out(), response.result(), response.party()); });
  return absl::OkStatus();
}

absl::Status RunGet(Env& env) {
  v1::GetPartyRequest request;
  request.set_party_id(env.args().positional()[0]);
  request.set_min_position(env.MinPosition());
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  ASSIGN_OR_RETURN(v1::GetPartyResponse response, client->GetParty(request));
  env.Print(response, [&] { PrintParty(env.out(), response.party()); });
  return absl::OkStatus();
}

absl::Status RunList(Env& env) {
  const ParsedArgs& args = env.args();
  v1::ListPartiesRequest request;
  ASSIGN_OR_RETURN(auto type, EnumFlag<v1::PartyType>(args, "type"));
  if (type.has_value()) request.set_type(*type);
  request.set_country_code(absl::AsciiStrToUpper(args.Get("country").value_or("")));
  return ListPages<v1::ListPartiesRequest, v1::ListPartiesResponse>(
      env, std::move(request),
      [](const client::RegistryClient& client, const v1::ListPartiesRequest& r) {
        return client.ListParties(r);
      },
      [](v1::ListPartiesResponse& all, const v1::ListPartiesResponse& page) {
        all.mutable_parties()->MergeFrom(page.parties());
      },
      [&env](const v1::ListPartiesResponse& all) {
        PrintPartyList(env.out(), all.parties());
      },
      [&env](const v1::ListPartiesResponse& all) {
        PrintPartyListWide(env.out(), all.parties());
      });
}

}  // namespace

std::vector<CommandSpec> PartyCommands() {
  std::vector<CommandSpec> commands;
  CommandSpec reg;
  reg.path = "party register";
  reg.summary = "register a party (state, organisation, company ...)";
  reg.details =
      "-f takes a Party in the protobuf JSON mapping. An empty id lets the server assign "
      "one.\n"
      "Example:\n"
      "  agreements party register --id kz --type state --country KZ "
      "--name en:\"Republic of Kazakhstan\"\n"
      "A former state:\n"
      "  agreements party register --id suhh --type state --former-country SUHH \\\n"
      "    --existed-until 1991-12-25 --name en:\"Union of Soviet Socialist Republics\"\n"
      "  agreements party register --id ru --type state --country RU \\\n"
      "    --predecessor suhh:1991-12-25:continuation --name en:\"Russian Federation\"";
  reg.flags = PartyFieldFlags();
  reg.flags.insert(reg.flags.begin() + 1, {"id", "ID", "party id, e.g. kz or kepco"});
  reg.run = RunRegister;
  commands.push_back(std::move(reg));

  CommandSpec update;
  update.path = "party update";
  update.args_usage = "ID";
  update.min_args = update.max_args = 1;
  update.summary = "replace some fields of a party";
  update.details =
      "The update mask lists the fields given by flags (and the non-empty fields of "
      "-f),\n"
      "unless --mask names them; a masked field left empty is cleared.";
  update.flags = PartyFieldFlags();
  update.flags.push_back(
      {"mask", "PATHS",
       "comma-separated fields: type, country_code, names, identifiers, "
       "controlled_by, former_country_code, existed_from, existed_until, "
       "predecessors"});
  update.flags.push_back(ExpectedRevisionFlagSpec());
  update.run = RunUpdate;
  commands.push_back(std::move(update));

  CommandSpec get;
  get.path = "party get";
  get.args_usage = "ID";
  get.min_args = get.max_args = 1;
  get.summary = "show one party";
  get.run = RunGet;
  commands.push_back(std::move(get));

  CommandSpec list;
  list.path = "party list";
  list.summary = "list parties, ordered by id";
  list.flags = {
      EnumFlagSpec<v1::PartyType>({"type", "TYPE", "only parties of this type"}),
      {"country", "CODE", "only parties of this country"},
      {"page-size", "N", "parties per page"},
      {"page-token", "TOKEN", "continue a previous listing"},
      {"all", "", "follow page tokens to the end"}};
  list.run = RunList;
  commands.push_back(std::move(list));
  return commands;
}

}  // namespace agreements::cli
