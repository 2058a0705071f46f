#include "domain/practice_test_util.h"

#include <utility>

#include "gtest/gtest.h"

namespace agreements::domain::testing {

v1::CalendarPeriod Years(int years) {
  v1::CalendarPeriod period;
  period.set_years(years);
  return period;
}

v1::CalendarPeriod Days(int days) {
  v1::CalendarPeriod period;
  period.set_days(days);
  return period;
}

v1::Command StateCommand(const std::string& id, const std::string& country,
                         const std::string& name) {
  return PartyCommand(id, RegisterPayload(v1::PARTY_TYPE_STATE, country, name));
}

v1::Command FormerStateCommand(const std::string& id, const std::string& code,
                               const std::string& name, const v1::Date& until) {
  v1::EventPayload payload = RegisterPayload(v1::PARTY_TYPE_STATE, "", name);
  v1::Party& party = *payload.mutable_party_registered()->mutable_party();
  party.set_former_country_code(code);
  *party.mutable_existed_until() = until;
  return PartyCommand(id, payload);
}

v1::Command OrganizationCommand(const std::string& id, const std::string& name) {
  return PartyCommand(
      id, RegisterPayload(v1::PARTY_TYPE_INTERNATIONAL_ORGANIZATION, "", name));
}

v1::EventPayload TreatyRecord(const std::vector<std::string>& participants) {
  return RecordPayload(v1::LEGAL_NATURE_BINDING_INTERNATIONAL, v1::ARITY_MULTILATERAL,
                       participants, v1::AGREEMENT_STATUS_NEGOTIATING);
}

v1::EventPayload Reservation(const std::string& party_id, const std::string& id,
                             v1::ReservationKind kind, const v1::Date& date,
                             const std::string& article) {
  v1::EventPayload p;
  v1::ReservationMade& made = *p.mutable_reservation_made();
  made.set_party_id(party_id);
  v1::Reservation& r = *made.mutable_reservation();
  r.set_id(id);
  r.set_kind(kind);
  r.set_text("does not consider itself bound by " + article);
  r.add_articles(article);
  *r.mutable_date() = date;
  return p;
}

v1::EventPayload Objection(const std::string& party_id, const std::string& id,
                           const v1::Date& date, const std::string& to_party,
                           const std::string& to_reservation) {
  v1::EventPayload p;
  v1::ReservationMade& made = *p.mutable_reservation_made();
  made.set_party_id(party_id);
  v1::Reservation& r = *made.mutable_reservation();
  r.set_id(id);
  r.set_kind(v1::RESERVATION_KIND_OBJECTION);
  *r.mutable_date() = date;
  r.set_objects_to_party_id(to_party);
  r.set_objects_to_reservation_id(to_reservation);
  r.set_precludes_entry_into_force(true);
  return p;
}

v1::EventPayload ReservationWithdrawn(const std::string& party_id, const std::string& id,
                                      const v1::Date& date) {
  v1::EventPayload p;
  p.mutable_reservation_withdrawn()->set_party_id(party_id);
  p.mutable_reservation_withdrawn()->set_reservation_id(id);
  *p.mutable_reservation_withdrawn()->mutable_date() = date;
  return p;
}

v1::EventPayload DepositaryDesignated(const std::string& party_id) {
  v1::EventPayload p;
  p.mutable_depositary_designated()->mutable_depositary()->set_party_id(party_id);
  return p;
}

v1::EventPayload RegisteredWithUn(const std::string& number, const v1::Date& date) {
  v1::EventPayload p;
  v1::Registration& r = *p.mutable_registered_with_un()->mutable_registration();
  r.set_kind(v1::REGISTRATION_KIND_REGISTRATION);
  r.set_number(number);
  *r.mutable_date() = date;
  return p;
}

v1::EventPayload Extended(const v1::Date& agreed_on, const v1::Date& expires_on,
                          const std::string& basis) {
  v1::EventPayload p;
  v1::Extension& e = *p.mutable_extended()->mutable_extension();
  *e.mutable_agreed_on() = agreed_on;
  *e.mutable_expires_on() = expires_on;
  e.set_legal_basis(basis);
  return p;
}

v1::EventPayload Expired(const v1::Date& date) {
  v1::EventPayload p;
  *p.mutable_expired()->mutable_effective_date() = date;
  return p;
}

v1::EventPayload SuccessionNotified(const std::string& successor,
                                    const std::string& predecessor,
                                    const v1::Date& succession_date,
                                    const v1::Date& notified_on) {
  v1::EventPayload p;
  v1::SuccessionNotified& s = *p.mutable_succession_notified();
  s.set_party_id(successor);
  s.set_predecessor_id(predecessor);
  *s.mutable_succession_date() = succession_date;
  *s.mutable_notified_on() = notified_on;
  return p;
}

v1::EventPayload WithDatesConfirmedBy(v1::EventPayload payload,
                                      const std::string& source) {
  payload.set_dates_confirmed_by(source);
  return payload;
}

std::vector<v1::Event> HistoryOf(const TestRegistry& registry, const std::string& id) {
  std::vector<v1::Event> events;
  for (const v1::Event& event : registry.log()) {
    if (event.envelope().stream_type() == v1::STREAM_TYPE_AGREEMENT &&
        event.envelope().stream_id() == id) {
      events.push_back(event);
    }
  }
  return events;
}

ParticipantOnDate StandingOn(const TestRegistry& registry,
                             const std::string& agreement_id, const std::string& party_id,
                             const v1::Date& date) {
  const LegalStatusOnDate answer = LegalStatusOn(HistoryOf(registry, agreement_id), date);
  const ParticipantOnDate* found = FindParticipant(answer, party_id);
  EXPECT_NE(found, nullptr) << party_id << " in " << agreement_id;
  return found == nullptr ? ParticipantOnDate() : *found;
}

}  // namespace agreements::domain::testing
