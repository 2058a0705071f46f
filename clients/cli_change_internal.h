// Helpers shared by the agreement write commands (cli_agreement_commands.cc,
// cli_change_commands.cc and cli_practice_commands.cc). Not API. Free functions; safe
// from any thread.
#ifndef AGREEMENTS_CLIENTS_CLI_CHANGE_INTERNAL_H_
#define AGREEMENTS_CLIENTS_CLI_CHANGE_INTERNAL_H_

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agreements/v1/events.pb.h"
#include "clients/cli_commands.h"
#include "clients/cli_values.h"
#include "common/status_macros.h"

namespace agreements::cli::internal {

// Builds the change of an ApplyAgreementChange from the command's flags.
using ChangeBuilder = std::function<absl::StatusOr<v1::EventPayload>(const ParsedArgs&)>;

// A command "NAME ID [flags] [--dates-confirmed-by SOURCE] [--expected-revision N]" that
// applies the built change to agreement ID and prints the outcome.
CommandSpec Change(std::string name, std::string summary, std::vector<FlagSpec> flags,
                   ChangeBuilder build, std::string details = "");

// "agreement, status, revision, result, positions" after a write.
void PrintAgreementCommit(std::ostream& out, const v1::CommitResult& result,
                          const v1::Agreement& agreement);

// --dates-confirmed-by SOURCE (EventPayload.dates_confirmed_by); Change adds it.
FlagSpec DatesConfirmedByFlagSpec();
FlagSpec DateFlagSpec(std::string help);
FlagSpec PartyFlagSpec(std::string help);
FlagSpec SectorFlagSpec();
FlagSpec ClassificationFlagSpec();

// Appends --sector CODE (registry sectors) and --classification SCHEME:CODE values.
absl::Status AddClassifications(
    const ParsedArgs& args, google::protobuf::RepeatedPtrField<v1::Classification>& out);

// --date (adopted, required), --effective, --summary, --amending-agreement.
const std::vector<FlagSpec>& AmendmentFlags();
absl::StatusOr<v1::Amendment> AmendmentFromFlags(const ParsedArgs& args);

// Changes with `effective_date` and an optional `party_id` (empty: the whole instrument),
// from --date and --party.
template <typename P>
ChangeBuilder EffectiveDateAndParty(P* (v1::EventPayload::*field)()) {
  return [field](const ParsedArgs& args) -> absl::StatusOr<v1::EventPayload> {
    ASSIGN_OR_RETURN(v1::Date date, RequiredDateFlag(args, "date"));
    v1::EventPayload payload;
    P* change = (payload.*field)();
    *change->mutable_effective_date() = date;
    change->set_party_id(args.Get("party").value_or(""));
    return payload;
  };
}

// Changes whose only field is a date (`date` or `effective_date`), from --date.
template <typename P>
ChangeBuilder DateOnly(P* (v1::EventPayload::*field)(), v1::Date* (P::*date_field)()) {
  return [field, date_field](const ParsedArgs& args) -> absl::StatusOr<v1::EventPayload> {
    ASSIGN_OR_RETURN(v1::Date date, RequiredDateFlag(args, "date"));
    v1::EventPayload payload;
    *((payload.*field)()->*date_field)() = date;
    return payload;
  };
}

}  // namespace agreements::cli::internal

#endif  // AGREEMENTS_CLIENTS_CLI_CHANGE_INTERNAL_H_
