// Signatures in every lifecycle, the non-binding lifecycle (came_into_effect,
// discontinued), the contract lifecycle (contract_*) and legal-nature reassessment.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/date_format.h"
#include "common/status_macros.h"
#include "domain/decide_internal.h"
#include "domain/limits.h"
#include "domain/validation.h"
#include "domain/validation_internal.h"

namespace agreements::domain::internal {
namespace {

using S = v1::AgreementStatus;

absl::StatusOr<Events> DecideSignature(const Decision& d) {
  const v1::ParticipantSigned& e = d.change().participant_signed();
  switch (d.lifecycle()) {
    case Lifecycle::kInstrument:
      if (!d.StatusIn({v1::AGREEMENT_STATUS_DRAFT, v1::AGREEMENT_STATUS_NEGOTIATING,
                       v1::AGREEMENT_STATUS_ADOPTED,
                       v1::AGREEMENT_STATUS_OPEN_FOR_SIGNATURE,
                       v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE,
                       v1::AGREEMENT_STATUS_PROVISIONALLY_APPLIED,
                       v1::AGREEMENT_STATUS_IN_FORCE})) {
        return Illegal(d);
      }
      break;
    case Lifecycle::kNonBinding:
      if (e.signature().kind() == v1::SIGNATURE_KIND_DEFINITIVE) {
        return NotInLifecycle(
            d,
            "a definitive signature expresses consent to be bound; record "
            "legal_nature_reassessed first");
      }
      if (!d.StatusIn({v1::AGREEMENT_STATUS_DRAFT, v1::AGREEMENT_STATUS_SIGNED,
                       v1::AGREEMENT_STATUS_IN_EFFECT})) {
        return Illegal(d);
      }
      break;
    case Lifecycle::kContract:
      if (!d.StatusIn({v1::AGREEMENT_STATUS_DRAFT, v1::AGREEMENT_STATUS_SIGNED})) {
        return Illegal(d);
      }
      break;
  }
  ASSIGN_OR_RETURN(const v1::Participation* p, Participant(d, e.party_id()));
  const bool signed_before = IsDateSet(p->signature().date());
  if (p->status() == v1::PARTICIPATION_STATUS_NOT_BECOMING_PARTY && signed_before) {
    return IllegalForParticipant(d, *p,
                                 "it has already signed; it reverses its declaration "
                                 "(VCLT 18) by expressing consent to be bound");
  }
  // A participant that declared it would not become a party without having signed may
  // sign later: the signature reverses the declaration (a new period).
  if (p->status() != v1::PARTICIPATION_STATUS_NEGOTIATING &&
      p->status() != v1::PARTICIPATION_STATUS_NOT_BECOMING_PARTY) {
    return IllegalForParticipant(d, *p, "it has already signed");
  }
  const std::string path = "change.participant_signed.signature.date";
  const v1::Date& date = e.signature().date();
  RETURN_IF_ERROR(
      CheckNotBefore(d, path, date, d.state.adopted_on(), "the adoption of the text"));
  RETURN_IF_ERROR(CheckNotBefore(d, path, date, d.state.opened_for_signature_on(),
                                 "the opening for signature"));
  RETURN_IF_ERROR(CheckNotBefore(d, path, date, p->non_participation_declared_on(),
                                 "its declaration that it would not become a party"));
  RETURN_IF_ERROR(CheckExisting(d, path, date, e.party_id()));
  return Emit(d);
}

// The date of the contract is the date of its last signature (DOMAIN.md), so it cannot
// precede a participant signature already recorded. Compared at the coarser precision.
absl::StatusOr<Events> DecideContractSigned(const Decision& d) {
  if (d.status() != v1::AGREEMENT_STATUS_DRAFT) return Illegal(d);
  const v1::Date& date = d.change().contract_signed().date();
  const v1::Date* last = nullptr;
  for (const v1::Participation& p : d.state.participations()) {
    const v1::Date& signed_on = p.signature().date();
    if (!IsDateSet(signed_on) || CompareDates(date, signed_on) >= 0) continue;
    if (last == nullptr || CompareDates(signed_on, *last) > 0) last = &signed_on;
  }
  if (last != nullptr) {
    return Invalid("change.contract_signed.date",
                   absl::StrCat("must not be earlier than the last participant "
                                "signature (",
                                FormatDate(*last), ")"));
  }
  return Emit(d);
}

absl::StatusOr<Events> DecideReassessment(const Decision& d) {
  const v1::LegalNature to = d.change().legal_nature_reassessed().legal_nature();
  if (to == d.state.legal_nature()) {
    return Illegal(d, absl::StrCat("the legal nature is already ", NatureName(to)));
  }
  if (!StatusAfterReassessment(d.state.legal_nature(), d.status(), to).has_value()) {
    return Illegal(d,
                   absl::StrFormat("a %s instrument in this status has no counterpart in "
                                   "the lifecycle of %s",
                                   NatureName(d.state.legal_nature()), NatureName(to)));
  }
  if (d.lifecycle() == Lifecycle::kInstrument &&
      LifecycleOf(to) != Lifecycle::kInstrument) {
    for (const v1::Participation& p : d.state.participations()) {
      if (p.status() != v1::PARTICIPATION_STATUS_NEGOTIATING &&
          p.status() != v1::PARTICIPATION_STATUS_SIGNATORY &&
          p.status() != v1::PARTICIPATION_STATUS_NOT_BECOMING_PARTY) {
        return IllegalForParticipant(
            d, p,
            absl::StrCat("it has expressed consent to be bound under international "
                         "law, which ",
                         NatureName(to), " does not know"));
      }
    }
  }
  // Participants sign a contract before its own signature (contract_signed), so a DRAFT
  // contract may hold their signatures; in the other lifecycles the first signature
  // ends DRAFT, and the agreement would stay a draft that no command moves on.
  if (d.lifecycle() == Lifecycle::kContract && LifecycleOf(to) != Lifecycle::kContract &&
      d.status() == v1::AGREEMENT_STATUS_DRAFT) {
    for (const v1::Participation& p : d.state.participations()) {
      if (p.status() != v1::PARTICIPATION_STATUS_SIGNATORY) continue;
      return IllegalForParticipant(
          d, p,
          absl::StrCat("it has signed, and a signed agreement of legal nature ",
                       NatureName(to),
                       " is no longer a draft; record contract_signed first"));
    }
  }
  return Emit(d);
}

absl::StatusOr<Events> RequireStatus(const Decision& d, std::initializer_list<S> from) {
  if (!d.StatusIn(from)) return Illegal(d);
  return Emit(d);
}

absl::StatusOr<Events> DecideNonBinding(const Decision& d) {
  const bool effect = d.change().has_came_into_effect();
  if (d.lifecycle() != Lifecycle::kNonBinding) {
    if (d.lifecycle() == Lifecycle::kContract) {
      return NotInLifecycle(d, effect
                                   ? "record contract_activated"
                                   : "record contract_terminated or contract_cancelled");
    }
    return NotInLifecycle(
        d, effect ? "record entered_into_force" : "record terminated or abandoned");
  }
  if (effect) {
    const std::string path = "change.came_into_effect.effective_date";
    const v1::Date& date = d.change().came_into_effect().effective_date();
    RETURN_IF_ERROR(CheckNotBefore(d, path, date, d.state.signed_on(), "its signature"));
    RETURN_IF_ERROR(CheckTermInCalendar(path, d.state, date));
    return RequireStatus(d, {v1::AGREEMENT_STATUS_SIGNED});
  }
  RETURN_IF_ERROR(CheckNotBefore(d, "change.discontinued.effective_date",
                                 d.change().discontinued().effective_date(),
                                 d.state.signed_on(), "its signature"));
  return RequireStatus(d, {v1::AGREEMENT_STATUS_SIGNED, v1::AGREEMENT_STATUS_IN_EFFECT});
}

absl::StatusOr<Events> DecideContract(const Decision& d) {
  const v1::EventPayload& c = d.change();
  if (d.lifecycle() != Lifecycle::kContract) {
    return NotInLifecycle(d, c.has_contract_signed() ? "record participant_signed" : "");
  }
  switch (c.kind_case()) {
    case v1::EventPayload::kContractSigned:
      return DecideContractSigned(d);
    case v1::EventPayload::kContractActivated:
      RETURN_IF_ERROR(CheckNotBefore(d, "change.contract_activated.effective_date",
                                     c.contract_activated().effective_date(),
                                     d.state.signed_on(), "the contract's signature"));
      RETURN_IF_ERROR(CheckTermInCalendar("change.contract_activated.effective_date",
                                          d.state,
                                          c.contract_activated().effective_date()));
      return RequireStatus(d, {v1::AGREEMENT_STATUS_SIGNED});
    case v1::EventPayload::kContractCompleted:
      RETURN_IF_ERROR(CheckNotBefore(d, "change.contract_completed.date",
                                     c.contract_completed().date(),
                                     d.state.entered_into_force_on(), "its activation"));
      return RequireStatus(d, {v1::AGREEMENT_STATUS_ACTIVE});
    case v1::EventPayload::kContractTerminated:
      RETURN_IF_ERROR(CheckNotBefore(d, "change.contract_terminated.effective_date",
                                     c.contract_terminated().effective_date(),
                                     d.state.entered_into_force_on(), "its activation"));
      return RequireStatus(d, {v1::AGREEMENT_STATUS_ACTIVE});
    case v1::EventPayload::kContractCancelled:
      return RequireStatus(d, {v1::AGREEMENT_STATUS_DRAFT, v1::AGREEMENT_STATUS_SIGNED});
    case v1::EventPayload::kContractAmended: {
      if (!d.StatusIn({v1::AGREEMENT_STATUS_SIGNED, v1::AGREEMENT_STATUS_ACTIVE})) {
        return Illegal(
            d, "only a signed contract is amended; a draft changes by correction");
      }
      const std::string& amending =
          c.contract_amended().amendment().amending_agreement_id();
      if (!amending.empty()) RETURN_IF_ERROR(RequireAgreement(d, amending));
      RETURN_IF_ERROR(
          RequireRoom(d, d.state.amendments_size(), kMaxAmendments, "amendments"));
      return Emit(d);
    }
    default:
      return absl::InternalError("DecideContract: unexpected change");
  }
}

}  // namespace

absl::StatusOr<Events> DecideOtherStep(const Decision& d) {
  switch (d.change().kind_case()) {
    case v1::EventPayload::kParticipantSigned:
      return DecideSignature(d);
    case v1::EventPayload::kLegalNatureReassessed:
      return DecideReassessment(d);
    case v1::EventPayload::kCameIntoEffect:
    case v1::EventPayload::kDiscontinued:
      return DecideNonBinding(d);
    case v1::EventPayload::kContractSigned:
    case v1::EventPayload::kContractActivated:
    case v1::EventPayload::kContractCompleted:
    case v1::EventPayload::kContractTerminated:
    case v1::EventPayload::kContractCancelled:
    case v1::EventPayload::kContractAmended:
      return DecideContract(d);
    default:
      return Invalid("change", absl::StrCat(ActionOf(d.change().kind_case()),
                                            " does not apply to an agreement stream"));
  }
}

}  // namespace agreements::domain::internal
