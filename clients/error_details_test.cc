// Tests of the error details the client keeps: parsed from a grpc::Status built here, and
// carried through RegistryClient from an in-process server that answers with details.
#include "clients/error_details.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "clients/client.h"
#include "google/protobuf/duration.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"

namespace agreements::client {
namespace {

// A google.rpc.Status with one detail of each kind (and one of a type the client does not
// know), serialized.
std::string FullDetails() {
  google::rpc::Status status;
  status.set_code(static_cast<int>(grpc::StatusCode::ABORTED));
  status.set_message("expected revision 3, stream at 4");
  google::rpc::ErrorInfo info;
  info.set_reason("WRONG_EXPECTED_REVISION");
  info.set_domain("agreements.registry");
  (*info.mutable_metadata())["current_revision"] = "4";
  (*info.mutable_metadata())["expected_revision"] = "3";
  status.add_details()->PackFrom(info);
  google::rpc::BadRequest bad;
  auto* violation = bad.add_field_violations();
  violation->set_field("command.participant_signed.signature.date");
  violation->set_description("must not be before the adoption");
  status.add_details()->PackFrom(bad);
  google::rpc::PreconditionFailure precondition;
  auto* failed = precondition.add_violations();
  failed->set_type("REVISION");
  failed->set_subject("agreements/ag-1");
  failed->set_description("at 4");
  status.add_details()->PackFrom(precondition);
  google::rpc::ResourceInfo resource;
  resource.set_resource_type("agreements.v1.Agreement");
  resource.set_resource_name("ag-1");
  status.add_details()->PackFrom(resource);
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(2);
  retry.mutable_retry_delay()->set_nanos(500000000);
  status.add_details()->PackFrom(retry);
  google::protobuf::Duration unknown_kind;  // skipped: not a detail the client reads
  unknown_kind.set_seconds(7);
  status.add_details()->PackFrom(unknown_kind);
  return status.SerializeAsString();
}

void ExpectFullDetails(const ErrorDetails& details) {
  EXPECT_EQ(details.reason, "WRONG_EXPECTED_REVISION");
  EXPECT_EQ(details.domain, "agreements.registry");
  EXPECT_EQ(details.metadata,
            (std::map<std::string, std::string>{{"current_revision", "4"},
                                                {"expected_revision", "3"}}));
  ASSERT_EQ(details.field_violations.size(), 1u);
  EXPECT_EQ(details.field_violations[0].field,
            "command.participant_signed.signature.date");
  EXPECT_EQ(details.field_violations[0].description, "must not be before the adoption");
  ASSERT_EQ(details.precondition_violations.size(), 1u);
  EXPECT_EQ(details.precondition_violations[0].type, "REVISION");
  EXPECT_EQ(details.precondition_violations[0].subject, "agreements/ag-1");
  EXPECT_EQ(details.precondition_violations[0].description, "at 4");
  ASSERT_TRUE(details.resource.has_value());
  EXPECT_EQ(details.resource->type, "agreements.v1.Agreement");
  EXPECT_EQ(details.resource->name, "ag-1");
  ASSERT_TRUE(details.retry_delay.has_value());
  EXPECT_EQ(*details.retry_delay, absl::Milliseconds(2500));
  EXPECT_FALSE(details.empty());
}

TEST(ErrorDetailsTest, ParsesEveryKindOfDetailFromAGrpcStatus) {
  const grpc::Status status(grpc::StatusCode::ABORTED, "expected revision 3, stream at 4",
                            FullDetails());
  ExpectFullDetails(ErrorDetails::FromGrpcStatus(status));
}

TEST(ErrorDetailsTest, TheConvertedStatusKeepsTheDetails) {
  const grpc::Status grpc_status(grpc::StatusCode::ABORTED, "stale", FullDetails());
  const absl::Status status = StatusFromGrpc(grpc_status);
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(status.message(), "stale");
  ASSERT_TRUE(status.GetPayload(kStatusDetailsTypeUrl).has_value());
  ExpectFullDetails(ErrorDetails::FromStatus(status));
}

TEST(ErrorDetailsTest, AbsentOrGarbageDetailsAreEmpty) {
  EXPECT_TRUE(ErrorDetails::FromGrpcStatus(grpc::Status(grpc::StatusCode::NOT_FOUND, "x"))
                  .empty());
  EXPECT_TRUE(ErrorDetails::FromStatus(absl::NotFoundError("x")).empty());
  EXPECT_TRUE(ErrorDetails::FromStatus(absl::OkStatus()).empty());
  EXPECT_TRUE(ErrorDetails::Parse("\xff\xff\xff not a protobuf").empty());
  absl::Status garbage = absl::AbortedError("x");
  garbage.SetPayload(kStatusDetailsTypeUrl, absl::Cord("\x0a\xff"));
  EXPECT_TRUE(ErrorDetails::FromStatus(garbage).empty());
  // A status without details gets no payload.
  EXPECT_FALSE(StatusFromGrpc(grpc::Status(grpc::StatusCode::INTERNAL, "boom"))
                   .GetPayload(kStatusDetailsTypeUrl)
                   .has_value());
  EXPECT_TRUE(StatusFromGrpc(grpc::Status::OK).ok());
}

TEST(ErrorDetailsTest, ADetailThatDoesNotParseIsSkipped) {
  google::rpc::Status status;
  google::protobuf::Any* broken = status.add_details();
  broken->set_type_url("type.googleapis.com/google.rpc.ErrorInfo");
  broken->set_value("\xff\xff\xff");
  google::rpc::BadRequest bad;
  bad.add_field_violations()->set_field("party.country_code");
  status.add_details()->PackFrom(bad);
  const ErrorDetails details = ErrorDetails::Parse(status.SerializeAsString());
  EXPECT_EQ(details.reason, "");
  ASSERT_EQ(details.field_violations.size(), 1u);
  EXPECT_EQ(details.field_violations[0].field, "party.country_code");
}

// Answers WhoAmI with ABORTED and FullDetails().
class RefusingSecurityService final : public v1::SecurityService::Service {
 public:
  grpc::Status WhoAmI(grpc::ServerContext*, const v1::WhoAmIRequest*,
                      v1::WhoAmIResponse*) override {
    return grpc::Status(grpc::StatusCode::ABORTED, "stale", FullDetails());
  }
};

TEST(ErrorDetailsTest, TheClientReturnsTheServersDetails) {
  RefusingSecurityService service;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  RegistryClientOptions options;
  options.call_timeout = absl::Seconds(10);
  absl::StatusOr<std::unique_ptr<RegistryClient>> client =
      RegistryClient::Connect(absl::StrCat("127.0.0.1:", port), options);
  ASSERT_TRUE(client.ok()) << client.status();
  absl::StatusOr<v1::WhoAmIResponse> answer = (*client)->WhoAmI(v1::WhoAmIRequest());
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kAborted);
  ExpectFullDetails(ErrorDetails::FromStatus(answer.status()));
  server->Shutdown(absl::ToChronoTime(absl::Now()));
}

}  // namespace
}  // namespace agreements::client
