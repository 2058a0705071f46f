// ValidateCommand for treaty practice, rule by rule: each row breaks one rule of a valid
// command and expects INVALID_ARGUMENT naming the field path and the rule; other rows
// must stay valid.
#include <functional>
#include <string>
#include <vector>

#include "domain/decider.h"
#include "domain/practice_test_util.h"
#include "gtest/gtest.h"

namespace agreements::domain {
namespace {

using namespace ::agreements::domain::testing;  // NOLINT: builders read as a table.
using Mutation = std::function<void(v1::Command&)>;

// A treaty recorded with every treaty-practice field.
v1::Command ValidTreaty() {
  v1::Command command = AgreementCommand("vclt", TreatyRecord({"mx", "cshh"}));
  v1::Agreement& a =
      *command.mutable_change()->mutable_agreement_recorded()->mutable_agreement();
  v1::Identifier& unts = *a.add_identifiers();
  unts.set_scheme("UNTS");
  unts.set_value("I-18232");
  *a.mutable_withdrawal_clause()->mutable_period() = Years(1);
  a.mutable_withdrawal_clause()->set_article("art. 56(2)");
  *a.mutable_provisional_application_clause()
       ->mutable_termination_notice()
       ->mutable_period() = Days(60);
  *a.mutable_term()->mutable_duration() = Years(10);
  a.add_depositaries()->set_party_id("un-sg");
  return command;
}

v1::Agreement& Treaty(v1::Command& c) {
  return *c.mutable_change()->mutable_agreement_recorded()->mutable_agreement();
}

Mutation Change(const v1::EventPayload& payload) {
  return [payload](v1::Command& c) { *c.mutable_change() = payload; };
}

struct Rule {
  std::string name;
  Mutation mutate;
  std::string message;
};

void PrintTo(const Rule& c, std::ostream* os) { *os << c.name; }

std::vector<Rule> Rules() {
  const std::string rec = "change.agreement_recorded.agreement.";
  v1::EventPayload ended_by_nothing = ProvisionalTerminated("kz", Day(2010, 1, 1));
  ended_by_nothing.mutable_provisional_application_terminated()->clear_effective_date();
  v1::EventPayload basis_given = WithdrawalNotified("kz", Day(2020, 1, 1), {});
  basis_given.mutable_withdrawal_notified()->mutable_withdrawal()->set_takes_effect_basis(
      v1::EFFECTIVE_DATE_BASIS_NOTIFIED);
  v1::EventPayload early_end = NonParticipationDeclared("kz", Day(2009, 8, 20));
  *early_end.mutable_non_participation_declared()
       ->mutable_provisional_application_ends_on() = Day(2009, 8, 1);
  v1::EventPayload self_successor =
      SuccessionNotified("cz", "cz", Day(1993, 1, 1), Day(1993, 2, 22));
  v1::EventPayload no_volume;
  no_volume.mutable_publication_recorded()->set_number("I-18232");
  v1::EventPayload reservation_withdrawn_set = Reservation(
      "kz", "r1", v1::RESERVATION_KIND_RESERVATION, Day(2010, 1, 1), "art. 66");
  *reservation_withdrawn_set.mutable_reservation_made()
       ->mutable_reservation()
       ->mutable_withdrawn_on() = Day(2011, 1, 1);
  v1::EventPayload reservation_without_text = reservation_withdrawn_set;
  reservation_without_text.mutable_reservation_made()
      ->mutable_reservation()
      ->clear_withdrawn_on();
  reservation_without_text.mutable_reservation_made()
      ->mutable_reservation()
      ->clear_text();
  return {
      {"output_only_expires_on",
       [](v1::Command& c) { *Treaty(c).mutable_expires_on() = Day(2021, 1, 1); },
       rec + "expires_on: is output only"},
      {"output_only_registrations",
       [](v1::Command& c) { Treaty(c).add_registrations()->set_number("I-1"); },
       rec + "registrations: is output only"},
      {"depositary_role_in_a_participation",
       [](v1::Command& c) {
         Treaty(c).mutable_participations(0)->add_roles(v1::PARTICIPANT_ROLE_DEPOSITARY);
       },
       rec + "participations[0].roles[1]: must not be PARTICIPANT_ROLE_DEPOSITARY"},
      {"duplicate_depositary",
       [](v1::Command& c) { Treaty(c).add_depositaries()->set_party_id("un-sg"); },
       rec + "depositaries[1].party_id: duplicate depositary (also depositaries[0])"},
      {"depositary_notifications_given",
       [](v1::Command& c) {
         Treaty(c).mutable_depositaries(0)->add_notifications()->set_reference("x");
       },
       rec + "depositaries[0].notifications: is output only"},
      {"identifier_control_character",
       [](v1::Command& c) { Treaty(c).mutable_identifiers(0)->set_value("I-\n18232"); },
       rec + "identifiers[0].value: must not contain control characters"},
      {"withdrawal_clause_without_period",
       [](v1::Command& c) { Treaty(c).mutable_withdrawal_clause()->clear_period(); },
       rec + "withdrawal_clause.period: must be set unless the counting moves the date"},
      {"negative_period",
       [](v1::Command& c) {
         Treaty(c).mutable_withdrawal_clause()->mutable_period()->set_months(-1);
       },
       rec + "withdrawal_clause.period.months: must be 0 to 12000 (got -1)"},
      {"term_with_both_ends",
       [](v1::Command& c) {
         *Treaty(c).mutable_term()->mutable_expires_on() = Day(2030, 1, 1);
       },
       rec + "term: exactly one of expires_on and duration must be set"},
      {"renewal_without_automatic_renewal",
       [](v1::Command& c) { Treaty(c).mutable_term()->set_max_renewals(3); },
       rec + "term.renewal_period: renewal_period and max_renewals need "
             "renews_automatically"},
      {"provisional_end_without_any_date", Change(ended_by_nothing),
       "change.provisional_application_terminated.effective_date: must be set (or "
       "notified_on, for an end by notice)"},
      {"withdrawal_basis_given", Change(basis_given),
       "change.withdrawal_notified.withdrawal.takes_effect_basis: is output only"},
      {"provisional_application_ends_before_declaration", Change(early_end),
       "change.non_participation_declared.provisional_application_ends_on: must not "
       "precede date (the declaration)"},
      {"succession_from_itself", Change(self_successor),
       "change.succession_notified.predecessor_id: must not be the successor itself"},
      {"publication_without_volume", Change(no_volume),
       "change.publication_recorded.unts_volume: must be a volume number (>= 1)"},
      {"reservation_withdrawn_on_given", Change(reservation_withdrawn_set),
       "change.reservation_made.reservation.withdrawn_on: is output only"},
      {"reservation_without_text", Change(reservation_without_text),
       "change.reservation_made.reservation.text: must be set"},
      {"dates_confirmed_by_too_long",
       [](v1::Command& c) {
         c.mutable_change()->set_dates_confirmed_by(std::string(2001, 's'));
       },
       "change.dates_confirmed_by: must be at most 2000 characters"},
  };
}

class PracticeValidationTest : public ::testing::TestWithParam<Rule> {};

TEST_P(PracticeValidationTest, NamesFieldAndRule) {
  const Rule& rule = GetParam();
  v1::Command command = ValidTreaty();
  ASSERT_TRUE(ValidateCommand(command).ok()) << ValidateCommand(command);
  rule.mutate(command);
  absl::Status status = ValidateCommand(command);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_NE(status.message().find(rule.message), std::string::npos) << status.message();
}

INSTANTIATE_TEST_SUITE_P(Rules, PracticeValidationTest, ::testing::ValuesIn(Rules()),
                         [](const auto& info) { return info.param.name; });

TEST(PracticeValidationTest, ValidPayloads) {
  v1::EventPayload notice_only = ProvisionalTerminated("kz", v1::Date());
  *notice_only.mutable_provisional_application_terminated()->mutable_notified_on() =
      Day(2009, 8, 20);
  for (const v1::EventPayload& payload :
       {notice_only,
        Reservation("kz", "r1", v1::RESERVATION_KIND_DECLARATION, Month(2010, 1),
                    "art. 1"),
        Objection("kz", "o1", Year(2011), "kr", "r1"),
        ReservationWithdrawn("kz", "r1", Year(2012)), DepositaryDesignated("un-sg"),
        RegisteredWithUn("I-18232", Day(1980, 1, 27)),
        Extended(v1::Date(), Day(2026, 2, 5), ""), Expired(Day(2026, 2, 5)),
        SuccessionNotified("cz", "cshh", Day(1993, 1, 1), Day(1993, 2, 22))}) {
    v1::Command command = AgreementCommand("vclt", payload);
    EXPECT_TRUE(ValidateCommand(command).ok())
        << EventTypeName(payload) << ": " << ValidateCommand(command);
  }
  v1::Command renewing = ValidTreaty();
  Treaty(renewing).mutable_term()->set_renews_automatically(true);
  Treaty(renewing).mutable_term()->set_max_renewals(2);
  EXPECT_TRUE(ValidateCommand(renewing).ok()) << ValidateCommand(renewing);
  v1::Command counted = ValidTreaty();
  Treaty(counted).mutable_withdrawal_clause()->clear_period();
  Treaty(counted).mutable_withdrawal_clause()->set_counting(
      v1::NOTICE_COUNTING_END_OF_CALENDAR_YEAR);
  EXPECT_TRUE(ValidateCommand(counted).ok()) << ValidateCommand(counted);
}

}  // namespace
}  // namespace agreements::domain
