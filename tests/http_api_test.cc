// The HTTP/JSON API against a real server (docs/http.md): every route answers what the
// same request answers over gRPC, errors keep gRPC's codes and field names, paging and
// ETags work, exports match the gRPC lists and feed, and server-sent events resume by
// Last-Event-ID with no gap and no duplicate while a writer appends.
#include <httplib.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agreements/v1/audit_service.grpc.pb.h"
#include "agreements/v1/command_service.grpc.pb.h"
#include "agreements/v1/feed_service.grpc.pb.h"
#include "agreements/v1/query_service.grpc.pb.h"
#include "gateway/request_binding.h"
#include "gateway/routes.h"
#include "gateway/rpc_call.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "services/server.h"
#include "tests/http_test_util.h"
#include "tests/test_support.h"

namespace agreements {
namespace {

namespace v1 = ::agreements::v1;
using testing::HttpGet;
using testing::SseEvent;

class HttpApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    services::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = dir_.path() + "/data";
    options.http.listen = "127.0.0.1:0";
    options.checkpoints.interval = absl::Milliseconds(100);
    auto server = services::RegistryServer::Start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
    commands_ = v1::CommandService::NewStub(channel_);
    ASSERT_TRUE(testing::RegisterKzKr(*commands_).ok());
    for (const auto& [id, sector] : {std::pair{"a-energy-1", "energy"},
                                     {"a-energy-2", "energy"},
                                     {"a-energy-3", "energy"},
                                     {"a-telecom-1", "telecom"}}) {
      Record(id, sector);
    }
  }

  uint64_t Record(const std::string& id, const std::string& sector) {
    v1::RecordAgreementResponse response;
    grpc::ClientContext context;
    const grpc::Status status = commands_->RecordAgreement(
        &context, testing::BindingAgreement("r-" + id, id, {"kz", "kr"}, sector),
        &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.result().last_position();
  }

  httplib::Client Http(int read_timeout_s = 10) const {
    httplib::Client client("127.0.0.1", server_->http_port());
    client.set_read_timeout(read_timeout_s, 0);
    return client;
  }

  // The gRPC answer to the request the route builds from `params`.
  std::unique_ptr<google::protobuf::Message> GrpcAnswer(
      const gateway::RouteMatch& match,
      std::vector<std::pair<std::string, std::string>> params, grpc::Status* status) {
    const auto* method =
        google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
            match.route->rpc);
    auto request = gateway::NewMessage(*method->input_type());
    params.insert(params.begin(), match.bindings.begin(), match.bindings.end());
    EXPECT_TRUE(gateway::BindRequest(params, *request).ok());
    auto answer = gateway::NewMessage(*method->output_type());
    gateway::MessageStub stub(channel_);
    *status = gateway::CallUnary(stub, *method, *request, {}, absl::Seconds(10), *answer)
                  .status;
    return answer;
  }

  testing::TempDir dir_;
  std::unique_ptr<services::RegistryServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CommandService::Stub> commands_;
};

// Every JSON route answers 200 with the proto3 JSON of exactly what gRPC answers.
TEST_F(HttpApiTest, EveryRouteAnswersWhatGrpcAnswers) {
  httplib::Client http = Http();
  // The audit routes need a signed checkpoint.
  for (int i = 0;
       i < 100 && HttpGet(http, "/v1/checkpoint").body.find("\"tree_size\":\"6\"") ==
                      std::string::npos;
       ++i) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/v1/agreements", "sector=energy&status=negotiating&page_size=2"},
      {"/v1/agreements/a-energy-1", ""},
      {"/v1/agreements/a-energy-1/history", ""},
      {"/v1/agreements/a-energy-1/diff", "from_revision=1&to_revision=1"},
      {"/v1/agreements/a-energy-1/as-of", "as_of.position=5"},
      {"/v1/agreements/a-energy-1/legal-status", "date=2020-01-01"},
      {"/v1/agreements/a-energy-1/completeness-proof", ""},
      {"/v1/parties", "page_size=1"},
      {"/v1/parties/kz", ""},
      {"/v1/parties/kz/history", ""},
      {"/v1/parties/kz/as-of", "as_of.position=2"},
      {"/v1/parties/kz/agreements-on", "date=2020-01-01"},
      {"/v1/parties/kz/completeness-proof", ""},
      {"/v1/sectors", ""},
      {"/v1/sectors/energy/summary", "top_parties=1"},
      {"/v1/sectors/energy/as-of", "as_of.position=4"},
      {"/v1/sectors/energy/in-force", "date=2020-01-01"},
      {"/v1/sectors/energy/statistics", "period=month"},
      {"/v1/statistics", ""},
      {"/v1/parties/kz/statistics", ""},
      {"/v1/agreements", "query=agreement&order_by=title"},
      {"/v1/checkpoint", ""},
      {"/v1/proofs/inclusion", "position=3"},
      {"/v1/proofs/consistency", "first_size=2&second_size=6"},
      {"/v1/whoami", ""},
  };
  std::set<std::string> covered;
  for (const auto& [path, query] : cases) {
    SCOPED_TRACE(path + "?" + query);
    const std::optional<gateway::RouteMatch> match = gateway::MatchRoute(path);
    ASSERT_TRUE(match.has_value());
    covered.insert(match->route->pattern);
    const testing::HttpAnswer answer =
        HttpGet(http, query.empty() ? path : path + "?" + query);
    ASSERT_EQ(answer.status, 200) << answer.body;
    EXPECT_EQ(answer.headers.count("ETag"), 1u);
    std::vector<std::pair<std::string, std::string>> params;
    for (absl::string_view pair : absl::StrSplit(query, '&', absl::SkipEmpty())) {
      std::pair<std::string, std::string> kv = absl::StrSplit(pair, '=');
      params.push_back(kv);
    }
    grpc::Status status;
    auto expected = GrpcAnswer(*match, params, &status);
    ASSERT_TRUE(status.ok()) << status.error_message();
    auto parsed = gateway::NewMessage(*expected->GetDescriptor());
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(answer.body, parsed.get()).ok())
        << answer.body;
    // Page tokens are sealed with a fresh nonce each time: equal pages, other bytes.
    if (const auto* token =
            expected->GetDescriptor()->FindFieldByName("next_page_token")) {
      EXPECT_EQ(parsed->GetReflection()->HasField(*parsed, token),
                expected->GetReflection()->HasField(*expected, token));
      parsed->GetReflection()->ClearField(parsed.get(), token);
      expected->GetReflection()->ClearField(expected.get(), token);
    }
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*parsed, *expected))
        << "HTTP: " << parsed->ShortDebugString()
        << "\ngRPC: " << expected->ShortDebugString();
  }
  // The security status carries live counters: answered, not compared.
  EXPECT_EQ(HttpGet(http, "/v1/security/status").status, 200);
  covered.insert("/v1/security/status");
  covered.insert("/v1/agreements:lookup");  // ErrorsAreJsonWithGrpcCodes
  for (const gateway::Route& route : gateway::Routes()) {
    if (route.kind == gateway::RouteKind::kUnary) {
      EXPECT_EQ(covered.count(route.pattern), 1u) << route.pattern << " is not tested";
    }
  }
}

TEST_F(HttpApiTest, ErrorsAreJsonWithGrpcCodes) {
  httplib::Client http = Http();
  testing::HttpAnswer answer = HttpGet(http, "/v1/agreements/missing");
  EXPECT_EQ(answer.status, 404);
  EXPECT_NE(answer.body.find("\"status\":\"NOT_FOUND\",\"grpc_code\":5"),
            std::string::npos);
  EXPECT_NE(answer.body.find("missing"), std::string::npos);
  answer =
      HttpGet(http, "/v1/agreements:lookup?identifier.scheme=UNTS&identifier.value=1");
  EXPECT_EQ(answer.status, 404) << answer.body;
  answer = HttpGet(http, "/v1/agreements?status=valid");
  EXPECT_EQ(answer.status, 400);
  EXPECT_NE(answer.body.find("\"message\":\"status: \\\"valid\\\" is not one of:"),
            std::string::npos)
      << answer.body;
  answer = HttpGet(http, "/v1/agreements?page_size=-1");
  EXPECT_EQ(answer.status, 400);
  EXPECT_NE(answer.body.find("page_size"), std::string::npos) << answer.body;
  answer = HttpGet(http, "/v1/agreements/a-energy-1?agreement_id=a-telecom-1");
  EXPECT_EQ(answer.status, 400);
  EXPECT_NE(answer.body.find("agreement_id: given more than once"), std::string::npos);
  answer = HttpGet(http, "/v1/treaties");
  EXPECT_EQ(answer.status, 404);
  EXPECT_NE(answer.body.find("no resource at /v1/treaties"), std::string::npos);
  httplib::Result posted = http.Post("/v1/agreements", "{}", "application/json");
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 405);
  EXPECT_EQ(posted->get_header_value("Allow"), "GET, HEAD");
  EXPECT_NE(posted->body.find("\"code\":405"), std::string::npos) << posted->body;
  // GET /v1 lists every route.
  answer = HttpGet(http, "/v1");
  EXPECT_EQ(answer.status, 200);
  for (const gateway::Route& route : gateway::Routes()) {
    EXPECT_NE(answer.body.find("\"" + route.pattern + "\""), std::string::npos);
  }
}

TEST_F(HttpApiTest, PagingPositionsAndEtags) {
  httplib::Client http = Http();
  std::vector<std::string> ids;
  std::string token;
  for (int page = 0; page < 10; ++page) {
    const testing::HttpAnswer answer =
        HttpGet(http, "/v1/agreements?page_size=1" +
                          (token.empty() ? "" : "&page_token=" + token));
    ASSERT_EQ(answer.status, 200) << answer.body;
    v1::ListAgreementsResponse response;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(answer.body, &response).ok());
    ASSERT_EQ(response.agreements_size(), 1);
    ids.push_back(response.agreements(0).id());
    EXPECT_EQ(answer.headers.at("X-Agreements-Position"),
              absl::StrCat(response.position()));
    token = response.next_page_token();
    if (token.empty()) break;
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"a-energy-1", "a-energy-2", "a-energy-3",
                                           "a-telecom-1"}));
  // An unchanged answer is 304 for its ETag; a new write changes the ETag.
  const testing::HttpAnswer first = HttpGet(http, "/v1/sectors/energy/summary");
  const std::string etag = first.headers.at("ETag");
  httplib::Headers conditional = {{"If-None-Match", etag}};
  httplib::Result again = http.Get("/v1/sectors/energy/summary", conditional);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  const uint64_t position = Record("a-energy-4", "energy");
  const testing::HttpAnswer changed =
      HttpGet(http, absl::StrCat("/v1/sectors/energy/summary?min_position=", position));
  EXPECT_EQ(changed.status, 200);
  EXPECT_NE(changed.headers.at("ETag"), etag);
  EXPECT_NE(changed.body.find("\"agreement_count\":\"4\""), std::string::npos);
}

TEST_F(HttpApiTest, ExportsMatchTheGrpcListsAndFeed) {
  httplib::Client http = Http();
  auto queries = v1::QueryService::NewStub(channel_);
  v1::ListAgreementsRequest list;
  list.set_sector("energy");
  v1::ListAgreementsResponse listed;
  grpc::ClientContext context;
  ASSERT_TRUE(queries->ListAgreements(&context, list, &listed).ok());

  testing::HttpAnswer csv = HttpGet(http, "/v1/exports/agreements.csv?sector=energy");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.headers.at("Content-Type"), "text/csv; charset=utf-8; header=present");
  std::vector<std::vector<std::string>> rows = testing::ParseCsv(csv.body);
  ASSERT_EQ(rows.size(), 1u + listed.agreements_size());
  EXPECT_EQ(rows[0][0], "id");
  for (int i = 0; i < listed.agreements_size(); ++i) {
    EXPECT_EQ(rows[i + 1][0], listed.agreements(i).id());
    EXPECT_EQ(rows[i + 1][5], "draft");
  }
  testing::HttpAnswer jsonl = HttpGet(http, "/v1/exports/agreements.jsonl?sector=energy");
  ASSERT_EQ(jsonl.status, 200);
  std::vector<std::string> lines = absl::StrSplit(jsonl.body, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), static_cast<size_t>(listed.agreements_size()));
  for (size_t i = 0; i < lines.size(); ++i) {
    v1::Agreement agreement;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(lines[i], &agreement).ok());
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(agreement,
                                                                   listed.agreements(i)));
  }
  // One participation row per agreement and party.
  rows = testing::ParseCsv(
      HttpGet(http, "/v1/exports/participations.csv?sector=energy").body);
  ASSERT_EQ(rows.size(), 1u + 2 * listed.agreements_size());
  EXPECT_EQ(rows[1][0], "a-energy-1");
  EXPECT_EQ(rows[1][3], "kz");
  EXPECT_EQ(rows[2][3], "kr");
  // Every event up to the head, in order, each once.
  lines = absl::StrSplit(HttpGet(http, "/v1/exports/events.jsonl").body, '\n',
                         absl::SkipEmpty());
  ASSERT_EQ(lines.size(), static_cast<size_t>(listed.position()));
  for (size_t i = 0; i < lines.size(); ++i) {
    v1::Event event;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(lines[i], &event).ok());
    EXPECT_EQ(event.envelope().position(), i + 1);
  }
  rows = testing::ParseCsv(
      HttpGet(http, "/v1/exports/events.csv?filter.agreement_ids=a-energy-2").body);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][2], "agreement_recorded");
  EXPECT_EQ(rows[1][4], "a-energy-2");
  // An export's errors are answered before it starts.
  EXPECT_EQ(HttpGet(http, "/v1/exports/events.csv?from_now=true").status, 400);
  EXPECT_EQ(HttpGet(http, "/v1/exports/agreements.csv?page_size=-1").status, 400);
}

// A reader that drops its connection every few events and reconnects with
// Last-Event-ID sees every position once, in order, while a writer appends.
TEST_F(HttpApiTest, EventStreamResumesWithoutGapOrDuplicate) {
  constexpr int kWrites = 40;
  std::atomic<bool> writing{true};
  std::atomic<uint64_t> last_position{0};
  std::thread writer([&] {
    for (int i = 0; i < kWrites; ++i) {
      last_position = Record(absl::StrCat("w-", i), i % 2 == 0 ? "energy" : "transport");
      absl::SleepFor(absl::Milliseconds(20));
    }
    writing = false;
  });
  std::vector<uint64_t> seen;
  std::string last_id;
  for (int connection = 0; connection < 200; ++connection) {
    // Live and idle, a connection ends after 1 s without data.
    httplib::Client http = Http(1);
    httplib::Headers headers;
    if (!last_id.empty()) headers.emplace("Last-Event-ID", last_id);
    const std::vector<SseEvent> events =
        testing::ReadSse(http, "/v1/events?from_beginning=true", headers, 7);
    for (const SseEvent& event : events) {
      if (!event.id.empty()) last_id = event.id;
      if (event.name != "event") continue;
      v1::Event parsed;
      ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(event.data, &parsed).ok());
      seen.push_back(parsed.envelope().position());
    }
    if (!writing && !seen.empty() && seen.back() >= last_position) break;
  }
  writer.join();
  ASSERT_FALSE(seen.empty());
  for (size_t i = 0; i < seen.size(); ++i) {
    ASSERT_EQ(seen[i], i + 1) << "gap or duplicate at index " << i;
  }
  EXPECT_GE(seen.back(), last_position);
}

// A sector's live view: the snapshot carries no id (a reconnect starts it again), the
// caught-up mark and later changes do; a new agreement arrives live.
TEST_F(HttpApiTest, SectorWatchSnapshotThenLiveChanges) {
  std::thread writer([&] {
    absl::SleepFor(absl::Milliseconds(300));
    Record("late-telecom", "telecom");
  });
  httplib::Client http = Http();
  const std::vector<SseEvent> events =
      testing::ReadSse(http, "/v1/sectors/telecom/watch", {}, 3);
  writer.join();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].name, "update");
  EXPECT_TRUE(events[0].id.empty());
  EXPECT_NE(events[0].data.find("\"id\":\"a-telecom-1\""), std::string::npos);
  EXPECT_EQ(events[1].name, "caught_up");
  EXPECT_FALSE(events[1].id.empty());
  EXPECT_EQ(events[2].name, "update");
  EXPECT_NE(events[2].data.find("\"id\":\"late-telecom\""), std::string::npos);
  uint64_t caught_up = 0, update = 0;
  ASSERT_TRUE(absl::SimpleAtoi(events[1].id, &caught_up));
  ASSERT_TRUE(absl::SimpleAtoi(events[2].id, &update));
  EXPECT_GT(update, caught_up);
  // A bad filter is an HTTP error, not a stream.
  EXPECT_EQ(HttpGet(http, "/v1/sectors/telecom/watch?statuses=valid").status, 400);
  EXPECT_EQ(HttpGet(http,
                    "/v1/events?checkpoint_every_events=0&from_position=0&"
                    "max_events_per_message=5000")
                .status,
            400);
}

}  // namespace
}  // namespace agreements
