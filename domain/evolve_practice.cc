// EvolveAgreement for treaty practice: participation periods, reservations,
// depositaries, registrations, extensions and succession.
#include <algorithm>
#include <utility>

#include "domain/calendar.h"
#include "domain/evolve_internal.h"
#include "domain/lifecycle_internal.h"
#include "domain/validation.h"

namespace agreements::domain::internal {

void StartNewPeriod(v1::Participation& p) {
  v1::ParticipationPeriod& period = *p.add_previous_periods();
  period.set_status(p.status());
  if (p.has_consent()) *period.mutable_consent() = std::move(*p.mutable_consent());
  if (p.has_in_force_from())
    *period.mutable_in_force_from() = std::move(*p.mutable_in_force_from());
  if (p.has_withdrawal())
    *period.mutable_withdrawal() = std::move(*p.mutable_withdrawal());
  if (p.has_left_on()) *period.mutable_left_on() = std::move(*p.mutable_left_on());
  if (p.has_provisionally_applied_from()) {
    *period.mutable_provisionally_applied_from() =
        std::move(*p.mutable_provisionally_applied_from());
  }
  if (p.has_provisional_application_ended_on()) {
    *period.mutable_provisional_application_ended_on() =
        std::move(*p.mutable_provisional_application_ended_on());
  }
  if (p.has_non_participation_declared_on()) {
    *period.mutable_non_participation_declared_on() =
        std::move(*p.mutable_non_participation_declared_on());
  }
  *period.mutable_reservations() = std::move(*p.mutable_reservations());
  if (p.has_succession())
    *period.mutable_succession() = std::move(*p.mutable_succession());
  p.clear_consent();
  p.clear_in_force_from();
  p.clear_withdrawal();
  p.clear_left_on();
  p.clear_provisionally_applied_from();
  p.clear_provisional_application_ended_on();
  p.clear_non_participation_declared_on();
  p.clear_reservations();
  p.clear_succession();
  p.set_status(v1::PARTICIPATION_STATUS_NEGOTIATING);
}

bool PeriodStarted(const v1::Participation& p) {
  return p.status() != v1::PARTICIPATION_STATUS_NEGOTIATING ||
         IsDateSet(p.provisionally_applied_from());
}

void ApplyReservationMade(v1::Agreement& state, const v1::ReservationMade& e) {
  if (v1::Participation* p = MutableParticipation(state, e.party_id())) {
    v1::Reservation& reservation = *p->add_reservations();
    reservation = e.reservation();
    reservation.clear_withdrawn_on();
  }
}

void ApplyReservationWithdrawn(v1::Agreement& state, const v1::ReservationWithdrawn& e) {
  v1::Participation* p = MutableParticipation(state, e.party_id());
  if (p == nullptr) return;
  for (v1::Reservation& reservation : *p->mutable_reservations()) {
    if (reservation.id() == e.reservation_id())
      *reservation.mutable_withdrawn_on() = e.date();
  }
}

void ApplyDepositaryDesignated(v1::Agreement& state, const v1::DepositaryDesignated& e,
                               bool v3) {
  v1::Depositary& depositary = *state.add_depositaries();
  depositary = e.depositary();
  depositary.clear_notifications();
  auto& participations = *state.mutable_participations();
  for (int i = 0; i < participations.size(); ++i) {
    v1::Participation& p = participations[i];
    if (p.party_id() != e.depositary().party_id()) continue;
    auto& roles = *p.mutable_roles();
    const auto others_end =
        std::remove(roles.begin(), roles.end(), v1::PARTICIPANT_ROLE_DEPOSITARY);
    // The legacy depositary-only participation goes. Since rules version 3 one that
    // never had a role stays; before, it went too (docs/domain.md, "Rules versions").
    const bool only_depositary = others_end == roles.begin() && others_end != roles.end();
    roles.erase(others_end, roles.end());
    if (only_depositary || (!v3 && roles.empty())) {
      participations.erase(participations.begin() + i);
    }
    return;
  }
}

void ApplyDepositaryNotified(v1::Agreement& state, const v1::DepositaryNotified& e) {
  for (v1::Depositary& depositary : *state.mutable_depositaries()) {
    if (depositary.party_id() == e.depositary_id()) {
      *depositary.add_notifications() = e.notification();
      return;
    }
  }
}

void ApplyRegistered(v1::Agreement& state, const v1::RegisteredWithUn& e) {
  *state.add_registrations() = e.registration();
}

void ApplyPublication(v1::Agreement& state, const v1::PublicationRecorded& e) {
  for (v1::Registration& registration : *state.mutable_registrations()) {
    if (registration.number() == e.number()) {
      registration.set_unts_volume(e.unts_volume());
      registration.set_unts_page(e.unts_page());
    }
  }
}

void ApplyExtended(v1::Agreement& state, const v1::Extended& e, uint64_t position) {
  v1::Extension& extension = *state.add_extensions();
  extension = e.extension();
  extension.set_position(position);
}

void ApplySuccession(v1::Agreement& state, const v1::SuccessionNotified& e) {
  const v1::Participation* predecessor = FindParticipation(state, e.predecessor_id());
  v1::Participation* successor = MutableParticipation(state, e.party_id());
  if (predecessor == nullptr || successor == nullptr) return;
  const bool bound = IsDateSet(predecessor->in_force_from());
  const bool in_force = state.status() == v1::AGREEMENT_STATUS_IN_FORCE ||
                        state.status() == v1::AGREEMENT_STATUS_SUSPENDED;
  v1::Succession& succession = *successor->mutable_succession();
  succession.set_predecessor_id(e.predecessor_id());
  *succession.mutable_succession_date() = e.succession_date();
  *succession.mutable_notified_on() = e.notified_on();
  v1::Consent& consent = *successor->mutable_consent();
  consent.set_means(v1::CONSENT_MEANS_SUCCESSION);
  // Bound from the date of succession; the notification is the deposit.
  *consent.mutable_act_date() = e.succession_date();
  *consent.mutable_deposit_date() = e.notified_on();
  if (bound && in_force) {
    successor->set_status(v1::PARTICIPATION_STATUS_PARTY);
    const v1::Date& entry = state.entered_into_force_on();
    *successor->mutable_in_force_from() =
        IsDateSet(entry) && CompareDates(entry, e.succession_date()) > 0
            ? entry
            : e.succession_date();
  } else {
    successor->set_status(v1::PARTICIPATION_STATUS_CONTRACTING);
  }
  for (const v1::Reservation& reservation : predecessor->reservations()) {
    if (!IsDateSet(reservation.withdrawn_on()))
      *successor->add_reservations() = reservation;
  }
}

void ApplyParticipantCeased(v1::Agreement& state, const v1::ParticipantCeased& e) {
  v1::Participation* p = MutableParticipation(state, e.party_id());
  if (p == nullptr) return;
  if (AppliesProvisionally(*p)) {
    *p->mutable_provisional_application_ended_on() = e.effective_date();
  }
  p->set_status(v1::PARTICIPATION_STATUS_FORMER_PARTY);
  *p->mutable_left_on() = e.effective_date();
}

void UpdateExpiresOn(v1::Agreement& state) {
  v1::Date expiry = ExpiryOn(state, v1::Date());
  if (IsDateSet(expiry)) {
    *state.mutable_expires_on() = std::move(expiry);
  } else {
    state.clear_expires_on();
  }
}

}  // namespace agreements::domain::internal
