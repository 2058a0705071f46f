// End to end: the limits per caller (docs/security.md, Limits per caller), each played
// by an attacker against a real server on 127.0.0.1 with TLS, a token file and a policy
// file: a reader that fills the feed slots, a reader over its request rate, an address
// that guesses tokens, and callers that a reload (SIGHUP) revokes while their streams
// are open. Every client of these tests shares the address 127.0.0.1, like clients
// behind one proxy.
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "agreements/v1/command_service.grpc.pb.h"
#include "agreements/v1/feed_service.grpc.pb.h"
#include "agreements/v1/query_service.grpc.pb.h"
#include "agreements/v1/security_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "security/policy.h"
#include "services/server.h"
#include "tests/secure_test_util.h"
#include "tests/test_support.h"

namespace agreements {
namespace {

namespace v1 = ::agreements::v1;
using testing::BearerContext;
using testing::CertAndKey;
using testing::Leaf;
using testing::Must;
using testing::TempDir;
using testing::TrailingValue;

constexpr char kAliceSan[] = "spiffe://registry/alice";

// Each principal's token and the grants of its token line ("" takes them from the
// policy file).
struct TokenGrant {
  std::string token;
  std::string grants;
};
using TokenTable = std::map<std::string, TokenGrant>;

const TokenTable kTokens = {
    {"reader-a", {"tok-limits-reader-a-41c2", "reader"}},
    {"reader-b", {"tok-limits-reader-b-93d0", "reader"}},
    {"reader-c", {"tok-limits-reader-c-27e8", "reader"}},
    {"auditor", {"tok-limits-auditor-5f1a", "auditor"}},
    {"admin", {"tok-limits-admin-c0b7", "admin"}},
    {"energy-desk", {"tok-limits-energy-6a3e", "registrar:energy"}},
    {"demoted", {"tok-limits-demoted-8e44", ""}},
    {"revoked", {"tok-limits-revoked-1d9b", "reader"}},
    {"promoted", {"tok-limits-promoted-b2f6", "reader"}},
};
// "demoted" holds its role through the policy; alice's certificate through its line.
const char kPolicy[] = "demoted reader\nspiffe://registry/alice registrar:energy\n";

const std::string& TokenOf(const std::string& principal) {
  return kTokens.at(principal).token;
}

// One feed stream of the test, opened by `open(context)`; cancelled by the destructor
// if still open.
template <typename Response>
class Feed {
 public:
  template <typename Open>
  Feed(std::unique_ptr<grpc::ClientContext> context, Open open)
      : context_(std::move(context)), reader_(open(context_.get())) {}
  ~Feed() {
    if (finished_) return;
    context_->TryCancel();
    End();
  }

  // Whether the server sent a first message (it admitted the stream).
  bool Admitted() { return reader_->Read(&last_); }
  // Reads until a message satisfies `match` (true) or the stream ends (false).
  template <typename Match>
  bool ReadUntil(Match match) {
    while (reader_->Read(&last_)) {
      if (match(last_)) return true;
    }
    return false;
  }
  // Reads to the end of the stream and returns its status.
  grpc::Status End() {
    while (reader_->Read(&last_)) {
    }
    finished_ = true;
    return reader_->Finish();
  }

 private:
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientReader<Response>> reader_;
  Response last_;
  bool finished_ = false;
};

using Subscription = Feed<v1::SubscribeResponse>;
using SectorWatch = Feed<v1::WatchSectorResponse>;

class LimitsTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_.path() + "/" + name;
    EXPECT_TRUE(testing::WritePem(path, text).ok());
    return path;
  }

  std::string WriteTokens(const TokenTable& tokens) {
    std::string text;
    for (const auto& [principal, entry] : tokens) {
      absl::StrAppend(&text, "sha256:", security::TokenDigest(entry.token), " ",
                      principal, " ", entry.grants, "\n");
    }
    return Write("tokens", text);
  }

  // TLS, client certificates verified when presented, the tokens and the policy.
  services::ServerOptions Options() {
    services::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = dir_.path() + "/data";
    options.security.tls_cert_file = Write("server.pem", server_cert_.cert_pem);
    options.security.tls_key_file = Write("server.key", server_cert_.key_pem);
    options.security.tls_client_ca_file = Write("clients-ca.pem", ca_.cert_pem);
    options.security.client_certificates = services::ClientCertificates::kOptional;
    options.security.tokens_file = WriteTokens(kTokens);
    options.security.policy_file = Write("policy", kPolicy);
    return options;
  }

  void Start(services::ServerOptions options) {
    auto server = services::RegistryServer::Start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    const std::string target = absl::StrCat("127.0.0.1:", server_->port());
    channel_ = testing::TlsChannel(target, ca_.cert_pem);
    alice_channel_ = testing::TlsChannel(target, ca_.cert_pem, &alice_);
  }

  std::unique_ptr<Subscription> Subscribe(const std::string& principal,
                                          bool from_now = true) {
    return Subscribe(channel_, TokenOf(principal), from_now);
  }
  std::unique_ptr<Subscription> Subscribe(const std::shared_ptr<grpc::Channel>& channel,
                                          const std::string& token, bool from_now) {
    v1::SubscribeRequest request;
    if (from_now) request.set_from_now(true);
    return std::make_unique<Subscription>(
        BearerContext(token, absl::Seconds(30)), [&](grpc::ClientContext* context) {
          return v1::FeedService::NewStub(channel)->Subscribe(context, request);
        });
  }
  std::unique_ptr<SectorWatch> Watch(const std::string& principal,
                                     const std::string& sector) {
    v1::WatchSectorRequest request;
    request.set_sector(sector);
    return std::make_unique<SectorWatch>(
        BearerContext(TokenOf(principal), absl::Seconds(30)),
        [&](grpc::ClientContext* context) {
          return v1::FeedService::NewStub(channel_)->WatchSector(context, request);
        });
  }

  grpc::Status WhoAmI(const std::string& token,
                      std::unique_ptr<grpc::ClientContext>* kept = nullptr) {
    auto context = BearerContext(token);
    v1::WhoAmIResponse response;
    grpc::Status status = v1::SecurityService::NewStub(channel_)->WhoAmI(
        context.get(), v1::WhoAmIRequest(), &response);
    if (kept != nullptr) *kept = std::move(context);
    return status;
  }

  v1::GetSecurityStatusResponse SecurityStatus() {
    v1::GetSecurityStatusResponse response;
    grpc::Status status = v1::SecurityService::NewStub(channel_)->GetSecurityStatus(
        BearerContext(TokenOf("admin")).get(), v1::GetSecurityStatusRequest(), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  grpc::Status RegisterParty(const std::string& id, const std::string& country) {
    v1::RegisterPartyResponse response;
    return v1::CommandService::NewStub(channel_)->RegisterParty(
        BearerContext(TokenOf("admin")).get(),
        testing::StateParty("register-" + id, id, country), &response);
  }

  TempDir dir_;
  CertAndKey ca_ = Must(testing::MakeCa("Limits Test CA"));
  CertAndKey server_cert_ = Leaf(ca_, "registry", {"DNS:localhost", "IP:127.0.0.1"},
                                 testing::CertUsage::kServer);
  CertAndKey alice_ =
      Leaf(ca_, "Alice", {std::string("URI:") + kAliceSan}, testing::CertUsage::kClient);
  std::unique_ptr<services::RegistryServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::shared_ptr<grpc::Channel> alice_channel_;
};

// The limit a RESOURCE_EXHAUSTED refusal names, as counted in GetSecurityStatus.
std::map<std::string, int64_t> StreamRefusals(
    const v1::GetSecurityStatusResponse& status) {
  std::map<std::string, int64_t> refusals;
  for (const auto& refusal : status.streams().refusals()) {
    refusals[refusal.limit()] = refusal.count();
  }
  return refusals;
}

template <typename Response>
void ExpectRefused(Feed<Response>& feed, const std::string& limit) {
  EXPECT_FALSE(feed.Admitted());
  grpc::Status status = feed.End();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << status.error_message();
  EXPECT_TRUE(absl::StartsWith(status.error_message(), limit + ":"))
      << status.error_message();
}

TEST_F(LimitsTest, ReadersCannotTakeTheSlotsOfAdminsAndAuditors) {
  services::ServerOptions options = Options();
  options.feeds.max_streams = 6;
  options.feeds.max_streams_per_principal = 2;
  options.feeds.reserved_streams = 2;
  Start(options);

  // A reader takes its two streams, Subscribe and WatchSector together.
  auto a1 = Subscribe("reader-a");
  auto a2 = Watch("reader-a", "energy");
  ASSERT_TRUE(a1->Admitted());
  ASSERT_TRUE(a2->Admitted());
  ExpectRefused(*Subscribe("reader-a"), "max_streams_per_principal");
  // A second reader takes the last slots open to readers; a third gets none.
  auto b1 = Subscribe("reader-b");
  auto b2 = Subscribe("reader-b");
  ASSERT_TRUE(b1->Admitted());
  ASSERT_TRUE(b2->Admitted());
  ExpectRefused(*Subscribe("reader-c"), "reserved_streams");
  ExpectRefused(*Watch("reader-c", "energy"), "reserved_streams");

  // The administrator and the auditor still subscribe, in the reserved slots.
  auto admin = Subscribe("admin");
  auto auditor = Watch("auditor", "energy");
  EXPECT_TRUE(admin->Admitted());
  EXPECT_TRUE(auditor->Admitted());
  ExpectRefused(*Subscribe("auditor"), "max_streams");

  const v1::GetSecurityStatusResponse status = SecurityStatus();
  EXPECT_EQ(status.streams().max_streams(), 6);
  EXPECT_EQ(status.streams().max_streams_per_principal(), 2);
  EXPECT_EQ(status.streams().reserved_streams(), 2);
  EXPECT_EQ(status.streams().open_stream_count(), 6);
  EXPECT_EQ(StreamRefusals(status),
            (std::map<std::string, int64_t>{{"max_streams", 1},
                                            {"max_streams_per_principal", 1},
                                            {"reserved_streams", 2}}));
}

// The retry-after-ms of a refused call, in milliseconds (0 if absent or malformed).
int64_t RetryAfterMillis(const grpc::ClientContext& context) {
  int64_t millis = 0;
  std::optional<std::string> value = TrailingValue(context, "retry-after-ms");
  if (!value.has_value() || !absl::SimpleAtoi(*value, &millis)) return 0;
  return millis;
}

grpc::Status ListSectors(const std::shared_ptr<grpc::Channel>& channel,
                         const std::string& token,
                         std::unique_ptr<grpc::ClientContext>* kept = nullptr) {
  auto context = BearerContext(token);
  v1::ListSectorsResponse response;
  grpc::Status status = v1::QueryService::NewStub(channel)->ListSectors(
      context.get(), v1::ListSectorsRequest(), &response);
  if (kept != nullptr) *kept = std::move(context);
  return status;
}

TEST_F(LimitsTest, AReaderOverItsRateIsToldWhenToRetryAndOthersGoOn) {
  services::ServerOptions options = Options();
  options.security.limits.rate.calls_per_second = 2;
  options.security.limits.rate.burst = 3;
  Start(options);

  // The reader floods: its burst passes, then it is refused with the delay.
  std::unique_ptr<grpc::ClientContext> refused_context;
  grpc::Status refused;
  int accepted = 0;
  for (int call = 0; call < 20 && refused.ok(); ++call) {
    refused = ListSectors(channel_, TokenOf("reader-a"), &refused_context);
    if (refused.ok()) ++accepted;
  }
  EXPECT_GE(accepted, 3);
  ASSERT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << refused.error_message();
  EXPECT_TRUE(absl::StrContains(refused.error_message(), "principal \"reader-a\""))
      << refused.error_message();
  EXPECT_TRUE(absl::StrContains(refused.error_message(), "retry after"))
      << refused.error_message();
  const int64_t retry_after = RetryAfterMillis(*refused_context);
  EXPECT_GT(retry_after, 0);
  EXPECT_LE(retry_after, 500);  // one token at 2 per second

  // Meanwhile another reader and the administrator are not held back.
  EXPECT_TRUE(ListSectors(channel_, TokenOf("reader-b")).ok());
  for (int call = 0; call < 10; ++call) {
    ASSERT_TRUE(ListSectors(channel_, TokenOf("admin")).ok()) << "call " << call;
  }
  // A client that waits as told is served.
  std::this_thread::sleep_for(std::chrono::milliseconds(retry_after));
  grpc::Status retried = ListSectors(channel_, TokenOf("reader-a"));
  EXPECT_TRUE(retried.ok()) << retried.error_message();

  const v1::GetSecurityStatusResponse status = SecurityStatus();
  EXPECT_EQ(status.rate_limit().calls_per_second(), 2);
  EXPECT_EQ(status.rate_limit().burst(), 3);
  EXPECT_EQ(status.rate_limit().rate_limited_call_count(), 1);
  ASSERT_EQ(status.rate_limit().rate_limited_size(), 1);
  EXPECT_EQ(status.rate_limit().rate_limited(0).permission(), "registry.read");
}

int64_t Denials(const v1::GetSecurityStatusResponse& status, const std::string& what) {
  for (const auto& denial : status.denials()) {
    if (denial.permission() == what) return denial.count();
  }
  return 0;
}

TEST_F(LimitsTest, AnAddressThatGuessesTokensIsSlowedDown) {
  services::ServerOptions options = Options();
  options.security.limits.peers.failures = 3;
  // Long enough for the checks below to run within it on a loaded machine.
  options.security.limits.peers.slowdown = absl::Seconds(5);
  options.security.limits.peers.max_slowdown = absl::Seconds(20);
  Start(options);
  // Clients at the same address that were working before the guessing starts.
  ASSERT_TRUE(WhoAmI(TokenOf("reader-a")).ok());
  ASSERT_TRUE(WhoAmI(TokenOf("admin")).ok());

  for (int guess = 1; guess <= 3; ++guess) {
    grpc::Status status = WhoAmI(absl::StrCat("guess-", guess));
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  // Slowed down: any token not seen to succeed from this address is refused without
  // being looked up, a good one (the auditor's) as much as a guess.
  std::unique_ptr<grpc::ClientContext> kept;
  grpc::Status status = WhoAmI("guess-4", &kept);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "without being checked"))
      << status.error_message();
  status = WhoAmI(TokenOf("auditor"), &kept);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  const int64_t first_wait = RetryAfterMillis(*kept);
  EXPECT_GT(first_wait, 0);
  EXPECT_LE(first_wait, 5000);
  // Tokens that worked from here, certificates and calls without credentials go on.
  EXPECT_TRUE(WhoAmI(TokenOf("reader-a")).ok());
  v1::WhoAmIResponse alice;
  EXPECT_TRUE(v1::SecurityService::NewStub(alice_channel_)
                  ->WhoAmI(BearerContext("").get(), v1::WhoAmIRequest(), &alice)
                  .ok());
  EXPECT_EQ(alice.principal(), kAliceSan);
  EXPECT_EQ(WhoAmI("").error_code(), grpc::StatusCode::UNAUTHENTICATED);

  v1::GetSecurityStatusResponse security = SecurityStatus();
  EXPECT_EQ(Denials(security, "authentication"), 4) << "3 guesses, 1 without credentials";
  EXPECT_EQ(security.authentication_failures().slowed_peer_count(), 1);
  EXPECT_EQ(security.authentication_failures().slowdown_count(), 1);
  EXPECT_EQ(security.authentication_failures().slowed_call_count(), 2);

  // After the slowdown the good token is accepted (and remembered from now on).
  std::this_thread::sleep_for(std::chrono::milliseconds(first_wait));
  ASSERT_TRUE(WhoAmI(TokenOf("auditor")).ok());
  // The next failure of the run slows the address down again, twice as long.
  EXPECT_EQ(WhoAmI("guess-5").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(WhoAmI("guess-6", &kept).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_GT(RetryAfterMillis(*kept), 5000);
  EXPECT_LE(RetryAfterMillis(*kept), 10000);
  EXPECT_TRUE(WhoAmI(TokenOf("auditor")).ok());
  EXPECT_EQ(SecurityStatus().authentication_failures().slowdown_count(), 2);
}

bool IsEventAt(const v1::SubscribeResponse& message, uint64_t position) {
  return message.has_event() && message.event().envelope().position() == position;
}

TEST_F(LimitsTest, AReloadEndsTheStreamsOfRevokedCallers) {
  Start(Options());
  auto revoked = Subscribe("revoked");           // its token is removed
  auto demoted = Subscribe("demoted");           // its policy line is removed
  auto energy = Watch("energy-desk", "energy");  // moved to another sector
  auto alice = Subscribe(alice_channel_, "", /*from_now=*/true);  // certificate, demoted
  auto auditor = Subscribe("auditor");                            // unaffected
  auto promoted = Subscribe("promoted");  // reader to auditor: sees more, goes on
  for (auto* feed :
       {revoked.get(), demoted.get(), alice.get(), auditor.get(), promoted.get()}) {
    ASSERT_TRUE(feed->Admitted());
  }
  ASSERT_TRUE(energy->Admitted());

  TokenTable tokens = kTokens;
  tokens.erase("revoked");
  tokens["energy-desk"].grants = "registrar:transport";
  tokens["promoted"].grants = "auditor";
  WriteTokens(tokens);
  Write("policy", "spiffe://registry/alice reader\n");
  ASSERT_TRUE(server_->ReloadSecurity().ok());

  grpc::Status status = revoked->End();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << status.error_message();
  status = demoted->End();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << status.error_message();
  EXPECT_TRUE(
      absl::StartsWith(status.error_message(), "missing permission registry.read"))
      << status.error_message();
  for (grpc::Status narrowed : {energy->End(), alice->End()}) {
    EXPECT_EQ(narrowed.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << narrowed.error_message();
    EXPECT_TRUE(absl::StrContains(narrowed.error_message(), "subscribe again"))
        << narrowed.error_message();
  }

  // The others still receive what is appended after the reload.
  ASSERT_TRUE(RegisterParty("kz", "KZ").ok());
  auto at_one = [](const v1::SubscribeResponse& message) {
    return IsEventAt(message, 1);
  };
  EXPECT_TRUE(auditor->ReadUntil(at_one));
  EXPECT_TRUE(promoted->ReadUntil(at_one));
  EXPECT_EQ(SecurityStatus().streams().revoked_stream_count(), 4);
}

TEST_F(LimitsTest, ServerBinaryRefusesBadLimitFlags) {
  const std::map<std::string, std::string> cases = {
      {"--max_streams=10 --reserved_streams=20", "--reserved_streams"},
      {"--max_streams=0", "--max_streams"},
      {"--max_streams_per_principal=-1", "--max_streams_per_principal"},
      {"--rate_limit=-5", "--rate_limit"},
      {"--rate_limit_burst=0", "--rate_limit_burst"},
      {"--auth_failures=-1", "--auth_failures"},
      {"--auth_slowdown=2s --auth_slowdown_max=1s", "--auth_slowdown_max"},
  };
  const std::string err = dir_.path() + "/stderr";
  for (const auto& [flags, named] : cases) {
    const std::string command =
        absl::StrCat(AGREEMENTS_SERVER_BIN,
                     " --listen=127.0.0.1:0 --http_listen= --data_dir=", dir_.path(),
                     "/data ", flags, " 2>", err, " >/dev/null");
    const int exit_status = std::system(command.c_str());
    std::ifstream in(err);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_TRUE(WIFEXITED(exit_status) && WEXITSTATUS(exit_status) == 1) << flags;
    EXPECT_TRUE(absl::StrContains(text.str(), "INVALID_ARGUMENT: " + named + ":"))
        << flags << ": " << text.str();
  }
}

}  // namespace
}  // namespace agreements
