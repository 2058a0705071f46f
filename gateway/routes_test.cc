#include "gateway/routes.h"

#include "gtest/gtest.h"

namespace agreements::gateway {
namespace {

TEST(MatchRoute, BindsPathVariablesDecoded) {
  std::optional<RouteMatch> match = MatchRoute("/v1/agreements/kz%2Fkr-2024");
  ASSERT_TRUE(match.has_value());
  EXPECT_EQ(match->route->rpc, "agreements.v1.QueryService.GetAgreement");
  ASSERT_EQ(match->bindings.size(), 1u);
  EXPECT_EQ(match->bindings[0], Binding("agreement_id", "kz/kr-2024"));
}

TEST(MatchRoute, FixedFieldsComeFirst) {
  std::optional<RouteMatch> match = MatchRoute("/v1/parties/KZ/history");
  ASSERT_TRUE(match.has_value());
  EXPECT_EQ(match->route->rpc, "agreements.v1.AuditService.ListHistory");
  ASSERT_EQ(match->bindings.size(), 2u);
  EXPECT_EQ(match->bindings[0], Binding("stream_type", "STREAM_TYPE_PARTY"));
  EXPECT_EQ(match->bindings[1], Binding("stream_id", "KZ"));
}

TEST(MatchRoute, LiteralsAndKinds) {
  EXPECT_EQ(MatchRoute("/v1/agreements:lookup")->route->rpc,
            "agreements.v1.QueryService.LookupAgreement");
  EXPECT_EQ(MatchRoute("/v1/events")->route->kind, RouteKind::kEventStream);
  const RouteMatch csv = *MatchRoute("/v1/exports/participations.csv");
  EXPECT_EQ(csv.route->kind, RouteKind::kExport);
  EXPECT_EQ(csv.route->rows, ExportRows::kParticipations);
  EXPECT_EQ(csv.route->format, ExportFormat::kCsv);
}

TEST(MatchRoute, NothingForUnknownOrEmptyVariables) {
  EXPECT_FALSE(MatchRoute("/v1/treaties").has_value());
  EXPECT_FALSE(MatchRoute("/v1/agreements/").has_value());
  EXPECT_FALSE(MatchRoute("/v1/agreements/a/b/c").has_value());
  EXPECT_FALSE(MatchRoute("/v1/agreements/%zz").has_value());
}

TEST(PercentDecode, RejectsTruncatedEscapes) {
  EXPECT_EQ(PercentDecode("a%20b"), "a b");
  EXPECT_FALSE(PercentDecode("a%2").has_value());
  EXPECT_FALSE(PercentDecode("%").has_value());
}

}  // namespace
}  // namespace agreements::gateway
