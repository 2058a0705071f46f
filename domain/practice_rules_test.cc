// The rules of treaty practice one by one: reservations and objections, dates that
// contradict each other, former states, registration, depositaries, identifiers, and a
// participant's standing now. Table-driven where the cases share a shape.
#include <string>
#include <vector>

#include "common/date_format.h"
#include "domain/lifecycle_internal.h"
#include "domain/practice_test_util.h"
#include "domain/valid_time.h"
#include "gtest/gtest.h"

namespace agreements::domain {
namespace {

using namespace ::agreements::domain::testing;  // NOLINT: builders read as a table.

constexpr auto kBinding = v1::LEGAL_NATURE_BINDING_INTERNATIONAL;
constexpr auto kMultilateral = v1::ARITY_MULTILATERAL;
constexpr auto kSimple = v1::SIGNATURE_KIND_SIMPLE;

void ExpectRefused(const absl::StatusOr<std::vector<v1::Event>>& result,
                   absl::StatusCode code, const std::string& message) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), code) << result.status();
  EXPECT_EQ(std::string(result.status().message()), message);
}

// Reservations, declarations and objections to the Vienna Convention on the Law of
// Treaties are of this kind: a reservation to art. 66 (judicial settlement), and an
// objection that opposes the entry into force between the objecting and the reserving
// state (VCLT 20(4)(b)); see UNTC XXIII.1, declarations and reservations.
TEST(ReservationTest, MadeWithdrawnAndObjectedToWithHistory) {
  TestRegistry registry;
  registry.Reach("a1", kBinding, kMultilateral, v1::AGREEMENT_STATUS_IN_FORCE);
  registry.MustRunAll("a1", {Reservation("kz", "r1", v1::RESERVATION_KIND_RESERVATION,
                                         Day(2010, 1, 1), "art. 66"),
                             Reservation("kr", "d1", v1::RESERVATION_KIND_DECLARATION,
                                         Day(2010, 2, 1), "art. 12"),
                             Objection("kr", "o1", Day(2010, 6, 1), "kz", "r1"),
                             ReservationWithdrawn("kz", "r1", Day(2015, 1, 1))});
  const v1::Participation& kz = registry.participation("a1", "kz");
  ASSERT_EQ(kz.reservations_size(), 1);
  EXPECT_EQ(kz.reservations(0).articles(0), "art. 66");
  EXPECT_EQ(FormatDate(kz.reservations(0).withdrawn_on()), "2015-01-01");
  ASSERT_EQ(registry.participation("a1", "kr").reservations_size(), 2);
  EXPECT_TRUE(
      registry.participation("a1", "kr").reservations(1).precludes_entry_into_force());

  // On a date, the ones in effect then.
  auto ids = [&registry](const std::string& party, const v1::Date& date) {
    std::string text;
    for (const v1::Reservation& r :
         StandingOn(registry, "a1", party, date).reservations) {
      text += (text.empty() ? "" : " ") + r.id();
    }
    return text;
  };
  EXPECT_EQ(ids("kz", Day(2009, 12, 31)), "");
  EXPECT_EQ(ids("kz", Day(2012, 1, 1)), "r1");
  EXPECT_EQ(ids("kz", Day(2016, 1, 1)), "");
  EXPECT_EQ(ids("kr", Day(2010, 3, 1)), "d1");
  EXPECT_EQ(ids("kr", Day(2011, 1, 1)), "d1 o1");
}

TEST(ReservationTest, RulesOfFormulation) {
  TestRegistry registry;
  registry.Reach("a1", kBinding, kMultilateral, v1::AGREEMENT_STATUS_IN_FORCE);
  registry.MustRun(
      AgreementCommand("a1", Reservation("kz", "r1", v1::RESERVATION_KIND_RESERVATION,
                                         Day(2010, 1, 1), "art. 66")));
  ExpectRefused(registry.Run(AgreementCommand(
                    "a1", Reservation("kz", "r1", v1::RESERVATION_KIND_DECLARATION,
                                      Day(2010, 1, 2), "art. 1"))),
                absl::StatusCode::kInvalidArgument,
                "change.reservation_made.reservation.id: party kz already has a "
                "reservation r1 in agreement a1");
  ExpectRefused(
      registry.Run(
          AgreementCommand("a1", Reservation("jp", "r1", v1::RESERVATION_KIND_RESERVATION,
                                             Day(2010, 1, 1), "art. 66"))),
      absl::StatusCode::kFailedPrecondition,
      "party jp in agreement a1 is NEGOTIATING: cannot formulate a reservation, "
      "declaration or objection: reservations, declarations and objections are "
      "formulated on signature, on consent to be bound or later (VCLT 19, 23)");
  ExpectRefused(registry.Run(AgreementCommand(
                    "a1", Objection("kr", "o1", Day(2010, 6, 1), "kz", "missing"))),
                absl::StatusCode::kInvalidArgument,
                "change.reservation_made.reservation.objects_to_reservation_id: party kz "
                "has no reservation missing in effect in agreement a1");
  ExpectRefused(
      registry.Run(
          AgreementCommand("a1", ReservationWithdrawn("kz", "r1", Day(2009, 1, 1)))),
      absl::StatusCode::kInvalidArgument,
      "change.reservation_withdrawn.date: 2009-01-01 is before its formulation "
      "(2010-01-01); if a source confirms both dates, name it in dates_confirmed_by");
  // An objection needs its target; a reservation none.
  v1::EventPayload untargeted = Objection("kr", "o2", Day(2010, 6, 1), "", "");
  ExpectRefused(registry.Run(AgreementCommand("a1", untargeted)),
                absl::StatusCode::kInvalidArgument,
                "change.reservation_made.reservation.objects_to_party_id: must be set");
  // Only a treaty takes reservations.
  registry.Reach("mou", v1::LEGAL_NATURE_NON_BINDING_POLITICAL, kMultilateral,
                 v1::AGREEMENT_STATUS_SIGNED);
  absl::StatusOr<std::vector<v1::Event>> political = registry.Run(
      AgreementCommand("mou", Reservation("kz", "r1", v1::RESERVATION_KIND_RESERVATION,
                                          Day(2010, 1, 1), "para. 3")));
  ASSERT_FALSE(political.ok());
  EXPECT_EQ(political.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(ReservationTest, LapseWithThePeriodTheyBelongTo) {
  TestRegistry registry;
  registry.Reach("a1", kBinding, kMultilateral, v1::AGREEMENT_STATUS_IN_FORCE);
  registry.MustRunAll(
      "a1", {Reservation("kr", "r1", v1::RESERVATION_KIND_RESERVATION, Day(2010, 1, 1),
                         "art. 66"),
             WithdrawalNotified("kr", Day(2012, 1, 1), {}),
             WithdrawalTookEffect("kr", Day(2013, 1, 1)),
             ConsentExpressed("kr", v1::CONSENT_MEANS_ACCESSION, Day(2016, 1, 1))});
  const v1::Participation& kr = registry.participation("a1", "kr");
  EXPECT_EQ(kr.reservations_size(), 0);
  ASSERT_EQ(kr.previous_periods_size(), 1);
  ASSERT_EQ(kr.previous_periods(0).reservations_size(), 1);
  EXPECT_EQ(kr.previous_periods(0).reservations(0).id(), "r1");
  EXPECT_EQ(FormatDate(kr.previous_periods(0).withdrawal().takes_effect_on()),
            "2013-01-01")
      << "twelve months, VCLT 56(2)";
  EXPECT_EQ(kr.previous_periods(0).withdrawal().takes_effect_basis(),
            v1::EFFECTIVE_DATE_BASIS_VCLT_DEFAULT);
}

// Dates that contradict each other across events are refused with both dates named,
// unless the change names a source that confirms them; the source stays in the event.
struct Contradiction {
  std::string name;
  std::vector<v1::EventPayload> before;
  v1::EventPayload change;
  std::string message;
};

void PrintTo(const Contradiction& c, std::ostream* os) { *os << c.name; }

class ContradictionTest : public ::testing::TestWithParam<Contradiction> {};

TEST_P(ContradictionTest, IsRefusedUnlessASourceConfirmsIt) {
  const Contradiction& c = GetParam();
  TestRegistry registry;
  registry.RegisterDefaultParties();
  registry.MustRun(AgreementCommand("t1", TreatyRecord({"kz", "kr", "jp"})));
  registry.MustRunAll("t1", c.before);
  const std::string before = registry.agreement("t1").SerializeAsString();
  ExpectRefused(registry.Run(AgreementCommand("t1", c.change)),
                absl::StatusCode::kInvalidArgument, c.message);
  EXPECT_EQ(registry.agreement("t1").SerializeAsString(), before);
  registry.MustRun(
      AgreementCommand("t1", WithDatesConfirmedBy(c.change, "UNTC depositary record")));
  EXPECT_EQ(registry.log().back().payload().dates_confirmed_by(),
            "UNTC depositary record");
}

const std::vector<v1::EventPayload> kOpened = {TextAdopted(Day(1969, 5, 22)),
                                               OpenedForSignature(Day(1969, 5, 23))};

std::vector<v1::EventPayload> Then(std::vector<v1::EventPayload> steps,
                                   const std::vector<v1::EventPayload>& more) {
  steps.insert(steps.end(), more.begin(), more.end());
  return steps;
}

INSTANTIATE_TEST_SUITE_P(
    Dates, ContradictionTest,
    ::testing::ValuesIn(std::vector<Contradiction>{
        {"signature_before_adoption",
         {TextAdopted(Day(1969, 5, 22))},
         Signed("kz", kSimple, Day(1969, 5, 1)),
         "change.participant_signed.signature.date: 1969-05-01 is before the adoption of "
         "the text (1969-05-22); if a source confirms both dates, name it in "
         "dates_confirmed_by"},
        {"signature_before_opening", kOpened, Signed("kz", kSimple, Day(1969, 5, 22)),
         "change.participant_signed.signature.date: 1969-05-22 is before the opening for "
         "signature (1969-05-23); if a source confirms both dates, name it in "
         "dates_confirmed_by"},
        {"ratification_before_signature",
         Then(kOpened, {Signed("kz", kSimple, Day(1970, 3, 1))}),
         ConsentExpressed("kz", v1::CONSENT_MEANS_RATIFICATION, Day(1970, 1, 1)),
         "change.consent_expressed.consent.deposit_date: 1970-01-01 is before its "
         "signature (1970-03-01); if a source confirms both dates, name it in "
         "dates_confirmed_by"},
        {"entry_into_force_before_consent",
         Then(kOpened,
              {ConsentExpressed("kz", v1::CONSENT_MEANS_ACCESSION, Day(1975, 1, 1))}),
         EnteredIntoForce("", Day(1974, 1, 1)),
         "change.entered_into_force.effective_date: 1974-01-01 is before the consent of "
         "kz (1975-01-01); if a source confirms both dates, name it in "
         "dates_confirmed_by"},
        {"entry_into_force_for_a_party_before_its_consent",
         Then(kOpened,
              {ConsentExpressed("kz", v1::CONSENT_MEANS_ACCESSION, Day(1975, 1, 1)),
               EnteredIntoForce("", Day(1980, 1, 27)),
               ConsentExpressed("kr", v1::CONSENT_MEANS_ACCESSION, Day(1990, 5, 1))}),
         EnteredIntoForce("kr", Year(1989)),
         "change.entered_into_force.effective_date: 1989 is before its consent "
         "(1990-05-01); if a source confirms both dates, name it in dates_confirmed_by"},
        {"withdrawal_before_entry_into_force_for_it",
         Then(kOpened,
              {ConsentExpressed("kz", v1::CONSENT_MEANS_ACCESSION, Day(1975, 1, 1)),
               EnteredIntoForce("", Day(1980, 1, 27))}),
         WithdrawalNotified("kz", Day(1979, 1, 1), {}),
         "change.withdrawal_notified.withdrawal.notified_on: 1979-01-01 is before its "
         "entry into force for it (1980-01-27); if a source confirms both dates, name it "
         "in dates_confirmed_by"},
        {"termination_before_entry_into_force",
         Then(kOpened,
              {ConsentExpressed("kz", v1::CONSENT_MEANS_ACCESSION, Day(1975, 1, 1)),
               EnteredIntoForce("", Day(1980, 1, 27))}),
         Terminated(v1::TERMINATION_GROUND_BY_CONSENT, Month(1979, 12)),
         "change.terminated.effective_date: 1979-12 is before its entry into force "
         "(1980-01-27); if a source confirms both dates, name it in dates_confirmed_by"},
    }),
    [](const auto& info) { return info.param.name; });

TEST(ContradictionTest, DatesOfLowerPrecisionDoNotContradictWithinTheirRange) {
  TestRegistry registry;
  registry.RegisterDefaultParties();
  registry.MustRun(AgreementCommand("t1", TreatyRecord({"kz", "kr"})));
  registry.MustRunAll(
      "t1", {TextAdopted(Day(2009, 5, 22)), Signed("kz", kSimple, Month(2009, 5)),
             Signed("kr", kSimple, Year(2009))});
  EXPECT_EQ(registry.participation("t1", "kr").status(),
            v1::PARTICIPATION_STATUS_SIGNATORY);
}

TEST(FormerStateTest, PartiesOfStatesThatNoLongerExist) {
  TestRegistry registry;
  // The USSR (ISO 3166-3 SUHH) ceased to exist on 26 December 1991; the Russian
  // Federation continues it. The GDR (DDDE) acceded to the Federal Republic on 3
  // October 1990.
  registry.MustRun(FormerStateCommand("suhh", "SUHH", "USSR", Day(1991, 12, 26)));
  registry.MustRun(
      FormerStateCommand("ddde", "DDDE", "German Democratic Republic", Day(1990, 10, 2)));
  v1::EventPayload russia = RegisterPayload(v1::PARTY_TYPE_STATE, "RU", "Russia");
  v1::PartySuccession& from =
      *russia.mutable_party_registered()->mutable_party()->add_predecessors();
  from.set_party_id("suhh");
  *from.mutable_date() = Day(1991, 12, 26);
  from.set_kind(v1::SUCCESSION_KIND_CONTINUATION);
  registry.MustRun(PartyCommand("ru", russia));
  EXPECT_EQ(registry.party("ru").predecessors(0).party_id(), "suhh");
  EXPECT_EQ(registry.party("suhh").former_country_code(), "SUHH");

  struct Bad {
    v1::Command command;
    absl::StatusCode code;
    std::string message;
  };
  v1::EventPayload no_code = RegisterPayload(v1::PARTY_TYPE_STATE, "", "Nowhere");
  v1::EventPayload both = RegisterPayload(v1::PARTY_TYPE_STATE, "CZ", "Both");
  both.mutable_party_registered()->mutable_party()->set_former_country_code("CSHH");
  *both.mutable_party_registered()->mutable_party()->mutable_existed_until() =
      Day(1992, 12, 31);
  v1::EventPayload undated = RegisterPayload(v1::PARTY_TYPE_STATE, "", "Undated");
  undated.mutable_party_registered()->mutable_party()->set_former_country_code("YUCS");
  v1::EventPayload unknown_predecessor = russia;
  unknown_predecessor.mutable_party_registered()
      ->mutable_party()
      ->mutable_predecessors(0)
      ->set_party_id("nobody");
  for (const Bad& bad : std::vector<Bad>{
           {PartyCommand("x1", no_code), absl::StatusCode::kInvalidArgument,
            "change.party_registered.party.country_code: must be set"},
           {FormerStateCommand("x2", "ZZZZ", "?", Day(1990, 1, 1)),
            absl::StatusCode::kInvalidArgument,
            "change.party_registered.party.former_country_code: must be an ISO 3166-3 "
            "code of a former country, e.g. SUHH, CSHH, YUCS, DDDE (got \"ZZZZ\")"},
           {PartyCommand("x3", both), absl::StatusCode::kInvalidArgument,
            "change.party_registered.party.country_code: must be empty for a former "
            "state (it has former_country_code)"},
           {PartyCommand("x4", undated), absl::StatusCode::kInvalidArgument,
            "change.party_registered.party.existed_until: must be set for a former "
            "state: when it ceased to exist"},
           {PartyCommand("x5", unknown_predecessor), absl::StatusCode::kNotFound,
            "party nobody not found (change.party_registered.party.predecessors[0])"},
       }) {
    absl::StatusOr<std::vector<v1::Event>> result = registry.Run(bad.command);
    ASSERT_FALSE(result.ok()) << bad.message;
    EXPECT_EQ(result.status().code(), bad.code) << result.status();
    EXPECT_EQ(result.status().message(), bad.message);
  }
}

TEST(RegistrationTest, WhatMayBeRegisteredAndWhen) {
  TestRegistry registry;
  registry.Reach("signed", kBinding, kMultilateral,
                 v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);
  ExpectRefused(
      registry.Run(AgreementCommand("signed", RegisteredWithUn("I-1", Day(2010, 1, 1)))),
      absl::StatusCode::kFailedPrecondition,
      "agreement signed is SIGNED_NOT_IN_FORCE: cannot be registered with the UN "
      "Secretariat: a treaty is registered once it has entered into force or is applied "
      "provisionally (registration regulations, art. 1)");
  registry.Reach("mou", v1::LEGAL_NATURE_NON_BINDING_POLITICAL, kMultilateral,
                 v1::AGREEMENT_STATUS_IN_EFFECT);
  absl::StatusOr<std::vector<v1::Event>> political =
      registry.Run(AgreementCommand("mou", RegisteredWithUn("I-2", Day(2010, 1, 1))));
  ASSERT_FALSE(political.ok());
  EXPECT_EQ(political.status().code(), absl::StatusCode::kFailedPrecondition);

  registry.Reach("t1", kBinding, kMultilateral, v1::AGREEMENT_STATUS_IN_FORCE);
  EXPECT_TRUE(RegistrationDue(registry.agreement("t1")));
  ExpectRefused(
      registry.Run(AgreementCommand("t1", RegisteredWithUn("I-3", Day(2009, 5, 1)))),
      absl::StatusCode::kInvalidArgument,
      "change.registered_with_un.registration.date: 2009-05-01 is before its entry into "
      "force (2009-06-01); if a source confirms both dates, name it in "
      "dates_confirmed_by");
  registry.MustRun(AgreementCommand("t1", RegisteredWithUn("I-3", Day(2010, 1, 1))));
  EXPECT_FALSE(RegistrationDue(registry.agreement("t1")));
  absl::StatusOr<std::vector<v1::Event>> twice =
      registry.Run(AgreementCommand("t1", RegisteredWithUn("I-4", Day(2011, 1, 1))));
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().code(), absl::StatusCode::kFailedPrecondition);
  // Late registration of a treaty that was in force and has ended is still accepted.
  registry.Reach("ended", kBinding, kMultilateral, v1::AGREEMENT_STATUS_TERMINATED);
  EXPECT_FALSE(RegistrationDue(registry.agreement("ended")));
  registry.MustRun(AgreementCommand("ended", RegisteredWithUn("I-5", Day(2016, 1, 1))));
}

TEST(DepositaryTest, LegacyDepositaryParticipantsAreMovedApart) {
  TestRegistry registry;
  registry.RegisterDefaultParties();
  // Agreements recorded before the rule could list a depositary as a participant.
  registry.set_rules_version(0);
  v1::Command legacy = AgreementCommand("t1", TreatyRecord({"kz", "kr"}));
  v1::Participation& jp = *legacy.mutable_change()
                               ->mutable_agreement_recorded()
                               ->mutable_agreement()
                               ->add_participations();
  jp.set_party_id("jp");
  jp.add_roles(v1::PARTICIPANT_ROLE_DEPOSITARY);
  ExpectRefused(
      registry.Run(legacy), absl::StatusCode::kInvalidArgument,
      "change.agreement_recorded.agreement.participations[2].roles[0]: must not "
      "be PARTICIPANT_ROLE_DEPOSITARY: a depositary has functions, not a status "
      "under the treaty (VCLT 76-77); record it with depositary_designated");
  // The evolve of such an old event, and the move.
  v1::Agreement state;
  v1::Event recorded;
  recorded.mutable_envelope()->set_stream_id("t1");
  recorded.mutable_envelope()->set_revision(1);
  *recorded.mutable_payload() = legacy.change();
  EvolveAgreement(state, recorded);
  ASSERT_EQ(state.participations_size(), 3);
  EXPECT_TRUE(IsDepositaryOnly(state.participations(2)));
  EXPECT_EQ(FindParticipant(StatusAsRecorded(state), "jp"), nullptr)
      << "a depositary is never NEGOTIATING in status answers";
  v1::Event designated;
  designated.mutable_envelope()->set_revision(2);
  *designated.mutable_payload() = DepositaryDesignated("jp");
  EvolveAgreement(state, designated);
  EXPECT_EQ(state.participations_size(), 2);
  ASSERT_EQ(state.depositaries_size(), 1);
  EXPECT_EQ(state.depositaries(0).party_id(), "jp");
}

// A participant added without roles that signed, then designated depositary (a state may
// be both: Portugal and the Energy Charter Treaty). Under rules version 3 its
// participation and signature stay; an event decided under version 2 evolves as it did.
TEST(DepositaryTest, AParticipantWithoutRolesKeepsItsParticipation) {
  for (const uint32_t version : {kRulesVersion, 2u}) {
    SCOPED_TRACE(version);
    TestRegistry registry;
    registry.RegisterDefaultParties();
    registry.MustRun(AgreementCommand("t1", TreatyRecord({"kz", "kr"})));
    registry.MustRun(AgreementCommand("t1", ParticipantAdded("jp")));
    registry.MustRun(AgreementCommand("t1", Signed("jp", kSimple, Day(2010, 5, 4))));
    registry.set_rules_version(version);
    registry.MustRun(AgreementCommand("t1", DepositaryDesignated("jp")));
    const v1::Agreement& t1 = registry.agreement("t1");
    ASSERT_EQ(t1.depositaries_size(), 1);
    EXPECT_EQ(t1.depositaries(0).party_id(), "jp");
    const v1::Participation* jp = internal::FindParticipation(t1, "jp");
    if (version == 2) {
      EXPECT_EQ(jp, nullptr) << "a stored version 2 event keeps its meaning";
      continue;
    }
    ASSERT_NE(jp, nullptr);
    EXPECT_EQ(jp->status(), v1::PARTICIPATION_STATUS_SIGNATORY);
    EXPECT_TRUE(jp->has_signature());
    EXPECT_NE(FindParticipant(StatusAsRecorded(t1), "jp"), nullptr);
  }
}

TEST(DepositaryTest, NotificationsAreRecordedForADepositary) {
  TestRegistry registry;
  registry.Reach("t1", kBinding, kMultilateral, v1::AGREEMENT_STATUS_IN_FORCE);
  v1::EventPayload notified;
  notified.mutable_depositary_notified()->set_depositary_id("jp");
  v1::DepositaryNotification& n =
      *notified.mutable_depositary_notified()->mutable_notification();
  n.set_reference("C.N.575.2019.TREATIES-XXVII.7.d");
  *n.mutable_date() = Day(2019, 11, 5);
  n.set_party_id("kz");
  absl::StatusOr<std::vector<v1::Event>> early =
      registry.Run(AgreementCommand("t1", notified));
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().code(), absl::StatusCode::kFailedPrecondition);
  registry.MustRun(AgreementCommand("t1", DepositaryDesignated("kepco")));
  notified.mutable_depositary_notified()->set_depositary_id("kepco");
  registry.MustRun(AgreementCommand("t1", notified));
  EXPECT_EQ(registry.agreement("t1").depositaries(0).notifications(0).reference(),
            "C.N.575.2019.TREATIES-XXVII.7.d");
  ExpectRefused(registry.Run(AgreementCommand("t1", notified)),
                absl::StatusCode::kInvalidArgument,
                "change.depositary_notified.notification.reference: notification "
                "C.N.575.2019.TREATIES-XXVII.7.d is already recorded");
}

// "As a whole" means by each participant that signed or consented: a contract signed as a
// whole (contract_signed) and reassessed into a treaty has none, so nobody would apply
// it.
TEST(ProvisionalApplicationTest, AsAWholeNeedsSomeoneToApplyIt) {
  TestRegistry registry;
  registry.RegisterDefaultParties();
  registry.MustRun(AgreementCommand(
      "c1", RecordPayload(v1::LEGAL_NATURE_BINDING_DOMESTIC_LAW, kMultilateral,
                          {"kz", "kr"}, v1::AGREEMENT_STATUS_DRAFT)));
  registry.MustRun(AgreementCommand("c1", ContractSigned(Day(2010, 1, 31))));
  registry.MustRun(AgreementCommand("c1", Reassessed(kBinding)));
  ASSERT_EQ(registry.agreement("c1").status(), v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);
  ExpectRefused(
      registry.Run(AgreementCommand("c1", ProvisionalStarted("", Day(2010, 2, 10)))),
      absl::StatusCode::kFailedPrecondition,
      "agreement c1 is SIGNED_NOT_IN_FORCE: cannot start provisional application: no "
      "participant is a signatory or has consented to be bound, so none would apply "
      "it; record their signatures or name the participant");
  registry.MustRun(AgreementCommand("c1", Signed("kz", kSimple, Day(2010, 2, 1))));
  registry.MustRun(AgreementCommand("c1", ProvisionalStarted("", Day(2010, 2, 10))));
  EXPECT_EQ(registry.agreement("c1").status(),
            v1::AGREEMENT_STATUS_PROVISIONALLY_APPLIED);
}

// A DRAFT contract may hold signatures (participants sign before contract_signed), and
// leaving the contract lifecycle with one is refused; a participant that ceased to exist
// has not signed and does not block it.
TEST(ReassessmentTest, ADraftContractWithASignatoryOrAFormerState) {
  TestRegistry registry;
  registry.RegisterDefaultParties();
  registry.MustRun(
      FormerStateCommand("ddde", "DDDE", "German Democratic Republic", Day(1990, 10, 2)));
  registry.MustRun(AgreementCommand(
      "c1", RecordPayload(v1::LEGAL_NATURE_BINDING_DOMESTIC_LAW, kMultilateral,
                          {"kz", "ddde"}, v1::AGREEMENT_STATUS_DRAFT)));
  v1::EventPayload ceased;
  ceased.mutable_participant_ceased()->set_party_id("ddde");
  *ceased.mutable_participant_ceased()->mutable_effective_date() = Day(1990, 10, 3);
  registry.MustRun(AgreementCommand("c1", ceased));
  registry.MustRun(AgreementCommand("c1", Reassessed(kBinding)));
  EXPECT_EQ(registry.agreement("c1").status(), v1::AGREEMENT_STATUS_DRAFT);

  registry.MustRun(AgreementCommand(
      "c2", RecordPayload(v1::LEGAL_NATURE_BINDING_DOMESTIC_LAW, kMultilateral,
                          {"kz", "kr"}, v1::AGREEMENT_STATUS_DRAFT)));
  registry.MustRun(AgreementCommand("c2", Signed("kr", kSimple, Day(2010, 1, 5))));
  absl::StatusOr<std::vector<v1::Event>> signed_draft =
      registry.Run(AgreementCommand("c2", Reassessed(kBinding)));
  ASSERT_FALSE(signed_draft.ok());
  EXPECT_EQ(signed_draft.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(signed_draft.status().message().find("record contract_signed first"),
            absl::string_view::npos)
      << signed_draft.status();
}

TEST(IdentifierTest, AddedOnceWithinAnAgreement) {
  TestRegistry registry;
  registry.Reach("t1", kBinding, kMultilateral, v1::AGREEMENT_STATUS_TERMINATED);
  v1::EventPayload added;
  added.mutable_identifier_added()->mutable_identifier()->set_scheme("GB-TS");
  added.mutable_identifier_added()->mutable_identifier()->set_value(
      "Treaty Series No. 58 (1980)");
  registry.MustRun(AgreementCommand("t1", added));
  EXPECT_EQ(registry.agreement("t1").identifiers(0).scheme(), "GB-TS");
  ExpectRefused(registry.Run(AgreementCommand("t1", added)),
                absl::StatusCode::kInvalidArgument,
                "change.identifier_added.identifier: agreement t1 already has identifier "
                "GB-TS:Treaty Series No. 58 (1980)");
  added.mutable_identifier_added()->mutable_identifier()->set_value("bad\x01value");
  ExpectRefused(registry.Run(AgreementCommand("t1", added)),
                absl::StatusCode::kInvalidArgument,
                "change.identifier_added.identifier.value: must not contain control "
                "characters");
}

TEST(StandingTest, InForceForAndProvisionalApplicationAsRecorded) {
  TestRegistry registry;
  registry.Reach("t1", kBinding, kMultilateral, v1::AGREEMENT_STATUS_IN_FORCE);
  registry.MustRunAll("t1", {Signed("jp", kSimple, Day(2009, 7, 1)),
                             ProvisionalStarted("jp", Day(2009, 7, 1))});
  const LegalStatusOnDate now = StatusAsRecorded(registry.agreement("t1"));
  EXPECT_TRUE(now.in_force);
  EXPECT_TRUE(now.provisionally_applied);
  EXPECT_TRUE(FindParticipant(now, "kz")->in_force_for);
  EXPECT_FALSE(FindParticipant(now, "kz")->provisionally_applying);
  EXPECT_FALSE(FindParticipant(now, "jp")->in_force_for);
  EXPECT_TRUE(FindParticipant(now, "jp")->provisionally_applying);
  EXPECT_EQ(FindParticipant(now, "jp")->period, 1);
}

// Paris Agreement art. 21(1), (3): in force on 4 November 2016 for the states that had
// consented by then, and for a state depositing later on the thirtieth day after its
// deposit. A state that deposited during the thirty days before the entry into force is
// bound from its own date: the instrument's entry into force names those it binds.
TEST(EntryIntoForceTest, BindsOnlyTheParticipantsItNames) {
  TestRegistry registry;
  registry.RegisterDefaultParties();
  registry.MustRun(AgreementCommand("t1", TreatyRecord({"kz", "kr", "jp"})));
  registry.MustRunAll(
      "t1", {TextAdopted(Day(2015, 12, 12)), OpenedForSignature(Day(2016, 4, 22)),
             ConsentExpressed("kz", v1::CONSENT_MEANS_ACCESSION, Day(2016, 9, 3)),
             ConsentExpressed("kr", v1::CONSENT_MEANS_ACCESSION, Day(2016, 10, 20))});
  v1::EventPayload entry = EnteredIntoForce("", Day(2016, 11, 4));
  entry.mutable_entered_into_force()->add_bound_party_ids("kz");
  registry.MustRun(AgreementCommand("t1", entry));
  EXPECT_EQ(registry.participation("t1", "kz").status(), v1::PARTICIPATION_STATUS_PARTY);
  EXPECT_EQ(registry.participation("t1", "kr").status(),
            v1::PARTICIPATION_STATUS_CONTRACTING);
  registry.MustRun(AgreementCommand("t1", EnteredIntoForce("kr", Day(2016, 11, 19))));
  EXPECT_FALSE(StandingOn(registry, "t1", "kr", Day(2016, 11, 10)).in_force_for);
  EXPECT_TRUE(StandingOn(registry, "t1", "kr", Day(2016, 11, 19)).in_force_for);
  v1::EventPayload wrong = EnteredIntoForce("", Day(2016, 11, 4));
  wrong.mutable_entered_into_force()->add_bound_party_ids("jp");
  TestRegistry other;
  other.RegisterDefaultParties();
  other.MustRun(AgreementCommand("t1", TreatyRecord({"kz", "kr", "jp"})));
  other.MustRunAll(
      "t1", {TextAdopted(Day(2015, 12, 12)), OpenedForSignature(Day(2016, 4, 22)),
             ConsentExpressed("kz", v1::CONSENT_MEANS_ACCESSION, Day(2016, 9, 3))});
  absl::StatusOr<std::vector<v1::Event>> refused =
      other.Run(AgreementCommand("t1", wrong));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition)
      << "jp has not consented: " << refused.status();
}

// The International Covenant on Civil and Political Rights has no withdrawal clause and
// admits none (VCLT 56(1); Human Rights Committee, General Comment No. 26, 1997); the
// notification of withdrawal of 25 August 1997 was not accepted by the Secretary-General.
TEST(WithdrawalTest, ATreatyThatAdmitsNoWithdrawal) {
  TestRegistry registry;
  registry.RegisterDefaultParties();
  v1::EventPayload record = TreatyRecord({"kz", "kr"});
  record.mutable_agreement_recorded()->mutable_agreement()->set_withdrawal_excluded(true);
  registry.MustRun(AgreementCommand("iccpr", record));
  registry.MustRunAll(
      "iccpr", {TextAdopted(Day(1966, 12, 16)), OpenedForSignature(Day(1966, 12, 19)),
                ConsentExpressed("kz", v1::CONSENT_MEANS_ACCESSION, Day(1970, 1, 1)),
                EnteredIntoForce("", Day(1976, 3, 23))});
  ExpectRefused(
      registry.Run(
          AgreementCommand("iccpr", WithdrawalNotified("kz", Day(1997, 8, 25), {}))),
      absl::StatusCode::kFailedPrecondition,
      "party kz in agreement iccpr is PARTY: cannot notify a withdrawal: the treaty "
      "admits "
      "no withdrawal (VCLT 56(1)); record the notification with depositary_notified");
  v1::EventPayload both = TreatyRecord({"kz"});
  both.mutable_agreement_recorded()->mutable_agreement()->set_withdrawal_excluded(true);
  *both.mutable_agreement_recorded()
       ->mutable_agreement()
       ->mutable_withdrawal_clause()
       ->mutable_period() = Years(1);
  ExpectRefused(
      registry.Run(AgreementCommand("both", both)), absl::StatusCode::kInvalidArgument,
      "change.agreement_recorded.agreement.withdrawal_clause: must be empty when "
      "withdrawal_excluded is set");
}

TEST(WithdrawalTest, ADateTooImpreciseToDeriveMustBeGiven) {
  TestRegistry registry;
  registry.RegisterDefaultParties();
  v1::EventPayload record = TreatyRecord({"kz", "kr"});
  v1::NoticeRule& clause = *record.mutable_agreement_recorded()
                                ->mutable_agreement()
                                ->mutable_withdrawal_clause();
  *clause.mutable_period() = Years(1);
  clause.set_counting(v1::NOTICE_COUNTING_DAY_AFTER_EXPIRY);
  registry.MustRun(AgreementCommand("t1", record));
  registry.MustRunAll(
      "t1", {TextAdopted(Day(1994, 12, 17)), OpenedForSignature(Day(1994, 12, 17)),
             ConsentExpressed("kz", v1::CONSENT_MEANS_ACCESSION, Day(1996, 1, 1)),
             EnteredIntoForce("", Day(1998, 4, 16))});
  // A notice known to the month of December: the day after its year falls in December
  // 2015 or on 1 January 2016; the registry does not guess which.
  ExpectRefused(
      registry.Run(AgreementCommand("t1", WithdrawalNotified("kz", Month(2014, 12), {}))),
      absl::StatusCode::kInvalidArgument,
      "change.withdrawal_notified.withdrawal.takes_effect_on: must be given: the notice "
      "of "
      "2014-12 is not precise enough to derive the date under the treaty's clause (it "
      "falls within 2016)");
  registry.MustRun(
      AgreementCommand("t1", WithdrawalNotified("kz", Month(2014, 12), Day(2016, 1, 1))));
}

TEST(StandingTest, NowReadsTheDatesTheRecordHolds) {
  TestRegistry registry;
  registry.Reach("t1", kBinding, kMultilateral, v1::AGREEMENT_STATUS_IN_FORCE);
  registry.MustRunAll("t1", {WithdrawalNotified("kr", Day(2025, 1, 27), {}),
                             Signed("jp", kSimple, Day(2009, 7, 1)),
                             ProvisionalStarted("jp", Day(2009, 7, 1)),
                             NonParticipationDeclared("jp", Day(2026, 11, 20))});
  // The declaration ends provisional application at once, on its date; recorded with a
  // later end, it runs until then.
  const v1::Agreement& t1 = registry.agreement("t1");
  const LegalStatusOnDate record = StatusAsRecorded(t1);
  EXPECT_TRUE(FindParticipant(record, "kr")->in_force_for) << "the record alone";
  const LegalStatusOnDate now = StatusAsRecorded(t1, Day(2026, 12, 4));
  EXPECT_FALSE(FindParticipant(now, "kr")->in_force_for) << "its withdrawal took effect";
  ASSERT_EQ(now.notes.size(), 1u);
  EXPECT_EQ(now.notes[0].kind, StatusNote::Kind::kWithdrawalDue);
  EXPECT_TRUE(FindParticipant(now, "kz")->in_force_for);
  EXPECT_TRUE(FindParticipant(StatusAsRecorded(t1, Day(2026, 11, 19)), "jp")
                  ->provisionally_applying);
  EXPECT_FALSE(FindParticipant(now, "jp")->provisionally_applying);
  // An entry into force recorded ahead of time has not happened yet.
  EXPECT_FALSE(StatusAsRecorded(t1, Day(2009, 5, 1)).in_force);
}

TEST(CorrectedDatesTest, AnswersOnADateUseTheCorrectedWithdrawalDate) {
  TestRegistry registry;
  registry.Reach("a1", kBinding, kMultilateral, v1::AGREEMENT_STATUS_IN_FORCE);
  registry.MustRun(
      AgreementCommand("a1", WithdrawalNotified("kr", Day(2020, 1, 1), Day(2022, 1, 1))));
  v1::Agreement values;
  *values.mutable_participations() = registry.agreement("a1").participations();
  *values.mutable_participations(1)->mutable_withdrawal()->mutable_takes_effect_on() =
      Day(2021, 1, 1);
  registry.MustRun(AgreementCommand("a1", Corrected(5, {"participations"}, values)));
  const LegalStatusOnDate mid_2021 =
      LegalStatusOn(HistoryOf(registry, "a1"), Day(2021, 6, 1));
  EXPECT_FALSE(FindParticipant(mid_2021, "kr")->in_force_for);
  ASSERT_EQ(mid_2021.notes.size(), 1u);
  EXPECT_EQ(mid_2021.notes[0].text,
            "withdrawal of kr due on 2021-01-01, not yet recorded");
}

// Serbia and Montenegro (ISO 3166-3 CSXX) ended with Montenegro's independence on 3 June
// 2006; Serbia continued it (UNTC, historical information); t1 is a test treaty.
TEST(SuccessionRulesTest, DatesAndNamedPredecessors) {
  TestRegistry registry;
  registry.MustRun(
      FormerStateCommand("csxx", "CSXX", "Serbia and Montenegro", Day(2006, 6, 3)));
  registry.MustRun(StateCommand("me", "ME", "Montenegro"));
  v1::EventPayload serbia = RegisterPayload(v1::PARTY_TYPE_STATE, "RS", "Serbia");
  v1::PartySuccession& from =
      *serbia.mutable_party_registered()->mutable_party()->add_predecessors();
  from.set_party_id("csxx");
  from.set_kind(v1::SUCCESSION_KIND_CONTINUATION);
  registry.MustRun(PartyCommand("rs", serbia));
  registry.MustRun(StateCommand("kz", "KZ", "Kazakhstan"));
  registry.MustRun(AgreementCommand("t1", TreatyRecord({"kz", "csxx", "me", "rs"})));
  registry.MustRunAll(
      "t1", {TextAdopted(Day(2001, 1, 1)), OpenedForSignature(Day(2001, 1, 2)),
             ConsentExpressed("kz", v1::CONSENT_MEANS_ACCESSION, Day(2001, 5, 1)),
             ConsentExpressed("csxx", v1::CONSENT_MEANS_ACCESSION, Day(2003, 5, 1)),
             EnteredIntoForce("", Day(2004, 1, 1))});
  // A succession dated after the predecessor ceased to exist needs a source.
  ExpectRefused(
      registry.Run(AgreementCommand(
          "t1", SuccessionNotified("me", "csxx", Day(2007, 1, 1), Day(2007, 2, 1)))),
      absl::StatusCode::kInvalidArgument,
      "change.succession_notified.succession_date: 2007-01-01 is after party csxx "
      "ceased to exist (2006-06-04); if a source confirms both dates, name it in "
      "dates_confirmed_by");
  // A successor whose party record names its predecessors must name this one.
  ExpectRefused(
      registry.Run(AgreementCommand(
          "t1", SuccessionNotified("rs", "kz", Day(2006, 6, 3), Day(2006, 6, 3)))),
      absl::StatusCode::kInvalidArgument,
      "change.succession_notified.predecessor_id: party kz is not one of the "
      "predecessors its party record names for rs");
  registry.MustRun(AgreementCommand(
      "t1", SuccessionNotified("rs", "csxx", Day(2006, 6, 3), Day(2006, 6, 3))));
  registry.MustRun(AgreementCommand(
      "t1", SuccessionNotified("me", "csxx", Day(2006, 6, 3), Day(2006, 10, 23))));
  EXPECT_EQ(FormatDate(registry.participation("t1", "csxx").left_on()), "2006-06-04");
  EXPECT_EQ(registry.participation("t1", "me").status(), v1::PARTICIPATION_STATUS_PARTY);
}

TEST(PeriodCorrectionTest, ClosedPeriodsAreHistory) {
  TestRegistry registry;
  registry.Reach("a1", kBinding, kMultilateral, v1::AGREEMENT_STATUS_IN_FORCE);
  registry.MustRunAll(
      "a1", {WithdrawalNotified("kr", Day(2012, 1, 1), {}),
             WithdrawalTookEffect("kr", Day(2013, 1, 1)),
             ConsentExpressed("kr", v1::CONSENT_MEANS_ACCESSION, Day(2016, 1, 1))});
  v1::Agreement values;
  *values.mutable_participations() = registry.agreement("a1").participations();
  *values.mutable_participations(1)->mutable_previous_periods(0)->mutable_left_on() =
      Day(2014, 1, 1);
  // Position 5: the agreement_recorded after the four default parties.
  ExpectRefused(
      registry.Run(AgreementCommand("a1", Corrected(5, {"participations"}, values))),
      absl::StatusCode::kInvalidArgument,
      "change.record_corrected.agreement.participations[1]: must restate "
      "previous_periods, succession and reservations as recorded (only the text "
      "and articles of a reservation may be corrected)");
}

}  // namespace
}  // namespace agreements::domain
