// Crash test: SIGKILL the real server process during concurrent appends, restart it, and
// check that every acknowledged command is present exactly once, with the positions it
// was acknowledged with, and that the views equal a rebuild from the log.
#include <atomic>
#include <cstdlib>
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

// Writers that append RecordAgreement commands until the server goes away; each
// remembers what was acknowledged (request id -> first position).
class Writers {
 public:
  static constexpr int kWriters = 4;
  static constexpr int kMaxPerWriter = 400;

  explicit Writers(const std::string& target) {
    for (int w = 0; w < kWriters; ++w) {
      threads_.emplace_back([this, w, target] { Run(w, target); });
    }
  }
  ~Writers() { Join(); }

  void Join() {
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }
  int acked_count() const { return total_acked_.load(); }
  // Valid after Join.
  const std::map<std::string, uint64_t>& acked() const { return acked_; }

  static std::string SectorOf(const std::string& id) {
    return std::stoi(id.substr(id.find('-') + 1)) % 2 ? "energy" : "transport";
  }

 private:
  void Run(int w, const std::string& target) {
    auto own = Connect(target);
    for (int i = 0; i < kMaxPerWriter; ++i) {
      const std::string id = absl::StrCat("w", w, "-", i);
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      v1::RecordAgreementResponse response;
      auto status = own->RecordAgreement(
          &context, BindingAgreement(id, id, {"kz", "kr"}, SectorOf(id)), &response);
      if (!status.ok()) return;  // the server is gone
      std::lock_guard<std::mutex> lock(mu_);
      acked_[id] = response.result().first_position();
      ++total_acked_;
    }
  }

  std::mutex mu_;
  std::map<std::string, uint64_t> acked_;
  std::atomic<int> total_acked_{0};
  std::vector<std::thread> threads_;
};

void RegisterStates(const std::string& target) {
  auto stub = Connect(target);
  for (const auto& [id, country] : {std::pair{"kz", "KZ"}, std::pair{"kr", "KR"}}) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::RegisterPartyResponse response;
    ASSERT_TRUE(stub->RegisterParty(&context,
                                    StateParty(absl::StrCat("party-", id), id, country),
                                    &response)
                    .ok());
  }
}

void WaitForAcks(const Writers& writers, int count) {
  for (int i = 0; i < 400 && writers.acked_count() < count; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
}

// Offline, with the server stopped: each acknowledged request appears exactly once, at
// its acknowledged position, in a gap-free log, and the views equal a rebuild.
void ExpectLogHoldsExactlyOnce(const std::string& dir,
                               const std::map<std::string, uint64_t>& acked) {
  auto store = store::Store::Open(dir, store::StoreOptions());
  ASSERT_TRUE(store.ok()) << store.status();
  store::LogReader reader(store->get());
  auto page = reader.ReadForward(1, 1000000);
  ASSERT_TRUE(page.ok());
  std::map<std::string, int> seen;
  std::map<std::string, uint64_t> first_position;
  uint64_t expected_position = 1;
  for (const auto& stored : page->events) {
    EXPECT_EQ(stored.position, expected_position++);
    v1::Event event;
    ASSERT_TRUE(event.ParseFromString(stored.bytes));
    if (++seen[event.envelope().request_id()] == 1) {
      first_position[event.envelope().request_id()] = stored.position;
    }
  }
  for (const auto& [id, position] : acked) {
    EXPECT_EQ(seen[id], 1) << id;
    EXPECT_EQ(first_position[id], position) << id;
  }
  for (const auto& [id, count] : seen) EXPECT_EQ(count, 1) << id;
  auto report = store::RebuildViews(store->get(), /*repair=*/false);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->difference_count, 0u)
      << (report->differences.empty() ? "" : report->differences.front());
  EXPECT_EQ(report->head, page->head);
}

TEST(CrashTest, AcknowledgedCommandsSurviveSigkill) {
  TempDir dir;
  ServerProcess server(AGREEMENTS_SERVER_BIN, dir.path());
  ASSERT_TRUE(server.Start());
  RegisterStates(server.target());
  Writers writers(server.target());
  // Kill once a fair number of commands is acknowledged, while writers are still busy.
  WaitForAcks(writers, 200);
  server.Kill();
  writers.Join();
  const auto& acked = writers.acked();
  ASSERT_GT(acked.size(), 0u);
  // The kill hit the writers mid-stream: they had not finished.
  EXPECT_LT(acked.size(), size_t{Writers::kWriters * Writers::kMaxPerWriter});

  // Restart: every acknowledged request replays with its original position.
  ASSERT_TRUE(server.Start());
  auto stub = Connect(server.target());
  for (const auto& [id, position] : acked) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::RecordAgreementResponse response;
    auto status = stub->RecordAgreement(
        &context, BindingAgreement(id, id, {"kz", "kr"}, Writers::SectorOf(id)),
        &response);
    ASSERT_TRUE(status.ok()) << id << ": " << status.error_message();
    EXPECT_TRUE(response.result().replayed()) << id;
    EXPECT_EQ(response.result().first_position(), position) << id;
  }
  ASSERT_EQ(server.Stop(), 0);
  ExpectLogHoldsExactlyOnce(dir.path(), acked);
}

// The views lag behind the log (the projection sleeps before each batch) when the server
// is killed: the store then holds views at an earlier position, which equal a rebuild up
// to it; a restart brings them to the head before it serves, and no acknowledged event
// is lost.
TEST(CrashTest, SigkillWhileTheViewsLagLosesNothingAndRestartCatchesUp) {
  TempDir dir;
  ServerProcess server(AGREEMENTS_SERVER_BIN, dir.path(),
                       {"--testing_projection_delay=300ms"});
  ASSERT_TRUE(server.Start());
  RegisterStates(server.target());
  Writers writers(server.target());
  WaitForAcks(writers, 200);
  server.Kill();
  writers.Join();
  const auto acked = writers.acked();
  ASSERT_GT(acked.size(), 0u);
  {
    auto store = store::Store::Open(dir.path(), store::StoreOptions());
    ASSERT_TRUE(store.ok()) << store.status();
    auto head = (*store)->ReadHead();
    auto applied = (*store)->ReadApplied();
    ASSERT_TRUE(head.ok() && applied.ok());
    EXPECT_LT(*applied, *head) << "the views did not lag when the server was killed";
    // The views that were written are exactly those of the log up to their position.
    auto report = store::RebuildViews(store->get(), /*repair=*/false);
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(report->difference_count, 0u)
        << (report->differences.empty() ? "" : report->differences.front());
  }
  // The audit of the data directory checks the tree as far as the views reach, and
  // every event's chain to the head: nothing is missing or changed.
  const std::string verify = absl::StrCat(AGREEMENTS_ADMIN_BIN, " verify --data_dir ",
                                          dir.path(), " > /dev/null 2>&1");
  EXPECT_EQ(WEXITSTATUS(std::system(verify.c_str())), 0);
  ServerProcess restarted(AGREEMENTS_SERVER_BIN, dir.path());
  ASSERT_TRUE(restarted.Start());
  ASSERT_EQ(restarted.Stop(), 0);
  ExpectLogHoldsExactlyOnce(dir.path(), acked);
  auto store = store::Store::Open(dir.path(), store::StoreOptions());
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(*(*store)->ReadApplied(), *(*store)->ReadHead());
}

TEST(CrashTest, SigtermDuringAppendsFinishesInFlightCommandsAndExitsZero) {
  TempDir dir;
  ServerProcess server(AGREEMENTS_SERVER_BIN, dir.path());
  ASSERT_TRUE(server.Start());
  RegisterStates(server.target());
  Writers writers(server.target());
  WaitForAcks(writers, 200);
  EXPECT_EQ(server.Stop(), 0);  // SIGTERM while the writers are busy: a clean exit
  writers.Join();
  ASSERT_GT(writers.acked().size(), 0u);
  EXPECT_LT(writers.acked().size(), size_t{Writers::kWriters * Writers::kMaxPerWriter});
  ExpectLogHoldsExactlyOnce(dir.path(), writers.acked());
}

}  // namespace
}  // namespace agreements
