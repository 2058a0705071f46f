// Write commands on agreements beyond the binding lifecycle: classifications, amounts,
// documents, relations, corrections, legal-nature reassessment, confidentiality, the
// non-binding and contract lifecycles, and the generic "apply" that sends any
// EventPayload given as JSON.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/cli_change_internal.h"
#include "clients/cli_commands.h"
#include "clients/cli_values.h"
#include "common/status_macros.h"

namespace agreements::cli {
namespace {

using internal::Change;
using internal::DateFlagSpec;
using internal::DateOnly;

absl::StatusOr<v1::EventPayload> BuildCorrection(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(std::string position_text, RequiredFlag(args, "position"));
  ASSIGN_OR_RETURN(uint64_t position, ParseUint64("position", position_text));
  v1::EventPayload payload;
  v1::RecordCorrected* correction = payload.mutable_record_corrected();
  correction->set_corrected_position(position);
  v1::Agreement* values = correction->mutable_agreement();
  if (std::optional<std::string> file = args.Get("file")) {
    ASSIGN_OR_RETURN(std::string json, ReadFile(*file));
    RETURN_IF_ERROR(ParseJson(json, *file, *values));
  }
  auto* paths = correction->mutable_field_mask()->mutable_paths();
  if (auto designation = args.Get("designation")) {
    values->set_designation(*designation);
    paths->Add("designation");
  }
  if (args.Has("title")) {
    values->clear_titles();
    for (const std::string& title : args.GetAll("title")) {
      ASSIGN_OR_RETURN(*values->add_titles(), ParseLocalizedText(title));
    }
    paths->Add("titles");
  }
  if (auto place = args.Get("place")) {
    values->set_place_of_conclusion(*place);
    paths->Add("place_of_conclusion");
  }
  if (auto summary = args.Get("summary")) {
    values->set_summary(*summary);
    paths->Add("summary");
  }
  ASSIGN_OR_RETURN(auto kind, EnumFlag<v1::InstrumentKind>(args, "kind"));
  if (kind.has_value()) {
    values->set_instrument_kind(*kind);
    paths->Add("instrument_kind");
  }
  ASSIGN_OR_RETURN(auto arity, EnumFlag<v1::Arity>(args, "arity"));
  if (arity.has_value()) {
    values->set_arity(*arity);
    paths->Add("arity");
  }
  ASSIGN_OR_RETURN(std::optional<v1::Date> signed_on, DateFlag(args, "signed-on"));
  if (signed_on.has_value()) {
    *values->mutable_signed_on() = *signed_on;
    paths->Add("signed_on");
  }
  for (const std::string& field : args.GetAll("field")) paths->Add(std::string(field));
  if (paths->empty()) {
    return UsageError("correct: name at least one corrected field (flags or --field)");
  }
  return payload;
}

absl::StatusOr<v1::EventPayload> BuildAmount(const ParsedArgs& args) {
  v1::EventPayload payload;
  v1::Amount* amount = payload.mutable_amount_recorded()->mutable_amount();
  ASSIGN_OR_RETURN(*amount->mutable_id(), RequiredFlag(args, "amount-id"));
  ASSIGN_OR_RETURN(auto type, RequiredEnumFlag<v1::AmountType>(args, "type"));
  amount->set_type(type);
  ASSIGN_OR_RETURN(std::string currency, RequiredFlag(args, "currency"));
  ASSIGN_OR_RETURN(std::string value, RequiredFlag(args, "value"));
  ASSIGN_OR_RETURN(*amount->mutable_value(), ParseMoney(currency, value));
  amount->set_description(args.Get("description").value_or(""));
  ASSIGN_OR_RETURN(auto as_of, DateFlag(args, "as-of"));
  if (as_of.has_value()) *amount->mutable_as_of() = *as_of;
  return payload;
}

absl::StatusOr<v1::EventPayload> BuildAmountRevision(const ParsedArgs& args) {
  v1::EventPayload payload;
  v1::AmountRevised* revision = payload.mutable_amount_revised();
  ASSIGN_OR_RETURN(*revision->mutable_amount_id(), RequiredFlag(args, "amount-id"));
  ASSIGN_OR_RETURN(std::string currency, RequiredFlag(args, "currency"));
  ASSIGN_OR_RETURN(std::string value, RequiredFlag(args, "value"));
  ASSIGN_OR_RETURN(*revision->mutable_value(), ParseMoney(currency, value));
  revision->set_description(args.Get("description").value_or(""));
  ASSIGN_OR_RETURN(auto as_of, DateFlag(args, "as-of"));
  if (as_of.has_value()) *revision->mutable_as_of() = *as_of;
  return payload;
}

absl::StatusOr<v1::EventPayload> BuildDocument(const ParsedArgs& args) {
  v1::EventPayload payload;
  v1::DocumentReference* document =
      payload.mutable_document_attached()->mutable_document();
  ASSIGN_OR_RETURN(*document->mutable_title(), RequiredFlag(args, "title"));
  document->set_language(args.Get("language").value_or(""));
  document->set_media_type(args.Get("media-type").value_or(""));
  document->set_url(args.Get("url").value_or(""));
  if (args.Has("sha256") && args.Has("hash-file")) {
    return UsageError("give --sha256 or --hash-file, not both");
  }
  if (std::optional<std::string> path = args.Get("hash-file")) {
    ASSIGN_OR_RETURN(*document->mutable_sha256(), FileSha256(*path));
  } else {
    document->set_sha256(args.Get("sha256").value_or(""));
  }
  return payload;
}

absl::StatusOr<v1::EventPayload> BuildRelation(const ParsedArgs& args) {
  v1::EventPayload payload;
  v1::Relation* relation = payload.mutable_relation_linked()->mutable_relation();
  ASSIGN_OR_RETURN(auto type, RequiredEnumFlag<v1::RelationType>(args, "type"));
  relation->set_type(type);
  ASSIGN_OR_RETURN(*relation->mutable_target_agreement_id(),
                   RequiredFlag(args, "target"));
  relation->set_note(args.Get("note").value_or(""));
  return payload;
}

absl::StatusOr<v1::EventPayload> BuildClassification(const ParsedArgs& args) {
  v1::EventPayload payload;
  auto* classifications =
      payload.mutable_classification_changed()->mutable_classifications();
  RETURN_IF_ERROR(internal::AddClassifications(args, *classifications));
  if (classifications->empty()) {
    return UsageError(
        "classify: give the complete new set with --sector/--classification");
  }
  return payload;
}

absl::StatusOr<v1::EventPayload> BuildReassessment(const ParsedArgs& args) {
  v1::EventPayload payload;
  v1::LegalNatureReassessed* change = payload.mutable_legal_nature_reassessed();
  ASSIGN_OR_RETURN(auto nature, RequiredEnumFlag<v1::LegalNature>(args, "nature"));
  change->set_legal_nature(nature);
  change->set_rationale(args.Get("rationale").value_or(""));
  return payload;
}

absl::StatusOr<v1::EventPayload> BuildConfidentiality(const ParsedArgs& args) {
  v1::EventPayload payload;
  ASSIGN_OR_RETURN(auto level, RequiredEnumFlag<v1::Confidentiality>(args, "level"));
  payload.mutable_confidentiality_changed()->set_level(level);
  return payload;
}

absl::StatusOr<v1::EventPayload> BuildFromFile(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(std::string path, RequiredFlag(args, "file"));
  ASSIGN_OR_RETURN(std::string json, ReadFile(path));
  v1::EventPayload payload;
  RETURN_IF_ERROR(ParseJson(json, path, payload));
  if (payload.kind_case() == v1::EventPayload::KIND_NOT_SET) {
    return UsageError(absl::StrCat(path, ": the EventPayload names no change"));
  }
  return payload;
}

std::vector<CommandSpec> DataCommands() {
  std::vector<CommandSpec> commands;
  commands.push_back(Change(
      "classify", "replace the agreement's classifications with a complete new set",
      {internal::SectorFlagSpec(), internal::ClassificationFlagSpec()},
      BuildClassification));
  commands.push_back(Change(
      "record-amount", "attach a sum (estimated value, financing ...)",
      {{"amount-id", "ID",
        "unique within the agreement, e.g. estimated-value (required)"},
       EnumFlagSpec<v1::AmountType>(
           {"type", "TYPE",
            "estimated_value, contract_value, financing, investment, grant, loan, other "
            "(required)"}),
       {"currency", "CODE", "ISO 4217 code, e.g. USD (required)"},
       {"value", "DECIMAL", "amount, e.g. 4500000000 or 12.75 (required)"},
       {"description", "TEXT", "what the figure is"},
       {"as-of", "DATE", "the date the figure refers to"}},
      BuildAmount));
  commands.push_back(Change("revise-amount",
                            "revise a recorded sum (the old value stays in the history)",
                            {{"amount-id", "ID", "the amount to revise (required)"},
                             {"currency", "CODE", "ISO 4217 code (required)"},
                             {"value", "DECIMAL", "new amount (required)"},
                             {"description", "TEXT", "what changed"},
                             {"as-of", "DATE", "the date the new figure refers to"}},
                            BuildAmountRevision));
  commands.push_back(Change(
      "attach-document", "reference a document by its SHA-256 (the text is not stored)",
      {{"title", "TEXT", "document title (required)"},
       {"language", "LANG", "BCP 47 tag, e.g. en"},
       {"media-type", "TYPE", "e.g. application/pdf"},
       {"url", "URL", "where the document is published (required)"},
       {"sha256", "HEX", "lowercase hex SHA-256 of the document's bytes"},
       {"hash-file", "PATH", "compute the SHA-256 from this local copy"}},
      BuildDocument));
  commands.push_back(Change(
      "link", "link this agreement to another: ID <type> TARGET",
      {EnumFlagSpec<v1::RelationType>(
           {"type", "TYPE",
            "implements, amends, replaces, framework_for, supplements (required)"}),
       {"target", "ID", "the other agreement (required)"},
       {"note", "TEXT", "free text"}},
      BuildRelation));
  commands.push_back(Change(
      "correct", "fix recorded data (a correction, not an amendment)",
      {{"position", "N", "global position of the corrected event (required)"},
       {"file", "FILE",
        "Agreement JSON holding corrected values (name them with --field)", false, 'f'},
       {"designation", "TEXT", "corrected designation"},
       {"title", "LANG:TEXT", "corrected titles (the complete new set)", true},
       {"place", "TEXT", "corrected place of conclusion"},
       {"summary", "TEXT", "corrected summary"},
       EnumFlagSpec<v1::InstrumentKind>({"kind", "KIND", "corrected instrument kind"}),
       EnumFlagSpec<v1::Arity>({"arity", "ARITY", "corrected arity"}),
       {"signed-on", "DATE", "corrected signature date"},
       {"field", "PATH", "add a path to the field mask, e.g. to clear a field", true}},
      BuildCorrection,
      "The field mask lists the fields given by flags plus every --field path."));
  commands.push_back(
      Change("reassess-nature",
             "reassess the legal nature (may change the lifecycle that applies)",
             {EnumFlagSpec<v1::LegalNature>(
                  {"nature", "NATURE", "the new legal nature (required)"}),
              {"rationale", "TEXT", "why"}},
             BuildReassessment));
  commands.push_back(Change(
      "change-confidentiality",
      "change who may see the agreement (readers see public agreements only)",
      {EnumFlagSpec<v1::Confidentiality>(
          {"level", "LEVEL", "public, restricted or confidential (required)"})},
      BuildConfidentiality,
      "The new level must differ from the current one; terminated agreements can be\n"
      "changed too. docs/security.md has who sees which level."));
  return commands;
}

std::vector<CommandSpec> NonBindingAndContractCommands() {
  std::vector<CommandSpec> commands;
  commands.push_back(Change("came-into-effect", "a non-binding instrument took effect",
                            {DateFlagSpec("effective date (required)")},
                            DateOnly(&v1::EventPayload::mutable_came_into_effect,
                                     &v1::CameIntoEffect::mutable_effective_date)));
  commands.push_back(Change("discontinue", "a non-binding instrument was discontinued",
                            {DateFlagSpec("effective date (required)")},
                            DateOnly(&v1::EventPayload::mutable_discontinued,
                                     &v1::Discontinued::mutable_effective_date)));
  CommandSpec sign = Change(
      "contract-sign", "a contract was signed (date of the last signature)",
      {DateFlagSpec("date of the last signature (required)"), {"place", "TEXT", "where"}},
      [](const ParsedArgs& args) -> absl::StatusOr<v1::EventPayload> {
        v1::EventPayload payload;
        v1::ContractSigned* change = payload.mutable_contract_signed();
        ASSIGN_OR_RETURN(*change->mutable_date(), RequiredDateFlag(args, "date"));
        change->set_place(args.Get("place").value_or(""));
        return payload;
      });
  sign.aliases = {"contract-signed"};
  commands.push_back(std::move(sign));
  commands.push_back(Change("contract-activate", "a signed contract became active",
                            {DateFlagSpec("effective date (required)")},
                            DateOnly(&v1::EventPayload::mutable_contract_activated,
                                     &v1::ContractActivated::mutable_effective_date)));
  commands.push_back(Change("contract-complete", "a contract was completed",
                            {DateFlagSpec("date (required)")},
                            DateOnly(&v1::EventPayload::mutable_contract_completed,
                                     &v1::ContractCompleted::mutable_date)));
  commands.push_back(
      Change("contract-terminate", "a contract was terminated early",
             {DateFlagSpec("effective date (required)"), {"cause", "TEXT", "why"}},
             [](const ParsedArgs& args) -> absl::StatusOr<v1::EventPayload> {
               v1::EventPayload payload;
               v1::ContractTerminated* change = payload.mutable_contract_terminated();
               ASSIGN_OR_RETURN(*change->mutable_effective_date(),
                                RequiredDateFlag(args, "date"));
               change->set_cause(args.Get("cause").value_or(""));
               return payload;
             }));
  commands.push_back(Change("contract-cancel", "a draft or signed contract was cancelled",
                            {DateFlagSpec("date (required)")},
                            DateOnly(&v1::EventPayload::mutable_contract_cancelled,
                                     &v1::ContractCancelled::mutable_date)));
  commands.push_back(
      Change("contract-amend", "a contract was amended", internal::AmendmentFlags(),
             [](const ParsedArgs& args) -> absl::StatusOr<v1::EventPayload> {
               v1::EventPayload payload;
               ASSIGN_OR_RETURN(*payload.mutable_contract_amended()->mutable_amendment(),
                                internal::AmendmentFromFlags(args));
               return payload;
             }));
  commands.push_back(Change(
      "apply", "apply any change given as an EventPayload in protobuf JSON",
      {{"file", "FILE", "EventPayload JSON ('-' reads stdin) (required)", false, 'f'}},
      BuildFromFile,
      "Every change kind is reachable this way, e.g.\n"
      "  {\"participantSigned\": {\"partyId\": \"kz\", \"signature\": {\"date\":\n"
      "    {\"year\": 2009, \"month\": 5, \"precision\": \"DATE_PRECISION_MONTH\"}}}}"));
  return commands;
}

}  // namespace

std::vector<CommandSpec> ChangeCommands() {
  std::vector<CommandSpec> commands = DataCommands();
  for (CommandSpec& command : NonBindingAndContractCommands()) {
    commands.push_back(std::move(command));
  }
  return commands;
}

}  // namespace agreements::cli
