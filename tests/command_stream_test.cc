// CommandService.ExecuteBatchStream against a real server on 127.0.0.1 (port 0): answers
// in request order, failed requests answered without ending the stream, replays, the
// flow-control bound, permissions per command, a revoked token, pacing by the caller's
// rate, and a cancelled stream. The client library's BatchStream drives the bulk cases.
#include <algorithm>
#include <atomic>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "agreements/v1/command_service.grpc.pb.h"
#include "clients/client.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "security/policy.h"
#include "services/server.h"
#include "tests/test_support.h"

namespace agreements {
namespace {

namespace v1 = ::agreements::v1;
using testing::BindingAgreement;
using testing::StateParty;
using testing::TempDir;

// A batch of one command: registering party `id`.
v1::ExecuteBatchRequest PartyBatch(const std::string& request_id, const std::string& id,
                                   const std::string& country) {
  const v1::RegisterPartyRequest party = StateParty(request_id, id, country);
  v1::ExecuteBatchRequest batch;
  *batch.mutable_context() = party.context();
  v1::Command* command = batch.add_commands();
  command->set_stream_type(v1::STREAM_TYPE_PARTY);
  *command->mutable_change()->mutable_party_registered()->mutable_party() = party.party();
  return batch;
}

// A batch of one command: recording agreement `id` between kz and kr in `sector`.
v1::ExecuteBatchRequest RecordBatch(const std::string& request_id, const std::string& id,
                                    const std::string& sector) {
  const v1::RecordAgreementRequest record =
      BindingAgreement(request_id, id, {"kz", "kr"}, sector);
  v1::ExecuteBatchRequest batch;
  *batch.mutable_context() = record.context();
  v1::Command* command = batch.add_commands();
  command->set_stream_type(v1::STREAM_TYPE_AGREEMENT);
  *command->mutable_change()->mutable_agreement_recorded()->mutable_agreement() =
      record.agreement();
  return batch;
}

// A batch of one command: kz signs agreement `id`, expecting revision `expected`.
v1::ExecuteBatchRequest SignBatch(const std::string& request_id, const std::string& id,
                                  uint64_t expected) {
  v1::ExecuteBatchRequest batch;
  batch.mutable_context()->set_request_id(request_id);
  v1::Command* command = batch.add_commands();
  command->set_stream_type(v1::STREAM_TYPE_AGREEMENT);
  command->set_stream_id(id);
  command->mutable_expected_revision()->set_exact(expected);
  auto* signed_ = command->mutable_change()->mutable_participant_signed();
  signed_->set_party_id("kz");
  *signed_->mutable_signature()->mutable_date() = testing::Day(2009, 5, 13);
  signed_->mutable_signature()->set_kind(v1::SIGNATURE_KIND_SIMPLE);
  return batch;
}

// What a whole stream came to.
struct StreamRun {
  std::vector<v1::ExecuteBatchStreamResponse> answers;
  absl::Status status;
};

absl::StatusCode CodeOf(const v1::ExecuteBatchStreamResponse& answer) {
  return static_cast<absl::StatusCode>(answer.error().code());
}

class CommandStreamTest : public ::testing::Test {
 protected:
  void TearDown() override {
    Release();
    server_.reset();
  }

  void Release() {
    if (!release_.HasBeenNotified()) release_.Notify();
  }

  void StartServer(services::ServerOptions options = {}) {
    options.listen = "127.0.0.1:0";
    options.data_dir = dir_.path() + "/data";
    auto server = services::RegistryServer::Start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    target_ = "127.0.0.1:" + std::to_string(server_->port());
    stub_ = v1::CommandService::NewStub(
        grpc::CreateChannel(target_, grpc::InsecureChannelCredentials()));
  }

  // Sends every batch on one stream (with the client library, `token` as the bearer
  // token) and receives every answer.
  StreamRun Run(const std::vector<v1::ExecuteBatchRequest>& batches,
                const std::string& token = "") {
    client::RegistryClientOptions options;
    options.target = target_;
    options.token = token;
    auto client = client::RegistryClient::Connect(options);
    EXPECT_TRUE(client.ok()) << client.status();
    if (!client.ok()) return {};
    std::unique_ptr<client::BatchStream> stream = (*client)->OpenBatchStream();
    std::thread sender([&] {
      for (const auto& batch : batches) {
        if (!stream->Send(batch)) break;
      }
      stream->CloseSend();
    });
    StreamRun run;
    v1::ExecuteBatchStreamResponse answer;
    while (stream->Receive(answer)) run.answers.push_back(answer);
    sender.join();
    run.status = stream->Finish();
    return run;
  }

  void RegisterKzKr() {
    StreamRun run = Run({PartyBatch("p-kz", "kz", "KZ"), PartyBatch("p-kr", "kr", "KR")});
    ASSERT_TRUE(run.status.ok()) << run.status;
    for (const auto& answer : run.answers) ASSERT_FALSE(answer.has_error());
  }

  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  // A token file line per (principal, token, grants).
  std::string TokenFile(const std::vector<std::vector<std::string>>& entries) {
    std::string text;
    for (const auto& entry : entries) {
      text += "sha256:" + security::TokenDigest(entry[1]) + " " + entry[0] + " " +
              entry[2] + "\n";
    }
    return WriteFile("tokens", text);
  }

  TempDir dir_;
  // Released at teardown: tests that hold the committer wait on it.
  absl::Notification release_;
  std::unique_ptr<services::RegistryServer> server_;
  std::string target_;
  std::unique_ptr<v1::CommandService::Stub> stub_;
};

TEST_F(CommandStreamTest, ManyRequestsAreAnsweredInOrder) {
  services::ServerOptions options;
  options.command_streams.max_in_flight = 16;
  StartServer(options);
  RegisterKzKr();
  std::vector<v1::ExecuteBatchRequest> batches;
  for (int i = 0; i < 300; ++i) {
    batches.push_back(
        RecordBatch("rec-" + std::to_string(i), "a" + std::to_string(i), "energy"));
  }
  batches.back().set_response_view(v1::RESPONSE_VIEW_FULL);
  const StreamRun run = Run(batches);
  ASSERT_TRUE(run.status.ok()) << run.status;
  ASSERT_EQ(run.answers.size(), batches.size());
  uint64_t last_position = 0;
  for (size_t i = 0; i < run.answers.size(); ++i) {
    const v1::ExecuteBatchStreamResponse& answer = run.answers[i];
    EXPECT_EQ(answer.index(), static_cast<int64_t>(i));
    EXPECT_EQ(answer.request_id(), "rec-" + std::to_string(i));
    ASSERT_TRUE(answer.has_response()) << answer.error().message();
    const v1::CommitResult& result = answer.response().result();
    EXPECT_FALSE(result.replayed());
    EXPECT_GT(result.first_position(), last_position) << i;
    last_position = result.last_position();
    ASSERT_EQ(result.streams_size(), 1);
    EXPECT_EQ(result.streams(0).stream_id(), "a" + std::to_string(i));
  }
  // The stream's default view is the result only; the last request asked for the state.
  EXPECT_EQ(run.answers[0].response().agreements_size(), 0);
  ASSERT_EQ(run.answers.back().response().agreements_size(), 1);
  EXPECT_EQ(run.answers.back().response().agreements(0).id(), "a299");
}

TEST_F(CommandStreamTest, AFailedRequestIsAnsweredAndTheStreamGoesOn) {
  StartServer();
  RegisterKzKr();
  v1::ExecuteBatchRequest bad_sector = RecordBatch("rec-bad", "a-bad", "energy");
  bad_sector.mutable_commands(0)
      ->mutable_change()
      ->mutable_agreement_recorded()
      ->mutable_agreement()
      ->mutable_classifications(0)
      ->set_code("no-such-sector");
  const StreamRun run =
      Run({RecordBatch("rec-1", "a1", "energy"), SignBatch("sign-stale", "a1", 5),
           bad_sector, v1::ExecuteBatchRequest(), RecordBatch("rec-2", "a2", "energy"),
           SignBatch("sign-1", "a1", 1)});
  ASSERT_TRUE(run.status.ok()) << run.status;
  ASSERT_EQ(run.answers.size(), 6u);
  EXPECT_TRUE(run.answers[0].has_response());
  EXPECT_EQ(CodeOf(run.answers[1]), absl::StatusCode::kAborted);
  EXPECT_NE(run.answers[1].error().message().find("a1"), std::string::npos)
      << run.answers[1].error().message();
  EXPECT_EQ(CodeOf(run.answers[2]), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(run.answers[2].error().message().find("classifications"), std::string::npos)
      << run.answers[2].error().message();
  // A request without a request id is refused, naming the field as ExecuteBatch does.
  EXPECT_EQ(CodeOf(run.answers[3]), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(run.answers[3].error().message().rfind("context.request_id", 0), 0u)
      << run.answers[3].error().message();
  EXPECT_TRUE(run.answers[4].has_response()) << run.answers[4].error().message();
  ASSERT_TRUE(run.answers[5].has_response()) << run.answers[5].error().message();
  EXPECT_EQ(run.answers[5].response().result().streams(0).revision(), 2u);
  // The failed requests appended nothing: positions run on without gaps.
  EXPECT_EQ(run.answers[4].response().result().first_position(),
            run.answers[0].response().result().last_position() + 1);
}

TEST_F(CommandStreamTest, RequestIdsReplayOnTheSameAndOnAnotherStream) {
  StartServer();
  RegisterKzKr();
  const StreamRun first =
      Run({RecordBatch("rec-1", "a1", "energy"), RecordBatch("rec-2", "a2", "energy"),
           RecordBatch("rec-2", "a2", "energy")});
  ASSERT_TRUE(first.status.ok()) << first.status;
  ASSERT_EQ(first.answers.size(), 3u);
  EXPECT_FALSE(first.answers[1].response().result().replayed());
  EXPECT_TRUE(first.answers[2].response().result().replayed());
  EXPECT_EQ(first.answers[2].response().result().first_position(),
            first.answers[1].response().result().first_position());

  v1::ExecuteBatchRequest changed = RecordBatch("rec-1", "a1", "transport");
  const StreamRun second =
      Run({RecordBatch("rec-1", "a1", "energy"), RecordBatch("rec-2", "a2", "energy"),
           changed, RecordBatch("rec-3", "a3", "energy")});
  ASSERT_TRUE(second.status.ok()) << second.status;
  ASSERT_EQ(second.answers.size(), 4u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(second.answers[i].response().result().replayed()) << i;
    EXPECT_EQ(second.answers[i].response().result().first_position(),
              first.answers[i].response().result().first_position());
  }
  EXPECT_EQ(CodeOf(second.answers[2]), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(second.answers[2].error().message().find("context.request_id"),
            std::string::npos);
  EXPECT_FALSE(second.answers[3].response().result().replayed());
  EXPECT_EQ(second.answers[3].response().result().first_position(),
            first.answers[1].response().result().last_position() + 1);
}

// With the committer held, the stream reads exactly its bound of requests and no more;
// released, every request is answered in order.
TEST_F(CommandStreamTest, FlowControlReadsAtMostTheBound) {
  constexpr size_t kBound = 4;
  constexpr int kRequests = 40;
  std::atomic<size_t> peak{0};
  services::ServerOptions options;
  options.command_streams.max_in_flight = kBound;
  options.command_streams.TEST_on_read = [&peak](size_t in_flight) {
    size_t seen = peak.load();
    while (in_flight > seen && !peak.compare_exchange_weak(seen, in_flight)) {
    }
  };
  options.committer.TEST_before_group = [this] { release_.WaitForNotification(); };
  StartServer(options);

  grpc::ClientContext context;
  auto stream = stub_->ExecuteBatchStream(&context);
  std::thread sender([&] {
    for (int i = 0; i < kRequests; ++i) {
      v1::ExecuteBatchStreamRequest request;
      *request.mutable_batch() =
          PartyBatch("p-" + std::to_string(i), "p" + std::to_string(i), "KZ");
      if (!stream->Write(request)) break;
    }
    stream->WritesDone();
  });
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (peak.load() < kBound && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(peak.load(), kBound);

  Release();
  v1::ExecuteBatchStreamResponse answer;
  int64_t expected = 0;
  while (stream->Read(&answer)) {
    EXPECT_EQ(answer.index(), expected);
    EXPECT_TRUE(answer.has_response()) << answer.error().message();
    ++expected;
  }
  sender.join();
  const grpc::Status status = stream->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(expected, kRequests);
  EXPECT_EQ(peak.load(), kBound);
}

// A reader may not even open a stream; a registrar limited to energy writes energy
// agreements and parties, and a refused request is answered on its own.
TEST_F(CommandStreamTest, EachRequestNeedsThePermissionsOfItsCommands) {
  services::ServerOptions options;
  options.security.tokens_file =
      TokenFile({{"boss", "tok-stream-admin-1", "admin"},
                 {"desk", "tok-stream-desk-2", "registrar:energy"},
                 {"viewer", "tok-stream-viewer-3", "reader"}});
  options.security.policy_file = WriteFile("policy", "");
  StartServer(options);
  const StreamRun setup =
      Run({PartyBatch("p-kz", "kz", "KZ"), PartyBatch("p-kr", "kr", "KR")},
          "tok-stream-admin-1");
  ASSERT_TRUE(setup.status.ok()) << setup.status;

  // A caller that may write nothing is refused when the stream opens.
  const StreamRun viewer = Run({PartyBatch("p-x", "x", "KZ")}, "tok-stream-viewer-3");
  EXPECT_EQ(viewer.status.code(), absl::StatusCode::kPermissionDenied) << viewer.status;
  EXPECT_NE(viewer.status.message().find("missing permission agreements.write"),
            std::string::npos)
      << viewer.status;
  EXPECT_TRUE(viewer.answers.empty());

  const StreamRun desk =
      Run({RecordBatch("d-1", "d1", "energy"), RecordBatch("d-2", "d2", "transport"),
           PartyBatch("p-y", "y", "KR")},
          "tok-stream-desk-2");
  ASSERT_TRUE(desk.status.ok()) << desk.status;
  ASSERT_EQ(desk.answers.size(), 3u);
  EXPECT_TRUE(desk.answers[0].has_response()) << desk.answers[0].error().message();
  EXPECT_EQ(CodeOf(desk.answers[1]), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(desk.answers[2].has_response()) << desk.answers[2].error().message();

  const StreamRun stranger = Run({PartyBatch("p-z", "z", "KZ")}, "tok-unknown");
  EXPECT_EQ(stranger.status.code(), absl::StatusCode::kUnauthenticated)
      << stranger.status;
  EXPECT_TRUE(stranger.answers.empty());
}

// After a reload of the security files, the stream's later requests are checked against
// the new files: a caller demoted to reader is refused each command's permission, a
// removed token every request.
TEST_F(CommandStreamTest, AReloadAppliesToTheLaterRequests) {
  services::ServerOptions options;
  options.security.tokens_file = TokenFile({{"desk", "tok-stream-desk-2", "registrar"}});
  options.security.policy_file = WriteFile("policy", "");
  StartServer(options);

  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer tok-stream-desk-2");
  auto stream = stub_->ExecuteBatchStream(&context);
  v1::ExecuteBatchStreamResponse answer;
  const auto send = [&](v1::ExecuteBatchRequest batch) {
    v1::ExecuteBatchStreamRequest request;
    *request.mutable_batch() = std::move(batch);
    EXPECT_TRUE(stream->Write(request));
    EXPECT_TRUE(stream->Read(&answer));
  };
  send(PartyBatch("p-kz", "kz", "KZ"));
  EXPECT_TRUE(answer.has_response()) << answer.error().message();

  TokenFile({{"desk", "tok-stream-desk-2", "reader"}});
  ASSERT_TRUE(server_->ReloadSecurity().ok());
  send(PartyBatch("p-kr", "kr", "KR"));
  EXPECT_EQ(CodeOf(answer), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(answer.error().message().find("missing permission parties.write"),
            std::string::npos)
      << answer.error().message();
  send(RecordBatch("rec-1", "a1", "energy"));
  EXPECT_NE(answer.error().message().find("missing permission agreements.write"),
            std::string::npos)
      << answer.error().message();

  TokenFile({{"other", "tok-stream-other-4", "registrar"}});
  ASSERT_TRUE(server_->ReloadSecurity().ok());
  send(PartyBatch("p-kr", "kr", "KR"));
  EXPECT_EQ(CodeOf(answer), absl::StatusCode::kUnauthenticated)
      << answer.error().message();
  stream->WritesDone();
  EXPECT_FALSE(stream->Read(&answer));
  EXPECT_TRUE(stream->Finish().ok());
}

// Over its rate, a caller's requests wait instead of failing: all are committed, and the
// stream takes about as long as the rate asks.
TEST_F(CommandStreamTest, ACallerOverItsRateIsPacedNotRefused) {
  services::ServerOptions options;
  options.security.tokens_file = TokenFile({{"desk", "tok-stream-desk-2", "registrar"}});
  options.security.policy_file = WriteFile("policy", "");
  options.security.limits.rate.calls_per_second = 20;
  options.security.limits.rate.burst = 4;
  StartServer(options);
  std::vector<v1::ExecuteBatchRequest> batches;
  for (int i = 0; i < 12; ++i) {
    batches.push_back(
        PartyBatch("p-" + std::to_string(i), "p" + std::to_string(i), "KZ"));
  }
  const absl::Time start = absl::Now();
  const StreamRun run = Run(batches, "tok-stream-desk-2");
  const absl::Duration took = absl::Now() - start;
  ASSERT_TRUE(run.status.ok()) << run.status;
  ASSERT_EQ(run.answers.size(), batches.size());
  for (const auto& answer : run.answers) {
    EXPECT_TRUE(answer.has_response()) << answer.error().message();
  }
  // 13 calls (the opening and 12 requests) from a bucket of 4 refilled at 20/s: 0.45 s.
  EXPECT_GE(took, absl::Milliseconds(400));
}

// A client that cancels with requests in flight ends its stream; the server goes on.
TEST_F(CommandStreamTest, ACancelledStreamEndsAndTheServerGoesOn) {
  services::ServerOptions options;
  options.committer.TEST_before_group = [this] { release_.WaitForNotification(); };
  StartServer(options);
  {
    grpc::ClientContext context;
    auto stream = stub_->ExecuteBatchStream(&context);
    for (int i = 0; i < 10; ++i) {
      v1::ExecuteBatchStreamRequest request;
      *request.mutable_batch() =
          PartyBatch("p-" + std::to_string(i), "p" + std::to_string(i), "KZ");
      ASSERT_TRUE(stream->Write(request));
    }
    absl::SleepFor(absl::Milliseconds(100));
    context.TryCancel();
    v1::ExecuteBatchStreamResponse answer;
    while (stream->Read(&answer)) {
    }
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  Release();
  const StreamRun run = Run({PartyBatch("p-after", "after", "KR")});
  ASSERT_TRUE(run.status.ok()) << run.status;
  ASSERT_EQ(run.answers.size(), 1u);
  EXPECT_TRUE(run.answers[0].has_response()) << run.answers[0].error().message();
}

}  // namespace
}  // namespace agreements
