// ValidateCommand: the stateless checks of a command, payload by payload.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "domain/decider.h"
#include "domain/lifecycle_internal.h"
#include "domain/limits.h"
#include "domain/validation.h"
#include "domain/validation_internal.h"

namespace agreements::domain {
namespace {

using internal::CheckDate;
using internal::CheckEnum;
using internal::CheckId;
using internal::CheckText;
using internal::Field;
using internal::Invalid;
using internal::Presence;

constexpr Presence kRequired = Presence::kRequired;
constexpr Presence kOptional = Presence::kOptional;

// The id inside a creating payload must match the command's stream id when both are set.
absl::Status CheckPayloadId(absl::string_view path, absl::string_view id,
                            absl::string_view stream_id) {
  RETURN_IF_ERROR(CheckId(path, id, kOptional));
  if (!id.empty() && !stream_id.empty() && id != stream_id) {
    return Invalid(
        path, absl::StrFormat("must equal stream_id (got \"%s\", stream_id \"%s\")", id,
                              stream_id));
  }
  return absl::OkStatus();
}

absl::Status CheckNotSelf(absl::string_view path, absl::string_view target,
                          absl::string_view self) {
  if (!target.empty() && target == self) {
    return Invalid(path, "must not be the agreement itself");
  }
  return absl::OkStatus();
}

// Identifiers, withdrawal and provisional-application clauses, term and depositaries of
// a new agreement.
absl::Status CheckTreatyClauses(const std::string& path, const v1::Agreement& a) {
  RETURN_IF_ERROR(internal::CheckIdentifiers(path, a.identifiers()));
  if (a.withdrawal_excluded() && a.has_withdrawal_clause()) {
    return Invalid(Field(path, "withdrawal_clause"),
                   "must be empty when withdrawal_excluded is set");
  }
  if (a.has_withdrawal_clause()) {
    RETURN_IF_ERROR(internal::CheckNoticeRule(Field(path, "withdrawal_clause"),
                                              a.withdrawal_clause()));
  }
  RETURN_IF_ERROR(internal::CheckProvisionalApplicationClause(
      Field(path, "provisional_application_clause"), a.provisional_application_clause()));
  if (a.has_term()) RETURN_IF_ERROR(internal::CheckTerm(Field(path, "term"), a.term()));
  return internal::CheckDepositaries(path, a.depositaries());
}

absl::Status CheckRecorded(const std::string& base, const v1::AgreementRecorded& recorded,
                           const std::string& stream_id) {
  const std::string path = Field(base, "agreement");
  const v1::Agreement& a = recorded.agreement();
  RETURN_IF_ERROR(CheckPayloadId(Field(path, "id"), a.id(), stream_id));
  const std::string self = stream_id.empty() ? a.id() : stream_id;
  RETURN_IF_ERROR(internal::CheckUnset(
      a, path,
      {"sectors", "amendments", "status", "adopted_on", "signed_on",
       "provisionally_applied_from", "entered_into_force_on", "ended_on",
       "termination_ground", "status_before_suspension", "revision", "last_position",
       "create_time", "update_time", "opened_for_signature_on",
       "provisional_application_ended_on", "extensions", "registrations", "expires_on"},
      "is output only: must be empty (events set it)"));
  RETURN_IF_ERROR(CheckText(Field(path, "designation"), a.designation(),
                            kMaxDesignationChars, kOptional));
  RETURN_IF_ERROR(CheckEnum(Field(path, "instrument_kind"), a.instrument_kind(),
                            v1::InstrumentKind_descriptor(), kRequired));
  RETURN_IF_ERROR(CheckEnum(Field(path, "legal_nature"), a.legal_nature(),
                            v1::LegalNature_descriptor(), kRequired));
  RETURN_IF_ERROR(CheckEnum(Field(path, "confidentiality"), a.confidentiality(),
                            v1::Confidentiality_descriptor(), kOptional));
  RETURN_IF_ERROR(internal::CheckLocalizedTexts(path, "titles", a.titles(), kMaxTitles));
  RETURN_IF_ERROR(
      CheckEnum(Field(path, "arity"), a.arity(), v1::Arity_descriptor(), kRequired));
  RETURN_IF_ERROR(CheckText(Field(path, "place_of_conclusion"), a.place_of_conclusion(),
                            kMaxPlaceChars, kOptional));
  RETURN_IF_ERROR(internal::CheckParticipations(
      path, "participations", a.participations(), internal::ParticipationForm::kNew));
  const int parties = internal::CountPartyRoles(a.participations());
  if (a.arity() == v1::ARITY_BILATERAL && parties > 2) {
    return Invalid(Field(path, "arity"),
                   absl::StrFormat("must not be ARITY_BILATERAL: %d participations have "
                                   "role PARTICIPANT_ROLE_PARTY (a bilateral instrument "
                                   "has two; record ARITY_MULTILATERAL)",
                                   parties));
  }
  RETURN_IF_ERROR(
      internal::CheckClassifications(path, "classifications", a.classifications()));
  if (a.amounts_size() > kMaxAmounts) {
    return Invalid(Field(path, "amounts"),
                   absl::StrFormat("must have at most %d entries (got %d)", kMaxAmounts,
                                   a.amounts_size()));
  }
  for (int i = 0; i < a.amounts_size(); ++i) {
    const std::string amount_path = internal::Element(path, "amounts", i);
    RETURN_IF_ERROR(internal::CheckAmount(amount_path, a.amounts(i)));
    for (int j = 0; j < i; ++j) {
      if (a.amounts(j).id() == a.amounts(i).id()) {
        return Invalid(Field(amount_path, "id"),
                       absl::StrFormat("duplicate amount id (also amounts[%d])", j));
      }
    }
  }
  if (a.relations_size() > kMaxRelations) {
    return Invalid(Field(path, "relations"),
                   absl::StrFormat("must have at most %d entries (got %d)", kMaxRelations,
                                   a.relations_size()));
  }
  for (int i = 0; i < a.relations_size(); ++i) {
    const std::string relation_path = internal::Element(path, "relations", i);
    RETURN_IF_ERROR(internal::CheckRelation(relation_path, a.relations(i)));
    RETURN_IF_ERROR(CheckNotSelf(Field(relation_path, "target_agreement_id"),
                                 a.relations(i).target_agreement_id(), self));
    for (int j = 0; j < i; ++j) {
      if (a.relations(j).type() == a.relations(i).type() &&
          a.relations(j).target_agreement_id() == a.relations(i).target_agreement_id()) {
        return Invalid(relation_path,
                       absl::StrFormat("duplicate relation (also relations[%d])", j));
      }
    }
  }
  RETURN_IF_ERROR(internal::CheckDocuments(path, "documents", a.documents()));
  RETURN_IF_ERROR(
      CheckText(Field(path, "summary"), a.summary(), kMaxSummaryChars, kOptional));
  RETURN_IF_ERROR(CheckTreatyClauses(path, a));

  const std::string status_path = Field(base, "initial_status");
  RETURN_IF_ERROR(CheckEnum(status_path, recorded.initial_status(),
                            v1::AgreementStatus_descriptor(), kOptional));
  switch (recorded.initial_status()) {
    case v1::AGREEMENT_STATUS_UNSPECIFIED:
    case v1::AGREEMENT_STATUS_DRAFT:
      return absl::OkStatus();
    case v1::AGREEMENT_STATUS_NEGOTIATING:
      if (internal::LifecycleOf(a.legal_nature()) != internal::Lifecycle::kInstrument) {
        return Invalid(
            status_path,
            "AGREEMENT_STATUS_NEGOTIATING applies only to the instrument lifecycle "
            "(legal nature BINDING_INTERNATIONAL, MIXED or UNDETERMINED)");
      }
      return absl::OkStatus();
    default:
      return Invalid(status_path,
                     "must be AGREEMENT_STATUS_DRAFT or AGREEMENT_STATUS_NEGOTIATING");
  }
}

absl::Status CheckCorrection(const std::string& base, const v1::RecordCorrected& rc,
                             const v1::Command& command) {
  if (rc.corrected_position() == 0) {
    return Invalid(Field(base, "corrected_position"),
                   "must be set (a global position >= 1)");
  }
  const std::string mask_path = Field(base, "field_mask");
  if (command.stream_type() == v1::STREAM_TYPE_AGREEMENT) {
    if (rc.has_party())
      return Invalid(Field(base, "party"), "must be empty on an agreement stream");
    RETURN_IF_ERROR(internal::CheckMaskPaths(mask_path, rc.field_mask(),
                                             CorrectableAgreementPaths()));
    const std::string path = Field(base, "agreement");
    RETURN_IF_ERROR(
        CheckPayloadId(Field(path, "id"), rc.agreement().id(), command.stream_id()));
    return internal::CheckAgreementCorrection(path, rc.agreement(), rc.field_mask());
  }
  if (rc.has_agreement()) {
    return Invalid(Field(base, "agreement"), "must be empty on a party stream");
  }
  RETURN_IF_ERROR(
      internal::CheckMaskPaths(mask_path, rc.field_mask(), CorrectablePartyPaths()));
  const std::string path = Field(base, "party");
  RETURN_IF_ERROR(
      CheckPayloadId(Field(path, "id"), rc.party().id(), command.stream_id()));
  return internal::CheckPartyChange(path, rc.party(), rc.field_mask(),
                                    command.stream_id());
}

absl::Status CheckParty(const std::string& base, const v1::Party& party,
                        const std::string& stream_id) {
  RETURN_IF_ERROR(CheckPayloadId(Field(base, "id"), party.id(), stream_id));
  return internal::CheckParty(base, party, stream_id.empty() ? party.id() : stream_id);
}

// Checks an optional party id and a required date, the shape of most instrument events.
absl::Status CheckPartyAndDate(const std::string& base, absl::string_view party_id,
                               absl::string_view date_name, const v1::Date& date,
                               Presence party_presence) {
  RETURN_IF_ERROR(CheckId(Field(base, "party_id"), party_id, party_presence));
  return CheckDate(Field(base, date_name), date, kRequired);
}

absl::Status CheckProvisionalEnd(const std::string& base,
                                 const v1::ProvisionalApplicationTerminated& e) {
  RETURN_IF_ERROR(CheckId(Field(base, "party_id"), e.party_id(), kOptional));
  RETURN_IF_ERROR(
      CheckDate(Field(base, "effective_date"), e.effective_date(), kOptional));
  RETURN_IF_ERROR(CheckDate(Field(base, "notified_on"), e.notified_on(), kOptional));
  if (!IsDateSet(e.effective_date()) && !IsDateSet(e.notified_on())) {
    return Invalid(Field(base, "effective_date"),
                   "must be set (or notified_on, for an end by notice)");
  }
  if (IsDateSet(e.effective_date()) && IsDateSet(e.notified_on()) &&
      CompareDates(e.effective_date(), e.notified_on()) < 0) {
    return Invalid(Field(base, "effective_date"), "must not precede notified_on");
  }
  if (e.effective_date_basis() != v1::EFFECTIVE_DATE_BASIS_UNSPECIFIED) {
    return Invalid(Field(base, "effective_date_basis"),
                   "is output only: must be empty (the registry sets it)");
  }
  return absl::OkStatus();
}

absl::Status CheckEntryIntoForce(const std::string& base, const v1::EnteredIntoForce& e) {
  RETURN_IF_ERROR(CheckPartyAndDate(base, e.party_id(), "effective_date",
                                    e.effective_date(), kOptional));
  if (!e.party_id().empty() && !e.bound_party_ids().empty()) {
    return Invalid(
        Field(base, "bound_party_ids"),
        "must be empty when party_id is set (the entry into force for one party)");
  }
  for (int i = 0; i < e.bound_party_ids_size(); ++i) {
    const std::string path = internal::Element(base, "bound_party_ids", i);
    RETURN_IF_ERROR(CheckId(path, e.bound_party_ids(i), kRequired));
    for (int j = 0; j < i; ++j) {
      if (e.bound_party_ids(j) == e.bound_party_ids(i)) {
        return Invalid(path,
                       absl::StrFormat("duplicate party (also bound_party_ids[%d])", j));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckNonParticipation(const std::string& base,
                                   const v1::NonParticipationDeclared& e) {
  RETURN_IF_ERROR(CheckPartyAndDate(base, e.party_id(), "date", e.date(), kRequired));
  const std::string ends_path = Field(base, "provisional_application_ends_on");
  RETURN_IF_ERROR(CheckDate(ends_path, e.provisional_application_ends_on(), kOptional));
  if (IsDateSet(e.provisional_application_ends_on()) &&
      CompareDates(e.provisional_application_ends_on(), e.date()) < 0) {
    return Invalid(ends_path, "must not precede date (the declaration)");
  }
  return absl::OkStatus();
}

absl::Status CheckPayload(const std::string& base, const v1::Command& command) {
  const v1::EventPayload& c = command.change();
  const std::string& self = command.stream_id();
  if (internal::IsPracticeEvent(c.kind_case())) {
    return internal::CheckPracticePayload(base, c, self);
  }
  switch (c.kind_case()) {
    case v1::EventPayload::kAgreementRecorded:
      return CheckRecorded(base, c.agreement_recorded(), self);
    case v1::EventPayload::kTextAdopted:
      return CheckDate(Field(base, "date"), c.text_adopted().date(), kRequired);
    case v1::EventPayload::kOpenedForSignature:
      RETURN_IF_ERROR(
          CheckDate(Field(base, "date"), c.opened_for_signature().date(), kRequired));
      return CheckText(Field(base, "place"), c.opened_for_signature().place(),
                       kMaxPlaceChars, kOptional);
    case v1::EventPayload::kParticipantAdded:
      return internal::CheckParticipation(Field(base, "participation"),
                                          c.participant_added().participation(),
                                          internal::ParticipationForm::kNew);
    case v1::EventPayload::kParticipantSigned:
      RETURN_IF_ERROR(
          CheckId(Field(base, "party_id"), c.participant_signed().party_id(), kRequired));
      return internal::CheckSignature(Field(base, "signature"),
                                      c.participant_signed().signature());
    case v1::EventPayload::kConsentExpressed: {
      const v1::ConsentExpressed& e = c.consent_expressed();
      RETURN_IF_ERROR(CheckId(Field(base, "party_id"), e.party_id(), kRequired));
      RETURN_IF_ERROR(internal::CheckConsent(Field(base, "consent"), e.consent()));
      if (e.consent().means() == v1::CONSENT_MEANS_DEFINITIVE_SIGNATURE) {
        return Invalid(
            Field(base, "consent.means"),
            "must not be CONSENT_MEANS_DEFINITIVE_SIGNATURE: record a definitive "
            "signature with participant_signed (kind SIGNATURE_KIND_DEFINITIVE)");
      }
      return absl::OkStatus();
    }
    case v1::EventPayload::kProvisionalApplicationStarted:
      return CheckPartyAndDate(
          base, c.provisional_application_started().party_id(), "effective_date",
          c.provisional_application_started().effective_date(), kOptional);
    case v1::EventPayload::kProvisionalApplicationTerminated:
      return CheckProvisionalEnd(base, c.provisional_application_terminated());
    case v1::EventPayload::kEnteredIntoForce:
      return CheckEntryIntoForce(base, c.entered_into_force());
    case v1::EventPayload::kOperationSuspended:
      return CheckPartyAndDate(base, c.operation_suspended().party_id(), "effective_date",
                               c.operation_suspended().effective_date(), kOptional);
    case v1::EventPayload::kOperationResumed:
      return CheckPartyAndDate(base, c.operation_resumed().party_id(), "effective_date",
                               c.operation_resumed().effective_date(), kOptional);
    case v1::EventPayload::kNonParticipationDeclared:
      return CheckNonParticipation(base, c.non_participation_declared());
    case v1::EventPayload::kWithdrawalNotified:
      RETURN_IF_ERROR(CheckId(Field(base, "party_id"), c.withdrawal_notified().party_id(),
                              kRequired));
      RETURN_IF_ERROR(internal::CheckWithdrawal(Field(base, "withdrawal"),
                                                c.withdrawal_notified().withdrawal()));
      if (c.withdrawal_notified().withdrawal().takes_effect_basis() !=
          v1::EFFECTIVE_DATE_BASIS_UNSPECIFIED) {
        return Invalid(Field(base, "withdrawal.takes_effect_basis"),
                       "is output only: must be empty (the registry sets it)");
      }
      return absl::OkStatus();
    case v1::EventPayload::kWithdrawalRevoked:
      return CheckPartyAndDate(base, c.withdrawal_revoked().party_id(), "date",
                               c.withdrawal_revoked().date(), kRequired);
    case v1::EventPayload::kWithdrawalTookEffect:
      return CheckPartyAndDate(base, c.withdrawal_took_effect().party_id(),
                               "effective_date",
                               c.withdrawal_took_effect().effective_date(), kRequired);
    case v1::EventPayload::kTerminated: {
      const v1::Terminated& t = c.terminated();
      RETURN_IF_ERROR(CheckEnum(Field(base, "ground"), t.ground(),
                                v1::TerminationGround_descriptor(), kRequired));
      RETURN_IF_ERROR(
          CheckDate(Field(base, "effective_date"), t.effective_date(), kRequired));
      const std::string replaced_path = Field(base, "replaced_by_agreement_id");
      if (t.ground() == v1::TERMINATION_GROUND_REPLACED_BY_LATER) {
        RETURN_IF_ERROR(CheckId(replaced_path, t.replaced_by_agreement_id(), kRequired));
        return CheckNotSelf(replaced_path, t.replaced_by_agreement_id(), self);
      }
      if (!t.replaced_by_agreement_id().empty()) {
        return Invalid(
            replaced_path,
            "must be empty unless ground is TERMINATION_GROUND_REPLACED_BY_LATER");
      }
      return absl::OkStatus();
    }
    case v1::EventPayload::kAbandoned:
      return CheckDate(Field(base, "date"), c.abandoned().date(), kRequired);
    case v1::EventPayload::kAmendmentAdopted:
    case v1::EventPayload::kContractAmended: {
      const v1::Amendment& amendment = c.has_amendment_adopted()
                                           ? c.amendment_adopted().amendment()
                                           : c.contract_amended().amendment();
      const std::string path = Field(base, "amendment");
      RETURN_IF_ERROR(internal::CheckAmendment(path, amendment));
      return CheckNotSelf(Field(path, "amending_agreement_id"),
                          amendment.amending_agreement_id(), self);
    }
    case v1::EventPayload::kConfidentialityChanged:
      return CheckEnum(Field(base, "level"), c.confidentiality_changed().level(),
                       v1::Confidentiality_descriptor(), kRequired);
    case v1::EventPayload::kClassificationChanged:
      return internal::CheckClassifications(base, "classifications",
                                            c.classification_changed().classifications());
    case v1::EventPayload::kAmountRecorded:
      return internal::CheckAmount(Field(base, "amount"), c.amount_recorded().amount());
    case v1::EventPayload::kAmountRevised: {
      const v1::AmountRevised& r = c.amount_revised();
      RETURN_IF_ERROR(CheckId(Field(base, "amount_id"), r.amount_id(), kRequired));
      RETURN_IF_ERROR(internal::CheckMoney(Field(base, "value"), r.value(), kRequired));
      RETURN_IF_ERROR(CheckDate(Field(base, "as_of"), r.as_of(), kOptional));
      return CheckText(Field(base, "description"), r.description(), kMaxReasonChars,
                       kOptional);
    }
    case v1::EventPayload::kDocumentAttached:
      return internal::CheckDocument(Field(base, "document"),
                                     c.document_attached().document());
    case v1::EventPayload::kRelationLinked: {
      const std::string path = Field(base, "relation");
      RETURN_IF_ERROR(internal::CheckRelation(path, c.relation_linked().relation()));
      return CheckNotSelf(Field(path, "target_agreement_id"),
                          c.relation_linked().relation().target_agreement_id(), self);
    }
    case v1::EventPayload::kRecordCorrected:
      return CheckCorrection(base, c.record_corrected(), command);
    case v1::EventPayload::kLegalNatureReassessed:
      RETURN_IF_ERROR(CheckEnum(Field(base, "legal_nature"),
                                c.legal_nature_reassessed().legal_nature(),
                                v1::LegalNature_descriptor(), kRequired));
      return CheckText(Field(base, "rationale"), c.legal_nature_reassessed().rationale(),
                       kMaxReasonChars, kOptional);
    case v1::EventPayload::kCameIntoEffect:
      return CheckDate(Field(base, "effective_date"),
                       c.came_into_effect().effective_date(), kRequired);
    case v1::EventPayload::kDiscontinued:
      return CheckDate(Field(base, "effective_date"), c.discontinued().effective_date(),
                       kRequired);
    case v1::EventPayload::kContractSigned:
      RETURN_IF_ERROR(
          CheckDate(Field(base, "date"), c.contract_signed().date(), kRequired));
      return CheckText(Field(base, "place"), c.contract_signed().place(), kMaxPlaceChars,
                       kOptional);
    case v1::EventPayload::kContractActivated:
      return CheckDate(Field(base, "effective_date"),
                       c.contract_activated().effective_date(), kRequired);
    case v1::EventPayload::kContractCompleted:
      return CheckDate(Field(base, "date"), c.contract_completed().date(), kRequired);
    case v1::EventPayload::kContractTerminated:
      RETURN_IF_ERROR(CheckDate(Field(base, "effective_date"),
                                c.contract_terminated().effective_date(), kRequired));
      return CheckText(Field(base, "cause"), c.contract_terminated().cause(),
                       kMaxReasonChars, kOptional);
    case v1::EventPayload::kContractCancelled:
      return CheckDate(Field(base, "date"), c.contract_cancelled().date(), kRequired);
    case v1::EventPayload::kPartyRegistered:
      return CheckParty(Field(base, "party"), c.party_registered().party(), self);
    case v1::EventPayload::kPartyUpdated: {
      const v1::PartyUpdated& u = c.party_updated();
      RETURN_IF_ERROR(internal::CheckMaskPaths(Field(base, "update_mask"),
                                               u.update_mask(), CorrectablePartyPaths()));
      const std::string path = Field(base, "party");
      RETURN_IF_ERROR(CheckPayloadId(Field(path, "id"), u.party().id(), self));
      return internal::CheckPartyChange(path, u.party(), u.update_mask(), self);
    }
    default:  // KIND_NOT_SET; the practice events are checked above
      break;
  }
  return Invalid("change", "must be set");
}

}  // namespace

absl::Status ValidateCommand(const v1::Command& command) {
  const v1::EventPayload::KindCase kind = command.change().kind_case();
  if (kind == v1::EventPayload::KIND_NOT_SET) return Invalid("change", "must be set");
  const std::string kind_name = EventTypeName(command.change());
  RETURN_IF_ERROR(CheckEnum("stream_type", command.stream_type(),
                            v1::StreamType_descriptor(), kRequired));
  const v1::StreamType expected = internal::StreamTypeOf(kind);
  if (expected != v1::STREAM_TYPE_UNSPECIFIED && command.stream_type() != expected) {
    return Invalid(
        "stream_type",
        absl::StrFormat("must be %s for %s (got %s)", v1::StreamType_Name(expected),
                        kind_name, v1::StreamType_Name(command.stream_type())));
  }
  const bool creates = kind == v1::EventPayload::kAgreementRecorded ||
                       kind == v1::EventPayload::kPartyRegistered;
  if (command.stream_id().empty() && !creates) {
    return Invalid("stream_id", absl::StrCat("must be set for ", kind_name));
  }
  RETURN_IF_ERROR(CheckId("stream_id", command.stream_id(), kOptional));
  RETURN_IF_ERROR(CheckText("reason", command.reason(), kMaxReasonChars, kOptional));
  RETURN_IF_ERROR(CheckText("change.dates_confirmed_by",
                            command.change().dates_confirmed_by(), kMaxReasonChars,
                            kOptional));
  return CheckPayload(absl::StrCat("change.", kind_name), command);
}

}  // namespace agreements::domain
