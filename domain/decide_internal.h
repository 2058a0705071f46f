// The pieces DecideAgreement is assembled from: one Decision per command and the
// per-lifecycle deciders in decide_instrument.cc, decide_other.cc and
// decide_agreement.cc. Not API. Pure; thread-safe.
#ifndef AGREEMENTS_DOMAIN_DECIDE_INTERNAL_H_
#define AGREEMENTS_DOMAIN_DECIDE_INTERNAL_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "domain/decider.h"
#include "domain/lifecycle_internal.h"

namespace agreements::domain::internal {

using Events = std::vector<v1::EventPayload>;

// One command against the current state of an existing agreement. Borrows everything;
// lives for one DecideAgreement call.
struct Decision {
  const v1::Agreement& state;
  const v1::Command& command;
  const DecideContext& context;

  const std::string& id() const { return command.stream_id(); }
  const v1::EventPayload& change() const { return command.change(); }
  Lifecycle lifecycle() const { return LifecycleOf(state.legal_nature()); }
  v1::AgreementStatus status() const { return state.status(); }
  bool StatusIn(std::initializer_list<v1::AgreementStatus> statuses) const;
};

// FAILED_PRECONDITION "agreement <id> is <STATUS>: cannot <action>[: <why>]".
absl::Status Illegal(const Decision& d, absl::string_view why = "");

// FAILED_PRECONDITION for a command that belongs to another lifecycle, e.g. "agreement m
// is SIGNED: cannot record consent to be bound: its legal nature is
// NON_BINDING_POLITICAL; record legal_nature_reassessed first".
absl::Status NotInLifecycle(const Decision& d, absl::string_view hint = "");

// FAILED_PRECONDITION "party <p> in agreement <id> is <STATUS>: cannot <action>: <why>".
absl::Status IllegalForParticipant(const Decision& d, const v1::Participation& p,
                                   absl::string_view why);

// The participation of party_id. NOT_FOUND when the party does not exist (absent from
// context.parties); FAILED_PRECONDITION when it exists but does not participate.
absl::StatusOr<const v1::Participation*> Participant(const Decision& d,
                                                     absl::string_view party_id);

// NOT_FOUND unless the agreement is in context.agreements.
absl::Status RequireAgreement(const Decision& d, absl::string_view agreement_id);

// FAILED_PRECONDITION when the agreement already holds `max` entries of `what`.
absl::Status RequireRoom(const Decision& d, int size, int max, absl::string_view what);

// The command's change as the single event to append.
Events Emit(const Decision& d);

// Dates that contradict each other (docs/domain.md, "Order of dates"): INVALID_ARGUMENT
// "<path>: <date> is before <what> (<earlier>) ..." when `date` is certainly before
// `earlier` (compared at the coarser precision), unless the change carries
// dates_confirmed_by. Unset dates never contradict.
absl::Status CheckNotBefore(const Decision& d, absl::string_view path,
                            const v1::Date& date, const v1::Date& earlier,
                            absl::string_view what);

// The date a participant's consent binds from: the deposit date, else the act date; for
// a succession, the date of succession (the act date).
const v1::Date& ConsentDate(const v1::Consent& consent);

// An act of `party_id` on `date` while that party existed: not before its existed_from,
// not after its existed_until (INVALID_ARGUMENT naming both dates, unless the change
// carries dates_confirmed_by). A party absent from the context is not checked.
absl::Status CheckExisting(const Decision& d, absl::string_view path,
                           const v1::Date& date, absl::string_view party_id);

// A date the registry derives from a notice given on `notified_on` (when a withdrawal or
// provisional application takes effect) is recorded only up to 31 December 9999, the
// last date it records: INVALID_ARGUMENT "<path>: must be given: ..." when `derived` is
// after that day.
absl::Status CheckDerivedInCalendar(absl::string_view path, const v1::Date& notified_on,
                                    const v1::Date& derived);
// INVALID_ARGUMENT at `path` when the term of `state` (its duration, unless an expiry
// date or an extension fixes the end), run from `entry`, ends after that day: Evolve
// would derive an expires_on the registry cannot record.
absl::Status CheckTermInCalendar(absl::string_view path, const v1::Agreement& state,
                                 const v1::Date& entry);

// Commands of treaty practice that do not move the instrument's lifecycle:
// reservations, depositaries, registration, terms and expiry, succession, identifiers
// (decide_practice.cc).
absl::StatusOr<Events> DecidePracticeStep(const Decision& d);

// Commands of the instrument lifecycle (text adoption to termination, participants'
// consent, force, suspension and withdrawal). Every other kind is an internal error.
absl::StatusOr<Events> DecideInstrumentStep(const Decision& d);

// Commands of the non-binding and contract lifecycles (came_into_effect, discontinued,
// contract_*), participant_signed for all lifecycles, and legal_nature_reassessed.
absl::StatusOr<Events> DecideOtherStep(const Decision& d);

// The corrected event of a record_corrected command: NOT_FOUND when
// context.corrected_event is not the event at corrected_position; INVALID_ARGUMENT when
// it belongs to another stream.
absl::Status CheckCorrectedEvent(const v1::Command& command,
                                 const DecideContext& context);

// record_corrected on an agreement stream.
absl::StatusOr<Events> DecideAgreementCorrection(const Decision& d);

}  // namespace agreements::domain::internal

#endif  // AGREEMENTS_DOMAIN_DECIDE_INTERNAL_H_
