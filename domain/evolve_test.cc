// EvolveAgreement / EvolveParty: stream metadata, derived fields, and determinism (a
// state rebuilt from the log is byte-identical to the state built at commit).
#include <map>
#include <string>
#include <vector>

#include "domain/decider.h"
#include "domain/test_registry.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "gtest/gtest.h"

namespace agreements::domain {
namespace {

using namespace ::agreements::domain::testing;  // NOLINT: builders read as a table.

std::string DeterministicBytes(const google::protobuf::Message& message) {
  std::string bytes;
  google::protobuf::io::StringOutputStream stream(&bytes);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  message.SerializeToCodedStream(&coded);
  coded.Trim();
  return bytes;
}

// A long history touching most event kinds: the Balkhash power plant contract and the
// treaty it implements.
void RunHistory(TestRegistry& registry) {
  registry.Reach("iga", v1::LEGAL_NATURE_BINDING_INTERNATIONAL, v1::ARITY_BILATERAL,
                 v1::AGREEMENT_STATUS_IN_FORCE);
  registry.MustRunAll(
      "iga",
      {ClassificationChanged({{v1::CLASSIFICATION_SCHEME_OECD_DAC, "23230"},
                              {v1::CLASSIFICATION_SCHEME_REGISTRY_SECTOR, "energy"},
                              {v1::CLASSIFICATION_SCHEME_OECD_DAC, "32310"}}),
       AmendmentAdopted(Day(2011, 3, 1), "Annex II replaced"),
       Suspended("", Day(2012, 1, 1)), Resumed("", Day(2012, 6, 1)),
       WithdrawalNotified("kr", Day(2014, 1, 1), {}),
       WithdrawalRevoked("kr", Day(2014, 2, 1)),
       DocumentAttached("https://example.org/iga.pdf", 'f')});
  registry.Reach("balkhash", v1::LEGAL_NATURE_BINDING_DOMESTIC_LAW,
                 v1::ARITY_MULTILATERAL, v1::AGREEMENT_STATUS_ACTIVE);
  registry.MustRunAll("balkhash",
                      {RelationLinked(v1::RELATION_TYPE_IMPLEMENTS, "iga"),
                       ClassificationChanged({{v1::CLASSIFICATION_SCHEME_ISIC, "D3510"},
                                              {v1::CLASSIFICATION_SCHEME_ISIC, "F42"}}),
                       AmountRevised("contract-value", "USD", 5000000000),
                       ContractAmended(Day(2012, 2, 1), "Capacity 1320 MW"),
                       ContractTerminated(Day(2016, 1, 1))});
}

TEST(EvolveTest, RebuildFromLogIsByteIdentical) {
  TestRegistry registry;
  RunHistory(registry);
  std::map<std::string, v1::Agreement> agreements;
  std::map<std::string, v1::Party> parties;
  for (const v1::Event& event : registry.log()) {
    if (event.envelope().stream_type() == v1::STREAM_TYPE_PARTY) {
      EvolveParty(parties[event.envelope().stream_id()], event);
    } else {
      EvolveAgreement(agreements[event.envelope().stream_id()], event);
    }
  }
  for (const char* id : {"iga", "balkhash"}) {
    EXPECT_EQ(DeterministicBytes(agreements[id]),
              DeterministicBytes(registry.agreement(id)))
        << id;
    EXPECT_EQ(agreements[id].SerializeAsString(),
              registry.agreement(id).SerializeAsString());
  }
  for (const char* id : {"kz", "kr", "jp", "kepco"}) {
    EXPECT_EQ(DeterministicBytes(parties[id]), DeterministicBytes(registry.party(id)))
        << id;
  }
}

TEST(EvolveTest, SameHistoryTwiceGivesSameBytes) {
  TestRegistry first;
  TestRegistry second;
  RunHistory(first);
  RunHistory(second);
  EXPECT_EQ(DeterministicBytes(first.agreement("iga")),
            DeterministicBytes(second.agreement("iga")));
  EXPECT_EQ(DeterministicBytes(first.agreement("balkhash")),
            DeterministicBytes(second.agreement("balkhash")));
}

TEST(EvolveTest, MaintainsRevisionPositionAndTimes) {
  TestRegistry registry;
  RunHistory(registry);
  const v1::Agreement& iga = registry.agreement("iga");
  uint64_t first_position = 0;
  uint64_t last_position = 0;
  uint64_t count = 0;
  for (const v1::Event& e : registry.log()) {
    if (e.envelope().stream_id() != "iga") continue;
    if (first_position == 0) first_position = e.envelope().position();
    last_position = e.envelope().position();
    ++count;
  }
  EXPECT_EQ(iga.revision(), count);
  EXPECT_EQ(iga.last_position(), last_position);
  EXPECT_EQ(iga.create_time().seconds(),
            registry.log()[first_position - 1].envelope().recorded_at().seconds());
  EXPECT_EQ(iga.update_time().seconds(),
            registry.log()[last_position - 1].envelope().recorded_at().seconds());
  EXPECT_LT(iga.create_time().seconds(), iga.update_time().seconds());
}

TEST(EvolveTest, DerivesSectorsAmendmentsAndDates) {
  TestRegistry registry;
  RunHistory(registry);
  const v1::Agreement& iga = registry.agreement("iga");
  EXPECT_EQ(std::vector<std::string>(iga.sectors().begin(), iga.sectors().end()),
            (std::vector<std::string>{"construction", "energy"}));
  ASSERT_EQ(iga.amendments_size(), 1);
  EXPECT_GT(iga.amendments(0).position(), 0u);
  EXPECT_EQ(registry.log()[iga.amendments(0).position() - 1].envelope().event_type(),
            "amendment_adopted");
  EXPECT_EQ(iga.status(), v1::AGREEMENT_STATUS_IN_FORCE);
  EXPECT_EQ(iga.status_before_suspension(), v1::AGREEMENT_STATUS_UNSPECIFIED);
  EXPECT_EQ(iga.signed_on().day(), 13);
  EXPECT_EQ(iga.entered_into_force_on().month(), 6);
  EXPECT_EQ(registry.participation("iga", "kr").status(), v1::PARTICIPATION_STATUS_PARTY);
  EXPECT_FALSE(registry.participation("iga", "kr").has_withdrawal());
  EXPECT_EQ(registry.participation("iga", "kz").consent().means(),
            v1::CONSENT_MEANS_DEFINITIVE_SIGNATURE);

  const v1::Agreement& balkhash = registry.agreement("balkhash");
  EXPECT_EQ(balkhash.status(), v1::AGREEMENT_STATUS_TERMINATED_EARLY);
  EXPECT_EQ(balkhash.ended_on().year(), 2016);
  EXPECT_EQ(balkhash.signed_on().day(), 14);
  EXPECT_EQ(
      std::vector<std::string>(balkhash.sectors().begin(), balkhash.sectors().end()),
      (std::vector<std::string>{"construction", "energy"}));
  ASSERT_EQ(balkhash.amounts_size(), 1);
  EXPECT_EQ(balkhash.amounts(0).value().units(), 5000000000);
  ASSERT_EQ(balkhash.relations_size(), 1);
  EXPECT_EQ(balkhash.relations(0).target_agreement_id(), "iga");
}

TEST(EvolveTest, SignedOnIsTheEarliestSignature) {
  TestRegistry registry;
  registry.Reach("mou", v1::LEGAL_NATURE_NON_BINDING_POLITICAL, v1::ARITY_MULTILATERAL,
                 v1::AGREEMENT_STATUS_DRAFT);
  registry.MustRunAll("mou", {Signed("kz", v1::SIGNATURE_KIND_SIMPLE, Day(2009, 5, 20)),
                              Signed("kr", v1::SIGNATURE_KIND_SIMPLE, Day(2009, 5, 13))});
  EXPECT_EQ(registry.agreement("mou").signed_on().day(), 13);
  EXPECT_EQ(registry.participation("mou", "kz").status(),
            v1::PARTICIPATION_STATUS_SIGNATORY);
}

TEST(EvolveTest, ReassessmentFromEffectClearsEffectDate) {
  TestRegistry registry;
  registry.Reach("mou", v1::LEGAL_NATURE_NON_BINDING_POLITICAL, v1::ARITY_BILATERAL,
                 v1::AGREEMENT_STATUS_IN_EFFECT);
  EXPECT_TRUE(registry.agreement("mou").has_entered_into_force_on());
  registry.MustRun(
      AgreementCommand("mou", Reassessed(v1::LEGAL_NATURE_BINDING_INTERNATIONAL)));
  EXPECT_EQ(registry.agreement("mou").status(), v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);
  EXPECT_FALSE(registry.agreement("mou").has_entered_into_force_on());
  // Now the binding path is open: ratification and entry into force.
  registry.MustRunAll(
      "mou", {ConsentExpressed("kz", v1::CONSENT_MEANS_RATIFICATION, Day(2010, 1, 1)),
              ConsentExpressed("kr", v1::CONSENT_MEANS_RATIFICATION, Day(2010, 2, 1)),
              EnteredIntoForce("", Day(2010, 3, 1))});
  EXPECT_EQ(registry.agreement("mou").status(), v1::AGREEMENT_STATUS_IN_FORCE);
}

TEST(EvolveTest, UnknownPayloadOnlyAdvancesMetadata) {
  v1::Agreement state;
  state.set_id("a1");
  state.set_status(v1::AGREEMENT_STATUS_DRAFT);
  v1::Event event;
  event.mutable_envelope()->set_position(9);
  event.mutable_envelope()->set_revision(2);
  event.mutable_envelope()->mutable_recorded_at()->set_seconds(77);
  *event.mutable_payload() = RegisterPayload(v1::PARTY_TYPE_STATE, "KZ", "x");
  EvolveAgreement(state, event);
  EXPECT_EQ(state.status(), v1::AGREEMENT_STATUS_DRAFT);
  EXPECT_EQ(state.revision(), 2u);
  EXPECT_EQ(state.last_position(), 9u);
  EXPECT_EQ(state.update_time().seconds(), 77);
}

}  // namespace
}  // namespace agreements::domain
