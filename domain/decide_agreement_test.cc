// DecideAgreement beyond the lifecycle tables: existence and reference errors, bilateral
// versus multilateral withdrawal, amounts, documents, relations, corrections, references.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "domain/decider.h"
#include "domain/test_registry.h"
#include "gtest/gtest.h"

namespace agreements::domain {
namespace {

using namespace ::agreements::domain::testing;  // NOLINT: builders read as a table.

constexpr v1::LegalNature kBinding = v1::LEGAL_NATURE_BINDING_INTERNATIONAL;
constexpr v1::Arity kBilateral = v1::ARITY_BILATERAL;
constexpr v1::Arity kMultilateral = v1::ARITY_MULTILATERAL;

// Expects `result` to fail with `code` and a message containing `text`.
template <typename T>
void ExpectError(const absl::StatusOr<T>& result, absl::StatusCode code,
                 const std::string& text) {
  ASSERT_FALSE(result.ok()) << "expected " << absl::StatusCodeToString(code);
  EXPECT_EQ(result.status().code(), code) << result.status();
  EXPECT_NE(result.status().message().find(text), std::string::npos)
      << result.status().message();
}

TEST(DecideAgreementTest, RecordTwiceIsAlreadyExists) {
  TestRegistry registry;
  registry.Reach("a1", kBinding, kBilateral, v1::AGREEMENT_STATUS_DRAFT);
  ExpectError(
      registry.Run(AgreementCommand("a1", RecordPayload(kBinding, kBilateral, {}))),
      absl::StatusCode::kAlreadyExists, "agreement a1 already exists");
}

TEST(DecideAgreementTest, RecordedEventCarriesStreamIdAndDraftStatus) {
  TestRegistry registry;
  v1::Command command = AgreementCommand("a1", RecordPayload(kBinding, kBilateral, {}));
  command.mutable_change()->mutable_agreement_recorded()->clear_initial_status();
  absl::StatusOr<std::vector<v1::EventPayload>> events = registry.Decide(command);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].agreement_recorded().agreement().id(), "a1");
  EXPECT_EQ((*events)[0].agreement_recorded().initial_status(),
            v1::AGREEMENT_STATUS_DRAFT);
}

TEST(DecideAgreementTest, RecordWithUnknownPartyIsNotFound) {
  TestRegistry registry;
  ExpectError(registry.Run(AgreementCommand(
                  "a1", RecordPayload(kBinding, kBilateral, {"kz", "xx"}))),
              absl::StatusCode::kNotFound, "party kz not found");
  registry.RegisterDefaultParties();
  ExpectError(registry.Run(AgreementCommand(
                  "a1", RecordPayload(kBinding, kBilateral, {"kz", "xx"}))),
              absl::StatusCode::kNotFound, "participations[1].party_id");
}

TEST(DecideAgreementTest, RecordWithUnknownRelationTargetIsNotFound) {
  TestRegistry registry;
  v1::EventPayload payload = RecordPayload(kBinding, kBilateral, {});
  v1::Relation* relation =
      payload.mutable_agreement_recorded()->mutable_agreement()->add_relations();
  relation->set_type(v1::RELATION_TYPE_IMPLEMENTS);
  relation->set_target_agreement_id("iga");
  ExpectError(registry.Run(AgreementCommand("a1", payload)), absl::StatusCode::kNotFound,
              "agreement iga not found");
}

TEST(DecideAgreementTest, ChangeOfMissingAgreementIsNotFound) {
  TestRegistry registry;
  ExpectError(registry.Run(AgreementCommand("nope", TextAdopted(Day(2009, 1, 1)))),
              absl::StatusCode::kNotFound, "agreement nope not found");
}

TEST(DecideAgreementTest, DecideRequiresStreamId) {
  v1::Command command = AgreementCommand("", RecordPayload(kBinding, kBilateral, {}));
  ExpectError(DecideAgreement(nullptr, command, DecideContext()),
              absl::StatusCode::kInvalidArgument,
              "stream_id: must be set before deciding");
}

TEST(DecideAgreementTest, DecideValidatesTheCommand) {
  v1::Command command = AgreementCommand("a1", TextAdopted(v1::Date()));
  v1::Agreement state;
  ExpectError(DecideAgreement(&state, command, DecideContext()),
              absl::StatusCode::kInvalidArgument,
              "change.text_adopted.date: must be set");
}

TEST(DecideAgreementTest, ParticipantAddedChecksPartyAndDuplicates) {
  TestRegistry registry;
  registry.Reach("a1", kBinding, kMultilateral, v1::AGREEMENT_STATUS_DRAFT);
  ExpectError(registry.Run(AgreementCommand("a1", ParticipantAdded("cn"))),
              absl::StatusCode::kNotFound, "party cn not found");
  ExpectError(registry.Run(AgreementCommand("a1", ParticipantAdded("kz"))),
              absl::StatusCode::kInvalidArgument, "party kz already participates");
  registry.MustRun(AgreementCommand("a1", ParticipantAdded("kepco")));
  EXPECT_EQ(registry.participation("a1", "kepco").status(),
            v1::PARTICIPATION_STATUS_NEGOTIATING);
}

TEST(DecideAgreementTest, BilateralAgreementTakesNoThirdParty) {
  TestRegistry registry;
  registry.Reach("a1", kBinding, kBilateral, v1::AGREEMENT_STATUS_DRAFT);
  v1::EventPayload third = ParticipantAdded("kepco");
  third.mutable_participant_added()->mutable_participation()->add_roles(
      v1::PARTICIPANT_ROLE_PARTY);
  ExpectError(registry.Run(AgreementCommand("a1", third)),
              absl::StatusCode::kInvalidArgument,
              "change.participant_added.participation.roles: agreement a1 is "
              "ARITY_BILATERAL and already has two participants with role "
              "PARTICIPANT_ROLE_PARTY");
  // Other roles are welcome: a guarantor of a bilateral treaty is not a third party.
  third.mutable_participant_added()->mutable_participation()->set_roles(
      0, v1::PARTICIPANT_ROLE_GUARANTOR);
  registry.MustRun(AgreementCommand("a1", third));
  // A multilateral agreement takes any number of parties.
  registry.Reach("a2", kBinding, kMultilateral, v1::AGREEMENT_STATUS_DRAFT);
  third.mutable_participant_added()->mutable_participation()->set_roles(
      0, v1::PARTICIPANT_ROLE_PARTY);
  registry.MustRun(AgreementCommand("a2", third));
}

TEST(DecideAgreementTest, SignatureByNonParticipant) {
  TestRegistry registry;
  registry.Reach("a1", kBinding, kMultilateral, v1::AGREEMENT_STATUS_DRAFT);
  ExpectError(
      registry.Run(AgreementCommand(
          "a1", Signed("kepco", v1::SIGNATURE_KIND_SIMPLE, Day(2009, 5, 13)))),
      absl::StatusCode::kFailedPrecondition,
      "party kepco is not a participant of agreement a1: cannot record a signature");
  ExpectError(registry.Run(AgreementCommand(
                  "a1", Signed("cn", v1::SIGNATURE_KIND_SIMPLE, Day(2009, 5, 13)))),
              absl::StatusCode::kNotFound, "party cn not found");
}

TEST(DecideAgreementTest, BilateralWithdrawalTerminatesTheTreaty) {
  TestRegistry registry;
  registry.Reach("a1", kBinding, kBilateral, v1::AGREEMENT_STATUS_IN_FORCE);
  registry.MustRun(AgreementCommand(
      "a1", WithdrawalNotified("kz", Day(2020, 1, 10), Day(2021, 1, 10))));
  absl::StatusOr<std::vector<v1::Event>> events =
      registry.Run(AgreementCommand("a1", WithdrawalTookEffect("kz", Day(2021, 1, 10))));
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].envelope().event_type(), "withdrawal_took_effect");
  EXPECT_EQ((*events)[1].envelope().event_type(), "terminated");
  EXPECT_EQ((*events)[1].payload().terminated().ground(),
            v1::TERMINATION_GROUND_DENUNCIATION_BILATERAL);
  EXPECT_EQ((*events)[1].envelope().revision(), (*events)[0].envelope().revision() + 1);

  const v1::Agreement& a = registry.agreement("a1");
  EXPECT_EQ(a.status(), v1::AGREEMENT_STATUS_TERMINATED);
  EXPECT_EQ(a.termination_ground(), v1::TERMINATION_GROUND_DENUNCIATION_BILATERAL);
  EXPECT_EQ(a.ended_on().year(), 2021);
  EXPECT_EQ(registry.participation("a1", "kz").status(),
            v1::PARTICIPATION_STATUS_FORMER_PARTY);
  EXPECT_EQ(registry.participation("a1", "kr").status(),
            v1::PARTICIPATION_STATUS_FORMER_PARTY);
  EXPECT_EQ(registry.participation("a1", "kr").left_on().year(), 2021);
}

TEST(DecideAgreementTest, MultilateralWithdrawalNeverTerminates) {
  TestRegistry registry;
  registry.Reach("a1", kBinding, kMultilateral, v1::AGREEMENT_STATUS_IN_FORCE);
  registry.MustRun(AgreementCommand(
      "a1", WithdrawalNotified("kz", Day(2020, 1, 10), Day(2021, 1, 10))));
  absl::StatusOr<std::vector<v1::Event>> events =
      registry.Run(AgreementCommand("a1", WithdrawalTookEffect("kz", Day(2021, 1, 10))));
  ASSERT_TRUE(events.ok()) << events.status();
  EXPECT_EQ(events->size(), 1u);
  EXPECT_EQ(registry.agreement("a1").status(), v1::AGREEMENT_STATUS_IN_FORCE);
  EXPECT_EQ(registry.participation("a1", "kz").status(),
            v1::PARTICIPATION_STATUS_FORMER_PARTY);
  EXPECT_EQ(registry.participation("a1", "kz").left_on().day(), 10);
  EXPECT_EQ(registry.participation("a1", "kr").status(), v1::PARTICIPATION_STATUS_PARTY);
}

TEST(DecideAgreementTest, WithdrawalDefaultsToTwelveMonthsNotice) {
  TestRegistry registry;
  registry.Reach("a1", kBinding, kMultilateral, v1::AGREEMENT_STATUS_IN_FORCE);
  registry.MustRun(
      AgreementCommand("a1", WithdrawalNotified("kz", Day(2020, 2, 29), {})));
  const v1::Withdrawal& w = registry.participation("a1", "kz").withdrawal();
  EXPECT_EQ(w.takes_effect_on().year(), 2021);
  EXPECT_EQ(w.takes_effect_on().month(), 2);
  EXPECT_EQ(w.takes_effect_on().day(), 28);
  ExpectError(
      registry.Run(AgreementCommand("a1", WithdrawalTookEffect("kz", Day(2020, 1, 1)))),
      absl::StatusCode::kInvalidArgument, "must not precede the notification");
}

TEST(DecideAgreementTest, BilateralEntryIntoForceNeedsTwoContractingParticipants) {
  TestRegistry registry;
  registry.Reach("a1", kBinding, kBilateral, v1::AGREEMENT_STATUS_DRAFT);
  registry.MustRun(AgreementCommand(
      "a1", Signed("kz", v1::SIGNATURE_KIND_DEFINITIVE, Day(2009, 5, 13))));
  registry.MustRun(
      AgreementCommand("a1", Signed("kr", v1::SIGNATURE_KIND_SIMPLE, Day(2009, 5, 13))));
  ExpectError(registry.Run(AgreementCommand("a1", EnteredIntoForce("", Day(2009, 6, 1)))),
              absl::StatusCode::kFailedPrecondition,
              "a bilateral agreement needs 2 CONTRACTING participants (has 1)");
  registry.MustRun(AgreementCommand(
      "a1", ConsentExpressed("kr", v1::CONSENT_MEANS_RATIFICATION, Day(2009, 5, 30))));
  registry.MustRun(AgreementCommand("a1", EnteredIntoForce("", Day(2009, 6, 1))));
  EXPECT_EQ(registry.agreement("a1").entered_into_force_on().day(), 1);
  EXPECT_EQ(registry.participation("a1", "kr").in_force_from().month(), 6);
  EXPECT_EQ(registry.participation("a1", "jp").status(),
            v1::PARTICIPATION_STATUS_NEGOTIATING);
}

TEST(DecideAgreementTest, ProvisionalApplicationPerParty) {
  TestRegistry registry;
  registry.Reach("a1", kBinding, kMultilateral, v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);
  registry.MustRun(AgreementCommand("a1", ProvisionalStarted("kz", Day(2010, 1, 1))));
  EXPECT_EQ(registry.agreement("a1").status(),
            v1::AGREEMENT_STATUS_PROVISIONALLY_APPLIED);
  EXPECT_EQ(registry.participation("a1", "kz").provisionally_applied_from().year(), 2010);
  ExpectError(
      registry.Run(AgreementCommand("a1", ProvisionalStarted("kz", Day(2010, 2, 1)))),
      absl::StatusCode::kFailedPrecondition, "already applies");
  ExpectError(
      registry.Run(AgreementCommand("a1", ProvisionalTerminated("kr", Day(2010, 2, 1)))),
      absl::StatusCode::kFailedPrecondition,
      "does not apply the agreement provisionally");
  registry.MustRun(AgreementCommand("a1", ProvisionalTerminated("kz", Day(2010, 3, 1))));
  EXPECT_EQ(registry.agreement("a1").status(), v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);
  // Rules version 2 keeps the period: its start and its end.
  EXPECT_EQ(registry.agreement("a1").provisionally_applied_from().month(), 1);
  EXPECT_EQ(registry.agreement("a1").provisional_application_ended_on().month(), 3);
  EXPECT_EQ(registry.participation("a1", "kz").provisionally_applied_from().month(), 1);
  EXPECT_EQ(registry.participation("a1", "kz").provisional_application_ended_on().month(),
            3);
  // It may start again, and then applies from the new date.
  registry.MustRun(AgreementCommand("a1", ProvisionalStarted("kz", Day(2011, 1, 1))));
  EXPECT_EQ(registry.participation("a1", "kz").provisionally_applied_from().year(), 2011);
  EXPECT_FALSE(registry.participation("a1", "kz").has_provisional_application_ended_on());
}

TEST(DecideAgreementTest, ProvisionalApplicationEndedUnderRulesVersion1ClearsTheStart) {
  TestRegistry registry;
  registry.set_rules_version(0);
  registry.Reach("a1", kBinding, kMultilateral, v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);
  registry.MustRun(AgreementCommand("a1", ProvisionalStarted("kz", Day(2010, 1, 1))));
  registry.MustRun(AgreementCommand("a1", ProvisionalTerminated("kz", Day(2010, 3, 1))));
  EXPECT_EQ(registry.agreement("a1").status(), v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);
  EXPECT_FALSE(registry.agreement("a1").has_provisionally_applied_from());
  EXPECT_FALSE(registry.participation("a1", "kz").has_provisionally_applied_from());
  EXPECT_FALSE(registry.agreement("a1").has_provisional_application_ended_on());
}

TEST(DecideAgreementTest, TerminationReplacedByLaterNeedsExistingAgreement) {
  TestRegistry registry;
  registry.Reach("a1", kBinding, kMultilateral, v1::AGREEMENT_STATUS_IN_FORCE);
  ExpectError(registry.Run(AgreementCommand(
                  "a1", Terminated(v1::TERMINATION_GROUND_REPLACED_BY_LATER,
                                   Day(2020, 1, 1), "a2"))),
              absl::StatusCode::kNotFound, "agreement a2 not found");
  registry.Reach("a2", kBinding, kMultilateral, v1::AGREEMENT_STATUS_DRAFT);
  registry.MustRun(AgreementCommand(
      "a1", Terminated(v1::TERMINATION_GROUND_REPLACED_BY_LATER, Day(2020, 1, 1), "a2")));
  EXPECT_EQ(registry.agreement("a1").termination_ground(),
            v1::TERMINATION_GROUND_REPLACED_BY_LATER);
}

TEST(DecideAgreementTest, AmountsHaveUniqueIdsAndRevisionsNeedOne) {
  TestRegistry registry;
  registry.Reach("c1", v1::LEGAL_NATURE_BINDING_DOMESTIC_LAW, kMultilateral,
                 v1::AGREEMENT_STATUS_SIGNED);
  ExpectError(
      registry.Run(AgreementCommand("c1", AmountRecorded("contract-value", "USD", 1))),
      absl::StatusCode::kInvalidArgument, "amount contract-value already exists");
  ExpectError(registry.Run(AgreementCommand("c1", AmountRevised("financing", "USD", 1))),
              absl::StatusCode::kInvalidArgument, "agreement c1 has no amount financing");
  registry.MustRun(AgreementCommand("c1", AmountRevised("contract-value", "KZT", 7)));
  ASSERT_EQ(registry.agreement("c1").amounts_size(), 1);
  EXPECT_EQ(registry.agreement("c1").amounts(0).value().currency_code(), "KZT");
  EXPECT_EQ(registry.agreement("c1").amounts(0).value().units(), 7);
}

TEST(DecideAgreementTest, DocumentsAndRelationsAreUnique) {
  TestRegistry registry;
  registry.Reach("a1", kBinding, kMultilateral, v1::AGREEMENT_STATUS_TERMINATED);
  registry.Reach("a2", kBinding, kMultilateral, v1::AGREEMENT_STATUS_DRAFT);
  registry.MustRun(AgreementCommand("a1", DocumentAttached("https://e.org/a.pdf", 'c')));
  ExpectError(
      registry.Run(AgreementCommand("a1", DocumentAttached("https://e.org/a.pdf", 'c'))),
      absl::StatusCode::kInvalidArgument, "already references this document");
  ExpectError(registry.Run(
                  AgreementCommand("a1", RelationLinked(v1::RELATION_TYPE_AMENDS, "zz"))),
              absl::StatusCode::kNotFound, "agreement zz not found");
  ExpectError(registry.Run(
                  AgreementCommand("a1", RelationLinked(v1::RELATION_TYPE_AMENDS, "a1"))),
              absl::StatusCode::kInvalidArgument, "must not be the agreement itself");
  registry.MustRun(
      AgreementCommand("a2", RelationLinked(v1::RELATION_TYPE_REPLACES, "a1")));
  ExpectError(registry.Run(AgreementCommand(
                  "a2", RelationLinked(v1::RELATION_TYPE_REPLACES, "a1"))),
              absl::StatusCode::kInvalidArgument, "already has this relation to a1");
}

TEST(DecideAgreementTest, StateLimitsAreFailedPrecondition) {
  TestRegistry registry;
  registry.Reach("a1", kBinding, kMultilateral, v1::AGREEMENT_STATUS_DRAFT);
  for (int i = 0; i < 200; ++i) {
    registry.MustRun(AgreementCommand(
        "a1", DocumentAttached("https://e.org/" + std::to_string(i), 'd')));
  }
  ExpectError(
      registry.Run(AgreementCommand("a1", DocumentAttached("https://e.org/x", 'd'))),
      absl::StatusCode::kFailedPrecondition,
      "agreement a1 has 200 documents: cannot attach a document: the limit is 200");
}

// contract_signed is dated at the last signature: never before a recorded participant
// signature, compared at the coarser precision.
struct ContractDateCase {
  std::string name;
  std::vector<std::pair<std::string, v1::Date>> signatures;
  v1::Date contract_date;
  std::string error;  // empty: accepted
};

// Test names and failure messages show the case name, not the bytes of the case.
void PrintTo(const ContractDateCase& c, std::ostream* os) { *os << c.name; }

class ContractSignedDateTest : public ::testing::TestWithParam<ContractDateCase> {};

TEST_P(ContractSignedDateTest, NotBeforeTheLastParticipantSignature) {
  const ContractDateCase& c = GetParam();
  TestRegistry registry;
  registry.Reach("c1", v1::LEGAL_NATURE_BINDING_DOMESTIC_LAW, kMultilateral,
                 v1::AGREEMENT_STATUS_DRAFT);
  for (const auto& [party, date] : c.signatures) {
    registry.MustRun(
        AgreementCommand("c1", Signed(party, v1::SIGNATURE_KIND_SIMPLE, date)));
  }
  absl::StatusOr<std::vector<v1::Event>> result =
      registry.Run(AgreementCommand("c1", ContractSigned(c.contract_date)));
  if (c.error.empty()) {
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(registry.agreement("c1").status(), v1::AGREEMENT_STATUS_SIGNED);
    return;
  }
  ExpectError(result, absl::StatusCode::kInvalidArgument,
              "change.contract_signed.date: must not be earlier than the last "
              "participant signature (" +
                  c.error + ")");
  EXPECT_EQ(registry.agreement("c1").status(), v1::AGREEMENT_STATUS_DRAFT);
}

INSTANTIATE_TEST_SUITE_P(
    Contracts, ContractSignedDateTest,
    ::testing::ValuesIn(std::vector<ContractDateCase>{
        {"no_signatures", {}, Day(2009, 5, 14), ""},
        {"same_day_as_last",
         {{"kz", Day(2009, 5, 14)}, {"kr", Day(2009, 5, 20)}},
         Day(2009, 5, 20),
         ""},
        {"after_last", {{"kz", Day(2009, 5, 14)}}, Day(2009, 6, 1), ""},
        {"before_last",
         {{"kz", Day(2009, 5, 14)}, {"kr", Day(2009, 5, 20)}},
         Day(2009, 5, 19),
         "2009-05-20"},
        {"last_recorded_first",
         {{"kr", Day(2009, 5, 20)}, {"kz", Day(2009, 5, 14)}},
         Day(2009, 5, 15),
         "2009-05-20"},
        {"month_signature_day_contract", {{"kz", Month(2009, 5)}}, Day(2009, 5, 1), ""},
        {"day_signature_month_contract", {{"kz", Day(2009, 5, 20)}}, Month(2009, 5), ""},
        {"month_contract_before",
         {{"kz", Day(2009, 5, 20)}},
         Month(2009, 4),
         "2009-05-20"},
        {"later_month_signature",
         {{"kz", Day(2009, 5, 20)}, {"kr", Month(2009, 6)}},
         Day(2009, 5, 25),
         "2009-06"},
        {"year_signature", {{"kz", Year(2010)}}, Day(2009, 12, 31), "2010"},
    }),
    [](const auto& info) { return info.param.name; });

// Corrections.

// Fixture: a1 is a TERMINATED multilateral treaty, a2 a DRAFT one.
class CorrectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.Reach("a1", kBinding, kMultilateral, v1::AGREEMENT_STATUS_TERMINATED);
    registry_.Reach("a2", kBinding, kMultilateral, v1::AGREEMENT_STATUS_DRAFT);
  }
  // Position of the agreement_recorded event of `id`.
  uint64_t RecordedPosition(const std::string& id) const {
    for (const v1::Event& e : registry_.log()) {
      if (e.envelope().stream_id() == id && e.payload().has_agreement_recorded()) {
        return e.envelope().position();
      }
    }
    return 0;
  }
  TestRegistry registry_;
};

TEST_F(CorrectionTest, FixesDesignationOfTerminatedTreatyWithoutStatusChange) {
  v1::Agreement values;
  values.set_designation("Exchange of Notes");
  registry_.MustRun(
      AgreementCommand("a1", Corrected(RecordedPosition("a1"), {"designation"}, values)));
  EXPECT_EQ(registry_.agreement("a1").designation(), "Exchange of Notes");
  EXPECT_EQ(registry_.agreement("a1").status(), v1::AGREEMENT_STATUS_TERMINATED);
  EXPECT_EQ(registry_.agreement("a1").titles_size(), 1);
}

TEST_F(CorrectionTest, FixesSignatureDateButCannotSetAnUnsetDate) {
  v1::Agreement values;
  *values.mutable_signed_on() = Month(2009, 5);
  registry_.MustRun(
      AgreementCommand("a1", Corrected(RecordedPosition("a1"), {"signed_on"}, values)));
  EXPECT_EQ(registry_.agreement("a1").signed_on().precision(), v1::DATE_PRECISION_MONTH);
  ExpectError(registry_.Run(AgreementCommand(
                  "a2", Corrected(RecordedPosition("a2"), {"signed_on"}, values))),
              absl::StatusCode::kFailedPrecondition,
              "agreement a2 is DRAFT: cannot correct a record: signed_on is not set");
}

TEST_F(CorrectionTest, ClassificationCorrectionUpdatesSectors) {
  v1::Agreement values;
  v1::Classification* c = values.add_classifications();
  c->set_scheme(v1::CLASSIFICATION_SCHEME_OECD_DAC);
  c->set_code("23230");
  registry_.MustRun(AgreementCommand(
      "a1", Corrected(RecordedPosition("a1"), {"classifications"}, values)));
  ASSERT_EQ(registry_.agreement("a1").sectors_size(), 1);
  EXPECT_EQ(registry_.agreement("a1").sectors(0), "energy");
}

TEST_F(CorrectionTest, ParticipationsKeepPartiesAndStatuses) {
  v1::Agreement values;
  *values.mutable_participations() = registry_.agreement("a1").participations();
  *values.mutable_participations(0)->mutable_signature()->mutable_date() =
      Day(2009, 5, 14);
  registry_.MustRun(AgreementCommand(
      "a1", Corrected(RecordedPosition("a1"), {"participations"}, values)));
  EXPECT_EQ(registry_.participation("a1", "kz").signature().date().day(), 14);

  values.mutable_participations(1)->set_status(v1::PARTICIPATION_STATUS_PARTY);
  ExpectError(registry_.Run(AgreementCommand(
                  "a1", Corrected(RecordedPosition("a1"), {"participations"}, values))),
              absl::StatusCode::kInvalidArgument,
              "change.record_corrected.agreement.participations[1]: must keep party_id "
              "\"kr\" and "
              "status FORMER_PARTY");
}

TEST_F(CorrectionTest, UnknownPositionIsNotFound) {
  v1::Agreement values;
  values.set_summary("x");
  ExpectError(registry_.Run(AgreementCommand("a1", Corrected(9999, {"summary"}, values))),
              absl::StatusCode::kNotFound, "event at position 9999 not found");
}

TEST_F(CorrectionTest, EventOfAnotherStreamIsInvalid) {
  v1::Agreement values;
  values.set_summary("x");
  ExpectError(
      registry_.Run(AgreementCommand("a1", Corrected(1, {"summary"}, values))),
      absl::StatusCode::kInvalidArgument,
      "change.record_corrected.corrected_position: event 1 belongs to party kz, not "
      "to agreement a1");
  ExpectError(registry_.Run(AgreementCommand(
                  "a1", Corrected(RecordedPosition("a2"), {"summary"}, values))),
              absl::StatusCode::kInvalidArgument,
              "belongs to agreement a2, not to agreement a1");
}

TEST_F(CorrectionTest, OnlyAllowlistedPaths) {
  v1::Agreement values;
  values.set_legal_nature(v1::LEGAL_NATURE_NON_BINDING_POLITICAL);
  ExpectError(
      registry_.Run(AgreementCommand(
          "a1", Corrected(RecordedPosition("a1"), {"legal_nature"}, values))),
      absl::StatusCode::kInvalidArgument,
      "change.record_corrected.field_mask.paths[0]: must be one of designation, titles");
  values.Clear();
  values.set_summary("s");
  values.set_designation("d");
  ExpectError(
      registry_.Run(
          AgreementCommand("a1", Corrected(RecordedPosition("a1"), {"summary"}, values))),
      absl::StatusCode::kInvalidArgument,
      "change.record_corrected.agreement.designation: must be empty: the field mask does "
      "not name it");
}

TEST_F(CorrectionTest, DenunciationGroundNeedsBilateralArity) {
  v1::Agreement values;
  values.set_termination_ground(v1::TERMINATION_GROUND_DENUNCIATION_BILATERAL);
  ExpectError(
      registry_.Run(AgreementCommand(
          "a1", Corrected(RecordedPosition("a1"), {"termination_ground"}, values))),
      absl::StatusCode::kInvalidArgument, "not bilateral");
  values.set_arity(v1::ARITY_BILATERAL);
  ExpectError(registry_.Run(AgreementCommand(
                  "a1", Corrected(RecordedPosition("a1"), {"termination_ground", "arity"},
                                  values))),
              absl::StatusCode::kInvalidArgument,
              "change.record_corrected: would leave ARITY_BILATERAL on an agreement with "
              "3 participants with role PARTICIPANT_ROLE_PARTY");
  // jp was a witness, not a party: correcting its roles makes the treaty bilateral.
  *values.mutable_participations() = registry_.agreement("a1").participations();
  values.mutable_participations(2)->set_roles(0, v1::PARTICIPANT_ROLE_WITNESS);
  registry_.MustRun(AgreementCommand(
      "a1", Corrected(RecordedPosition("a1"),
                      {"termination_ground", "arity", "participations"}, values)));
  EXPECT_EQ(registry_.agreement("a1").arity(), v1::ARITY_BILATERAL);
}

// References and names.

TEST(ReferencesOfTest, ListsPartiesAgreementsAndPosition) {
  v1::EventPayload record = RecordPayload(kBinding, kBilateral, {"kz", "kr", "kz"});
  v1::Relation* r =
      record.mutable_agreement_recorded()->mutable_agreement()->add_relations();
  r->set_target_agreement_id("iga");
  References refs = ReferencesOf(AgreementCommand("a1", record));
  EXPECT_EQ(refs.party_ids, (std::vector<std::string>{"kz", "kr"}));
  EXPECT_EQ(refs.agreement_ids, (std::vector<std::string>{"iga"}));
  EXPECT_EQ(refs.corrected_position, 0u);

  refs = ReferencesOf(AgreementCommand("a1", EnteredIntoForce("", Day(2009, 1, 1))));
  EXPECT_TRUE(refs.party_ids.empty());
  refs =
      ReferencesOf(AgreementCommand("a1", Signed("kz", v1::SIGNATURE_KIND_SIMPLE, {})));
  EXPECT_EQ(refs.party_ids, (std::vector<std::string>{"kz"}));
  refs = ReferencesOf(AgreementCommand("a1", NonParticipationDeclared("jp", {})));
  EXPECT_EQ(refs.party_ids, (std::vector<std::string>{"jp"}));
  refs = ReferencesOf(AgreementCommand(
      "a1", Terminated(v1::TERMINATION_GROUND_REPLACED_BY_LATER, {}, "a9")));
  EXPECT_EQ(refs.agreement_ids, (std::vector<std::string>{"a9"}));
  v1::Party controller;
  controller.set_controlled_by("kz");
  refs = ReferencesOf(
      PartyCommand("samruk", PartyCorrected(42, {"controlled_by"}, controller)));
  EXPECT_EQ(refs.corrected_position, 42u);
  EXPECT_EQ(refs.party_ids, (std::vector<std::string>{"kz"}));
}

TEST(EventTypeNameTest, IsTheOneofFieldName) {
  EXPECT_EQ(EventTypeName(Signed("kz", v1::SIGNATURE_KIND_SIMPLE, {})),
            "participant_signed");
  EXPECT_EQ(EventTypeName(ContractCancelled({})), "contract_cancelled");
  EXPECT_EQ(EventTypeName(NonParticipationDeclared("jp", {})),
            "non_participation_declared");
  EXPECT_EQ(EventTypeName(RegisterPayload(v1::PARTY_TYPE_STATE, "KZ", "x")),
            "party_registered");
  EXPECT_EQ(EventTypeName(v1::EventPayload()), "");
}

}  // namespace
}  // namespace agreements::domain
