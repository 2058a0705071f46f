// The verifiable log over a real server on 127.0.0.1: signed checkpoints, inclusion and
// consistency proofs checked with the client-side verifier, and their persistence.
#include <thread>

#include "absl/strings/str_cat.h"
#include "agreements/v1/audit_service.grpc.pb.h"
#include "agreements/v1/command_service.grpc.pb.h"
#include "common/merkle.h"
#include "common/signed_note.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "services/server.h"
#include "store/keys.h"
#include "store/verify.h"
#include "tests/test_support.h"

namespace agreements {
namespace {

namespace v1 = ::agreements::v1;
using testing::BindingAgreement;
using testing::StateParty;
using testing::TempDir;

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }

  void Start() {
    services::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = dir_.path();
    options.checkpoints.every_events = 5;
    options.checkpoints.interval = absl::Milliseconds(50);
    auto server = services::RegistryServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                       grpc::InsecureChannelCredentials());
    commands_ = v1::CommandService::NewStub(channel);
    audit_ = v1::AuditService::NewStub(channel);
  }

  std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return context;
  }

  uint64_t Append(int from, int to) {
    uint64_t last = 0;
    for (int i = from; i < to; ++i) {
      v1::RecordAgreementResponse response;
      const std::string id = absl::StrCat("a", i);
      EXPECT_TRUE(commands_
                      ->RecordAgreement(Context().get(),
                                        BindingAgreement(id, id, {"kz", "kr"}, "energy"),
                                        &response)
                      .ok());
      last = response.result().last_position();
    }
    return last;
  }

  // Waits (bounded) for a checkpoint of at least `size` and returns it, verified.
  v1::GetCheckpointResponse CheckpointAtLeast(uint64_t size) {
    v1::GetCheckpointResponse response;
    for (int i = 0; i < 200; ++i) {
      EXPECT_TRUE(
          audit_->GetCheckpoint(Context().get(), v1::GetCheckpointRequest(), &response)
              .ok());
      if (response.tree_size() >= size) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    EXPECT_GE(response.tree_size(), size);
    return response;
  }

  TempDir dir_;
  std::unique_ptr<services::RegistryServer> server_;
  std::unique_ptr<v1::CommandService::Stub> commands_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
};

TEST_F(AuditTest, SignedCheckpointsAndProofsVerifyWithTheClientVerifier) {
  v1::RegisterPartyResponse party;
  ASSERT_TRUE(
      commands_->RegisterParty(Context().get(), StateParty("p1", "kz", "KZ"), &party)
          .ok());
  ASSERT_TRUE(
      commands_->RegisterParty(Context().get(), StateParty("p2", "kr", "KR"), &party)
          .ok());
  const uint64_t head = Append(0, 20);
  const v1::GetCheckpointResponse first = CheckpointAtLeast(head);

  auto checkpoint = note::VerifyCheckpoint(first.note(), first.verifier_key());
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  EXPECT_EQ(checkpoint->origin, "agreements-registry");
  EXPECT_EQ(checkpoint->size, first.tree_size());
  const std::string root(reinterpret_cast<const char*>(checkpoint->root.data()), 32);
  EXPECT_EQ(root, first.root_hash());

  for (uint64_t position = 1; position <= first.tree_size(); ++position) {
    v1::GetInclusionProofRequest request;
    request.set_position(position);
    v1::GetInclusionProofResponse proof;
    ASSERT_TRUE(audit_->GetInclusionProof(Context().get(), request, &proof).ok());
    EXPECT_EQ(proof.tree_size(), first.tree_size());
    v1::Event event;
    ASSERT_TRUE(event.ParseFromString(proof.event()));
    EXPECT_EQ(event.envelope().position(), position);
    // The client hashes the bytes itself.
    const merkle::Hash leaf = merkle::LeafHash(proof.event());
    std::vector<std::string> hashes(proof.proof().begin(), proof.proof().end());
    EXPECT_TRUE(merkle::VerifyInclusionBytes(
                    position - 1, proof.tree_size(),
                    absl::string_view(reinterpret_cast<const char*>(leaf.data()), 32),
                    hashes, root)
                    .ok())
        << position;
    // One changed byte of the event no longer verifies.
    std::string changed = proof.event();
    changed[changed.size() / 2] ^= 1;
    const merkle::Hash bad = merkle::LeafHash(changed);
    EXPECT_FALSE(merkle::VerifyInclusionBytes(
                     position - 1, proof.tree_size(),
                     absl::string_view(reinterpret_cast<const char*>(bad.data()), 32),
                     hashes, root)
                     .ok());
  }

  // The log grows; the new checkpoint is consistent with the first.
  const uint64_t later = Append(20, 33);
  const v1::GetCheckpointResponse second = CheckpointAtLeast(later);
  v1::GetConsistencyProofRequest request;
  request.set_first_size(first.tree_size());
  request.set_second_size(second.tree_size());
  v1::GetConsistencyProofResponse consistency;
  ASSERT_TRUE(audit_->GetConsistencyProof(Context().get(), request, &consistency).ok());
  std::vector<std::string> hashes(consistency.proof().begin(), consistency.proof().end());
  EXPECT_TRUE(merkle::VerifyConsistencyBytes(first.tree_size(), second.tree_size(),
                                             first.root_hash(), second.root_hash(),
                                             hashes)
                  .ok());
  EXPECT_FALSE(merkle::VerifyConsistencyBytes(first.tree_size(), second.tree_size(),
                                              second.root_hash(), second.root_hash(),
                                              hashes)
                   .ok());

  // Earlier checkpoints stay available, also after a restart with the same key.
  v1::GetCheckpointRequest at;
  at.set_tree_size(first.tree_size());
  v1::GetCheckpointResponse again;
  ASSERT_TRUE(audit_->GetCheckpoint(Context().get(), at, &again).ok());
  EXPECT_EQ(again.note(), first.note());
  server_.reset();
  Start();
  ASSERT_TRUE(audit_->GetCheckpoint(Context().get(), at, &again).ok());
  EXPECT_EQ(again.note(), first.note());
  EXPECT_EQ(again.verifier_key(), first.verifier_key());
}

TEST_F(AuditTest, MalformedProofRequestsAreRefused) {
  v1::GetInclusionProofRequest zero;
  v1::GetInclusionProofResponse proof;
  auto status = audit_->GetInclusionProof(Context().get(), zero, &proof);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("position"), std::string::npos);
  v1::GetInclusionProofRequest beyond;
  beyond.set_position(1);
  beyond.set_tree_size(1000);
  status = audit_->GetInclusionProof(Context().get(), beyond, &proof);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("tree_size"), std::string::npos);
  v1::GetConsistencyProofRequest backwards;
  backwards.set_first_size(5);
  backwards.set_second_size(3);
  v1::GetConsistencyProofResponse consistency;
  EXPECT_EQ(
      audit_->GetConsistencyProof(Context().get(), backwards, &consistency).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  v1::GetCheckpointRequest never;
  never.set_tree_size(12345);
  v1::GetCheckpointResponse checkpoint;
  EXPECT_EQ(audit_->GetCheckpoint(Context().get(), never, &checkpoint).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(AuditTest, OneChangedStoredByteIsDataLossForTheServerAndForClients) {
  v1::RegisterPartyResponse party;
  ASSERT_TRUE(
      commands_->RegisterParty(Context().get(), StateParty("p1", "kz", "KZ"), &party)
          .ok());
  ASSERT_TRUE(
      commands_->RegisterParty(Context().get(), StateParty("p2", "kr", "KR"), &party)
          .ok());
  const v1::GetCheckpointResponse checkpoint = CheckpointAtLeast(Append(0, 20));
  auto clean = store::VerifyLog(server_->TEST_store(), checkpoint.verifier_key());
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_EQ(clean->events, checkpoint.tree_size());
  EXPECT_GE(clean->checkpoints, 1u);
  server_.reset();

  {  // The server is stopped: change one byte of the event at position 7 in RocksDB.
    auto store = store::Store::Open(dir_.path(), store::StoreOptions());
    ASSERT_TRUE(store.ok()) << store.status();
    auto bytes = (*store)->Get((*store)->log(), store::LogKey(7));
    ASSERT_TRUE(bytes.ok());
    std::string changed = *bytes;
    changed[changed.size() - 3] ^= 0x20;
    ASSERT_TRUE(
        (*store)
            ->db()
            ->Put(rocksdb::WriteOptions(), (*store)->log(), store::LogKey(7), changed)
            .ok());
    auto report = store::VerifyLog(store->get(), checkpoint.verifier_key());
    ASSERT_TRUE(absl::IsDataLoss(report.status())) << report.status();
    EXPECT_NE(report.status().message().find("position 7"), std::string::npos)
        << report.status();
  }
  // The admin command says the same, with exit code 3.
  const std::string command = absl::StrCat(AGREEMENTS_ADMIN_BIN, " verify --data_dir ",
                                           dir_.path(), " > /dev/null");
  EXPECT_EQ(WEXITSTATUS(std::system(command.c_str())), 3);

  // A client holding the earlier checkpoint rejects what the server now serves.
  Start();
  v1::GetInclusionProofRequest request;
  request.set_position(7);
  request.set_tree_size(checkpoint.tree_size());
  v1::GetInclusionProofResponse proof;
  ASSERT_TRUE(audit_->GetInclusionProof(Context().get(), request, &proof).ok());
  const merkle::Hash leaf = merkle::LeafHash(proof.event());
  std::vector<std::string> hashes(proof.proof().begin(), proof.proof().end());
  const absl::Status verified = merkle::VerifyInclusionBytes(
      6, checkpoint.tree_size(),
      absl::string_view(reinterpret_cast<const char*>(leaf.data()), 32), hashes,
      checkpoint.root_hash());
  EXPECT_TRUE(absl::IsDataLoss(verified)) << verified;
}

}  // namespace
}  // namespace agreements
