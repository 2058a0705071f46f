// Public histories of well-known treaties, entered as a treaty office would, and the
// legal answers the registry must give about them: states that leave and join again,
// withdrawal clauses that count differently, provisional application that is not
// entry into force, succession of states, terms that expire or are extended. Each
// history cites where its facts come from; dates keep the precision the source gives.
#include <string>
#include <vector>

#include "common/date_format.h"
#include "domain/practice_test_util.h"
#include "domain/valid_time.h"
#include "gtest/gtest.h"

namespace agreements::domain {
namespace {

using namespace ::agreements::domain::testing;  // NOLINT: builders read as a table.

constexpr auto kParty = v1::PARTICIPATION_STATUS_PARTY;
constexpr auto kFormer = v1::PARTICIPATION_STATUS_FORMER_PARTY;
constexpr auto kPending = v1::PARTICIPATION_STATUS_WITHDRAWAL_PENDING;
constexpr auto kContracting = v1::PARTICIPATION_STATUS_CONTRACTING;
constexpr auto kNotBecoming = v1::PARTICIPATION_STATUS_NOT_BECOMING_PARTY;
constexpr auto kSignatory = v1::PARTICIPATION_STATUS_SIGNATORY;

// One row of a participant's timeline: on `date`, this status, period and standing.
struct Standing {
  v1::Date date;
  v1::ParticipationStatus status;
  int period;
  bool in_force_for;
};

void ExpectStandings(const TestRegistry& registry, const std::string& agreement,
                     const std::string& party, const std::vector<Standing>& rows) {
  for (const Standing& row : rows) {
    SCOPED_TRACE(party + " on " + FormatDate(row.date));
    const ParticipantOnDate p = StandingOn(registry, agreement, party, row.date);
    EXPECT_EQ(v1::ParticipationStatus_Name(p.status),
              v1::ParticipationStatus_Name(row.status));
    EXPECT_EQ(p.period, row.period);
    EXPECT_EQ(p.in_force_for, row.in_force_for);
  }
}

// The Constitution of UNESCO (London, 16 November 1945; in force 4 November 1946).
// Art. II(6): a notice of withdrawal "shall take effect on 31 December of the year
// following that during which the notice was given". The United States accepted it in
// 1946, gave notice on 28 December 1983 (effective 31 December 1984), rejoined on 1
// October 2003, gave notice on 12 October 2017 (effective 31 December 2018), rejoined in
// July 2023, and gave notice on 22 July 2025 (effective 31 December 2026). Sources:
// UNESCO, Member States list; US Department of State notices of those dates.
class UnescoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.MustRun(StateCommand("us", "US", "United States of America"));
    registry_.MustRun(StateCommand("fr", "FR", "France"));
    registry_.MustRun(StateCommand("gb", "GB", "United Kingdom"));
    v1::EventPayload record = TreatyRecord({"us", "fr"});
    v1::NoticeRule& clause = *record.mutable_agreement_recorded()
                                  ->mutable_agreement()
                                  ->mutable_withdrawal_clause();
    *clause.mutable_period() = Years(1);
    clause.set_counting(v1::NOTICE_COUNTING_END_OF_CALENDAR_YEAR);
    clause.set_article("art. II(6)");
    registry_.MustRun(AgreementCommand("unesco", record));
    registry_.MustRunAll(
        "unesco", {DepositaryDesignated("gb"), TextAdopted(Day(1945, 11, 16)),
                   OpenedForSignature(Day(1945, 11, 16)),
                   Signed("us", v1::SIGNATURE_KIND_SIMPLE, Day(1945, 11, 16)),
                   Signed("fr", v1::SIGNATURE_KIND_SIMPLE, Day(1945, 11, 16)),
                   ConsentExpressed("us", v1::CONSENT_MEANS_ACCEPTANCE, Year(1946)),
                   ConsentExpressed("fr", v1::CONSENT_MEANS_ACCEPTANCE, Year(1946)),
                   EnteredIntoForce("", Day(1946, 11, 4)),
                   WithdrawalNotified("us", Day(1983, 12, 28), {}),
                   WithdrawalTookEffect("us", Day(1984, 12, 31)),
                   ConsentExpressed("us", v1::CONSENT_MEANS_ACCEPTANCE, Day(2003, 10, 1)),
                   EnteredIntoForce("us", Day(2003, 10, 1)),
                   WithdrawalNotified("us", Day(2017, 10, 12), {}),
                   WithdrawalTookEffect("us", Day(2018, 12, 31)),
                   ConsentExpressed("us", v1::CONSENT_MEANS_ACCEPTANCE, Month(2023, 7)),
                   EnteredIntoForce("us", Month(2023, 7)),
                   WithdrawalNotified("us", Day(2025, 7, 22), {})});
  }

  TestRegistry registry_;
};

TEST_F(UnescoTest, EveryPeriodIsKeptAndTheLatestIsCurrent) {
  const v1::Participation& us = registry_.participation("unesco", "us");
  EXPECT_EQ(us.status(), kPending);
  ASSERT_EQ(us.previous_periods_size(), 2);
  EXPECT_EQ(us.previous_periods(0).status(), kFormer);
  EXPECT_EQ(FormatDate(us.previous_periods(0).left_on()), "1984-12-31");
  EXPECT_EQ(FormatDate(us.previous_periods(1).in_force_from()), "2003-10-01");
  EXPECT_EQ(FormatDate(us.previous_periods(1).left_on()), "2018-12-31");
  EXPECT_EQ(FormatDate(us.in_force_from()), "2023-07");
  EXPECT_EQ(us.signature().date().year(), 1945) << "the signature belongs to no period";
}

TEST_F(UnescoTest, WithdrawalDatesFollowTheConstitutionsOwnClause) {
  const v1::Participation& us = registry_.participation("unesco", "us");
  EXPECT_EQ(FormatDate(us.withdrawal().takes_effect_on()), "2026-12-31");
  EXPECT_EQ(us.withdrawal().takes_effect_basis(), v1::EFFECTIVE_DATE_BASIS_TREATY_CLAUSE);
  EXPECT_EQ(FormatDate(us.previous_periods(0).withdrawal().takes_effect_on()),
            "1984-12-31");
  EXPECT_EQ(FormatDate(us.previous_periods(1).withdrawal().takes_effect_on()),
            "2018-12-31");
}

TEST_F(UnescoTest, StatusOnADateComesFromThePeriodThatCoversIt) {
  ExpectStandings(registry_, "unesco", "us",
                  {{Day(1945, 12, 1), kSignatory, 1, false},
                   {Day(1950, 1, 1), kParty, 1, true},
                   {Day(1984, 6, 1), kPending, 1, true},
                   {Day(1985, 6, 1), kFormer, 1, false},
                   {Day(2004, 1, 1), kParty, 2, true},
                   {Day(2018, 6, 1), kPending, 2, true},
                   {Day(2019, 6, 1), kFormer, 2, false},
                   {Day(2024, 1, 1), kParty, 3, true},
                   {Day(2025, 9, 1), kPending, 3, true}});
}

TEST_F(UnescoTest, AWithdrawalDueButNotRecordedIsSaidSo) {
  const LegalStatusOnDate answer =
      LegalStatusOn(HistoryOf(registry_, "unesco"), Day(2027, 1, 1));
  const ParticipantOnDate* us = FindParticipant(answer, "us");
  ASSERT_NE(us, nullptr);
  EXPECT_EQ(us->status, kPending) << "nothing is written automatically";
  EXPECT_FALSE(us->in_force_for) << "the Constitution's clause has taken effect";
  ASSERT_EQ(answer.notes.size(), 1u);
  EXPECT_EQ(answer.notes[0].kind, StatusNote::Kind::kWithdrawalDue);
  EXPECT_EQ(answer.notes[0].party_id, "us");
  EXPECT_EQ(answer.notes[0].text, "withdrawal of us due on 2026-12-31, not yet recorded");
  EXPECT_TRUE(answer.in_force) << "a multilateral treaty stays in force (VCLT 55)";

  registry_.MustRun(
      AgreementCommand("unesco", WithdrawalTookEffect("us", Day(2026, 12, 31))));
  const LegalStatusOnDate recorded =
      LegalStatusOn(HistoryOf(registry_, "unesco"), Day(2027, 1, 1));
  EXPECT_EQ(FindParticipant(recorded, "us")->status, kFormer);
  EXPECT_TRUE(recorded.notes.empty());
}

// The Paris Agreement (UNTC XXVII.7.d; UNTS vol. 3156, registration no. I-54113). Art.
// 28(2): withdrawal "upon expiry of one year from the date of receipt by the
// Depositary"; art. 21(3): for a later party, in force on the thirtieth day after its
// deposit. The United States signed on 22 April 2016, accepted on 3 September 2016
// (in force 4 November 2016), notified its withdrawal on 4 November 2019 (effective 4
// November 2020), accepted again on 20 January 2021 (in force for it on 19 February
// 2021) and notified its withdrawal on 27 January 2025 (effective 27 January 2026).
class ParisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.MustRun(StateCommand("us", "US", "United States of America"));
    registry_.MustRun(StateCommand("fr", "FR", "France"));
    registry_.MustRun(
        OrganizationCommand("un-sg", "Secretary-General of the United Nations"));
    v1::EventPayload record = TreatyRecord({"us", "fr"});
    v1::Agreement& paris = *record.mutable_agreement_recorded()->mutable_agreement();
    *paris.mutable_withdrawal_clause()->mutable_period() = Years(1);
    paris.mutable_withdrawal_clause()->set_article("art. 28(2)");
    v1::Identifier& unts = *paris.add_identifiers();
    unts.set_scheme("UNTC");
    unts.set_value("XXVII-7-d");
    registry_.MustRun(AgreementCommand("paris", record));
    registry_.MustRunAll(
        "paris",
        {DepositaryDesignated("un-sg"), TextAdopted(Day(2015, 12, 12)),
         OpenedForSignature(Day(2016, 4, 22)),
         Signed("us", v1::SIGNATURE_KIND_SIMPLE, Day(2016, 4, 22)),
         Signed("fr", v1::SIGNATURE_KIND_SIMPLE, Day(2016, 4, 22)),
         ConsentExpressed("us", v1::CONSENT_MEANS_ACCEPTANCE, Day(2016, 9, 3)),
         ConsentExpressed("fr", v1::CONSENT_MEANS_RATIFICATION, Day(2016, 10, 5)),
         EnteredIntoForce("", Day(2016, 11, 4)),
         RegisteredWithUn("I-54113", Day(2016, 11, 4)),
         WithdrawalNotified("us", Day(2019, 11, 4), {})});
  }

  TestRegistry registry_;
};

TEST_F(ParisTest, AWithdrawalWithoutADateTakesTheTreatysYear) {
  const v1::Withdrawal& w = registry_.participation("paris", "us").withdrawal();
  EXPECT_EQ(FormatDate(w.takes_effect_on()), "2020-11-04");
  EXPECT_EQ(w.takes_effect_basis(), v1::EFFECTIVE_DATE_BASIS_TREATY_CLAUSE);
}

TEST_F(ParisTest, ASecondEntryIntoForceForTheSameState) {
  registry_.MustRunAll(
      "paris", {WithdrawalTookEffect("us", Day(2020, 11, 4)),
                ConsentExpressed("us", v1::CONSENT_MEANS_ACCEPTANCE, Day(2021, 1, 20)),
                EnteredIntoForce("us", Day(2021, 2, 19)),
                WithdrawalNotified("us", Day(2025, 1, 27), {})});
  ExpectStandings(registry_, "paris", "us",
                  {{Day(2016, 10, 1), kContracting, 1, false},
                   {Day(2017, 1, 1), kParty, 1, true},
                   {Day(2020, 12, 1), kFormer, 1, false},
                   {Day(2021, 2, 1), kContracting, 2, false},
                   {Day(2021, 3, 1), kParty, 2, true},
                   {Day(2025, 6, 1), kPending, 2, true},
                   {Day(2026, 6, 1), kPending, 2, false}});
  EXPECT_EQ(
      FormatDate(registry_.participation("paris", "us").withdrawal().takes_effect_on()),
      "2026-01-27");
}

TEST_F(ParisTest, ANotifiedDateEarlierThanTheClauseContradictsTheTreaty) {
  registry_.MustRunAll("paris", {WithdrawalRevoked("us", Day(2019, 12, 1))});
  const v1::EventPayload early =
      WithdrawalNotified("us", Day(2019, 12, 2), Day(2020, 6, 1));
  absl::StatusOr<std::vector<v1::Event>> refused =
      registry_.Run(AgreementCommand("paris", early));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().message(),
            "change.withdrawal_notified.withdrawal.takes_effect_on: 2020-06-01 is before "
            "the date the treaty's withdrawal clause gives (1 year notice) (2020-12-02); "
            "if a source confirms both dates, name it in dates_confirmed_by");
  registry_.MustRun(AgreementCommand(
      "paris", WithDatesConfirmedBy(early, "depositary notification C.N.0.2019 (test)")));
  EXPECT_EQ(registry_.log().back().payload().dates_confirmed_by(),
            "depositary notification C.N.0.2019 (test)")
      << "the source stays in the event";
  EXPECT_EQ(registry_.participation("paris", "us").withdrawal().takes_effect_basis(),
            v1::EFFECTIVE_DATE_BASIS_NOTIFIED);
}

TEST_F(ParisTest, RegistrationIsRecordedAndNumbered) {
  const v1::Agreement& paris = registry_.agreement("paris");
  ASSERT_EQ(paris.registrations_size(), 1);
  EXPECT_EQ(paris.registrations(0).number(), "I-54113");
  EXPECT_FALSE(RegistrationDue(paris));
  registry_.MustRun(AgreementCommand("paris", [] {
    v1::EventPayload p;
    p.mutable_publication_recorded()->set_number("I-54113");
    p.mutable_publication_recorded()->set_unts_volume(3156);
    return p;
  }()));
  EXPECT_EQ(registry_.agreement("paris").registrations(0).unts_volume(), 3156);
}

// The Energy Charter Treaty (Lisbon, 17 December 1994; in force 16 April 1998; depositary
// the Government of Portugal, art. 49). Art. 45(1): signatories apply it provisionally;
// art. 45(3)(a): a signatory's notice that it will not become a Contracting Party ends
// its provisional application "upon the expiration of 60 days from the date on which such
// signatory's written notification is received". Kazakhstan (1996) and Italy (1997)
// ratified before the entry into force (years only). The Russian Federation signed on 17
// December 1994, applied it provisionally, and notified on 20 August 2009; its
// provisional application ended on 19 October 2009. Art. 47(2): Italy's withdrawal
// notified on 31 December 2014 took effect on 1 January 2016. Source: Energy Charter
// Secretariat, members and observers; Yukos v. Russia awards (PCA 2005-04/AA227).
class EnergyCharterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.MustRun(StateCommand("ru", "RU", "Russian Federation"));
    registry_.MustRun(StateCommand("it", "IT", "Italy"));
    registry_.MustRun(StateCommand("kz", "KZ", "Kazakhstan"));
    registry_.MustRun(StateCommand("pt", "PT", "Portugal"));
    v1::EventPayload record = TreatyRecord({"ru", "it", "kz", "pt"});
    v1::Agreement& ect = *record.mutable_agreement_recorded()->mutable_agreement();
    v1::NoticeRule& pa =
        *ect.mutable_provisional_application_clause()->mutable_termination_notice();
    *pa.mutable_period() = Days(60);
    ect.mutable_provisional_application_clause()->set_article("art. 45(3)(a)");
    *ect.mutable_withdrawal_clause()->mutable_period() = Years(1);
    ect.mutable_withdrawal_clause()->set_counting(v1::NOTICE_COUNTING_DAY_AFTER_EXPIRY);
    registry_.MustRun(AgreementCommand("ect", record));
    registry_.MustRunAll(
        "ect", {DepositaryDesignated("pt"), TextAdopted(Day(1994, 12, 17)),
                OpenedForSignature(Day(1994, 12, 17)),
                Signed("ru", v1::SIGNATURE_KIND_SIMPLE, Day(1994, 12, 17)),
                Signed("it", v1::SIGNATURE_KIND_SIMPLE, Day(1994, 12, 17)),
                Signed("kz", v1::SIGNATURE_KIND_SIMPLE, Day(1994, 12, 17)),
                Signed("pt", v1::SIGNATURE_KIND_SIMPLE, Day(1994, 12, 17)),
                ProvisionalStarted("", Day(1994, 12, 17)),
                ConsentExpressed("it", v1::CONSENT_MEANS_RATIFICATION, Year(1997)),
                ConsentExpressed("kz", v1::CONSENT_MEANS_RATIFICATION, Year(1996)),
                EnteredIntoForce("", Day(1998, 4, 16)),
                NonParticipationDeclared("ru", Day(2009, 8, 20)),
                WithdrawalNotified("it", Day(2014, 12, 31), {})});
  }

  TestRegistry registry_;
};

TEST_F(EnergyCharterTest, ProvisionalApplicationEndsWhenTheTreatysNoticeRunsOut) {
  const v1::Participation& ru = registry_.participation("ect", "ru");
  EXPECT_EQ(ru.status(), kNotBecoming);
  EXPECT_EQ(FormatDate(ru.provisionally_applied_from()), "1994-12-17");
  EXPECT_EQ(FormatDate(ru.provisional_application_ended_on()), "2009-10-19");
  EXPECT_EQ(FormatDate(ru.non_participation_declared_on()), "2009-08-20");
  const v1::Event& ended = registry_.log().back().payload().has_withdrawal_notified()
                               ? registry_.log()[registry_.log().size() - 2]
                               : registry_.log().back();
  EXPECT_EQ(ended.payload().provisional_application_terminated().effective_date_basis(),
            v1::EFFECTIVE_DATE_BASIS_TREATY_CLAUSE);
}

TEST_F(EnergyCharterTest, ProvisionalApplicationIsNeverEntryIntoForce) {
  const ParticipantOnDate before = StandingOn(registry_, "ect", "ru", Day(2005, 1, 1));
  EXPECT_EQ(before.status, kSignatory);
  EXPECT_TRUE(before.provisionally_applying);
  EXPECT_FALSE(before.in_force_for);
  const ParticipantOnDate notice = StandingOn(registry_, "ect", "ru", Day(2009, 9, 1));
  EXPECT_EQ(notice.status, kNotBecoming);
  EXPECT_TRUE(notice.provisionally_applying) << "until the 60 days run out";
  const ParticipantOnDate after = StandingOn(registry_, "ect", "ru", Day(2009, 10, 19));
  EXPECT_FALSE(after.provisionally_applying);
  // Before the treaty entered into force, it was only applied provisionally.
  const LegalStatusOnDate in_1997 =
      LegalStatusOn(HistoryOf(registry_, "ect"), Year(1997));
  EXPECT_FALSE(InForceOn(in_1997));
  EXPECT_TRUE(ProvisionallyAppliedOn(in_1997));
  EXPECT_TRUE(InForceOn(LegalStatusOn(HistoryOf(registry_, "ect"), Year(1999))));
  EXPECT_TRUE(StandingOn(registry_, "ect", "kz", Year(1999)).in_force_for);
  EXPECT_FALSE(StandingOn(registry_, "ect", "kz", Year(1999)).provisionally_applying);
}

TEST_F(EnergyCharterTest, ItalysWithdrawalTookEffectTheDayAfterTheYear) {
  EXPECT_EQ(
      FormatDate(registry_.participation("ect", "it").withdrawal().takes_effect_on()),
      "2016-01-01");
}

TEST_F(EnergyCharterTest, PortugalIsBothDepositaryAndParticipant) {
  // Its depositary functions (art. 49) do not hide its own participation, which is kept
  // as recorded (its ratification is left out of this test).
  ASSERT_EQ(registry_.agreement("ect").depositaries_size(), 1);
  EXPECT_EQ(registry_.agreement("ect").depositaries(0).party_id(), "pt");
  const ParticipantOnDate pt = StandingOn(registry_, "ect", "pt", Year(2000));
  EXPECT_EQ(pt.status, kSignatory);
  EXPECT_TRUE(pt.provisionally_applying);
}

// The Vienna Convention on the Law of Treaties (UNTS vol. 1155, p. 331, no. I-18232;
// in force 27 January 1980). Czechoslovakia acceded on 29 July 1987 (in force for it on
// 28 August 1987, art. 84(2)); it ceased to exist on 31 December 1992. The Czech
// Republic notified its succession on 22 February 1993 and Slovakia on 28 May 1993, both
// with effect from 1 January 1993. Source: UNTC, chapter XXIII.1, status and notes.
class SuccessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.MustRun(
        FormerStateCommand("cshh", "CSHH", "Czechoslovakia", Day(1992, 12, 31)));
    registry_.MustRun(StateCommand("cz", "CZ", "Czech Republic"));
    registry_.MustRun(StateCommand("sk", "SK", "Slovakia"));
    registry_.MustRun(StateCommand("mx", "MX", "Mexico"));
    registry_.MustRun(AgreementCommand("vclt", TreatyRecord({"mx", "cshh"})));
    registry_.MustRunAll(
        "vclt", {TextAdopted(Day(1969, 5, 22)), OpenedForSignature(Day(1969, 5, 23)),
                 Signed("mx", v1::SIGNATURE_KIND_SIMPLE, Day(1969, 5, 23)),
                 ConsentExpressed("mx", v1::CONSENT_MEANS_RATIFICATION, Day(1974, 9, 25)),
                 EnteredIntoForce("", Day(1980, 1, 27)),
                 ConsentExpressed("cshh", v1::CONSENT_MEANS_ACCESSION, Day(1987, 7, 29)),
                 EnteredIntoForce("cshh", Day(1987, 8, 28)),
                 RegisteredWithUn("I-18232", Day(1980, 1, 27)), ParticipantAdded("cz"),
                 ParticipantAdded("sk"),
                 SuccessionNotified("cz", "cshh", Day(1993, 1, 1), Day(1993, 2, 22)),
                 SuccessionNotified("sk", "cshh", Day(1993, 1, 1), Day(1993, 5, 28))});
  }

  TestRegistry registry_;
};

TEST_F(SuccessionTest, SuccessorsContinueFromTheDateOfSuccession) {
  const v1::Participation& cz = registry_.participation("vclt", "cz");
  EXPECT_EQ(cz.status(), kParty);
  EXPECT_EQ(FormatDate(cz.in_force_from()), "1993-01-01");
  EXPECT_EQ(cz.consent().means(), v1::CONSENT_MEANS_SUCCESSION);
  EXPECT_EQ(cz.succession().predecessor_id(), "cshh");
  EXPECT_EQ(FormatDate(cz.consent().act_date()), "1993-01-01");
  EXPECT_EQ(FormatDate(cz.consent().deposit_date()), "1993-02-22");
  EXPECT_EQ(registry_.participation("vclt", "cshh").status(), kFormer)
      << "a predecessor that ceased to exist leaves the day after its end";
  EXPECT_EQ(FormatDate(registry_.participation("vclt", "cshh").left_on()), "1993-01-01");
  EXPECT_EQ(registry_.participation("vclt", "sk").status(), kParty);
}

TEST_F(SuccessionTest, DatesBeforeTheSuccessorExistedBelongToThePredecessor) {
  const LegalStatusOnDate in_1990 =
      LegalStatusOn(HistoryOf(registry_, "vclt"), Year(1990));
  EXPECT_EQ(FindParticipant(in_1990, "cshh")->status, kParty);
  EXPECT_TRUE(FindParticipant(in_1990, "cshh")->in_force_for);
  EXPECT_EQ(FindParticipant(in_1990, "cz")->status, v1::PARTICIPATION_STATUS_UNSPECIFIED);
  EXPECT_FALSE(FindParticipant(in_1990, "cz")->in_force_for);
  int before_succession = 0;
  for (const StatusNote& note : in_1990.notes) {
    if (note.kind == StatusNote::Kind::kBeforeSuccession) ++before_succession;
  }
  EXPECT_EQ(before_succession, 2);

  const ParticipantOnDate cz = StandingOn(registry_, "vclt", "cz", Day(1993, 6, 1));
  EXPECT_EQ(cz.status, kParty);
  EXPECT_TRUE(cz.in_force_for);
  EXPECT_EQ(cz.succeeded_from, "cshh");
  EXPECT_EQ(StandingOn(registry_, "vclt", "cshh", Day(1993, 6, 1)).status, kFormer);
}

TEST_F(SuccessionTest, ASuccessionBeforeThePredecessorsConsentIsRefused) {
  registry_.MustRun(StateCommand("xx", "SI", "Successor for the test"));
  registry_.MustRun(AgreementCommand("vclt", ParticipantAdded("xx")));
  absl::StatusOr<std::vector<v1::Event>> refused = registry_.Run(AgreementCommand(
      "vclt", SuccessionNotified("xx", "mx", Day(1960, 1, 1), Day(1993, 5, 28))));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      refused.status().message(),
      "change.succession_notified.succession_date: 1960-01-01 is before the "
      "predecessor's consent (1974-09-25); if a source confirms both dates, name it "
      "in dates_confirmed_by");
  // A successor that already acted under the treaty cannot succeed.
  absl::StatusOr<std::vector<v1::Event>> again = registry_.Run(AgreementCommand(
      "vclt", SuccessionNotified("cz", "cshh", Day(1993, 1, 1), Day(1993, 2, 22))));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
}

// The dissolution of Yugoslavia: parts separated before the predecessor ended. The
// Socialist Federal Republic of Yugoslavia (ISO 3166-3 YUCS) ratified the VCLT on 27
// August 1970 and ceased to exist in 1992 (27 April, the constitution of the Federal
// Republic of Yugoslavia). Successions to the VCLT: Slovenia (from 25 June 1991, notified
// 6 July 1992), Croatia (from 8 October 1991, notified 12 October 1992), Bosnia and
// Herzegovina (from 6 March 1992, notified 1 September 1993). Source: UNTC, chapter
// XXIII.1, status and notes on former Yugoslavia.
TEST(DissolutionTest, SuccessorsThatSeparatedBeforeThePredecessorEnded) {
  TestRegistry registry;
  registry.MustRun(
      FormerStateCommand("yucs", "YUCS", "Yugoslavia (SFRY)", Day(1992, 4, 27)));
  registry.MustRun(StateCommand("si", "SI", "Slovenia"));
  registry.MustRun(StateCommand("hr", "HR", "Croatia"));
  registry.MustRun(StateCommand("ba", "BA", "Bosnia and Herzegovina"));
  registry.MustRun(StateCommand("mx", "MX", "Mexico"));
  registry.MustRun(
      AgreementCommand("vclt", TreatyRecord({"mx", "yucs", "si", "hr", "ba"})));
  registry.MustRunAll(
      "vclt", {TextAdopted(Day(1969, 5, 22)), OpenedForSignature(Day(1969, 5, 23)),
               Signed("mx", v1::SIGNATURE_KIND_SIMPLE, Day(1969, 5, 23)),
               Signed("yucs", v1::SIGNATURE_KIND_SIMPLE, Day(1969, 5, 23)),
               ConsentExpressed("yucs", v1::CONSENT_MEANS_RATIFICATION, Day(1970, 8, 27)),
               ConsentExpressed("mx", v1::CONSENT_MEANS_RATIFICATION, Day(1974, 9, 25)),
               EnteredIntoForce("", Day(1980, 1, 27)),
               SuccessionNotified("si", "yucs", Day(1991, 6, 25), Day(1992, 7, 6)),
               SuccessionNotified("hr", "yucs", Day(1991, 10, 8), Day(1992, 10, 12)),
               SuccessionNotified("ba", "yucs", Day(1992, 3, 6), Day(1993, 9, 1))});
  // The predecessor stays a party until it ended, not until the first separation.
  EXPECT_EQ(FormatDate(registry.participation("vclt", "yucs").left_on()), "1992-04-28");
  const LegalStatusOnDate end_of_1991 =
      LegalStatusOn(HistoryOf(registry, "vclt"), Day(1991, 12, 1));
  EXPECT_EQ(FindParticipant(end_of_1991, "yucs")->status, kParty);
  EXPECT_TRUE(FindParticipant(end_of_1991, "si")->in_force_for);
  EXPECT_TRUE(FindParticipant(end_of_1991, "hr")->in_force_for);
  EXPECT_EQ(FindParticipant(end_of_1991, "ba")->status,
            v1::PARTICIPATION_STATUS_UNSPECIFIED);
  const LegalStatusOnDate mid_1992 =
      LegalStatusOn(HistoryOf(registry, "vclt"), Day(1992, 6, 1));
  EXPECT_EQ(FindParticipant(mid_1992, "yucs")->status, kFormer);
  EXPECT_TRUE(FindParticipant(mid_1992, "ba")->in_force_for);
  // Nothing after the predecessor ended, unless a source confirms it.
  registry.MustRun(StateCommand("xx", "ME", "A later state (test)"));
  registry.MustRun(AgreementCommand("vclt", ParticipantAdded("xx")));
  absl::StatusOr<std::vector<v1::Event>> late = registry.Run(AgreementCommand(
      "vclt", SuccessionNotified("xx", "yucs", Day(1995, 1, 1), Day(1995, 6, 1))));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition)
      << "yucs had left by then: " << late.status();
  // And the former state acts no more.
  absl::StatusOr<std::vector<v1::Event>> act = registry.Run(AgreementCommand(
      "vclt", ConsentExpressed("yucs", v1::CONSENT_MEANS_ACCESSION, Day(1993, 1, 1))));
  ASSERT_FALSE(act.ok());
  EXPECT_EQ(
      act.status().message(),
      "change.consent_expressed.consent: 1993-01-01 is after yucs ceased to exist "
      "(1992-04-27); if a source confirms both dates, name it in dates_confirmed_by");
}

// New START (Prague, 8 April 2010; in force 5 February 2011). Art. XIV(2): in force for
// ten years, extendable for at most five; extended by exchange of notes completed on 3
// February 2021 until 5 February 2026. Source: US Department of State, "New START
// Treaty"; UNTC.
class TermTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.MustRun(StateCommand("us", "US", "United States of America"));
    registry_.MustRun(StateCommand("ru", "RU", "Russian Federation"));
    v1::EventPayload record =
        RecordPayload(v1::LEGAL_NATURE_BINDING_INTERNATIONAL, v1::ARITY_BILATERAL,
                      {"us", "ru"}, v1::AGREEMENT_STATUS_DRAFT);
    v1::Term& term =
        *record.mutable_agreement_recorded()->mutable_agreement()->mutable_term();
    *term.mutable_duration() = Years(10);
    term.set_article("art. XIV(2)");
    registry_.MustRun(AgreementCommand("new-start", record));
    registry_.MustRunAll(
        "new-start",
        {Signed("us", v1::SIGNATURE_KIND_SIMPLE, Day(2010, 4, 8)),
         Signed("ru", v1::SIGNATURE_KIND_SIMPLE, Day(2010, 4, 8)),
         ConsentExpressed("us", v1::CONSENT_MEANS_RATIFICATION, Day(2011, 2, 5)),
         ConsentExpressed("ru", v1::CONSENT_MEANS_RATIFICATION, Day(2011, 2, 5)),
         EnteredIntoForce("", Day(2011, 2, 5))});
  }

  TestRegistry registry_;
};

TEST_F(TermTest, AnExpiredTermWithoutExtensionIsSaidSo) {
  EXPECT_EQ(FormatDate(registry_.agreement("new-start").expires_on()), "2021-02-05");
  const LegalStatusOnDate answer =
      LegalStatusOn(HistoryOf(registry_, "new-start"), Day(2021, 6, 1));
  EXPECT_EQ(answer.status, v1::AGREEMENT_STATUS_IN_FORCE) << "as recorded";
  EXPECT_FALSE(InForceOn(answer));
  EXPECT_TRUE(answer.expiry_due);
  ASSERT_EQ(answer.notes.size(), 1u);
  EXPECT_EQ(answer.notes[0].text,
            "expired (expected on 2021-02-05), no extension or expiry recorded");
  EXPECT_FALSE(StandingOn(registry_, "new-start", "us", Day(2021, 6, 1)).in_force_for);
  EXPECT_TRUE(
      InForceOn(LegalStatusOn(HistoryOf(registry_, "new-start"), Day(2020, 6, 1))));
}

TEST_F(TermTest, ExtensionsMoveTheExpiryAndExpiryEndsTheTreaty) {
  registry_.MustRun(AgreementCommand(
      "new-start", Extended(Day(2021, 2, 3), Day(2026, 2, 5),
                            "art. XIV(2); exchange of notes of 26 January and 3 February "
                            "2021")));
  EXPECT_EQ(FormatDate(registry_.agreement("new-start").expires_on()), "2026-02-05");
  ASSERT_EQ(registry_.agreement("new-start").extensions_size(), 1);
  EXPECT_TRUE(
      InForceOn(LegalStatusOn(HistoryOf(registry_, "new-start"), Day(2021, 6, 1))));
  const LegalStatusOnDate lapsed =
      LegalStatusOn(HistoryOf(registry_, "new-start"), Day(2026, 6, 1));
  EXPECT_TRUE(lapsed.expiry_due);
  EXPECT_EQ(FormatDate(lapsed.expires_on), "2026-02-05");

  absl::StatusOr<std::vector<v1::Event>> shorter = registry_.Run(AgreementCommand(
      "new-start", Extended(Day(2024, 1, 1), Day(2025, 1, 1), "not an extension")));
  ASSERT_FALSE(shorter.ok());
  EXPECT_EQ(shorter.status().code(), absl::StatusCode::kInvalidArgument);

  registry_.MustRun(AgreementCommand("new-start", Expired(Day(2026, 2, 5))));
  const v1::Agreement& ended = registry_.agreement("new-start");
  EXPECT_EQ(ended.status(), v1::AGREEMENT_STATUS_TERMINATED);
  EXPECT_EQ(ended.termination_ground(), v1::TERMINATION_GROUND_EXPIRY);
  EXPECT_EQ(registry_.participation("new-start", "ru").status(), kFormer);
  const LegalStatusOnDate recorded =
      LegalStatusOn(HistoryOf(registry_, "new-start"), Day(2026, 6, 1));
  EXPECT_EQ(recorded.status, v1::AGREEMENT_STATUS_TERMINATED);
  EXPECT_TRUE(recorded.notes.empty());
}

TEST_F(TermTest, AnExpiryBeforeTheTermEndsNeedsASource) {
  absl::StatusOr<std::vector<v1::Event>> early =
      registry_.Run(AgreementCommand("new-start", Expired(Day(2019, 1, 1))));
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().message(),
            "change.expired.effective_date: 2019-01-01 is before the end of its term "
            "(2021-02-05); if a source confirms both dates, name it in "
            "dates_confirmed_by");
}

TEST(RenewingTermTest, EndsAtAnyRenewalButNotBeforeTheFirstEnd) {
  // A memorandum for five years, renewed automatically for five more (the common
  // form of cooperation memorandums; test data).
  TestRegistry registry;
  registry.Reach("mou", v1::LEGAL_NATURE_NON_BINDING_POLITICAL, v1::ARITY_MULTILATERAL,
                 v1::AGREEMENT_STATUS_IN_EFFECT);  // in effect from 2009-05-13
  v1::Agreement values;
  v1::Term& term = *values.mutable_term();
  *term.mutable_duration() = Years(5);
  term.set_renews_automatically(true);
  // Position 5: the agreement_recorded after the four default parties.
  registry.MustRun(AgreementCommand("mou", Corrected(5, {"term"}, values)));
  EXPECT_EQ(FormatDate(registry.agreement("mou").expires_on()), "2014-05-13");
  const LegalStatusOnDate in_2016 =
      LegalStatusOn(HistoryOf(registry, "mou"), Day(2016, 1, 1));
  EXPECT_TRUE(InForceOn(in_2016)) << "renewed in 2014";
  EXPECT_EQ(FormatDate(in_2016.expires_on), "2019-05-13")
      << "the term, added by a correction, counts in the answer";
  absl::StatusOr<std::vector<v1::Event>> early =
      registry.Run(AgreementCommand("mou", Expired(Day(2013, 1, 1))));
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().code(), absl::StatusCode::kInvalidArgument);
  registry.MustRun(AgreementCommand("mou", Expired(Day(2019, 5, 13))));
  EXPECT_EQ(registry.agreement("mou").status(), v1::AGREEMENT_STATUS_DISCONTINUED);
}

// The Agreement relating to the Implementation of Part XI of UNCLOS (adopted 28 July
// 1994 by General Assembly resolution 48/263, opened for signature 29 July 1994, in
// force 28 July 1996). Art. 7(1)(a): applied provisionally from 16 November 1994 by the
// states that consented to its adoption in the General Assembly, unless they notified
// otherwise; art. 7(3): provisional application ends on entry into force. Germany signed
// on 29 July 1994 and ratified on 14 October 1994. Source: UNTC, chapter XXI.6. "xa" is
// a test participant standing for a state that consented to the adoption and never
// signed.
TEST(ProvisionalApplicationTest, ByStatesThatHaveNotSignedWhenTheTreatyProvidesIt) {
  v1::EventPayload record = TreatyRecord({"de", "xa"});
  auto start = [&record](TestRegistry& registry) {
    registry.MustRun(StateCommand("de", "DE", "Germany"));
    registry.MustRun(StateCommand("xa", "NR", "A state that did not sign (test)"));
    registry.MustRun(AgreementCommand("part-xi", record));
    registry.MustRunAll(
        "part-xi", {TextAdopted(Day(1994, 7, 28)), OpenedForSignature(Day(1994, 7, 29))});
  };
  TestRegistry without_clause;
  start(without_clause);
  absl::StatusOr<std::vector<v1::Event>> refused = without_clause.Run(
      AgreementCommand("part-xi", ProvisionalStarted("xa", Day(1994, 11, 16))));
  ASSERT_FALSE(refused.ok()) << "without the treaty's clause, only signatories";
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);

  record.mutable_agreement_recorded()
      ->mutable_agreement()
      ->mutable_provisional_application_clause()
      ->set_open_to_non_signatories(true);
  TestRegistry registry;
  start(registry);
  registry.MustRunAll(
      "part-xi",
      {ProvisionalStarted("xa", Day(1994, 11, 16)),
       Signed("de", v1::SIGNATURE_KIND_SIMPLE, Day(1994, 7, 29)),
       ConsentExpressed("de", v1::CONSENT_MEANS_RATIFICATION, Day(1994, 10, 14)),
       ProvisionalStarted("de", Day(1994, 11, 16)),
       ConsentExpressed("xa", v1::CONSENT_MEANS_ACCESSION, Day(1996, 7, 19)),
       EnteredIntoForce("", Day(1996, 7, 28))});
  const ParticipantOnDate xa = StandingOn(registry, "part-xi", "xa", Day(1995, 1, 1));
  EXPECT_EQ(xa.status, v1::PARTICIPATION_STATUS_NEGOTIATING);
  EXPECT_TRUE(xa.provisionally_applying);
  const LegalStatusOnDate in_1995 =
      LegalStatusOn(HistoryOf(registry, "part-xi"), Day(1995, 1, 1));
  EXPECT_EQ(in_1995.status, v1::AGREEMENT_STATUS_PROVISIONALLY_APPLIED);
  EXPECT_FALSE(InForceOn(in_1995));
  EXPECT_TRUE(in_1995.provisionally_applied);
  // Entry into force ends provisional application (art. 7(3); VCLT 25(1)).
  EXPECT_EQ(
      FormatDate(
          registry.participation("part-xi", "xa").provisional_application_ended_on()),
      "1996-07-28");
  const ParticipantOnDate in_force = StandingOn(registry, "part-xi", "xa", Year(1997));
  EXPECT_TRUE(in_force.in_force_for);
  EXPECT_FALSE(in_force.provisionally_applying);
}

}  // namespace
}  // namespace agreements::domain
