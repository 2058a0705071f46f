// The server's logs and metrics, end to end: a real server on 127.0.0.1 (port 0) with a
// real RocksDB, real gRPC calls, the Prometheus endpoint scraped over HTTP(S) and
// checked by promtool, and the log records parsed as JSON.
#include <httplib.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agreements/v1/command_service.grpc.pb.h"
#include "agreements/v1/feed_service.grpc.pb.h"
#include "agreements/v1/query_service.grpc.pb.h"
#include "common/log.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "services/server.h"
#include "tests/test_certs.h"
#include "tests/test_support.h"

namespace agreements {
namespace {

namespace v1 = ::agreements::v1;
using testing::BindingAgreement;
using testing::StateParty;
using testing::TempDir;

// The value of the sample `name` (with its labels exactly as exposed), or -1.
double Sample(const std::string& text, const std::string& name) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, name + " ")) {
      double value = -1;
      if (absl::SimpleAtod(line.substr(name.size() + 1), &value)) return value;
    }
  }
  return -1;
}

std::pair<int, std::string> Promtool(const std::string& text, const std::string& dir) {
  const std::string path = dir + "/scrape.txt";
  std::ofstream(path) << text;
  const testing::CommandResult run =
      testing::RunCommand("promtool check metrics < " + path);
  return {run.exit_code, run.output};
}

// A certificate for 127.0.0.1, its key and its CA, written into `dir`.
struct LoopbackTls {
  std::string cert_file, key_file, ca_file;
};
absl::StatusOr<LoopbackTls> WriteLoopbackTls(const std::string& dir) {
  auto ca = testing::MakeCa("observability test CA");
  if (!ca.ok()) return ca.status();
  testing::LeafOptions leaf;
  leaf.common_name = "localhost";
  leaf.sans = {"IP:127.0.0.1"};
  auto cert = testing::MakeLeaf(*ca, leaf);
  if (!cert.ok()) return cert.status();
  LoopbackTls tls{dir + "/server.pem", dir + "/server.key", dir + "/ca.pem"};
  if (absl::Status s = testing::WritePem(tls.cert_file, cert->cert_pem); !s.ok())
    return s;
  if (absl::Status s = testing::WritePem(tls.key_file, cert->key_pem); !s.ok()) return s;
  if (absl::Status s = testing::WritePem(tls.ca_file, ca->cert_pem); !s.ok()) return s;
  return tls;
}

class ObservabilityTest : public ::testing::Test {
 protected:
  void TearDown() override {
    server_.reset();
    logging::RedirectForTest(nullptr);
    logging::Configure(logging::Format::kJson, logging::Level::kInfo);
  }

  void Start(services::ServerOptions options) {
    options.listen = "127.0.0.1:0";
    options.data_dir = dir_.path() + "/data";
    if (options.metrics_listen.empty()) options.metrics_listen = "127.0.0.1:0";
    auto server = services::RegistryServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
  }

  std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return context;
  }

  // GET /metrics over plain HTTP; the status and the body.
  std::pair<int, std::string> Scrape(const std::string& token = "") {
    httplib::Client client("127.0.0.1", server_->metrics_port());
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(5, 0);
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    auto result = client.Get("/metrics", headers);
    if (!result) return {-1, httplib::to_string(result.error())};
    return {result->status, result->body};
  }

  void RecordOne(const std::string& request_id, const std::string& id) {
    auto commands = v1::CommandService::NewStub(channel_);
    v1::RegisterPartyResponse party;
    ASSERT_TRUE(commands
                    ->RegisterParty(Context().get(),
                                    StateParty("p-" + request_id + "-kz", "kz", "KZ"),
                                    &party)
                    .ok());
    ASSERT_TRUE(commands
                    ->RegisterParty(Context().get(),
                                    StateParty("p-" + request_id + "-kr", "kr", "KR"),
                                    &party)
                    .ok());
    v1::RecordAgreementResponse recorded;
    ASSERT_TRUE(
        commands
            ->RecordAgreement(Context().get(),
                              BindingAgreement(request_id, id, {"kz", "kr"}, "energy"),
                              &recorded)
            .ok());
  }

  TempDir dir_;
  std::unique_ptr<services::RegistryServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(ObservabilityTest, MetricsMoveWithRealRequestsAndPassPromtool) {
  Start(services::ServerOptions());
  const auto [status_before, before] = Scrape();
  ASSERT_EQ(status_before, 200) << before;
  const std::string record_ok =
      "agreements_requests_total{method=\"/agreements.v1.CommandService/"
      "RecordAgreement\",code=\"OK\"}";
  const std::string get_not_found =
      "agreements_requests_total{method=\"/agreements.v1.QueryService/"
      "GetAgreement\",code=\"NOT_FOUND\"}";
  EXPECT_EQ(Sample(before, record_ok), -1);
  EXPECT_EQ(Sample(before, "agreements_serving"), 1);

  RecordOne("r-1", "ag-1");
  v1::GetAgreementRequest get;
  get.set_agreement_id("no-such-agreement");
  v1::GetAgreementResponse got;
  EXPECT_EQ(v1::QueryService::NewStub(channel_)
                ->GetAgreement(Context().get(), get, &got)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);

  const auto [status, after] = Scrape();
  ASSERT_EQ(status, 200) << after;
  EXPECT_EQ(Sample(after, record_ok), 1) << after;
  EXPECT_EQ(Sample(after, get_not_found), 1) << after;
  EXPECT_EQ(Sample(after,
                   "agreements_request_duration_seconds_count{method=\"/"
                   "agreements.v1.CommandService/RecordAgreement\"}"),
            1);
  // Two parties and one agreement: three events in at least one durable group.
  EXPECT_EQ(Sample(after, "agreements_log_head_position"), 3);
  EXPECT_GE(Sample(after, "agreements_commit_group_events_count"), 1);
  EXPECT_EQ(Sample(after, "agreements_commit_group_events_sum"), 3);
  EXPECT_GE(Sample(after, "agreements_commit_duration_seconds_count"), 1);
  EXPECT_GT(Sample(after, "agreements_rocksdb_block_cache_capacity_bytes"), 0);
  EXPECT_GT(Sample(after, "agreements_data_dir_free_bytes"), 0);
  EXPECT_GT(Sample(after, "process_resident_memory_bytes"), 0);
  EXPECT_NE(after.find("agreements_build_info{version=\""), std::string::npos);
  const auto [code, output] = Promtool(after, dir_.path());
  EXPECT_EQ(code, 0) << output << "\n" << after;
}

TEST_F(ObservabilityTest, FeedSubscribersAreCounted) {
  Start(services::ServerOptions());
  RecordOne("r-1", "ag-1");
  auto feeds = v1::FeedService::NewStub(channel_);
  auto context = Context();
  v1::SubscribeRequest request;
  request.set_from_beginning(true);
  auto reader = feeds->Subscribe(context.get(), request);
  v1::SubscribeResponse message;
  // Read until the stream is live, so it is registered and past the head.
  bool live = false;
  for (int i = 0; i < 20 && !live && reader->Read(&message); ++i) {
    live = message.has_caught_up();
  }
  ASSERT_TRUE(live);
  EXPECT_EQ(Sample(Scrape().second, "agreements_feed_subscribers"), 1);
  context->TryCancel();
  reader->Finish();
  // The stream leaves the dispatcher once gRPC is done with it (bounded wait).
  double open = 1;
  for (int i = 0; i < 100 && open != 0; ++i) {
    absl::SleepFor(absl::Milliseconds(20));
    open = Sample(Scrape().second, "agreements_feed_subscribers");
  }
  EXPECT_EQ(open, 0);
}

TEST_F(ObservabilityTest, TokenIsRequiredWhenSet) {
  services::ServerOptions options;
  options.metrics_token = "scrape-secret";
  Start(options);
  EXPECT_EQ(Scrape().first, 401);
  EXPECT_EQ(Scrape("wrong").first, 401);
  const auto [status, body] = Scrape("scrape-secret");
  EXPECT_EQ(status, 200);
  EXPECT_NE(body.find("agreements_serving 1"), std::string::npos);
}

TEST_F(ObservabilityTest, NonLoopbackMetricsNeedTlsAndToken) {
  services::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir_.path() + "/data";
  options.metrics_listen = "0.0.0.0:0";
  auto server = services::RegistryServer::Start(options);
  ASSERT_FALSE(server.ok());
  EXPECT_TRUE(absl::StrContains(server.status().message(), "metrics_listen"))
      << server.status();
}

TEST_F(ObservabilityTest, MetricsOverTlsWithTheServersCertificate) {
  auto tls = WriteLoopbackTls(dir_.path());
  ASSERT_TRUE(tls.ok()) << tls.status();
  services::ServerOptions options;
  options.security.tls_cert_file = tls->cert_file;
  options.security.tls_key_file = tls->key_file;
  const std::string ca_path = tls->ca_file;
  options.metrics_token = "tls-secret";
  options.listen = "127.0.0.1:0";
  options.data_dir = dir_.path() + "/data";
  options.metrics_listen = "127.0.0.1:0";
  auto server = services::RegistryServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  server_ = *std::move(server);

  httplib::SSLClient client("127.0.0.1", server_->metrics_port());
  client.set_ca_cert_path(ca_path.c_str());
  client.enable_server_certificate_verification(true);
  client.set_connection_timeout(5, 0);
  auto result = client.Get("/metrics", {{"Authorization", "Bearer tls-secret"}});
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_EQ(result->status, 200);
  EXPECT_NE(result->body.find("agreements_serving 1"), std::string::npos);
  // Plain HTTP on the TLS port gets no metrics.
  httplib::Client plain("127.0.0.1", server_->metrics_port());
  plain.set_connection_timeout(2, 0);
  plain.set_read_timeout(2, 0);
  auto refused = plain.Get("/metrics", {{"Authorization", "Bearer tls-secret"}});
  EXPECT_TRUE(!refused || refused->status != 200);
}

// Log records as JSON objects, parsed by protobuf's own JSON parser.
std::vector<google::protobuf::Struct> Records(const std::string& text) {
  std::vector<google::protobuf::Struct> records;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    google::protobuf::Struct record;
    EXPECT_TRUE(
        google::protobuf::util::JsonStringToMessage(std::string(line), &record).ok())
        << line;
    records.push_back(record);
  }
  return records;
}

const google::protobuf::Struct* Find(const std::vector<google::protobuf::Struct>& records,
                                     const std::string& msg, const std::string& method) {
  for (const auto& record : records) {
    const auto& f = record.fields();
    if (f.count("msg") && f.at("msg").string_value() == msg &&
        (method.empty() ||
         (f.count("method") && f.at("method").string_value() == method))) {
      return &record;
    }
  }
  return nullptr;
}

TEST_F(ObservabilityTest, FailedSlowAndStreamingCallsAreLogged) {
  std::ostringstream log;
  logging::RedirectForTest(&log);
  logging::Configure(logging::Format::kJson, logging::Level::kDebug);
  services::ServerOptions options;
  options.calls.slow_call = absl::Nanoseconds(1);  // every unary call is slow
  Start(options);
  RecordOne("r-1", "ag-1");
  // The same request id with different content: refused, and logged with its id.
  v1::RecordAgreementResponse response;
  const grpc::Status refused = v1::CommandService::NewStub(channel_)->RecordAgreement(
      Context().get(), BindingAgreement("r-1", "ag-other", {"kz", "kr"}, "energy"),
      &response);
  ASSERT_FALSE(refused.ok());
  {
    auto context = Context();
    v1::SubscribeRequest request;
    request.set_from_beginning(true);
    auto reader = v1::FeedService::NewStub(channel_)->Subscribe(context.get(), request);
    v1::SubscribeResponse message;
    ASSERT_TRUE(reader->Read(&message));
    context->TryCancel();
    reader->Finish();
  }
  server_->Shutdown();
  const std::vector<google::protobuf::Struct> records = Records(log.str());

  const auto* failed =
      Find(records, "request failed", "/agreements.v1.CommandService/RecordAgreement");
  ASSERT_NE(failed, nullptr) << log.str();
  const auto& f = failed->fields();
  EXPECT_EQ(f.at("request_id").string_value(), "r-1");
  EXPECT_EQ(f.at("principal").string_value(), "anonymous");
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(f.at("code").string_value(), "INVALID_ARGUMENT");
  EXPECT_TRUE(absl::StrContains(f.at("message").string_value(), "already used"));
  EXPECT_GE(f.at("latency_ms").number_value(), 0);
  EXPECT_EQ(f.at("level").string_value(), "warning");  // slow as well as failed

  const auto* slow =
      Find(records, "slow request", "/agreements.v1.CommandService/RegisterParty");
  ASSERT_NE(slow, nullptr) << log.str();
  EXPECT_EQ(slow->fields().at("code").string_value(), "OK");

  EXPECT_NE(Find(records, "stream opened", "/agreements.v1.FeedService/Subscribe"),
            nullptr)
      << log.str();
  const auto* ended =
      Find(records, "stream ended", "/agreements.v1.FeedService/Subscribe");
  ASSERT_NE(ended, nullptr) << log.str();
  EXPECT_EQ(ended->fields().at("level").string_value(), "debug");

  EXPECT_NE(Find(records, "shutting down: store closed", ""), nullptr) << log.str();
}

// Every agreements_* metric that deploy/ (alert rules, dashboard) names is one the
// server exposes.
TEST_F(ObservabilityTest, DeployFilesNameOnlyExposedMetrics) {
  Start(services::ServerOptions());
  RecordOne("r-1", "ag-1");
  const std::string exposed = Scrape().second;
  for (const char* file :
       {"deploy/prometheus/alerts.yml", "deploy/grafana/agreements-dashboard.json"}) {
    std::ifstream in(std::string(AGREEMENTS_SOURCE_DIR) + "/" + file);
    ASSERT_TRUE(in) << file;
    std::stringstream text;
    text << in.rdbuf();
    const std::string content = text.str();
    const std::regex name("agreements_[a-z_]+");
    int names = 0;
    for (auto it = std::sregex_iterator(content.begin(), content.end(), name);
         it != std::sregex_iterator(); ++it) {
      std::string metric = it->str();
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        if (absl::EndsWith(metric, suffix) &&
            exposed.find("# TYPE " + metric + " ") == std::string::npos) {
          metric = metric.substr(0, metric.size() - strlen(suffix));
        }
      }
      if (metric == "agreements_dashboard") continue;  // the file's own name
      ++names;
      EXPECT_NE(exposed.find("# TYPE " + metric + " "), std::string::npos)
          << file << " names " << metric;
    }
    EXPECT_GT(names, 5) << file;
  }
}

std::pair<int, std::string> Shell(const std::string& command) {
  const testing::CommandResult run = testing::RunCommand(command);
  return {run.exit_code, run.output};
}

TEST(ServerBinaryTest, AnswersVersionAndHelpWithDefaults) {
  const auto [version_code, version] =
      Shell(absl::StrCat(AGREEMENTS_SERVER_BIN, " --version"));
  EXPECT_EQ(version_code, 0);
  EXPECT_TRUE(absl::StartsWith(version, "agreements-server ")) << version;
  for (const char* library : {"gRPC ", "Protocol Buffers ", "RocksDB ", "abseil "}) {
    EXPECT_TRUE(absl::StrContains(version, library)) << version;
  }
  const auto [help_code, help] = Shell(absl::StrCat(AGREEMENTS_SERVER_BIN, " --help"));
  EXPECT_EQ(help_code, 1);  // abseil's --help exits 1 after printing
  for (const char* flag : {"--block_cache_mb", "--shutdown_grace", "--feed_window_events",
                           "--max_group_requests", "--metrics_listen", "--log_level"}) {
    EXPECT_TRUE(absl::StrContains(help, flag)) << flag << " in\n" << help;
  }
  EXPECT_TRUE(absl::StrContains(help, "default: 128;")) << help;
  EXPECT_FALSE(absl::StrContains(help, "No flags matched")) << help;
}

TEST(ServerBinaryTest, TunablesReachTheServer) {
  TempDir dir;
  testing::ServerProcess server(AGREEMENTS_SERVER_BIN, dir.path() + "/data",
                                {"--block_cache_mb=32", "--log_level=warning"});
  ASSERT_TRUE(server.Start());
  ASSERT_GT(server.metrics_port(), 0);
  httplib::Client client("127.0.0.1", server.metrics_port());
  client.set_connection_timeout(5, 0);
  auto result = client.Get("/metrics");
  ASSERT_TRUE(result);
  EXPECT_EQ(Sample(result->body, "agreements_rocksdb_block_cache_capacity_bytes"),
            32 << 20);
  EXPECT_EQ(server.Stop(), 0);
  const auto [code, output] = Shell(absl::StrCat(
      AGREEMENTS_SERVER_BIN,
      " --listen=127.0.0.1:0 --metrics_listen= --http_listen= --data_dir=", dir.path(),
      "/data2 --max_group_requests=0"));
  EXPECT_EQ(code, 1);
  EXPECT_TRUE(absl::StrContains(output, "--max_group_requests: must be 1 or more"))
      << output;
}

// Every line the server writes on stderr is a JSON record, gRPC's own complaints (a
// plaintext client on a TLS port) included.
TEST(ServerBinaryTest, StderrIsOnlyJsonRecordsGrpcsLinesIncluded) {
  TempDir dir;
  auto tls = WriteLoopbackTls(dir.path());
  ASSERT_TRUE(tls.ok()) << tls.status();
  const std::string cert_file = tls->cert_file;
  const std::string key_file = tls->key_file;
  const std::string err = dir.path() + "/stderr";
  const std::string out = dir.path() + "/stdout";
  const std::string command = absl::StrCat(
      AGREEMENTS_SERVER_BIN,
      " --listen=127.0.0.1:0 --metrics_listen= --http_listen= --data_dir=", dir.path(),
      "/data --tls_cert=", cert_file, " --tls_key=", key_file, " >", out, " 2>", err,
      " & echo $!");
  const int pid = std::atoi(testing::RunCommand(command).output.c_str());
  ASSERT_GT(pid, 0);
  int port = 0;
  for (int i = 0; i < 200 && port == 0; ++i) {
    std::ifstream in(out);
    std::string line;
    while (std::getline(in, line)) {
      const std::string marker = "listening on 127.0.0.1:";
      if (auto at = line.find(marker); at != std::string::npos) {
        port = std::atoi(line.c_str() + at + marker.size());
      }
    }
    if (port == 0) absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_GT(port, 0);
  // A plaintext client on the TLS port: gRPC logs the failed handshake.
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                     grpc::InsecureChannelCredentials());
  channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(1));
  absl::SleepFor(absl::Milliseconds(300));
  kill(pid, SIGTERM);
  for (int i = 0; i < 200 && kill(pid, 0) == 0; ++i)
    absl::SleepFor(absl::Milliseconds(50));
  std::ifstream in(err);
  std::stringstream text;
  text << in.rdbuf();
  const std::vector<google::protobuf::Struct> records = Records(text.str());
  EXPECT_NE(Find(records, "grpc", ""), nullptr) << text.str();
  EXPECT_NE(Find(records, "stopped cleanly", ""), nullptr) << text.str();
}

}  // namespace
}  // namespace agreements
