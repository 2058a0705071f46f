// The services over a real server on 127.0.0.1 (port 0) with a real RocksDB: lifecycle,
// views, and every error code the API promises.
#include <memory>

#include "agreements/v1/command_service.grpc.pb.h"
#include "agreements/v1/query_service.grpc.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "services/server.h"
#include "tests/test_support.h"

namespace agreements {
namespace {

namespace v1 = ::agreements::v1;
using testing::BindingAgreement;
using testing::Day;
using testing::StateParty;
using testing::TempDir;

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    services::ServerOptions options;
    options.max_min_position_wait = absl::Milliseconds(300);
    StartServer(options);
  }

  void StartServer(services::ServerOptions options) {
    auto registry = testing::StartLocalRegistry(options, dir_.path());
    ASSERT_TRUE(registry.ok()) << registry.status();
    server_ = std::move(registry->server);
    channel_ = registry->channel;
    commands_ = v1::CommandService::NewStub(channel_);
    queries_ = v1::QueryService::NewStub(channel_);
  }

  std::unique_ptr<grpc::ClientContext> Context() {
    return testing::ContextWithDeadline();
  }

  void RegisterKzKr() {
    v1::RegisterPartyResponse response;
    ASSERT_TRUE(
        commands_
            ->RegisterParty(Context().get(), StateParty("p-kz", "kz", "KZ"), &response)
            .ok());
    ASSERT_TRUE(
        commands_
            ->RegisterParty(Context().get(), StateParty("p-kr", "kr", "KR"), &response)
            .ok());
  }

  grpc::Status Apply(const std::string& request_id, const std::string& id,
                     v1::EventPayload change, v1::ApplyAgreementChangeResponse* response,
                     int64_t expected = -1) {
    v1::ApplyAgreementChangeRequest request;
    request.mutable_context()->set_request_id(request_id);
    request.set_agreement_id(id);
    *request.mutable_change() = std::move(change);
    if (expected >= 0) request.mutable_expected_revision()->set_exact(expected);
    return commands_->ApplyAgreementChange(Context().get(), request, response);
  }

  static v1::EventPayload Sign(const std::string& party) {
    v1::EventPayload change;
    auto* s = change.mutable_participant_signed();
    s->set_party_id(party);
    *s->mutable_signature()->mutable_date() = Day(2009, 5, 13);
    s->mutable_signature()->set_kind(v1::SIGNATURE_KIND_SIMPLE);
    return change;
  }

  uint64_t Head() {
    v1::ListSectorsResponse response;
    EXPECT_TRUE(
        queries_->ListSectors(Context().get(), v1::ListSectorsRequest(), &response).ok());
    return response.position();
  }

  TempDir dir_;
  std::unique_ptr<services::RegistryServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CommandService::Stub> commands_;
  std::unique_ptr<v1::QueryService::Stub> queries_;
};

// With the views held back (the projection sleeps before each batch), a read by default
// still sees every acknowledged write: it waits for the views; one asking
// READ_CONSISTENCY_AVAILABLE is answered at once from the older views; one whose
// deadline ends first is UNAVAILABLE, naming the lag.
TEST_F(ServiceTest, ReadsSeeAcknowledgedWritesWhileTheViewsLag) {
  server_.reset();
  services::ServerOptions options;
  options.max_min_position_wait = absl::Seconds(5);
  options.projection.TEST_before_batch = [] { absl::SleepFor(absl::Milliseconds(500)); };
  StartServer(options);
  RegisterKzKr();

  v1::RecordAgreementResponse recorded;
  ASSERT_TRUE(commands_
                  ->RecordAgreement(Context().get(),
                                    BindingAgreement("r1", "a1", {"kz", "kr"}, "energy"),
                                    &recorded)
                  .ok());
  v1::GetAgreementRequest get;
  get.set_agreement_id("a1");
  v1::GetAgreementResponse got;
  auto status = queries_->GetAgreement(Context().get(), get, &got);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_GE(got.position(), recorded.result().last_position());

  ASSERT_TRUE(commands_
                  ->RecordAgreement(Context().get(),
                                    BindingAgreement("r2", "a2", {"kz", "kr"}, "energy"),
                                    &recorded)
                  .ok());
  get.set_agreement_id("a2");
  get.set_consistency(v1::READ_CONSISTENCY_AVAILABLE);
  status = queries_->GetAgreement(Context().get(), get, &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();

  ASSERT_TRUE(commands_
                  ->RecordAgreement(Context().get(),
                                    BindingAgreement("r3", "a3", {"kz", "kr"}, "energy"),
                                    &recorded)
                  .ok());
  get.set_agreement_id("a3");
  get.clear_consistency();
  grpc::ClientContext short_deadline;
  short_deadline.set_deadline(std::chrono::system_clock::now() +
                              std::chrono::milliseconds(100));
  status = queries_->GetAgreement(&short_deadline, get, &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_NE(status.error_message().find("behind the log"), std::string::npos)
      << status.error_message();
}

TEST_F(ServiceTest, LifecycleThroughTheApiAndViews) {
  RegisterKzKr();
  v1::RecordAgreementResponse recorded;
  ASSERT_TRUE(commands_
                  ->RecordAgreement(
                      Context().get(),
                      BindingAgreement("rec-1", "kz-kr-energy", {"kz", "kr"}, "energy"),
                      &recorded)
                  .ok());
  EXPECT_EQ(recorded.agreement().status(), v1::AGREEMENT_STATUS_DRAFT);
  EXPECT_EQ(recorded.result().first_position(), 3u);

  v1::ApplyAgreementChangeResponse changed;
  ASSERT_TRUE(Apply("sign-kz", "kz-kr-energy", Sign("kz"), &changed, 1).ok());
  ASSERT_TRUE(Apply("sign-kr", "kz-kr-energy", Sign("kr"), &changed).ok());
  EXPECT_EQ(changed.agreement().status(), v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);
  for (const char* party : {"kz", "kr"}) {
    v1::EventPayload consent;
    consent.mutable_consent_expressed()->set_party_id(party);
    consent.mutable_consent_expressed()->mutable_consent()->set_means(
        v1::CONSENT_MEANS_RATIFICATION);
    *consent.mutable_consent_expressed()->mutable_consent()->mutable_act_date() =
        Day(2010, 1, 10);
    ASSERT_TRUE(
        Apply(std::string("consent-") + party, "kz-kr-energy", consent, &changed).ok());
  }
  v1::EventPayload force;
  *force.mutable_entered_into_force()->mutable_effective_date() = Day(2010, 2, 1);
  ASSERT_TRUE(Apply("force", "kz-kr-energy", force, &changed).ok());
  EXPECT_EQ(changed.agreement().status(), v1::AGREEMENT_STATUS_IN_FORCE);
  EXPECT_EQ(changed.agreement().revision(), 6u);

  // Read your writes: the position a command returned.
  v1::GetAgreementRequest get;
  get.set_agreement_id("kz-kr-energy");
  get.set_min_position(changed.result().last_position());
  v1::GetAgreementResponse got;
  ASSERT_TRUE(queries_->GetAgreement(Context().get(), get, &got).ok());
  EXPECT_EQ(got.agreement().status(), v1::AGREEMENT_STATUS_IN_FORCE);
  EXPECT_EQ(got.position(), changed.result().last_position());
  for (const auto& p : got.agreement().participations()) {
    EXPECT_EQ(p.status(), v1::PARTICIPATION_STATUS_PARTY) << p.party_id();
  }

  v1::ListAgreementsRequest list;
  list.set_sector("energy");
  list.set_status(v1::AGREEMENT_STATUS_IN_FORCE);
  v1::ListAgreementsResponse listed;
  ASSERT_TRUE(queries_->ListAgreements(Context().get(), list, &listed).ok());
  ASSERT_EQ(listed.agreements_size(), 1);
  list.set_sector("transport");
  ASSERT_TRUE(queries_->ListAgreements(Context().get(), list, &listed).ok());
  EXPECT_EQ(listed.agreements_size(), 0);

  v1::GetSectorSummaryRequest summary_request;
  summary_request.set_sector("energy");
  v1::GetSectorSummaryResponse summary;
  ASSERT_TRUE(
      queries_->GetSectorSummary(Context().get(), summary_request, &summary).ok());
  EXPECT_EQ(summary.summary().agreement_count(), 1);
  ASSERT_EQ(summary.summary().by_status_size(), 1);
  EXPECT_EQ(summary.summary().by_status(0).status(), v1::AGREEMENT_STATUS_IN_FORCE);
  ASSERT_EQ(summary.summary().top_parties_size(), 2);
}

TEST_F(ServiceTest, RetriesReplayAndDifferentPayloadsAreRejected) {
  RegisterKzKr();
  auto request = BindingAgreement("same-id", "a1", {"kz", "kr"}, "energy");
  v1::RecordAgreementResponse first, second;
  ASSERT_TRUE(commands_->RecordAgreement(Context().get(), request, &first).ok());
  ASSERT_TRUE(commands_->RecordAgreement(Context().get(), request, &second).ok());
  EXPECT_FALSE(first.result().replayed());
  EXPECT_TRUE(second.result().replayed());
  EXPECT_EQ(first.result().first_position(), second.result().first_position());
  EXPECT_EQ(second.agreement().id(), "a1");
  const uint64_t head = Head();

  request.mutable_agreement()->set_designation("Changed");
  auto status = commands_->RecordAgreement(Context().get(), request, &second);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("context.request_id"), std::string::npos)
      << status.error_message();
  EXPECT_EQ(Head(), head);
}

TEST_F(ServiceTest, EveryErrorCodeNamesTheProblemAndLeavesDataUntouched) {
  RegisterKzKr();
  v1::RecordAgreementResponse recorded;
  ASSERT_TRUE(commands_
                  ->RecordAgreement(Context().get(),
                                    BindingAgreement("rec", "a1", {"kz", "kr"}, "energy"),
                                    &recorded)
                  .ok());
  const uint64_t head = Head();

  // INVALID_ARGUMENT names the field and the rule.
  v1::RegisterPartyResponse party;
  auto status =
      commands_->RegisterParty(Context().get(), StateParty("bad", "xx", "XX"), &party);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("party.country_code"), std::string::npos)
      << status.error_message();
  v1::RegisterPartyRequest no_id = StateParty("", "yy", "KZ");
  status = commands_->RegisterParty(Context().get(), no_id, &party);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("context.request_id"), std::string::npos)
      << status.error_message();

  // NOT_FOUND.
  v1::GetAgreementRequest get;
  get.set_agreement_id("missing");
  v1::GetAgreementResponse got;
  status = queries_->GetAgreement(Context().get(), get, &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  v1::ApplyAgreementChangeResponse changed;
  status = Apply("sign-missing", "missing", Sign("kz"), &changed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);

  // ALREADY_EXISTS.
  status = commands_->RecordAgreement(
      Context().get(), BindingAgreement("rec-again", "a1", {"kz", "kr"}, "energy"),
      &recorded);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);

  // FAILED_PRECONDITION names the status and the action.
  v1::EventPayload force;
  *force.mutable_entered_into_force()->mutable_effective_date() = Day(2010, 2, 1);
  status = Apply("force-draft", "a1", force, &changed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("DRAFT"), std::string::npos)
      << status.error_message();

  // ABORTED tells the current revision.
  status = Apply("stale", "a1", Sign("kz"), &changed, /*expected=*/7);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_NE(status.error_message().find("revision 1"), std::string::npos)
      << status.error_message();

  // DEADLINE_EXCEEDED for a position the log has not reached.
  get.set_agreement_id("a1");
  get.set_min_position(head + 1000);
  status = queries_->GetAgreement(Context().get(), get, &got);  // 10 s client deadline
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_NE(status.error_message().find("min_position"), std::string::npos)
      << status.error_message();

  // INVALID_ARGUMENT for malformed filters.
  v1::ListAgreementsRequest bad_filter;
  *bad_filter.mutable_signed_from() = Day(2010, 1, 1);
  *bad_filter.mutable_signed_to() = Day(2009, 1, 1);
  v1::ListAgreementsResponse ignored;
  status = queries_->ListAgreements(Context().get(), bad_filter, &ignored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("signed_from"), std::string::npos);
  v1::ListPartiesRequest lower_country;
  lower_country.set_country_code("kz");
  v1::ListPartiesResponse no_parties;
  status = queries_->ListParties(Context().get(), lower_country, &no_parties);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("country_code"), std::string::npos);

  // Creation errors name the request's own fields.
  auto reserved = BindingAgreement("reserved", "a-5", {"kz", "kr"}, "energy");
  status = commands_->RecordAgreement(Context().get(), reserved, &recorded);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("agreement.id:", 0), 0u)
      << status.error_message();
  auto bad_id = BindingAgreement("bad-id", "Not An Id", {"kz", "kr"}, "energy");
  status = commands_->RecordAgreement(Context().get(), bad_id, &recorded);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("agreement.id:", 0), 0u)
      << status.error_message();

  // INVALID_ARGUMENT for a page token reused with other filters.
  v1::ListAgreementsRequest list;
  list.set_page_size(1);
  v1::ListAgreementsResponse listed;
  ASSERT_TRUE(
      commands_->RegisterParty(Context().get(), StateParty("p-us", "us", "US"), &party)
          .ok());
  ASSERT_TRUE(commands_
                  ->RecordAgreement(
                      Context().get(),
                      BindingAgreement("rec2", "a2", {"kz", "us"}, "energy"), &recorded)
                  .ok());
  ASSERT_TRUE(queries_->ListAgreements(Context().get(), list, &listed).ok());
  ASSERT_FALSE(listed.next_page_token().empty());
  list.set_page_token(listed.next_page_token());
  list.set_sector("energy");
  status = queries_->ListAgreements(Context().get(), list, &listed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("page_token"), std::string::npos);
  list.set_sector("atlantis");
  status = queries_->ListAgreements(Context().get(), list, &listed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // Nothing of the failed commands reached the store.
  EXPECT_EQ(Head(), head + 2);
}

// The single-command RPCs return the state unless asked for the result only; ExecuteBatch
// returns the result only unless asked for the states (in the order of the streams).
TEST_F(ServiceTest, WriteResponsesCarryTheStateOnlyWhenAsked) {
  v1::RegisterPartyResponse party;
  ASSERT_TRUE(
      commands_->RegisterParty(Context().get(), StateParty("p-kz", "kz", "KZ"), &party)
          .ok());
  EXPECT_EQ(party.party().id(), "kz");
  auto kr = StateParty("p-kr", "kr", "KR");
  kr.set_response_view(v1::RESPONSE_VIEW_RESULT_ONLY);
  ASSERT_TRUE(commands_->RegisterParty(Context().get(), kr, &party).ok());
  EXPECT_FALSE(party.has_party());
  EXPECT_EQ(party.result().streams(0).stream_id(), "kr");

  auto record = BindingAgreement("r1", "a1", {"kz", "kr"}, "energy");
  record.set_response_view(v1::RESPONSE_VIEW_RESULT_ONLY);
  v1::RecordAgreementResponse recorded;
  ASSERT_TRUE(commands_->RecordAgreement(Context().get(), record, &recorded).ok());
  EXPECT_FALSE(recorded.has_agreement());
  EXPECT_EQ(recorded.result().first_position(), 3u);
  v1::ApplyAgreementChangeResponse changed;
  ASSERT_TRUE(Apply("s1", "a1", Sign("kz"), &changed).ok());
  EXPECT_EQ(changed.agreement().status(), v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);

  v1::ExecuteBatchRequest batch;
  batch.mutable_context()->set_request_id("b1");
  v1::Command* sign = batch.add_commands();
  sign->set_stream_type(v1::STREAM_TYPE_AGREEMENT);
  sign->set_stream_id("a1");
  *sign->mutable_change() = Sign("kr");
  v1::Command* update = batch.add_commands();
  update->set_stream_type(v1::STREAM_TYPE_PARTY);
  update->set_stream_id("kz");
  auto* updated = update->mutable_change()->mutable_party_updated();
  updated->mutable_party()->set_id("kz");
  updated->mutable_party()->add_names()->set_language("en");
  updated->mutable_party()->mutable_names(0)->set_text("Kazakhstan");
  updated->mutable_update_mask()->add_paths("names");
  v1::ExecuteBatchResponse executed;
  ASSERT_TRUE(commands_->ExecuteBatch(Context().get(), batch, &executed).ok());
  EXPECT_EQ(executed.agreements_size(), 0);
  EXPECT_EQ(executed.parties_size(), 0);

  batch.set_response_view(v1::RESPONSE_VIEW_FULL);
  ASSERT_TRUE(commands_->ExecuteBatch(Context().get(), batch, &executed).ok());
  EXPECT_TRUE(executed.result().replayed());
  ASSERT_EQ(executed.agreements_size(), 1);
  EXPECT_EQ(executed.agreements(0).status(), v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);
  ASSERT_EQ(executed.parties_size(), 1);
  EXPECT_EQ(executed.parties(0).names(0).text(), "Kazakhstan");
}

TEST_F(ServiceTest, OverloadAndShutdownAreReported) {
  server_.reset();
  services::ServerOptions options;
  options.committer.max_pending_requests = 0;
  StartServer(options);
  v1::RegisterPartyResponse party;
  auto status =
      commands_->RegisterParty(Context().get(), StateParty("p", "kz", "KZ"), &party);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);

  server_->Shutdown();
  status = commands_->RegisterParty(Context().get(), StateParty("p", "kz", "KZ"), &party);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(ServiceTest, HealthAndReflectionServeGenericClients) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(
      health->Check(Context().get(), grpc::health::v1::HealthCheckRequest(), &response)
          .ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  // Server reflection, through a generic stub and the reflection messages' descriptors.
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  const auto* request_type =
      pool->FindMessageTypeByName("grpc.reflection.v1alpha.ServerReflectionRequest");
  const auto* response_type =
      pool->FindMessageTypeByName("grpc.reflection.v1alpha.ServerReflectionResponse");
  ASSERT_NE(request_type, nullptr);
  ASSERT_NE(response_type, nullptr);
  google::protobuf::DynamicMessageFactory factory;
  std::unique_ptr<google::protobuf::Message> request(
      factory.GetPrototype(request_type)->New());
  request->GetReflection()->SetString(request.get(),
                                      request_type->FindFieldByName("list_services"), "");
  grpc::GenericStub generic(channel_);
  auto context = Context();
  grpc::CompletionQueue cq;
  auto call = generic.PrepareCall(
      context.get(), "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
      &cq);
  void* tag;
  bool ok;
  call->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  std::string bytes = request->SerializeAsString();
  grpc::Slice slice(bytes);
  grpc::ByteBuffer out(&slice, 1);
  call->Write(out, reinterpret_cast<void*>(2));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  grpc::ByteBuffer in;
  call->Read(&in, reinterpret_cast<void*>(3));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(in.Dump(&slices).ok());
  std::string received;
  for (const auto& s : slices)
    received.append(reinterpret_cast<const char*>(s.begin()), s.size());
  std::unique_ptr<google::protobuf::Message> answer(
      factory.GetPrototype(response_type)->New());
  ASSERT_TRUE(answer->ParseFromString(received));
  const std::string text = answer->DebugString();
  EXPECT_NE(text.find("agreements.v1.CommandService"), std::string::npos) << text;
  EXPECT_NE(text.find("agreements.v1.QueryService"), std::string::npos) << text;
  call->WritesDone(reinterpret_cast<void*>(4));
  cq.Next(&tag, &ok);
  context->TryCancel();
  grpc::Status finish;
  call->Finish(&finish, reinterpret_cast<void*>(5));
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

}  // namespace
}  // namespace agreements
