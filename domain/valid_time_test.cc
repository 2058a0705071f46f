// LegalStatusOn / InForceOn: the legal status of an agreement on a legal date, from
// histories built through Decide and Evolve. Each timeline is a table of questions
// (date at any precision) and the expected status, participants and uncertainty.
#include "domain/valid_time.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "domain/decider.h"
#include "domain/lifecycle_internal.h"
#include "domain/test_constants.h"
#include "domain/test_registry.h"
#include "domain/valid_time_internal.h"
#include "gtest/gtest.h"

namespace agreements::domain {
namespace {

using namespace ::agreements::domain::testing;  // NOLINT: builders read as a table.

// One question and its expected answer. `participants` reads "kz=PARTY kr=SIGNATORY"
// (participation order); empty: not checked.
struct Row {
  v1::Date date;
  v1::AgreementStatus status;
  std::string participants = "";
  bool uncertain = false;
};

std::string DateText(const v1::Date& d) {
  switch (d.precision()) {
    case v1::DATE_PRECISION_YEAR:
      return absl::StrCat(d.year());
    case v1::DATE_PRECISION_MONTH:
      return absl::StrCat(d.year(), "-", d.month());
    default:
      return absl::StrCat(d.year(), "-", d.month(), "-", d.day());
  }
}

std::string Participants(const LegalStatusOnDate& answer) {
  std::string text;
  for (const ParticipantOnDate& p : answer.participants) {
    absl::StrAppend(&text, text.empty() ? "" : " ", p.party_id, "=",
                    internal::ParticipationStatusName(p.status));
  }
  return text;
}

void ExpectTimeline(const std::vector<v1::Event>& history, const std::vector<Row>& rows) {
  for (const Row& row : rows) {
    SCOPED_TRACE(absl::StrCat("on ", DateText(row.date)));
    LegalStatusOnDate answer = LegalStatusOn(history, row.date);
    EXPECT_EQ(internal::StatusName(answer.status), internal::StatusName(row.status));
    if (!row.participants.empty()) {
      EXPECT_EQ(Participants(answer), row.participants);
    }
    EXPECT_EQ(answer.uncertain, row.uncertain);
  }
}

// The events of agreement `id`, in revision order.
std::vector<v1::Event> History(const TestRegistry& registry, const std::string& id) {
  std::vector<v1::Event> history;
  for (const v1::Event& e : registry.log()) {
    if (e.envelope().stream_type() == v1::STREAM_TYPE_AGREEMENT &&
        e.envelope().stream_id() == id) {
      history.push_back(e);
    }
  }
  return history;
}

// Position of the last event of `id` with payload `kind`.
uint64_t PositionOf(const TestRegistry& registry, const std::string& id,
                    v1::EventPayload::KindCase kind) {
  uint64_t position = 0;
  for (const v1::Event& e : History(registry, id)) {
    if (e.payload().kind_case() == kind) position = e.envelope().position();
  }
  return position;
}

// Records `id` with participants kz and kr (role PARTY) and runs `changes`.
void Record(TestRegistry& registry, const std::string& id, v1::LegalNature nature,
            v1::Arity arity, const std::vector<v1::EventPayload>& changes,
            v1::AgreementStatus initial = kDraft) {
  registry.RegisterDefaultParties();
  registry.MustRun(
      AgreementCommand(id, RecordPayload(nature, arity, {"kz", "kr"}, initial)));
  registry.MustRunAll(id, changes);
}

// The example of the brief: signed 2009, in force from 2010, terminated 2020.
class LegalStatusOnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Record(registry_, "t1", kBinding, kBilateral,
           {Signed("kz", kDefinitive, Day(2009, 5, 13)),
            Signed("kr", kDefinitive, Day(2009, 5, 13)),
            EnteredIntoForce("", Day(2010, 1, 1)),
            Terminated(v1::TERMINATION_GROUND_BY_CONSENT, Day(2020, 1, 1))});
  }
  TestRegistry registry_;
};

TEST_F(LegalStatusOnTest, SignedInForceTerminatedAcrossDates) {
  const std::string before = "kz=NEGOTIATING kr=NEGOTIATING";
  const std::string contracting = "kz=CONTRACTING kr=CONTRACTING";
  const std::string parties = "kz=PARTY kr=PARTY";
  const std::string former = "kz=FORMER_PARTY kr=FORMER_PARTY";
  ExpectTimeline(History(registry_, "t1"),
                 {
                     {Year(2008), kDraft, before},
                     {Day(2009, 5, 12), kDraft, before},
                     {Day(2009, 5, 13), kSignedNotInForce, contracting},
                     {Day(2009, 12, 31), kSignedNotInForce, contracting},
                     {Day(2010, 1, 1), kInForce, parties},
                     {Day(2015, 6, 1), kInForce, parties},
                     {Year(2015), kInForce, parties},
                     {Month(2019, 12), kInForce, parties},
                     {Day(2020, 1, 1), kTerminated, former},
                     {Year(2021), kTerminated, former},
                     // A whole month or year after the transition's day is certain.
                     {Month(2010, 1), kInForce, parties},
                     {Year(2020), kTerminated, former},
                     // Questions of lower precision: the signatures fall inside
                     // the year (or month) asked about.
                     {Year(2009), kDraft, before, true},
                     {Month(2009, 4), kDraft, before},
                     {Month(2009, 5), kDraft, before, true},
                     {Month(2009, 6), kSignedNotInForce, contracting},
                 });
}

TEST_F(LegalStatusOnTest, BothAxesTransactionTimeCutsTheHistory) {
  std::vector<v1::Event> history = History(registry_, "t1");
  ASSERT_EQ(history.back().payload().kind_case(), v1::EventPayload::kTerminated);
  std::vector<v1::Event> before_termination(history.begin(), history.end() - 1);
  EXPECT_EQ(LegalStatusOn(history, Year(2021)).status, kTerminated);
  EXPECT_EQ(LegalStatusOn(before_termination, Year(2021)).status, kInForce);
}

TEST_F(LegalStatusOnTest, InForceOnFollowsTheStatusAndTheFlag) {
  std::vector<v1::Event> history = History(registry_, "t1");
  EXPECT_FALSE(InForceOn(LegalStatusOn(history, Day(2009, 12, 31))));
  EXPECT_TRUE(InForceOn(LegalStatusOn(history, Day(2015, 6, 1))));
  EXPECT_FALSE(InForceOn(LegalStatusOn(history, Day(2020, 1, 1))));

  // Certain answers: in force exactly for the three statuses; provisional application
  // is not entry into force (VCLT 24 vs 25).
  for (auto status : {kInForce, kProvisional, kInEffect, kActive, kSuspended,
                      kSignedNotInForce, kSigned, kTerminated, kUnspecified}) {
    LegalStatusOnDate answer;
    answer.status = status;
    const bool in_force = status == kInForce || status == kInEffect || status == kActive;
    EXPECT_EQ(ProvisionallyAppliedOn(answer), status == kProvisional)
        << internal::StatusName(status);
    EXPECT_EQ(InForceOn(answer), in_force) << internal::StatusName(status);
    // An open participant leaves the instrument's answer as it is ...
    answer.uncertain = true;
    EXPECT_EQ(InForceOn(answer), in_force) << internal::StatusName(status);
    // ... an open instrument status does not.
    answer.status_uncertain = true;
    EXPECT_FALSE(InForceOn(answer)) << internal::StatusName(status) << " uncertain";
  }
}

TEST(ValidTimeTest, EmptyHistoryHasNoStatus) {
  LegalStatusOnDate answer = LegalStatusOn({}, Day(2010, 1, 1));
  EXPECT_EQ(answer.status, kUnspecified);
  EXPECT_TRUE(answer.participants.empty());
  EXPECT_FALSE(answer.uncertain);
  EXPECT_FALSE(InForceOn(answer));
}

TEST(ValidTimeTest, NegotiatedAdoptedOpenedAndAcceded) {
  TestRegistry registry;
  Record(registry, "c1", kBinding, kMultilateral,
         {TextAdopted(Day(2008, 3, 1)), OpenedForSignature(Day(2008, 4, 1)),
          ConsentExpressed("kz", kAccession, Day(2009, 1, 10)),
          EnteredIntoForce("", Day(2009, 3, 1))},
         kNegotiating);
  ExpectTimeline(
      History(registry, "c1"),
      {
          {Year(2007), kNegotiating, "kz=NEGOTIATING kr=NEGOTIATING"},
          {Day(2008, 3, 1), kAdopted},
          {Day(2008, 4, 1), kOpen},
          {Day(2009, 1, 10), kSignedNotInForce, "kz=CONTRACTING kr=NEGOTIATING"},
          {Day(2009, 3, 1), kInForce, "kz=PARTY kr=NEGOTIATING"},
      });
}

TEST(ValidTimeTest, DatesOfLowerPrecisionLeaveTheAnswerOpen) {
  TestRegistry registry;
  Record(registry, "p1", kBinding, kBilateral,
         {Signed("kz", kDefinitive, Month(2009, 5)),
          Signed("kr", kDefinitive, Month(2009, 5)), EnteredIntoForce("", Year(2010))});
  ExpectTimeline(
      History(registry, "p1"),
      {
          {Day(2009, 4, 30), kDraft},
          {Day(2009, 5, 20), kDraft, "kz=NEGOTIATING kr=NEGOTIATING", true},
          {Day(2009, 6, 1), kSignedNotInForce},
          {Day(2009, 12, 31), kSignedNotInForce},
          // "In force from 2010": conservatively not yet, flagged.
          {Day(2010, 3, 1), kSignedNotInForce, "kz=CONTRACTING kr=CONTRACTING", true},
          {Month(2010, 3), kSignedNotInForce, "", true},
          {Year(2010), kSignedNotInForce, "", true},
          {Day(2011, 1, 1), kInForce, "kz=PARTY kr=PARTY"},
          {Year(2011), kInForce},
      });
  EXPECT_FALSE(InForceOn(LegalStatusOn(History(registry, "p1"), Day(2010, 3, 1))));
}

TEST(ValidTimeTest, SuspensionAndResumption) {
  TestRegistry registry;
  registry.Reach("s1", kBinding, kBilateral, kInForce);  // in force from 2009-06-01
  registry.MustRunAll("s1", {Suspended("", Day(2011, 1, 1)), Resumed("", Day(2012, 6, 1)),
                             Suspended("", Year(2016)), Resumed("", Year(2016))});
  const std::vector<v1::Event> history = History(registry, "s1");
  ExpectTimeline(history, {
                              {Day(2010, 12, 31), kInForce},
                              {Day(2011, 1, 1), kSuspended},
                              {Year(2011), kSuspended},
                              {Day(2012, 5, 31), kSuspended},
                              {Year(2012), kSuspended, "", true},
                              {Day(2012, 6, 1), kInForce},
                              // Suspended and resumed some time in 2016.
                              {Day(2016, 6, 1), kInForce, "", true},
                              {Day(2017, 1, 1), kInForce},
                          });
  EXPECT_FALSE(InForceOn(LegalStatusOn(history, Day(2011, 6, 1))));
  EXPECT_TRUE(InForceOn(LegalStatusOn(history, Day(2013, 1, 1))));
}

TEST(ValidTimeTest, SuspensionForOneParty) {
  TestRegistry registry;
  registry.Reach("s2", kBinding, kMultilateral, kInForce);
  registry.MustRunAll("s2",
                      {Suspended("kz", Day(2011, 1, 1)), Resumed("kz", Day(2012, 1, 1))});
  ExpectTimeline(History(registry, "s2"),
                 {
                     {Day(2010, 1, 1), kInForce, "kz=PARTY kr=PARTY jp=NEGOTIATING"},
                     {Day(2011, 1, 1), kInForce, "kz=SUSPENDED kr=PARTY jp=NEGOTIATING"},
                     {Day(2012, 1, 1), kInForce, "kz=PARTY kr=PARTY jp=NEGOTIATING"},
                 });
}

TEST(ValidTimeTest, BilateralWithdrawalEndsTheTreaty) {
  TestRegistry registry;
  registry.Reach("w1", kBinding, kBilateral, kInForce);
  registry.MustRunAll("w1", {WithdrawalNotified("kz", Day(2015, 1, 1), {}),
                             WithdrawalTookEffect("kz", Day(2016, 1, 1))});
  ASSERT_EQ(registry.agreement("w1").status(), kTerminated);
  ExpectTimeline(
      History(registry, "w1"),
      {
          {Day(2014, 12, 31), kInForce, "kz=PARTY kr=PARTY jp=NEGOTIATING"},
          {Day(2015, 1, 1), kInForce, "kz=WITHDRAWAL_PENDING kr=PARTY jp=NEGOTIATING"},
          {Day(2016, 1, 1), kTerminated,
           "kz=FORMER_PARTY kr=FORMER_PARTY jp=NEGOTIATING"},
      });
}

TEST(ValidTimeTest, MultilateralWithdrawalAndRevocation) {
  TestRegistry registry;
  registry.Reach("w2", kBinding, kMultilateral, kInForce);
  registry.MustRunAll("w2", {WithdrawalNotified("kz", Day(2015, 1, 1), {}),
                             WithdrawalTookEffect("kz", Day(2016, 1, 1)),
                             WithdrawalNotified("kr", Day(2017, 1, 1), {}),
                             WithdrawalRevoked("kr", Day(2017, 3, 1))});
  ExpectTimeline(
      History(registry, "w2"),
      {
          {Day(2015, 6, 1), kInForce, "kz=WITHDRAWAL_PENDING kr=PARTY jp=NEGOTIATING"},
          {Day(2016, 1, 1), kInForce, "kz=FORMER_PARTY kr=PARTY jp=NEGOTIATING"},
          {Day(2017, 2, 1), kInForce,
           "kz=FORMER_PARTY kr=WITHDRAWAL_PENDING jp=NEGOTIATING"},
          {Day(2017, 3, 1), kInForce, "kz=FORMER_PARTY kr=PARTY jp=NEGOTIATING"},
      });
}

TEST(ValidTimeTest, ParticipantsSignRatifyAndDecline) {
  TestRegistry registry;
  registry.RegisterDefaultParties();
  registry.MustRun(
      AgreementCommand("m1", RecordPayload(kBinding, kMultilateral, {"kz", "kr", "jp"})));
  registry.MustRunAll("m1", {Signed("kz", kSimple, Day(2009, 5, 13)),
                             Signed("kr", kSimple, Day(2009, 5, 14)),
                             Signed("jp", kSimple, Day(2009, 5, 15)),
                             ConsentExpressed("kz", kRatification, Day(2009, 9, 1)),
                             NonParticipationDeclared("jp", Day(2009, 11, 1)),
                             EnteredIntoForce("", Day(2010, 1, 1)),
                             ConsentExpressed("kr", kRatification, Day(2011, 3, 1)),
                             EnteredIntoForce("kr", Day(2011, 4, 1))});
  ExpectTimeline(
      History(registry, "m1"),
      {
          {Day(2009, 5, 13), kSignedNotInForce,
           "kz=SIGNATORY kr=NEGOTIATING jp=NEGOTIATING"},
          {Day(2009, 5, 15), kSignedNotInForce, "kz=SIGNATORY kr=SIGNATORY jp=SIGNATORY"},
          {Day(2009, 9, 1), kSignedNotInForce,
           "kz=CONTRACTING kr=SIGNATORY jp=SIGNATORY"},
          {Day(2009, 11, 1), kSignedNotInForce,
           "kz=CONTRACTING kr=SIGNATORY jp=NOT_BECOMING_PARTY"},
          {Day(2010, 1, 1), kInForce, "kz=PARTY kr=SIGNATORY jp=NOT_BECOMING_PARTY"},
          {Day(2011, 3, 1), kInForce, "kz=PARTY kr=CONTRACTING jp=NOT_BECOMING_PARTY"},
          {Day(2011, 4, 1), kInForce, "kz=PARTY kr=PARTY jp=NOT_BECOMING_PARTY"},
      });
}

TEST(ValidTimeTest, ProvisionalApplicationIsNotEntryIntoForce) {
  TestRegistry registry;
  registry.Reach("pa", kBinding, kBilateral, kSignedNotInForce);  // signed 2009-05-13
  registry.MustRunAll("pa", {ProvisionalStarted("", Day(2009, 5, 20)),
                             ProvisionalTerminated("", Day(2009, 9, 1)),
                             ProvisionalStarted("", Day(2009, 10, 1)),
                             EnteredIntoForce("", Day(2010, 1, 1))});
  const std::vector<v1::Event> history = History(registry, "pa");
  ExpectTimeline(history, {
                              {Day(2009, 5, 19), kSignedNotInForce},
                              {Day(2009, 6, 1), kProvisional},
                              {Day(2009, 9, 1), kSignedNotInForce},
                              {Day(2009, 10, 1), kProvisional},
                              {Day(2010, 1, 1), kInForce},
                          });
  EXPECT_FALSE(InForceOn(LegalStatusOn(history, Day(2009, 6, 1))));
  EXPECT_TRUE(ProvisionallyAppliedOn(LegalStatusOn(history, Day(2009, 6, 1))));
  EXPECT_TRUE(LegalStatusOn(history, Day(2009, 6, 1)).provisionally_applied);
  EXPECT_FALSE(InForceOn(LegalStatusOn(history, Day(2009, 9, 15))));
  EXPECT_FALSE(ProvisionallyAppliedOn(LegalStatusOn(history, Day(2009, 9, 15))));
  EXPECT_TRUE(InForceOn(LegalStatusOn(history, Day(2010, 1, 1))));
  EXPECT_FALSE(ProvisionallyAppliedOn(LegalStatusOn(history, Day(2010, 1, 1))));
}

TEST(ValidTimeTest, AbandonedNeverEntersIntoForce) {
  TestRegistry registry;
  registry.Reach("ab", kBinding, kBilateral, kNeverInForce);  // abandoned 2012-01-01
  ExpectTimeline(History(registry, "ab"), {
                                              {Day(2011, 12, 31), kSignedNotInForce},
                                              {Day(2012, 1, 1), kNeverInForce},
                                          });
}

TEST(ValidTimeTest, NonBindingLifecycle) {
  TestRegistry registry;
  Record(
      registry, "mou", kNonBinding, kBilateral,
      {Signed("kz", kSimple, Day(2009, 5, 13)), Signed("kr", kSimple, Day(2009, 5, 13)),
       CameIntoEffect(Day(2009, 6, 1)), Discontinued(Day(2014, 1, 1))});
  const std::vector<v1::Event> history = History(registry, "mou");
  ExpectTimeline(history, {
                              {Day(2009, 5, 1), kDraft, "kz=NEGOTIATING kr=NEGOTIATING"},
                              {Day(2009, 5, 13), kSigned, "kz=SIGNATORY kr=SIGNATORY"},
                              {Day(2009, 6, 1), kInEffect},
                              {Year(2013), kInEffect},
                              {Day(2014, 1, 1), kDiscontinued},
                          });
  EXPECT_TRUE(InForceOn(LegalStatusOn(history, Year(2013))));
}

TEST(ValidTimeTest, ReassessedNatureAppliesOnEveryDate) {
  TestRegistry registry;
  Record(
      registry, "mou2", kNonBinding, kBilateral,
      {Signed("kz", kSimple, Day(2009, 5, 13)), Signed("kr", kSimple, Day(2009, 5, 13)),
       CameIntoEffect(Day(2009, 6, 1)), Reassessed(kBinding)});
  // The political effect of 2009-06-01 is not an entry into force.
  ExpectTimeline(History(registry, "mou2"), {
                                                {Day(2009, 5, 1), kDraft},
                                                {Day(2009, 5, 20), kSignedNotInForce},
                                                {Year(2012), kSignedNotInForce},
                                            });
}

struct ContractCase {
  std::string name;
  std::vector<v1::EventPayload> changes;
  std::vector<Row> rows;
};

TEST(ValidTimeTest, ContractLifecycles) {
  const std::vector<ContractCase> cases = {
      {"completed",
       {ContractSigned(Day(2009, 5, 14)), ContractActivated(Day(2010, 1, 1)),
        ContractCompleted(Day(2015, 1, 1))},
       {{Day(2009, 5, 13), kDraft},
        {Day(2009, 5, 14), kSigned},
        {Day(2010, 1, 1), kActive},
        {Month(2014, 12), kActive},
        {Day(2015, 1, 1), kCompleted}}},
      {"terminated-early",
       {ContractSigned(Day(2009, 5, 14)), ContractActivated(Day(2010, 1, 1)),
        ContractTerminated(Month(2012, 1))},
       {{Year(2011), kActive},
        {Day(2012, 1, 15), kActive, "", true},
        {Month(2012, 2), kTerminatedEarly}}},
      {"cancelled",
       {ContractSigned(Day(2009, 5, 14)), ContractCancelled(Day(2009, 12, 1))},
       {{Day(2009, 11, 30), kSigned}, {Day(2009, 12, 1), kCancelled}}},
  };
  for (const ContractCase& c : cases) {
    SCOPED_TRACE(c.name);
    TestRegistry registry;
    Record(registry, c.name, kContract, kMultilateral, {});
    registry.MustRunAll(c.name, c.changes);
    ExpectTimeline(History(registry, c.name), c.rows);
  }
}

TEST(ValidTimeTest, CorrectionOfEntryIntoForceMovesIt) {
  TestRegistry registry;
  Record(registry, "k1", kBinding, kBilateral,
         {Signed("kz", kDefinitive, Day(2009, 5, 13)),
          Signed("kr", kDefinitive, Day(2009, 5, 13)),
          EnteredIntoForce("", Day(2010, 1, 1))});
  v1::Agreement values;
  *values.mutable_entered_into_force_on() = Day(2010, 3, 1);
  registry.MustRun(AgreementCommand(
      "k1", Corrected(PositionOf(registry, "k1", v1::EventPayload::kEnteredIntoForce),
                      {"entered_into_force_on"}, values)));
  ExpectTimeline(
      History(registry, "k1"),
      {
          {Day(2010, 2, 1), kSignedNotInForce, "kz=CONTRACTING kr=CONTRACTING"},
          {Day(2010, 3, 1), kInForce, "kz=PARTY kr=PARTY"},
      });
}

TEST(ValidTimeTest, CorrectionOfSignatureDatePrecision) {
  TestRegistry registry;
  Record(registry, "k2", kBinding, kBilateral,
         {Signed("kz", kDefinitive, Day(2009, 5, 13)),
          Signed("kr", kDefinitive, Day(2009, 5, 13))});
  v1::Agreement values;
  *values.mutable_signed_on() = Month(2009, 5);
  registry.MustRun(AgreementCommand(
      "k2", Corrected(PositionOf(registry, "k2", v1::EventPayload::kParticipantSigned),
                      {"signed_on"}, values)));
  // Both signatures shared signed_on, so both move to "May 2009".
  ExpectTimeline(
      History(registry, "k2"),
      {
          {Day(2009, 5, 10), kDraft, "kz=NEGOTIATING kr=NEGOTIATING", true},
          {Day(2009, 6, 1), kSignedNotInForce, "kz=CONTRACTING kr=CONTRACTING"},
      });
}

TEST(ValidTimeTest, CorrectionOfOneParticipantsDates) {
  TestRegistry registry;
  registry.RegisterDefaultParties();
  registry.MustRun(
      AgreementCommand("k3", RecordPayload(kBinding, kMultilateral, {"kz", "kr", "jp"})));
  registry.MustRunAll("k3", {Signed("kz", kDefinitive, Day(2009, 5, 13)),
                             Signed("kr", kDefinitive, Day(2009, 5, 13)),
                             Signed("jp", kSimple, Day(2009, 5, 14)),
                             EnteredIntoForce("", Day(2010, 1, 1)),
                             Terminated(v1::TERMINATION_GROUND_EXPIRY, Day(2020, 1, 1))});
  v1::Agreement values;
  *values.mutable_participations() = registry.agreement("k3").participations();
  *values.mutable_participations(1)->mutable_in_force_from() = Day(2010, 6, 1);
  *values.mutable_participations(1)->mutable_left_on() = Day(2019, 1, 1);
  *values.mutable_participations(2)->mutable_signature()->mutable_date() =
      Day(2009, 6, 14);
  registry.MustRun(AgreementCommand(
      "k3", Corrected(PositionOf(registry, "k3", v1::EventPayload::kAgreementRecorded),
                      {"participations"}, values)));
  v1::Agreement ended;
  *ended.mutable_ended_on() = Day(2019, 7, 1);
  registry.MustRun(AgreementCommand(
      "k3", Corrected(PositionOf(registry, "k3", v1::EventPayload::kTerminated),
                      {"ended_on"}, ended)));
  ExpectTimeline(
      History(registry, "k3"),
      {
          {Day(2009, 6, 1), kSignedNotInForce,
           "kz=CONTRACTING kr=CONTRACTING jp=NEGOTIATING"},
          {Day(2009, 6, 14), kSignedNotInForce,
           "kz=CONTRACTING kr=CONTRACTING jp=SIGNATORY"},
          {Day(2010, 3, 1), kInForce, "kz=PARTY kr=CONTRACTING jp=SIGNATORY"},
          {Day(2010, 6, 1), kInForce, "kz=PARTY kr=PARTY jp=SIGNATORY"},
          {Day(2019, 2, 1), kInForce, "kz=PARTY kr=FORMER_PARTY jp=SIGNATORY"},
          {Day(2019, 7, 1), kTerminated, "kz=FORMER_PARTY kr=FORMER_PARTY jp=SIGNATORY"},
      });
}

TEST(ValidTimeTest, EventsRecordedOutOfDateOrder) {
  TestRegistry registry;
  Record(
      registry, "o1", kBinding, kMultilateral,
      {Signed("kz", kDefinitive, Day(2009, 5, 13)), EnteredIntoForce("", Day(2010, 1, 1)),
       // Back-filled after the entry into force: kr had acceded before it.
       ConsentExpressed("kr", kAccession, Day(2009, 11, 1)),
       EnteredIntoForce("kr", Day(2010, 1, 1))});
  registry.MustRun(AgreementCommand("o1", ParticipantAdded("jp")));
  // A late signatory whose signature predates everything else.
  registry.MustRun(AgreementCommand("o1", Signed("jp", kSimple, Day(2009, 4, 1))));
  ExpectTimeline(
      History(registry, "o1"),
      {
          {Day(2009, 3, 1), kDraft, "kz=NEGOTIATING kr=NEGOTIATING jp=NEGOTIATING"},
          {Day(2009, 4, 15), kSignedNotInForce,
           "kz=NEGOTIATING kr=NEGOTIATING jp=SIGNATORY"},
          {Day(2009, 11, 15), kSignedNotInForce,
           "kz=CONTRACTING kr=CONTRACTING jp=SIGNATORY"},
          {Day(2010, 1, 1), kInForce, "kz=PARTY kr=PARTY jp=SIGNATORY"},
      });
}

// After every date, the answer is the current state: for every status each lifecycle
// reaches canonically, bilateral and multilateral.
TEST(ValidTimeTest, AfterEveryDateTheAnswerIsTheCurrentState) {
  const std::vector<std::pair<v1::LegalNature, std::vector<v1::AgreementStatus>>>
      lifecycles = {
          {kBinding,
           {kNegotiating, kAdopted, kOpen, kSignedNotInForce, kProvisional, kInForce,
            kSuspended, kTerminated, kNeverInForce}},
          {kNonBinding, {kDraft, kSigned, kInEffect, kDiscontinued}},
          {kContract, {kSigned, kActive, kCompleted, kTerminatedEarly, kCancelled}}};
  TestRegistry registry;
  int n = 0;
  for (const auto& [nature, statuses] : lifecycles) {
    for (v1::AgreementStatus status : statuses) {
      for (v1::Arity arity : {kBilateral, kMultilateral}) {
        const std::string id = absl::StrCat("a", ++n);
        registry.Reach(id, nature, arity, status);
        const v1::Agreement& state = registry.agreement(id);
        LegalStatusOnDate answer = LegalStatusOn(History(registry, id), Year(9999));
        EXPECT_EQ(answer.status, state.status()) << id;
        EXPECT_FALSE(answer.uncertain) << id;
        ASSERT_EQ(answer.participants.size(),
                  static_cast<size_t>(state.participations_size()));
        for (int i = 0; i < state.participations_size(); ++i) {
          EXPECT_EQ(answer.participants[i].party_id, state.participations(i).party_id());
          EXPECT_EQ(answer.participants[i].status, state.participations(i).status())
              << id;
        }
      }
    }
  }
}

TEST(ValidTimeTest, DayRangesAndPlacement) {
  using internal::Placement;
  using internal::RangeOf;
  auto range = [](const v1::Date& d) {
    return absl::StrCat(RangeOf(d).first, "..", RangeOf(d).last);
  };
  EXPECT_EQ(range(Day(2009, 5, 13)), "20090513..20090513");
  EXPECT_EQ(range(Month(2009, 5)), "20090501..20090531");
  EXPECT_EQ(range(Year(2009)), "20090101..20091231");
  struct Case {
    v1::Date event;
    v1::Date question;
    Placement placement;
  };
  for (const Case& c : std::vector<Case>{
           {Day(2010, 1, 1), Day(2010, 1, 1), Placement::kOnOrBefore},
           {Day(2010, 1, 2), Day(2010, 1, 1), Placement::kAfter},
           {Year(2010), Day(2010, 3, 1), Placement::kOpen},
           {Year(2010), Day(2011, 1, 1), Placement::kOnOrBefore},
           {Day(2010, 3, 1), Year(2010), Placement::kOpen},
           {Day(2010, 1, 1), Year(2010), Placement::kOnOrBefore},
           {Month(2010, 2), Year(2010), Placement::kOpen},
           {Month(2010, 2), Month(2010, 2), Placement::kOpen},
           {Month(2010, 3), Day(2010, 2, 28), Placement::kAfter},
           {v1::Date(), Day(2010, 2, 28), Placement::kOpen},
       }) {
    EXPECT_EQ(internal::Place(RangeOf(c.event), RangeOf(c.question)), c.placement)
        << DateText(c.event) << " vs " << DateText(c.question);
  }
}

TEST(ValidTimeTest, EffectiveDatesFollowCorrections) {
  TestRegistry registry;
  Record(
      registry, "e1", kBinding, kBilateral,
      {Signed("kz", kDefinitive, Day(2009, 5, 13)),
       Signed("kr", kDefinitive, Day(2009, 5, 20)), EnteredIntoForce("", Day(2010, 1, 1)),
       DocumentAttached("https://x.org/a", 'a')});
  v1::Agreement values;
  *values.mutable_signed_on() = Day(2009, 5, 12);
  *values.mutable_entered_into_force_on() = Day(2010, 2, 1);
  registry.MustRun(AgreementCommand(
      "e1", Corrected(PositionOf(registry, "e1", v1::EventPayload::kEnteredIntoForce),
                      {"signed_on", "entered_into_force_on"}, values)));
  std::vector<internal::EffectiveDate> dates =
      internal::EffectiveDates(History(registry, "e1"));
  ASSERT_EQ(dates.size(), 6u);
  EXPECT_TRUE(dates[0].relevant);  // agreement_recorded: every date
  EXPECT_FALSE(dates[0].dated);
  EXPECT_EQ(DateText(dates[1].date), "2009-5-12");  // kz held signed_on
  EXPECT_EQ(DateText(dates[2].date), "2009-5-20");  // kr's later signature did not
  EXPECT_EQ(dates[2].party_id, "kr");
  EXPECT_EQ(DateText(dates[3].date), "2010-2-1");
  EXPECT_TRUE(dates[3].party_dates.empty());
  EXPECT_FALSE(dates[4].relevant);  // document
  EXPECT_FALSE(dates[5].relevant);  // the correction itself
}

}  // namespace
}  // namespace agreements::domain
