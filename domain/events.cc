// EventTypeName and ReferencesOf: what a payload is called and what a command names.
#include <algorithm>
#include <string>
#include <vector>

#include "domain/decider.h"

namespace agreements::domain {
namespace {

void AddOnce(std::vector<std::string>& ids, const std::string& id) {
  if (!id.empty() && std::find(ids.begin(), ids.end(), id) == ids.end())
    ids.push_back(id);
}

}  // namespace

std::string EventTypeName(const v1::EventPayload& payload) {
  const google::protobuf::OneofDescriptor* kind =
      v1::EventPayload::descriptor()->FindOneofByName("kind");
  const google::protobuf::FieldDescriptor* field =
      payload.GetReflection()->GetOneofFieldDescriptor(payload, kind);
  return field == nullptr ? std::string() : field->name();
}

References ReferencesOf(const v1::Command& command) {
  References refs;
  auto party = [&refs](const std::string& id) { AddOnce(refs.party_ids, id); };
  auto agreement = [&refs](const std::string& id) { AddOnce(refs.agreement_ids, id); };
  const v1::EventPayload& c = command.change();
  switch (c.kind_case()) {
    case v1::EventPayload::kAgreementRecorded:
      for (const v1::Participation& p :
           c.agreement_recorded().agreement().participations()) {
        party(p.party_id());
      }
      for (const v1::Depositary& d : c.agreement_recorded().agreement().depositaries()) {
        party(d.party_id());
      }
      for (const v1::Relation& r : c.agreement_recorded().agreement().relations()) {
        agreement(r.target_agreement_id());
      }
      break;
    case v1::EventPayload::kReservationMade:
      party(c.reservation_made().party_id());
      party(c.reservation_made().reservation().objects_to_party_id());
      break;
    case v1::EventPayload::kReservationWithdrawn:
      party(c.reservation_withdrawn().party_id());
      break;
    case v1::EventPayload::kDepositaryDesignated:
      party(c.depositary_designated().depositary().party_id());
      break;
    case v1::EventPayload::kRegisteredWithUn:
      party(c.registered_with_un().registration().submitted_by());
      break;
    case v1::EventPayload::kExtended:
      agreement(c.extended().extension().extending_agreement_id());
      break;
    case v1::EventPayload::kSuccessionNotified:
      party(c.succession_notified().party_id());
      party(c.succession_notified().predecessor_id());
      break;
    case v1::EventPayload::kParticipantCeased:
      party(c.participant_ceased().party_id());
      break;
    case v1::EventPayload::kParticipantAdded:
      party(c.participant_added().participation().party_id());
      break;
    case v1::EventPayload::kParticipantSigned:
      party(c.participant_signed().party_id());
      break;
    case v1::EventPayload::kConsentExpressed:
      party(c.consent_expressed().party_id());
      break;
    case v1::EventPayload::kProvisionalApplicationStarted:
      party(c.provisional_application_started().party_id());
      break;
    case v1::EventPayload::kProvisionalApplicationTerminated:
      party(c.provisional_application_terminated().party_id());
      break;
    case v1::EventPayload::kEnteredIntoForce:
      party(c.entered_into_force().party_id());
      for (const std::string& id : c.entered_into_force().bound_party_ids()) party(id);
      break;
    case v1::EventPayload::kOperationSuspended:
      party(c.operation_suspended().party_id());
      break;
    case v1::EventPayload::kOperationResumed:
      party(c.operation_resumed().party_id());
      break;
    case v1::EventPayload::kNonParticipationDeclared:
      party(c.non_participation_declared().party_id());
      break;
    case v1::EventPayload::kWithdrawalNotified:
      party(c.withdrawal_notified().party_id());
      break;
    case v1::EventPayload::kWithdrawalRevoked:
      party(c.withdrawal_revoked().party_id());
      break;
    case v1::EventPayload::kWithdrawalTookEffect:
      party(c.withdrawal_took_effect().party_id());
      break;
    case v1::EventPayload::kTerminated:
      agreement(c.terminated().replaced_by_agreement_id());
      break;
    case v1::EventPayload::kAmendmentAdopted:
      agreement(c.amendment_adopted().amendment().amending_agreement_id());
      break;
    case v1::EventPayload::kContractAmended:
      agreement(c.contract_amended().amendment().amending_agreement_id());
      break;
    case v1::EventPayload::kRelationLinked:
      agreement(c.relation_linked().relation().target_agreement_id());
      break;
    case v1::EventPayload::kRecordCorrected:
      refs.corrected_position = c.record_corrected().corrected_position();
      party(c.record_corrected().party().controlled_by());
      for (const v1::PartySuccession& s : c.record_corrected().party().predecessors()) {
        party(s.party_id());
      }
      break;
    case v1::EventPayload::kPartyRegistered:
      party(c.party_registered().party().controlled_by());
      for (const v1::PartySuccession& s : c.party_registered().party().predecessors()) {
        party(s.party_id());
      }
      break;
    case v1::EventPayload::kPartyUpdated:
      party(c.party_updated().party().controlled_by());
      for (const v1::PartySuccession& s : c.party_updated().party().predecessors()) {
        party(s.party_id());
      }
      break;
    default:
      break;
  }
  return refs;
}

}  // namespace agreements::domain
