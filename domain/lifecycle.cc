// Lifecycle facts shared by the deciders and Evolve.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "domain/lifecycle_internal.h"
#include "google/protobuf/util/field_mask_util.h"

namespace agreements::domain::internal {
namespace {

std::string WithoutPrefix(const std::string& name, absl::string_view prefix, int value) {
  if (name.empty()) return absl::StrCat(value);
  return std::string(absl::StripPrefix(name, prefix));
}

}  // namespace

bool IsBeforeSignature(v1::AgreementStatus status) {
  return status == v1::AGREEMENT_STATUS_DRAFT ||
         status == v1::AGREEMENT_STATUS_NEGOTIATING ||
         status == v1::AGREEMENT_STATUS_ADOPTED ||
         status == v1::AGREEMENT_STATUS_OPEN_FOR_SIGNATURE;
}

int CountPartyRoles(
    const google::protobuf::RepeatedPtrField<v1::Participation>& participations) {
  int count = 0;
  for (const v1::Participation& p : participations) {
    for (int role : p.roles()) {
      if (role == v1::PARTICIPANT_ROLE_PARTY) {
        ++count;
        break;
      }
    }
  }
  return count;
}

Lifecycle LifecycleOf(v1::LegalNature nature) {
  switch (nature) {
    case v1::LEGAL_NATURE_NON_BINDING_POLITICAL:
      return Lifecycle::kNonBinding;
    case v1::LEGAL_NATURE_BINDING_DOMESTIC_LAW:
      return Lifecycle::kContract;
    default:
      return Lifecycle::kInstrument;
  }
}

bool IsTerminal(v1::AgreementStatus status) {
  switch (status) {
    case v1::AGREEMENT_STATUS_TERMINATED:
    case v1::AGREEMENT_STATUS_NEVER_IN_FORCE:
    case v1::AGREEMENT_STATUS_DISCONTINUED:
    case v1::AGREEMENT_STATUS_COMPLETED:
    case v1::AGREEMENT_STATUS_TERMINATED_EARLY:
    case v1::AGREEMENT_STATUS_CANCELLED:
      return true;
    default:
      return false;
  }
}

std::string StatusName(v1::AgreementStatus status) {
  return WithoutPrefix(v1::AgreementStatus_Name(status), "AGREEMENT_STATUS_", status);
}

std::string ParticipationStatusName(v1::ParticipationStatus status) {
  return WithoutPrefix(v1::ParticipationStatus_Name(status), "PARTICIPATION_STATUS_",
                       status);
}

std::string NatureName(v1::LegalNature nature) {
  return WithoutPrefix(v1::LegalNature_Name(nature), "LEGAL_NATURE_", nature);
}

std::optional<v1::AgreementStatus> StatusAfterReassessment(v1::LegalNature from,
                                                           v1::AgreementStatus status,
                                                           v1::LegalNature to) {
  if (from == to || IsTerminal(status)) return std::nullopt;
  Lifecycle target = LifecycleOf(to);
  if (LifecycleOf(from) == target) return status;
  const bool signed_only = status == v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE ||
                           status == v1::AGREEMENT_STATUS_SIGNED;
  switch (target) {
    case Lifecycle::kInstrument:
      if (status == v1::AGREEMENT_STATUS_DRAFT) return v1::AGREEMENT_STATUS_DRAFT;
      if (signed_only || status == v1::AGREEMENT_STATUS_IN_EFFECT) {
        return v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE;
      }
      return std::nullopt;
    case Lifecycle::kNonBinding:
    case Lifecycle::kContract:
      if (IsBeforeSignature(status)) return v1::AGREEMENT_STATUS_DRAFT;
      if (signed_only) return v1::AGREEMENT_STATUS_SIGNED;
      return std::nullopt;
  }
  return std::nullopt;
}

v1::StreamType StreamTypeOf(v1::EventPayload::KindCase kind) {
  switch (kind) {
    case v1::EventPayload::kPartyRegistered:
    case v1::EventPayload::kPartyUpdated:
      return v1::STREAM_TYPE_PARTY;
    case v1::EventPayload::kRecordCorrected:
    case v1::EventPayload::KIND_NOT_SET:
      return v1::STREAM_TYPE_UNSPECIFIED;
    default:
      return v1::STREAM_TYPE_AGREEMENT;
  }
}

bool IsPracticeEvent(v1::EventPayload::KindCase kind) {
  switch (kind) {
    case v1::EventPayload::kReservationMade:
    case v1::EventPayload::kReservationWithdrawn:
    case v1::EventPayload::kDepositaryDesignated:
    case v1::EventPayload::kDepositaryNotified:
    case v1::EventPayload::kRegisteredWithUn:
    case v1::EventPayload::kPublicationRecorded:
    case v1::EventPayload::kExtended:
    case v1::EventPayload::kExpired:
    case v1::EventPayload::kSuccessionNotified:
    case v1::EventPayload::kIdentifierAdded:
    case v1::EventPayload::kParticipantCeased:
      return true;
    default:
      return false;
  }
}

std::string ActionOf(v1::EventPayload::KindCase kind) {
  switch (kind) {
    case v1::EventPayload::kAgreementRecorded:
      return "be recorded again";
    case v1::EventPayload::kTextAdopted:
      return "adopt the text";
    case v1::EventPayload::kOpenedForSignature:
      return "open for signature";
    case v1::EventPayload::kParticipantAdded:
      return "add a participant";
    case v1::EventPayload::kParticipantSigned:
      return "record a signature";
    case v1::EventPayload::kConsentExpressed:
      return "record consent to be bound";
    case v1::EventPayload::kProvisionalApplicationStarted:
      return "start provisional application";
    case v1::EventPayload::kProvisionalApplicationTerminated:
      return "terminate provisional application";
    case v1::EventPayload::kEnteredIntoForce:
      return "enter into force";
    case v1::EventPayload::kOperationSuspended:
      return "suspend operation";
    case v1::EventPayload::kOperationResumed:
      return "resume operation";
    case v1::EventPayload::kWithdrawalNotified:
      return "notify a withdrawal";
    case v1::EventPayload::kWithdrawalRevoked:
      return "revoke a withdrawal";
    case v1::EventPayload::kWithdrawalTookEffect:
      return "give effect to a withdrawal";
    case v1::EventPayload::kTerminated:
      return "terminate";
    case v1::EventPayload::kAbandoned:
      return "be abandoned";
    case v1::EventPayload::kAmendmentAdopted:
      return "adopt an amendment";
    case v1::EventPayload::kClassificationChanged:
      return "change classifications";
    case v1::EventPayload::kConfidentialityChanged:
      return "change its confidentiality";
    case v1::EventPayload::kAmountRecorded:
      return "record an amount";
    case v1::EventPayload::kAmountRevised:
      return "revise an amount";
    case v1::EventPayload::kDocumentAttached:
      return "attach a document";
    case v1::EventPayload::kRelationLinked:
      return "link a relation";
    case v1::EventPayload::kRecordCorrected:
      return "correct a record";
    case v1::EventPayload::kLegalNatureReassessed:
      return "reassess the legal nature";
    case v1::EventPayload::kCameIntoEffect:
      return "come into effect";
    case v1::EventPayload::kDiscontinued:
      return "be discontinued";
    case v1::EventPayload::kContractSigned:
      return "record the contract signature";
    case v1::EventPayload::kContractActivated:
      return "activate the contract";
    case v1::EventPayload::kContractCompleted:
      return "complete the contract";
    case v1::EventPayload::kContractTerminated:
      return "terminate the contract early";
    case v1::EventPayload::kContractCancelled:
      return "cancel the contract";
    case v1::EventPayload::kContractAmended:
      return "amend the contract";
    case v1::EventPayload::kNonParticipationDeclared:
      return "declare that it will not become a party";
    case v1::EventPayload::kReservationMade:
      return "formulate a reservation, declaration or objection";
    case v1::EventPayload::kReservationWithdrawn:
      return "withdraw a reservation";
    case v1::EventPayload::kDepositaryDesignated:
      return "designate a depositary";
    case v1::EventPayload::kDepositaryNotified:
      return "record a depositary notification";
    case v1::EventPayload::kRegisteredWithUn:
      return "be registered with the UN Secretariat";
    case v1::EventPayload::kPublicationRecorded:
      return "record its publication";
    case v1::EventPayload::kExtended:
      return "be extended";
    case v1::EventPayload::kExpired:
      return "expire";
    case v1::EventPayload::kSuccessionNotified:
      return "record a succession";
    case v1::EventPayload::kIdentifierAdded:
      return "add an identifier";
    case v1::EventPayload::kParticipantCeased:
      return "end the participation of a state that ceased to exist";
    case v1::EventPayload::kPartyRegistered:
      return "register a party";
    case v1::EventPayload::kPartyUpdated:
      return "update a party";
    case v1::EventPayload::KIND_NOT_SET:
      break;
  }
  return "apply an empty change";
}

const v1::Participation* FindParticipation(const v1::Agreement& agreement,
                                           absl::string_view party_id) {
  for (const v1::Participation& p : agreement.participations()) {
    if (p.party_id() == party_id) return &p;
  }
  return nullptr;
}

v1::Participation* MutableParticipation(v1::Agreement& agreement,
                                        absl::string_view party_id) {
  for (v1::Participation& p : *agreement.mutable_participations()) {
    if (p.party_id() == party_id) return &p;
  }
  return nullptr;
}

bool AppliesProvisionally(const v1::Participation& participation) {
  auto set = [](const v1::Date& date) {
    return date.year() != 0 || date.precision() != v1::DATE_PRECISION_UNSPECIFIED;
  };
  if (!set(participation.provisionally_applied_from()) ||
      set(participation.provisional_application_ended_on())) {
    return false;
  }
  switch (participation.status()) {
    case v1::PARTICIPATION_STATUS_NEGOTIATING:
    case v1::PARTICIPATION_STATUS_SIGNATORY:
    case v1::PARTICIPATION_STATUS_CONTRACTING:
    case v1::PARTICIPATION_STATUS_NOT_BECOMING_PARTY:
      return true;
    default:
      return false;
  }
}

void ApplyMask(const google::protobuf::Message& source,
               const google::protobuf::FieldMask& mask,
               google::protobuf::Message* target) {
  google::protobuf::util::FieldMaskUtil::MergeOptions options;
  options.set_replace_message_fields(true);
  options.set_replace_repeated_fields(true);
  google::protobuf::util::FieldMaskUtil::MergeMessageTo(source, mask, options, target);
}

}  // namespace agreements::domain::internal
