// End to end: TLS, mutual TLS, tokens, roles and reloads against a real server on
// 127.0.0.1 with certificates generated for each run.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "agreements/v1/audit_service.grpc.pb.h"
#include "agreements/v1/command_service.grpc.pb.h"
#include "agreements/v1/feed_service.grpc.pb.h"
#include "agreements/v1/query_service.grpc.pb.h"
#include "agreements/v1/security_service.grpc.pb.h"
#include "common/error_info.h"
#include "common/grpc_status.h"
#include "common/merkle.h"
#include "common/signed_note.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "security/policy.h"
#include "services/server.h"
#include "tests/secure_test_util.h"
#include "tests/test_certs.h"
#include "tests/test_support.h"

namespace agreements {
namespace {

namespace v1 = ::agreements::v1;
using testing::BindingAgreement;
using testing::CertAndKey;
using testing::Leaf;
using testing::Must;
using testing::StateParty;
using testing::TempDir;

constexpr char kAliceSan[] = "spiffe://registry/alice";
constexpr char kAliceCn[] = "Alice Registrar";

// The certificates of one test: two unrelated CAs, a server certificate for 127.0.0.1
// and client certificates.
struct Certificates {
  CertAndKey ca = Must(testing::MakeCa("Registry Test CA"));
  CertAndKey other_ca = Must(testing::MakeCa("Unrelated CA"));
  CertAndKey server = Leaf(ca, "registry", {"DNS:localhost", "IP:127.0.0.1"},
                           testing::CertUsage::kServer);
  CertAndKey alice =
      Leaf(ca, kAliceCn, {std::string("URI:") + kAliceSan}, testing::CertUsage::kClient);
  CertAndKey expired =
      Leaf(ca, "expired", {"URI:spiffe://registry/expired"}, testing::CertUsage::kClient,
           -absl::Hours(48), -absl::Hours(24));
  CertAndKey foreign = Leaf(other_ca, "foreign", {"URI:spiffe://registry/foreign"},
                            testing::CertUsage::kClient);
};

// Tokens of the role table, each with its principal in the token file.
const std::map<std::string, std::string> kTokens = {
    {"reader", "tok-reader-5b0e1f"},        {"registrar", "tok-registrar-9a7c3d"},
    {"auditor", "tok-auditor-c4d2e8"},      {"admin", "tok-admin-1f6b9a"},
    {"energy-desk", "tok-energy-2d8e4c"},   {"nobody", "tok-nobody-7e3a5b"},
    {"telecom-desk", "tok-telecom-8b1f0d"},
};

class SecurityTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_.path() + "/" + name;
    EXPECT_TRUE(testing::WritePem(path, text).ok());
    return path;
  }

  // Token file of kTokens; the roles are in the token file except for "nobody".
  std::string TokenFile(const std::map<std::string, std::string>& tokens = kTokens) {
    const std::map<std::string, std::string> grants = {
        {"reader", "reader"},
        {"registrar", "registrar"},
        {"auditor", "auditor"},
        {"admin", "admin"},
        {"energy-desk", "registrar:energy"},
        {"nobody", ""},
        {"telecom-desk", "registrar:telecom"},
    };
    std::string text = "# test tokens\n";
    for (const auto& [principal, token] : tokens) {
      absl::StrAppend(&text, "sha256:", security::TokenDigest(token), " ", principal, " ",
                      grants.count(principal) ? grants.at(principal) : "reader", "\n");
    }
    return Write("tokens", text);
  }

  services::ServerOptions Options() {
    services::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = dir_.path() + "/data";
    return options;
  }

  void StartServer(services::ServerOptions options) {
    auto server = services::RegistryServer::Start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  std::string Target() const { return "127.0.0.1:" + std::to_string(server_->port()); }

  std::shared_ptr<grpc::Channel> Plaintext() {
    return testing::PlaintextChannel(Target());
  }

  std::shared_ptr<grpc::Channel> Tls(const std::string& ca_pem,
                                     const CertAndKey* client = nullptr) {
    return testing::TlsChannel(Target(), ca_pem, client);
  }

 public:
  static std::unique_ptr<grpc::ClientContext> Context(const std::string& token = "") {
    return testing::BearerContext(token);
  }

 protected:
  static grpc::Status WhoAmI(const std::shared_ptr<grpc::Channel>& channel,
                             v1::WhoAmIResponse* response,
                             const std::string& token = "") {
    return v1::SecurityService::NewStub(channel)->WhoAmI(Context(token).get(),
                                                         v1::WhoAmIRequest(), response);
  }

  TempDir dir_;
  Certificates certs_;
  std::unique_ptr<services::RegistryServer> server_;
};

TEST_F(SecurityTest, PlaintextClientCannotTalkToTlsServer) {
  services::ServerOptions options = Options();
  options.security.tls_cert_file = Write("server.pem", certs_.server.cert_pem);
  options.security.tls_key_file = Write("server.key", certs_.server.key_pem);
  StartServer(options);

  v1::WhoAmIResponse who;
  EXPECT_EQ(WhoAmI(Plaintext(), &who).error_code(), grpc::StatusCode::UNAVAILABLE);
  grpc::Status status = WhoAmI(Tls(certs_.ca.cert_pem), &who);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(who.principal(), "anonymous");
  EXPECT_EQ(who.method(), v1::AUTHENTICATION_METHOD_NONE);
  EXPECT_TRUE(who.development_mode());
}

TEST_F(SecurityTest, ClientRejectsServerFromAnotherCa) {
  services::ServerOptions options = Options();
  options.security.tls_cert_file = Write("server.pem", certs_.server.cert_pem);
  options.security.tls_key_file = Write("server.key", certs_.server.key_pem);
  StartServer(options);
  v1::WhoAmIResponse who;
  EXPECT_EQ(WhoAmI(Tls(certs_.other_ca.cert_pem), &who).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(SecurityTest, ClientRejectsExpiredServerCertificate) {
  const CertAndKey expired =
      Leaf(certs_.ca, "registry", {"DNS:localhost", "IP:127.0.0.1"},
           testing::CertUsage::kServer, -absl::Hours(48), -absl::Hours(24));
  services::ServerOptions options = Options();
  options.security.tls_cert_file = Write("server.pem", expired.cert_pem);
  options.security.tls_key_file = Write("server.key", expired.key_pem);
  StartServer(options);
  v1::WhoAmIResponse who;
  EXPECT_EQ(WhoAmI(Tls(certs_.ca.cert_pem), &who).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(SecurityTest, ServerRefusesMismatchedKeyAndMissingFiles) {
  services::ServerOptions options = Options();
  options.security.tls_cert_file = Write("server.pem", certs_.server.cert_pem);
  options.security.tls_key_file = Write("alice.key", certs_.alice.key_pem);
  auto server = services::RegistryServer::Start(options);
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.status().message().find("does not match"), std::string::npos)
      << server.status();
  options.security.tls_key_file = dir_.path() + "/missing.key";
  server = services::RegistryServer::Start(options);
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.status().message().find("tls_key"), std::string::npos)
      << server.status();
}

class MutualTlsTest : public SecurityTest {
 protected:
  void StartMutual(services::ClientCertificates mode, services::ClientIdentity identity) {
    services::ServerOptions options = Options();
    options.security.tls_cert_file = Write("server.pem", certs_.server.cert_pem);
    options.security.tls_key_file = Write("server.key", certs_.server.key_pem);
    options.security.tls_client_ca_file = Write("clients-ca.pem", certs_.ca.cert_pem);
    options.security.client_certificates = mode;
    options.security.client_identity = identity;
    options.security.tokens_file = TokenFile();
    options.security.policy_file =
        Write("policy",
              absl::StrCat(kAliceSan, " registrar:energy\n\"", kAliceCn, "\" auditor\n"));
    StartServer(options);
  }
};

TEST_F(MutualTlsTest, RequiredClientCertificate) {
  StartMutual(services::ClientCertificates::kRequire, services::ClientIdentity::kSan);
  v1::WhoAmIResponse who;
  EXPECT_EQ(WhoAmI(Tls(certs_.ca.cert_pem), &who).error_code(),
            grpc::StatusCode::UNAVAILABLE)
      << "no client certificate";
  EXPECT_EQ(WhoAmI(Tls(certs_.ca.cert_pem, &certs_.expired), &who).error_code(),
            grpc::StatusCode::UNAVAILABLE)
      << "expired client certificate";
  EXPECT_EQ(WhoAmI(Tls(certs_.ca.cert_pem, &certs_.foreign), &who).error_code(),
            grpc::StatusCode::UNAVAILABLE)
      << "client certificate from another CA";

  grpc::Status status = WhoAmI(Tls(certs_.ca.cert_pem, &certs_.alice), &who);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(who.principal(), kAliceSan);
  EXPECT_EQ(who.method(), v1::AUTHENTICATION_METHOD_CLIENT_CERTIFICATE);
  ASSERT_EQ(who.roles_size(), 1);
  EXPECT_EQ(who.roles(0).role(), "registrar");
  ASSERT_EQ(who.roles(0).sectors_size(), 1);
  EXPECT_EQ(who.roles(0).sectors(0), "energy");
  EXPECT_FALSE(who.development_mode());
}

TEST_F(MutualTlsTest, CommonNameIdentity) {
  StartMutual(services::ClientCertificates::kRequire, services::ClientIdentity::kCn);
  v1::WhoAmIResponse who;
  grpc::Status status = WhoAmI(Tls(certs_.ca.cert_pem, &certs_.alice), &who);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(who.principal(), kAliceCn);
  ASSERT_EQ(who.roles_size(), 1);
  EXPECT_EQ(who.roles(0).role(), "auditor");
}

TEST_F(MutualTlsTest, OptionalClientCertificateFallsBackToTokens) {
  StartMutual(services::ClientCertificates::kOptional, services::ClientIdentity::kSan);
  auto channel = Tls(certs_.ca.cert_pem);
  v1::WhoAmIResponse who;
  grpc::Status status = WhoAmI(channel, &who);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(status.error_message().find("requires authentication"), std::string::npos);
  status = WhoAmI(channel, &who, kTokens.at("auditor"));
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(who.principal(), "auditor");
  EXPECT_EQ(who.method(), v1::AUTHENTICATION_METHOD_BEARER_TOKEN);
  // A certificate from another CA is still refused at the handshake.
  EXPECT_EQ(WhoAmI(Tls(certs_.ca.cert_pem, &certs_.foreign), &who).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

// Calls `method` ("/pkg.Service/Method") with an empty request through a generic stub
// and returns its status. Streams that are allowed stay open until the deadline.
grpc::Status CallEmpty(const std::shared_ptr<grpc::Channel>& channel,
                       const std::string& method, const std::string& token) {
  grpc::GenericStub generic(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(1200));
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  grpc::CompletionQueue cq;
  auto call = generic.PrepareCall(&context, method, &cq);
  void* tag;
  bool ok;
  call->StartCall(reinterpret_cast<void*>(1));
  cq.Next(&tag, &ok);
  grpc::ByteBuffer empty;
  grpc::Slice slice("", 0);
  empty = grpc::ByteBuffer(&slice, 1);
  call->WriteLast(empty, grpc::WriteOptions(), reinterpret_cast<void*>(2));
  cq.Next(&tag, &ok);
  // The first response, if any: the status comes after the messages.
  grpc::ByteBuffer response;
  call->Read(&response, reinterpret_cast<void*>(3));
  cq.Next(&tag, &ok);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(4));
  // Finish completes when the status arrives (at the latest at the deadline).
  while (cq.Next(&tag, &ok) && tag != reinterpret_cast<void*>(4)) {
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

TEST_F(SecurityTest, EachRoleAgainstEachRpc) {
  services::ServerOptions options = Options();
  options.security.tokens_file = TokenFile();
  StartServer(options);
  auto channel = Plaintext();

  // The permission each RPC needs; "" for none. Every method of every registry service
  // must be listed, so that a new RPC cannot skip the table.
  const std::map<std::string, std::string> needs = {
      {"CommandService/RecordAgreement", "agreements.write"},
      {"CommandService/ApplyAgreementChange", "agreements.write"},
      {"CommandService/RegisterParty", "parties.write"},
      {"CommandService/UpdateParty", "parties.write"},
      {"CommandService/ExecuteBatch", "agreements.write"},
      // To open the stream; each request then needs what its commands need.
      {"CommandService/ExecuteBatchStream", "agreements.write"},
      {"QueryService/GetAgreement", "registry.read"},
      {"QueryService/LookupAgreement", "registry.read"},
      {"QueryService/ListAgreements", "registry.read"},
      {"QueryService/GetSectorSummary", "registry.read"},
      {"QueryService/ListSectors", "registry.read"},
      {"QueryService/GetStatistics", "registry.read"},
      {"QueryService/GetParty", "registry.read"},
      {"QueryService/ListParties", "registry.read"},
      {"FeedService/Subscribe", "registry.read"},
      {"FeedService/WatchSector", "registry.read"},
      {"AuditService/GetCheckpoint", "audit.read"},
      {"AuditService/GetInclusionProof", "audit.read"},
      {"AuditService/GetConsistencyProof", "audit.read"},
      {"AuditService/GetCompletenessProof", "audit.read"},
      {"AuditService/ListHistory", "audit.read"},
      {"AuditService/DiffRevisions", "audit.read"},
      {"AuditService/GetAgreementAsOf", "audit.read"},
      {"AuditService/GetPartyAsOf", "audit.read"},
      {"AuditService/ListSectorAsOf", "audit.read"},
      {"AuditService/GetLegalStatusOn", "audit.read"},
      {"AuditService/ListInForceOn", "audit.read"},
      {"AuditService/ListPartyAgreementsOn", "audit.read"},
      {"SecurityService/WhoAmI", ""},
      {"SecurityService/GetSecurityStatus", "security.read"},
      {"AdminService/RebuildView", "server.admin"},
      {"AdminService/Backup", "server.admin"},
  };
  // Which roles hold each permission (docs/security.md).
  const std::map<std::string, std::set<std::string>> holders = {
      {"registry.read", {"reader", "registrar", "auditor", "admin"}},
      {"agreements.write", {"registrar", "admin"}},
      {"parties.write", {"registrar", "admin"}},
      {"audit.read", {"auditor", "admin"}},
      {"security.read", {"admin"}},
      {"server.admin", {"admin"}},
  };
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  int checked = 0;
  for (const char* service : {"CommandService", "QueryService", "FeedService",
                              "AuditService", "SecurityService", "AdminService"}) {
    const auto* descriptor =
        pool->FindServiceByName(absl::StrCat("agreements.v1.", service));
    ASSERT_NE(descriptor, nullptr) << service;
    for (int i = 0; i < descriptor->method_count(); ++i) {
      const std::string name = absl::StrCat(service, "/", descriptor->method(i)->name());
      ASSERT_EQ(needs.count(name), 1u) << name << " is missing from the role table";
      const std::string& permission = needs.at(name);
      for (const char* role : {"reader", "registrar", "auditor", "admin", "nobody"}) {
        const bool allowed = permission.empty() || holders.at(permission).count(role) > 0;
        grpc::Status status =
            CallEmpty(channel, "/agreements.v1." + name, kTokens.at(role));
        SCOPED_TRACE(absl::StrCat(name, " as ", role, ": ", status.error_code(), " ",
                                  status.error_message()));
        EXPECT_NE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
        if (allowed) {
          EXPECT_NE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
        } else {
          EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
          EXPECT_NE(status.error_message().find("missing permission " + permission),
                    std::string::npos);
          const errors::Details details = errors::DetailsOf(FromGrpcStatus(status));
          EXPECT_EQ(details.reason, "MISSING_PERMISSION");
          const errors::Metadata expected = {{"permission", permission},
                                             {"principal", role}};
          EXPECT_EQ(details.metadata, expected);
        }
        ++checked;
      }
      // Without credentials every RPC is refused: the policy has no "anonymous" entry.
      EXPECT_EQ(CallEmpty(channel, "/agreements.v1." + name, "").error_code(),
                grpc::StatusCode::UNAUTHENTICATED)
          << name;
    }
  }
  EXPECT_EQ(checked, static_cast<int>(needs.size()) * 5);

  // Every denial was counted under its permission.
  v1::GetSecurityStatusResponse status;
  ASSERT_TRUE(v1::SecurityService::NewStub(channel)
                  ->GetSecurityStatus(Context(kTokens.at("admin")).get(),
                                      v1::GetSecurityStatusRequest(), &status)
                  .ok());
  std::map<std::string, int64_t> denials;
  for (const auto& denial : status.denials())
    denials[denial.permission()] = denial.count();
  // registry.read: only "nobody" (10 RPCs: 8 queries, 2 feeds); audit.read: reader,
  // registrar, nobody (12 each); security.read: every role but admin; server.admin:
  // every role but admin, for each of its 2 RPCs.
  EXPECT_EQ(denials["registry.read"], 10);
  EXPECT_EQ(denials["audit.read"], 3 * 12);
  EXPECT_EQ(denials["security.read"], 4);
  EXPECT_EQ(denials["server.admin"], 4 * 2);
  EXPECT_EQ(denials["agreements.write"], 3 * 4);
  EXPECT_EQ(denials["parties.write"], 3 * 2);
  EXPECT_EQ(denials["authentication"], static_cast<int64_t>(needs.size()));
  EXPECT_EQ(status.token_count(), static_cast<int64_t>(kTokens.size()));
}

class WritingTest : public SecurityTest {
 protected:
  void SetUp() override {
    services::ServerOptions options = Options();
    options.security.tokens_file = TokenFile();
    options.checkpoints.interval = absl::Milliseconds(50);
    StartServer(options);
    channel_ = Plaintext();
    commands_ = v1::CommandService::NewStub(channel_);
    v1::RegisterPartyResponse party;
    for (const auto& [id, country] : {std::make_pair("kz", "KZ"), {"kr", "KR"}}) {
      grpc::Status status = commands_->RegisterParty(
          Context(kTokens.at("registrar")).get(),
          StateParty("p-" + std::string(id), id, country), &party);
      ASSERT_TRUE(status.ok()) << status.error_message();
    }
  }

  grpc::Status Record(const std::string& token, const std::string& id,
                      const std::string& sector,
                      v1::Confidentiality level = v1::CONFIDENTIALITY_UNSPECIFIED) {
    v1::RecordAgreementRequest request =
        BindingAgreement("r-" + id, id, {"kz", "kr"}, sector);
    request.mutable_agreement()->set_confidentiality(level);
    request.set_initial_status(v1::AGREEMENT_STATUS_NEGOTIATING);
    v1::RecordAgreementResponse response;
    return commands_->RecordAgreement(Context(token).get(), request, &response);
  }

  grpc::Status Change(const std::string& token, const std::string& id,
                      v1::EventPayload change) {
    v1::ApplyAgreementChangeRequest request;
    request.mutable_context()->set_request_id(absl::StrCat("c-", id, "-", ++changes_));
    request.set_agreement_id(id);
    *request.mutable_change() = std::move(change);
    v1::ApplyAgreementChangeResponse response;
    return commands_->ApplyAgreementChange(Context(token).get(), request, &response);
  }

  static v1::EventPayload Adopted(int day) {
    v1::EventPayload change;
    *change.mutable_text_adopted()->mutable_date() = testing::Day(2009, 5, day);
    return change;
  }

  static v1::EventPayload Level(v1::Confidentiality level) {
    v1::EventPayload change;
    change.mutable_confidentiality_changed()->set_level(level);
    return change;
  }

  int changes_ = 0;

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CommandService::Stub> commands_;
};

TEST_F(WritingTest, RegistrarLimitedToEnergyCannotWriteTelecom) {
  const std::string energy_desk = kTokens.at("energy-desk");
  grpc::Status status = Record(energy_desk, "pipeline", "energy");
  ASSERT_TRUE(status.ok()) << status.error_message();
  status = Record(energy_desk, "cable", "telecom");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(status.error_message().find("missing permission agreements.write in sector "
                                        "telecom"),
            std::string::npos)
      << status.error_message();

  // An agreement of another sector written by a registrar without limits is out of
  // reach too, also for changes.
  ASSERT_TRUE(Record(kTokens.at("registrar"), "fiber", "telecom").ok());
  v1::ApplyAgreementChangeRequest change;
  change.mutable_context()->set_request_id("adopt-fiber");
  change.set_agreement_id("fiber");
  *change.mutable_change()->mutable_text_adopted()->mutable_date() =
      testing::Day(2009, 5, 12);
  v1::ApplyAgreementChangeResponse changed;
  status = commands_->ApplyAgreementChange(Context(energy_desk).get(), change, &changed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  // Nothing of the refused requests was stored.
  v1::GetAgreementResponse got;
  auto queries = v1::QueryService::NewStub(channel_);
  v1::GetAgreementRequest get;
  get.set_agreement_id("cable");
  EXPECT_EQ(
      queries->GetAgreement(Context(kTokens.at("reader")).get(), get, &got).error_code(),
      grpc::StatusCode::NOT_FOUND);
  get.set_agreement_id("fiber");
  ASSERT_TRUE(queries->GetAgreement(Context(kTokens.at("reader")).get(), get, &got).ok());
  EXPECT_EQ(got.agreement().revision(), 1u);

  v1::GetSecurityStatusResponse security;
  ASSERT_TRUE(v1::SecurityService::NewStub(channel_)
                  ->GetSecurityStatus(Context(kTokens.at("admin")).get(),
                                      v1::GetSecurityStatusRequest(), &security)
                  .ok());
  ASSERT_EQ(security.denials_size(), 1);
  EXPECT_EQ(security.denials(0).permission(), "agreements.write");
  EXPECT_EQ(security.denials(0).count(), 2);
}

TEST_F(WritingTest, ActorIsTheAuthenticatedPrincipal) {
  // A client that names its own actor is refused, and nothing is written.
  auto context = Context(kTokens.at("registrar"));
  context->AddMetadata("x-actor", "minister-of-energy");
  v1::RecordAgreementResponse response;
  grpc::Status status = commands_->RecordAgreement(
      context.get(), BindingAgreement("r-spoof", "spoof", {"kz", "kr"}, "energy"),
      &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("x-actor"), std::string::npos);

  ASSERT_TRUE(Record(kTokens.at("energy-desk"), "pipeline", "energy").ok());
  auto audit = v1::AuditService::NewStub(channel_);
  v1::ListHistoryRequest history;
  history.set_stream_type(v1::STREAM_TYPE_AGREEMENT);
  history.set_stream_id("pipeline");
  v1::ListHistoryResponse events;
  status = audit->ListHistory(Context(kTokens.at("auditor")).get(), history, &events);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(events.events_size(), 1);
  EXPECT_EQ(events.events(0).envelope().actor(), "energy-desk");
  EXPECT_TRUE(events.events(0).envelope().actor_authenticated());

  history.set_stream_id("spoof");
  status = audit->ListHistory(Context(kTokens.at("auditor")).get(), history, &events);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

// The ids of the agreements `token` sees in ListAgreements (optionally in one sector).
std::vector<std::string> Listed(v1::QueryService::Stub& queries, const std::string& token,
                                const std::string& sector = "") {
  v1::ListAgreementsRequest request;
  request.set_sector(sector);
  v1::ListAgreementsResponse response;
  grpc::Status status =
      queries.ListAgreements(SecurityTest::Context(token).get(), request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  std::vector<std::string> ids;
  for (const auto& agreement : response.agreements()) ids.push_back(agreement.id());
  return ids;
}

int64_t SummaryCount(v1::QueryService::Stub& queries, const std::string& token,
                     const std::string& sector, int64_t* kz_count = nullptr) {
  v1::GetSectorSummaryRequest request;
  request.set_sector(sector);
  v1::GetSectorSummaryResponse response;
  grpc::Status status =
      queries.GetSectorSummary(SecurityTest::Context(token).get(), request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  if (kz_count != nullptr) {
    *kz_count = 0;
    for (const auto& party : response.summary().top_parties()) {
      if (party.party_id() == "kz") *kz_count = party.agreement_count();
    }
  }
  return response.summary().agreement_count();
}

std::map<std::string, int64_t> SectorCounts(v1::QueryService::Stub& queries,
                                            const std::string& token) {
  v1::ListSectorsResponse response;
  EXPECT_TRUE(queries
                  .ListSectors(SecurityTest::Context(token).get(),
                               v1::ListSectorsRequest(), &response)
                  .ok());
  std::map<std::string, int64_t> counts;
  for (const auto& sector : response.sectors()) {
    if (sector.agreement_count() != 0) counts[sector.sector()] = sector.agreement_count();
  }
  return counts;
}

TEST_F(WritingTest, ReadersNeverSeeNonPublicInstruments) {
  const std::string& registrar = kTokens.at("registrar");
  ASSERT_TRUE(Record(registrar, "pipeline", "energy").ok());
  ASSERT_TRUE(
      Record(registrar, "reactor", "energy", v1::CONFIDENTIALITY_CONFIDENTIAL).ok());
  ASSERT_TRUE(Record(registrar, "cable", "telecom", v1::CONFIDENTIALITY_RESTRICTED).ok());
  auto queries = v1::QueryService::NewStub(channel_);
  const std::string& reader = kTokens.at("reader");
  const std::string& auditor = kTokens.at("auditor");
  const std::string& energy_desk = kTokens.at("energy-desk");

  // GetAgreement: a hidden agreement answers exactly like a missing one.
  v1::GetAgreementRequest get;
  v1::GetAgreementResponse got;
  get.set_agreement_id("reactor");
  grpc::Status hidden = queries->GetAgreement(Context(reader).get(), get, &got);
  get.set_agreement_id("no-such-agreement");
  grpc::Status missing = queries->GetAgreement(Context(reader).get(), get, &got);
  EXPECT_EQ(hidden.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(
      hidden.error_message(),
      absl::StrReplaceAll(missing.error_message(), {{"no-such-agreement", "reactor"}}));
  get.set_agreement_id("reactor");
  ASSERT_TRUE(queries->GetAgreement(Context(auditor).get(), get, &got).ok());
  EXPECT_EQ(got.agreement().confidentiality(), v1::CONFIDENTIALITY_CONFIDENTIAL);
  ASSERT_TRUE(queries->GetAgreement(Context(energy_desk).get(), get, &got).ok());
  get.set_agreement_id("cable");
  EXPECT_EQ(queries->GetAgreement(Context(energy_desk).get(), get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // Lists, summaries and sector counts: nothing of the hidden ones, not even counts.
  using Ids = std::vector<std::string>;
  EXPECT_EQ(Listed(*queries, reader), Ids{"pipeline"});
  EXPECT_EQ(Listed(*queries, reader, "energy"), Ids{"pipeline"});
  EXPECT_EQ(Listed(*queries, reader, "telecom"), Ids{});
  EXPECT_EQ(Listed(*queries, auditor), (Ids{"cable", "pipeline", "reactor"}));
  EXPECT_EQ(Listed(*queries, energy_desk), (Ids{"pipeline", "reactor"}));
  EXPECT_EQ(Listed(*queries, kTokens.at("telecom-desk"), "telecom"), Ids{"cable"});
  int64_t kz = 0;
  EXPECT_EQ(SummaryCount(*queries, reader, "energy", &kz), 1);
  EXPECT_EQ(kz, 1);
  EXPECT_EQ(SummaryCount(*queries, reader, "telecom"), 0);
  EXPECT_EQ(SummaryCount(*queries, auditor, "energy", &kz), 2);
  EXPECT_EQ(kz, 2);
  EXPECT_EQ(SummaryCount(*queries, energy_desk, "energy"), 2);
  EXPECT_EQ(SummaryCount(*queries, energy_desk, "telecom"), 0);
  using Counts = std::map<std::string, int64_t>;
  EXPECT_EQ(SectorCounts(*queries, reader), (Counts{{"energy", 1}}));
  EXPECT_EQ(SectorCounts(*queries, auditor), (Counts{{"energy", 2}, {"telecom", 1}}));

  // Declassified, the agreement appears for readers, and the counts follow.
  ASSERT_TRUE(Change(registrar, "reactor", Level(v1::CONFIDENTIALITY_PUBLIC)).ok());
  EXPECT_EQ(Change(registrar, "reactor", Level(v1::CONFIDENTIALITY_PUBLIC)).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Listed(*queries, reader, "energy"), (Ids{"pipeline", "reactor"}));
  EXPECT_EQ(SummaryCount(*queries, reader, "energy"), 2);
  EXPECT_EQ(SummaryCount(*queries, auditor, "energy"), 2);
  // And classified again, it is gone.
  ASSERT_TRUE(Change(registrar, "pipeline", Level(v1::CONFIDENTIALITY_RESTRICTED)).ok());
  EXPECT_EQ(Listed(*queries, reader, "energy"), Ids{"reactor"});
  EXPECT_EQ(SummaryCount(*queries, reader, "energy"), 1);
  EXPECT_EQ(SummaryCount(*queries, auditor, "energy"), 2);
}

TEST_F(WritingTest, AuditorsVerifyProofsOfConfidentialEvents) {
  ASSERT_TRUE(Record(kTokens.at("registrar"), "reactor", "energy",
                     v1::CONFIDENTIALITY_CONFIDENTIAL)
                  .ok());  // position 3
  auto audit = v1::AuditService::NewStub(channel_);
  const std::string& auditor = kTokens.at("auditor");
  v1::GetCheckpointResponse checkpoint;
  for (int attempt = 0; attempt < 100 && checkpoint.tree_size() < 3; ++attempt) {
    ASSERT_TRUE(audit
                    ->GetCheckpoint(Context(auditor).get(), v1::GetCheckpointRequest(),
                                    &checkpoint)
                    .ok());
    if (checkpoint.tree_size() < 3)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GE(checkpoint.tree_size(), 3u);
  auto verified = note::VerifyCheckpoint(checkpoint.note(), checkpoint.verifier_key());
  ASSERT_TRUE(verified.ok()) << verified.status();

  v1::GetInclusionProofRequest request;
  request.set_position(3);
  v1::GetInclusionProofResponse proof;
  ASSERT_TRUE(audit->GetInclusionProof(Context(auditor).get(), request, &proof).ok());
  v1::Event event;
  ASSERT_TRUE(event.ParseFromString(proof.event()));
  EXPECT_EQ(event.envelope().stream_id(), "reactor");
  const merkle::Hash leaf = merkle::LeafHash(proof.event());
  const std::vector<std::string> hashes(proof.proof().begin(), proof.proof().end());
  EXPECT_TRUE(merkle::VerifyInclusionBytes(
                  2, proof.tree_size(),
                  absl::string_view(reinterpret_cast<const char*>(leaf.data()), 32),
                  hashes,
                  std::string(reinterpret_cast<const char*>(verified->root.data()), 32))
                  .ok());
  EXPECT_EQ(audit->GetInclusionProof(Context(kTokens.at("reader")).get(), request, &proof)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(WritingTest, CorrectionsRevealNothingOfOtherStreams) {
  ASSERT_TRUE(Record(kTokens.at("registrar"), "cable", "telecom",
                     v1::CONFIDENTIALITY_CONFIDENTIAL)
                  .ok());  // position 3
  // A registrar of energy corrects "its" party kz, naming the position of the hidden
  // telecom agreement's event, then a position beyond the log: the same answer.
  auto correct = [&](uint64_t position) {
    v1::UpdatePartyRequest unused;
    v1::ExecuteBatchRequest batch;
    batch.mutable_context()->set_request_id(absl::StrCat("correct-", position));
    v1::Command* command = batch.add_commands();
    command->set_stream_type(v1::STREAM_TYPE_PARTY);
    command->set_stream_id("kz");
    auto* corrected = command->mutable_change()->mutable_record_corrected();
    corrected->set_corrected_position(position);
    corrected->mutable_field_mask()->add_paths("names");
    auto* name = corrected->mutable_party()->add_names();
    name->set_language("en");
    name->set_text("Kazakhstan");
    v1::ExecuteBatchResponse response;
    return commands_->ExecuteBatch(Context(kTokens.at("energy-desk")).get(), batch,
                                   &response);
  };
  grpc::Status hidden = correct(3);
  grpc::Status beyond = correct(99);
  EXPECT_EQ(hidden.error_code(), beyond.error_code());
  EXPECT_EQ(hidden.error_message(),
            absl::StrReplaceAll(beyond.error_message(), {{"99", "3"}}));
  EXPECT_EQ(hidden.error_message().find("cable"), std::string::npos)
      << hidden.error_message();
}

// Reads a Subscribe stream until an event at `last` (or the deadline) and returns the
// positions of the events it carried.
std::vector<uint64_t> FeedPositions(grpc::ClientReader<v1::SubscribeResponse>& reader,
                                    uint64_t last) {
  std::vector<uint64_t> positions;
  v1::SubscribeResponse message;
  while (reader.Read(&message)) {
    if (message.has_event()) positions.push_back(message.event().envelope().position());
    if (!positions.empty() && positions.back() >= last) break;
  }
  return positions;
}

TEST_F(WritingTest, ReaderFeedSkipsConfidentialEvents) {
  auto feeds = v1::FeedService::NewStub(channel_);
  v1::SubscribeRequest subscribe;
  subscribe.set_from_beginning(true);
  // A reader's feed opened before the writes (live), another one after (catch-up).
  grpc::ClientContext live_context;
  live_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  live_context.AddMetadata("authorization", "Bearer " + kTokens.at("reader"));
  auto live = feeds->Subscribe(&live_context, subscribe);

  const std::string& registrar = kTokens.at("registrar");
  // Positions 1 and 2 are the parties.
  ASSERT_TRUE(Record(registrar, "pipeline", "energy").ok());  // 3
  ASSERT_TRUE(Record(registrar, "reactor", "energy", v1::CONFIDENTIALITY_CONFIDENTIAL)
                  .ok());                                                             // 4
  ASSERT_TRUE(Change(registrar, "reactor", Adopted(12)).ok());                        // 5
  ASSERT_TRUE(Change(registrar, "pipeline", Adopted(13)).ok());                       // 6
  ASSERT_TRUE(Change(registrar, "reactor", Level(v1::CONFIDENTIALITY_PUBLIC)).ok());  // 7
  ASSERT_TRUE(
      Change(registrar, "pipeline", Level(v1::CONFIDENTIALITY_RESTRICTED)).ok());  // 8
  v1::EventPayload opened;
  opened.mutable_opened_for_signature()->set_place("Seoul");
  *opened.mutable_opened_for_signature()->mutable_date() = testing::Day(2009, 5, 14);
  ASSERT_TRUE(Change(registrar, "reactor", opened).ok());   // 9
  ASSERT_TRUE(Change(registrar, "pipeline", opened).ok());  // 10 (restricted)
  v1::RegisterPartyResponse party;
  ASSERT_TRUE(commands_
                  ->RegisterParty(Context(registrar).get(),
                                  StateParty("p-jp", "jp", "JP"),
                                  &party)
                  .ok());  // 11

  const std::vector<uint64_t> expected = {1, 2, 3, 6, 9, 11};
  EXPECT_EQ(FeedPositions(*live, 11), expected);
  live_context.TryCancel();
  live->Finish();

  grpc::ClientContext catch_up_context;
  catch_up_context.set_deadline(std::chrono::system_clock::now() +
                                std::chrono::seconds(20));
  catch_up_context.AddMetadata("authorization", "Bearer " + kTokens.at("reader"));
  auto catch_up = feeds->Subscribe(&catch_up_context, subscribe);
  EXPECT_EQ(FeedPositions(*catch_up, 11), expected);
  catch_up_context.TryCancel();
  catch_up->Finish();

  // The registrar of energy sees all of them; so does an auditor.
  grpc::ClientContext energy_context;
  energy_context.set_deadline(std::chrono::system_clock::now() +
                              std::chrono::seconds(20));
  energy_context.AddMetadata("authorization", "Bearer " + kTokens.at("energy-desk"));
  auto energy = feeds->Subscribe(&energy_context, subscribe);
  EXPECT_EQ(FeedPositions(*energy, 11),
            (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
  energy_context.TryCancel();
  energy->Finish();

  // A reader's sector watch shows the declassified agreement only.
  grpc::ClientContext watch_context;
  watch_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  watch_context.AddMetadata("authorization", "Bearer " + kTokens.at("reader"));
  v1::WatchSectorRequest watch_request;
  watch_request.set_sector("energy");
  auto watch = feeds->WatchSector(&watch_context, watch_request);
  std::vector<std::string> seen;
  v1::WatchSectorResponse update;
  while (watch->Read(&update) && !update.has_caught_up()) {
    if (update.has_update()) seen.push_back(update.update().agreement().id());
  }
  EXPECT_EQ(seen, std::vector<std::string>{"reactor"});
  watch_context.TryCancel();
  watch->Finish();
}

TEST_F(SecurityTest, TokenReloadSwapsTokensAllOrNothing) {
  services::ServerOptions options = Options();
  options.security.tokens_file = TokenFile({{"reader", "tok-old-reader-0a1b"}});
  StartServer(options);
  auto channel = Plaintext();
  v1::WhoAmIResponse who;
  ASSERT_TRUE(WhoAmI(channel, &who, "tok-old-reader-0a1b").ok());

  TokenFile({{"reader", "tok-new-reader-2c3d"}, {"admin", "tok-admin-4e5f"}});
  ASSERT_TRUE(server_->ReloadSecurity().ok());
  EXPECT_EQ(WhoAmI(channel, &who, "tok-old-reader-0a1b").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  ASSERT_TRUE(WhoAmI(channel, &who, "tok-new-reader-2c3d").ok());
  EXPECT_EQ(who.principal(), "reader");

  // A broken file is refused and the tokens in use stay.
  Write("tokens", "sha256:not-a-hash admin admin\n");
  absl::Status reloaded = server_->ReloadSecurity().status();
  EXPECT_EQ(reloaded.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(reloaded.message().find("line 1"), std::string::npos) << reloaded;
  ASSERT_TRUE(WhoAmI(channel, &who, "tok-new-reader-2c3d").ok());

  v1::GetSecurityStatusResponse status;
  ASSERT_TRUE(v1::SecurityService::NewStub(channel)
                  ->GetSecurityStatus(Context("tok-admin-4e5f").get(),
                                      v1::GetSecurityStatusRequest(), &status)
                  .ok());
  EXPECT_EQ(status.reloads(), 1);
  EXPECT_EQ(status.failed_reloads(), 1);
  EXPECT_NE(status.last_reload_error().find("line 1"), std::string::npos);
  EXPECT_EQ(status.token_count(), 2);
}

TEST_F(SecurityTest, CertificateReloadKeepsOpenStreams) {
  services::ServerOptions options = Options();
  options.security.tls_cert_file = Write("server.pem", certs_.server.cert_pem);
  options.security.tls_key_file = Write("server.key", certs_.server.key_pem);
  StartServer(options);
  auto old_channel = Tls(certs_.ca.cert_pem);
  auto commands = v1::CommandService::NewStub(old_channel);
  v1::RegisterPartyResponse party;
  ASSERT_TRUE(
      commands->RegisterParty(Context().get(), StateParty("p1", "kz", "KZ"), &party)
          .ok());

  // A feed opened before the reload.
  auto feeds = v1::FeedService::NewStub(old_channel);
  grpc::ClientContext feed_context;
  feed_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  v1::SubscribeRequest subscribe;
  subscribe.set_from_beginning(true);
  auto reader = feeds->Subscribe(&feed_context, subscribe);
  v1::SubscribeResponse message;
  auto next_event_position = [&]() -> uint64_t {
    for (int i = 0; i < 100 && reader->Read(&message); ++i) {
      if (message.has_event()) return message.event().envelope().position();
    }
    return 0;
  };
  ASSERT_EQ(next_event_position(), 1u);

  // The server's certificate is replaced by one from another CA.
  const CertAndKey renewed =
      Leaf(certs_.other_ca, "registry", {"DNS:localhost", "IP:127.0.0.1"},
           testing::CertUsage::kServer);
  Write("server.pem", renewed.cert_pem);
  Write("server.key", renewed.key_pem);
  ASSERT_TRUE(server_->ReloadSecurity().ok());

  // New connections get the new certificate (gRPC looks at the staged copies every
  // second); the bound is generous for a loaded machine.
  bool renewed_seen = false;
  for (int attempt = 0; attempt < 40 && !renewed_seen; ++attempt) {
    v1::WhoAmIResponse who;
    renewed_seen = WhoAmI(Tls(certs_.other_ca.cert_pem), &who).ok();
    if (!renewed_seen) std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_TRUE(renewed_seen);
  v1::WhoAmIResponse who;
  EXPECT_EQ(WhoAmI(Tls(certs_.ca.cert_pem), &who).error_code(),
            grpc::StatusCode::UNAVAILABLE);

  // The open connection and its feed were not dropped.
  ASSERT_TRUE(
      commands->RegisterParty(Context().get(), StateParty("p2", "kr", "KR"), &party)
          .ok());
  EXPECT_EQ(next_event_position(), 2u);
  feed_context.TryCancel();
  reader->Finish();
}

TEST_F(SecurityTest, NonLoopbackWithoutTlsNeedsInsecure) {
  EXPECT_TRUE(services::IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(services::IsLoopbackHost("localhost"));
  EXPECT_TRUE(services::IsLoopbackHost("[::1]"));
  EXPECT_FALSE(services::IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(services::IsLoopbackHost("[::]"));
  EXPECT_FALSE(services::IsLoopbackHost("registry.example.org"));
  EXPECT_FALSE(services::IsLoopbackHost("127.example.org"));
  EXPECT_TRUE(services::IsLoopbackHost("127.0.0.2"));
  EXPECT_TRUE(services::IsLoopbackHost("::1"));

  services::ServerOptions options = Options();
  options.listen = "0.0.0.0:0";
  auto server = services::RegistryServer::Start(options);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(server.status().message().find("--insecure"), std::string::npos);

  // TLS without access control is refused the same way.
  options.security.tls_cert_file = Write("server.pem", certs_.server.cert_pem);
  options.security.tls_key_file = Write("server.key", certs_.server.key_pem);
  server = services::RegistryServer::Start(options);
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.status().message().find("without access control"), std::string::npos);
}

TEST_F(SecurityTest, ServerBinaryReloadsOnSighup) {
  const std::string old_token = "tok-sighup-old-1a2b";
  const std::string new_token = "tok-sighup-new-3c4d";
  const std::string tokens = TokenFile({{"reader", old_token}});
  testing::ServerProcess process(AGREEMENTS_SERVER_BIN, dir_.path() + "/data",
                                 {"--tokens=" + tokens});
  ASSERT_TRUE(process.Start());
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto channel = grpc::CreateCustomChannel(process.target(),
                                           grpc::InsecureChannelCredentials(), args);
  v1::WhoAmIResponse who;
  ASSERT_TRUE(WhoAmI(channel, &who, old_token).ok());

  TokenFile({{"reader", new_token}});
  process.Signal(SIGHUP);
  bool reloaded = false;
  for (int attempt = 0; attempt < 50 && !reloaded; ++attempt) {
    reloaded = WhoAmI(channel, &who, new_token).ok();
    if (!reloaded) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(reloaded);
  EXPECT_EQ(WhoAmI(channel, &who, old_token).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // Without an idle connection open, the server stops at once (with one it takes about
  // 5 s for gRPC to let go of it).
  channel.reset();
  EXPECT_EQ(process.Stop(), 0);
}

}  // namespace
}  // namespace agreements
