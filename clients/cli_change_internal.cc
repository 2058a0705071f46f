#include "clients/cli_change_internal.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "clients/cli_format.h"

namespace agreements::cli::internal {
namespace {

// --dates-confirmed-by, when given, replaces what the builder set (`apply -f` may carry
// one in its JSON).
absl::Status ApplyDatesConfirmedBy(const ParsedArgs& args, v1::EventPayload& change) {
  std::optional<std::string> source = args.Get("dates-confirmed-by");
  if (!source.has_value()) return absl::OkStatus();
  if (source->empty()) {
    return UsageError("--dates-confirmed-by: name the source that confirms the dates");
  }
  change.set_dates_confirmed_by(*source);
  return absl::OkStatus();
}

absl::Status RunChange(Env& env, const ChangeBuilder& build) {
  ASSIGN_OR_RETURN(v1::EventPayload change, build(env.args()));
  RETURN_IF_ERROR(ApplyDatesConfirmedBy(env.args(), change));
  ASSIGN_OR_RETURN(v1::ExpectedRevision expected, ExpectedRevisionFlag(env.args()));
  v1::ApplyAgreementChangeRequest request;
  *request.mutable_context() = env.CommandContext();
  request.set_agreement_id(env.args().positional()[0]);
  if (expected.kind_case() != v1::ExpectedRevision::KIND_NOT_SET) {
    *request.mutable_expected_revision() = expected;
  }
  *request.mutable_change() = std::move(change);
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  ASSIGN_OR_RETURN(v1::ApplyAgreementChangeResponse response,
                   client->ApplyAgreementChange(request));
  env.Print(response, [&] {
    PrintAgreementCommit(env.out(), response.result(), response.agreement());
  });
  return absl::OkStatus();
}

}  // namespace

CommandSpec Change(std::string name, std::string summary, std::vector<FlagSpec> flags,
                   ChangeBuilder build, std::string details) {
  flags.push_back(DatesConfirmedByFlagSpec());
  flags.push_back(ExpectedRevisionFlagSpec());
  CommandSpec spec;
  spec.path = std::move(name);
  spec.args_usage = "ID";
  spec.min_args = spec.max_args = 1;
  spec.summary = std::move(summary);
  spec.details = std::move(details);
  spec.flags = std::move(flags);
  spec.run = [build = std::move(build)](Env& env) { return RunChange(env, build); };
  return spec;
}

void PrintAgreementCommit(std::ostream& out, const v1::CommitResult& result,
                          const v1::Agreement& agreement) {
  KeyValueBlock block;
  block.Add("agreement", agreement.id());
  block.Add("status", EnumName(agreement.status()));
  block.Add("revision", absl::StrCat(agreement.revision()));
  block.Add("result", result.replayed() ? "replayed (nothing appended)" : "committed");
  block.Add("positions", FormatPositions(result));
  block.Print(out);
}

FlagSpec DatesConfirmedByFlagSpec() {
  return {"dates-confirmed-by", "SOURCE",
          "a source that confirms dates contradicting those recorded (e.g. a signature "
          "before the adoption of the text), e.g. \"UNTC, C.N.123.1993\"; without it the "
          "server refuses such dates"};
}

FlagSpec DateFlagSpec(std::string help) { return {"date", "DATE", std::move(help)}; }
FlagSpec PartyFlagSpec(std::string help) { return {"party", "ID", std::move(help)}; }
FlagSpec SectorFlagSpec() {
  return {"sector", "CODE",
          "registry sector (energy, transport, telecom, construction ...)", true};
}
FlagSpec ClassificationFlagSpec() {
  return {"classification", "SCHEME:CODE", "e.g. oecd_dac:23210 or isic:D3510", true};
}

absl::Status AddClassifications(
    const ParsedArgs& args, google::protobuf::RepeatedPtrField<v1::Classification>& out) {
  for (const std::string& sector : args.GetAll("sector")) {
    v1::Classification* classification = out.Add();
    classification->set_scheme(v1::CLASSIFICATION_SCHEME_REGISTRY_SECTOR);
    classification->set_code(sector);
  }
  for (const std::string& text : args.GetAll("classification")) {
    ASSIGN_OR_RETURN(*out.Add(), ParseClassification(text));
  }
  return absl::OkStatus();
}

const std::vector<FlagSpec>& AmendmentFlags() {
  static const std::vector<FlagSpec>* const flags =
      new std::vector<FlagSpec>{DateFlagSpec("date the amendment was adopted (required)"),
                                {"effective", "DATE", "date it takes effect"},
                                {"summary", "TEXT", "what it changes"},
                                {"amending-agreement", "ID",
                                 "the amending instrument, when registered on its own"}};
  return *flags;
}

absl::StatusOr<v1::Amendment> AmendmentFromFlags(const ParsedArgs& args) {
  v1::Amendment amendment;
  ASSIGN_OR_RETURN(*amendment.mutable_adopted_on(), RequiredDateFlag(args, "date"));
  ASSIGN_OR_RETURN(std::optional<v1::Date> effective, DateFlag(args, "effective"));
  if (effective.has_value()) *amendment.mutable_effective_date() = *effective;
  amendment.set_summary(args.Get("summary").value_or(""));
  amendment.set_amending_agreement_id(args.Get("amending-agreement").value_or(""));
  return amendment;
}

}  // namespace agreements::cli::internal
