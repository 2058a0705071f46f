// Builders for the treaty-practice tests: parties with ids of their own, and the
// payloads of the treaty-practice events. Test-only.
#ifndef AGREEMENTS_DOMAIN_PRACTICE_TEST_UTIL_H_
#define AGREEMENTS_DOMAIN_PRACTICE_TEST_UTIL_H_

#include <string>
#include <vector>

#include "domain/test_registry.h"
#include "domain/valid_time.h"

namespace agreements::domain::testing {

v1::CalendarPeriod Years(int years);
v1::CalendarPeriod Days(int days);

// A STATE party with an ISO 3166-1 code, or a former state with an ISO 3166-3 code.
v1::Command StateCommand(const std::string& id, const std::string& country,
                         const std::string& name);
v1::Command FormerStateCommand(const std::string& id, const std::string& code,
                               const std::string& name, const v1::Date& until);
v1::Command OrganizationCommand(const std::string& id, const std::string& name);

// A multilateral treaty recorded NEGOTIATING with these participants (role PARTY).
v1::EventPayload TreatyRecord(const std::vector<std::string>& participants);

v1::EventPayload Reservation(const std::string& party_id, const std::string& id,
                             v1::ReservationKind kind, const v1::Date& date,
                             const std::string& article);
v1::EventPayload Objection(const std::string& party_id, const std::string& id,
                           const v1::Date& date, const std::string& to_party,
                           const std::string& to_reservation);
v1::EventPayload ReservationWithdrawn(const std::string& party_id, const std::string& id,
                                      const v1::Date& date);
v1::EventPayload DepositaryDesignated(const std::string& party_id);
v1::EventPayload RegisteredWithUn(const std::string& number, const v1::Date& date);
v1::EventPayload Extended(const v1::Date& agreed_on, const v1::Date& expires_on,
                          const std::string& basis);
v1::EventPayload Expired(const v1::Date& date);
v1::EventPayload SuccessionNotified(const std::string& successor,
                                    const std::string& predecessor,
                                    const v1::Date& succession_date,
                                    const v1::Date& notified_on);
v1::EventPayload WithDatesConfirmedBy(v1::EventPayload payload,
                                      const std::string& source);

// The events of agreement `id`, in revision order.
std::vector<v1::Event> HistoryOf(const TestRegistry& registry, const std::string& id);

// The standing of `party_id` on `date`; fails the test when it is no participant.
ParticipantOnDate StandingOn(const TestRegistry& registry,
                             const std::string& agreement_id, const std::string& party_id,
                             const v1::Date& date);

}  // namespace agreements::domain::testing

#endif  // AGREEMENTS_DOMAIN_PRACTICE_TEST_UTIL_H_
