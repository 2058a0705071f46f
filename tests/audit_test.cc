// The verifiable log over a real server on 127.0.0.1: signed checkpoints, inclusion and
// consistency proofs checked with the client-side verifier, and their persistence.
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "agreements/v1/audit_service.grpc.pb.h"
#include "agreements/v1/command_service.grpc.pb.h"
#include "common/completeness.h"
#include "common/merkle.h"
#include "common/signed_note.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "security/policy.h"
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

constexpr char kRegistrarToken[] = "registrar-1-token-6f1d2c";

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }

  void Start() {
    services::ServerOptions options;
    options.checkpoints.every_events = 5;
    options.checkpoints.interval = absl::Milliseconds(50);
    // Changes are made as "registrar-1" (a bearer token); every other call is anonymous,
    // which this policy lets do everything.
    const std::string tokens = dir_.path() + "/tokens";
    const std::string policy = dir_.path() + "/policy";
    std::ofstream(tokens) << "sha256:" << security::TokenDigest(kRegistrarToken)
                          << " registrar-1 registrar\n";
    std::ofstream(policy) << "anonymous admin\n";
    options.security.tokens_file = tokens;
    options.security.policy_file = policy;
    auto registry = testing::StartLocalRegistry(options, dir_.path());
    ASSERT_TRUE(registry.ok()) << registry.status();
    server_ = std::move(registry->server);
    commands_ = v1::CommandService::NewStub(registry->channel);
    audit_ = v1::AuditService::NewStub(registry->channel);
  }

  std::unique_ptr<grpc::ClientContext> Context() {
    return testing::ContextWithDeadline();
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
  // The admin command says the same, with exit code 3; a mistyped key is not tampering.
  const std::string command = absl::StrCat(AGREEMENTS_ADMIN_BIN, " verify --data_dir ",
                                           dir_.path(), " > /dev/null");
  EXPECT_EQ(WEXITSTATUS(std::system(command.c_str())), 3);
  const std::string bad_key = absl::StrCat(AGREEMENTS_ADMIN_BIN, " verify --data_dir ",
                                           dir_.path(), " --verifier_key x > /dev/null");
  EXPECT_EQ(WEXITSTATUS(std::system(bad_key.c_str())), 2);

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

class HistoryTest : public AuditTest {
 protected:
  uint64_t Apply(const std::string& id, v1::EventPayload change) {
    v1::ApplyAgreementChangeRequest request;
    request.mutable_context()->set_request_id(absl::StrCat("r-", id, "-", ++counter_));
    request.mutable_context()->set_reason("test");
    request.set_agreement_id(id);
    *request.mutable_change() = std::move(change);
    v1::ApplyAgreementChangeResponse response;
    auto context = Context();
    context->AddMetadata("authorization", absl::StrCat("Bearer ", kRegistrarToken));
    auto status = commands_->ApplyAgreementChange(context.get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.result().last_position();
  }
  static v1::EventPayload Sign(const std::string& party, int year, int month, int day) {
    v1::EventPayload change;
    change.mutable_participant_signed()->set_party_id(party);
    *change.mutable_participant_signed()->mutable_signature()->mutable_date() =
        testing::Day(year, month, day);
    change.mutable_participant_signed()->mutable_signature()->set_kind(
        v1::SIGNATURE_KIND_SIMPLE);
    return change;
  }
  void RegisterParties() {
    v1::RegisterPartyResponse party;
    ASSERT_TRUE(
        commands_->RegisterParty(Context().get(), StateParty("p1", "kz", "KZ"), &party)
            .ok());
    ASSERT_TRUE(
        commands_->RegisterParty(Context().get(), StateParty("p2", "kr", "KR"), &party)
            .ok());
  }
  int counter_ = 0;
};

TEST_F(HistoryTest, HistoryDiffsAndTransactionTimeReads) {
  RegisterParties();
  v1::RecordAgreementResponse recorded;
  ASSERT_TRUE(commands_
                  ->RecordAgreement(Context().get(),
                                    BindingAgreement("rec", "a1", {"kz", "kr"}, "energy"),
                                    &recorded)
                  .ok());
  const uint64_t p1 = recorded.result().last_position();
  const uint64_t p2 = Apply("a1", Sign("kz", 2009, 5, 13));
  v1::EventPayload classify;
  auto* c = classify.mutable_classification_changed()->add_classifications();
  c->set_scheme(v1::CLASSIFICATION_SCHEME_REGISTRY_SECTOR);
  c->set_code("transport");
  const uint64_t p3 = Apply("a1", classify);
  v1::EventPayload correct;
  correct.mutable_record_corrected()->set_corrected_position(p1);
  correct.mutable_record_corrected()->mutable_field_mask()->add_paths("designation");
  correct.mutable_record_corrected()->mutable_agreement()->set_designation("Accord");
  const uint64_t p4 = Apply("a1", correct);

  // History, paged.
  v1::ListHistoryRequest list;
  list.set_stream_type(v1::STREAM_TYPE_AGREEMENT);
  list.set_stream_id("a1");
  list.set_page_size(3);
  std::vector<uint64_t> revisions;
  do {
    v1::ListHistoryResponse page;
    ASSERT_TRUE(audit_->ListHistory(Context().get(), list, &page).ok());
    for (const auto& event : page.events())
      revisions.push_back(event.envelope().revision());
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  EXPECT_EQ(revisions, (std::vector<uint64_t>{1, 2, 3, 4}));
  {  // The stream's hash chain: each event names the leaf hash of the one before.
    v1::ListHistoryRequest all;
    all.set_stream_type(v1::STREAM_TYPE_AGREEMENT);
    all.set_stream_id("a1");
    v1::ListHistoryResponse events;
    ASSERT_TRUE(audit_->ListHistory(Context().get(), all, &events).ok());
    std::string previous;
    for (const auto& event : events.events()) {
      EXPECT_EQ(event.envelope().previous_event_hash(), previous)
          << event.envelope().revision();
      const merkle::Hash leaf = merkle::LeafHash(event.SerializeAsString());
      previous.assign(reinterpret_cast<const char*>(leaf.data()), leaf.size());
    }
  }

  // Field-level diff with who and which event; the correction names what it corrects.
  v1::DiffRevisionsRequest diff;
  diff.set_agreement_id("a1");
  diff.set_from_revision(1);
  v1::DiffRevisionsResponse changes;
  ASSERT_TRUE(audit_->DiffRevisions(Context().get(), diff, &changes).ok());
  EXPECT_EQ(changes.to_revision(), 4u);
  bool status_changed = false, sectors_changed = false, designation_corrected = false;
  for (const auto& change : changes.changes()) {
    if (change.field() == "status") {
      status_changed = true;
      EXPECT_EQ(change.old_value(), "AGREEMENT_STATUS_DRAFT");
      EXPECT_EQ(change.new_value(), "AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE");
      EXPECT_EQ(change.position(), p2);
      EXPECT_EQ(change.event_type(), "participant_signed");
      EXPECT_EQ(change.actor(), "registrar-1");
    }
    if (change.field() == "sectors") {
      sectors_changed = true;
      EXPECT_EQ(change.position(), p3);
    }
    if (change.field() == "designation") {
      designation_corrected = true;
      EXPECT_EQ(change.new_value(), "\"Accord\"");
      EXPECT_EQ(change.position(), p4);
      EXPECT_EQ(change.corrects_position(), p1);
    }
  }
  EXPECT_TRUE(status_changed && sectors_changed && designation_corrected)
      << changes.DebugString();

  // As recorded at p2: signed, still in energy, designation not yet corrected.
  v1::GetAgreementAsOfRequest as_of;
  as_of.set_agreement_id("a1");
  as_of.mutable_as_of()->set_position(p2);
  v1::GetAgreementAsOfResponse then;
  ASSERT_TRUE(audit_->GetAgreementAsOf(Context().get(), as_of, &then).ok());
  EXPECT_EQ(then.agreement().status(), v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);
  EXPECT_EQ(then.agreement().revision(), 2u);
  EXPECT_EQ(then.agreement().designation(), "Agreement");
  ASSERT_EQ(then.agreement().sectors_size(), 1);
  EXPECT_EQ(then.agreement().sectors(0), "energy");
  // The same by time: the recording time of p1 gives a position at or after p1, before
  // p3.
  v1::ListHistoryRequest first;
  first.set_stream_type(v1::STREAM_TYPE_AGREEMENT);
  first.set_stream_id("a1");
  first.set_page_size(1);
  v1::ListHistoryResponse first_page;
  ASSERT_TRUE(audit_->ListHistory(Context().get(), first, &first_page).ok());
  *as_of.mutable_as_of()->mutable_recorded_at() =
      first_page.events(0).envelope().recorded_at();
  ASSERT_TRUE(audit_->GetAgreementAsOf(Context().get(), as_of, &then).ok());
  EXPECT_GE(then.position(), p1);
  EXPECT_LT(then.position(), p3);
  as_of.mutable_as_of()->set_position(p1 - 1);
  EXPECT_EQ(audit_->GetAgreementAsOf(Context().get(), as_of, &then).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // A time far in the future means now; a malformed one is refused.
  as_of.mutable_as_of()->mutable_recorded_at()->set_seconds(10413792000);  // year 2300
  ASSERT_TRUE(audit_->GetAgreementAsOf(Context().get(), as_of, &then).ok());
  EXPECT_EQ(then.agreement().revision(), 4u);
  as_of.mutable_as_of()->mutable_recorded_at()->set_nanos(-1);
  auto refused = audit_->GetAgreementAsOf(Context().get(), as_of, &then);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(refused.error_message().find("as_of.recorded_at"), std::string::npos);

  // A sector as recorded then and now.
  v1::ListSectorAsOfRequest sector;
  sector.set_sector("energy");
  sector.mutable_as_of()->set_position(p2);
  v1::ListSectorAsOfResponse energy_then;
  ASSERT_TRUE(audit_->ListSectorAsOf(Context().get(), sector, &energy_then).ok());
  ASSERT_EQ(energy_then.agreements_size(), 1);
  EXPECT_EQ(energy_then.summary().agreement_count(), 1);
  sector.clear_as_of();
  v1::ListSectorAsOfResponse energy_now;
  ASSERT_TRUE(audit_->ListSectorAsOf(Context().get(), sector, &energy_now).ok());
  EXPECT_EQ(energy_now.agreements_size(), 0);
}

TEST_F(HistoryTest, LegalStatusOnADateAndAsBelievedThen) {
  RegisterParties();
  v1::RecordAgreementResponse recorded;
  ASSERT_TRUE(commands_
                  ->RecordAgreement(Context().get(),
                                    BindingAgreement("rec", "t1", {"kz", "kr"}, "energy"),
                                    &recorded)
                  .ok());
  Apply("t1", Sign("kz", 2009, 5, 13));
  Apply("t1", Sign("kr", 2009, 5, 13));
  for (const char* party : {"kz", "kr"}) {
    v1::EventPayload consent;
    consent.mutable_consent_expressed()->set_party_id(party);
    consent.mutable_consent_expressed()->mutable_consent()->set_means(
        v1::CONSENT_MEANS_RATIFICATION);
    *consent.mutable_consent_expressed()->mutable_consent()->mutable_act_date() =
        testing::Day(2010, 1, 10);
    Apply("t1", consent);
  }
  v1::EventPayload force;
  *force.mutable_entered_into_force()->mutable_effective_date() =
      testing::Day(2010, 2, 1);
  const uint64_t in_force_at = Apply("t1", force);
  v1::EventPayload end;
  end.mutable_terminated()->set_ground(v1::TERMINATION_GROUND_BY_CONSENT);
  *end.mutable_terminated()->mutable_effective_date() = testing::Day(2020, 6, 30);
  Apply("t1", end);

  auto status_on = [&](v1::Date date, uint64_t as_of_position) {
    v1::GetLegalStatusOnRequest request;
    request.set_agreement_id("t1");
    *request.mutable_date() = date;
    if (as_of_position != 0) request.mutable_as_of()->set_position(as_of_position);
    v1::GetLegalStatusOnResponse response;
    EXPECT_TRUE(audit_->GetLegalStatusOn(Context().get(), request, &response).ok());
    return response.status();
  };
  EXPECT_EQ(status_on(testing::Day(2015, 1, 1), 0), v1::AGREEMENT_STATUS_IN_FORCE);
  EXPECT_EQ(status_on(testing::Day(2009, 12, 31), 0),
            v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);
  EXPECT_EQ(status_on(testing::Day(2021, 1, 1), 0), v1::AGREEMENT_STATUS_TERMINATED);
  // Both axes: what the registry said, before the termination was recorded, about 2021.
  EXPECT_EQ(status_on(testing::Day(2021, 1, 1), in_force_at),
            v1::AGREEMENT_STATUS_IN_FORCE);

  auto in_force = [&](v1::Date date) {
    v1::ListInForceOnRequest request;
    request.set_sector("energy");
    *request.mutable_date() = date;
    v1::ListInForceOnResponse response;
    EXPECT_TRUE(audit_->ListInForceOn(Context().get(), request, &response).ok());
    return response.agreements_size();
  };
  EXPECT_EQ(in_force(testing::Day(2015, 1, 1)), 1);
  EXPECT_EQ(in_force(testing::Day(2021, 1, 1)), 0);

  v1::GetLegalStatusOnRequest bad;
  bad.set_agreement_id("t1");
  v1::GetLegalStatusOnResponse response;
  auto status = audit_->GetLegalStatusOn(Context().get(), bad, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("date"), std::string::npos);
}

TEST_F(HistoryTest, AHistoryIsProvablyCompleteUpToACheckpoint) {
  RegisterParties();
  v1::RecordAgreementResponse recorded;
  ASSERT_TRUE(commands_
                  ->RecordAgreement(Context().get(),
                                    BindingAgreement("rec", "a1", {"kz", "kr"}, "energy"),
                                    &recorded)
                  .ok());
  Apply("a1", Sign("kz", 2009, 5, 13));
  Apply("a1", Sign("kr", 2009, 5, 14));
  ASSERT_TRUE(commands_
                  ->RecordAgreement(
                      Context().get(),
                      BindingAgreement("rec2", "a2", {"kz", "kr"}, "energy"), &recorded)
                  .ok());
  const v1::GetCheckpointResponse checkpoint =
      CheckpointAtLeast(recorded.result().last_position());

  v1::GetCompletenessProofRequest request;
  request.set_stream_type(v1::STREAM_TYPE_AGREEMENT);
  request.set_stream_id("a1");
  v1::GetCompletenessProofResponse response;
  ASSERT_TRUE(audit_->GetCompletenessProof(Context().get(), request, &response).ok());
  audit::CompletenessProof proof;
  proof.checkpoint_note = response.checkpoint_note();
  proof.events.assign(response.events().begin(), response.events().end());
  proof.map_leaf = response.map_leaf();
  proof.map_index = response.map_index();
  proof.map_proof.assign(response.map_proof().begin(), response.map_proof().end());
  const std::string key = checkpoint.verifier_key();
  ASSERT_EQ(proof.events.size(), 3u);
  EXPECT_TRUE(
      audit::VerifyCompleteness(proof, key, v1::STREAM_TYPE_AGREEMENT, "a1").ok());

  auto check = [&](audit::CompletenessProof changed) {
    return audit::VerifyCompleteness(changed, key, v1::STREAM_TYPE_AGREEMENT, "a1");
  };
  auto withheld = proof;  // the last event left out
  withheld.events.pop_back();
  EXPECT_TRUE(absl::IsDataLoss(check(withheld)));
  auto gap = proof;  // a middle event left out
  gap.events.erase(gap.events.begin() + 1);
  EXPECT_FALSE(check(gap).ok());
  auto changed = proof;  // one event changed
  changed.events[1][changed.events[1].size() - 2] ^= 1;
  EXPECT_FALSE(check(changed).ok());
  auto shorter = proof;  // a map leaf claiming an earlier head
  shorter.map_leaf[shorter.map_leaf.size() - 40 + 7] = 2;
  shorter.events.pop_back();
  EXPECT_TRUE(absl::IsDataLoss(check(shorter)));
  EXPECT_FALSE(
      audit::VerifyCompleteness(proof, key, v1::STREAM_TYPE_AGREEMENT, "a2").ok());

  request.set_stream_id("nobody");
  EXPECT_EQ(
      audit_->GetCompletenessProof(Context().get(), request, &response).error_code(),
      grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace agreements
