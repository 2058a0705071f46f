#include "security/policy.h"

#include "gtest/gtest.h"

namespace agreements::security {
namespace {

TEST(ParseGrant, RolesAndSectors) {
  absl::StatusOr<Grant> grant = ParseGrant("registrar:transport,energy,energy");
  ASSERT_TRUE(grant.ok()) << grant.status();
  EXPECT_EQ(grant->role, Role::kRegistrar);
  EXPECT_EQ(grant->sectors, (std::vector<std::string>{"energy", "transport"}));
  EXPECT_EQ(ParseGrant("auditor")->role, Role::kAuditor);
  EXPECT_EQ(ParseGrant("admin")->role, Role::kAdmin);
  EXPECT_EQ(ParseGrant("reader")->role, Role::kReader);
}

TEST(ParseGrant, RejectsUnknownRolesAndSectors) {
  EXPECT_NE(ParseGrant("superuser").status().message().find("unknown role"),
            std::string::npos);
  EXPECT_NE(ParseGrant("registrar:mining").status().message().find("mining"),
            std::string::npos);
  EXPECT_NE(ParseGrant("reader:energy").status().message().find("only registrar"),
            std::string::npos);
}

TEST(Allows, EachRoleGivesItsPermissions) {
  const std::vector<Grant> reader = {Grant{Role::kReader, {}}};
  const std::vector<Grant> registrar = {Grant{Role::kRegistrar, {"energy"}}};
  const std::vector<Grant> auditor = {Grant{Role::kAuditor, {}}};
  const std::vector<Grant> admin = {Grant{Role::kAdmin, {}}};
  EXPECT_TRUE(Allows(reader, Permission::kRegistryRead));
  EXPECT_FALSE(Allows(reader, Permission::kAgreementsWrite));
  EXPECT_FALSE(Allows(reader, Permission::kAuditRead));
  EXPECT_TRUE(Allows(registrar, Permission::kAgreementsWrite));
  EXPECT_TRUE(Allows(registrar, Permission::kPartiesWrite));
  EXPECT_FALSE(Allows(registrar, Permission::kAuditRead));
  EXPECT_TRUE(Allows(auditor, Permission::kAuditRead));
  EXPECT_FALSE(Allows(auditor, Permission::kAgreementsWrite));
  EXPECT_FALSE(Allows(auditor, Permission::kSecurityRead));
  EXPECT_TRUE(Allows(admin, Permission::kSecurityRead));
  EXPECT_FALSE(Allows({}, Permission::kRegistryRead));
}

TEST(WritableSectors, UnionOfRegistrarGrants) {
  EXPECT_EQ(WritableSectors({Grant{Role::kRegistrar, {"telecom"}},
                             Grant{Role::kRegistrar, {"energy", "telecom"}}}),
            (std::vector<std::string>{"energy", "telecom"}));
  EXPECT_EQ(
      WritableSectors({Grant{Role::kRegistrar, {"energy"}}, Grant{Role::kAdmin, {}}}),
      std::nullopt);
  EXPECT_EQ(WritableSectors({Grant{Role::kRegistrar, {}}}), std::nullopt);
  EXPECT_EQ(WritableSectors({Grant{Role::kReader, {}}}), std::vector<std::string>{});
}

TEST(ParseTokenFile, HashesPrincipalsAndGrants) {
  const std::string hash = TokenDigest("s3cret-token-value");
  absl::StatusOr<TokenTable> tokens = ParseTokenFile(
      "# loaders\n\nsha256:" + hash + "  \"Energy Desk\"  registrar:energy  # comment\n");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  ASSERT_EQ(tokens->size(), 1u);
  const TokenEntry& entry = tokens->at(hash);
  EXPECT_EQ(entry.principal, "Energy Desk");
  ASSERT_EQ(entry.grants.size(), 1u);
  EXPECT_EQ(entry.grants[0].sectors, std::vector<std::string>{"energy"});
}

TEST(ParseTokenFile, ErrorsNameTheLine) {
  const std::string hash = TokenDigest("t");
  EXPECT_EQ(
      ParseTokenFile("\nplain-token alice reader\n").status().message().substr(0, 7),
      "line 2:");
  EXPECT_NE(ParseTokenFile("sha256:" + hash + " a reader\nsha256:" + hash + " b reader\n")
                .status()
                .message()
                .find("line 2: the same token hash appears twice"),
            std::string::npos);
  EXPECT_FALSE(ParseTokenFile("sha256:" + hash + "\n").ok());
  EXPECT_NE(ParseTokenFile("sha256:" + hash + " anonymous admin\n")
                .status()
                .message()
                .find("reserved"),
            std::string::npos);
  EXPECT_FALSE(ParseTokenFile("sha256:" + hash + " * admin\n").ok());
  EXPECT_FALSE(ParseTokenFile("sha256:" + hash + " \"alice reader\n").ok());
}

TEST(ParsePolicyFile, EntriesAndErrors) {
  absl::StatusOr<PolicyTable> policy = ParsePolicyFile(
      "treaty-office admin\n* reader\nanonymous reader\nalice registrar:energy "
      "auditor\n");
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_EQ(policy->size(), 4u);
  EXPECT_EQ(policy->at("alice").size(), 2u);
  EXPECT_NE(ParsePolicyFile("bob\n").status().message().find("line 1: no role"),
            std::string::npos);
  EXPECT_NE(ParsePolicyFile("bob reader\nbob auditor\n").status().message().find("twice"),
            std::string::npos);
}

}  // namespace
}  // namespace agreements::security
