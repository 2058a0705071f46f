// Crash test: SIGKILL the real server process during concurrent appends, restart it, and
// check that every acknowledged command is present exactly once, with the positions it
// was acknowledged with, and that the views equal a rebuild from the log.
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "agreements/v1/command_service.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "store/log_reader.h"
#include "store/rebuild.h"
#include "store/store.h"
#include "tests/test_support.h"

namespace agreements {
namespace {

namespace v1 = ::agreements::v1;
using testing::BindingAgreement;
using testing::ServerProcess;
using testing::StateParty;
using testing::TempDir;

std::unique_ptr<v1::CommandService::Stub> Connect(const std::string& target) {
  return v1::CommandService::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
}

TEST(CrashTest, AcknowledgedCommandsSurviveSigkill) {
  TempDir dir;
  ServerProcess server(AGREEMENTS_SERVER_BIN, dir.path());
  ASSERT_TRUE(server.Start());
  auto stub = Connect(server.target());
  for (const auto& [id, country] : {std::pair{"kz", "KZ"}, std::pair{"kr", "KR"}}) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::RegisterPartyResponse response;
    ASSERT_TRUE(stub->RegisterParty(&context,
                                    StateParty(absl::StrCat("party-", id), id, country),
                                    &response)
                    .ok());
  }

  // Writers append until the server dies under them; each remembers what was acked.
  constexpr int kWriters = 4;
  constexpr int kMaxPerWriter = 400;
  std::mutex mu;
  std::map<std::string, uint64_t> acked;  // request id -> position
  std::atomic<int> total_acked{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto own = Connect(server.target());
      for (int i = 0; i < kMaxPerWriter; ++i) {
        const std::string id = absl::StrCat("w", w, "-", i);
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        v1::RecordAgreementResponse response;
        auto status = own->RecordAgreement(
            &context,
            BindingAgreement(id, id, {"kz", "kr"}, i % 2 ? "energy" : "transport"),
            &response);
        if (!status.ok()) return;  // the server is gone
        std::lock_guard<std::mutex> lock(mu);
        acked[id] = response.result().first_position();
        ++total_acked;
      }
    });
  }
  // Kill once a fair number of commands is acknowledged, while writers are still busy.
  for (int i = 0; i < 400 && total_acked.load() < 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  server.Kill();
  for (auto& writer : writers) writer.join();
  ASSERT_GT(acked.size(), 0u);
  // The kill hit the writers mid-stream: they had not finished.
  EXPECT_LT(acked.size(), size_t{kWriters * kMaxPerWriter});

  // Restart: every acknowledged request replays with its original position.
  ASSERT_TRUE(server.Start());
  stub = Connect(server.target());
  for (const auto& [id, position] : acked) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::RecordAgreementResponse response;
    const std::string sector =
        (std::stoi(id.substr(id.find('-') + 1)) % 2) ? "energy" : "transport";
    auto status = stub->RecordAgreement(
        &context, BindingAgreement(id, id, {"kz", "kr"}, sector), &response);
    ASSERT_TRUE(status.ok()) << id << ": " << status.error_message();
    EXPECT_TRUE(response.result().replayed()) << id;
    EXPECT_EQ(response.result().first_position(), position) << id;
  }
  ASSERT_EQ(server.Stop(), 0);

  // Offline: each acknowledged request appears exactly once in a gap-free log, and the
  // views equal a rebuild.
  auto store = store::Store::Open(dir.path(), store::StoreOptions());
  ASSERT_TRUE(store.ok()) << store.status();
  store::LogReader reader(store->get());
  auto page = reader.ReadForward(1, 1000000);
  ASSERT_TRUE(page.ok());
  std::map<std::string, int> seen;
  uint64_t expected_position = 1;
  for (const auto& stored : page->events) {
    EXPECT_EQ(stored.position, expected_position++);
    v1::Event event;
    ASSERT_TRUE(event.ParseFromString(stored.bytes));
    ++seen[event.envelope().request_id()];
  }
  for (const auto& [id, position] : acked) EXPECT_EQ(seen[id], 1) << id;
  for (const auto& [id, count] : seen) EXPECT_EQ(count, 1) << id;
  auto report = store::RebuildViews(store->get(), /*repair=*/false);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->difference_count, 0u)
      << (report->differences.empty() ? "" : report->differences.front());
  EXPECT_EQ(report->head, page->head);
}

}  // namespace
}  // namespace agreements
