// Text search, sort orders and statistics (docs/api.md) on the demo data, through a real
// server: words of titles, summaries and party names in several scripts, ranking by words
// matched, order_by with paging, and counts per sector and period that follow changes.
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agreements/v1/command_service.grpc.pb.h"
#include "agreements/v1/query_service.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "services/server.h"
#include "tests/test_support.h"

namespace agreements {
namespace {

namespace v1 = ::agreements::v1;

class SearchStatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    services::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = dir_.path() + "/data";
    auto server = services::RegistryServer::Start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                       grpc::InsecureChannelCredentials());
    commands_ = v1::CommandService::NewStub(channel);
    queries_ = v1::QueryService::NewStub(channel);
    std::ifstream demo(AGREEMENTS_DEMO_FILE);
    std::string line;
    while (std::getline(demo, line)) {
      v1::ExecuteBatchRequest batch;
      ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &batch).ok());
      v1::ExecuteBatchResponse response;
      grpc::ClientContext context;
      ASSERT_TRUE(commands_->ExecuteBatch(&context, batch, &response).ok());
    }
  }

  // The ids of every page of a list, and the first error.
  std::vector<std::string> List(const std::string& query,
                                const std::string& order_by = "",
                                const std::string& sector = "", int page_size = 50,
                                grpc::Status* status = nullptr) {
    v1::ListAgreementsRequest request;
    request.set_query(query);
    request.set_order_by(order_by);
    request.set_sector(sector);
    request.set_page_size(page_size);
    std::vector<std::string> ids;
    for (int page = 0; page < 100; ++page) {
      v1::ListAgreementsResponse response;
      grpc::ClientContext context;
      grpc::Status got = queries_->ListAgreements(&context, request, &response);
      if (status != nullptr) *status = got;
      if (!got.ok()) break;
      for (const auto& agreement : response.agreements()) ids.push_back(agreement.id());
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return ids;
  }

  uint64_t RecordTitled(const std::string& id, const std::string& language,
                        const std::string& title) {
    v1::RecordAgreementRequest request =
        testing::BindingAgreement("r-" + id, id, {"kz", "kr"}, "transport");
    request.mutable_agreement()->clear_titles();
    auto* text = request.mutable_agreement()->add_titles();
    text->set_language(language);
    text->set_text(title);
    v1::RecordAgreementResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(commands_->RecordAgreement(&context, request, &response).ok());
    return response.result().last_position();
  }

  v1::GetStatisticsResponse Statistics(
      const std::string& sector, const std::string& party = "",
      v1::StatisticsPeriod period = v1::STATISTICS_PERIOD_YEAR) {
    v1::GetStatisticsRequest request;
    request.set_sector(sector);
    request.set_party_id(party);
    request.set_period(period);
    v1::GetStatisticsResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(queries_->GetStatistics(&context, request, &response).ok());
    return response;
  }

  testing::TempDir dir_;
  std::unique_ptr<services::RegistryServer> server_;
  std::unique_ptr<v1::CommandService::Stub> commands_;
  std::unique_ptr<v1::QueryService::Stub> queries_;
};

TEST_F(SearchStatsTest, SearchFindsTitlesSummariesAndPartyNames) {
  EXPECT_EQ(List("Balkhash"), std::vector<std::string>{"balkhash-tpp-2009"});
  // A summary word, any case, as a prefix: "breakthrough" is in Balkhash's summary.
  EXPECT_EQ(List("BREAKTHROUG"), std::vector<std::string>{"balkhash-tpp-2009"});
  // A party's name (English, Korean): Samsung and KEPCO are parties of Balkhash only.
  EXPECT_EQ(List("samsung"), std::vector<std::string>{"balkhash-tpp-2009"});
  EXPECT_EQ(List("한국전력"), std::vector<std::string>{"balkhash-tpp-2009"});
  // Every forum memorandum mentions the forum; with a sector filter, only that one.
  EXPECT_EQ(List("forum").size(), 4u);
  EXPECT_EQ(List("forum", "", "telecom"),
            std::vector<std::string>{"kz-kr-forum-2009-telecom"});
  EXPECT_TRUE(List("zzzzqx").empty());
  // Ranked by the words matched, then by id: "telecommunications forum" matches the
  // telecom memorandum twice.
  const std::vector<std::string> ranked = List("forum telecommunications");
  ASSERT_FALSE(ranked.empty());
  EXPECT_EQ(ranked[0], "kz-kr-forum-2009-telecom");
  // Pages of one result each give the same list.
  EXPECT_EQ(List("forum telecommunications", "", "", 1), ranked);
  // Titles in other scripts: Cyrillic folded to lower case, Korean by word prefix.
  RecordTitled("air-ru", "ru", "Соглашение о воздушном сообщении");
  RecordTitled("air-ko", "ko", "항공운송에 관한 협정");
  EXPECT_EQ(List("СОГЛАШЕНИЕ"), std::vector<std::string>{"air-ru"});
  EXPECT_EQ(List("항공운송"), std::vector<std::string>{"air-ko"});
  grpc::Status status;
  List("!!!", "", "", 50, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("query:"), std::string::npos);
}

TEST_F(SearchStatsTest, OrderByWithPaging) {
  RecordTitled("a-later", "en", "Aardvark agreement");
  const std::vector<std::string> by_title = List("", "title");
  ASSERT_GE(by_title.size(), 7u);
  EXPECT_EQ(by_title[0], "a-later");
  EXPECT_EQ(List("", "title", "", 2), by_title);
  // Signed ones by date, the unsigned (Balkhash, a-later) last either way.
  const std::vector<std::string> signed_desc = List("", "signed_on desc");
  ASSERT_EQ(signed_desc.size(), by_title.size());
  EXPECT_EQ(List("", "signed_on desc", "", 3), signed_desc);
  const std::vector<std::string> tail(signed_desc.end() - 2, signed_desc.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"a-later", "balkhash-tpp-2009"}));
  const std::vector<std::string> recorded = List("", "create_time desc");
  EXPECT_EQ(recorded.front(), "a-later");
  grpc::Status status;
  List("", "colour", "", 50, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("order_by:"), std::string::npos);
}

TEST_F(SearchStatsTest, StatisticsPerSectorPeriodAndParty) {
  const v1::GetStatisticsResponse energy = Statistics("energy");
  ASSERT_EQ(energy.sectors_size(), 1);
  int64_t recorded = 0, signed_2009 = 0;
  bool amount = false;
  for (const v1::PeriodCounts& period : energy.sectors(0).periods()) {
    recorded += period.recorded_count();
    if (period.period() == "2009") signed_2009 = period.signed_count();
    for (const v1::Money& money : period.amounts()) {
      amount = amount || (money.currency_code() == "USD" && money.units() == 4500000000);
    }
  }
  EXPECT_EQ(recorded, 2);  // Balkhash and the energy memorandum
  EXPECT_EQ(signed_2009, 1);
  EXPECT_TRUE(amount);
  // By month: the memorandums' signatures are dated May 2009.
  const v1::GetStatisticsResponse monthly =
      Statistics("telecom", "", v1::STATISTICS_PERIOD_MONTH);
  ASSERT_EQ(monthly.sectors(0).periods_size(), 2);  // recorded now, signed 2009-05
  EXPECT_EQ(monthly.sectors(0).periods(0).period(), "2009-05");
  EXPECT_EQ(monthly.sectors(0).periods(0).signed_count(), 1);
  // One party's agreements: Samsung is only in Balkhash (energy and construction).
  const v1::GetStatisticsResponse samsung = Statistics("", "samsung");
  EXPECT_EQ(samsung.sectors_size(), 13);
  int64_t samsung_total = 0;
  for (const auto& sector : samsung.sectors()) {
    for (const auto& period : sector.periods()) samsung_total += period.recorded_count();
  }
  EXPECT_EQ(samsung_total, 2);
  // A new agreement counts at once.
  const uint64_t position = RecordTitled("new-transport", "en", "New");
  v1::GetStatisticsRequest request;
  request.set_sector("transport");
  request.set_min_position(position);
  v1::GetStatisticsResponse after;
  grpc::ClientContext context;
  ASSERT_TRUE(queries_->GetStatistics(&context, request, &after).ok());
  int64_t transport = 0;
  for (const auto& period : after.sectors(0).periods())
    transport += period.recorded_count();
  EXPECT_EQ(transport, 2);
}

}  // namespace
}  // namespace agreements
