// Treaty practice that does not move the instrument's lifecycle: reservations and
// objections (VCLT 19-23), depositaries (VCLT 76-77), registration with the UN
// Secretariat (UN Charter art. 102), terms, extensions and expiry, succession of states
// (1978 Vienna Convention) and scheme-qualified identifiers.
#include <algorithm>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/date_format.h"
#include "common/error_info.h"
#include "common/status_macros.h"
#include "domain/calendar.h"
#include "domain/decide_internal.h"
#include "domain/limits.h"
#include "domain/validation.h"
#include "domain/validation_internal.h"

namespace agreements::domain::internal {
namespace {

using P = v1::ParticipationStatus;

bool InStatus(const v1::Participation& p, std::initializer_list<P> statuses) {
  for (P s : statuses) {
    if (p.status() == s) return true;
  }
  return false;
}

// A participation that may formulate or withdraw reservations: it signed or consented.
bool MayReserve(const v1::Participation& p) {
  return InStatus(
      p, {v1::PARTICIPATION_STATUS_SIGNATORY, v1::PARTICIPATION_STATUS_CONTRACTING,
          v1::PARTICIPATION_STATUS_PARTY, v1::PARTICIPATION_STATUS_SUSPENDED,
          v1::PARTICIPATION_STATUS_WITHDRAWAL_PENDING});
}

const v1::Reservation* FindReservation(const v1::Participation& p, absl::string_view id) {
  for (const v1::Reservation& r : p.reservations()) {
    if (r.id() == id) return &r;
  }
  return nullptr;
}

absl::Status NoReservation(absl::string_view path, const Decision& d,
                           absl::string_view party_id, absl::string_view id) {
  return Invalid(path, absl::StrFormat("party %s has no reservation %s in effect in "
                                       "agreement %s",
                                       party_id, id, d.id()));
}

absl::StatusOr<Events> DecideReservation(const Decision& d) {
  if (d.lifecycle() != Lifecycle::kInstrument) {
    return NotInLifecycle(d, "only a treaty takes reservations (VCLT 19)");
  }
  const v1::ReservationMade& e = d.change().reservation_made();
  const v1::Reservation& r = e.reservation();
  const std::string base = "change.reservation_made.reservation";
  ASSIGN_OR_RETURN(const v1::Participation* p, Participant(d, e.party_id()));
  if (!MayReserve(*p)) {
    return IllegalForParticipant(
        d, *p,
        "reservations, declarations and objections are formulated on signature, on "
        "consent to be bound or later (VCLT 19, 23)");
  }
  if (FindReservation(*p, r.id()) != nullptr) {
    return Invalid(
        base + ".id",
        absl::StrFormat("party %s already has a reservation %s in agreement %s",
                        p->party_id(), r.id(), d.id()));
  }
  if (p->reservations_size() >= kMaxReservations) {
    return IllegalForParticipant(
        d, *p,
        absl::StrFormat("it has %d reservations: the limit is %d", p->reservations_size(),
                        kMaxReservations));
  }
  RETURN_IF_ERROR(CheckNotBefore(d, base + ".date", r.date(), d.state.adopted_on(),
                                 "the adoption of the text"));
  RETURN_IF_ERROR(CheckNotBefore(d, base + ".date", r.date(), p->signature().date(),
                                 "its signature"));
  if (r.kind() != v1::RESERVATION_KIND_OBJECTION) return Emit(d);
  if (r.objects_to_party_id() == e.party_id()) {
    return Invalid(base + ".objects_to_party_id",
                   "must not be the objecting participant");
  }
  ASSIGN_OR_RETURN(const v1::Participation* reserving,
                   Participant(d, r.objects_to_party_id()));
  const v1::Reservation* target =
      FindReservation(*reserving, r.objects_to_reservation_id());
  if (target == nullptr || target->kind() != v1::RESERVATION_KIND_RESERVATION ||
      IsDateSet(target->withdrawn_on())) {
    return NoReservation(base + ".objects_to_reservation_id", d, reserving->party_id(),
                         r.objects_to_reservation_id());
  }
  RETURN_IF_ERROR(CheckNotBefore(d, base + ".date", r.date(), target->date(),
                                 "the reservation objected to"));
  return Emit(d);
}

absl::StatusOr<Events> DecideReservationWithdrawn(const Decision& d) {
  if (d.lifecycle() != Lifecycle::kInstrument) return NotInLifecycle(d);
  const v1::ReservationWithdrawn& e = d.change().reservation_withdrawn();
  ASSIGN_OR_RETURN(const v1::Participation* p, Participant(d, e.party_id()));
  const v1::Reservation* r = FindReservation(*p, e.reservation_id());
  if (r == nullptr || IsDateSet(r->withdrawn_on())) {
    return NoReservation("change.reservation_withdrawn.reservation_id", d, p->party_id(),
                         e.reservation_id());
  }
  RETURN_IF_ERROR(CheckNotBefore(d, "change.reservation_withdrawn.date", e.date(),
                                 r->date(), "its formulation"));
  return Emit(d);
}

const v1::Depositary* FindDepositary(const v1::Agreement& a, absl::string_view id) {
  for (const v1::Depositary& depositary : a.depositaries()) {
    if (depositary.party_id() == id) return &depositary;
  }
  return nullptr;
}

// A participation whose only role is the legacy PARTICIPANT_ROLE_DEPOSITARY, which
// designating its party as depositary removes (ApplyDepositaryDesignated).
bool OnlyDepositary(const v1::Participation& p) {
  return !p.roles().empty() &&
         std::all_of(p.roles().begin(), p.roles().end(),
                     [](int role) { return role == v1::PARTICIPANT_ROLE_DEPOSITARY; });
}

// The participant did something under the treaty that its participation records.
bool HasActed(const v1::Participation& p) {
  return p.status() != v1::PARTICIPATION_STATUS_NEGOTIATING || p.has_signature() ||
         p.has_consent() || IsDateSet(p.provisionally_applied_from()) ||
         !p.previous_periods().empty();
}

absl::StatusOr<Events> DecideDepositary(const Decision& d) {
  if (d.lifecycle() != Lifecycle::kInstrument) {
    return NotInLifecycle(d, "only a treaty has a depositary (VCLT 76)");
  }
  const std::string& party_id =
      d.change().depositary_designated().depositary().party_id();
  if (!d.context.parties.contains(party_id)) {
    return PartyNotFound(party_id);
  }
  if (FindDepositary(d.state, party_id) != nullptr) {
    return Invalid("change.depositary_designated.depositary.party_id",
                   absl::StrFormat("party %s is already a depositary of agreement %s",
                                   party_id, d.id()));
  }
  // Designation removes a legacy depositary-only participation; one that records acts
  // of the party (a signature, a consent ...) is not erased with it.
  const v1::Participation* p = FindParticipation(d.state, party_id);
  if (p != nullptr && OnlyDepositary(*p) && HasActed(*p)) {
    return IllegalForParticipant(
        d, *p,
        "its only role is the legacy PARTICIPANT_ROLE_DEPOSITARY, and designating it "
        "would remove its participation and what it records; correct its roles "
        "(record_corrected) first");
  }
  RETURN_IF_ERROR(
      RequireRoom(d, d.state.depositaries_size(), kMaxDepositaries, "depositaries"));
  return Emit(d);
}

absl::StatusOr<Events> DecideDepositaryNotified(const Decision& d) {
  const v1::DepositaryNotified& e = d.change().depositary_notified();
  const v1::Depositary* depositary = FindDepositary(d.state, e.depositary_id());
  if (depositary == nullptr) {
    return errors::WithReason(
        absl::FailedPreconditionError(absl::StrFormat(
            "party %s is not a depositary of agreement %s: cannot record a depositary "
            "notification; record depositary_designated first",
            e.depositary_id(), d.id())),
        errors::kNotADepositary,
        {{"agreement_id", d.id()}, {"party_id", e.depositary_id()}});
  }
  const std::string& concerned = e.notification().party_id();
  if (!concerned.empty() && FindParticipation(d.state, concerned) == nullptr) {
    return Invalid("change.depositary_notified.notification.party_id",
                   absl::StrFormat("party %s is not a participant of agreement %s",
                                   concerned, d.id()));
  }
  int total = 0;
  for (const v1::Depositary& each : d.state.depositaries()) {
    total += each.notifications_size();
  }
  RETURN_IF_ERROR(RequireRoom(d, total, kMaxNotifications, "depositary notifications"));
  for (const v1::DepositaryNotification& n : depositary->notifications()) {
    if (n.reference() == e.notification().reference()) {
      return Invalid(
          "change.depositary_notified.notification.reference",
          absl::StrFormat("notification %s is already recorded", n.reference()));
    }
  }
  return Emit(d);
}

absl::StatusOr<Events> DecideRegistration(const Decision& d) {
  if (d.lifecycle() == Lifecycle::kContract) {
    return NotInLifecycle(
        d,
        "a contract under domestic law is not a treaty registered under "
        "Art. 102 of the UN Charter");
  }
  if (d.lifecycle() == Lifecycle::kNonBinding) return NotInLifecycle(d);
  const bool entered = IsDateSet(d.state.entered_into_force_on());
  if (!d.StatusIn({v1::AGREEMENT_STATUS_PROVISIONALLY_APPLIED,
                   v1::AGREEMENT_STATUS_IN_FORCE, v1::AGREEMENT_STATUS_SUSPENDED}) &&
      !(d.status() == v1::AGREEMENT_STATUS_TERMINATED && entered)) {
    return Illegal(d,
                   "a treaty is registered once it has entered into force or is applied "
                   "provisionally (registration regulations, art. 1)");
  }
  const v1::Registration& r = d.change().registered_with_un().registration();
  for (const v1::Registration& existing : d.state.registrations()) {
    if (existing.kind() == r.kind()) {
      return Illegal(
          d, absl::StrCat("it is already recorded with number ", existing.number()));
    }
  }
  if (!r.submitted_by().empty() && !d.context.parties.contains(r.submitted_by())) {
    return PartyNotFound(r.submitted_by());
  }
  const v1::Date& applied = d.state.provisionally_applied_from();
  RETURN_IF_ERROR(CheckNotBefore(
      d, "change.registered_with_un.registration.date", r.date(),
      IsDateSet(applied) ? applied : d.state.entered_into_force_on(),
      IsDateSet(applied) ? "its provisional application" : "its entry into force"));
  return Emit(d);
}

absl::StatusOr<Events> DecidePublication(const Decision& d) {
  const std::string& number = d.change().publication_recorded().number();
  for (const v1::Registration& r : d.state.registrations()) {
    if (r.number() == number) return Emit(d);
  }
  return Invalid("change.publication_recorded.number",
                 absl::StrFormat("agreement %s has no registration %s; record "
                                 "registered_with_un first",
                                 d.id(), number));
}

absl::StatusOr<Events> DecideExtended(const Decision& d) {
  const v1::Extension& e = d.change().extended().extension();
  if (!e.extending_agreement_id().empty()) {
    RETURN_IF_ERROR(RequireAgreement(d, e.extending_agreement_id()));
  }
  RETURN_IF_ERROR(
      RequireRoom(d, d.state.extensions_size(), kMaxExtensions, "extensions"));
  // The end that applies when the extension was agreed, renewals included.
  const v1::Date current = ExpiryOn(d.state, e.agreed_on());
  if (IsDateSet(current) && CompareDates(e.expires_on(), current) <= 0) {
    return Invalid("change.extended.extension.expires_on",
                   absl::StrFormat("must be after the current expiry (%s): an extension "
                                   "lengthens the term; a shorter one is an amendment or "
                                   "a correction",
                                   FormatDate(current)));
  }
  return Emit(d);
}

absl::StatusOr<Events> DecideExpired(const Decision& d) {
  switch (d.lifecycle()) {
    case Lifecycle::kInstrument:
      if (!d.StatusIn({v1::AGREEMENT_STATUS_IN_FORCE, v1::AGREEMENT_STATUS_SUSPENDED})) {
        return Illegal(d);
      }
      break;
    case Lifecycle::kNonBinding:
      if (d.status() != v1::AGREEMENT_STATUS_IN_EFFECT) return Illegal(d);
      break;
    case Lifecycle::kContract:
      if (d.status() != v1::AGREEMENT_STATUS_ACTIVE) return Illegal(d);
      break;
  }
  const std::string path = "change.expired.effective_date";
  const v1::Date& date = d.change().expired().effective_date();
  RETURN_IF_ERROR(CheckNotBefore(d, path, date, d.state.entered_into_force_on(),
                                 "its entry into force"));
  // The first end of the term, renewals not counted: a term that renews may end at any
  // later renewal (after notice of non-renewal, which the registry does not model).
  RETURN_IF_ERROR(CheckNotBefore(d, path, date, ExpiryOn(d.state, v1::Date()),
                                 "the end of its term"));
  return Emit(d);
}

// The predecessor has a consent in force for its current period on the succession date.
bool CanBeSucceeded(const v1::Participation& q, const v1::Date& succession_date) {
  if (!q.has_consent()) return false;
  if (InStatus(q, {v1::PARTICIPATION_STATUS_CONTRACTING, v1::PARTICIPATION_STATUS_PARTY,
                   v1::PARTICIPATION_STATUS_SUSPENDED,
                   v1::PARTICIPATION_STATUS_WITHDRAWAL_PENDING})) {
    return true;
  }
  return q.status() == v1::PARTICIPATION_STATUS_FORMER_PARTY && IsDateSet(q.left_on()) &&
         CompareDates(q.left_on(), succession_date) >= 0;
}

// The first day a state that ceased to exist no longer existed (the day after
// existed_until); unset when it still exists.
v1::Date EndOfExistence(const v1::Party& party) {
  if (!IsDateSet(party.existed_until())) return v1::Date();
  v1::CalendarPeriod day;
  day.set_days(1);
  return AddPeriod(party.existed_until(), day);
}

// The participation ends because the state ceased to exist.
v1::ParticipantCeased Ceased(const std::string& party_id, const v1::Date& date) {
  v1::ParticipantCeased ceased;
  ceased.set_party_id(party_id);
  *ceased.mutable_effective_date() = date;
  return ceased;
}

// A participant that ceased to exist while applying the instrument provisionally: the
// end of its provisional application on that day is recorded as its own event after
// participant_ceased, as for a declaration of non-participation (rules version 2), so
// that an instrument nobody else applies returns to SIGNED_NOT_IN_FORCE.
void EndProvisionalApplication(const v1::Participation& p, const v1::Date& date,
                               Events& events) {
  if (!AppliesProvisionally(p)) return;
  v1::ProvisionalApplicationTerminated& ended =
      *events.emplace_back().mutable_provisional_application_terminated();
  ended.set_party_id(p.party_id());
  *ended.mutable_effective_date() = date;
  ended.set_effective_date_basis(v1::EFFECTIVE_DATE_BASIS_VCLT_DEFAULT);
}

// Whether a participant is still open (not left, not declared out): what a state that
// ceased to exist leaves.
bool Open(const v1::Participation& p) {
  return !InStatus(p, {v1::PARTICIPATION_STATUS_FORMER_PARTY,
                       v1::PARTICIPATION_STATUS_NOT_BECOMING_PARTY});
}

absl::Status CheckSuccessionDates(const Decision& d, const v1::SuccessionNotified& e,
                                  const v1::Participation& predecessor) {
  const std::string base = "change.succession_notified";
  RETURN_IF_ERROR(CheckNotBefore(d, base + ".notified_on", e.notified_on(),
                                 e.succession_date(), "the date of succession"));
  RETURN_IF_ERROR(CheckNotBefore(d, base + ".succession_date", e.succession_date(),
                                 ConsentDate(predecessor.consent()),
                                 "the predecessor's consent"));
  const v1::Party& successor = d.context.parties.at(e.party_id());
  RETURN_IF_ERROR(CheckNotBefore(d, base + ".succession_date", e.succession_date(),
                                 successor.existed_from(), "the successor's existence"));
  // A part that separated may succeed before the predecessor ends (Slovenia, 1991, from
  // Yugoslavia, which ended in 1992), but not after it.
  const v1::Date end = EndOfExistence(d.context.parties.at(e.predecessor_id()));
  if (IsDateSet(end) && CompareDates(e.succession_date(), end) > 0 &&
      d.change().dates_confirmed_by().empty()) {
    return Invalid(
        base + ".succession_date",
        absl::StrFormat("%s is after party %s ceased to exist (%s); if a source "
                        "confirms both dates, name it in dates_confirmed_by",
                        FormatDate(e.succession_date()), e.predecessor_id(),
                        FormatDate(end)));
  }
  return absl::OkStatus();
}

// The successor must name the predecessor among its own, when its party record lists any.
absl::Status CheckNamedPredecessor(const Decision& d, const v1::SuccessionNotified& e) {
  const v1::Party& successor = d.context.parties.at(e.party_id());
  if (successor.predecessors().empty()) return absl::OkStatus();
  for (const v1::PartySuccession& s : successor.predecessors()) {
    if (s.party_id() == e.predecessor_id()) return absl::OkStatus();
  }
  return Invalid(
      "change.succession_notified.predecessor_id",
      absl::StrFormat("party %s is not one of the predecessors its party record "
                      "names for %s",
                      e.predecessor_id(), e.party_id()));
}

absl::StatusOr<Events> DecideSuccession(const Decision& d) {
  if (d.lifecycle() != Lifecycle::kInstrument) return NotInLifecycle(d);
  if (!d.StatusIn({v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE,
                   v1::AGREEMENT_STATUS_PROVISIONALLY_APPLIED,
                   v1::AGREEMENT_STATUS_IN_FORCE, v1::AGREEMENT_STATUS_SUSPENDED})) {
    return Illegal(d);
  }
  const v1::SuccessionNotified& e = d.change().succession_notified();
  ASSIGN_OR_RETURN(const v1::Participation* p, Participant(d, e.party_id()));
  if (p->status() != v1::PARTICIPATION_STATUS_NEGOTIATING || p->has_signature() ||
      p->previous_periods_size() > 0) {
    return IllegalForParticipant(d, *p,
                                 "a successor notifies its succession before any act of "
                                 "its own under the treaty");
  }
  ASSIGN_OR_RETURN(const v1::Participation* q, Participant(d, e.predecessor_id()));
  if (!CanBeSucceeded(*q, e.succession_date())) {
    return IllegalForParticipant(
        d, *q,
        "a successor continues a predecessor's consent to be "
        "bound, and this one had none on the date of succession");
  }
  RETURN_IF_ERROR(CheckNamedPredecessor(d, e));
  RETURN_IF_ERROR(CheckSuccessionDates(d, e, *q));
  Events events = Emit(d);
  // A predecessor that ceased to exist leaves on its own date, not the successor's; one
  // that existed until 31 December 9999 leaves after the last date the registry records.
  const v1::Date end = EndOfExistence(d.context.parties.at(e.predecessor_id()));
  if (IsDateSet(end) && end.year() <= kMaxYear && Open(*q)) {
    *events.emplace_back().mutable_participant_ceased() = Ceased(e.predecessor_id(), end);
    EndProvisionalApplication(*q, end, events);
  }
  return events;
}

absl::StatusOr<Events> DecideParticipantCeased(const Decision& d) {
  const v1::ParticipantCeased& e = d.change().participant_ceased();
  ASSIGN_OR_RETURN(const v1::Participation* p, Participant(d, e.party_id()));
  const v1::Party& party = d.context.parties.at(e.party_id());
  if (!IsDateSet(party.existed_until())) {
    return IllegalForParticipant(d, *p,
                                 absl::StrFormat("party %s has not ceased to exist (its "
                                                 "record has no existed_until)",
                                                 e.party_id()));
  }
  if (!Open(*p)) {
    return IllegalForParticipant(d, *p, "its participation has already ended");
  }
  RETURN_IF_ERROR(CheckNotBefore(d, "change.participant_ceased.effective_date",
                                 e.effective_date(), party.existed_until(),
                                 "the end of its existence"));
  Events events = Emit(d);
  EndProvisionalApplication(*p, e.effective_date(), events);
  return events;
}

absl::StatusOr<Events> DecideIdentifierAdded(const Decision& d) {
  const v1::Identifier& added = d.change().identifier_added().identifier();
  for (const v1::Identifier& existing : d.state.identifiers()) {
    if (absl::EqualsIgnoreCase(existing.scheme(), added.scheme()) &&
        absl::EqualsIgnoreCase(existing.value(), added.value())) {
      return Invalid("change.identifier_added.identifier",
                     absl::StrFormat("agreement %s already has identifier %s:%s", d.id(),
                                     added.scheme(), added.value()));
    }
  }
  RETURN_IF_ERROR(
      RequireRoom(d, d.state.identifiers_size(), kMaxIdentifiers, "identifiers"));
  return Emit(d);
}

}  // namespace

absl::StatusOr<Events> DecidePracticeStep(const Decision& d) {
  switch (d.change().kind_case()) {
    case v1::EventPayload::kReservationMade:
      return DecideReservation(d);
    case v1::EventPayload::kReservationWithdrawn:
      return DecideReservationWithdrawn(d);
    case v1::EventPayload::kDepositaryDesignated:
      return DecideDepositary(d);
    case v1::EventPayload::kDepositaryNotified:
      return DecideDepositaryNotified(d);
    case v1::EventPayload::kRegisteredWithUn:
      return DecideRegistration(d);
    case v1::EventPayload::kPublicationRecorded:
      return DecidePublication(d);
    case v1::EventPayload::kExtended:
      return DecideExtended(d);
    case v1::EventPayload::kExpired:
      return DecideExpired(d);
    case v1::EventPayload::kSuccessionNotified:
      return DecideSuccession(d);
    case v1::EventPayload::kIdentifierAdded:
      return DecideIdentifierAdded(d);
    case v1::EventPayload::kParticipantCeased:
      return DecideParticipantCeased(d);
    default:
      return absl::InternalError("DecidePracticeStep: unexpected change");
  }
}

}  // namespace agreements::domain::internal
