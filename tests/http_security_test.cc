// The HTTP API over HTTPS with tokens and a policy (docs/http.md, docs/security.md): a
// reader never sees a confidential instrument through any route (JSON, exports, event
// streams), callers authenticate with the Authorization header or access_token, and the
// per-peer limits apply to the HTTP client's own address.
#include <httplib.h>

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "agreements/v1/command_service.grpc.pb.h"
#include "agreements/v1/query_service.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "security/policy.h"
#include "services/server.h"
#include "tests/http_test_util.h"
#include "tests/test_certs.h"
#include "tests/test_support.h"

namespace agreements {
namespace {

namespace v1 = ::agreements::v1;
using testing::HttpAnswer;
using testing::HttpGet;

constexpr char kAdmin[] = "tok-admin-http-31a9";
constexpr char kReader[] = "tok-reader-http-77c2";

class HttpSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = testing::MakeCa("HTTP Test CA");
    ASSERT_TRUE(ca.ok());
    testing::LeafOptions leaf;
    leaf.common_name = "registry";
    leaf.sans = {"DNS:localhost", "IP:127.0.0.1"};
    leaf.usage = testing::CertUsage::kServer;
    auto cert = testing::MakeLeaf(*ca, leaf);
    ASSERT_TRUE(cert.ok());
    ca_file_ = Write("ca.pem", ca->cert_pem);
    services::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = dir_.path() + "/data";
    options.http.listen = "127.0.0.1:0";
    options.security.tls_cert_file = Write("server.pem", cert->cert_pem);
    options.security.tls_key_file = Write("server.key", cert->key_pem);
    options.security.tokens_file = Write(
        "tokens", absl::StrCat("sha256:", security::TokenDigest(kAdmin),
                               " admin admin\nsha256:", security::TokenDigest(kReader),
                               " reader\n"));
    options.security.policy_file = Write("policy", "reader reader\n");
    options.security.limits.peers.failures = 3;
    options.security.limits.peers.slowdown = absl::Seconds(30);
    auto server = services::RegistryServer::Start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ca->cert_pem;
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::SslCredentials(ssl));
    commands_ = v1::CommandService::NewStub(channel_);
    for (const auto& [id, country] : {std::pair{"kz", "KZ"}, {"kr", "KR"}}) {
      v1::RegisterPartyResponse party;
      ASSERT_TRUE(
          commands_
              ->RegisterParty(Admin().get(),
                              testing::StateParty(absl::StrCat("p-", id), id, country),
                              &party)
              .ok());
    }
    Record("pub-energy", "energy", v1::CONFIDENTIALITY_PUBLIC);
    Record("conf-energy", "energy", v1::CONFIDENTIALITY_CONFIDENTIAL);
  }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_.path() + "/" + name;
    EXPECT_TRUE(testing::WritePem(path, text).ok());
    return path;
  }

  std::unique_ptr<grpc::ClientContext> Admin() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", absl::StrCat("Bearer ", kAdmin));
    return context;
  }

  void Record(const std::string& id, const std::string& sector,
              v1::Confidentiality level) {
    v1::RecordAgreementRequest request =
        testing::BindingAgreement("r-" + id, id, {"kz", "kr"}, sector);
    request.mutable_agreement()->set_confidentiality(level);
    v1::RecordAgreementResponse response;
    ASSERT_TRUE(commands_->RecordAgreement(Admin().get(), request, &response).ok());
  }

  std::unique_ptr<httplib::Client> Https(const std::string& token = "") const {
    auto client = std::make_unique<httplib::Client>(
        absl::StrCat("https://127.0.0.1:", server_->http_port()));
    client->set_ca_cert_path(ca_file_.c_str());
    client->enable_server_certificate_verification(true);
    client->set_read_timeout(5, 0);
    if (!token.empty()) client->set_bearer_token_auth(token.c_str());
    return client;
  }

  testing::TempDir dir_;
  std::string ca_file_;
  std::unique_ptr<services::RegistryServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CommandService::Stub> commands_;
};

TEST_F(HttpSecurityTest, ReaderNeverSeesAConfidentialInstrument) {
  auto admin = Https(kAdmin);
  auto reader = Https(kReader);
  // Both see the public one; only the admin the confidential one, in every shape.
  EXPECT_NE(HttpGet(*admin, "/v1/agreements?sector=energy").body.find("conf-energy"),
            std::string::npos);
  const HttpAnswer listed = HttpGet(*reader, "/v1/agreements?sector=energy");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_NE(listed.body.find("pub-energy"), std::string::npos);
  EXPECT_EQ(listed.body.find("conf-energy"), std::string::npos);
  // Hidden answers exactly like missing.
  const HttpAnswer hidden = HttpGet(*reader, "/v1/agreements/conf-energy");
  const HttpAnswer missing = HttpGet(*reader, "/v1/agreements/conf-energyX");
  EXPECT_EQ(hidden.status, 404);
  EXPECT_EQ(missing.status, 404);
  // The same answer but for the id asked (in the message and the details' metadata).
  EXPECT_EQ(hidden.body,
            absl::StrReplaceAll(missing.body, {{"conf-energyX", "conf-energy"}}));
  EXPECT_EQ(HttpGet(*admin, "/v1/agreements/conf-energy").status, 200);
  EXPECT_NE(HttpGet(*reader, "/v1/sectors/energy/summary")
                .body.find("\"agreement_count\":\"1\""),
            std::string::npos);
  EXPECT_NE(HttpGet(*admin, "/v1/sectors/energy/summary")
                .body.find("\"agreement_count\":\"2\""),
            std::string::npos);
  for (const char* path :
       {"/v1/exports/agreements.csv", "/v1/exports/participations.jsonl",
        "/v1/exports/events.jsonl", "/v1/exports/events.csv"}) {
    SCOPED_TRACE(path);
    const HttpAnswer exported = HttpGet(*reader, path);
    ASSERT_EQ(exported.status, 200) << exported.body;
    EXPECT_NE(exported.body.find("pub-energy"), std::string::npos);
    EXPECT_EQ(exported.body.find("conf-energy"), std::string::npos);
    EXPECT_NE(HttpGet(*admin, path).body.find("conf-energy"), std::string::npos);
  }
  // The feed as events, with the token in the query (EventSource sends no headers).
  auto anonymous = Https();
  anonymous->set_read_timeout(1, 0);  // live and idle after the catch-up
  const std::vector<testing::SseEvent> events = testing::ReadSse(
      *anonymous, absl::StrCat("/v1/events?from_beginning=true&access_token=", kReader),
      {}, 100);
  ASSERT_FALSE(events.empty());
  bool caught_up = false;
  for (const testing::SseEvent& event : events) {
    EXPECT_EQ(event.data.find("conf-energy"), std::string::npos);
    caught_up = caught_up || event.name == "caught_up";
    if (caught_up) break;
  }
  EXPECT_TRUE(caught_up);
}

TEST_F(HttpSecurityTest, CallersMustAuthenticate) {
  auto anonymous = Https();
  HttpAnswer answer = HttpGet(*anonymous, "/v1/sectors");
  EXPECT_EQ(answer.status, 401);
  EXPECT_EQ(answer.headers["WWW-Authenticate"], "Bearer");
  EXPECT_NE(answer.body.find("\"status\":\"UNAUTHENTICATED\""), std::string::npos);
  EXPECT_EQ(
      HttpGet(*anonymous, absl::StrCat("/v1/sectors?access_token=", kReader)).status,
      200);
  // A reader may not call what needs more (the security status is for admins).
  answer = HttpGet(*Https(kReader), "/v1/security/status");
  EXPECT_EQ(answer.status, 403);
  EXPECT_NE(answer.body.find("PERMISSION_DENIED"), std::string::npos);
  // Plain HTTP gets no answer from the TLS listener.
  httplib::Client plain("127.0.0.1", server_->http_port());
  plain.set_read_timeout(2, 0);
  EXPECT_FALSE(plain.Get("/v1/sectors"));
}

// Failed tokens over HTTP count against the HTTP client's address (127.0.0.1), not
// against the gateway: after three, a gRPC caller from the same address is slowed down
// too, and the HTTP answer says when to retry.
TEST_F(HttpSecurityTest, FailedTokensCountAgainstTheHttpClientAddress) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(HttpGet(*Https(absl::StrCat("wrong-", i)), "/v1/sectors").status, 401);
  }
  const HttpAnswer slowed = HttpGet(*Https("wrong-3"), "/v1/sectors");
  EXPECT_EQ(slowed.status, 429) << slowed.body;
  EXPECT_NE(slowed.body.find("too many unknown bearer tokens from 127.0.0.1"),
            std::string::npos)
      << slowed.body;
  EXPECT_EQ(slowed.headers.count("Retry-After"), 1u);
  auto queries = v1::QueryService::NewStub(channel_);
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer wrong-grpc");
  // A network client cannot pose as the gateway to name another address.
  context.AddMetadata("agreements-http-peer", "ipv4:10.9.9.9:4000");
  context.AddMetadata("agreements-gateway-key", std::string(32, '0'));
  v1::ListSectorsResponse sectors;
  const grpc::Status status =
      queries->ListSectors(&context, v1::ListSectorsRequest(), &sectors);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << status.error_message();
  EXPECT_NE(status.error_message().find("from 127.0.0.1"), std::string::npos);
}

}  // namespace
}  // namespace agreements
