// The instrument lifecycle (binding international, mixed and undetermined instruments):
// text adoption, opening for signature, consent, provisional application, entry into
// force, suspension, withdrawal, termination and abandonment.
#include <string>

#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "domain/decide_internal.h"
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

// The default date a withdrawal takes effect when the notification names none: twelve
// months after the notification (VCLT 56(2)), at the notification's precision.
v1::Date TwelveMonthsAfter(const v1::Date& notified_on) {
  v1::Date date = notified_on;
  date.set_year(notified_on.year() + 1);
  if (date.precision() == v1::DATE_PRECISION_DAY && date.month() == 2 &&
      date.day() == 29) {
    date.set_day(28);
  }
  return date;
}

int CountContracting(const v1::Agreement& state) {
  int count = 0;
  for (const v1::Participation& p : state.participations()) {
    if (p.status() == v1::PARTICIPATION_STATUS_CONTRACTING) ++count;
  }
  return count;
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
  if (p->status() == v1::PARTICIPATION_STATUS_NOT_BECOMING_PARTY) {
    return IllegalForParticipant(d, *p, kDeclaredNotToBecomeParty);
  }
  if (e.consent().means() == v1::CONSENT_MEANS_RATIFICATION) {
    if (p->status() != v1::PARTICIPATION_STATUS_SIGNATORY) {
      return IllegalForParticipant(
          d, *p, "ratification follows a signature subject to ratification (VCLT 14)");
    }
  } else if (p->status() != v1::PARTICIPATION_STATUS_NEGOTIATING &&
             p->status() != v1::PARTICIPATION_STATUS_SIGNATORY) {
    return IllegalForParticipant(d, *p, "consent to be bound is expressed only once");
  }
  return Emit(d);
}

// VCLT 18(a): a State that took part in the negotiation or signed subject to
// ratification may make clear its intention not to become a party; one that has
// expressed consent to be bound withdraws instead (once the treaty is in force).
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
  return Emit(d);
}

absl::StatusOr<Events> DecideProvisionalStart(const Decision& d) {
  const std::string& party_id = d.change().provisional_application_started().party_id();
  if (party_id.empty()) {
    if (d.status() != kSignedNotInForce) return Illegal(d);
    return Emit(d);
  }
  if (!d.StatusIn({kSignedNotInForce, kProvisionallyApplied, kInForce}))
    return Illegal(d);
  ASSIGN_OR_RETURN(const v1::Participation* p, Participant(d, party_id));
  if (p->status() != v1::PARTICIPATION_STATUS_SIGNATORY &&
      p->status() != v1::PARTICIPATION_STATUS_CONTRACTING) {
    return IllegalForParticipant(d, *p,
                                 "only a SIGNATORY or CONTRACTING participant applies an "
                                 "agreement provisionally");
  }
  if (AppliesProvisionally(*p)) {
    return IllegalForParticipant(d, *p, "it already applies the agreement provisionally");
  }
  return Emit(d);
}

absl::StatusOr<Events> DecideProvisionalEnd(const Decision& d) {
  const std::string& party_id =
      d.change().provisional_application_terminated().party_id();
  if (party_id.empty()) {
    if (d.status() != kProvisionallyApplied) return Illegal(d);
    return Emit(d);
  }
  ASSIGN_OR_RETURN(const v1::Participation* p, Participant(d, party_id));
  if (!AppliesProvisionally(*p)) {
    return IllegalForParticipant(d, *p, "it does not apply the agreement provisionally");
  }
  return Emit(d);
}

absl::StatusOr<Events> DecideEntryIntoForce(const Decision& d) {
  const std::string& party_id = d.change().entered_into_force().party_id();
  if (party_id.empty()) {
    if (!d.StatusIn({kSignedNotInForce, kProvisionallyApplied})) return Illegal(d);
    const bool bilateral = d.state.arity() == v1::ARITY_BILATERAL;
    const int needed = bilateral ? 2 : 1;
    const int contracting = CountContracting(d.state);
    if (contracting < needed) {
      return Illegal(d,
                     absl::StrFormat("a %s agreement needs %d CONTRACTING participant%s "
                                     "(has %d)",
                                     bilateral ? "bilateral" : "non-bilateral", needed,
                                     needed == 1 ? "" : "s", contracting));
    }
    return Emit(d);
  }
  if (d.status() != kInForce) {
    return Illegal(d, "it enters into force for one party only once it is IN_FORCE");
  }
  ASSIGN_OR_RETURN(const v1::Participation* p, Participant(d, party_id));
  if (p->status() != v1::PARTICIPATION_STATUS_CONTRACTING) {
    return IllegalForParticipant(d, *p, "only a CONTRACTING participant becomes a PARTY");
  }
  return Emit(d);
}

absl::StatusOr<Events> DecideSuspension(const Decision& d, bool suspend) {
  const std::string& party_id = suspend ? d.change().operation_suspended().party_id()
                                        : d.change().operation_resumed().party_id();
  if (party_id.empty()) {
    if (d.status() != (suspend ? kInForce : kSuspended)) return Illegal(d);
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
  return Emit(d);
}

absl::StatusOr<Events> DecideWithdrawalNotified(const Decision& d) {
  if (!d.StatusIn({kInForce, kSuspended})) return Illegal(d);
  const v1::WithdrawalNotified& w = d.change().withdrawal_notified();
  ASSIGN_OR_RETURN(const v1::Participation* p, Participant(d, w.party_id()));
  if (p->status() != v1::PARTICIPATION_STATUS_PARTY) {
    return IllegalForParticipant(d, *p, "only a PARTY withdraws");
  }
  Events events = Emit(d);
  v1::Withdrawal* withdrawal =
      events[0].mutable_withdrawal_notified()->mutable_withdrawal();
  if (!IsDateSet(withdrawal->takes_effect_on())) {
    *withdrawal->mutable_takes_effect_on() = TwelveMonthsAfter(withdrawal->notified_on());
  }
  return events;
}

absl::StatusOr<Events> DecidePendingWithdrawal(const Decision& d,
                                               absl::string_view party_id) {
  ASSIGN_OR_RETURN(const v1::Participation* p, Participant(d, party_id));
  if (p->status() != v1::PARTICIPATION_STATUS_WITHDRAWAL_PENDING) {
    return IllegalForParticipant(d, *p, "no withdrawal is pending");
  }
  if (!d.change().has_withdrawal_took_effect()) return Emit(d);

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
      return Emit(d);
    case v1::EventPayload::kNonParticipationDeclared:
      return DecideNonParticipation(d);
    default:
      return absl::InternalError("DecideInstrumentStep: unexpected change");
  }
}

}  // namespace agreements::domain::internal
