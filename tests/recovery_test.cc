// Start-up and recovery through the Supervisor: the port answers health (NOT_SERVING,
// with a reason) before the store is open, and after a write fails for lack of space the
// server comes back by itself once space is freed, and the failed requests' retries get
// their durable outcome. The full disk is a real one: a small tmpfs mounted by the test
// (root and mount rights needed; skipped with a message otherwise).
#include <sys/mount.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "agreements/v1/command_service.grpc.pb.h"
#include "agreements/v1/query_service.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "services/supervisor.h"
#include "tests/test_support.h"

namespace agreements {
namespace {

namespace v1 = ::agreements::v1;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using testing::BindingAgreement;
using testing::StateParty;
using testing::TempDir;

std::unique_ptr<grpc::ClientContext> Context(int seconds = 5) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return context;
}

// The health status and the not-serving reason, or UNKNOWN when the call failed.
std::pair<HealthCheckResponse::ServingStatus, std::string> Health(
    const std::shared_ptr<grpc::Channel>& channel) {
  auto context = Context(2);
  HealthCheckResponse response;
  const grpc::Status status = grpc::health::v1::Health::NewStub(channel)->Check(
      context.get(), HealthCheckRequest(), &response);
  if (!status.ok()) return {HealthCheckResponse::UNKNOWN, status.error_message()};
  std::string reason;
  const auto& trailers = context->GetServerTrailingMetadata();
  if (auto it = trailers.find(services::kNotServingReasonHeader); it != trailers.end()) {
    reason.assign(it->second.data(), it->second.size());
  }
  return {response.status(), reason};
}

class RecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mount_ = dir_.path() + "/disk";
    std::filesystem::create_directories(mount_);
    if (mount("tmpfs", mount_.c_str(), "tmpfs", 0, "size=48m") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs for the full-disk test (needs root and "
                      "mount rights): "
                   << std::strerror(errno);
    }
    mounted_ = true;
  }
  void TearDown() override {
    supervisor_.reset();
    if (mounted_) umount2(mount_.c_str(), MNT_DETACH);
  }

  // Writes a file of 1 MiB blocks until the disk is full (bounded by the disk's size).
  void FillDisk() {
    std::FILE* file = std::fopen((mount_ + "/filler").c_str(), "wb");
    ASSERT_NE(file, nullptr);
    const std::string block(1 << 20, 'x');
    for (int i = 0; i < 64; ++i) {
      if (std::fwrite(block.data(), 1, block.size(), file) != block.size()) break;
      if (std::fflush(file) != 0) break;
    }
    // The last bytes, below a block.
    const std::string small(4096, 'x');
    for (int i = 0; i < 256; ++i) {
      if (std::fwrite(small.data(), 1, small.size(), file) != small.size() ||
          std::fflush(file) != 0) {
        break;
      }
    }
    std::fclose(file);
  }

  TempDir dir_;
  std::string mount_;
  bool mounted_ = false;
  std::unique_ptr<services::Supervisor> supervisor_;
};

TEST_F(RecoveryTest, AFullDiskStopsWritesAndTheServerRecoversOnceSpaceIsFreed) {
  services::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = mount_ + "/data";
  options.signing_key = dir_.path() + "/checkpoint.key";
  // Small memtables: RocksDB preallocates write-ahead log files of about their size.
  options.store.write_buffer_bytes = 4 << 20;
  services::SupervisorOptions retry;
  retry.retry = absl::Milliseconds(100);
  retry.max_retry = absl::Milliseconds(400);
  auto supervisor = services::Supervisor::Start(options, retry);
  ASSERT_TRUE(supervisor.ok()) << supervisor.status();
  supervisor_ = *std::move(supervisor);
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", supervisor_->port()),
                                     grpc::InsecureChannelCredentials());
  auto commands = v1::CommandService::NewStub(channel);
  ASSERT_TRUE(testing::RegisterKzKr(*commands).ok());
  EXPECT_EQ(Health(channel).first, HealthCheckResponse::SERVING);

  FillDisk();
  // Write until the store refuses (bounded): the requests acknowledged before, and the
  // ones that failed.
  std::vector<std::string> acknowledged, failed;
  for (int i = 0; i < 20000 && failed.size() < 3; ++i) {
    const std::string id = absl::StrCat("ag-", i);
    v1::RecordAgreementResponse response;
    const grpc::Status status = commands->RecordAgreement(
        Context().get(), BindingAgreement("r-" + id, id, {"kz", "kr"}, "energy"),
        &response);
    (status.ok() ? acknowledged : failed).push_back(id);
  }
  ASSERT_FALSE(failed.empty()) << "the disk never filled";
  // NOT_SERVING, with a reason, while the disk is full (bounded wait for the change).
  std::pair<HealthCheckResponse::ServingStatus, std::string> health;
  for (int i = 0; i < 50; ++i) {
    health = Health(channel);
    if (health.first == HealthCheckResponse::NOT_SERVING && !health.second.empty()) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(health.first, HealthCheckResponse::NOT_SERVING) << health.second;
  EXPECT_NE(health.second.find("recovering from a failed write"), std::string::npos)
      << health.second;
  EXPECT_FALSE(supervisor_->serving());

  std::filesystem::remove(mount_ + "/filler");
  for (int i = 0; i < 200 && !supervisor_->serving(); ++i) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE(supervisor_->serving()) << "no recovery within 20 s";
  EXPECT_EQ(supervisor_->recoveries(), 1);
  EXPECT_EQ(Health(channel).first, HealthCheckResponse::SERVING);

  // The failed requests, retried with their ids: each gets its durable outcome (recorded
  // now, or the answer of a group that reached the log before the failure).
  for (const std::string& id : failed) {
    v1::RecordAgreementResponse response;
    const grpc::Status status = commands->RecordAgreement(
        Context().get(), BindingAgreement("r-" + id, id, {"kz", "kr"}, "energy"),
        &response);
    EXPECT_TRUE(status.ok()) << id << ": " << status.error_message();
  }
  auto queries = v1::QueryService::NewStub(channel);
  acknowledged.insert(acknowledged.end(), failed.begin(), failed.end());
  for (const std::string& id : acknowledged) {
    v1::GetAgreementRequest get;
    get.set_agreement_id(id);
    v1::GetAgreementResponse got;
    ASSERT_TRUE(queries->GetAgreement(Context().get(), get, &got).ok()) << id;
  }
}

TEST(StartupTest, ThePortAnswersNotServingWithAReasonBeforeTheStoreOpens) {
  TempDir dir;
  services::StandbyOptions options;
  options.listen = "127.0.0.1:0";
  auto standby = services::StandbyServer::Start(options, "starting: opening the store");
  ASSERT_TRUE(standby.ok()) << standby.status();
  const std::string target = absl::StrCat("127.0.0.1:", (*standby)->port());
  auto channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  auto [status, reason] = Health(channel);
  EXPECT_EQ(status, HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(reason, "starting: opening the store");
  // Any other call: UNAVAILABLE (what clients retry), naming the reason.
  {
    v1::GetAgreementRequest get;
    get.set_agreement_id("a");
    v1::GetAgreementResponse got;
    const grpc::Status early =
        v1::QueryService::NewStub(channel)->GetAgreement(Context(2).get(), get, &got);
    EXPECT_EQ(early.error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_NE(early.error_message().find("starting: opening the store"),
              std::string::npos)
        << early.error_message();
  }
  // The registry binds the same port while the standby still holds it; then the
  // standby leaves and the same channel finds the registry serving.
  services::ServerOptions server_options;
  server_options.listen = target;
  server_options.data_dir = dir.path() + "/data";
  auto server = services::RegistryServer::Start(server_options);
  ASSERT_TRUE(server.ok()) << server.status();
  (*standby)->Stop();
  HealthCheckResponse::ServingStatus now = HealthCheckResponse::UNKNOWN;
  for (int i = 0; i < 50 && now != HealthCheckResponse::SERVING; ++i) {
    now = Health(channel).first;
    if (now != HealthCheckResponse::SERVING) absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(now, HealthCheckResponse::SERVING);
}

}  // namespace
}  // namespace agreements
