// LegalStatusOn and InForceOn: the legal status of an agreement on a legal date (valid
// time). Every status-changing event is placed against the question by its effective
// date (as corrected by later record_corrected events); the events certainly on or
// before the date are replayed through EvolveAgreement in recording order, so the
// lifecycle rules are Evolve's own. docs/domain.md "Valid time" states the rules.
#include "domain/valid_time.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "domain/decider.h"
#include "domain/valid_time_internal.h"
#include "domain/validation.h"

namespace agreements::domain {
namespace internal {
namespace {

// Date fields of the state that hold an event's legal date: the first five are fields of
// Agreement, the others fields of a Participation.
enum class Field {
  kAdoptedOn,
  kSignedOn,
  kProvisionallyAppliedFrom,
  kEnteredIntoForceOn,
  kEndedOn,
  kOpenedForSignatureOn,
  kProvisionalApplicationEndedOn,
  kSignatureDate,
  kConsentActDate,
  kConsentDepositDate,
  kInForceFrom,
  kWithdrawalNotifiedOn,
  kLeftOn,
  kPartyProvisionallyAppliedFrom,
  kPartyProvisionalApplicationEndedOn,
  kNonParticipationDeclaredOn,
};

constexpr Field kAgreementFields[] = {Field::kAdoptedOn,
                                      Field::kSignedOn,
                                      Field::kProvisionallyAppliedFrom,
                                      Field::kEnteredIntoForceOn,
                                      Field::kEndedOn,
                                      Field::kOpenedForSignatureOn,
                                      Field::kProvisionalApplicationEndedOn};
constexpr Field kParticipationFields[] = {Field::kSignatureDate,
                                          Field::kConsentActDate,
                                          Field::kConsentDepositDate,
                                          Field::kInForceFrom,
                                          Field::kWithdrawalNotifiedOn,
                                          Field::kLeftOn,
                                          Field::kPartyProvisionallyAppliedFrom,
                                          Field::kPartyProvisionalApplicationEndedOn,
                                          Field::kNonParticipationDeclaredOn};

const v1::Date& AgreementDate(const v1::Agreement& a, Field field) {
  switch (field) {
    case Field::kAdoptedOn:
      return a.adopted_on();
    case Field::kSignedOn:
      return a.signed_on();
    case Field::kProvisionallyAppliedFrom:
      return a.provisionally_applied_from();
    case Field::kEnteredIntoForceOn:
      return a.entered_into_force_on();
    case Field::kOpenedForSignatureOn:
      return a.opened_for_signature_on();
    case Field::kProvisionalApplicationEndedOn:
      return a.provisional_application_ended_on();
    default:
      return a.ended_on();
  }
}

const v1::Date& ParticipationDate(const v1::Participation& p, Field field) {
  switch (field) {
    case Field::kSignatureDate:
      return p.signature().date();
    case Field::kConsentActDate:
      return p.consent().act_date();
    case Field::kConsentDepositDate:
      return p.consent().deposit_date();
    case Field::kInForceFrom:
      return p.in_force_from();
    case Field::kWithdrawalNotifiedOn:
      return p.withdrawal().notified_on();
    case Field::kLeftOn:
      return p.left_on();
    case Field::kPartyProvisionalApplicationEndedOn:
      return p.provisional_application_ended_on();
    case Field::kNonParticipationDeclaredOn:
      return p.non_participation_declared_on();
    default:
      return p.provisionally_applied_from();
  }
}

// One date field of the state: of the agreement when party_id is empty, else of that
// participation.
struct Slot {
  std::string party_id;
  Field field;
  bool operator<(const Slot& other) const {
    return std::tie(party_id, field) < std::tie(other.party_id, other.field);
  }
};

using SlotDates = std::map<Slot, v1::Date>;

// The date fields of `state` that are set.
SlotDates SetDates(const v1::Agreement& state) {
  SlotDates dates;
  for (Field field : kAgreementFields) {
    const v1::Date& date = AgreementDate(state, field);
    if (IsDateSet(date)) dates.emplace(Slot{"", field}, date);
  }
  for (const v1::Participation& p : state.participations()) {
    for (Field field : kParticipationFields) {
      const v1::Date& date = ParticipationDate(p, field);
      if (IsDateSet(date)) dates.emplace(Slot{p.party_id(), field}, date);
    }
  }
  return dates;
}

bool SameDate(const v1::Date& a, const v1::Date& b) {
  return a.year() == b.year() && a.month() == b.month() && a.day() == b.day() &&
         a.precision() == b.precision();
}

// The slots whose value differs between two snapshots, with the value after (nullopt
// when the field was cleared).
std::vector<std::pair<Slot, std::optional<v1::Date>>> Changes(const SlotDates& before,
                                                              const SlotDates& after) {
  std::vector<std::pair<Slot, std::optional<v1::Date>>> changes;
  for (const auto& [slot, date] : after) {
    auto it = before.find(slot);
    if (it == before.end() || !SameDate(it->second, date))
      changes.emplace_back(slot, date);
  }
  for (const auto& [slot, date] : before) {
    if (after.count(slot) == 0) changes.emplace_back(slot, std::nullopt);
  }
  return changes;
}

// An event as valid time sees it: its own date, whom it concerns, and which fields of the
// state hold its date (so that a correction of those fields moves the event).
struct Description {
  EffectiveDate effective;
  // The agreement field Evolve writes the event's date to, if any.
  std::optional<Field> agreement_field;
  // The participation field that holds the event's date for a participant it moves.
  std::optional<Field> participant_field;
};

Description Dated(const v1::Date& date, std::string party_id,
                  std::optional<Field> agreement_field,
                  std::optional<Field> participant_field) {
  Description d;
  d.effective.relevant = true;
  d.effective.dated = true;
  d.effective.date = date;
  d.effective.party_id = std::move(party_id);
  d.agreement_field = agreement_field;
  d.participant_field = participant_field;
  return d;
}

Description Describe(const v1::EventPayload& c) {
  using K = v1::EventPayload;
  constexpr std::nullopt_t kNone = std::nullopt;
  switch (c.kind_case()) {
    case K::kAgreementRecorded:
    case K::kParticipantAdded:
    case K::kLegalNatureReassessed: {
      Description d;
      d.effective.relevant = true;
      return d;
    }
    case K::kTextAdopted:
      return Dated(c.text_adopted().date(), "", Field::kAdoptedOn, kNone);
    case K::kOpenedForSignature:
      return Dated(c.opened_for_signature().date(), "", Field::kOpenedForSignatureOn,
                   kNone);
    case K::kParticipantSigned:
      return Dated(c.participant_signed().signature().date(),
                   c.participant_signed().party_id(), Field::kSignedOn,
                   Field::kSignatureDate);
    case K::kConsentExpressed: {
      // Consent binds from the deposit (or exchange) of the instrument, VCLT 16; the act
      // date stands in when no deposit date was recorded.
      const v1::Consent& consent = c.consent_expressed().consent();
      const bool deposited = IsDateSet(consent.deposit_date());
      return Dated(deposited ? consent.deposit_date() : consent.act_date(),
                   c.consent_expressed().party_id(), kNone,
                   deposited ? Field::kConsentDepositDate : Field::kConsentActDate);
    }
    case K::kProvisionalApplicationStarted:
      return Dated(c.provisional_application_started().effective_date(),
                   c.provisional_application_started().party_id(),
                   Field::kProvisionallyAppliedFrom,
                   Field::kPartyProvisionallyAppliedFrom);
    case K::kProvisionalApplicationTerminated:
      return Dated(c.provisional_application_terminated().effective_date(),
                   c.provisional_application_terminated().party_id(),
                   Field::kProvisionalApplicationEndedOn,
                   Field::kPartyProvisionalApplicationEndedOn);
    case K::kEnteredIntoForce: {
      const std::string& party = c.entered_into_force().party_id();
      return Dated(
          c.entered_into_force().effective_date(), party,
          party.empty() ? std::optional<Field>(Field::kEnteredIntoForceOn) : kNone,
          Field::kInForceFrom);
    }
    case K::kOperationSuspended:
      return Dated(c.operation_suspended().effective_date(),
                   c.operation_suspended().party_id(), kNone, kNone);
    case K::kOperationResumed:
      return Dated(c.operation_resumed().effective_date(),
                   c.operation_resumed().party_id(), kNone, kNone);
    case K::kNonParticipationDeclared:
      return Dated(c.non_participation_declared().date(),
                   c.non_participation_declared().party_id(), kNone,
                   Field::kNonParticipationDeclaredOn);
    case K::kWithdrawalNotified:
      return Dated(c.withdrawal_notified().withdrawal().notified_on(),
                   c.withdrawal_notified().party_id(), kNone,
                   Field::kWithdrawalNotifiedOn);
    case K::kWithdrawalRevoked:
      return Dated(c.withdrawal_revoked().date(), c.withdrawal_revoked().party_id(),
                   kNone, kNone);
    case K::kWithdrawalTookEffect:
      return Dated(c.withdrawal_took_effect().effective_date(),
                   c.withdrawal_took_effect().party_id(), kNone, Field::kLeftOn);
    case K::kTerminated:
      return Dated(c.terminated().effective_date(), "", Field::kEndedOn, Field::kLeftOn);
    case K::kAbandoned:
      return Dated(c.abandoned().date(), "", Field::kEndedOn, kNone);
    case K::kExpired:
      return Dated(c.expired().effective_date(), "", Field::kEndedOn, Field::kLeftOn);
    case K::kReservationMade:
      return Dated(c.reservation_made().reservation().date(),
                   c.reservation_made().party_id(), kNone, kNone);
    case K::kReservationWithdrawn:
      return Dated(c.reservation_withdrawn().date(), c.reservation_withdrawn().party_id(),
                   kNone, kNone);
    case K::kParticipantCeased:
      return Dated(c.participant_ceased().effective_date(),
                   c.participant_ceased().party_id(), kNone, Field::kLeftOn);
    case K::kSuccessionNotified:
      return Dated(c.succession_notified().succession_date(),
                   c.succession_notified().party_id(), kNone, kNone);
    case K::kExtended: {
      // An extension counts from when it was agreed; without that date, on every date.
      const v1::Date& agreed = c.extended().extension().agreed_on();
      if (IsDateSet(agreed)) return Dated(agreed, "", kNone, kNone);
      Description d;
      d.effective.relevant = true;
      return d;
    }
    case K::kCameIntoEffect:
      return Dated(c.came_into_effect().effective_date(), "", Field::kEnteredIntoForceOn,
                   kNone);
    case K::kDiscontinued:
      return Dated(c.discontinued().effective_date(), "", Field::kEndedOn, kNone);
    case K::kContractSigned:
      return Dated(c.contract_signed().date(), "", Field::kSignedOn, kNone);
    case K::kContractActivated:
      return Dated(c.contract_activated().effective_date(), "",
                   Field::kEnteredIntoForceOn, kNone);
    case K::kContractCompleted:
      return Dated(c.contract_completed().date(), "", Field::kEndedOn, kNone);
    case K::kContractTerminated:
      return Dated(c.contract_terminated().effective_date(), "", Field::kEndedOn, kNone);
    case K::kContractCancelled:
      return Dated(c.contract_cancelled().date(), "", Field::kEndedOn, kNone);
    default:
      return Description();
  }
}

bool IsAgreementSlot(const Slot& slot) { return slot.party_id.empty(); }

// Follows, along a full replay, which events' dates the date fields of the state hold,
// and moves those dates when a correction changes the fields.
class DateTracker {
 public:
  explicit DateTracker(size_t events) : described_(events) {}

  // An event after the last correction: its dates stay its own.
  void Keep(size_t index, Description d) { described_[index] = std::move(d); }

  // Called after Evolve applied event `index` (not a correction).
  void Applied(size_t index, const Description& d, const SlotDates& before,
               const SlotDates& after) {
    described_[index] = d;
    for (const auto& [slot, value] : Changes(before, after)) {
      holders_.erase(slot);
      if (!value.has_value()) continue;
      const bool holds = IsAgreementSlot(slot)
                             ? d.agreement_field == slot.field
                             : d.participant_field == slot.field &&
                                   (d.effective.party_id.empty() ||
                                    d.effective.party_id == slot.party_id);
      if (holds) holders_[slot] = {index};
    }
    // signed_on is the earliest signature: a signature on the same date shares it, and
    // so does a participant's provisional application starting with the instrument's.
    if (d.agreement_field.has_value() && d.effective.dated) {
      const Slot slot{"", *d.agreement_field};
      auto it = after.find(slot);
      auto was = before.find(slot);
      if (it != after.end() && was != before.end() && SameDate(it->second, was->second) &&
          SameDate(it->second, d.effective.date)) {
        holders_[slot].push_back(index);
      }
    }
  }

  // Called around a record_corrected event. Participant fields first, so that a
  // correction of an agreement field (signed_on ...) decides the instrument's date.
  void Corrected(const SlotDates& before, const SlotDates& after) {
    std::vector<std::pair<Slot, std::optional<v1::Date>>> changes =
        Changes(before, after);
    for (bool agreement_fields : {false, true}) {
      for (const auto& [slot, value] : changes) {
        if (IsAgreementSlot(slot) != agreement_fields || !value.has_value()) continue;
        auto it = holders_.find(slot);
        if (it == holders_.end()) continue;
        for (size_t index : it->second) Move(described_[index].effective, slot, *value);
      }
    }
  }

  std::vector<EffectiveDate> Result() && {
    std::vector<EffectiveDate> result;
    result.reserve(described_.size());
    for (Description& d : described_) result.push_back(std::move(d.effective));
    return result;
  }

 private:
  static void Move(EffectiveDate& e, const Slot& slot, const v1::Date& value) {
    if (IsAgreementSlot(slot)) {
      e.date = value;
      return;
    }
    // A participant-level event moves for the instrument too; an instrument-wide one
    // (entry into force, termination) only for that participant.
    if (e.party_id == slot.party_id) e.date = value;
    e.party_dates[slot.party_id] = value;
  }

  std::vector<Description> described_;
  // The events whose date each field holds.
  std::map<Slot, std::vector<size_t>> holders_;
};

}  // namespace

DayRange RangeOf(const v1::Date& date) {
  if (!IsDateSet(date)) {
    return {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
  }
  const bool unspecified = date.precision() == v1::DATE_PRECISION_UNSPECIFIED;
  const int64_t year = int64_t{date.year()} * 10000;
  if (date.precision() == v1::DATE_PRECISION_YEAR || (unspecified && date.month() == 0)) {
    return {year + 101, year + 1231};
  }
  const int64_t month = year + int64_t{date.month()} * 100;
  if (date.precision() == v1::DATE_PRECISION_MONTH || (unspecified && date.day() == 0)) {
    return {month + 1, month + 31};
  }
  return {month + date.day(), month + date.day()};
}

Placement Place(const DayRange& event, const DayRange& question) {
  if (event.last <= question.first) return Placement::kOnOrBefore;
  if (event.first > question.last) return Placement::kAfter;
  return Placement::kOpen;
}

std::vector<EffectiveDate> EffectiveDates(const std::vector<v1::Event>& history) {
  // Only events up to the last correction can be moved; after it, dates are the events'.
  size_t corrections_end = 0;
  for (size_t i = 0; i < history.size(); ++i) {
    if (history[i].payload().has_record_corrected()) corrections_end = i + 1;
  }
  DateTracker tracker(history.size());
  v1::Agreement state;
  for (size_t i = 0; i < history.size(); ++i) {
    const v1::Event& event = history[i];
    const bool correction = event.payload().has_record_corrected();
    Description d = Describe(event.payload());
    if (i >= corrections_end) {
      tracker.Keep(i, std::move(d));
      continue;
    }
    if (!correction && !d.effective.relevant) {
      EvolveAgreement(state, event);
      continue;
    }
    const SlotDates before = SetDates(state);
    EvolveAgreement(state, event);
    const SlotDates after = SetDates(state);
    if (correction) {
      tracker.Corrected(before, after);
    } else {
      tracker.Applied(i, d, before, after);
    }
  }
  return std::move(tracker).Result();
}

}  // namespace internal

namespace {

using internal::EffectiveDate;
using internal::Placement;

// How the replay treats one event for one question.
enum class Step { kSkip, kApply, kOpen };

// The steps of a history for a question: for the instrument (party_id empty) or for one
// participant, whose corrected dates then replace the instrument's.
std::vector<Step> Steps(const std::vector<EffectiveDate>& dates,
                        const internal::DayRange& question, const std::string& party_id) {
  std::vector<Step> steps;
  steps.reserve(dates.size());
  for (const EffectiveDate& e : dates) {
    if (!e.relevant) {
      steps.push_back(Step::kSkip);
      continue;
    }
    if (!e.dated) {
      steps.push_back(Step::kApply);
      continue;
    }
    auto own = party_id.empty() ? e.party_dates.end() : e.party_dates.find(party_id);
    const v1::Date& date = own == e.party_dates.end() ? e.date : own->second;
    switch (internal::Place(internal::RangeOf(date), question)) {
      case Placement::kOnOrBefore:
        steps.push_back(Step::kApply);
        break;
      case Placement::kAfter:
        steps.push_back(Step::kSkip);
        break;
      case Placement::kOpen:
        steps.push_back(Step::kOpen);
        break;
    }
  }
  return steps;
}

// Replays the applied events and the first `open_taken` open ones, in recording order.
v1::Agreement Replay(const std::vector<v1::Event>& history,
                     const std::vector<Step>& steps, size_t open_taken) {
  v1::Agreement state;
  size_t open_seen = 0;
  for (size_t i = 0; i < history.size(); ++i) {
    if (steps[i] == Step::kSkip) continue;
    if (steps[i] == Step::kOpen && open_seen++ >= open_taken) continue;
    EvolveAgreement(state, history[i]);
  }
  return state;
}

// What a question reads from a replayed state: the instrument status and the statuses
// of the participants not in `skip`, or only the status of `only` when it is set.
std::vector<int> Reading(const v1::Agreement& state, const std::string& only,
                         const std::set<std::string>& skip) {
  std::vector<int> reading;
  if (only.empty()) reading.push_back(state.status());
  for (const v1::Participation& p : state.participations()) {
    if (only.empty() ? skip.count(p.party_id()) == 0 : p.party_id() == only) {
      reading.push_back(p.status());
    }
  }
  return reading;
}

struct Answer {
  v1::Agreement state;
  bool uncertain = false;
  // Whether the instrument's own status (not a participant's) is open.
  bool status_uncertain = false;
};

// The state with every open event left out (the status before a transition whose date
// may or may not have come), and whether the open events change the reading: they are
// taken in recording order, one more at a time, and any difference leaves it open.
Answer Evaluate(const std::vector<v1::Event>& history, const std::vector<Step>& steps,
                const std::string& only, const std::set<std::string>& skip) {
  Answer answer;
  answer.state = Replay(history, steps, 0);
  const std::vector<int> reading = Reading(answer.state, only, skip);
  size_t open = 0;
  for (Step step : steps) open += step == Step::kOpen ? 1 : 0;
  for (size_t taken = 1; taken <= open && !answer.status_uncertain; ++taken) {
    const v1::Agreement replayed = Replay(history, steps, taken);
    answer.uncertain = answer.uncertain || Reading(replayed, only, skip) != reading;
    answer.status_uncertain =
        answer.status_uncertain ||
        (only.empty() && replayed.status() != answer.state.status());
  }
  return answer;
}

// Participants for whom a correction moved an instrument-wide event (or a
// participant-level one apart from the instrument's date): they get their own replay.
std::set<std::string> ParticipantsWithOwnDates(const std::vector<EffectiveDate>& dates) {
  std::set<std::string> parties;
  for (const EffectiveDate& e : dates) {
    for (const auto& [party, date] : e.party_dates) {
      if (!internal::SameDate(date, e.date)) parties.insert(party);
    }
  }
  return parties;
}

}  // namespace

LegalStatusOnDate LegalStatusOn(const std::vector<v1::Event>& history,
                                const v1::Date& date) {
  LegalStatusOnDate result;
  if (history.empty()) return result;
  const std::vector<EffectiveDate> dates = internal::EffectiveDates(history);
  const internal::DayRange question = internal::RangeOf(date);
  const std::set<std::string> own = ParticipantsWithOwnDates(dates);
  // The record as it stands now, for what corrections changed and for successions.
  v1::Agreement full;
  bool corrected = false;
  for (const v1::Event& event : history) {
    EvolveAgreement(full, event);
    corrected = corrected || event.payload().has_record_corrected();
  }

  Answer instrument = Evaluate(history, Steps(dates, question, ""), "", own);
  if (corrected) internal::OverlayCorrections(full, instrument.state);
  result.status = instrument.state.status();
  result.uncertain = instrument.uncertain;
  result.status_uncertain = instrument.status_uncertain;
  internal::ReadInstrument(instrument.state, date, &question, result);
  for (const v1::Participation& p : instrument.state.participations()) {
    if (IsDepositaryOnly(p)) continue;
    const v1::Participation* read = &p;
    v1::Agreement alone_state;
    if (own.count(p.party_id()) != 0) {
      Answer alone =
          Evaluate(history, Steps(dates, question, p.party_id()), p.party_id(), {});
      alone_state = std::move(alone.state);
      if (corrected) internal::OverlayCorrections(full, alone_state);
      for (const v1::Participation& q : alone_state.participations()) {
        if (q.party_id() == p.party_id()) read = &q;
      }
      result.uncertain = result.uncertain || alone.uncertain;
    }
    result.participants.push_back(internal::ReadParticipant(
        *read, result.in_force, &question, &result.notes, &result.uncertain));
    result.provisionally_applied =
        result.provisionally_applied || result.participants.back().provisionally_applying;
  }
  internal::MarkSuccessorsNotYet(full, question, result);
  return result;
}

}  // namespace agreements::domain
