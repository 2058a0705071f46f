// DecideParty and EvolveParty: registration, updates, corrections, control relations.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "domain/decider.h"
#include "domain/test_registry.h"
#include "gtest/gtest.h"

namespace agreements::domain {
namespace {

using namespace ::agreements::domain::testing;  // NOLINT: builders read as a table.

template <typename T>
void ExpectError(const absl::StatusOr<T>& result, absl::StatusCode code,
                 const std::string& text) {
  ASSERT_FALSE(result.ok()) << "expected " << absl::StatusCodeToString(code);
  EXPECT_EQ(result.status().code(), code) << result.status();
  EXPECT_NE(result.status().message().find(text), std::string::npos)
      << result.status().message();
}

v1::EventPayload Update(const std::vector<std::string>& paths, const v1::Party& values) {
  v1::EventPayload payload;
  for (const std::string& path : paths) {
    payload.mutable_party_updated()->mutable_update_mask()->add_paths(path);
  }
  *payload.mutable_party_updated()->mutable_party() = values;
  return payload;
}

v1::EventPayload Holding(const std::string& controller) {
  v1::EventPayload payload =
      RegisterPayload(v1::PARTY_TYPE_STATE_OWNED_ENTERPRISE, "KZ", "Samruk-Energy");
  payload.mutable_party_registered()->mutable_party()->set_controlled_by(controller);
  return payload;
}

// Fixture: the states kz, kr, jp and the company kepco are registered.
class PartyTest : public ::testing::Test {
 protected:
  void SetUp() override { registry_.RegisterDefaultParties(); }
  TestRegistry registry_;
};

TEST_F(PartyTest, RegistrationSetsIdRevisionAndTimes) {
  registry_.MustRun(PartyCommand("samruk-energy", Holding("kz")));
  const v1::Party& party = registry_.party("samruk-energy");
  EXPECT_EQ(party.id(), "samruk-energy");
  EXPECT_EQ(party.controlled_by(), "kz");
  EXPECT_EQ(party.revision(), 1u);
  EXPECT_EQ(party.last_position(), registry_.log().size());
  EXPECT_EQ(party.create_time().seconds(), party.update_time().seconds());
}

TEST_F(PartyTest, RegisterTwiceIsAlreadyExists) {
  ExpectError(registry_.Run(PartyCommand(
                  "kz", RegisterPayload(v1::PARTY_TYPE_STATE, "KZ", "Kazakhstan"))),
              absl::StatusCode::kAlreadyExists, "party kz already exists");
}

TEST_F(PartyTest, ControllerMustExistAndNotBeCircular) {
  ExpectError(registry_.Run(PartyCommand("samruk", Holding("nowhere"))),
              absl::StatusCode::kNotFound, "party nowhere not found");
  ExpectError(
      registry_.Run(PartyCommand("samruk", Holding("samruk"))),
      absl::StatusCode::kInvalidArgument,
      "change.party_registered.party.controlled_by: must not be the party itself");
  registry_.MustRun(PartyCommand("samruk", Holding("kz")));
  v1::Party values;
  values.set_controlled_by("samruk");
  ExpectError(registry_.Run(PartyCommand("kz", Update({"controlled_by"}, values))),
              absl::StatusCode::kInvalidArgument, "control cannot be circular");
}

TEST_F(PartyTest, UpdateAppliesOnlyMaskedFields) {
  v1::Party values;
  v1::LocalizedText* name = values.add_names();
  name->set_language("kk");
  name->set_text("Qazaqstan");
  registry_.MustRun(PartyCommand("kz", Update({"names"}, values)));
  const v1::Party& kz = registry_.party("kz");
  ASSERT_EQ(kz.names_size(), 1);
  EXPECT_EQ(kz.names(0).language(), "kk");
  EXPECT_EQ(kz.country_code(), "KZ");
  EXPECT_EQ(kz.revision(), 2u);
}

TEST_F(PartyTest, UpdateIsCheckedOnTheResultingParty) {
  v1::Party values;  // Clearing the country of a STATE.
  ExpectError(
      registry_.Run(PartyCommand("kz", Update({"country_code"}, values))),
      absl::StatusCode::kInvalidArgument,
      "change.party_updated.party.country_code: must be set (checked on the party "
      "after the change)");
  values.set_type(v1::PARTY_TYPE_STATE);
  registry_.MustRun(PartyCommand(
      "un",
      RegisterPayload(v1::PARTY_TYPE_INTERNATIONAL_ORGANIZATION, "", "United Nations")));
  ExpectError(registry_.Run(PartyCommand("un", Update({"type"}, values))),
              absl::StatusCode::kInvalidArgument, "party_updated.party.country_code");
}

TEST_F(PartyTest, UpdateOfMissingPartyIsNotFound) {
  v1::Party values;
  values.set_country_code("KR");
  ExpectError(registry_.Run(PartyCommand("nobody", Update({"country_code"}, values))),
              absl::StatusCode::kNotFound, "party nobody not found");
}

TEST_F(PartyTest, UpdateMaskAllowlist) {
  v1::Party values;
  values.set_revision(7);
  ExpectError(
      registry_.Run(PartyCommand("kz", Update({"revision"}, values))),
      absl::StatusCode::kInvalidArgument,
      "change.party_updated.update_mask.paths[0]: must be one of names, country_code");
  ExpectError(registry_.Run(PartyCommand("kz", Update({}, values))),
              absl::StatusCode::kInvalidArgument,
              "change.party_updated.update_mask.paths: must name at least one field");
}

TEST_F(PartyTest, CorrectionOfOwnEvent) {
  v1::Party values;
  values.set_country_code("KP");
  registry_.MustRun(PartyCommand("kr", PartyCorrected(2, {"country_code"}, values)));
  EXPECT_EQ(registry_.party("kr").country_code(), "KP");
  ExpectError(
      registry_.Run(PartyCommand("kr", PartyCorrected(1, {"country_code"}, values))),
      absl::StatusCode::kInvalidArgument, "event 1 belongs to party kz, not to party kr");
  ExpectError(
      registry_.Run(PartyCommand("kr", PartyCorrected(77, {"country_code"}, values))),
      absl::StatusCode::kNotFound, "event at position 77 not found");
}

TEST_F(PartyTest, AgreementValuesOnPartyCorrectionAreInvalid) {
  v1::EventPayload payload = PartyCorrected(2, {"names"}, v1::Party());
  payload.mutable_record_corrected()->mutable_agreement()->set_summary("x");
  ExpectError(registry_.Run(PartyCommand("kr", payload)),
              absl::StatusCode::kInvalidArgument,
              "change.record_corrected.agreement: must be empty on a party stream");
}

TEST_F(PartyTest, AgreementCommandOnPartyStreamIsInvalid) {
  v1::Command command = PartyCommand("kz", TextAdopted(Day(2009, 1, 1)));
  v1::Party state;
  ExpectError(DecideParty(&state, command, DecideContext()),
              absl::StatusCode::kInvalidArgument,
              "stream_type: must be STREAM_TYPE_AGREEMENT for text_adopted");
}

}  // namespace
}  // namespace agreements::domain
