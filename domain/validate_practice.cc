// Validators of treaty practice: notice rules, terms, depositaries, reservations,
// registrations, extensions, successions and former states, and the payloads of their
// events.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "domain/calendar.h"
#include "domain/iso_codes.h"
#include "domain/limits.h"
#include "domain/validation.h"
#include "domain/validation_internal.h"

namespace agreements::domain::internal {
namespace {

constexpr char kOutputOnly[] = "is output only: must be empty (events set it)";

absl::Status CheckRange(absl::string_view path, int value, int max) {
  if (value < 0 || value > max) {
    return Invalid(path, absl::StrFormat("must be 0 to %d (got %d)", max, value));
  }
  return absl::OkStatus();
}

absl::Status CheckArticle(absl::string_view path, absl::string_view article) {
  return CheckText(path, article, kMaxReferenceChars, Presence::kOptional);
}

absl::Status CheckReference(absl::string_view path, absl::string_view value,
                            Presence presence) {
  RETURN_IF_ERROR(CheckText(path, value, kMaxReferenceChars, presence));
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Invalid(path, "must not contain control characters");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckCalendarPeriod(absl::string_view path, const v1::CalendarPeriod& period,
                                 Presence presence) {
  RETURN_IF_ERROR(CheckRange(Field(path, "years"), period.years(), kMaxPeriodYears));
  RETURN_IF_ERROR(
      CheckRange(Field(path, "months"), period.months(), kMaxPeriodYears * 12));
  RETURN_IF_ERROR(CheckRange(Field(path, "days"), period.days(), kMaxPeriodYears * 366));
  if (presence == Presence::kRequired && IsZeroPeriod(period)) {
    return Invalid(path, "must be set: years, months or days");
  }
  return absl::OkStatus();
}

absl::Status CheckNoticeRule(absl::string_view path, const v1::NoticeRule& rule) {
  RETURN_IF_ERROR(
      CheckCalendarPeriod(Field(path, "period"), rule.period(), Presence::kOptional));
  RETURN_IF_ERROR(CheckEnum(Field(path, "counting"), rule.counting(),
                            v1::NoticeCounting_descriptor(), Presence::kOptional));
  if (IsZeroPeriod(rule.period()) &&
      (rule.counting() == v1::NOTICE_COUNTING_UNSPECIFIED ||
       rule.counting() == v1::NOTICE_COUNTING_AFTER_RECEIPT)) {
    return Invalid(Field(path, "period"),
                   "must be set unless the counting moves the date (a notice that takes "
                   "effect on receipt needs no rule)");
  }
  return CheckArticle(Field(path, "article"), rule.article());
}

absl::Status CheckProvisionalApplicationClause(
    absl::string_view path, const v1::ProvisionalApplicationClause& clause) {
  if (clause.has_termination_notice()) {
    RETURN_IF_ERROR(
        CheckNoticeRule(Field(path, "termination_notice"), clause.termination_notice()));
  }
  return CheckArticle(Field(path, "article"), clause.article());
}

absl::Status CheckTerm(absl::string_view path, const v1::Term& term) {
  RETURN_IF_ERROR(
      CheckDate(Field(path, "expires_on"), term.expires_on(), Presence::kOptional));
  RETURN_IF_ERROR(
      CheckCalendarPeriod(Field(path, "duration"), term.duration(), Presence::kOptional));
  const bool dated = IsDateSet(term.expires_on());
  const bool lasting = !IsZeroPeriod(term.duration());
  if (dated == lasting) {
    return Invalid(path, "exactly one of expires_on and duration must be set");
  }
  RETURN_IF_ERROR(CheckCalendarPeriod(Field(path, "renewal_period"),
                                      term.renewal_period(), Presence::kOptional));
  RETURN_IF_ERROR(
      CheckRange(Field(path, "max_renewals"), term.max_renewals(), kMaxRenewals));
  if (!term.renews_automatically() &&
      (!IsZeroPeriod(term.renewal_period()) || term.max_renewals() != 0)) {
    return Invalid(Field(path, "renewal_period"),
                   "renewal_period and max_renewals need renews_automatically");
  }
  if (term.renews_automatically() && !lasting && IsZeroPeriod(term.renewal_period())) {
    return Invalid(
        Field(path, "renewal_period"),
        "must be set for a term with an expiry date that renews automatically");
  }
  return CheckArticle(Field(path, "article"), term.article());
}

absl::Status CheckDepositaries(
    absl::string_view base,
    const google::protobuf::RepeatedPtrField<v1::Depositary>& list) {
  if (list.size() > kMaxDepositaries) {
    return Invalid(Field(base, "depositaries"),
                   absl::StrFormat("must have at most %d entries", kMaxDepositaries));
  }
  for (int i = 0; i < list.size(); ++i) {
    const std::string path = Element(base, "depositaries", i);
    RETURN_IF_ERROR(CheckDepositary(path, list[i]));
    for (int j = 0; j < i; ++j) {
      if (list[j].party_id() == list[i].party_id()) {
        return Invalid(
            Field(path, "party_id"),
            absl::StrFormat("duplicate depositary (also depositaries[%d])", j));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckDepositary(absl::string_view path, const v1::Depositary& depositary) {
  RETURN_IF_ERROR(
      CheckId(Field(path, "party_id"), depositary.party_id(), Presence::kRequired));
  RETURN_IF_ERROR(CheckDate(Field(path, "designated_on"), depositary.designated_on(),
                            Presence::kOptional));
  RETURN_IF_ERROR(CheckArticle(Field(path, "article"), depositary.article()));
  return CheckUnset(depositary, path, {"notifications"},
                    "is output only: record notifications with depositary_notified");
}

absl::Status CheckDepositaryNotification(absl::string_view path,
                                         const v1::DepositaryNotification& n) {
  RETURN_IF_ERROR(
      CheckReference(Field(path, "reference"), n.reference(), Presence::kRequired));
  RETURN_IF_ERROR(CheckDate(Field(path, "date"), n.date(), Presence::kRequired));
  RETURN_IF_ERROR(CheckText(Field(path, "subject"), n.subject(), kMaxReasonChars,
                            Presence::kOptional));
  return CheckId(Field(path, "party_id"), n.party_id(), Presence::kOptional);
}

absl::Status CheckReservation(absl::string_view path, const v1::Reservation& r) {
  RETURN_IF_ERROR(CheckId(Field(path, "id"), r.id(), Presence::kRequired));
  RETURN_IF_ERROR(CheckEnum(Field(path, "kind"), r.kind(),
                            v1::ReservationKind_descriptor(), Presence::kRequired));
  const bool objection = r.kind() == v1::RESERVATION_KIND_OBJECTION;
  RETURN_IF_ERROR(CheckText(Field(path, "text"), r.text(), kMaxSummaryChars,
                            objection ? Presence::kOptional : Presence::kRequired));
  if (r.articles_size() > kMaxArticles) {
    return Invalid(Field(path, "articles"),
                   absl::StrFormat("must have at most %d entries", kMaxArticles));
  }
  for (int i = 0; i < r.articles_size(); ++i) {
    RETURN_IF_ERROR(CheckText(Element(path, "articles", i), r.articles(i),
                              kMaxArticleChars, Presence::kRequired));
  }
  RETURN_IF_ERROR(CheckDate(Field(path, "date"), r.date(), Presence::kRequired));
  const Presence target = objection ? Presence::kRequired : Presence::kOptional;
  RETURN_IF_ERROR(
      CheckId(Field(path, "objects_to_party_id"), r.objects_to_party_id(), target));
  RETURN_IF_ERROR(CheckId(Field(path, "objects_to_reservation_id"),
                          r.objects_to_reservation_id(), target));
  if (!objection) {
    RETURN_IF_ERROR(
        CheckUnset(r, path,
                   {"objects_to_party_id", "objects_to_reservation_id",
                    "precludes_entry_into_force"},
                   "must be empty unless kind is RESERVATION_KIND_OBJECTION"));
  }
  return CheckUnset(r, path, {"withdrawn_on"},
                    "is output only: record reservation_withdrawn");
}

absl::Status CheckRegistration(absl::string_view path, const v1::Registration& r) {
  RETURN_IF_ERROR(CheckEnum(Field(path, "kind"), r.kind(),
                            v1::RegistrationKind_descriptor(), Presence::kRequired));
  RETURN_IF_ERROR(CheckDate(Field(path, "date"), r.date(), Presence::kRequired));
  RETURN_IF_ERROR(CheckReference(Field(path, "number"), r.number(), Presence::kRequired));
  RETURN_IF_ERROR(CheckRange(Field(path, "unts_volume"), r.unts_volume(), 1000000));
  RETURN_IF_ERROR(CheckRange(Field(path, "unts_page"), r.unts_page(), 1000000));
  return CheckId(Field(path, "submitted_by"), r.submitted_by(), Presence::kOptional);
}

absl::Status CheckExtension(absl::string_view path, const v1::Extension& e) {
  RETURN_IF_ERROR(
      CheckDate(Field(path, "agreed_on"), e.agreed_on(), Presence::kOptional));
  RETURN_IF_ERROR(
      CheckDate(Field(path, "expires_on"), e.expires_on(), Presence::kRequired));
  RETURN_IF_ERROR(CheckText(Field(path, "legal_basis"), e.legal_basis(), kMaxReasonChars,
                            Presence::kOptional));
  RETURN_IF_ERROR(CheckId(Field(path, "extending_agreement_id"),
                          e.extending_agreement_id(), Presence::kOptional));
  if (e.position() != 0) return Invalid(Field(path, "position"), kOutputOnly);
  return absl::OkStatus();
}

absl::Status CheckFormerCountry(absl::string_view path, absl::string_view code) {
  if (!IsFormerCountryCode(code)) {
    return Invalid(path, absl::StrCat("must be an ISO 3166-3 code of a former country, "
                                      "e.g. SUHH, CSHH, YUCS, DDDE (got ",
                                      Quote(code), ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckFormerState(absl::string_view path, const v1::Party& party) {
  RETURN_IF_ERROR(
      CheckDate(Field(path, "existed_from"), party.existed_from(), Presence::kOptional));
  RETURN_IF_ERROR(CheckDate(Field(path, "existed_until"), party.existed_until(),
                            Presence::kOptional));
  if (IsDateSet(party.existed_from()) && IsDateSet(party.existed_until()) &&
      CompareDates(party.existed_until(), party.existed_from()) < 0) {
    return Invalid(Field(path, "existed_until"), "must not precede existed_from");
  }
  if (party.former_country_code().empty()) return absl::OkStatus();
  const std::string code_path = Field(path, "former_country_code");
  RETURN_IF_ERROR(CheckFormerCountry(code_path, party.former_country_code()));
  if (party.type() != v1::PARTY_TYPE_STATE) {
    return Invalid(code_path, "is for parties of type PARTY_TYPE_STATE");
  }
  if (!party.country_code().empty()) {
    return Invalid(Field(path, "country_code"),
                   "must be empty for a former state (it has former_country_code)");
  }
  if (!IsDateSet(party.existed_until())) {
    return Invalid(Field(path, "existed_until"),
                   "must be set for a former state: when it ceased to exist");
  }
  return absl::OkStatus();
}

absl::Status CheckPredecessors(
    absl::string_view base,
    const google::protobuf::RepeatedPtrField<v1::PartySuccession>& list,
    absl::string_view party_id) {
  if (list.size() > kMaxPredecessors) {
    return Invalid(Field(base, "predecessors"),
                   absl::StrFormat("must have at most %d entries", kMaxPredecessors));
  }
  for (int i = 0; i < list.size(); ++i) {
    const std::string path = Element(base, "predecessors", i);
    RETURN_IF_ERROR(
        CheckId(Field(path, "party_id"), list[i].party_id(), Presence::kRequired));
    if (list[i].party_id() == party_id) {
      return Invalid(Field(path, "party_id"), "must not be the party itself");
    }
    RETURN_IF_ERROR(CheckDate(Field(path, "date"), list[i].date(), Presence::kOptional));
    RETURN_IF_ERROR(CheckEnum(Field(path, "kind"), list[i].kind(),
                              v1::SuccessionKind_descriptor(), Presence::kOptional));
    for (int j = 0; j < i; ++j) {
      if (list[j].party_id() == list[i].party_id()) {
        return Invalid(
            Field(path, "party_id"),
            absl::StrFormat("duplicate predecessor (also predecessors[%d])", j));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckPracticePayload(absl::string_view base, const v1::EventPayload& c,
                                  absl::string_view self) {
  switch (c.kind_case()) {
    case v1::EventPayload::kReservationMade:
      RETURN_IF_ERROR(CheckId(Field(base, "party_id"), c.reservation_made().party_id(),
                              Presence::kRequired));
      return CheckReservation(Field(base, "reservation"),
                              c.reservation_made().reservation());
    case v1::EventPayload::kReservationWithdrawn: {
      const v1::ReservationWithdrawn& w = c.reservation_withdrawn();
      RETURN_IF_ERROR(
          CheckId(Field(base, "party_id"), w.party_id(), Presence::kRequired));
      RETURN_IF_ERROR(CheckId(Field(base, "reservation_id"), w.reservation_id(),
                              Presence::kRequired));
      return CheckDate(Field(base, "date"), w.date(), Presence::kRequired);
    }
    case v1::EventPayload::kDepositaryDesignated:
      return CheckDepositary(Field(base, "depositary"),
                             c.depositary_designated().depositary());
    case v1::EventPayload::kDepositaryNotified:
      RETURN_IF_ERROR(CheckId(Field(base, "depositary_id"),
                              c.depositary_notified().depositary_id(),
                              Presence::kRequired));
      return CheckDepositaryNotification(Field(base, "notification"),
                                         c.depositary_notified().notification());
    case v1::EventPayload::kRegisteredWithUn:
      return CheckRegistration(Field(base, "registration"),
                               c.registered_with_un().registration());
    case v1::EventPayload::kPublicationRecorded: {
      const v1::PublicationRecorded& p = c.publication_recorded();
      RETURN_IF_ERROR(
          CheckReference(Field(base, "number"), p.number(), Presence::kRequired));
      if (p.unts_volume() <= 0) {
        return Invalid(Field(base, "unts_volume"), "must be a volume number (>= 1)");
      }
      RETURN_IF_ERROR(CheckRange(Field(base, "unts_volume"), p.unts_volume(), 1000000));
      return CheckRange(Field(base, "unts_page"), p.unts_page(), 1000000);
    }
    case v1::EventPayload::kExtended: {
      const std::string path = Field(base, "extension");
      RETURN_IF_ERROR(CheckExtension(path, c.extended().extension()));
      if (c.extended().extension().extending_agreement_id() == self) {
        return Invalid(Field(path, "extending_agreement_id"),
                       "must not be the agreement itself");
      }
      return absl::OkStatus();
    }
    case v1::EventPayload::kExpired:
      return CheckDate(Field(base, "effective_date"), c.expired().effective_date(),
                       Presence::kRequired);
    case v1::EventPayload::kSuccessionNotified: {
      const v1::SuccessionNotified& s = c.succession_notified();
      RETURN_IF_ERROR(
          CheckId(Field(base, "party_id"), s.party_id(), Presence::kRequired));
      RETURN_IF_ERROR(CheckId(Field(base, "predecessor_id"), s.predecessor_id(),
                              Presence::kRequired));
      if (s.predecessor_id() == s.party_id()) {
        return Invalid(Field(base, "predecessor_id"), "must not be the successor itself");
      }
      RETURN_IF_ERROR(CheckDate(Field(base, "succession_date"), s.succession_date(),
                                Presence::kRequired));
      RETURN_IF_ERROR(
          CheckDate(Field(base, "notified_on"), s.notified_on(), Presence::kRequired));
      return absl::OkStatus();
    }
    case v1::EventPayload::kIdentifierAdded:
      return CheckIdentifier(Field(base, "identifier"),
                             c.identifier_added().identifier());
    case v1::EventPayload::kParticipantCeased:
      RETURN_IF_ERROR(CheckId(Field(base, "party_id"), c.participant_ceased().party_id(),
                              Presence::kRequired));
      return CheckDate(Field(base, "effective_date"),
                       c.participant_ceased().effective_date(), Presence::kRequired);
    default:
      return absl::InternalError("CheckPracticePayload: unexpected payload");
  }
}

}  // namespace agreements::domain::internal
