#include "services/page_token.h"

#include "absl/strings/escaping.h"
#include "agreements/v1/query_service.pb.h"
#include "common/temp_dir.h"
#include "gtest/gtest.h"

namespace agreements::services {
namespace {

namespace v1 = ::agreements::v1;

// The owner of most tokens here: a reader.
std::string Owner() { return TokenOwner("reader-1", domain::Clearance::PublicAnd({})); }

TEST(PageTokenCodec, RoundTripsAndHidesTheId) {
  PageTokenCodec codec(PageTokenCodec::Key{1, 2, 3});
  v1::ListAgreementsRequest filters;
  filters.set_sector("energy");
  const std::string token = codec.Encode(Owner(), filters, "secret-agreement-id");
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token, &raw));
  EXPECT_EQ(raw.find("secret-agreement-id"), std::string::npos);
  absl::StatusOr<std::string> after = codec.Decode(Owner(), filters, token);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(*after, "secret-agreement-id");
  EXPECT_EQ(*codec.Decode(Owner(), filters, ""), "");
}

TEST(PageTokenCodec, RefusesOtherFiltersTamperingAndOtherKeys) {
  PageTokenCodec codec(PageTokenCodec::Key{1, 2, 3});
  v1::ListAgreementsRequest filters;
  filters.set_sector("energy");
  const std::string token = codec.Encode(Owner(), filters, "a-100");
  v1::ListAgreementsRequest other = filters;
  other.set_sector("telecom");
  EXPECT_EQ(codec.Decode(Owner(), other, token).status().code(),
            absl::StatusCode::kInvalidArgument);
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token, &raw));
  raw[raw.size() / 2] ^= 1;
  EXPECT_FALSE(codec.Decode(Owner(), filters, absl::WebSafeBase64Escape(raw)).ok());
  PageTokenCodec stranger(PageTokenCodec::Key{9});
  EXPECT_FALSE(stranger.Decode(Owner(), filters, token).ok());
  EXPECT_NE(
      codec.Decode(Owner(), filters, "not a token").status().message().find("page_token"),
      std::string::npos);
}

TEST(PageTokenCodec, IsBoundToItsOwnerAndItsRpc) {
  PageTokenCodec codec(PageTokenCodec::Key{4});
  v1::ListAgreementsRequest agreements;
  const std::string token = codec.Encode(Owner(), agreements, "hidden-id");
  // Another principal, the same principal with another clearance, an admin.
  EXPECT_FALSE(codec
                   .Decode(TokenOwner("reader-2", domain::Clearance::PublicAnd({})),
                           agreements, token)
                   .ok());
  EXPECT_FALSE(
      codec
          .Decode(TokenOwner("reader-1", domain::Clearance::PublicAnd({"energy"})),
                  agreements, token)
          .ok());
  EXPECT_FALSE(
      codec.Decode(TokenOwner("reader-1", domain::Clearance::All()), agreements, token)
          .ok());
  // Both requests are empty, so only the RPC tells them apart.
  v1::ListPartiesRequest parties;
  EXPECT_FALSE(codec.Decode(Owner(), parties, token).ok());
  EXPECT_TRUE(codec.Decode(Owner(), agreements, token).ok());
}

TEST(PageTokenCodec, EveryTokenHasTheSameLength) {
  PageTokenCodec codec(PageTokenCodec::Key{5});
  v1::ListAgreementsRequest filters;
  const std::string longest(PageTokenCodec::kSealedBytes - 1, 'x');
  const size_t expected = codec.Encode(Owner(), filters, "a").size();
  for (const std::string& id : {std::string("a"), std::string("kz-kr-2024"), longest}) {
    const std::string token = codec.Encode(Owner(), filters, id);
    EXPECT_EQ(token.size(), expected) << id;
    EXPECT_EQ(*codec.Decode(Owner(), filters, token), id);
  }
}

TEST(PageTokenCodec, KeyFileSurvivesRestarts) {
  agreements::testing::TempDir dir;
  const std::string path = dir.path() + "/page_token.key";
  auto first = PageTokenCodec::LoadOrCreate(path);
  ASSERT_TRUE(first.ok()) << first.status();
  v1::ListPartiesRequest filters;
  const std::string token = (*first)->Encode(Owner(), filters, "kz");
  auto second = PageTokenCodec::LoadOrCreate(path);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*(*second)->Decode(Owner(), filters, token), "kz");
}

}  // namespace
}  // namespace agreements::services
