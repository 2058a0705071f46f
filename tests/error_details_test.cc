// Error details over a real server on 127.0.0.1 (port 0) with a real RocksDB: every error
// carries a google.rpc.ErrorInfo with a stable reason and its facts, INVALID_ARGUMENT a
// google.rpc.BadRequest naming the field, and a request the server cannot parse is
// INVALID_ARGUMENT (UNPARSABLE_REQUEST) on every service. Also reflection v1.
#include <memory>
#include <string>
#include <vector>

#include "agreements/v1/command_service.grpc.pb.h"
#include "agreements/v1/query_service.grpc.pb.h"
#include "common/error_info.h"
#include "common/grpc_status.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "services/server.h"
#include "tests/test_support.h"

namespace agreements {
namespace {

namespace v1 = ::agreements::v1;
namespace rv1 = ::grpc::reflection::v1;
using testing::BindingAgreement;
using testing::Day;
using testing::StateParty;
using testing::TempDir;

std::string Meta(const errors::Details& details, const std::string& key) {
  for (const auto& [k, v] : details.metadata) {
    if (k == key) return v;
  }
  return "<absent>";
}

errors::Details DetailsOf(const grpc::Status& status) {
  return errors::DetailsOf(FromGrpcStatus(status));
}

class ErrorDetailsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    services::ServerOptions options;
    options.max_min_position_wait = absl::Milliseconds(300);
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

  void RecordA1() {
    v1::RegisterPartyResponse party;
    ASSERT_TRUE(
        commands_->RegisterParty(Context().get(), StateParty("p-kz", "kz", "KZ"), &party)
            .ok());
    ASSERT_TRUE(
        commands_->RegisterParty(Context().get(), StateParty("p-kr", "kr", "KR"), &party)
            .ok());
    v1::RecordAgreementResponse recorded;
    ASSERT_TRUE(commands_
                    ->RecordAgreement(
                        Context().get(),
                        BindingAgreement("rec", "a1", {"kz", "kr"}, "energy"), &recorded)
                    .ok());
  }

  grpc::Status Apply(const std::string& request_id, v1::EventPayload change,
                     int64_t expected = -1) {
    v1::ApplyAgreementChangeRequest request;
    request.mutable_context()->set_request_id(request_id);
    request.set_agreement_id("a1");
    *request.mutable_change() = std::move(change);
    if (expected >= 0) request.mutable_expected_revision()->set_exact(expected);
    v1::ApplyAgreementChangeResponse response;
    return commands_->ApplyAgreementChange(Context().get(), request, &response);
  }

  // One call of `method` whose request is `bytes`, whatever they are; its status.
  grpc::Status CallRaw(const std::string& method, const std::string& bytes) {
    grpc::GenericStub generic(channel_);
    auto context = Context();
    grpc::CompletionQueue cq;
    auto call = generic.PrepareCall(context.get(), method, &cq);
    void* tag;
    bool ok;
    call->StartCall(reinterpret_cast<void*>(1));
    cq.Next(&tag, &ok);
    grpc::Slice slice(bytes);
    grpc::ByteBuffer out(&slice, 1);
    call->WriteLast(out, grpc::WriteOptions(), reinterpret_cast<void*>(2));
    cq.Next(&tag, &ok);
    grpc::Status status;
    call->Finish(&status, reinterpret_cast<void*>(3));
    cq.Next(&tag, &ok);
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) {
    }
    return status;
  }

  TempDir dir_;
  std::unique_ptr<services::RegistryServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CommandService::Stub> commands_;
  std::unique_ptr<v1::QueryService::Stub> queries_;
};

TEST_F(ErrorDetailsTest, RulesOfTheRegistryHaveStableReasonsAndFacts) {
  RecordA1();
  v1::EventPayload sign;
  sign.mutable_participant_signed()->set_party_id("kz");
  *sign.mutable_participant_signed()->mutable_signature()->mutable_date() =
      Day(2009, 5, 13);
  sign.mutable_participant_signed()->mutable_signature()->set_kind(
      v1::SIGNATURE_KIND_SIMPLE);

  grpc::Status status = Apply("stale", sign, /*expected=*/7);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  errors::Details details = DetailsOf(status);
  EXPECT_EQ(details.reason, "WRONG_EXPECTED_REVISION");
  EXPECT_EQ(details.domain, "agreements.registry");
  EXPECT_EQ(Meta(details, "current_revision"), "1");
  EXPECT_EQ(Meta(details, "expected_revision"), "7");
  ASSERT_EQ(details.preconditions.size(), 1u);
  EXPECT_EQ(details.preconditions[0].type, "REVISION");

  v1::EventPayload force;
  *force.mutable_entered_into_force()->mutable_effective_date() = Day(2010, 2, 1);
  status = Apply("force-draft", force);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  details = DetailsOf(status);
  EXPECT_EQ(details.reason, "ILLEGAL_TRANSITION");
  EXPECT_EQ(Meta(details, "current_status"), "DRAFT");
  EXPECT_EQ(Meta(details, "agreement_id"), "a1");
  ASSERT_EQ(details.preconditions.size(), 1u);
  EXPECT_EQ(details.preconditions[0].subject, "agreements/a1");

  // The same request id with another content.
  v1::RecordAgreementResponse recorded;
  status = commands_->RecordAgreement(
      Context().get(), BindingAgreement("rec", "a2", {"kz", "kr"}, "energy"), &recorded);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  details = DetailsOf(status);
  EXPECT_EQ(details.reason, "DUPLICATE_REQUEST_ID_DIFFERENT_CONTENT");
  EXPECT_EQ(Meta(details, "request_id"), "rec");

  status = commands_->RecordAgreement(
      Context().get(), BindingAgreement("rec-2", "a1", {"kz", "kr"}, "energy"),
      &recorded);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(DetailsOf(status).reason, "AGREEMENT_ALREADY_EXISTS");

  status = commands_->RecordAgreement(
      Context().get(), BindingAgreement("rec-3", "a3", {"kz", "zz"}, "energy"),
      &recorded);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  details = DetailsOf(status);
  EXPECT_EQ(details.reason, "PARTY_NOT_FOUND");
  EXPECT_EQ(Meta(details, "party_id"), "zz");
}

TEST_F(ErrorDetailsTest, InvalidArgumentsNameTheFieldInABadRequest) {
  v1::RegisterPartyResponse party;
  grpc::Status status =
      commands_->RegisterParty(Context().get(), StateParty("bad", "xx", "XX"), &party);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  errors::Details details = DetailsOf(status);
  EXPECT_EQ(details.reason, "INVALID_FIELD");
  ASSERT_EQ(details.field_violations.size(), 1u);
  EXPECT_NE(details.field_violations[0].first.find("party.country_code"),
            std::string::npos)
      << details.field_violations[0].first;
  EXPECT_FALSE(details.field_violations[0].second.empty());

  // Errors the services raise themselves get their field from the message.
  v1::ListAgreementsRequest list;
  list.set_page_token("not-a-token");
  v1::ListAgreementsResponse listed;
  status = queries_->ListAgreements(Context().get(), list, &listed);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  details = DetailsOf(status);
  EXPECT_EQ(details.reason, "INVALID_FIELD");
  ASSERT_EQ(details.field_violations.size(), 1u);
  EXPECT_EQ(details.field_violations[0].first, "page_token");

  v1::GetAgreementRequest get;
  get.set_agreement_id("missing");
  v1::GetAgreementResponse got;
  status = queries_->GetAgreement(Context().get(), get, &got);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(DetailsOf(status).reason, "AGREEMENT_NOT_FOUND");

  // An error raised without a reason gets its code's name.
  get.set_agreement_id("a1");
  get.set_min_position(1000000);
  status = queries_->GetAgreement(Context().get(), get, &got);  // waits 300 ms at most
  ASSERT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  errors::Details waited = DetailsOf(status);
  EXPECT_EQ(waited.reason, StatusCodeName(status.error_code())) << status.error_message();
  EXPECT_EQ(waited.domain, "agreements.registry");
}

TEST_F(ErrorDetailsTest, UnparsableRequestsAreInvalidArgumentOnEveryService) {
  // Field 1, length-delimited, 127 bytes announced, 1 sent.
  const std::string garbage("\x0a\x7f\x01", 3);
  for (const std::string method : {
           "/agreements.v1.CommandService/RecordAgreement",
           "/agreements.v1.QueryService/GetAgreement",
           "/agreements.v1.FeedService/Subscribe",
           "/agreements.v1.AuditService/GetCheckpoint",
           "/agreements.v1.SecurityService/WhoAmI",
           "/agreements.v1.AdminService/RebuildView",
       }) {
    SCOPED_TRACE(method);
    const grpc::Status status = CallRaw(method, garbage);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << status.error_message();
    EXPECT_NE(status.error_message().find("cannot parse"), std::string::npos)
        << status.error_message();
    EXPECT_EQ(DetailsOf(status).reason, "UNPARSABLE_REQUEST");
  }
  // gRPC's health service parses its requests itself and says so in its own words.
  const grpc::Status health = CallRaw("/grpc.health.v1.Health/Check", garbage);
  EXPECT_EQ(health.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << health.error_message();
  EXPECT_EQ(DetailsOf(health).reason, "INVALID_ARGUMENT");
  // A method that does not exist is still UNIMPLEMENTED.
  EXPECT_EQ(CallRaw("/agreements.v1.QueryService/NoSuchMethod", "").error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  // A valid request of the same method still works.
  v1::ListSectorsResponse sectors;
  EXPECT_TRUE(
      queries_->ListSectors(Context().get(), v1::ListSectorsRequest(), &sectors).ok());
}

TEST_F(ErrorDetailsTest, ReflectionV1ListsEveryServiceAndServesHealthDescriptors) {
  auto reflection = rv1::ServerReflection::NewStub(channel_);
  auto context = Context();
  auto stream = reflection->ServerReflectionInfo(context.get());
  rv1::ServerReflectionRequest request;
  request.set_list_services("");
  ASSERT_TRUE(stream->Write(request));
  rv1::ServerReflectionResponse response;
  ASSERT_TRUE(stream->Read(&response));
  std::vector<std::string> names;
  for (const auto& service : response.list_services_response().service()) {
    names.push_back(service.name());
  }
  for (const char* expected :
       {"agreements.v1.CommandService", "agreements.v1.QueryService",
        "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }

  request.set_file_containing_symbol("grpc.health.v1.Health");
  ASSERT_TRUE(stream->Write(request));
  ASSERT_TRUE(stream->Read(&response));
  ASSERT_TRUE(response.has_file_descriptor_response());
  google::protobuf::FileDescriptorProto file;
  ASSERT_TRUE(
      file.ParseFromString(response.file_descriptor_response().file_descriptor_proto(0)));
  EXPECT_EQ(file.name(), "grpc/health/v1/health.proto");
  ASSERT_EQ(file.service_size(), 1);
  EXPECT_EQ(file.service(0).name(), "Health");

  // A file and its imports: query_service.proto brings agreement.proto along.
  request.set_file_containing_symbol("agreements.v1.QueryService");
  ASSERT_TRUE(stream->Write(request));
  ASSERT_TRUE(stream->Read(&response));
  std::vector<std::string> files;
  for (const std::string& bytes :
       response.file_descriptor_response().file_descriptor_proto()) {
    ASSERT_TRUE(file.ParseFromString(bytes));
    files.push_back(file.name());
  }
  ASSERT_FALSE(files.empty());
  EXPECT_EQ(files[0], "agreements/v1/query_service.proto");
  EXPECT_NE(std::find(files.begin(), files.end(), "agreements/v1/agreement.proto"),
            files.end());

  request.set_file_containing_symbol("agreements.v1.NoSuchThing");
  ASSERT_TRUE(stream->Write(request));
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_EQ(response.error_response().error_code(),
            static_cast<int>(grpc::StatusCode::NOT_FOUND));
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

}  // namespace
}  // namespace agreements
