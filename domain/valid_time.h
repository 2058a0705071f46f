// Valid time: the legal status of an agreement on a legal date, derived from the
// effective dates its events carry (signed 2009, in force from 2010, terminated 2020
// ...), independent of when the registry recorded them. Pure functions; thread-safe.
#ifndef AGREEMENTS_DOMAIN_VALID_TIME_H_
#define AGREEMENTS_DOMAIN_VALID_TIME_H_

#include <string>
#include <utility>
#include <vector>

#include "agreements/v1/agreement.pb.h"
#include "agreements/v1/events.pb.h"
#include "agreements/v1/types.pb.h"

namespace agreements::domain {

// Where the record lags the law on the date asked about, or what the status alone does
// not tell (docs/domain.md, "Valid time").
struct StatusNote {
  enum class Kind {
    // A participant's withdrawal took effect by its recorded date, but no
    // withdrawal_took_effect is recorded: the participant is no longer bound.
    kWithdrawalDue,
    // The instrument's term ran out, with no extension or `expired` recorded.
    kExpiryDue,
    // The participant did not yet exist as a successor on the date.
    kBeforeSuccession,
  };
  Kind kind = Kind::kWithdrawalDue;
  // Empty for the instrument.
  std::string party_id;
  agreements::v1::Date date;
  // E.g. "withdrawal due on 2026-01-27, not yet recorded".
  std::string text;
};

// One participant's standing on the date.
struct ParticipantOnDate {
  std::string party_id;
  // As recorded (see the notes for what the record lags); UNSPECIFIED for a successor
  // before its succession.
  agreements::v1::ParticipationStatus status =
      agreements::v1::PARTICIPATION_STATUS_UNSPECIFIED;
  // The instrument is in force for it: in force on the date, the participant PARTY or
  // WITHDRAWAL_PENDING, and no withdrawal of it due.
  bool in_force_for = false;
  // It applies the instrument provisionally (never "in force" by that alone).
  bool provisionally_applying = false;
  // Which of its periods covers the date, from 1; 0 before it did anything.
  int period = 0;
  // Its reservations, declarations and objections in effect.
  std::vector<agreements::v1::Reservation> reservations;
  // The predecessor whose participation it continues.
  std::string succeeded_from;
};

struct LegalStatusOnDate {
  agreements::v1::AgreementStatus status = agreements::v1::AGREEMENT_STATUS_UNSPECIFIED;
  // Each participant's standing on the date, in participation order. A participant
  // that is only a depositary (agreements recorded before depositaries were recorded
  // apart) is left out: a depositary has no status under the treaty.
  std::vector<ParticipantOnDate> participants;
  // True when a date of lower precision than the question leaves the answer open, e.g.
  // "in force from 2010" (YEAR) asked about 2010-03-01.
  bool uncertain = false;
  // True when the instrument's own status is open (a participant's may be open while the
  // instrument is certainly in force).
  bool status_uncertain = false;
  // In force on the date: IN_FORCE (IN_EFFECT, ACTIVE), certain, and no expiry due.
  bool in_force = false;
  // Applied provisionally on the date, as a whole or by a participant (VCLT 25).
  bool provisionally_applied = false;
  // The term ran out on or before the date and nothing of it is recorded.
  bool expiry_due = false;
  // The expiry that applies on the date (after extensions and automatic renewals).
  agreements::v1::Date expires_on;
  std::vector<StatusNote> notes;
};

// `history`: the agreement's events in revision order (all of them, or those recorded up
// to the transaction time asked about: both axes together). `date` must be a valid date
// (any precision). Events that carry no legal date (corrections, documents, amounts ...)
// do not change the status; corrections of dates are applied as Evolve applies them.
LegalStatusOnDate LegalStatusOn(const std::vector<agreements::v1::Event>& history,
                                const agreements::v1::Date& date);

// The same answer read from a state as recorded. With `today` set, the dates the state
// holds are read against it: an entry into force, a withdrawal or an end of provisional
// application recorded ahead of time counts from its date, a withdrawal or an expiry due
// by then is noted and ends "in force" (the answer "now" of the lists). Unset: the
// record alone (no notes, no renewals).
LegalStatusOnDate StatusAsRecorded(const agreements::v1::Agreement& state,
                                   const agreements::v1::Date& today = {});

// True when the agreement's instrument status on `date` is in force (IN_FORCE, or
// IN_EFFECT / ACTIVE for non-binding instruments and contracts), that status is certain
// and no expiry is due; uncertain participants do not matter. Provisional application
// is not entry into force (VCLT 24 vs 25): PROVISIONALLY_APPLIED is never in force.
bool InForceOn(const LegalStatusOnDate& status);

// True when, on the date, the instrument is applied provisionally as a whole
// (PROVISIONALLY_APPLIED, certain) and not in force.
bool ProvisionallyAppliedOn(const LegalStatusOnDate& status);

// The participant's standing in `status`, or nullptr when it is not a participant.
const ParticipantOnDate* FindParticipant(const LegalStatusOnDate& status,
                                         const std::string& party_id);

// Whether a participant's standing passes the filters of lists: its status is one of
// `statuses` (any when empty) and it meets `condition`. A successor before its
// succession (status UNSPECIFIED) passes none.
bool MatchesStanding(const ParticipantOnDate& participant,
                     const std::vector<agreements::v1::ParticipationStatus>& statuses,
                     agreements::v1::PartyCondition condition);

// A participant whose only role is DEPOSITARY (recorded before depositaries were kept
// apart): not a participant in status answers and party filters.
bool IsDepositaryOnly(const agreements::v1::Participation& participation);

// The binding instruments in force (or suspended) with no registration with the UN
// Secretariat recorded (UN Charter art. 102).
bool RegistrationDue(const agreements::v1::Agreement& agreement);

}  // namespace agreements::domain

#endif  // AGREEMENTS_DOMAIN_VALID_TIME_H_
