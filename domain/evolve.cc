// EvolveAgreement and EvolveParty: committed events -> state. Deterministic: the state is
// a function of the events only (no clock, no iteration over unordered containers), so a
// view rebuilt from the log is byte-identical to the one written at commit.
#include <algorithm>
#include <string>

#include "domain/decider.h"
#include "domain/evolve_internal.h"
#include "domain/lifecycle_internal.h"
#include "domain/sectors.h"
#include "domain/validation.h"

namespace agreements::domain {
namespace {

using internal::AppliesProvisionally;
using internal::Lifecycle;
using internal::LifecycleOf;
using internal::MutableParticipation;

void ApplySignature(v1::Agreement& state, const v1::ParticipantSigned& e) {
  const Lifecycle lifecycle = LifecycleOf(state.legal_nature());
  if (v1::Participation* p = MutableParticipation(state, e.party_id())) {
    // A signature after a declaration of non-participation reverses it (VCLT 18).
    if (p->status() == v1::PARTICIPATION_STATUS_NOT_BECOMING_PARTY) {
      internal::StartNewPeriod(*p);
    }
    *p->mutable_signature() = e.signature();
    if (lifecycle == Lifecycle::kInstrument &&
        e.signature().kind() == v1::SIGNATURE_KIND_DEFINITIVE) {
      p->set_status(v1::PARTICIPATION_STATUS_CONTRACTING);
      p->mutable_consent()->set_means(v1::CONSENT_MEANS_DEFINITIVE_SIGNATURE);
      *p->mutable_consent()->mutable_act_date() = e.signature().date();
    } else {
      p->set_status(v1::PARTICIPATION_STATUS_SIGNATORY);
    }
  }
  if (lifecycle == Lifecycle::kContract) return;
  if (lifecycle == Lifecycle::kInstrument &&
      internal::IsBeforeSignature(state.status())) {
    state.set_status(v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);
  }
  if (lifecycle == Lifecycle::kNonBinding &&
      state.status() == v1::AGREEMENT_STATUS_DRAFT) {
    state.set_status(v1::AGREEMENT_STATUS_SIGNED);
  }
  // signed_on is the earliest signature date, whatever order signatures are recorded in.
  if (!IsDateSet(state.signed_on()) ||
      CompareDates(e.signature().date(), state.signed_on()) < 0) {
    *state.mutable_signed_on() = e.signature().date();
  }
}

void ApplyConsent(v1::Agreement& state, const v1::ConsentExpressed& e) {
  if (v1::Participation* p = MutableParticipation(state, e.party_id())) {
    // Consent after leaving, or after declaring not to become a party, starts a new
    // period of the participation.
    if (p->status() == v1::PARTICIPATION_STATUS_FORMER_PARTY ||
        p->status() == v1::PARTICIPATION_STATUS_NOT_BECOMING_PARTY) {
      internal::StartNewPeriod(*p);
    }
    p->set_status(v1::PARTICIPATION_STATUS_CONTRACTING);
    *p->mutable_consent() = e.consent();
  }
  // Consent without a signature (acceptance, approval, accession) concludes the
  // instrument for that party just as a first signature does: without this an
  // instrument open for signature could never enter into force. signed_on stays unset.
  if (LifecycleOf(state.legal_nature()) == Lifecycle::kInstrument &&
      internal::IsBeforeSignature(state.status())) {
    state.set_status(v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);
  }
}

// Rules version 2 (docs/domain.md, "Rules versions") keeps the dates provisional
// application ended, lets a non-signatory named by the event apply the treaty, and
// restarts provisional application that had ended.
void ApplyProvisionalStart(v1::Agreement& state,
                           const v1::ProvisionalApplicationStarted& e, bool v2) {
  if (state.status() == v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE ||
      (v2 && internal::IsBeforeSignature(state.status()))) {
    state.set_status(v1::AGREEMENT_STATUS_PROVISIONALLY_APPLIED);
  }
  if (state.status() == v1::AGREEMENT_STATUS_PROVISIONALLY_APPLIED &&
      (!IsDateSet(state.provisionally_applied_from()) ||
       IsDateSet(state.provisional_application_ended_on()))) {
    *state.mutable_provisionally_applied_from() = e.effective_date();
    state.clear_provisional_application_ended_on();
  }
  for (v1::Participation& p : *state.mutable_participations()) {
    bool eligible = p.status() == v1::PARTICIPATION_STATUS_SIGNATORY ||
                    p.status() == v1::PARTICIPATION_STATUS_CONTRACTING ||
                    (v2 && !e.party_id().empty() &&
                     p.status() == v1::PARTICIPATION_STATUS_NEGOTIATING);
    bool named = e.party_id().empty() || p.party_id() == e.party_id();
    if (named && eligible && !AppliesProvisionally(p)) {
      *p.mutable_provisionally_applied_from() = e.effective_date();
      p.clear_provisional_application_ended_on();
    }
  }
}

void ApplyProvisionalEnd(v1::Agreement& state,
                         const v1::ProvisionalApplicationTerminated& e, bool v2) {
  bool any_left = false;
  for (v1::Participation& p : *state.mutable_participations()) {
    if (!AppliesProvisionally(p)) continue;
    if (!e.party_id().empty() && p.party_id() != e.party_id()) {
      any_left = true;
    } else if (v2) {
      *p.mutable_provisional_application_ended_on() = e.effective_date();
    } else {
      p.clear_provisionally_applied_from();
    }
  }
  if (state.status() == v1::AGREEMENT_STATUS_PROVISIONALLY_APPLIED && !any_left) {
    state.set_status(v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);
    if (v2) {
      *state.mutable_provisional_application_ended_on() = e.effective_date();
    } else {
      state.clear_provisionally_applied_from();
    }
  }
}

// VCLT 25(2): provisional application ends for a State that makes clear its intention
// not to become a party. Under rules version 1 it ended at once, here; from version 2
// the decider records the end as its own event, dated as the notice (or the treaty)
// says, and the period of provisional application stays in the record.
void ApplyNonParticipation(v1::Agreement& state, const v1::NonParticipationDeclared& e,
                           bool v2) {
  v1::Participation* p = MutableParticipation(state, e.party_id());
  if (p == nullptr) return;
  if (!v2 && AppliesProvisionally(*p)) {
    v1::ProvisionalApplicationTerminated ended;
    ended.set_party_id(e.party_id());
    *ended.mutable_effective_date() = e.date();
    ApplyProvisionalEnd(state, ended, /*v2=*/false);
  }
  p->set_status(v1::PARTICIPATION_STATUS_NOT_BECOMING_PARTY);
  if (v2) *p->mutable_non_participation_declared_on() = e.date();
}

// From rules version 2, entry into force for a participant ends its provisional
// application on that date (VCLT 25(1)), and entry into force of the instrument ends the
// instrument's.
void ApplyEntryIntoForce(v1::Agreement& state, const v1::EnteredIntoForce& e, bool v2) {
  if (e.party_id().empty()) {
    if (v2 && state.status() == v1::AGREEMENT_STATUS_PROVISIONALLY_APPLIED) {
      *state.mutable_provisional_application_ended_on() = e.effective_date();
    }
    state.set_status(v1::AGREEMENT_STATUS_IN_FORCE);
    *state.mutable_entered_into_force_on() = e.effective_date();
  }
  const auto& bound = e.bound_party_ids();
  for (v1::Participation& p : *state.mutable_participations()) {
    if (p.status() != v1::PARTICIPATION_STATUS_CONTRACTING) continue;
    const bool named = e.party_id().empty()
                           ? bound.empty() || std::find(bound.begin(), bound.end(),
                                                        p.party_id()) != bound.end()
                           : p.party_id() == e.party_id();
    if (named) {
      if (v2 && AppliesProvisionally(p)) {
        *p.mutable_provisional_application_ended_on() = e.effective_date();
      }
      p.set_status(v1::PARTICIPATION_STATUS_PARTY);
      *p.mutable_in_force_from() = e.effective_date();
    }
  }
}

void SetParticipantStatus(v1::Agreement& state, const std::string& party_id,
                          v1::ParticipationStatus status) {
  if (v1::Participation* p = MutableParticipation(state, party_id)) p->set_status(status);
}

// From rules version 2 the end of the treaty also ends provisional application.
void ApplyTermination(v1::Agreement& state, v1::TerminationGround ground,
                      const v1::Date& date, bool v2) {
  if (v2 && state.status() == v1::AGREEMENT_STATUS_PROVISIONALLY_APPLIED) {
    *state.mutable_provisional_application_ended_on() = date;
  }
  state.set_status(v1::AGREEMENT_STATUS_TERMINATED);
  *state.mutable_ended_on() = date;
  state.set_termination_ground(ground);
  state.clear_status_before_suspension();
  for (v1::Participation& p : *state.mutable_participations()) {
    if (v2 && AppliesProvisionally(p))
      *p.mutable_provisional_application_ended_on() = date;
    if (p.status() == v1::PARTICIPATION_STATUS_PARTY ||
        p.status() == v1::PARTICIPATION_STATUS_SUSPENDED ||
        p.status() == v1::PARTICIPATION_STATUS_WITHDRAWAL_PENDING) {
      p.set_status(v1::PARTICIPATION_STATUS_FORMER_PARTY);
      *p.mutable_left_on() = date;
    }
  }
}

void End(v1::Agreement& state, v1::AgreementStatus status, const v1::Date& date) {
  state.set_status(status);
  *state.mutable_ended_on() = date;
}

void ApplyReassessment(v1::Agreement& state, v1::LegalNature to) {
  std::optional<v1::AgreementStatus> status =
      internal::StatusAfterReassessment(state.legal_nature(), state.status(), to);
  if (status.has_value()) {
    // The date a political commitment came into effect is not a date of entry into force.
    if (state.status() == v1::AGREEMENT_STATUS_IN_EFFECT)
      state.clear_entered_into_force_on();
    state.set_status(*status);
  }
  state.set_legal_nature(to);
}

void ApplyAmountRevised(v1::Agreement& state, const v1::AmountRevised& e) {
  for (v1::Amount& amount : *state.mutable_amounts()) {
    if (amount.id() != e.amount_id()) continue;
    *amount.mutable_value() = e.value();
    *amount.mutable_as_of() = e.as_of();
    if (!amount.has_as_of() || !IsDateSet(amount.as_of())) amount.clear_as_of();
    if (!e.description().empty()) amount.set_description(e.description());
  }
}

// The end of the term: TERMINATED with ground EXPIRY, DISCONTINUED or COMPLETED by
// lifecycle.
void ApplyExpired(v1::Agreement& state, const v1::Date& date, bool v2) {
  switch (LifecycleOf(state.legal_nature())) {
    case Lifecycle::kInstrument:
      ApplyTermination(state, v1::TERMINATION_GROUND_EXPIRY, date, v2);
      break;
    case Lifecycle::kNonBinding:
      End(state, v1::AGREEMENT_STATUS_DISCONTINUED, date);
      break;
    case Lifecycle::kContract:
      End(state, v1::AGREEMENT_STATUS_COMPLETED, date);
      break;
  }
}

// The events of treaty practice that do not move the lifecycle (evolve_practice.cc).
// False when the payload is not one of them.
bool ApplyPractice(v1::Agreement& state, const v1::Event& event) {
  const v1::EventPayload& c = event.payload();
  switch (c.kind_case()) {
    case v1::EventPayload::kReservationMade:
      internal::ApplyReservationMade(state, c.reservation_made());
      return true;
    case v1::EventPayload::kReservationWithdrawn:
      internal::ApplyReservationWithdrawn(state, c.reservation_withdrawn());
      return true;
    case v1::EventPayload::kDepositaryDesignated:
      internal::ApplyDepositaryDesignated(state, c.depositary_designated(),
                                          event.envelope().rules_version() >= 3);
      return true;
    case v1::EventPayload::kDepositaryNotified:
      internal::ApplyDepositaryNotified(state, c.depositary_notified());
      return true;
    case v1::EventPayload::kRegisteredWithUn:
      internal::ApplyRegistered(state, c.registered_with_un());
      return true;
    case v1::EventPayload::kPublicationRecorded:
      internal::ApplyPublication(state, c.publication_recorded());
      return true;
    case v1::EventPayload::kExtended:
      internal::ApplyExtended(state, c.extended(), event.envelope().position());
      return true;
    case v1::EventPayload::kSuccessionNotified:
      internal::ApplySuccession(state, c.succession_notified());
      return true;
    case v1::EventPayload::kIdentifierAdded:
      *state.add_identifiers() = c.identifier_added().identifier();
      return true;
    case v1::EventPayload::kParticipantCeased:
      internal::ApplyParticipantCeased(state, c.participant_ceased());
      return true;
    default:
      return false;
  }
}

// The participation steps of the instrument lifecycle: signature, consent,
// non-participation, provisional application, entry into force, suspension and
// withdrawal. False for other payloads.
bool ApplyParticipantStep(v1::Agreement& state, const v1::EventPayload& c, bool v2) {
  switch (c.kind_case()) {
    case v1::EventPayload::kParticipantSigned:
      ApplySignature(state, c.participant_signed());
      return true;
    case v1::EventPayload::kConsentExpressed:
      ApplyConsent(state, c.consent_expressed());
      return true;
    case v1::EventPayload::kNonParticipationDeclared:
      ApplyNonParticipation(state, c.non_participation_declared(), v2);
      return true;
    case v1::EventPayload::kProvisionalApplicationStarted:
      ApplyProvisionalStart(state, c.provisional_application_started(), v2);
      return true;
    case v1::EventPayload::kProvisionalApplicationTerminated:
      ApplyProvisionalEnd(state, c.provisional_application_terminated(), v2);
      return true;
    case v1::EventPayload::kEnteredIntoForce:
      ApplyEntryIntoForce(state, c.entered_into_force(), v2);
      return true;
    case v1::EventPayload::kOperationSuspended:
      if (c.operation_suspended().party_id().empty()) {
        state.set_status_before_suspension(state.status());
        state.set_status(v1::AGREEMENT_STATUS_SUSPENDED);
      } else {
        SetParticipantStatus(state, c.operation_suspended().party_id(),
                             v1::PARTICIPATION_STATUS_SUSPENDED);
      }
      return true;
    case v1::EventPayload::kOperationResumed:
      if (c.operation_resumed().party_id().empty()) {
        state.set_status(state.status_before_suspension() ==
                                 v1::AGREEMENT_STATUS_UNSPECIFIED
                             ? v1::AGREEMENT_STATUS_IN_FORCE
                             : state.status_before_suspension());
        state.clear_status_before_suspension();
      } else {
        SetParticipantStatus(state, c.operation_resumed().party_id(),
                             v1::PARTICIPATION_STATUS_PARTY);
      }
      return true;
    case v1::EventPayload::kWithdrawalNotified:
      if (v1::Participation* p =
              MutableParticipation(state, c.withdrawal_notified().party_id())) {
        p->set_status(v1::PARTICIPATION_STATUS_WITHDRAWAL_PENDING);
        *p->mutable_withdrawal() = c.withdrawal_notified().withdrawal();
      }
      return true;
    case v1::EventPayload::kWithdrawalRevoked:
      if (v1::Participation* p =
              MutableParticipation(state, c.withdrawal_revoked().party_id())) {
        p->set_status(v1::PARTICIPATION_STATUS_PARTY);
        p->clear_withdrawal();
      }
      return true;
    case v1::EventPayload::kWithdrawalTookEffect:
      if (v1::Participation* p =
              MutableParticipation(state, c.withdrawal_took_effect().party_id())) {
        p->set_status(v1::PARTICIPATION_STATUS_FORMER_PARTY);
        *p->mutable_left_on() = c.withdrawal_took_effect().effective_date();
      }
      return true;
    default:
      return false;
  }
}

// Changes of data that no lifecycle status depends on: amendments, classifications,
// confidentiality, amounts, documents, relations, corrections and the legal nature.
// False for other payloads.
bool ApplyData(v1::Agreement& state, const v1::Event& event) {
  const v1::EventPayload& c = event.payload();
  switch (c.kind_case()) {
    case v1::EventPayload::kAmendmentAdopted:
    case v1::EventPayload::kContractAmended: {
      v1::Amendment* amendment = state.add_amendments();
      *amendment = c.has_amendment_adopted() ? c.amendment_adopted().amendment()
                                             : c.contract_amended().amendment();
      amendment->set_position(event.envelope().position());
      return true;
    }
    case v1::EventPayload::kClassificationChanged:
      *state.mutable_classifications() = c.classification_changed().classifications();
      return true;
    case v1::EventPayload::kConfidentialityChanged:
      state.set_confidentiality(c.confidentiality_changed().level());
      return true;
    case v1::EventPayload::kAmountRecorded:
      *state.add_amounts() = c.amount_recorded().amount();
      return true;
    case v1::EventPayload::kAmountRevised:
      ApplyAmountRevised(state, c.amount_revised());
      return true;
    case v1::EventPayload::kDocumentAttached:
      *state.add_documents() = c.document_attached().document();
      return true;
    case v1::EventPayload::kRelationLinked:
      *state.add_relations() = c.relation_linked().relation();
      return true;
    case v1::EventPayload::kRecordCorrected:
      internal::ApplyMask(c.record_corrected().agreement(),
                          c.record_corrected().field_mask(), &state);
      return true;
    case v1::EventPayload::kLegalNatureReassessed:
      ApplyReassessment(state, c.legal_nature_reassessed().legal_nature());
      return true;
    default:
      return false;
  }
}

void ApplyPayload(v1::Agreement& state, const v1::Event& event) {
  const v1::EventPayload& c = event.payload();
  const bool v2 = event.envelope().rules_version() >= 2;
  if (ApplyPractice(state, event) || ApplyParticipantStep(state, c, v2) ||
      ApplyData(state, event)) {
    return;
  }
  switch (c.kind_case()) {
    case v1::EventPayload::kAgreementRecorded:
      state = c.agreement_recorded().agreement();
      if (state.id().empty()) state.set_id(event.envelope().stream_id());
      state.set_status(c.agreement_recorded().initial_status() ==
                               v1::AGREEMENT_STATUS_UNSPECIFIED
                           ? v1::AGREEMENT_STATUS_DRAFT
                           : c.agreement_recorded().initial_status());
      for (v1::Participation& p : *state.mutable_participations()) {
        p.set_status(v1::PARTICIPATION_STATUS_NEGOTIATING);
      }
      break;
    case v1::EventPayload::kTextAdopted:
      state.set_status(v1::AGREEMENT_STATUS_ADOPTED);
      *state.mutable_adopted_on() = c.text_adopted().date();
      break;
    case v1::EventPayload::kOpenedForSignature:
      state.set_status(v1::AGREEMENT_STATUS_OPEN_FOR_SIGNATURE);
      if (v2) *state.mutable_opened_for_signature_on() = c.opened_for_signature().date();
      break;
    case v1::EventPayload::kParticipantAdded: {
      v1::Participation* p = state.add_participations();
      *p = c.participant_added().participation();
      p->set_status(v1::PARTICIPATION_STATUS_NEGOTIATING);
      break;
    }
    case v1::EventPayload::kTerminated:
      ApplyTermination(state, c.terminated().ground(), c.terminated().effective_date(),
                       v2);
      break;
    case v1::EventPayload::kExpired:
      ApplyExpired(state, c.expired().effective_date(), v2);
      break;
    case v1::EventPayload::kAbandoned:
      End(state, v1::AGREEMENT_STATUS_NEVER_IN_FORCE, c.abandoned().date());
      break;
    case v1::EventPayload::kCameIntoEffect:
      state.set_status(v1::AGREEMENT_STATUS_IN_EFFECT);
      *state.mutable_entered_into_force_on() = c.came_into_effect().effective_date();
      break;
    case v1::EventPayload::kDiscontinued:
      End(state, v1::AGREEMENT_STATUS_DISCONTINUED, c.discontinued().effective_date());
      break;
    case v1::EventPayload::kContractSigned:
      state.set_status(v1::AGREEMENT_STATUS_SIGNED);
      *state.mutable_signed_on() = c.contract_signed().date();
      if (state.place_of_conclusion().empty()) {
        state.set_place_of_conclusion(c.contract_signed().place());
      }
      break;
    case v1::EventPayload::kContractActivated:
      state.set_status(v1::AGREEMENT_STATUS_ACTIVE);
      *state.mutable_entered_into_force_on() = c.contract_activated().effective_date();
      break;
    case v1::EventPayload::kContractCompleted:
      End(state, v1::AGREEMENT_STATUS_COMPLETED, c.contract_completed().date());
      break;
    case v1::EventPayload::kContractTerminated:
      End(state, v1::AGREEMENT_STATUS_TERMINATED_EARLY,
          c.contract_terminated().effective_date());
      break;
    case v1::EventPayload::kContractCancelled:
      End(state, v1::AGREEMENT_STATUS_CANCELLED, c.contract_cancelled().date());
      break;
    default:
      break;
  }
}

template <typename State>
void Advance(State& state, const v1::EventEnvelope& envelope) {
  state.set_revision(envelope.revision());
  state.set_last_position(envelope.position());
  if (!state.has_create_time()) *state.mutable_create_time() = envelope.recorded_at();
  *state.mutable_update_time() = envelope.recorded_at();
}

}  // namespace

void EvolveAgreement(v1::Agreement& state, const v1::Event& event) {
  ApplyPayload(state, event);
  internal::UpdateExpiresOn(state);
  state.clear_sectors();
  for (std::string& sector : SectorsOf(state.classifications())) {
    state.add_sectors(std::move(sector));
  }
  Advance(state, event.envelope());
}

void EvolveParty(v1::Party& state, const v1::Event& event) {
  const v1::EventPayload& c = event.payload();
  switch (c.kind_case()) {
    case v1::EventPayload::kPartyRegistered:
      state = c.party_registered().party();
      if (state.id().empty()) state.set_id(event.envelope().stream_id());
      break;
    case v1::EventPayload::kPartyUpdated:
      internal::ApplyMask(c.party_updated().party(), c.party_updated().update_mask(),
                          &state);
      break;
    case v1::EventPayload::kRecordCorrected:
      internal::ApplyMask(c.record_corrected().party(), c.record_corrected().field_mask(),
                          &state);
      break;
    default:
      break;
  }
  Advance(state, event.envelope());
}

}  // namespace agreements::domain
