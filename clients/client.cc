#include "clients/client.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/grpc_status.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace agreements::client {
namespace {

// Reconnect quickly while a server starts; gRPC's defaults (1 s growing to 120 s) would
// make WaitForHealthy oversleep a server that comes up a moment after the first attempt.
constexpr int kMinReconnectBackoffMs = 100;
constexpr int kMaxReconnectBackoffMs = 1000;

// Pause between two health checks that failed without waiting (e.g. NOT_SERVING).
constexpr absl::Duration kHealthRetryPause = absl::Milliseconds(100);

}  // namespace

std::string DefaultActor() {
  const char* user = std::getenv("USER");
  if (user != nullptr && *user != '\0') return user;
  return "cli";
}

std::string NewRequestId() {
  absl::BitGen gen;
  const uint64_t high = absl::Uniform<uint64_t>(gen);
  const uint64_t low = absl::Uniform<uint64_t>(gen);
  return absl::StrFormat("cli-%016x%016x", high, low);
}

absl::StatusOr<std::unique_ptr<RegistryClient>> RegistryClient::Connect(
    const RegistryClientOptions& options) {
  if (options.target.empty()) {
    return absl::InvalidArgumentError("target: must name a server (host:port)");
  }
  if (options.call_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("call_timeout: must be positive");
  }
  RegistryClientOptions resolved = options;
  if (resolved.actor.empty()) resolved.actor = DefaultActor();

  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, kMinReconnectBackoffMs);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, kMinReconnectBackoffMs);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, kMaxReconnectBackoffMs);
  std::shared_ptr<grpc::Channel> channel = grpc::CreateCustomChannel(
      resolved.target, grpc::InsecureChannelCredentials(), args);
  if (channel == nullptr) {
    return absl::InternalError(
        absl::StrCat("cannot create a channel to ", resolved.target));
  }
  return std::unique_ptr<RegistryClient>(
      new RegistryClient(std::move(resolved), std::move(channel)));
}

absl::StatusOr<std::unique_ptr<RegistryClient>> RegistryClient::Connect(
    const std::string& target, RegistryClientOptions options) {
  options.target = target;
  return Connect(options);
}

RegistryClient::RegistryClient(RegistryClientOptions options,
                               std::shared_ptr<grpc::Channel> channel)
    : options_(std::move(options)),
      channel_(std::move(channel)),
      commands_(v1::CommandService::NewStub(channel_)),
      queries_(v1::QueryService::NewStub(channel_)),
      feeds_(v1::FeedService::NewStub(channel_)),
      audit_(v1::AuditService::NewStub(channel_)),
      health_(grpc::health::v1::Health::NewStub(channel_)) {}

RegistryClient::~RegistryClient() = default;

void RegistryClient::PrepareContext(grpc::ClientContext& context) const {
  context.set_deadline(absl::ToChronoTime(absl::Now() + options_.call_timeout));
  context.AddMetadata(kActorHeader, options_.actor);
}

template <typename Stub, typename Request, typename Response>
absl::StatusOr<Response> RegistryClient::Call(
    Stub& stub,
    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
    const Request& request) const {
  grpc::ClientContext context;
  PrepareContext(context);
  Response response;
  const grpc::Status status = (stub.*method)(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

absl::StatusOr<v1::RecordAgreementResponse> RegistryClient::RecordAgreement(
    const v1::RecordAgreementRequest& request) const {
  return Call(*commands_, &v1::CommandService::Stub::RecordAgreement, request);
}

absl::StatusOr<v1::ApplyAgreementChangeResponse> RegistryClient::ApplyAgreementChange(
    const v1::ApplyAgreementChangeRequest& request) const {
  return Call(*commands_, &v1::CommandService::Stub::ApplyAgreementChange, request);
}

absl::StatusOr<v1::RegisterPartyResponse> RegistryClient::RegisterParty(
    const v1::RegisterPartyRequest& request) const {
  return Call(*commands_, &v1::CommandService::Stub::RegisterParty, request);
}

absl::StatusOr<v1::UpdatePartyResponse> RegistryClient::UpdateParty(
    const v1::UpdatePartyRequest& request) const {
  return Call(*commands_, &v1::CommandService::Stub::UpdateParty, request);
}

absl::StatusOr<v1::ExecuteBatchResponse> RegistryClient::ExecuteBatch(
    const v1::ExecuteBatchRequest& request) const {
  return Call(*commands_, &v1::CommandService::Stub::ExecuteBatch, request);
}

absl::StatusOr<v1::GetAgreementResponse> RegistryClient::GetAgreement(
    const v1::GetAgreementRequest& request) const {
  return Call(*queries_, &v1::QueryService::Stub::GetAgreement, request);
}

absl::StatusOr<v1::ListAgreementsResponse> RegistryClient::ListAgreements(
    const v1::ListAgreementsRequest& request) const {
  return Call(*queries_, &v1::QueryService::Stub::ListAgreements, request);
}

absl::StatusOr<v1::GetSectorSummaryResponse> RegistryClient::GetSectorSummary(
    const v1::GetSectorSummaryRequest& request) const {
  return Call(*queries_, &v1::QueryService::Stub::GetSectorSummary, request);
}

absl::StatusOr<v1::ListSectorsResponse> RegistryClient::ListSectors(
    const v1::ListSectorsRequest& request) const {
  return Call(*queries_, &v1::QueryService::Stub::ListSectors, request);
}

absl::StatusOr<v1::GetPartyResponse> RegistryClient::GetParty(
    const v1::GetPartyRequest& request) const {
  return Call(*queries_, &v1::QueryService::Stub::GetParty, request);
}

absl::StatusOr<v1::ListPartiesResponse> RegistryClient::ListParties(
    const v1::ListPartiesRequest& request) const {
  return Call(*queries_, &v1::QueryService::Stub::ListParties, request);
}

absl::StatusOr<v1::GetCheckpointResponse> RegistryClient::GetCheckpoint(
    const v1::GetCheckpointRequest& request) const {
  return Call(*audit_, &v1::AuditService::Stub::GetCheckpoint, request);
}

absl::StatusOr<v1::GetInclusionProofResponse> RegistryClient::GetInclusionProof(
    const v1::GetInclusionProofRequest& request) const {
  return Call(*audit_, &v1::AuditService::Stub::GetInclusionProof, request);
}

absl::StatusOr<v1::GetConsistencyProofResponse> RegistryClient::GetConsistencyProof(
    const v1::GetConsistencyProofRequest& request) const {
  return Call(*audit_, &v1::AuditService::Stub::GetConsistencyProof, request);
}

absl::StatusOr<v1::GetCompletenessProofResponse> RegistryClient::GetCompletenessProof(
    const v1::GetCompletenessProofRequest& request) const {
  return Call(*audit_, &v1::AuditService::Stub::GetCompletenessProof, request);
}

absl::StatusOr<v1::ListHistoryResponse> RegistryClient::ListHistory(
    const v1::ListHistoryRequest& request) const {
  return Call(*audit_, &v1::AuditService::Stub::ListHistory, request);
}

absl::StatusOr<v1::DiffRevisionsResponse> RegistryClient::DiffRevisions(
    const v1::DiffRevisionsRequest& request) const {
  return Call(*audit_, &v1::AuditService::Stub::DiffRevisions, request);
}

absl::StatusOr<v1::GetAgreementAsOfResponse> RegistryClient::GetAgreementAsOf(
    const v1::GetAgreementAsOfRequest& request) const {
  return Call(*audit_, &v1::AuditService::Stub::GetAgreementAsOf, request);
}

absl::StatusOr<v1::GetPartyAsOfResponse> RegistryClient::GetPartyAsOf(
    const v1::GetPartyAsOfRequest& request) const {
  return Call(*audit_, &v1::AuditService::Stub::GetPartyAsOf, request);
}

absl::StatusOr<v1::ListSectorAsOfResponse> RegistryClient::ListSectorAsOf(
    const v1::ListSectorAsOfRequest& request) const {
  return Call(*audit_, &v1::AuditService::Stub::ListSectorAsOf, request);
}

absl::StatusOr<v1::GetLegalStatusOnResponse> RegistryClient::GetLegalStatusOn(
    const v1::GetLegalStatusOnRequest& request) const {
  return Call(*audit_, &v1::AuditService::Stub::GetLegalStatusOn, request);
}

absl::StatusOr<v1::ListInForceOnResponse> RegistryClient::ListInForceOn(
    const v1::ListInForceOnRequest& request) const {
  return Call(*audit_, &v1::AuditService::Stub::ListInForceOn, request);
}

std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> RegistryClient::Subscribe(
    grpc::ClientContext& context, const v1::SubscribeRequest& request) const {
  context.AddMetadata(kActorHeader, options_.actor);
  return feeds_->Subscribe(&context, request);
}

std::unique_ptr<grpc::ClientReader<v1::WatchSectorResponse>> RegistryClient::WatchSector(
    grpc::ClientContext& context, const v1::WatchSectorRequest& request) const {
  context.AddMetadata(kActorHeader, options_.actor);
  return feeds_->WatchSector(&context, request);
}

absl::Status RegistryClient::CheckHealthOnce(absl::Time deadline) const {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(deadline));
  context.set_wait_for_ready(true);
  context.AddMetadata(kActorHeader, options_.actor);
  grpc::health::v1::HealthCheckRequest request;  // service "": the server as a whole
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = health_->Check(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  if (response.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
    return absl::UnavailableError(absl::StrCat(
        "health check: ",
        grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status())));
  }
  return absl::OkStatus();
}

absl::Status RegistryClient::WaitForHealthy(absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  absl::Status last = absl::DeadlineExceededError("no health check attempted");
  while (true) {
    absl::Status status = CheckHealthOnce(deadline);
    if (status.code() == absl::StatusCode::kUnimplemented) {
      // No health service registered: any answer to a cheap query proves liveness.
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(deadline));
      context.set_wait_for_ready(true);
      context.AddMetadata(kActorHeader, options_.actor);
      v1::ListSectorsResponse response;
      status = FromGrpcStatus(
          queries_->ListSectors(&context, v1::ListSectorsRequest(), &response));
    }
    if (status.ok()) return status;
    last = status;
    const absl::Time now = absl::Now();
    if (now >= deadline) break;
    absl::SleepFor(std::min(kHealthRetryPause, deadline - now));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("server ", options_.target, " not healthy within ",
                   absl::FormatDuration(timeout), ": ", last.ToString()));
}

}  // namespace agreements::client
