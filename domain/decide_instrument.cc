// The instrument lifecycle (binding international, mixed and undetermined instruments):
// text adoption, opening for signature, consent, provisional application, entry into
// force, suspension, withdrawal, termination and abandonment.
#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/date_format.h"
#include "common/status_macros.h"
#include "domain/calendar.h"
#include "domain/decide_internal.h"
#include "domain/limits.h"
#include "domain/validation.h"
#include "domain/validation_internal.h"

namespace agreements::domain::internal {
namespace {

using S = v1::AgreementStatus;
using P = v1::ParticipationStatus;

constexpr S kOpenForSignature = v1::AGREEMENT_STATUS_OPEN_FOR_SIGNATURE;
constexpr S kSignedNotInForce = v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE;
constexpr S kProvisionallyApplied = v1::AGREEMENT_STATUS_PROVISIONALLY_APPLIED;
constexpr S kInForce = v1::AGREEMENT_STATUS_IN_FORCE;
constexpr S kSuspended = v1::AGREEMENT_STATUS_SUSPENDED;

int CountContracting(const v1::Agreement& state) {
  int count = 0;
  for (const v1::Participation& p : state.participations()) {
    if (p.status() == v1::PARTICIPATION_STATUS_CONTRACTING) ++count;
  }
  return count;
}

bool HasLeft(const v1::Participation& p) {
  return p.status() == v1::PARTICIPATION_STATUS_FORMER_PARTY ||
         p.status() == v1::PARTICIPATION_STATUS_NOT_BECOMING_PARTY;
}

// The date of a participant's consent against the dates already recorded: the text's
// adoption and opening, its own signature, and the end of its previous period.
absl::Status CheckConsentDates(const Decision& d, const v1::Participation& p,
                               const v1::Consent& consent) {
  const std::string base = "change.consent_expressed.consent";
  const bool deposited = IsDateSet(consent.deposit_date());
  const std::string path = absl::StrCat(base, deposited ? ".deposit_date" : ".act_date");
  const v1::Date& date = ConsentDate(consent);
  RETURN_IF_ERROR(
      CheckNotBefore(d, path, date, d.state.adopted_on(), "the adoption of the text"));
  RETURN_IF_ERROR(CheckNotBefore(d, path, date, d.state.opened_for_signature_on(),
                                 "the opening for signature"));
  const v1::Date& act = IsDateSet(consent.act_date()) ? consent.act_date() : date;
  RETURN_IF_ERROR(CheckNotBefore(
      d,
      absl::StrCat(base, IsDateSet(consent.act_date()) ? ".act_date" : ".deposit_date"),
      act, p.signature().date(), "its signature"));
  RETURN_IF_ERROR(CheckNotBefore(d, path, date, p.left_on(), "the day it left"));
  return CheckNotBefore(d, path, date, p.non_participation_declared_on(),
                        "its declaration that it would not become a party");
}

absl::StatusOr<Events> DecideConsent(const Decision& d) {
  if (IsBeforeSignature(d.status()) && d.status() != kOpenForSignature) {
    return Illegal(d,
                   "consent without a signature needs a text open for signature (record "
                   "opened_for_signature) or a signature first");
  }
  if (!d.StatusIn(
          {kOpenForSignature, kSignedNotInForce, kProvisionallyApplied, kInForce})) {
    return Illegal(d);
  }
  const v1::ConsentExpressed& e = d.change().consent_expressed();
  ASSIGN_OR_RETURN(const v1::Participation* p, Participant(d, e.party_id()));
  // A state that left, or declared that it would not become a party (VCLT 18 lets it
  // reverse that), may consent again: a new period of its participation.
  const bool rejoining = HasLeft(*p);
  if (e.consent().means() == v1::CONSENT_MEANS_RATIFICATION) {
    const bool signed_before = IsDateSet(p->signature().date());
    if (p->status() != v1::PARTICIPATION_STATUS_SIGNATORY &&
        !(rejoining && signed_before)) {
      return IllegalForParticipant(
          d, *p, "ratification follows a signature subject to ratification (VCLT 14)");
    }
  } else if (p->status() != v1::PARTICIPATION_STATUS_NEGOTIATING &&
             p->status() != v1::PARTICIPATION_STATUS_SIGNATORY && !rejoining) {
    return IllegalForParticipant(
        d, *p,
        "consent to be bound is expressed only once in a period (a participant that "
        "left, or declared that it would not become a party, may consent again)");
  }
  if (rejoining && p->previous_periods_size() >= kMaxPeriods) {
    return IllegalForParticipant(
        d, *p,
        absl::StrFormat("it has %d periods: the limit is %d", p->previous_periods_size(),
                        kMaxPeriods));
  }
  RETURN_IF_ERROR(CheckConsentDates(d, *p, e.consent()));
  RETURN_IF_ERROR(CheckExisting(d, "change.consent_expressed.consent",
                                ConsentDate(e.consent()), e.party_id()));
  return Emit(d);
}

// VCLT 18(a): a State that took part in the negotiation or signed subject to
// ratification may make clear its intention not to become a party; one that has
// expressed consent to be bound withdraws instead (once the treaty is in force).
// When provisional application ends on a notice given on `notified_on`: under the
// treaty's clause, else on the notice's date (VCLT 25(2)).
v1::Date ProvisionalEndDate(const Decision& d, const v1::Date& notified_on,
                            v1::EffectiveDateBasis* basis, bool* exact = nullptr) {
  const v1::ProvisionalApplicationClause& clause =
      d.state.provisional_application_clause();
  if (exact != nullptr) *exact = true;
  if (clause.has_termination_notice()) {
    *basis = v1::EFFECTIVE_DATE_BASIS_TREATY_CLAUSE;
    return NoticeTakesEffect(notified_on, clause.termination_notice(),
                             d.state.entered_into_force_on(), exact);
  }
  *basis = v1::EFFECTIVE_DATE_BASIS_VCLT_DEFAULT;
  return notified_on;
}

// A derived date that would have to be widened (a notice known to the month or year, an
// anniversary of an entry into force not known to the day) is not guessed: the command
// must give it.
absl::Status TooImprecise(absl::string_view path, const v1::Date& notified_on,
                          const v1::Date& widened) {
  return Invalid(path, absl::StrFormat("must be given: the notice of %s is not precise "
                                       "enough to derive the date under the treaty's "
                                       "clause (it falls within %s)",
                                       FormatDate(notified_on), FormatDate(widened)));
}

absl::StatusOr<Events> DecideNonParticipation(const Decision& d) {
  const v1::NonParticipationDeclared& e = d.change().non_participation_declared();
  ASSIGN_OR_RETURN(const v1::Participation* p, Participant(d, e.party_id()));
  if (p->status() == v1::PARTICIPATION_STATUS_NOT_BECOMING_PARTY) {
    return IllegalForParticipant(d, *p, "it has already declared it");
  }
  if (p->status() != v1::PARTICIPATION_STATUS_NEGOTIATING &&
      p->status() != v1::PARTICIPATION_STATUS_SIGNATORY) {
    return IllegalForParticipant(
        d, *p,
        "only a NEGOTIATING or SIGNATORY participant declares it (VCLT 18(a)); after "
        "consent to be bound a party withdraws");
  }
  const std::string base = "change.non_participation_declared";
  RETURN_IF_ERROR(CheckNotBefore(d, base + ".date", e.date(), p->signature().date(),
                                 "its signature"));
  Events events = Emit(d);
  if (!AppliesProvisionally(*p)) {
    if (IsDateSet(e.provisional_application_ends_on())) {
      return Invalid(
          base + ".provisional_application_ends_on",
          absl::StrFormat("must be empty: party %s does not apply agreement %s "
                          "provisionally",
                          p->party_id(), d.id()));
    }
    return events;
  }
  // The provisional application already running does not vanish: it ends when the
  // notice (or the treaty) says, recorded as its own event (VCLT 25(2)).
  v1::ProvisionalApplicationTerminated ended;
  ended.set_party_id(e.party_id());
  *ended.mutable_notified_on() = e.date();
  v1::EffectiveDateBasis basis = v1::EFFECTIVE_DATE_BASIS_NOTIFIED;
  v1::Date ends = e.provisional_application_ends_on();
  if (!IsDateSet(ends)) {
    bool exact = true;
    ends = ProvisionalEndDate(d, e.date(), &basis, &exact);
    if (!exact) {
      return TooImprecise(base + ".provisional_application_ends_on", e.date(), ends);
    }
    RETURN_IF_ERROR(CheckDerivedInCalendar(base + ".provisional_application_ends_on",
                                           e.date(), ends));
  }
  *events[0]
       .mutable_non_participation_declared()
       ->mutable_provisional_application_ends_on() = ends;
  *ended.mutable_effective_date() = std::move(ends);
  ended.set_effective_date_basis(basis);
  *events.emplace_back().mutable_provisional_application_terminated() = std::move(ended);
  return events;
}

absl::StatusOr<Events> DecideProvisionalStart(const Decision& d) {
  const v1::ProvisionalApplicationStarted& e =
      d.change().provisional_application_started();
  const std::string path = "change.provisional_application_started.effective_date";
  RETURN_IF_ERROR(CheckNotBefore(d, path, e.effective_date(), d.state.adopted_on(),
                                 "the adoption of the text"));
  if (e.party_id().empty()) {
    if (d.status() != kSignedNotInForce) return Illegal(d);
    // As a whole means by each participant that signed or consented (Evolve): with none
    // (a contract signed as a whole and reassessed, or every signatory declared it would
    // not become a party), nobody would apply it.
    if (std::none_of(d.state.participations().begin(), d.state.participations().end(),
                     [](const v1::Participation& p) {
                       return p.status() == v1::PARTICIPATION_STATUS_SIGNATORY ||
                              p.status() == v1::PARTICIPATION_STATUS_CONTRACTING;
                     })) {
      return Illegal(
          d,
          "no participant is a signatory or has consented to be bound, so none "
          "would apply it; record their signatures or name the participant");
    }
    RETURN_IF_ERROR(CheckNotBefore(d, path, e.effective_date(), d.state.signed_on(),
                                   "the first signature"));
    return Emit(d);
  }
  const bool non_signatories =
      d.state.provisional_application_clause().open_to_non_signatories();
  if (!d.StatusIn({kSignedNotInForce, kProvisionallyApplied, kInForce}) &&
      !(non_signatories &&
        d.StatusIn({v1::AGREEMENT_STATUS_ADOPTED, kOpenForSignature}))) {
    return Illegal(d);
  }
  ASSIGN_OR_RETURN(const v1::Participation* p, Participant(d, e.party_id()));
  const bool negotiating = p->status() == v1::PARTICIPATION_STATUS_NEGOTIATING;
  if (p->status() != v1::PARTICIPATION_STATUS_SIGNATORY &&
      p->status() != v1::PARTICIPATION_STATUS_CONTRACTING &&
      !(negotiating && non_signatories)) {
    return IllegalForParticipant(
        d, *p,
        negotiating ? "only a SIGNATORY or CONTRACTING participant applies an agreement "
                      "provisionally, unless the treaty lets states that have not signed "
                      "apply it (provisional_application_clause.open_to_non_signatories)"
                    : "only a SIGNATORY or CONTRACTING participant applies an agreement "
                      "provisionally");
  }
  if (AppliesProvisionally(*p)) {
    return IllegalForParticipant(d, *p, "it already applies the agreement provisionally");
  }
  RETURN_IF_ERROR(CheckNotBefore(d, path, e.effective_date(), p->signature().date(),
                                 "its signature"));
  return Emit(d);
}

absl::StatusOr<Events> DecideProvisionalEnd(const Decision& d) {
  const v1::ProvisionalApplicationTerminated& e =
      d.change().provisional_application_terminated();
  const v1::Date* started = &d.state.provisionally_applied_from();
  if (e.party_id().empty()) {
    if (d.status() != kProvisionallyApplied) return Illegal(d);
  } else {
    ASSIGN_OR_RETURN(const v1::Participation* p, Participant(d, e.party_id()));
    if (!AppliesProvisionally(*p)) {
      return IllegalForParticipant(d, *p,
                                   "it does not apply the agreement provisionally");
    }
    started = &p->provisionally_applied_from();
  }
  const std::string base = "change.provisional_application_terminated";
  Events events = Emit(d);
  v1::ProvisionalApplicationTerminated& ended =
      *events[0].mutable_provisional_application_terminated();
  v1::EffectiveDateBasis basis = v1::EFFECTIVE_DATE_BASIS_NOTIFIED;
  if (!IsDateSet(ended.effective_date())) {
    bool exact = true;
    *ended.mutable_effective_date() =
        ProvisionalEndDate(d, e.notified_on(), &basis, &exact);
    if (!exact) {
      return TooImprecise(base + ".effective_date", e.notified_on(),
                          ended.effective_date());
    }
    RETURN_IF_ERROR(CheckDerivedInCalendar(base + ".effective_date", e.notified_on(),
                                           ended.effective_date()));
  } else if (IsDateSet(e.notified_on())) {
    v1::EffectiveDateBasis clause_basis;
    const v1::Date by_clause = ProvisionalEndDate(d, e.notified_on(), &clause_basis);
    RETURN_IF_ERROR(CheckNotBefore(d, base + ".effective_date", e.effective_date(),
                                   by_clause,
                                   "the end its notice gives under the treaty"));
  }
  ended.set_effective_date_basis(basis);
  RETURN_IF_ERROR(CheckNotBefore(d, base + ".effective_date", ended.effective_date(),
                                 *started, "the start of provisional application"));
  return events;
}

// Whether the instrument-wide entry into force binds `party_id` (every CONTRACTING
// participant unless bound_party_ids names some).
bool Binds(const v1::EnteredIntoForce& e, const std::string& party_id) {
  const auto& bound = e.bound_party_ids();
  return bound.empty() || std::find(bound.begin(), bound.end(), party_id) != bound.end();
}

// Each participant named in bound_party_ids is CONTRACTING.
absl::Status CheckBound(const Decision& d, const v1::EnteredIntoForce& e) {
  for (const std::string& id : e.bound_party_ids()) {
    ASSIGN_OR_RETURN(const v1::Participation* p, Participant(d, id));
    if (p->status() != v1::PARTICIPATION_STATUS_CONTRACTING) {
      return IllegalForParticipant(d, *p,
                                   "only a CONTRACTING participant becomes a PARTY");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Events> DecideEntryIntoForce(const Decision& d) {
  const v1::EnteredIntoForce& e = d.change().entered_into_force();
  const std::string path = "change.entered_into_force.effective_date";
  const v1::Date& date = e.effective_date();
  if (e.party_id().empty()) {
    if (!d.StatusIn({kSignedNotInForce, kProvisionallyApplied})) return Illegal(d);
    RETURN_IF_ERROR(CheckBound(d, e));
    const bool bilateral = d.state.arity() == v1::ARITY_BILATERAL;
    const int needed = bilateral ? 2 : 1;
    const int contracting = e.bound_party_ids().empty() ? CountContracting(d.state)
                                                        : e.bound_party_ids_size();
    if (contracting < needed) {
      return Illegal(d,
                     absl::StrFormat("a %s agreement needs %d CONTRACTING participant%s "
                                     "(has %d)",
                                     bilateral ? "bilateral" : "non-bilateral", needed,
                                     needed == 1 ? "" : "s", contracting));
    }
    RETURN_IF_ERROR(
        CheckNotBefore(d, path, date, d.state.adopted_on(), "the adoption of the text"));
    for (const v1::Participation& p : d.state.participations()) {
      if (p.status() != v1::PARTICIPATION_STATUS_CONTRACTING || !Binds(e, p.party_id())) {
        continue;
      }
      RETURN_IF_ERROR(CheckNotBefore(d, path, date, ConsentDate(p.consent()),
                                     absl::StrCat("the consent of ", p.party_id())));
    }
    RETURN_IF_ERROR(CheckTermInCalendar(path, d.state, date));
    return Emit(d);
  }
  if (d.status() != kInForce) {
    return Illegal(d, "it enters into force for one party only once it is IN_FORCE");
  }
  ASSIGN_OR_RETURN(const v1::Participation* p, Participant(d, e.party_id()));
  if (p->status() != v1::PARTICIPATION_STATUS_CONTRACTING) {
    return IllegalForParticipant(d, *p, "only a CONTRACTING participant becomes a PARTY");
  }
  RETURN_IF_ERROR(
      CheckNotBefore(d, path, date, ConsentDate(p->consent()), "its consent"));
  RETURN_IF_ERROR(CheckExisting(d, path, date, p->party_id()));
  return Emit(d);
}

absl::StatusOr<Events> DecideSuspension(const Decision& d, bool suspend) {
  const std::string& party_id = suspend ? d.change().operation_suspended().party_id()
                                        : d.change().operation_resumed().party_id();
  if (party_id.empty()) {
    if (d.status() != (suspend ? kInForce : kSuspended)) return Illegal(d);
    if (suspend) {
      RETURN_IF_ERROR(CheckNotBefore(d, "change.operation_suspended.effective_date",
                                     d.change().operation_suspended().effective_date(),
                                     d.state.entered_into_force_on(),
                                     "its entry into force"));
    }
    return Emit(d);
  }
  if (suspend ? d.status() != kInForce : !d.StatusIn({kInForce, kSuspended})) {
    return Illegal(d);
  }
  ASSIGN_OR_RETURN(const v1::Participation* p, Participant(d, party_id));
  const P required =
      suspend ? v1::PARTICIPATION_STATUS_PARTY : v1::PARTICIPATION_STATUS_SUSPENDED;
  if (p->status() != required) {
    return IllegalForParticipant(d, *p,
                                 suspend ? "only the operation for a PARTY is suspended"
                                         : "its operation is not suspended");
  }
  if (suspend) {
    RETURN_IF_ERROR(CheckNotBefore(d, "change.operation_suspended.effective_date",
                                   d.change().operation_suspended().effective_date(),
                                   p->in_force_from(), "its entry into force for it"));
  }
  return Emit(d);
}

// The date a withdrawal takes effect: as notified; else under the treaty's withdrawal
// clause; else twelve months after the notification (VCLT 56(2)). A notified date
// earlier than the clause allows contradicts the treaty.
absl::StatusOr<Events> DecideWithdrawalNotified(const Decision& d) {
  if (!d.StatusIn({kInForce, kSuspended})) return Illegal(d);
  const v1::WithdrawalNotified& w = d.change().withdrawal_notified();
  ASSIGN_OR_RETURN(const v1::Participation* p, Participant(d, w.party_id()));
  if (p->status() != v1::PARTICIPATION_STATUS_PARTY) {
    return IllegalForParticipant(d, *p, "only a PARTY withdraws");
  }
  if (d.state.withdrawal_excluded()) {
    return IllegalForParticipant(
        d, *p,
        "the treaty admits no withdrawal (VCLT 56(1)); record the "
        "notification with depositary_notified");
  }
  const std::string base = "change.withdrawal_notified.withdrawal";
  const v1::Date& notified = w.withdrawal().notified_on();
  RETURN_IF_ERROR(CheckNotBefore(d, base + ".notified_on", notified, p->in_force_from(),
                                 "its entry into force for it"));
  const bool clause = d.state.has_withdrawal_clause();
  v1::Date by_clause;
  bool exact = true;
  if (clause) {
    by_clause = NoticeTakesEffect(notified, d.state.withdrawal_clause(),
                                  d.state.entered_into_force_on(), &exact);
  }
  Events events = Emit(d);
  v1::Withdrawal* withdrawal =
      events[0].mutable_withdrawal_notified()->mutable_withdrawal();
  if (IsDateSet(withdrawal->takes_effect_on())) {
    withdrawal->set_takes_effect_basis(v1::EFFECTIVE_DATE_BASIS_NOTIFIED);
    if (clause) {
      RETURN_IF_ERROR(CheckNotBefore(
          d, base + ".takes_effect_on", withdrawal->takes_effect_on(), by_clause,
          absl::StrCat("the date the treaty's withdrawal clause gives (",
                       FormatPeriod(d.state.withdrawal_clause().period()), " notice)")));
    }
  } else if (clause) {
    if (!exact) return TooImprecise(base + ".takes_effect_on", notified, by_clause);
    *withdrawal->mutable_takes_effect_on() = by_clause;
    withdrawal->set_takes_effect_basis(v1::EFFECTIVE_DATE_BASIS_TREATY_CLAUSE);
  } else {
    *withdrawal->mutable_takes_effect_on() = TwelveMonthsAfter(notified);
    withdrawal->set_takes_effect_basis(v1::EFFECTIVE_DATE_BASIS_VCLT_DEFAULT);
  }
  RETURN_IF_ERROR(CheckDerivedInCalendar(base + ".takes_effect_on", notified,
                                         withdrawal->takes_effect_on()));
  return events;
}

absl::StatusOr<Events> DecidePendingWithdrawal(const Decision& d,
                                               absl::string_view party_id) {
  ASSIGN_OR_RETURN(const v1::Participation* p, Participant(d, party_id));
  if (p->status() != v1::PARTICIPATION_STATUS_WITHDRAWAL_PENDING) {
    return IllegalForParticipant(d, *p, "no withdrawal is pending");
  }
  if (!d.change().has_withdrawal_took_effect()) {
    // VCLT 68: a withdrawal may be revoked before it takes effect.
    const v1::Date& revoked = d.change().withdrawal_revoked().date();
    RETURN_IF_ERROR(CheckNotBefore(d, "change.withdrawal_revoked.date", revoked,
                                   p->withdrawal().notified_on(), "the notification"));
    const v1::Date& takes = p->withdrawal().takes_effect_on();
    if (IsDateSet(takes) && CompareDates(revoked, takes) > 0 &&
        d.change().dates_confirmed_by().empty()) {
      return Invalid("change.withdrawal_revoked.date",
                     absl::StrFormat("%s is after the withdrawal took effect (%s): a "
                                     "withdrawal is revoked before it takes effect (VCLT "
                                     "68); if a source confirms both dates, name it in "
                                     "dates_confirmed_by",
                                     FormatDate(revoked), FormatDate(takes)));
    }
    return Emit(d);
  }

  const v1::WithdrawalTookEffect& took = d.change().withdrawal_took_effect();
  if (CompareDates(took.effective_date(), p->withdrawal().notified_on()) < 0) {
    return Invalid("change.withdrawal_took_effect.effective_date",
                   "must not precede the notification of the withdrawal");
  }
  Events events = Emit(d);
  // A bilateral treaty cannot survive the withdrawal of one of its two parties; a
  // multilateral one continues among the others (VCLT 55).
  if (d.state.arity() == v1::ARITY_BILATERAL && d.StatusIn({kInForce, kSuspended})) {
    v1::Terminated* terminated = events.emplace_back().mutable_terminated();
    terminated->set_ground(v1::TERMINATION_GROUND_DENUNCIATION_BILATERAL);
    *terminated->mutable_effective_date() = took.effective_date();
  }
  return events;
}

absl::StatusOr<Events> DecideTermination(const Decision& d) {
  if (!d.StatusIn({kInForce, kSuspended})) return Illegal(d);
  const v1::Terminated& t = d.change().terminated();
  if (t.ground() == v1::TERMINATION_GROUND_DENUNCIATION_BILATERAL &&
      d.state.arity() != v1::ARITY_BILATERAL) {
    return Illegal(d,
                   absl::StrFormat("ground DENUNCIATION_BILATERAL needs a bilateral "
                                   "agreement (arity is %s); a withdrawal never ends a "
                                   "multilateral treaty by itself (VCLT 55)",
                                   v1::Arity_Name(d.state.arity())));
  }
  if (t.ground() == v1::TERMINATION_GROUND_REPLACED_BY_LATER) {
    RETURN_IF_ERROR(RequireAgreement(d, t.replaced_by_agreement_id()));
  }
  RETURN_IF_ERROR(CheckNotBefore(d, "change.terminated.effective_date",
                                 t.effective_date(), d.state.entered_into_force_on(),
                                 "its entry into force"));
  return Emit(d);
}

}  // namespace

absl::StatusOr<Events> DecideInstrumentStep(const Decision& d) {
  const v1::EventPayload& c = d.change();
  if (d.lifecycle() != Lifecycle::kInstrument) {
    if (c.has_non_participation_declared()) {
      return NotInLifecycle(d,
                            "only a treaty binds a signatory before entry into force "
                            "(VCLT 18)");
    }
    if (c.has_terminated() || c.has_abandoned()) {
      return NotInLifecycle(d, d.lifecycle() == Lifecycle::kNonBinding
                                   ? "record discontinued"
                                   : "record contract_terminated or contract_cancelled");
    }
    return NotInLifecycle(d);
  }
  switch (c.kind_case()) {
    case v1::EventPayload::kTextAdopted:
      if (d.status() != v1::AGREEMENT_STATUS_NEGOTIATING) return Illegal(d);
      return Emit(d);
    case v1::EventPayload::kOpenedForSignature:
      if (d.status() != v1::AGREEMENT_STATUS_ADOPTED) return Illegal(d);
      RETURN_IF_ERROR(CheckNotBefore(d, "change.opened_for_signature.date",
                                     c.opened_for_signature().date(),
                                     d.state.adopted_on(), "the adoption of the text"));
      return Emit(d);
    case v1::EventPayload::kConsentExpressed:
      return DecideConsent(d);
    case v1::EventPayload::kProvisionalApplicationStarted:
      return DecideProvisionalStart(d);
    case v1::EventPayload::kProvisionalApplicationTerminated:
      return DecideProvisionalEnd(d);
    case v1::EventPayload::kEnteredIntoForce:
      return DecideEntryIntoForce(d);
    case v1::EventPayload::kOperationSuspended:
      return DecideSuspension(d, /*suspend=*/true);
    case v1::EventPayload::kOperationResumed:
      return DecideSuspension(d, /*suspend=*/false);
    case v1::EventPayload::kWithdrawalNotified:
      return DecideWithdrawalNotified(d);
    case v1::EventPayload::kWithdrawalRevoked:
      return DecidePendingWithdrawal(d, c.withdrawal_revoked().party_id());
    case v1::EventPayload::kWithdrawalTookEffect:
      return DecidePendingWithdrawal(d, c.withdrawal_took_effect().party_id());
    case v1::EventPayload::kTerminated:
      return DecideTermination(d);
    case v1::EventPayload::kAbandoned:
      if (!d.StatusIn({kOpenForSignature, kSignedNotInForce})) return Illegal(d);
      RETURN_IF_ERROR(CheckNotBefore(d, "change.abandoned.date", c.abandoned().date(),
                                     d.state.opened_for_signature_on(),
                                     "the opening for signature"));
      return Emit(d);
    case v1::EventPayload::kNonParticipationDeclared:
      return DecideNonParticipation(d);
    default:
      return absl::InternalError("DecideInstrumentStep: unexpected change");
  }
}

}  // namespace agreements::domain::internal
