// The parts of a legal-status answer read from a replayed state: each participant's
// standing, whether the instrument is in force or provisionally applied, the expiry of
// its term, and the notes where the record lags the law (withdrawals and expiry due but
// not recorded, successors before their succession).
#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/date_format.h"
#include "domain/calendar.h"
#include "domain/evolve_internal.h"
#include "domain/lifecycle_internal.h"
#include "domain/valid_time.h"
#include "domain/valid_time_internal.h"
#include "domain/validation.h"

namespace agreements::domain {
namespace internal {
namespace v1 = ::agreements::v1;

bool Operative(v1::AgreementStatus status) {
  switch (status) {
    case v1::AGREEMENT_STATUS_IN_FORCE:
    case v1::AGREEMENT_STATUS_IN_EFFECT:
    case v1::AGREEMENT_STATUS_ACTIVE:
      return true;
    default:
      return false;
  }
}

namespace {

// A date of the record that lies after the date asked about: a transition recorded ahead
// of time (an entry into force next month) has not happened yet.
bool Later(const v1::Date& date, const DayRange* question) {
  return question != nullptr && IsDateSet(date) &&
         Place(RangeOf(date), *question) == Placement::kAfter;
}

// Whether the participant applies the instrument provisionally on the date: started by
// then, and not ended by then (an end recorded ahead of time, at the end of a notice
// period, has not happened yet).
bool ApplyingOn(const v1::Participation& p, const DayRange* question) {
  if (Later(p.provisionally_applied_from(), question)) return false;
  if (AppliesProvisionally(p)) return true;
  if (!IsDateSet(p.provisionally_applied_from()) ||
      !Later(p.provisional_application_ended_on(), question)) {
    return false;
  }
  v1::Participation open = p;
  open.clear_provisional_application_ended_on();
  return AppliesProvisionally(open);
}

// Statuses in which the term runs.
bool TermRuns(v1::AgreementStatus status) {
  return Operative(status) || status == v1::AGREEMENT_STATUS_SUSPENDED ||
         status == v1::AGREEMENT_STATUS_PROVISIONALLY_APPLIED;
}

}  // namespace

ParticipantOnDate ReadParticipant(const v1::Participation& p, bool in_force,
                                  const DayRange* question,
                                  std::vector<StatusNote>* notes, bool* uncertain) {
  ParticipantOnDate entry;
  entry.party_id = p.party_id();
  entry.status = p.status();
  entry.period = p.previous_periods_size() + (PeriodStarted(p) ? 1 : 0);
  entry.succeeded_from = p.succession().predecessor_id();
  for (const v1::Reservation& r : p.reservations()) {
    if (!IsDateSet(r.withdrawn_on())) entry.reservations.push_back(r);
  }
  bool withdrawal_due = false;
  const v1::Date& takes = p.withdrawal().takes_effect_on();
  if (question != nullptr && p.status() == v1::PARTICIPATION_STATUS_WITHDRAWAL_PENDING &&
      IsDateSet(takes)) {
    switch (Place(RangeOf(takes), *question)) {
      case Placement::kOnOrBefore:
        withdrawal_due = true;
        notes->push_back({StatusNote::Kind::kWithdrawalDue, p.party_id(), takes,
                          absl::StrCat("withdrawal of ", p.party_id(), " due on ",
                                       FormatDate(takes), ", not yet recorded")});
        break;
      case Placement::kOpen:
        *uncertain = true;
        break;
      case Placement::kAfter:
        break;
    }
  }
  entry.in_force_for = in_force && !withdrawal_due &&
                       !Later(p.in_force_from(), question) &&
                       (p.status() == v1::PARTICIPATION_STATUS_PARTY ||
                        p.status() == v1::PARTICIPATION_STATUS_WITHDRAWAL_PENDING);
  entry.provisionally_applying = !entry.in_force_for && ApplyingOn(p, question);
  return entry;
}

void ReadInstrument(const v1::Agreement& state, const v1::Date& on,
                    const DayRange* question, LegalStatusOnDate& answer) {
  answer.expires_on = ExpiryOn(state, on);
  if (question != nullptr && IsDateSet(answer.expires_on) && TermRuns(state.status())) {
    switch (Place(RangeOf(answer.expires_on), *question)) {
      case Placement::kOnOrBefore:
        answer.expiry_due = true;
        answer.notes.push_back(
            {StatusNote::Kind::kExpiryDue, "", answer.expires_on,
             absl::StrCat("expired (expected on ", FormatDate(answer.expires_on),
                          "), no extension or expiry recorded")});
        break;
      case Placement::kOpen:
        answer.uncertain = true;
        answer.status_uncertain = true;
        break;
      case Placement::kAfter:
        break;
    }
  }
  answer.in_force = InForceOn(answer) && !Later(state.entered_into_force_on(), question);
  answer.provisionally_applied =
      !answer.expiry_due &&
      state.status() == v1::AGREEMENT_STATUS_PROVISIONALLY_APPLIED &&
      !Later(state.provisionally_applied_from(), question);
}

namespace {

// The fields of the period of `p` numbered like `index` (its current one when index is
// the number of closed periods), as a participation.
v1::Participation PeriodAt(const v1::Participation& p, int index) {
  if (index >= p.previous_periods_size()) return p;
  const v1::ParticipationPeriod& period = p.previous_periods(index);
  v1::Participation q;
  *q.mutable_in_force_from() = period.in_force_from();
  *q.mutable_withdrawal() = period.withdrawal();
  *q.mutable_provisionally_applied_from() = period.provisionally_applied_from();
  *q.mutable_provisional_application_ended_on() =
      period.provisional_application_ended_on();
  return q;
}

// Replaces a date of the replay with its corrected value, when the replay has it.
void Correct(v1::Date* replayed, const v1::Date& corrected) {
  if (IsDateSet(*replayed) && IsDateSet(corrected)) *replayed = corrected;
}

}  // namespace

void OverlayCorrections(const v1::Agreement& full, v1::Agreement& replayed) {
  if (full.has_term()) {
    *replayed.mutable_term() = full.term();
  } else {
    replayed.clear_term();
  }
  Correct(replayed.mutable_entered_into_force_on(), full.entered_into_force_on());
  for (v1::Participation& p : *replayed.mutable_participations()) {
    const v1::Participation* q = FindParticipation(full, p.party_id());
    if (q == nullptr) continue;
    const v1::Participation corrected = PeriodAt(*q, p.previous_periods_size());
    Correct(p.mutable_in_force_from(), corrected.in_force_from());
    if (p.withdrawal().notified_on().SerializeAsString() ==
        corrected.withdrawal().notified_on().SerializeAsString()) {
      Correct(p.mutable_withdrawal()->mutable_takes_effect_on(),
              corrected.withdrawal().takes_effect_on());
    }
    Correct(p.mutable_provisionally_applied_from(),
            corrected.provisionally_applied_from());
    Correct(p.mutable_provisional_application_ended_on(),
            corrected.provisional_application_ended_on());
  }
}

void MarkSuccessorsNotYet(const v1::Agreement& full, const DayRange& question,
                          LegalStatusOnDate& answer) {
  for (const v1::Participation& p : full.participations()) {
    if (!p.has_succession()) continue;
    const v1::Date& date = p.succession().succession_date();
    if (Place(RangeOf(date), question) != Placement::kAfter) continue;
    for (ParticipantOnDate& entry : answer.participants) {
      if (entry.party_id != p.party_id()) continue;
      entry = ParticipantOnDate();
      entry.party_id = p.party_id();
      answer.notes.push_back(
          {StatusNote::Kind::kBeforeSuccession, p.party_id(), date,
           absl::StrCat(p.party_id(), " succeeded ", p.succession().predecessor_id(),
                        " on ", FormatDate(date), "; before then ",
                        p.succession().predecessor_id(), " answers for it")});
    }
  }
}

}  // namespace internal

LegalStatusOnDate StatusAsRecorded(const v1::Agreement& state, const v1::Date& today) {
  LegalStatusOnDate answer;
  answer.status = state.status();
  const internal::DayRange range = internal::RangeOf(today);
  const internal::DayRange* question = IsDateSet(today) ? &range : nullptr;
  internal::ReadInstrument(state, today, question, answer);
  for (const v1::Participation& p : state.participations()) {
    if (IsDepositaryOnly(p)) continue;
    answer.participants.push_back(internal::ReadParticipant(
        p, answer.in_force, question, &answer.notes, &answer.uncertain));
    answer.provisionally_applied =
        answer.provisionally_applied || answer.participants.back().provisionally_applying;
  }
  return answer;
}

bool InForceOn(const LegalStatusOnDate& status) {
  return internal::Operative(status.status) && !status.status_uncertain &&
         !status.expiry_due;
}

bool ProvisionallyAppliedOn(const LegalStatusOnDate& status) {
  return !status.in_force && !status.status_uncertain && !status.expiry_due &&
         status.status == v1::AGREEMENT_STATUS_PROVISIONALLY_APPLIED;
}

const ParticipantOnDate* FindParticipant(const LegalStatusOnDate& status,
                                         const std::string& party_id) {
  for (const ParticipantOnDate& p : status.participants) {
    if (p.party_id == party_id) return &p;
  }
  return nullptr;
}

bool MatchesStanding(const ParticipantOnDate& p,
                     const std::vector<v1::ParticipationStatus>& statuses,
                     v1::PartyCondition condition) {
  if (p.status == v1::PARTICIPATION_STATUS_UNSPECIFIED) return false;
  if (!statuses.empty() &&
      std::find(statuses.begin(), statuses.end(), p.status) == statuses.end()) {
    return false;
  }
  switch (condition) {
    case v1::PARTY_CONDITION_IN_FORCE_FOR:
      return p.in_force_for;
    case v1::PARTY_CONDITION_PROVISIONALLY_APPLYING:
      return p.provisionally_applying;
    default:
      return true;
  }
}

bool IsDepositaryOnly(const v1::Participation& participation) {
  if (participation.roles().empty()) return false;
  for (int role : participation.roles()) {
    if (role != v1::PARTICIPANT_ROLE_DEPOSITARY) return false;
  }
  return true;
}

bool RegistrationDue(const v1::Agreement& agreement) {
  const bool binding =
      agreement.legal_nature() == v1::LEGAL_NATURE_BINDING_INTERNATIONAL ||
      agreement.legal_nature() == v1::LEGAL_NATURE_MIXED;
  const bool in_force = agreement.status() == v1::AGREEMENT_STATUS_IN_FORCE ||
                        agreement.status() == v1::AGREEMENT_STATUS_SUSPENDED;
  return binding && in_force && agreement.registrations().empty();
}

}  // namespace agreements::domain
