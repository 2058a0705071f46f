// The parts of EvolveAgreement for treaty practice beyond the lifecycles: participation
// periods, reservations, depositaries, registrations, terms and succession
// (evolve_practice.cc). Not API. Pure; thread-safe.
#ifndef AGREEMENTS_DOMAIN_EVOLVE_INTERNAL_H_
#define AGREEMENTS_DOMAIN_EVOLVE_INTERNAL_H_

#include "agreements/v1/agreement.pb.h"
#include "agreements/v1/events.pb.h"

namespace agreements::domain::internal {

namespace v1 = ::agreements::v1;

// Closes the participant's current period (its consent, entry into force, withdrawal,
// departure, provisional application, declaration of non-participation, reservations
// and succession move to previous_periods) so that a new one can start. The signature
// and the roles stay: a text is signed once.
void StartNewPeriod(v1::Participation& participation);

// True when the participant's current period holds anything (a consent, a status other
// than NEGOTIATING and SIGNATORY, provisional application).
bool PeriodStarted(const v1::Participation& participation);

void ApplyReservationMade(v1::Agreement& state, const v1::ReservationMade& e);
void ApplyReservationWithdrawn(v1::Agreement& state, const v1::ReservationWithdrawn& e);

// Adds the depositary. An older agreement may list it as a participant whose only role
// is DEPOSITARY: that participation is removed (a depositary is not a participant), and
// the role is dropped from a participant that has others. `v3`: the event was decided
// under rules version 3 or later, which keep a participation without roles (before,
// it was removed too).
void ApplyDepositaryDesignated(v1::Agreement& state, const v1::DepositaryDesignated& e,
                               bool v3);
void ApplyDepositaryNotified(v1::Agreement& state, const v1::DepositaryNotified& e);

void ApplyRegistered(v1::Agreement& state, const v1::RegisteredWithUn& e);
void ApplyPublication(v1::Agreement& state, const v1::PublicationRecorded& e);
void ApplyExtended(v1::Agreement& state, const v1::Extended& e, uint64_t position);

// The successor continues the predecessor's participation from the succession date
// (or the entry into force, if later): PARTY if the predecessor was bound and the
// instrument is in force, else CONTRACTING; it keeps the predecessor's reservations in
// effect (1978 Convention, art. 20). Its consent is dated at the succession (act) and
// the notification (deposit).
void ApplySuccession(v1::Agreement& state, const v1::SuccessionNotified& e);

// A participant that ceased to exist leaves (FORMER_PARTY on the date), whatever it
// had done; a provisional application ends with it.
void ApplyParticipantCeased(v1::Agreement& state, const v1::ParticipantCeased& e);

// Agreement.expires_on from the term, the extensions and the entry into force.
void UpdateExpiresOn(v1::Agreement& state);

}  // namespace agreements::domain::internal

#endif  // AGREEMENTS_DOMAIN_EVOLVE_INTERNAL_H_
