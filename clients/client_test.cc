// Tests of the client's connection options (TLS files, bearer token, environment
// variables) and of what the client sends: against in-process servers that record each
// call's metadata, plaintext and TLS (mutual, with certificates generated at test time by
// tests/test_certs.h).
#include "clients/client.h"

#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/scoped_env.h"
#include "common/status_macros.h"
#include "common/temp_dir.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/server_context.h"
#include "gtest/gtest.h"
#include "tests/test_certs.h"

namespace agreements::client {
namespace {

using ::agreements::testing::ScopedEnv;

// A test-only PKI, generated once per process (EC P-256, valid for a day) and trusted
// nowhere else: a CA, a server certificate for the DNS name "registry.test" only (not
// 127.0.0.1, so connecting by address fails without the name override), and a client
// certificate with CN "alice" and the SAN the server takes the principal from.
constexpr char kServerName[] = "registry.test";
constexpr char kClientCommonName[] = "alice";
constexpr char kClientSan[] = "spiffe://registry/alice";

struct TestPki {
  testing::CertAndKey ca;
  testing::CertAndKey server;
  testing::CertAndKey client;
};

absl::StatusOr<TestPki> MakePki() {
  TestPki pki;
  ASSIGN_OR_RETURN(pki.ca, testing::MakeCa("agreements client_test CA"));
  testing::LeafOptions server;
  server.common_name = kServerName;
  server.sans = {absl::StrCat("DNS:", kServerName)};
  server.usage = testing::CertUsage::kServer;
  ASSIGN_OR_RETURN(pki.server, testing::MakeLeaf(pki.ca, server));
  testing::LeafOptions client;
  client.common_name = kClientCommonName;
  client.sans = {absl::StrCat("URI:", kClientSan)};
  client.usage = testing::CertUsage::kClient;
  ASSIGN_OR_RETURN(pki.client, testing::MakeLeaf(pki.ca, client));
  return pki;
}

// The process's PKI; an error if generating it failed. Thread-safe.
const absl::StatusOr<TestPki>& Pki() {
  static const auto* const pki = new absl::StatusOr<TestPki>(MakePki());
  return *pki;
}

std::string WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

// What a fake service saw of one call.
struct CallRecord {
  std::string method;
  std::vector<std::string> authorization;  // every "authorization" value
  bool has_actor = false;                  // an "x-actor" header was present
  std::string peer_common_name;            // the client certificate's CN, if any
  std::string peer_san;                    // its first subjectAltName, if any
};

// The calls the fake services saw, in order. Thread-safe.
class CallLog {
 public:
  void Record(const std::string& method, const grpc::ServerContext& context) {
    CallRecord record;
    record.method = method;
    for (const auto& [key, value] : context.client_metadata()) {
      const std::string name(key.data(), key.size());
      if (name == kAuthorizationHeader)
        record.authorization.emplace_back(value.data(), value.size());
      if (name == "x-actor") record.has_actor = true;
    }
    for (const grpc::string_ref& cn :
         context.auth_context()->FindPropertyValues("x509_common_name")) {
      record.peer_common_name.assign(cn.data(), cn.size());
    }
    const std::vector<grpc::string_ref> sans =
        context.auth_context()->FindPropertyValues(GRPC_X509_SAN_PROPERTY_NAME);
    if (!sans.empty()) record.peer_san.assign(sans[0].data(), sans[0].size());
    absl::MutexLock lock(&mu_);
    calls_.push_back(std::move(record));
  }
  std::vector<CallRecord> calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  absl::Mutex mu_;
  std::vector<CallRecord> calls_ ABSL_GUARDED_BY(mu_);
};

class FakeSecurityService final : public v1::SecurityService::Service {
 public:
  explicit FakeSecurityService(CallLog* log) : log_(log) {}
  grpc::Status WhoAmI(grpc::ServerContext* context, const v1::WhoAmIRequest*,
                      v1::WhoAmIResponse* response) override {
    log_->Record("WhoAmI", *context);
    response->set_principal("tester");
    return grpc::Status::OK;
  }
  grpc::Status GetSecurityStatus(grpc::ServerContext* context,
                                 const v1::GetSecurityStatusRequest*,
                                 v1::GetSecurityStatusResponse* response) override {
    log_->Record("GetSecurityStatus", *context);
    response->set_tls(true);
    return grpc::Status::OK;
  }

 private:
  CallLog* const log_;
};

class FakeFeedService final : public v1::FeedService::Service {
 public:
  explicit FakeFeedService(CallLog* log) : log_(log) {}
  grpc::Status Subscribe(grpc::ServerContext* context, const v1::SubscribeRequest*,
                         grpc::ServerWriter<v1::SubscribeResponse>* writer) override {
    log_->Record("Subscribe", *context);
    v1::SubscribeResponse caught_up;
    caught_up.mutable_caught_up()->set_position(1);
    writer->Write(caught_up);
    return grpc::Status::OK;
  }

 private:
  CallLog* const log_;
};

// Answers each streamed request at once, in order, except one with the request id "hang",
// after which it answers nothing until the call is cancelled.
class FakeCommandService final : public v1::CommandService::Service {
 public:
  explicit FakeCommandService(CallLog* log) : log_(log) {}
  grpc::Status ExecuteBatchStream(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::ExecuteBatchStreamResponse,
                               v1::ExecuteBatchStreamRequest>* stream) override {
    log_->Record("ExecuteBatchStream", *context);
    v1::ExecuteBatchStreamRequest request;
    for (int64_t index = 0; stream->Read(&request); ++index) {
      const std::string& request_id = request.batch().context().request_id();
      if (request_id == "hang") {
        while (!context->IsCancelled()) absl::SleepFor(absl::Milliseconds(10));
        return grpc::Status::CANCELLED;
      }
      v1::ExecuteBatchStreamResponse answer;
      answer.set_index(index);
      answer.set_request_id(request_id);
      answer.mutable_response()->mutable_result()->set_first_position(index + 1);
      if (!stream->Write(answer)) break;
    }
    return grpc::Status::OK;
  }

 private:
  CallLog* const log_;
};

// An in-process server on 127.0.0.1 with the fake services. Used from the test thread.
class FakeServer {
 public:
  explicit FakeServer(std::shared_ptr<grpc::ServerCredentials> credentials)
      : security_(&log_), feeds_(&log_), commands_(&log_) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", std::move(credentials), &port_);
    builder.RegisterService(&security_);
    builder.RegisterService(&feeds_);
    builder.RegisterService(&commands_);
    server_ = builder.BuildAndStart();
  }
  ~FakeServer() {
    if (server_ != nullptr) server_->Shutdown(absl::ToChronoTime(absl::Now()));
  }
  bool started() const { return server_ != nullptr && port_ > 0; }
  std::string target() const { return absl::StrCat("127.0.0.1:", port_); }
  std::vector<CallRecord> calls() { return log_.calls(); }

 private:
  CallLog log_;
  FakeSecurityService security_;
  FakeFeedService feeds_;
  FakeCommandService commands_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

// The CA and client PEM files in a fresh directory, and options with a short call
// timeout.
class ClientOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Pki().ok()) << Pki().status();
    ca_ = dir_.path() + "/ca.pem";
    cert_ = dir_.path() + "/client.pem";
    key_ = dir_.path() + "/client.key";
    for (const auto& [path, pem] :
         {std::pair{ca_, Pki()->ca.cert_pem}, std::pair{cert_, Pki()->client.cert_pem},
          std::pair{key_, Pki()->client.key_pem}}) {
      const absl::Status written = testing::WritePem(path, pem);
      ASSERT_TRUE(written.ok()) << written;
    }
    options_.call_timeout = absl::Seconds(5);
  }

  testing::TempDir dir_;
  std::string ca_;
  std::string cert_;
  std::string key_;
  RegistryClientOptions options_;
};

TEST_F(ClientOptionsTest, ACertificateNeedsItsKeyAndTheKeyItsCertificate) {
  options_.tls_cert_file = cert_;
  absl::StatusOr<std::unique_ptr<RegistryClient>> client =
      RegistryClient::Connect(options_);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(client.status().message(), "tls_key_file:"))
      << client.status();

  options_.tls_cert_file.clear();
  options_.tls_key_file = key_;
  client = RegistryClient::Connect(options_);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(client.status().message(), "tls_cert_file:"))
      << client.status();
}

TEST_F(ClientOptionsTest, AMissingFileIsNamedWithItsOption) {
  const std::string missing = dir_.path() + "/no-such-ca.pem";
  options_.tls_ca_file = missing;
  absl::StatusOr<std::unique_ptr<RegistryClient>> client =
      RegistryClient::Connect(options_);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StartsWith(client.status().message(), "tls_ca_file:"))
      << client.status();
  EXPECT_TRUE(absl::StrContains(client.status().message(), missing)) << client.status();

  options_.tls_ca_file = ca_;
  options_.tls_cert_file = cert_;
  options_.tls_key_file = dir_.path() + "/no-such.key";
  client = RegistryClient::Connect(options_);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StartsWith(client.status().message(), "tls_key_file:"))
      << client.status();
}

TEST_F(ClientOptionsTest, AFileWithoutPemIsRefused) {
  options_.tls_ca_file = WriteFile(dir_.path() + "/ca.txt", "not a certificate\n");
  absl::StatusOr<std::unique_ptr<RegistryClient>> client =
      RegistryClient::Connect(options_);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(client.status().message(), "tls_ca_file"))
      << client.status();
  EXPECT_TRUE(absl::StrContains(client.status().message(), "not a PEM file"))
      << client.status();
}

TEST_F(ClientOptionsTest, ATokenIsPrintableAsciiWithoutSpaces) {
  for (const std::string token :
       {"s3cret value", "s3cret\tvalue", "s3cret\n", "s3cr\xc3\xa9t", "s3cret\x7f"}) {
    options_.token = token;
    absl::StatusOr<std::unique_ptr<RegistryClient>> client =
        RegistryClient::Connect(options_);
    ASSERT_FALSE(client.ok()) << token;
    EXPECT_EQ(client.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StartsWith(client.status().message(), "token:")) << client.status();
    EXPECT_FALSE(absl::StrContains(client.status().message(), "s3cr"))
        << "the error quotes the token: " << client.status();
  }
}

TEST_F(ClientOptionsTest, ATokenIsAcceptedWithoutTls) {
  options_.token = "Abc-._~+/=123";
  absl::StatusOr<std::unique_ptr<RegistryClient>> client =
      RegistryClient::Connect(options_);
  ASSERT_TRUE(client.ok()) << client.status();
  EXPECT_FALSE((*client)->options().tls);
  EXPECT_EQ((*client)->options().token, "Abc-._~+/=123");
}

TEST_F(ClientOptionsTest, TlsIsImpliedByAnyTlsField) {
  RegistryClientOptions name_only = options_;
  name_only.tls_server_name = kServerName;
  absl::StatusOr<std::unique_ptr<RegistryClient>> client =
      RegistryClient::Connect(name_only);
  ASSERT_TRUE(client.ok()) << client.status();
  EXPECT_TRUE((*client)->options().tls);

  RegistryClientOptions ca_only = options_;
  ca_only.tls_ca_file = ca_;
  client = RegistryClient::Connect(ca_only);
  ASSERT_TRUE(client.ok()) << client.status();
  EXPECT_TRUE((*client)->options().tls);
}

// Every connection variable cleared for the test, restored after it.
class ConnectionEnvTest : public ClientOptionsTest {
 protected:
  std::vector<std::unique_ptr<ScopedEnv>> Clear() {
    std::vector<std::unique_ptr<ScopedEnv>> cleared;
    for (const char* name : {kTlsCaEnv, kTlsCertEnv, kTlsKeyEnv, kTlsServerNameEnv,
                             kTokenEnv, kTokenFileEnv}) {
      cleared.push_back(std::make_unique<ScopedEnv>(name, std::nullopt));
    }
    return cleared;
  }
};

TEST_F(ConnectionEnvTest, FillsOnlyTheFieldsThatAreStillEmpty) {
  const auto cleared = Clear();
  ScopedEnv ca(kTlsCaEnv, "/env/ca.pem");
  ScopedEnv cert(kTlsCertEnv, "/env/client.pem");
  ScopedEnv key(kTlsKeyEnv, "/env/client.key");
  ScopedEnv name(kTlsServerNameEnv, "env.example");
  ScopedEnv token(kTokenEnv, "env-token");
  RegistryClientOptions options;
  options.tls_ca_file = "/flag/ca.pem";
  options.token = "flag-token";
  ASSERT_TRUE(LoadConnectionOptionsFromEnv(options).ok());
  EXPECT_EQ(options.tls_ca_file, "/flag/ca.pem");
  EXPECT_EQ(options.tls_cert_file, "/env/client.pem");
  EXPECT_EQ(options.tls_key_file, "/env/client.key");
  EXPECT_EQ(options.tls_server_name, "env.example");
  EXPECT_EQ(options.token, "flag-token");
  EXPECT_FALSE(options.tls);  // Connect decides; the files imply it there
}

TEST_F(ConnectionEnvTest, EmptyVariablesCountAsUnset) {
  const auto cleared = Clear();
  ScopedEnv ca(kTlsCaEnv, "");
  ScopedEnv token(kTokenEnv, "");
  RegistryClientOptions options;
  ASSERT_TRUE(LoadConnectionOptionsFromEnv(options).ok());
  EXPECT_EQ(options.tls_ca_file, "");
  EXPECT_EQ(options.token, "");
}

TEST_F(ConnectionEnvTest, TheTokenFileLosesItsTrailingWhitespace) {
  const auto cleared = Clear();
  ScopedEnv file(kTokenFileEnv, WriteFile(dir_.path() + "/token", "abc.DEF-1\n \n"));
  RegistryClientOptions options;
  ASSERT_TRUE(LoadConnectionOptionsFromEnv(options).ok());
  EXPECT_EQ(options.token, "abc.DEF-1");
}

TEST_F(ConnectionEnvTest, BothTokenVariablesAreAnErrorUnlessATokenIsGiven) {
  const auto cleared = Clear();
  ScopedEnv token(kTokenEnv, "env-token");
  ScopedEnv file(kTokenFileEnv, WriteFile(dir_.path() + "/token", "file-token"));
  RegistryClientOptions options;
  const absl::Status status = LoadConnectionOptionsFromEnv(options);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(status.message(), kTokenEnv)) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), kTokenFileEnv)) << status;

  options.token = "flag-token";
  EXPECT_TRUE(LoadConnectionOptionsFromEnv(options).ok());
  EXPECT_EQ(options.token, "flag-token");
}

TEST_F(ConnectionEnvTest, AnUnreadableTokenFileIsNamed) {
  const auto cleared = Clear();
  const std::string missing = dir_.path() + "/no-token";
  ScopedEnv file(kTokenFileEnv, missing);
  RegistryClientOptions options;
  const absl::Status status = LoadConnectionOptionsFromEnv(options);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StartsWith(status.message(), kTokenFileEnv)) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), missing)) << status;

  absl::StatusOr<std::string> empty =
      ReadTokenFile(WriteFile(dir_.path() + "/empty", " \n"), "--token-file");
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(empty.status().message(), "--token-file"))
      << empty.status();
}

TEST(ClientMetadataTest, TheTokenGoesAsBearerOnEveryCallAndNoActorHeader) {
  FakeServer server(grpc::InsecureServerCredentials());
  ASSERT_TRUE(server.started());
  RegistryClientOptions options;
  options.call_timeout = absl::Seconds(5);
  options.token = "tok.en-1~";
  absl::StatusOr<std::unique_ptr<RegistryClient>> client =
      RegistryClient::Connect(server.target(), options);
  ASSERT_TRUE(client.ok()) << client.status();

  absl::StatusOr<v1::WhoAmIResponse> me = (*client)->WhoAmI(v1::WhoAmIRequest());
  ASSERT_TRUE(me.ok()) << me.status();
  EXPECT_EQ(me->principal(), "tester");
  absl::StatusOr<v1::GetSecurityStatusResponse> status =
      (*client)->GetSecurityStatus(v1::GetSecurityStatusRequest());
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(status->tls());
  grpc::ClientContext context;
  v1::SubscribeRequest request;
  request.set_from_now(true);
  auto reader = (*client)->Subscribe(context, request);
  v1::SubscribeResponse message;
  while (reader->Read(&message)) {
  }
  ASSERT_TRUE(reader->Finish().ok());

  const std::vector<CallRecord> calls = server.calls();
  ASSERT_EQ(calls.size(), 3u);
  for (const CallRecord& call : calls) {
    EXPECT_EQ(call.authorization, std::vector<std::string>{"Bearer tok.en-1~"})
        << call.method;
    EXPECT_FALSE(call.has_actor) << call.method;
  }
}

TEST(ClientMetadataTest, NoTokenNoAuthorizationHeader) {
  FakeServer server(grpc::InsecureServerCredentials());
  ASSERT_TRUE(server.started());
  absl::StatusOr<std::unique_ptr<RegistryClient>> client =
      RegistryClient::Connect(server.target());
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE((*client)->WhoAmI(v1::WhoAmIRequest()).ok());
  const std::vector<CallRecord> calls = server.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_TRUE(calls[0].authorization.empty());
  EXPECT_FALSE(calls[0].has_actor);
}

v1::ExecuteBatchRequest Batch(const std::string& request_id) {
  v1::ExecuteBatchRequest batch;
  batch.mutable_context()->set_request_id(request_id);
  return batch;
}

// Answers come back in order with the bearer token on the stream; an answer that takes
// longer than call_timeout ends the stream with DEADLINE_EXCEEDED.
TEST(BatchStreamTest, AnswersInOrderAndAnOverdueAnswerCancelsTheStream) {
  FakeServer server(grpc::InsecureServerCredentials());
  ASSERT_TRUE(server.started());
  RegistryClientOptions options;
  options.call_timeout = absl::Milliseconds(500);
  options.token = "tok-stream";
  absl::StatusOr<std::unique_ptr<RegistryClient>> client =
      RegistryClient::Connect(server.target(), options);
  ASSERT_TRUE(client.ok()) << client.status();
  std::unique_ptr<BatchStream> stream = (*client)->OpenBatchStream();
  ASSERT_TRUE(stream->Send(Batch("first")));
  ASSERT_TRUE(stream->Send(Batch("second")));
  v1::ExecuteBatchStreamResponse answer;
  ASSERT_TRUE(stream->Receive(answer));
  EXPECT_EQ(answer.index(), 0);
  EXPECT_EQ(answer.request_id(), "first");
  ASSERT_TRUE(stream->Receive(answer));
  EXPECT_EQ(answer.index(), 1);
  EXPECT_EQ(answer.request_id(), "second");
  // Idle longer than the timeout with nothing outstanding: the stream stays open.
  absl::SleepFor(absl::Milliseconds(700));
  ASSERT_TRUE(stream->Send(Batch("third")));
  ASSERT_TRUE(stream->Receive(answer));
  EXPECT_EQ(answer.request_id(), "third");

  const absl::Time start = absl::Now();
  stream->Send(Batch("hang"));
  EXPECT_FALSE(stream->Receive(answer));
  const absl::Status status = stream->Finish();
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(450));
  const std::vector<CallRecord> calls = server.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].authorization, std::vector<std::string>{"Bearer tok-stream"});
}

// A server that requires and verifies a client certificate issued by the test CA.
// Call only after ClientOptionsTest::SetUp checked that the PKI was generated.
std::shared_ptr<grpc::ServerCredentials> MutualTlsServerCredentials() {
  grpc::SslServerCredentialsOptions ssl(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  ssl.pem_root_certs = Pki()->ca.cert_pem;
  ssl.pem_key_cert_pairs.push_back({Pki()->server.key_pem, Pki()->server.cert_pem});
  return grpc::SslServerCredentials(ssl);
}

TEST_F(ClientOptionsTest, MutualTlsWithTheServerNameOverride) {
  FakeServer server(MutualTlsServerCredentials());
  ASSERT_TRUE(server.started());
  options_.tls_ca_file = ca_;
  options_.tls_cert_file = cert_;
  options_.tls_key_file = key_;
  options_.tls_server_name = kServerName;
  options_.token = "over-tls";
  absl::StatusOr<std::unique_ptr<RegistryClient>> client =
      RegistryClient::Connect(server.target(), options_);
  ASSERT_TRUE(client.ok()) << client.status();
  absl::StatusOr<v1::WhoAmIResponse> me = (*client)->WhoAmI(v1::WhoAmIRequest());
  ASSERT_TRUE(me.ok()) << me.status();
  const std::vector<CallRecord> calls = server.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].peer_common_name, kClientCommonName);
  EXPECT_EQ(calls[0].peer_san, kClientSan);
  EXPECT_EQ(calls[0].authorization, std::vector<std::string>{"Bearer over-tls"});
}

TEST_F(ClientOptionsTest, TlsFailsWithoutTheServerNameOrTheClientCertificate) {
  FakeServer server(MutualTlsServerCredentials());
  ASSERT_TRUE(server.started());
  options_.tls_ca_file = ca_;
  options_.tls_cert_file = cert_;
  options_.tls_key_file = key_;
  // The certificate names registry.test, not 127.0.0.1.
  absl::StatusOr<std::unique_ptr<RegistryClient>> client =
      RegistryClient::Connect(server.target(), options_);
  ASSERT_TRUE(client.ok()) << client.status();
  EXPECT_EQ((*client)->WhoAmI(v1::WhoAmIRequest()).status().code(),
            absl::StatusCode::kUnavailable);

  options_.tls_server_name = kServerName;
  options_.tls_cert_file.clear();
  options_.tls_key_file.clear();
  client = RegistryClient::Connect(server.target(), options_);
  ASSERT_TRUE(client.ok()) << client.status();
  EXPECT_EQ((*client)->WhoAmI(v1::WhoAmIRequest()).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_TRUE(server.calls().empty());
}

}  // namespace
}  // namespace agreements::client
