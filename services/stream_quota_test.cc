#include "services/stream_quota.h"

#include "gtest/gtest.h"

namespace agreements::services {
namespace {

Caller Named(const std::string& principal, security::Role role) {
  Caller caller;
  caller.principal = principal;
  caller.method = agreements::v1::AUTHENTICATION_METHOD_BEARER_TOKEN;
  caller.grants.push_back(security::Grant{role, {}});
  return caller;
}

std::map<std::string, int64_t> Refusals(const StreamQuota& quota) {
  agreements::v1::StreamLimitStatus status;
  quota.Describe(status);
  std::map<std::string, int64_t> refusals;
  for (const auto& refusal : status.refusals())
    refusals[refusal.limit()] = refusal.count();
  return refusals;
}

TEST(StreamQuota, ReadersCannotTakeTheReservedSlots) {
  StreamQuota quota(/*max_streams=*/5, /*max_streams_per_principal=*/2,
                    /*reserved_streams=*/2);
  const Caller reader_a = Named("reader-a", security::Role::kReader);
  const Caller reader_b = Named("reader-b", security::Role::kReader);
  const Caller registrar = Named("registrar", security::Role::kRegistrar);
  ASSERT_TRUE(quota.Admit(reader_a).ok());
  ASSERT_TRUE(quota.Admit(reader_a).ok());
  absl::Status refused = quota.Admit(reader_a);
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(refused.message().find("max_streams_per_principal"), std::string::npos)
      << refused;
  ASSERT_TRUE(quota.Admit(reader_b).ok());
  refused = quota.Admit(registrar);  // 3 of 5 open, 2 reserved
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(refused.message().find("reserved_streams"), std::string::npos) << refused;

  // Auditors and admins take the reserved slots; admins have no limit per principal.
  ASSERT_TRUE(quota.Admit(Named("auditor", security::Role::kAuditor)).ok());
  ASSERT_TRUE(quota.Admit(Named("admin", security::Role::kAdmin)).ok());
  refused = quota.Admit(Named("admin", security::Role::kAdmin));
  EXPECT_NE(refused.message().find("max_streams:"), std::string::npos) << refused;
  EXPECT_EQ(quota.open(), 5u);
  EXPECT_EQ(Refusals(quota),
            (std::map<std::string, int64_t>{{"max_streams", 1},
                                            {"max_streams_per_principal", 1},
                                            {"reserved_streams", 1}}));

  // A released slot is free again.
  quota.Release(reader_a);
  EXPECT_EQ(quota.open(), 4u);
  EXPECT_TRUE(quota.Admit(Named("admin", security::Role::kAdmin)).ok());
}

TEST(StreamQuota, AdminsHaveNoLimitPerPrincipal) {
  StreamQuota quota(10, 1, 0);
  const Caller admin = Named("anonymous", security::Role::kAdmin);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(quota.Admit(admin).ok());
  EXPECT_FALSE(quota.Admit(admin).ok());
}

TEST(StreamQuota, ReservingMoreThanAllReservesAll) {
  StreamQuota quota(2, 0, 50);
  EXPECT_EQ(quota.Admit(Named("reader", security::Role::kReader)).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(quota.Admit(Named("auditor", security::Role::kAuditor)).ok());
  agreements::v1::StreamLimitStatus status;
  quota.Describe(status);
  EXPECT_EQ(status.reserved_streams(), 2);
  EXPECT_EQ(status.max_streams_per_principal(), 0);
}

}  // namespace
}  // namespace agreements::services
