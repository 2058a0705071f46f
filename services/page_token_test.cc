#include "services/page_token.h"

#include "absl/strings/escaping.h"
#include "agreements/v1/query_service.pb.h"
#include "common/temp_dir.h"
#include "gtest/gtest.h"

namespace agreements::services {
namespace {

namespace v1 = ::agreements::v1;

TEST(PageTokenCodec, RoundTripsAndHidesTheId) {
  PageTokenCodec codec(PageTokenCodec::Key{1, 2, 3});
  v1::ListAgreementsRequest filters;
  filters.set_sector("energy");
  const std::string token = codec.Encode(filters, "secret-agreement-id");
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token, &raw));
  EXPECT_EQ(raw.find("secret-agreement-id"), std::string::npos);
  absl::StatusOr<std::string> after = codec.Decode(filters, token);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(*after, "secret-agreement-id");
  EXPECT_EQ(*codec.Decode(filters, ""), "");
}

TEST(PageTokenCodec, RefusesOtherFiltersTamperingAndOtherKeys) {
  PageTokenCodec codec(PageTokenCodec::Key{1, 2, 3});
  v1::ListAgreementsRequest filters;
  filters.set_sector("energy");
  const std::string token = codec.Encode(filters, "a-100");
  v1::ListAgreementsRequest other = filters;
  other.set_sector("telecom");
  EXPECT_EQ(codec.Decode(other, token).status().code(),
            absl::StatusCode::kInvalidArgument);
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token, &raw));
  raw[raw.size() / 2] ^= 1;
  EXPECT_FALSE(codec.Decode(filters, absl::WebSafeBase64Escape(raw)).ok());
  PageTokenCodec stranger(PageTokenCodec::Key{9});
  EXPECT_FALSE(stranger.Decode(filters, token).ok());
  EXPECT_NE(codec.Decode(filters, "not a token").status().message().find("page_token"),
            std::string::npos);
}

TEST(PageTokenCodec, KeyFileSurvivesRestarts) {
  agreements::testing::TempDir dir;
  const std::string path = dir.path() + "/page_token.key";
  auto first = PageTokenCodec::LoadOrCreate(path);
  ASSERT_TRUE(first.ok()) << first.status();
  v1::ListPartiesRequest filters;
  const std::string token = (*first)->Encode(filters, "kz");
  auto second = PageTokenCodec::LoadOrCreate(path);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*(*second)->Decode(filters, token), "kz");
}

}  // namespace
}  // namespace agreements::services
