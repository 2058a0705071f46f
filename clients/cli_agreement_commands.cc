// Write commands on agreements: record, and the lifecycle changes of binding instruments
// (adoption, signature, consent, force, suspension, withdrawal, termination, amendment).
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/cli_change_internal.h"
#include "clients/cli_commands.h"
#include "clients/cli_format.h"
#include "clients/cli_values.h"
#include "common/status_macros.h"

namespace agreements::cli {
namespace {

using internal::Change;
using internal::DateFlagSpec;
using internal::DateOnly;
using internal::EffectiveDateAndParty;
using internal::PartyFlagSpec;

// --term-expires or --term-duration, --term-renews[=PERIOD], --term-max-renewals,
// --term-article.
absl::Status ApplyTermFlags(const ParsedArgs& args, v1::Agreement& agreement) {
  if (args.Has("term-expires") && args.Has("term-duration")) {
    return UsageError("give --term-expires or --term-duration, not both");
  }
  const bool any = args.Has("term-expires") || args.Has("term-duration") ||
                   args.Has("term-renews") || args.Has("term-max-renewals") ||
                   args.Has("term-article");
  if (!any) return absl::OkStatus();
  v1::Term* term = agreement.mutable_term();
  ASSIGN_OR_RETURN(std::optional<v1::Date> expires, DateFlag(args, "term-expires"));
  if (expires.has_value()) *term->mutable_expires_on() = *expires;
  if (std::optional<std::string> duration = args.Get("term-duration")) {
    ASSIGN_OR_RETURN(*term->mutable_duration(),
                     ParseCalendarPeriod("term-duration", *duration));
  }
  if (args.Has("term-renews")) {
    term->set_renews_automatically(true);
    const std::string period = args.Get("term-renews").value_or("");
    if (!period.empty()) {
      ASSIGN_OR_RETURN(*term->mutable_renewal_period(),
                       ParseCalendarPeriod("term-renews", period));
    }
  }
  if (std::optional<std::string> max = args.Get("term-max-renewals")) {
    ASSIGN_OR_RETURN(int32_t renewals, ParseInt32("term-max-renewals", *max));
    term->set_max_renewals(renewals);
  }
  if (std::optional<std::string> article = args.Get("term-article")) {
    term->set_article(*article);
  }
  return absl::OkStatus();
}

// --identifier, --depositary and the treaty's clauses: --withdrawal-notice and
// --withdrawal-article, --pa-*, --term-*. Flags set fields on top of the file's.
absl::Status ApplyTreatyFlags(const ParsedArgs& args, v1::Agreement& agreement) {
  for (const std::string& text : args.GetAll("identifier")) {
    absl::StatusOr<v1::Identifier> identifier = ParseIdentifier(text);
    if (!identifier.ok()) {
      return UsageError(absl::StrCat("--identifier: ", identifier.status().message()));
    }
    *agreement.add_identifiers() = *std::move(identifier);
  }
  for (const std::string& party : args.GetAll("depositary")) {
    agreement.add_depositaries()->set_party_id(party);
  }
  if (std::optional<std::string> notice = args.Get("withdrawal-notice")) {
    ASSIGN_OR_RETURN(*agreement.mutable_withdrawal_clause(),
                     ParseNoticeRule("withdrawal-notice", *notice));
  }
  if (std::optional<std::string> article = args.Get("withdrawal-article")) {
    agreement.mutable_withdrawal_clause()->set_article(*article);
  }
  if (args.Has("withdrawal-excluded")) agreement.set_withdrawal_excluded(true);
  if (args.Has("pa-termination-notice") || args.Has("pa-open-to-non-signatories") ||
      args.Has("pa-article")) {
    v1::ProvisionalApplicationClause* clause =
        agreement.mutable_provisional_application_clause();
    if (std::optional<std::string> notice = args.Get("pa-termination-notice")) {
      ASSIGN_OR_RETURN(*clause->mutable_termination_notice(),
                       ParseNoticeRule("pa-termination-notice", *notice));
    }
    if (args.Has("pa-open-to-non-signatories")) clause->set_open_to_non_signatories(true);
    if (std::optional<std::string> article = args.Get("pa-article")) {
      clause->set_article(*article);
    }
  }
  return ApplyTermFlags(args, agreement);
}

// --date, --party, --bound (repeatable).
absl::StatusOr<v1::EventPayload> BuildEntryIntoForce(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(
      v1::EventPayload payload,
      EffectiveDateAndParty(&v1::EventPayload::mutable_entered_into_force)(args));
  if (args.Has("bound") && args.Has("party")) {
    return UsageError("give --party (one participant) or --bound, not both");
  }
  for (const std::string& party : args.GetAll("bound")) {
    payload.mutable_entered_into_force()->add_bound_party_ids(party);
  }
  return payload;
}

absl::Status RunRecord(Env& env) {
  const ParsedArgs& args = env.args();
  v1::Agreement agreement;
  if (std::optional<std::string> file = args.Get("file")) {
    ASSIGN_OR_RETURN(std::string json, ReadFile(*file));
    RETURN_IF_ERROR(ParseJson(json, *file, agreement));
  }
  if (auto id = args.Get("id")) agreement.set_id(*id);
  if (auto designation = args.Get("designation")) agreement.set_designation(*designation);
  if (auto place = args.Get("place")) agreement.set_place_of_conclusion(*place);
  if (auto summary = args.Get("summary")) agreement.set_summary(*summary);
  ASSIGN_OR_RETURN(auto kind, EnumFlag<v1::InstrumentKind>(args, "kind"));
  if (kind.has_value()) agreement.set_instrument_kind(*kind);
  ASSIGN_OR_RETURN(auto nature, EnumFlag<v1::LegalNature>(args, "nature"));
  if (nature.has_value()) agreement.set_legal_nature(*nature);
  ASSIGN_OR_RETURN(auto arity, EnumFlag<v1::Arity>(args, "arity"));
  if (arity.has_value()) agreement.set_arity(*arity);
  ASSIGN_OR_RETURN(auto level, EnumFlag<v1::Confidentiality>(args, "confidentiality"));
  if (level.has_value()) agreement.set_confidentiality(*level);
  for (const std::string& title : args.GetAll("title")) {
    ASSIGN_OR_RETURN(*agreement.add_titles(), ParseLocalizedText(title));
  }
  RETURN_IF_ERROR(
      internal::AddClassifications(args, *agreement.mutable_classifications()));
  for (const std::string& party : args.GetAll("party")) {
    ASSIGN_OR_RETURN(*agreement.add_participations(), ParseParticipant(party));
  }
  RETURN_IF_ERROR(ApplyTreatyFlags(args, agreement));

  v1::RecordAgreementRequest request;
  *request.mutable_context() = env.CommandContext();
  *request.mutable_agreement() = std::move(agreement);
  ASSIGN_OR_RETURN(auto initial, EnumFlag<v1::AgreementStatus>(args, "initial-status"));
  if (initial.has_value()) request.set_initial_status(*initial);
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  ASSIGN_OR_RETURN(v1::RecordAgreementResponse response,
                   client->RecordAgreement(request));
  env.Print(response, [&] {
    internal::PrintAgreementCommit(env.out(), response.result(), response.agreement());
  });
  return absl::OkStatus();
}

CommandSpec RecordCommand() {
  CommandSpec spec;
  spec.path = "record";
  spec.summary = "record a new agreement";
  spec.details =
      "-f takes an Agreement in the protobuf JSON mapping (not a RecordAgreementRequest: "
      "the\n"
      "request context comes from the global flags). Flags set fields on top of the "
      "file:\n"
      "scalar flags replace, repeated flags append. Output-only fields must be empty; "
      "an\n"
      "empty id lets the server assign one.\n\n"
      "Example:\n"
      "  agreements record --id kz-kr-energy-2009 --designation Agreement --kind "
      "agreement \\\n"
      "    --nature binding_international --arity bilateral --title en:\"Energy "
      "agreement\" \\\n"
      "    --sector energy --party kz --party kr\n\n"
      "Periods (--withdrawal-notice, --pa-termination-notice, --term-duration, "
      "--term-renews)\n"
      "are years, months and days in that order: 1y, 6m, 60d, 1y6m. --term-renews "
      "takes its\n"
      "period inline only: --term-renews=5y.";
  spec.flags = {
      {"file", "FILE", "Agreement JSON ('-' reads stdin)", false, 'f'},
      {"id", "ID", "agreement id: lowercase letters, digits, '-', '.'"},
      {"designation", "TEXT",
       "the designation as titled, e.g. \"Memorandum of Understanding\""},
      EnumFlagSpec<v1::InstrumentKind>(
          {"kind", "KIND",
           "instrument kind: treaty, agreement, memorandum_of_understanding ..."}),
      EnumFlagSpec<v1::LegalNature>(
          {"nature", "NATURE",
           "legal nature: binding_international, non_binding_political, "
           "binding_domestic_law, "
           "mixed, undetermined"}),
      {"title", "LANG:TEXT", "title in one language", true},
      EnumFlagSpec<v1::Arity>({"arity", "ARITY", "bilateral or multilateral"}),
      {"place", "TEXT", "place of conclusion"},
      internal::SectorFlagSpec(),
      internal::ClassificationFlagSpec(),
      {"party", "ID[:ROLE,...]", "participant and roles (default role: party)", true},
      {"summary", "TEXT", "free-text summary"},
      EnumFlagSpec<v1::Confidentiality>(
          {"confidentiality", "LEVEL",
           "public (default), restricted or confidential: who may see it"}),
      WithChoices({"initial-status", "STATUS", "draft (default) or negotiating"},
                  {"draft", "negotiating"}),
      {"identifier", "SCHEME:VALUE",
       "scheme-qualified identifier, e.g. UNTS:I-4739 or CELEX:22016A1019(01)", true},
      {"depositary", "ID", "a depositary (not a participant), e.g. un-sg", true},
      {"withdrawal-notice", "PERIOD[:COUNTING]",
       absl::StrCat("the treaty's withdrawal clause, e.g. 1y or "
                    "6m:first_day_of_following_month; COUNTING ",
                    EnumChoices(*v1::NoticeCounting_descriptor()),
                    " (default after_receipt; without the flag: VCLT 56(2), 12 months)")},
      {"withdrawal-article", "TEXT", "where the treaty says so, e.g. \"art. 28(2)\""},
      {"withdrawal-excluded", "",
       "the treaty admits no withdrawal (VCLT 56(1)): a withdrawal is refused"},
      {"pa-termination-notice", "PERIOD[:COUNTING]",
       "notice that ends a participant's provisional application (default: at once, "
       "VCLT 25(2))"},
      {"pa-open-to-non-signatories", "",
       "states that have not signed may apply it provisionally"},
      {"pa-article", "TEXT", "the treaty's provisional-application article"},
      {"term-expires", "DATE", "the term ends on DATE"},
      {"term-duration", "PERIOD",
       "the term lasts PERIOD from entry into force, e.g. 10y (not with --term-expires)"},
      {"term-renews", "PERIOD",
       "the term renews automatically, for PERIOD (default: the duration)", false, 0,
       /*optional_value=*/true},
      {"term-max-renewals", "N", "at most N automatic renewals (default 0: no limit)"},
      {"term-article", "TEXT", "the treaty's article on its term"},
  };
  spec.run = RunRecord;
  return spec;
}

std::vector<CommandSpec> LifecycleCommands() {
  const FlagSpec optional_party =
      PartyFlagSpec("for this participant only (default: the instrument as a whole)");
  std::vector<CommandSpec> commands;
  commands.push_back(Change(
      "adopt-text", "the text was adopted (negotiating -> adopted)",
      {DateFlagSpec("date of adoption (required)")},
      DateOnly(&v1::EventPayload::mutable_text_adopted, &v1::TextAdopted::mutable_date)));
  commands.push_back(
      Change("open-for-signature", "the instrument was opened for signature",
             {DateFlagSpec("date (required)"), {"place", "TEXT", "where"}},
             [](const ParsedArgs& args) -> absl::StatusOr<v1::EventPayload> {
               v1::EventPayload payload;
               auto* change = payload.mutable_opened_for_signature();
               ASSIGN_OR_RETURN(*change->mutable_date(), RequiredDateFlag(args, "date"));
               change->set_place(args.Get("place").value_or(""));
               return payload;
             }));
  commands.push_back(
      Change("add-participant", "add a participant (its status starts as negotiating)",
             {PartyFlagSpec("party id (required)"),
              EnumFlagSpec<v1::ParticipantRole>(
                  {"role", "ROLE",
                   "party (default), signatory, depositary, contractor ...", true})},
             [](const ParsedArgs& args) -> absl::StatusOr<v1::EventPayload> {
               v1::EventPayload payload;
               v1::Participation* p =
                   payload.mutable_participant_added()->mutable_participation();
               ASSIGN_OR_RETURN(*p->mutable_party_id(), RequiredFlag(args, "party"));
               for (const std::string& text : args.GetAll("role")) {
                 ASSIGN_OR_RETURN(auto role, ParseEnum<v1::ParticipantRole>(text));
                 p->add_roles(role);
               }
               if (p->roles().empty()) p->add_roles(v1::PARTICIPANT_ROLE_PARTY);
               return payload;
             }));
  commands.push_back(Change(
      "sign", "a participant signed",
      {PartyFlagSpec("who signed (required)"),
       DateFlagSpec("date of signature (required)"),
       EnumFlagSpec<v1::SignatureKind>(
           {"kind", "KIND",
            "simple (default: subject to ratification, acceptance or approval), "
            "ad_referendum or definitive (expresses consent to be bound)"}),
       {"place", "TEXT", "where"},
       {"signatory-name", "TEXT", "who signed for the party"},
       {"signatory-title", "TEXT", "the signatory's title"}},
      [](const ParsedArgs& args) -> absl::StatusOr<v1::EventPayload> {
        v1::EventPayload payload;
        auto* change = payload.mutable_participant_signed();
        ASSIGN_OR_RETURN(*change->mutable_party_id(), RequiredFlag(args, "party"));
        v1::Signature* signature = change->mutable_signature();
        ASSIGN_OR_RETURN(*signature->mutable_date(), RequiredDateFlag(args, "date"));
        ASSIGN_OR_RETURN(auto kind, EnumFlag<v1::SignatureKind>(args, "kind"));
        signature->set_kind(kind.value_or(v1::SIGNATURE_KIND_SIMPLE));
        signature->set_place(args.Get("place").value_or(""));
        signature->set_signatory_name(args.Get("signatory-name").value_or(""));
        signature->set_signatory_title(args.Get("signatory-title").value_or(""));
        return payload;
      }));
  commands.push_back(Change(
      "consent", "a participant expressed consent to be bound",
      {PartyFlagSpec("who consented (required)"),
       EnumFlagSpec<v1::ConsentMeans>(
           {"means", "MEANS",
            "ratification, acceptance, approval, accession or succession (required; a "
            "definitive signature is recorded with sign --kind definitive)"}),
       DateFlagSpec("date of the act (this or --deposit-date is required)"),
       {"deposit-date", "DATE", "date the instrument was deposited or notified"}},
      [](const ParsedArgs& args) -> absl::StatusOr<v1::EventPayload> {
        v1::EventPayload payload;
        auto* change = payload.mutable_consent_expressed();
        ASSIGN_OR_RETURN(*change->mutable_party_id(), RequiredFlag(args, "party"));
        v1::Consent* consent = change->mutable_consent();
        ASSIGN_OR_RETURN(auto means, RequiredEnumFlag<v1::ConsentMeans>(args, "means"));
        consent->set_means(means);
        ASSIGN_OR_RETURN(auto act, DateFlag(args, "date"));
        ASSIGN_OR_RETURN(auto deposit, DateFlag(args, "deposit-date"));
        if (!act.has_value() && !deposit.has_value()) {
          return UsageError("consent: give --date (the act) or --deposit-date, or both");
        }
        if (act.has_value()) *consent->mutable_act_date() = *act;
        if (deposit.has_value()) *consent->mutable_deposit_date() = *deposit;
        return payload;
      }));
  commands.push_back(Change(
      "provisional-apply", "provisional application started",
      {DateFlagSpec("effective date (required)"), optional_party},
      EffectiveDateAndParty(&v1::EventPayload::mutable_provisional_application_started)));
  commands.push_back(Change(
      "end-provisional-application", "provisional application ended",
      {DateFlagSpec("effective date (required unless --notified is given)"),
       {"notified", "DATE",
        "date the notice of termination was given; without --date the server derives "
        "the end from the treaty's clause, else the notice's date (VCLT 25(2))"},
       optional_party},
      [](const ParsedArgs& args) -> absl::StatusOr<v1::EventPayload> {
        v1::EventPayload payload;
        auto* change = payload.mutable_provisional_application_terminated();
        ASSIGN_OR_RETURN(auto notified, DateFlag(args, "notified"));
        if (notified.has_value()) {
          *change->mutable_notified_on() = *notified;
          ASSIGN_OR_RETURN(auto date, DateFlag(args, "date"));
          if (date.has_value()) *change->mutable_effective_date() = *date;
        } else {
          ASSIGN_OR_RETURN(*change->mutable_effective_date(),
                           RequiredDateFlag(args, "date"));
        }
        change->set_party_id(args.Get("party").value_or(""));
        return payload;
      }));
  commands.push_back(
      Change("enter-into-force",
             "the instrument (or --party: it for one party) entered into force",
             {DateFlagSpec("effective date (required)"),
              optional_party,
              {"bound", "ID",
               "without --party: it enters into force for these CONTRACTING participants "
               "only (default: all of them)",
               true}},
             BuildEntryIntoForce));
  commands.push_back(
      Change("suspend", "operation suspended",
             {DateFlagSpec("effective date (required)"), optional_party},
             EffectiveDateAndParty(&v1::EventPayload::mutable_operation_suspended)));
  commands.push_back(
      Change("resume", "operation resumed",
             {DateFlagSpec("effective date (required)"), optional_party},
             EffectiveDateAndParty(&v1::EventPayload::mutable_operation_resumed)));
  commands.push_back(
      Change("withdraw", "a participant notified its withdrawal",
             {PartyFlagSpec("who withdraws (required)"),
              DateFlagSpec("date notified (required)"),
              {"takes-effect", "DATE", "date the withdrawal takes effect"}},
             [](const ParsedArgs& args) -> absl::StatusOr<v1::EventPayload> {
               v1::EventPayload payload;
               auto* change = payload.mutable_withdrawal_notified();
               ASSIGN_OR_RETURN(*change->mutable_party_id(), RequiredFlag(args, "party"));
               ASSIGN_OR_RETURN(*change->mutable_withdrawal()->mutable_notified_on(),
                                RequiredDateFlag(args, "date"));
               ASSIGN_OR_RETURN(auto effect, DateFlag(args, "takes-effect"));
               if (effect.has_value())
                 *change->mutable_withdrawal()->mutable_takes_effect_on() = *effect;
               return payload;
             }));
  commands.push_back(
      Change("revoke-withdrawal", "a participant revoked its pending withdrawal",
             {PartyFlagSpec("who revokes (required)"), DateFlagSpec("date (required)")},
             [](const ParsedArgs& args) -> absl::StatusOr<v1::EventPayload> {
               v1::EventPayload payload;
               auto* change = payload.mutable_withdrawal_revoked();
               ASSIGN_OR_RETURN(*change->mutable_party_id(), RequiredFlag(args, "party"));
               ASSIGN_OR_RETURN(*change->mutable_date(), RequiredDateFlag(args, "date"));
               return payload;
             }));
  commands.push_back(Change(
      "declare-non-participation",
      "a participant made clear it will not become a party (VCLT 18(a))",
      {PartyFlagSpec("who declares (required)"),
       DateFlagSpec("date (required)"),
       {"provisional-application-ends", "DATE",
        "when its provisional application ends, if it applies the treaty provisionally "
        "(default: the treaty's clause decides, else the declaration's date)"}},
      [](const ParsedArgs& args) -> absl::StatusOr<v1::EventPayload> {
        v1::EventPayload payload;
        auto* change = payload.mutable_non_participation_declared();
        ASSIGN_OR_RETURN(*change->mutable_party_id(), RequiredFlag(args, "party"));
        ASSIGN_OR_RETURN(*change->mutable_date(), RequiredDateFlag(args, "date"));
        ASSIGN_OR_RETURN(auto ends, DateFlag(args, "provisional-application-ends"));
        if (ends.has_value()) *change->mutable_provisional_application_ends_on() = *ends;
        return payload;
      }));
  commands.push_back(
      Change("withdrawal-effective", "a participant's withdrawal took effect",
             {PartyFlagSpec("who withdrew (required)"),
              DateFlagSpec("effective date (required)")},
             [](const ParsedArgs& args) -> absl::StatusOr<v1::EventPayload> {
               v1::EventPayload payload;
               auto* change = payload.mutable_withdrawal_took_effect();
               ASSIGN_OR_RETURN(*change->mutable_party_id(), RequiredFlag(args, "party"));
               ASSIGN_OR_RETURN(*change->mutable_effective_date(),
                                RequiredDateFlag(args, "date"));
               return payload;
             }));
  commands.push_back(Change(
      "terminate", "the instrument was terminated",
      {EnumFlagSpec<v1::TerminationGround>({"ground", "GROUND",
                                            "expiry, by_consent, denunciation_bilateral, "
                                            "replaced_by_later, material_breach, "
                                            "other (required)"}),
       DateFlagSpec("effective date (required)"),
       {"replaced-by", "ID", "the later agreement, for replaced_by_later"}},
      [](const ParsedArgs& args) -> absl::StatusOr<v1::EventPayload> {
        v1::EventPayload payload;
        auto* change = payload.mutable_terminated();
        ASSIGN_OR_RETURN(auto ground,
                         RequiredEnumFlag<v1::TerminationGround>(args, "ground"));
        change->set_ground(ground);
        ASSIGN_OR_RETURN(*change->mutable_effective_date(),
                         RequiredDateFlag(args, "date"));
        change->set_replaced_by_agreement_id(args.Get("replaced-by").value_or(""));
        return payload;
      }));
  commands.push_back(Change(
      "abandon", "the signed instrument will never enter into force",
      {DateFlagSpec("date (required)")},
      DateOnly(&v1::EventPayload::mutable_abandoned, &v1::Abandoned::mutable_date)));
  commands.push_back(
      Change("amend", "an amendment was adopted", internal::AmendmentFlags(),
             [](const ParsedArgs& args) -> absl::StatusOr<v1::EventPayload> {
               v1::EventPayload payload;
               ASSIGN_OR_RETURN(*payload.mutable_amendment_adopted()->mutable_amendment(),
                                internal::AmendmentFromFlags(args));
               return payload;
             }));
  return commands;
}

}  // namespace

std::vector<CommandSpec> AgreementCommands() {
  std::vector<CommandSpec> commands;
  commands.push_back(RecordCommand());
  for (CommandSpec& command : LifecycleCommands()) commands.push_back(std::move(command));
  return commands;
}

}  // namespace agreements::cli
