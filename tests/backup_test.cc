// Online backup and restore, end to end: agreements-admin backs up a real server on
// 127.0.0.1 while writers commit, restores the backup into a fresh directory, and a
// server started on it holds every event acknowledged before the backup, with views
// equal to a rebuild, checkpoints that verify, and a feed that resumes.
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "agreements/v1/admin_service.grpc.pb.h"
#include "agreements/v1/command_service.grpc.pb.h"
#include "agreements/v1/feed_service.grpc.pb.h"
#include "agreements/v1/query_service.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "services/server.h"
#include "tests/test_support.h"

namespace agreements {
namespace {

namespace v1 = ::agreements::v1;
using testing::BindingAgreement;
using testing::StateParty;
using testing::TempDir;

using AdminRun = testing::CommandResult;

// Runs agreements-admin with `args`; stdout and stderr together.
AdminRun Admin(const std::string& args) {
  return testing::RunCommand(absl::StrCat(AGREEMENTS_ADMIN_BIN, " ", args));
}

// The number after `label` in `text` (e.g. "position 42").
uint64_t NumberAfter(const std::string& text, const std::string& label) {
  const size_t at = text.find(label);
  if (at == std::string::npos) return 0;
  return std::strtoull(text.c_str() + at + label.size(), nullptr, 10);
}

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return context;
}

struct Acked {
  std::string id;
  uint64_t position = 0;
  absl::Time at;
};

class BackupTest : public ::testing::Test {
 protected:
  std::unique_ptr<services::RegistryServer> StartServer(const std::string& data_dir,
                                                        const std::string& key = "") {
    services::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = data_dir;
    options.signing_key = key;
    auto server = services::RegistryServer::Start(options);
    EXPECT_TRUE(server.ok()) << server.status();
    return server.ok() ? *std::move(server) : nullptr;
  }

  static std::shared_ptr<grpc::Channel> Channel(const services::RegistryServer& server) {
    return grpc::CreateChannel(absl::StrCat("127.0.0.1:", server.port()),
                               grpc::InsecureChannelCredentials());
  }

  TempDir dir_;
};

TEST_F(BackupTest, BackupUnderWritesRestoresEverythingAcknowledgedBeforeIt) {
  const std::string live = dir_.path() + "/live";
  const std::string backups = dir_.path() + "/backups";
  auto server = StartServer(live);
  ASSERT_NE(server, nullptr);
  auto channel = Channel(*server);
  auto commands = v1::CommandService::NewStub(channel);
  ASSERT_TRUE(testing::RegisterKzKr(*commands).ok());

  // Two writers commit until told to stop; each acknowledgement is kept with its time.
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<Acked> acked;
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&, w] {
      auto stub = v1::CommandService::NewStub(channel);
      for (int i = 0; i < 100000 && !stop; ++i) {
        const std::string id = absl::StrCat("ag-", w, "-", i);
        v1::RecordAgreementResponse response;
        if (!stub->RecordAgreement(
                     Context().get(),
                     BindingAgreement("r-" + id, id, {"kz", "kr"}, "energy"), &response)
                 .ok()) {
          continue;
        }
        std::lock_guard<std::mutex> lock(mu);
        acked.push_back({id, response.result().last_position(), absl::Now()});
      }
    });
  }
  // Let the writers get going, then back up while they write.
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (acked.size() >= 50) break;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  const absl::Time backup_started = absl::Now();
  const std::string target = absl::StrCat("--server=127.0.0.1:", server->port());
  const AdminRun first = Admin(absl::StrCat("backup ", target, " --to=", backups));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const uint64_t position = NumberAfter(first.output, "position ");
  // A second backup while the writers go on: incremental.
  const AdminRun second = Admin(absl::StrCat("backup ", target, " --to=", backups));
  ASSERT_EQ(second.exit_code, 0) << second.output;
  stop = true;
  for (auto& writer : writers) writer.join();
  server.reset();

  ASSERT_GT(position, 0u) << first.output;
  EXPECT_NE(second.output.find("backup 2 "), std::string::npos) << second.output;
  EXPECT_LT(NumberAfter(second.output, "of which "),
            NumberAfter(second.output, "files, "))
      << "the second backup shares the unchanged files: " << second.output;
  std::vector<Acked> before;
  for (const Acked& a : acked) {
    if (a.at < backup_started) before.push_back(a);
  }
  ASSERT_GE(before.size(), 50u);
  for (const Acked& a : before) {
    ASSERT_LE(a.position, position) << a.id << " was acknowledged before the backup";
  }

  const AdminRun listed = Admin(absl::StrCat("list-backups --backup=", backups));
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_NE(listed.output.find("backup 1: position " + std::to_string(position)),
            std::string::npos)
      << listed.output;
  const AdminRun checked =
      Admin(absl::StrCat("verify --backup=", backups, " --backup_id=1"));
  EXPECT_EQ(checked.exit_code, 0) << checked.output;
  EXPECT_NE(checked.output.find("0 differences"), std::string::npos) << checked.output;

  const std::string restored = dir_.path() + "/restored";
  const AdminRun restore = Admin(
      absl::StrCat("restore --from=", backups, " --backup_id=1 --data_dir=", restored));
  ASSERT_EQ(restore.exit_code, 0) << restore.output;
  // Into a directory that is not empty: refused.
  EXPECT_EQ(
      Admin(absl::StrCat("restore --from=", backups, " --data_dir=", restored)).exit_code,
      2);

  // Without the signing key the server refuses to start: it never makes a new one for a
  // store that holds signed checkpoints.
  {
    services::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = restored;
    auto refused = services::RegistryServer::Start(options);
    ASSERT_FALSE(refused.ok());
    EXPECT_TRUE(absl::StrContains(refused.status().message(), "signing_key"))
        << refused.status();
    EXPECT_FALSE(std::filesystem::exists(restored + "/checkpoint.key"));
  }
  auto again = StartServer(restored, live + "/checkpoint.key");
  ASSERT_NE(again, nullptr);
  auto channel2 = Channel(*again);
  auto queries = v1::QueryService::NewStub(channel2);
  for (const Acked& a : before) {
    v1::GetAgreementRequest get;
    get.set_agreement_id(a.id);
    v1::GetAgreementResponse got;
    ASSERT_TRUE(queries->GetAgreement(Context().get(), get, &got).ok()) << a.id;
  }
  // The feed resumes: the whole log up to the backup's position, then a new event.
  auto feeds = v1::FeedService::NewStub(channel2);
  auto context = Context();
  v1::SubscribeRequest subscribe;
  subscribe.set_from_beginning(true);
  auto reader = feeds->Subscribe(context.get(), subscribe);
  v1::SubscribeResponse message;
  uint64_t last = 0;
  bool caught_up = false;
  while (!caught_up && reader->Read(&message)) {
    if (message.has_event()) {
      EXPECT_EQ(message.event().envelope().position(), last + 1);
      last = message.event().envelope().position();
    }
    caught_up = message.has_caught_up();
  }
  ASSERT_TRUE(caught_up);
  EXPECT_EQ(last, position);
  v1::RecordAgreementResponse recorded;
  ASSERT_TRUE(v1::CommandService::NewStub(channel2)
                  ->RecordAgreement(
                      Context().get(),
                      BindingAgreement("r-after", "ag-after", {"kz", "kr"}, "energy"),
                      &recorded)
                  .ok());
  bool next = false;
  while (!next && reader->Read(&message)) {
    if (message.has_event()) {
      EXPECT_EQ(message.event().envelope().position(), position + 1);
      next = true;
    }
  }
  EXPECT_TRUE(next);
  context->TryCancel();
  reader->Finish();
  again.reset();

  const AdminRun verified = Admin(absl::StrCat(
      "verify --data_dir=", restored, " --signing_key=", live, "/checkpoint.key"));
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  const AdminRun rebuilt = Admin(absl::StrCat("rebuild --data_dir=", restored));
  EXPECT_EQ(rebuilt.exit_code, 0) << rebuilt.output;
}

TEST_F(BackupTest, ADamagedBackupFailsItsCheck) {
  const std::string live = dir_.path() + "/live";
  const std::string backups = dir_.path() + "/backups";
  {
    auto server = StartServer(live);
    ASSERT_NE(server, nullptr);
    auto commands = v1::CommandService::NewStub(Channel(*server));
    v1::RegisterPartyResponse party;
    ASSERT_TRUE(
        commands->RegisterParty(Context().get(), StateParty("p-kz", "kz", "KZ"), &party)
            .ok());
    const AdminRun made = Admin(
        absl::StrCat("backup --server=127.0.0.1:", server->port(), " --to=", backups));
    ASSERT_EQ(made.exit_code, 0) << made.output;
  }
  // Flip a byte in the middle of the largest shared file.
  std::string largest;
  uintmax_t size = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(backups)) {
    if (entry.is_regular_file() && absl::StrContains(entry.path().string(), "shared") &&
        entry.file_size() > size) {
      size = entry.file_size();
      largest = entry.path().string();
    }
  }
  ASSERT_FALSE(largest.empty());
  {
    std::fstream file(largest, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(size / 2);
    char byte = 0;
    file.read(&byte, 1);
    byte = static_cast<char>(byte ^ 0x5a);
    file.seekp(size / 2);
    file.write(&byte, 1);
  }
  const AdminRun checked = Admin(absl::StrCat("verify --backup=", backups));
  EXPECT_EQ(checked.exit_code, 3) << checked.output;
  EXPECT_NE(checked.output.find("DATA_LOSS"), std::string::npos) << checked.output;
}

TEST_F(BackupTest, BackupNeedsAnAbsoluteDirectory) {
  auto server = StartServer(dir_.path() + "/live");
  ASSERT_NE(server, nullptr);
  auto admin = v1::AdminService::NewStub(Channel(*server));
  v1::BackupRequest request;
  request.set_directory("relative/dir");
  v1::BackupResponse response;
  const grpc::Status status = admin->Backup(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "directory"));
}

}  // namespace
}  // namespace agreements
