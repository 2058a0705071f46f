#include "gateway/request_binding.h"

#include "agreements/v1/audit_service.pb.h"
#include "agreements/v1/feed_service.pb.h"
#include "agreements/v1/query_service.pb.h"
#include "gtest/gtest.h"

namespace agreements::gateway {
namespace {

namespace v1 = ::agreements::v1;

TEST(BindRequest, ScalarsEnumsAndDates) {
  v1::ListAgreementsRequest request;
  ASSERT_TRUE(BindRequest({{"sector", "energy"},
                           {"status", "in_force"},
                           {"instrument_kind", "INSTRUMENT_KIND_TREATY"},
                           {"signed_from", "2009-05"},
                           {"page_size", "20"},
                           {"party_statuses", "signatory"},
                           {"party_statuses", "party"},
                           {"registration_due", "true"}},
                          request)
                  .ok());
  EXPECT_EQ(request.sector(), "energy");
  EXPECT_EQ(request.status(), v1::AGREEMENT_STATUS_IN_FORCE);
  EXPECT_EQ(request.instrument_kind(), v1::INSTRUMENT_KIND_TREATY);
  EXPECT_EQ(request.signed_from().year(), 2009);
  EXPECT_EQ(request.signed_from().month(), 5);
  EXPECT_EQ(request.signed_from().precision(), v1::DATE_PRECISION_MONTH);
  EXPECT_EQ(request.page_size(), 20);
  ASSERT_EQ(request.party_statuses_size(), 2);
  EXPECT_EQ(request.party_statuses(1), v1::PARTICIPATION_STATUS_PARTY);
  EXPECT_TRUE(request.registration_due());
}

TEST(BindRequest, NestedFieldsAndTimestamps) {
  v1::GetAgreementAsOfRequest as_of;
  ASSERT_TRUE(
      BindRequest({{"agreement_id", "a"}, {"as_of.recorded_at", "2024-05-01T10:00:00Z"}},
                  as_of)
          .ok());
  EXPECT_EQ(as_of.as_of().recorded_at().seconds(), 1714557600);
  v1::SubscribeRequest subscribe;
  ASSERT_TRUE(
      BindRequest({{"filter.sectors", "energy"}, {"from_position", "7"}}, subscribe)
          .ok());
  EXPECT_EQ(subscribe.filter().sectors(0), "energy");
  EXPECT_EQ(subscribe.from_position(), 7u);
}

TEST(BindRequest, ErrorsNameTheParameter) {
  v1::ListAgreementsRequest request;
  absl::Status status = BindRequest({{"page_size", "many"}}, request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message().substr(0, 10), "page_size:");
  status = BindRequest({{"colour", "red"}}, request);
  EXPECT_NE(status.message().find("colour: no such field"), absl::string_view::npos);
  status = BindRequest({{"status", "valid"}}, request);
  EXPECT_NE(status.message().find("status: \"valid\" is not one of: draft"),
            absl::string_view::npos);
  status = BindRequest({{"signed_from", "2009-02-30"}}, request);
  EXPECT_NE(status.message().find("signed_from: date \"2009-02-30\": day out of range"),
            absl::string_view::npos);
  v1::GetAgreementRequest get;
  status = BindRequest({{"agreement_id", "a"}, {"agreement_id", "b"}}, get);
  EXPECT_NE(status.message().find("agreement_id: given more than once"),
            absl::string_view::npos);
  status = BindRequest({{"min_position", "-1"}}, get);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace agreements::gateway
