#include "domain/confidentiality.h"

#include "domain/decider.h"
#include "domain/test_registry.h"
#include "gtest/gtest.h"

namespace agreements::domain {
namespace {

namespace v1 = ::agreements::v1;
using testing::AgreementCommand;

v1::EventPayload Level(v1::Confidentiality level) {
  v1::EventPayload change;
  change.mutable_confidentiality_changed()->set_level(level);
  return change;
}

TEST(Confidentiality, UnspecifiedIsPublic) {
  v1::Agreement agreement;
  EXPECT_EQ(LevelOf(agreement), v1::CONFIDENTIALITY_PUBLIC);
  EXPECT_TRUE(IsPublicLevel(LevelOf(agreement)));
  agreement.set_confidentiality(v1::CONFIDENTIALITY_RESTRICTED);
  EXPECT_FALSE(IsPublicLevel(LevelOf(agreement)));
}

TEST(Clearance, ReadersRegistrarsAndEveryone) {
  v1::Agreement agreement;
  agreement.add_sectors("energy");
  agreement.add_sectors("telecom");
  agreement.set_confidentiality(v1::CONFIDENTIALITY_RESTRICTED);
  const Clearance reader = Clearance::PublicAnd({});
  const Clearance energy = Clearance::PublicAnd({"energy", "energy"});
  EXPECT_FALSE(reader.Sees(agreement));
  EXPECT_TRUE(energy.Sees(agreement));
  EXPECT_TRUE(Clearance::All().Sees(agreement));
  // Per sector: the energy registrar sees it in energy's views, not in telecom's.
  EXPECT_TRUE(energy.SeesInSector(agreement, "energy"));
  EXPECT_FALSE(energy.SeesInSector(agreement, "telecom"));
  agreement.set_confidentiality(v1::CONFIDENTIALITY_PUBLIC);
  EXPECT_TRUE(reader.Sees(agreement));
  EXPECT_TRUE(reader.SeesInSector(agreement, "telecom"));
}

TEST(Confidentiality, ChangeNeedsANewKnownLevel) {
  testing::TestRegistry registry;
  registry.RegisterDefaultParties();
  registry.Reach("a1", v1::LEGAL_NATURE_BINDING_INTERNATIONAL, v1::ARITY_MULTILATERAL,
                 v1::AGREEMENT_STATUS_TERMINATED);
  // Allowed on a terminated agreement (declassification comes late).
  registry.MustRun(AgreementCommand("a1", Level(v1::CONFIDENTIALITY_CONFIDENTIAL)));
  EXPECT_EQ(registry.agreement("a1").confidentiality(), v1::CONFIDENTIALITY_CONFIDENTIAL);
  auto again =
      registry.Run(AgreementCommand("a1", Level(v1::CONFIDENTIALITY_CONFIDENTIAL)));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  absl::Status unset =
      ValidateCommand(AgreementCommand("a1", Level(v1::CONFIDENTIALITY_UNSPECIFIED)));
  EXPECT_EQ(unset.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(unset.message().find("confidentiality_changed.level"), std::string::npos)
      << unset;
  EXPECT_EQ(EventTypeName(Level(v1::CONFIDENTIALITY_PUBLIC)), "confidentiality_changed");
}

}  // namespace
}  // namespace agreements::domain
