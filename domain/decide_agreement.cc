// DecideAgreement: the entry point, agreement_recorded, the terminal-status gate, and the
// commands every lifecycle shares (participants, amendments, classifications, amounts,
// documents, relations).
#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/date_format.h"
#include "common/error_info.h"
#include "common/status_macros.h"
#include "domain/calendar.h"
#include "domain/confidentiality.h"
#include "domain/decide_internal.h"
#include "domain/decider.h"
#include "domain/limits.h"
#include "domain/validation.h"
#include "domain/validation_internal.h"

namespace agreements::domain {
namespace internal {

bool Decision::StatusIn(std::initializer_list<v1::AgreementStatus> statuses) const {
  for (v1::AgreementStatus s : statuses) {
    if (state.status() == s) return true;
  }
  return false;
}

absl::Status Illegal(const Decision& d, absl::string_view why) {
  std::string message =
      absl::StrFormat("agreement %s is %s: cannot %s", d.id(), StatusName(d.status()),
                      ActionOf(d.change().kind_case()));
  if (!why.empty()) absl::StrAppend(&message, ": ", why);
  absl::Status status = errors::WithReason(
      absl::FailedPreconditionError(message), errors::kIllegalTransition,
      {{"agreement_id", d.id()},
       {"current_status", StatusName(d.status())},
       {"action", ActionOf(d.change().kind_case())}});
  return errors::WithPrecondition(std::move(status), "STATUS",
                                  absl::StrCat("agreements/", d.id()), message);
}

absl::Status NotInLifecycle(const Decision& d, absl::string_view hint) {
  const char* lifecycle = d.lifecycle() == Lifecycle::kNonBinding ? "non-binding"
                          : d.lifecycle() == Lifecycle::kContract ? "contract"
                                                                  : "instrument";
  std::string why = absl::StrFormat("its legal nature %s follows the %s lifecycle",
                                    NatureName(d.state.legal_nature()), lifecycle);
  if (hint.empty() && d.lifecycle() == Lifecycle::kNonBinding) {
    hint = "record legal_nature_reassessed first";
  }
  if (!hint.empty()) absl::StrAppend(&why, "; ", hint);
  return Illegal(d, why);
}

absl::Status IllegalForParticipant(const Decision& d, const v1::Participation& p,
                                   absl::string_view why) {
  const std::string message = absl::StrFormat(
      "party %s in agreement %s is %s: cannot %s: %s", p.party_id(), d.id(),
      ParticipationStatusName(p.status()), ActionOf(d.change().kind_case()), why);
  absl::Status status = errors::WithReason(
      absl::FailedPreconditionError(message), errors::kIllegalTransition,
      {{"agreement_id", d.id()},
       {"party_id", p.party_id()},
       {"current_status", ParticipationStatusName(p.status())},
       {"action", ActionOf(d.change().kind_case())}});
  return errors::WithPrecondition(
      std::move(status), "PARTICIPATION_STATUS",
      absl::StrCat("agreements/", d.id(), "/participations/", p.party_id()), message);
}

absl::StatusOr<const v1::Participation*> Participant(const Decision& d,
                                                     absl::string_view party_id) {
  if (const v1::Participation* p = FindParticipation(d.state, party_id)) return p;
  if (!d.context.parties.contains(party_id)) {
    return PartyNotFound(party_id);
  }
  return errors::WithReason(
      absl::FailedPreconditionError(absl::StrFormat(
          "party %s is not a participant of agreement %s: cannot %s; add it with "
          "participant_added first",
          party_id, d.id(), ActionOf(d.change().kind_case()))),
      errors::kNotAParticipant,
      {{"agreement_id", d.id()}, {"party_id", std::string(party_id)}});
}

absl::Status RequireAgreement(const Decision& d, absl::string_view agreement_id) {
  if (d.context.agreements.contains(agreement_id)) return absl::OkStatus();
  return AgreementNotFound(agreement_id);
}

absl::Status RequireRoom(const Decision& d, int size, int max, absl::string_view what) {
  if (size < max) return absl::OkStatus();
  return errors::WithReason(
      absl::FailedPreconditionError(
          absl::StrFormat("agreement %s has %d %s: cannot %s: the limit is %d", d.id(),
                          size, what, ActionOf(d.change().kind_case()), max)),
      errors::kLimitReached,
      {{"agreement_id", d.id()},
       {"limit", absl::StrCat(max)},
       {"what", std::string(what)}});
}

Events Emit(const Decision& d) { return Events{d.change()}; }

absl::Status CheckNotBefore(const Decision& d, absl::string_view path,
                            const v1::Date& date, const v1::Date& earlier,
                            absl::string_view what) {
  if (!IsDateSet(date) || !IsDateSet(earlier) || CompareDates(date, earlier) >= 0 ||
      !d.change().dates_confirmed_by().empty()) {
    return absl::OkStatus();
  }
  return Invalid(path, absl::StrFormat("%s is before %s (%s); if a source confirms both "
                                       "dates, name it in dates_confirmed_by",
                                       FormatDate(date), what, FormatDate(earlier)));
}

const v1::Date& ConsentDate(const v1::Consent& consent) {
  // A successor is bound from the date of succession, whenever it notified it.
  if (consent.means() == v1::CONSENT_MEANS_SUCCESSION && IsDateSet(consent.act_date())) {
    return consent.act_date();
  }
  return IsDateSet(consent.deposit_date()) ? consent.deposit_date() : consent.act_date();
}

absl::Status CheckExisting(const Decision& d, absl::string_view path,
                           const v1::Date& date, absl::string_view party_id) {
  auto it = d.context.parties.find(party_id);
  if (it == d.context.parties.end() || !IsDateSet(date)) return absl::OkStatus();
  const v1::Party& party = it->second;
  RETURN_IF_ERROR(CheckNotBefore(d, path, date, party.existed_from(),
                                 absl::StrCat("the existence of ", party_id)));
  if (IsDateSet(party.existed_until()) && CompareDates(date, party.existed_until()) > 0 &&
      d.change().dates_confirmed_by().empty()) {
    return Invalid(
        path,
        absl::StrFormat("%s is after %s ceased to exist (%s); if a source "
                        "confirms both dates, name it in "
                        "dates_confirmed_by",
                        FormatDate(date), party_id, FormatDate(party.existed_until())));
  }
  return absl::OkStatus();
}

absl::Status CheckDerivedInCalendar(absl::string_view path, const v1::Date& notified_on,
                                    const v1::Date& derived) {
  if (derived.year() <= kMaxYear) return absl::OkStatus();
  return Invalid(path,
                 absl::StrFormat("must be given: the date derived from the notice of "
                                 "%s (%s) is after 31 December %d, the last date the "
                                 "registry records",
                                 FormatDate(notified_on), FormatDate(derived), kMaxYear));
}

absl::Status CheckTermInCalendar(absl::string_view path, const v1::Agreement& state,
                                 const v1::Date& entry) {
  if (!state.has_term()) return absl::OkStatus();
  v1::Agreement from_entry;
  *from_entry.mutable_term() = state.term();
  *from_entry.mutable_extensions() = state.extensions();
  *from_entry.mutable_entered_into_force_on() = entry;
  const v1::Date end = ExpiryOn(from_entry, v1::Date());
  if (end.year() <= kMaxYear) return absl::OkStatus();
  return Invalid(path, absl::StrFormat("the term of %s from %s would end on %s, after 31 "
                                       "December %d, the last date the registry records",
                                       FormatPeriod(state.term().duration()),
                                       FormatDate(entry), FormatDate(end), kMaxYear));
}

namespace {

// Terminal statuses accept only data that does not change the legal situation; completed
// and early-terminated contracts also accept their final figures.
bool AllowedWhenTerminal(const Decision& d) {
  switch (d.change().kind_case()) {
    case v1::EventPayload::kRecordCorrected:
    case v1::EventPayload::kDocumentAttached:
    case v1::EventPayload::kRelationLinked:
    case v1::EventPayload::kConfidentialityChanged:
    case v1::EventPayload::kIdentifierAdded:
    case v1::EventPayload::kDepositaryNotified:
    case v1::EventPayload::kParticipantCeased:
      return true;
    case v1::EventPayload::kRegisteredWithUn:
    case v1::EventPayload::kPublicationRecorded:
      // Late registration of a treaty that was in force is still registration.
      return d.status() == v1::AGREEMENT_STATUS_TERMINATED;
    case v1::EventPayload::kAmountRecorded:
    case v1::EventPayload::kAmountRevised:
      return d.StatusIn(
          {v1::AGREEMENT_STATUS_COMPLETED, v1::AGREEMENT_STATUS_TERMINATED_EARLY});
    default:
      return false;
  }
}

absl::StatusOr<Events> DecideRecorded(const v1::Agreement* state,
                                      const v1::Command& command,
                                      const DecideContext& context) {
  if (state != nullptr) {
    return AgreementExists(command.stream_id());
  }
  const v1::Agreement& a = command.change().agreement_recorded().agreement();
  for (int i = 0; i < a.participations_size(); ++i) {
    if (!context.parties.contains(a.participations(i).party_id())) {
      return PartyNotFound(
          a.participations(i).party_id(),
          absl::StrFormat(
              "change.agreement_recorded.agreement.participations[%d].party_id", i));
    }
  }
  for (int i = 0; i < a.depositaries_size(); ++i) {
    if (!context.parties.contains(a.depositaries(i).party_id())) {
      return PartyNotFound(
          a.depositaries(i).party_id(),
          absl::StrFormat("change.agreement_recorded.agreement.depositaries[%d].party_id",
                          i));
    }
  }
  for (int i = 0; i < a.relations_size(); ++i) {
    if (!context.agreements.contains(a.relations(i).target_agreement_id())) {
      return AgreementNotFound(
          a.relations(i).target_agreement_id(),
          absl::StrFormat(
              "change.agreement_recorded.agreement.relations[%d].target_agreement_id",
              i));
    }
  }
  Events events{command.change()};
  v1::AgreementRecorded* recorded = events[0].mutable_agreement_recorded();
  recorded->mutable_agreement()->set_id(command.stream_id());
  if (recorded->initial_status() == v1::AGREEMENT_STATUS_UNSPECIFIED) {
    recorded->set_initial_status(v1::AGREEMENT_STATUS_DRAFT);
  }
  return events;
}

absl::StatusOr<Events> DecideParticipantAdded(const Decision& d) {
  const std::string& party_id = d.change().participant_added().participation().party_id();
  if (!d.context.parties.contains(party_id)) {
    return PartyNotFound(party_id);
  }
  if (FindParticipation(d.state, party_id) != nullptr) {
    return Invalid("change.participant_added.participation.party_id",
                   absl::StrFormat("party %s already participates in agreement %s",
                                   party_id, d.id()));
  }
  const v1::Participation& added = d.change().participant_added().participation();
  if (d.state.arity() == v1::ARITY_BILATERAL &&
      std::find(added.roles().begin(), added.roles().end(), v1::PARTICIPANT_ROLE_PARTY) !=
          added.roles().end() &&
      CountPartyRoles(d.state.participations()) >= 2) {
    return Invalid("change.participant_added.participation.roles",
                   absl::StrFormat("agreement %s is ARITY_BILATERAL and already has two "
                                   "participants with role PARTICIPANT_ROLE_PARTY; "
                                   "correct its arity to ARITY_MULTILATERAL first",
                                   d.id()));
  }
  RETURN_IF_ERROR(RequireRoom(d, d.state.participations_size(), kMaxParticipations,
                              "participations"));
  return Emit(d);
}

absl::StatusOr<Events> DecideAmendment(const Decision& d) {
  switch (d.lifecycle()) {
    case Lifecycle::kContract:
      return NotInLifecycle(d, "record contract_amended");
    case Lifecycle::kNonBinding:
      if (!d.StatusIn({v1::AGREEMENT_STATUS_SIGNED, v1::AGREEMENT_STATUS_IN_EFFECT})) {
        return Illegal(d, "only a signed instrument is amended");
      }
      break;
    case Lifecycle::kInstrument:
      if (d.StatusIn({v1::AGREEMENT_STATUS_DRAFT, v1::AGREEMENT_STATUS_NEGOTIATING})) {
        return Illegal(d,
                       "only an adopted text is amended; a draft changes by correction");
      }
      break;
  }
  const std::string& amending =
      d.change().amendment_adopted().amendment().amending_agreement_id();
  if (!amending.empty()) RETURN_IF_ERROR(RequireAgreement(d, amending));
  RETURN_IF_ERROR(
      RequireRoom(d, d.state.amendments_size(), kMaxAmendments, "amendments"));
  return Emit(d);
}

absl::StatusOr<Events> DecideAmountRecorded(const Decision& d) {
  const std::string& amount_id = d.change().amount_recorded().amount().id();
  for (const v1::Amount& amount : d.state.amounts()) {
    if (amount.id() == amount_id) {
      return Invalid(
          "change.amount_recorded.amount.id",
          absl::StrFormat("amount %s already exists in agreement %s; revise it "
                          "with amount_revised",
                          amount_id, d.id()));
    }
  }
  RETURN_IF_ERROR(RequireRoom(d, d.state.amounts_size(), kMaxAmounts, "amounts"));
  return Emit(d);
}

absl::StatusOr<Events> DecideAmountRevised(const Decision& d) {
  const std::string& amount_id = d.change().amount_revised().amount_id();
  for (const v1::Amount& amount : d.state.amounts()) {
    if (amount.id() == amount_id) return Emit(d);
  }
  return Invalid("change.amount_revised.amount_id",
                 absl::StrFormat("agreement %s has no amount %s; record it with "
                                 "amount_recorded",
                                 d.id(), amount_id));
}

absl::StatusOr<Events> DecideDocumentAttached(const Decision& d) {
  const v1::DocumentReference& document = d.change().document_attached().document();
  for (const v1::DocumentReference& existing : d.state.documents()) {
    if (existing.url() == document.url() && existing.sha256() == document.sha256()) {
      return Invalid(
          "change.document_attached.document",
          absl::StrFormat("agreement %s already references this document (same "
                          "url and sha256)",
                          d.id()));
    }
  }
  RETURN_IF_ERROR(RequireRoom(d, d.state.documents_size(), kMaxDocuments, "documents"));
  return Emit(d);
}

absl::StatusOr<Events> DecideRelationLinked(const Decision& d) {
  const v1::Relation& relation = d.change().relation_linked().relation();
  RETURN_IF_ERROR(RequireAgreement(d, relation.target_agreement_id()));
  for (const v1::Relation& existing : d.state.relations()) {
    if (existing.type() == relation.type() &&
        existing.target_agreement_id() == relation.target_agreement_id()) {
      return Invalid("change.relation_linked.relation",
                     absl::StrFormat("agreement %s already has this relation to %s",
                                     d.id(), relation.target_agreement_id()));
    }
  }
  RETURN_IF_ERROR(RequireRoom(d, d.state.relations_size(), kMaxRelations, "relations"));
  return Emit(d);
}

}  // namespace
}  // namespace internal

absl::StatusOr<std::vector<v1::EventPayload>> DecideAgreement(
    const v1::Agreement* state, const v1::Command& command,
    const DecideContext& context) {
  RETURN_IF_ERROR(ValidateCommand(command));
  if (command.stream_type() != v1::STREAM_TYPE_AGREEMENT) {
    return internal::Invalid(
        "stream_type",
        absl::StrCat("must be STREAM_TYPE_AGREEMENT for an agreement (got ",
                     v1::StreamType_Name(command.stream_type()), ")"));
  }
  if (command.stream_id().empty()) {
    return internal::Invalid("stream_id",
                             "must be set before deciding (ids are assigned "
                             "by the committer)");
  }
  if (command.change().has_agreement_recorded()) {
    return internal::DecideRecorded(state, command, context);
  }
  if (state == nullptr) {
    return internal::AgreementNotFound(command.stream_id());
  }
  const internal::Decision d{*state, command, context};
  if (internal::IsTerminal(state->status()) && !internal::AllowedWhenTerminal(d)) {
    return internal::Illegal(d);
  }
  if (internal::IsPracticeEvent(command.change().kind_case())) {
    return internal::DecidePracticeStep(d);
  }
  switch (command.change().kind_case()) {
    case v1::EventPayload::kParticipantAdded:
      return internal::DecideParticipantAdded(d);
    case v1::EventPayload::kAmendmentAdopted:
      return internal::DecideAmendment(d);
    case v1::EventPayload::kClassificationChanged:
      return internal::Emit(d);
    case v1::EventPayload::kConfidentialityChanged:
      if (LevelOf(*state) == command.change().confidentiality_changed().level()) {
        return absl::FailedPreconditionError(
            absl::StrCat("change.confidentiality_changed.level: agreement ",
                         command.stream_id(), " is already ",
                         v1::Confidentiality_Name(
                             command.change().confidentiality_changed().level())));
      }
      return internal::Emit(d);
    case v1::EventPayload::kAmountRecorded:
      return internal::DecideAmountRecorded(d);
    case v1::EventPayload::kAmountRevised:
      return internal::DecideAmountRevised(d);
    case v1::EventPayload::kDocumentAttached:
      return internal::DecideDocumentAttached(d);
    case v1::EventPayload::kRelationLinked:
      return internal::DecideRelationLinked(d);
    case v1::EventPayload::kRecordCorrected:
      return internal::DecideAgreementCorrection(d);
    case v1::EventPayload::kTextAdopted:
    case v1::EventPayload::kOpenedForSignature:
    case v1::EventPayload::kConsentExpressed:
    case v1::EventPayload::kProvisionalApplicationStarted:
    case v1::EventPayload::kProvisionalApplicationTerminated:
    case v1::EventPayload::kEnteredIntoForce:
    case v1::EventPayload::kOperationSuspended:
    case v1::EventPayload::kOperationResumed:
    case v1::EventPayload::kWithdrawalNotified:
    case v1::EventPayload::kWithdrawalRevoked:
    case v1::EventPayload::kWithdrawalTookEffect:
    case v1::EventPayload::kTerminated:
    case v1::EventPayload::kAbandoned:
    case v1::EventPayload::kNonParticipationDeclared:
      return internal::DecideInstrumentStep(d);
    default:
      return internal::DecideOtherStep(d);
  }
}

}  // namespace agreements::domain
