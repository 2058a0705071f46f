// End to end, as an attacker would try: a reader and a registrar limited to one sector,
// over TLS with a token file and the policy file, try to learn about agreements they may
// not see from the live sector view, the shape of lists, page tokens, server-assigned
// ids and reads that wait for a position (docs/security.md, "What a caller can learn").
#include <dirent.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "agreements/v1/command_service.grpc.pb.h"
#include "agreements/v1/feed_service.grpc.pb.h"
#include "agreements/v1/query_service.grpc.pb.h"
#include "agreements/v1/security_service.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "security/policy.h"
#include "services/server.h"
#include "store/store.h"
#include "tests/test_certs.h"
#include "tests/test_support.h"

namespace agreements {
namespace {

namespace v1 = ::agreements::v1;
using testing::TempDir;

// Token -> principal. Roles of "admin" come from the token file, the others' from the
// policy file.
const std::map<std::string, std::string> kPrincipals = {
    {"tok-admin-4f1c", "admin"},
    {"tok-reader-9d2e", "reader"},
    {"tok-reader2-7a3b", "second-reader"},
    {"tok-telecom-2c8d", "telecom-desk"},
};
constexpr char kAdmin[] = "tok-admin-4f1c";
constexpr char kReader[] = "tok-reader-9d2e";
constexpr char kSecondReader[] = "tok-reader2-7a3b";
constexpr char kTelecomDesk[] = "tok-telecom-2c8d";

constexpr char kPolicy[] =
    "# the attacker's roles\n"
    "reader         reader\n"
    "second-reader  reader\n"
    "telecom-desk   registrar:telecom\n";

std::unique_ptr<grpc::ClientContext> Context(const std::string& token, int seconds = 10) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  context->AddMetadata("authorization", "Bearer " + token);
  return context;
}

// One registry over TLS in its own directory, with the parties kz and kr and three
// agreements: public energy, confidential energy, public telecom.
class Registry {
 public:
  explicit Registry(services::PositionWaitOptions waits = {}) {
    auto ca = testing::MakeCa("Attack Test CA");
    testing::LeafOptions leaf;
    leaf.common_name = "registry";
    leaf.sans = {"DNS:localhost", "IP:127.0.0.1"};
    leaf.usage = testing::CertUsage::kServer;
    auto server_cert = testing::MakeLeaf(*ca, leaf);
    ca_pem_ = ca->cert_pem;
    std::string tokens;
    for (const auto& [token, principal] : kPrincipals) {
      absl::StrAppend(&tokens, "sha256:", security::TokenDigest(token), " ", principal,
                      principal == "admin" ? " admin" : "", "\n");
    }
    services::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = dir_.path() + "/data";
    options.security.tls_cert_file = Write("server.pem", server_cert->cert_pem);
    options.security.tls_key_file = Write("server.key", server_cert->key_pem);
    options.security.tokens_file = Write("tokens", tokens);
    options.security.policy_file = Write("policy", kPolicy);
    options.position_waits = waits;
    auto server = services::RegistryServer::Start(std::move(options));
    EXPECT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ca_pem_;
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    channel_ = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                         grpc::SslCredentials(ssl), args);
    commands_ = v1::CommandService::NewStub(channel_);
    queries_ = v1::QueryService::NewStub(channel_);
    feeds_ = v1::FeedService::NewStub(channel_);
  }

  void Seed() {
    for (const auto& [id, country] : {std::make_pair("kz", "KZ"), {"kr", "KR"}}) {
      v1::RegisterPartyResponse party;
      ASSERT_TRUE(
          commands_
              ->RegisterParty(Context(kAdmin).get(),
                              testing::StateParty(absl::StrCat("p-", id), id, country),
                              &party)
              .ok());
    }
    ASSERT_TRUE(Record("pub-energy", "energy").ok());
    ASSERT_TRUE(Record("conf-energy", "energy", v1::CONFIDENTIALITY_CONFIDENTIAL).ok());
    ASSERT_TRUE(Record("pub-telecom", "telecom").ok());
  }

  grpc::Status Record(const std::string& id, const std::string& sector,
                      v1::Confidentiality level = v1::CONFIDENTIALITY_PUBLIC,
                      v1::RecordAgreementResponse* response = nullptr) {
    v1::RecordAgreementRequest request = testing::BindingAgreement(
        absl::StrCat("r-", id, "-", ++changes_), id, {"kz", "kr"}, sector);
    request.mutable_agreement()->set_confidentiality(level);
    request.set_initial_status(v1::AGREEMENT_STATUS_NEGOTIATING);
    v1::RecordAgreementResponse ignored;
    return commands_->RecordAgreement(Context(kAdmin).get(), request,
                                      response != nullptr ? response : &ignored);
  }

  // A change that any agreement takes (a document); returns its position.
  uint64_t Touch(const std::string& id) {
    v1::ApplyAgreementChangeRequest request;
    request.mutable_context()->set_request_id(absl::StrCat("t-", id, "-", ++changes_));
    request.set_agreement_id(id);
    v1::DocumentReference* document =
        request.mutable_change()->mutable_document_attached()->mutable_document();
    document->set_url(absl::StrCat("https://example.org/", id, "/", changes_));
    document->set_sha256(std::string(64, 'a'));
    v1::ApplyAgreementChangeResponse response;
    grpc::Status status =
        commands_->ApplyAgreementChange(Context(kAdmin).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.result().last_position();
  }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_.path() + "/" + name;
    EXPECT_TRUE(testing::WritePem(path, text).ok());
    return path;
  }

  TempDir dir_;
  std::string ca_pem_;
  std::unique_ptr<services::RegistryServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CommandService::Stub> commands_;
  std::unique_ptr<v1::QueryService::Stub> queries_;
  std::unique_ptr<v1::FeedService::Stub> feeds_;
  int changes_ = 0;
};

// What a watcher can observe of one message: its kind and positions, the agreement and
// revision of an update or removal (not recorded times, which differ between runs).
std::string Shape(const v1::WatchSectorResponse& message) {
  switch (message.kind_case()) {
    case v1::WatchSectorResponse::kUpdate:
      return absl::StrCat("update ", message.update().position(), " ",
                          message.update().agreement().id(), "@",
                          message.update().agreement().revision(),
                          message.update().snapshot() ? " snapshot" : "");
    case v1::WatchSectorResponse::kRemoved:
      return absl::StrCat("removed ", message.removed().position(), " ",
                          message.removed().agreement_id());
    case v1::WatchSectorResponse::kCheckpoint:
      return absl::StrCat("checkpoint ", message.checkpoint().position());
    case v1::WatchSectorResponse::kCaughtUp:
      return absl::StrCat("caught_up ", message.caught_up().position());
    case v1::WatchSectorResponse::kFellBehind:
      return absl::StrCat("fell_behind ", message.fell_behind().position());
    default:
      return "other";
  }
}

using Watch = grpc::ClientReader<v1::WatchSectorResponse>;

// Reads until an update of `id` at `revision` (bounded by the context's deadline).
void ReadUntil(Watch& watch, const std::string& id, uint64_t revision,
               std::vector<std::string>& shapes) {
  v1::WatchSectorResponse message;
  while (watch.Read(&message)) {
    shapes.push_back(Shape(message));
    if (message.has_update() && message.update().agreement().id() == id &&
        message.update().agreement().revision() == revision) {
      return;
    }
  }
  ADD_FAILURE() << "the watch ended before " << id << "@" << revision;
}

v1::WatchSectorRequest EnergyWatch(uint64_t resume_after) {
  v1::WatchSectorRequest request;
  request.set_sector("energy");
  request.set_resume_after(resume_after);
  request.set_checkpoint_every_events(1);  // as frequent as the attacker can ask
  request.set_checkpoint_interval_ms(3600000);
  return request;
}

// The messages `token` receives from the energy watch, live and in catch-up, around
// one event on `other` followed by a visible change of pub-energy.
std::vector<std::string> WatchAround(const std::string& token, const std::string& other) {
  Registry registry;
  registry.Seed();
  std::vector<std::string> shapes;
  auto live_context = Context(token, 20);
  auto live = registry.feeds_->WatchSector(live_context.get(), EnergyWatch(0));
  v1::WatchSectorResponse message;
  while (live->Read(&message)) {
    shapes.push_back(Shape(message));
    if (message.has_caught_up()) break;
  }
  const uint64_t before = registry.Touch("pub-telecom");  // the same in every run
  registry.Touch(other);
  registry.Touch("pub-energy");
  ReadUntil(*live, "pub-energy", 2, shapes);
  live_context->TryCancel();
  live->Finish();
  shapes.push_back("-- catch-up --");
  auto catch_up_context = Context(token, 20);
  auto catch_up =
      registry.feeds_->WatchSector(catch_up_context.get(), EnergyWatch(before));
  ReadUntil(*catch_up, "pub-energy", 2, shapes);
  catch_up_context->TryCancel();
  catch_up->Finish();
  return shapes;
}

TEST(ConfidentialityAttackTest, TheSectorWatchOfAReaderIsTheSameForHiddenAndOtherEvents) {
  const std::vector<std::string> hidden = WatchAround(kReader, "conf-energy");
  const std::vector<std::string> unrelated = WatchAround(kReader, "pub-telecom");
  EXPECT_EQ(hidden, unrelated);
  EXPECT_GT(hidden.size(), 4u);
}

TEST(ConfidentialityAttackTest, TheSectorWatchOfARegistrarOutsideItsSectorIsTheSame) {
  const std::vector<std::string> hidden = WatchAround(kTelecomDesk, "conf-energy");
  const std::vector<std::string> unrelated = WatchAround(kTelecomDesk, "pub-telecom");
  EXPECT_EQ(hidden, unrelated);
}

v1::ListAgreementsResponse ListOf(Registry& registry, const std::string& token,
                                  v1::ListAgreementsRequest request,
                                  grpc::Status* status = nullptr) {
  v1::ListAgreementsResponse response;
  grpc::Status got =
      registry.queries_->ListAgreements(Context(token).get(), request, &response);
  if (status != nullptr) {
    *status = got;
  } else {
    EXPECT_TRUE(got.ok()) << got.error_message();
  }
  return response;
}

TEST(ConfidentialityAttackTest, AListEndsWhereTheVisibleEntriesEnd) {
  Registry registry;
  registry.Seed();
  // Hidden agreements of kz sort after every visible one.
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(registry
                    .Record(absl::StrCat("zz-hidden-", i), "energy",
                            v1::CONFIDENTIALITY_RESTRICTED)
                    .ok());
  }
  v1::ListAgreementsRequest request;
  request.set_party_id("kz");
  request.set_page_size(2);  // exactly the visible ones: pub-energy, pub-telecom
  const v1::ListAgreementsResponse page = ListOf(registry, kReader, request);
  EXPECT_EQ(page.agreements_size(), 2);
  EXPECT_EQ(page.next_page_token(), "") << "the token tells that hidden entries follow";
  // The same caller, a party that appears only in hidden agreements: the answer of a
  // party in no agreement at all.
  v1::RegisterPartyResponse party;
  ASSERT_TRUE(registry.commands_
                  ->RegisterParty(Context(kAdmin).get(),
                                  testing::StateParty("p-jp", "jp", "JP"), &party)
                  .ok());
  v1::RecordAgreementRequest secret =
      testing::BindingAgreement("r-secret", "secret", {"kz", "jp"}, "energy");
  secret.mutable_agreement()->set_confidentiality(v1::CONFIDENTIALITY_CONFIDENTIAL);
  secret.set_initial_status(v1::AGREEMENT_STATUS_NEGOTIATING);
  v1::RecordAgreementResponse recorded;
  ASSERT_TRUE(
      registry.commands_->RecordAgreement(Context(kAdmin).get(), secret, &recorded).ok());
  request.set_party_id("jp");
  const v1::ListAgreementsResponse jp = ListOf(registry, kReader, request);
  request.set_party_id("kr");
  *request.mutable_signed_from() = testing::Day(2999, 1, 1);  // matches nothing visible
  const v1::ListAgreementsResponse none = ListOf(registry, kReader, request);
  EXPECT_EQ(jp.agreements_size(), 0);
  EXPECT_EQ(jp.next_page_token(), "");
  EXPECT_EQ(none.next_page_token(), "");
  // An admin sees the hidden ones, so its first page does continue.
  request.clear_signed_from();
  request.set_party_id("kz");
  EXPECT_NE(ListOf(registry, kAdmin, request).next_page_token(), "");
}

TEST(ConfidentialityAttackTest, HiddenAndAbsentAgreementsGetTheSameAnswer) {
  Registry registry;
  registry.Seed();
  v1::GetAgreementRequest get;
  v1::GetAgreementResponse got;
  get.set_agreement_id("conf-energy");
  grpc::Status hidden =
      registry.queries_->GetAgreement(Context(kReader).get(), get, &got);
  get.set_agreement_id("conf-energz");
  grpc::Status absent =
      registry.queries_->GetAgreement(Context(kReader).get(), get, &got);
  EXPECT_EQ(hidden.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(absent.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(hidden.error_message().size(), absent.error_message().size());
  EXPECT_FALSE(got.has_agreement());
  // The registrar of telecom does not see it either; an admin does.
  get.set_agreement_id("conf-energy");
  EXPECT_EQ(registry.queries_->GetAgreement(Context(kTelecomDesk).get(), get, &got)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(registry.queries_->GetAgreement(Context(kAdmin).get(), get, &got).ok());
  EXPECT_EQ(got.agreement().id(), "conf-energy");

  // The clearance is decided before the view is read: with the hidden agreement's
  // stored view broken, a reader still gets NOT_FOUND, and only an admin, who may see
  // it, reaches the broken view (DATA_LOSS).
  const store::Store* store = registry.server_->TEST_store();
  ASSERT_TRUE(store->db()
                  ->Put(rocksdb::WriteOptions(), store->agreements(), "conf-energy",
                        "\xff not an agreement")
                  .ok());
  EXPECT_EQ(
      registry.queries_->GetAgreement(Context(kReader).get(), get, &got).error_code(),
      grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(
      registry.queries_->GetAgreement(Context(kAdmin).get(), get, &got).error_code(),
      grpc::StatusCode::DATA_LOSS);
}

TEST(ConfidentialityAttackTest, PageTokensWorkOnlyForTheirOwnerRpcAndFilters) {
  Registry registry;
  registry.Seed();
  for (const char* id : {"b", "bb-restricted-agreement", "c"}) {
    ASSERT_TRUE(registry.Record(id, "energy", v1::CONFIDENTIALITY_RESTRICTED).ok());
  }
  v1::ListAgreementsRequest request;
  request.set_page_size(1);
  // An admin's first page ends at "b": hidden from readers.
  const std::string admin_token = ListOf(registry, kAdmin, request).next_page_token();
  ASSERT_NE(admin_token, "");
  request.set_page_token(admin_token);
  grpc::Status status;
  ListOf(registry, kReader, request, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("page_token"), std::string::npos);

  // Another reader cannot use a reader's token either, nor ListParties.
  request.clear_page_token();
  const std::string reader_token = ListOf(registry, kReader, request).next_page_token();
  ASSERT_NE(reader_token, "");
  request.set_page_token(reader_token);
  ListOf(registry, kSecondReader, request, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(ListOf(registry, kReader, request, &status).agreements_size() == 1 &&
              status.ok());
  v1::ListPartiesRequest parties;
  parties.set_page_size(1);
  v1::ListPartiesResponse party_page;
  parties.set_page_token(reader_token);
  EXPECT_EQ(registry.queries_->ListParties(Context(kReader).get(), parties, &party_page)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // Tokens that end at ids of different lengths have one length.
  request.clear_page_token();
  std::vector<size_t> lengths;
  for (int page = 0; page < 4; ++page) {
    const v1::ListAgreementsResponse got = ListOf(registry, kAdmin, request);
    if (got.next_page_token().empty()) break;
    lengths.push_back(got.next_page_token().size());
    request.set_page_token(got.next_page_token());
  }
  ASSERT_GE(lengths.size(), 3u);
  for (size_t length : lengths) EXPECT_EQ(length, lengths.front());
}

TEST(ConfidentialityAttackTest, ServerAssignedIdsDoNotFollowPositions) {
  Registry registry;
  registry.Seed();
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    v1::RecordAgreementResponse response;
    ASSERT_TRUE(
        registry.Record("", "energy", v1::CONFIDENTIALITY_CONFIDENTIAL, &response).ok());
    const std::string& id = response.agreement().id();
    EXPECT_NE(id, absl::StrCat("a-", response.result().last_position()));
    EXPECT_NE(id.find_first_not_of("0123456789", 2), std::string::npos) << id;
    ids.push_back(id);
  }
  EXPECT_NE(ids[0], ids[1]);
  EXPECT_NE(ids[1], ids[2]);
}

TEST(ConfidentialityAttackTest, ARefusalNamesNoSectorOfAHiddenAgreement) {
  Registry registry;
  registry.Seed();
  v1::ApplyAgreementChangeRequest request;
  request.mutable_context()->set_request_id("probe");
  request.set_agreement_id("conf-energy");
  v1::DocumentReference* document =
      request.mutable_change()->mutable_document_attached()->mutable_document();
  document->set_url("https://example.org/probe");
  document->set_sha256(std::string(64, 'b'));
  v1::ApplyAgreementChangeResponse response;
  grpc::Status status = registry.commands_->ApplyAgreementChange(
      Context(kTelecomDesk).get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Neither its sector nor whether it has one ("conf-energy" is only its id).
  EXPECT_EQ(status.error_message().find("in sector"), std::string::npos)
      << status.error_message();
  EXPECT_EQ(status.error_message().find("no sector"), std::string::npos)
      << status.error_message();
  EXPECT_EQ(status.error_message().find("(energy"), std::string::npos)
      << status.error_message();
  // A public agreement of another sector is visible, and its refusal says why.
  request.set_agreement_id("pub-energy");
  status = registry.commands_->ApplyAgreementChange(Context(kTelecomDesk).get(), request,
                                                    &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(status.error_message().find("in sector energy"), std::string::npos)
      << status.error_message();
}

int ThreadCount() {
  int count = 0;
  DIR* tasks = opendir("/proc/self/task");
  if (tasks == nullptr) return -1;
  while (readdir(tasks) != nullptr) ++count;
  closedir(tasks);
  return count - 2;  // "." and ".."
}

TEST(ConfidentialityAttackTest, ReadsWaitingForAPositionHoldNoThreadAndAreLimited) {
  // Declared before the registry: the calls' callbacks use them until the server ends.
  absl::Mutex mu;
  std::map<grpc::StatusCode, int> outcomes;
  int done = 0;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<v1::GetAgreementRequest>> requests;
  std::vector<std::unique_ptr<v1::GetAgreementResponse>> responses;
  services::PositionWaitOptions waits;
  waits.max_waits_per_principal = 200;
  waits.max_waits = 300;
  waits.reserved_waits = 20;
  Registry registry(waits);
  registry.Seed();
  const uint64_t ahead = registry.Touch("pub-energy") + 1;
  const int threads_before = ThreadCount();

  auto start = [&](const std::string& token) {
    contexts.push_back(Context(token, 30));
    requests.push_back(std::make_unique<v1::GetAgreementRequest>());
    requests.back()->set_agreement_id("pub-energy");
    requests.back()->set_min_position(ahead);
    responses.push_back(std::make_unique<v1::GetAgreementResponse>());
    registry.queries_->async()->GetAgreement(contexts.back().get(), requests.back().get(),
                                             responses.back().get(),
                                             [&](grpc::Status status) {
                                               absl::MutexLock lock(&mu);
                                               ++outcomes[status.error_code()];
                                               ++done;
                                             });
  };
  // The reader takes its 200 slots and asks for 20 more, which are refused at once.
  for (int i = 0; i < 220; ++i) start(kReader);
  {
    absl::MutexLock lock(&mu);
    auto twenty_refused = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
      return outcomes[grpc::StatusCode::RESOURCE_EXHAUSTED] == 20;
    };
    EXPECT_TRUE(mu.AwaitWithTimeout(absl::Condition(&twenty_refused), absl::Seconds(20)));
  }
  // Another caller still gets a slot; the server still has few threads.
  auto settle = [&](size_t waiting, int refused) {
    const absl::Time give_up = absl::Now() + absl::Seconds(20);
    while (absl::Now() < give_up) {
      {
        absl::MutexLock lock(&mu);
        if (registry.server_->query_waiting() == waiting &&
            outcomes[grpc::StatusCode::RESOURCE_EXHAUSTED] == refused) {
          return;
        }
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    ADD_FAILURE() << "waiting " << registry.server_->query_waiting() << ", expected "
                  << waiting;
  };
  for (int i = 0; i < 50; ++i) start(kSecondReader);
  settle(250, 20);
  // Readers fill what is open to them (300 less the 20 kept for admins and auditors):
  // 30 more waits, then 10 refusals.
  for (int i = 0; i < 40; ++i) start(kSecondReader);
  settle(280, 30);
  // An admin still gets the kept ones, and no more.
  for (int i = 0; i < 21; ++i) start(kAdmin);
  settle(300, 31);
  v1::GetSecurityStatusResponse security;
  ASSERT_TRUE(v1::SecurityService::NewStub(registry.channel_)
                  ->GetSecurityStatus(Context(kAdmin).get(), {}, &security)
                  .ok());
  EXPECT_EQ(security.read_waits().waiting_count(), 300);
  EXPECT_EQ(security.read_waits().refused_count(), 31);
  EXPECT_EQ(security.read_waits().max_waits_per_principal(), 200);
  EXPECT_EQ(security.read_waits().reserved_waits(), 20);
  EXPECT_LT(ThreadCount() - threads_before, 100)
      << "300 waiting reads should not take 300 threads";
  // The position arrives: every waiting read answers.
  registry.Touch("pub-telecom");
  {
    absl::MutexLock lock(&mu);
    auto all_done = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return done == 331; };
    EXPECT_TRUE(mu.AwaitWithTimeout(absl::Condition(&all_done), absl::Seconds(20)));
    EXPECT_EQ(outcomes[grpc::StatusCode::OK], 300);
    EXPECT_EQ(outcomes[grpc::StatusCode::RESOURCE_EXHAUSTED], 31);
  }
}

}  // namespace
}  // namespace agreements
