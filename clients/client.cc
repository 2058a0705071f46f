#include "clients/client.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "clients/error_details.h"
#include "common/status_macros.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace agreements::client {
namespace {

// Reconnect quickly while a server starts; gRPC's defaults (1 s growing to 120 s) would
// make WaitForHealthy oversleep a server that comes up a moment after the first attempt.
// Only the initial and maximum backoff are set: gRPC also takes
// GRPC_ARG_MIN_RECONNECT_BACKOFF_MS as the time one connection attempt may take (20 s by
// default), and 100 ms made every attempt fail on a loaded machine or a slow link
// ("connection attempt timed out before receiving SETTINGS frame").
constexpr int kInitialReconnectBackoffMs = 100;
constexpr int kMaxReconnectBackoffMs = 1000;

// Pause between two health checks that failed without waiting (e.g. NOT_SERVING).
constexpr absl::Duration kHealthRetryPause = absl::Milliseconds(100);

// The value of an environment variable; "" when unset.
std::string GetEnv(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

void FillFromEnv(std::string& field, const char* name) {
  if (field.empty()) field = GetEnv(name);
}

// The whole content of `path`. Errors name `option` (where the path came from) and the
// file: NOT_FOUND when it does not exist, INVALID_ARGUMENT for any other failure.
absl::StatusOr<std::string> ReadOptionFile(const std::string& path,
                                           const std::string& option) {
  const auto failure = [&](int error) {
    const std::string message =
        absl::StrCat(option, ": cannot read \"", path, "\": ", std::strerror(error));
    return error == ENOENT ? absl::NotFoundError(message)
                           : absl::InvalidArgumentError(message);
  };
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return failure(errno);
  std::string content;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0) content.append(buffer, n);
  const int error = std::ferror(file) ? errno : 0;
  std::fclose(file);
  if (error != 0) return failure(error);
  return content;
}

// A PEM file's content; a file without a PEM block is refused here rather than as an
// obscure handshake failure on the first call.
absl::StatusOr<std::string> ReadPemFile(const std::string& path,
                                        const std::string& option) {
  ASSIGN_OR_RETURN(std::string pem, ReadOptionFile(path, option));
  if (!absl::StrContains(pem, "-----BEGIN ")) {
    return absl::InvalidArgumentError(absl::StrCat(
        option, ": \"", path, "\" is not a PEM file (no \"-----BEGIN\" line)"));
  }
  return pem;
}

// The error never quotes the token: it is a secret.
absl::Status ValidateToken(const std::string& token) {
  for (size_t i = 0; i < token.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(token[i]);
    if (c <= ' ' || c > '~') {
      return absl::InvalidArgumentError(absl::StrCat(
          "token: character ", i + 1,
          " is a space, a control or a non-ASCII character; a bearer token is printable "
          "ASCII without spaces"));
    }
  }
  return absl::OkStatus();
}

// Plaintext, or TLS with the CA and client certificate files of `options` read now.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeCredentials(
    const RegistryClientOptions& options) {
  if (!options.tls) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  if (!options.tls_ca_file.empty()) {
    ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadPemFile(options.tls_ca_file, "tls_ca_file"));
  }
  if (!options.tls_cert_file.empty()) {
    ASSIGN_OR_RETURN(ssl.pem_cert_chain,
                     ReadPemFile(options.tls_cert_file, "tls_cert_file"));
    ASSIGN_OR_RETURN(ssl.pem_private_key,
                     ReadPemFile(options.tls_key_file, "tls_key_file"));
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::SslCredentials(ssl);
  if (credentials == nullptr) {
    return absl::InvalidArgumentError("tls: gRPC refused the TLS credentials");
  }
  return credentials;
}

}  // namespace

absl::Status LoadConnectionOptionsFromEnv(RegistryClientOptions& options) {
  FillFromEnv(options.tls_ca_file, kTlsCaEnv);
  FillFromEnv(options.tls_cert_file, kTlsCertEnv);
  FillFromEnv(options.tls_key_file, kTlsKeyEnv);
  FillFromEnv(options.tls_server_name, kTlsServerNameEnv);
  if (!options.token.empty()) return absl::OkStatus();
  const std::string token = GetEnv(kTokenEnv);
  const std::string token_file = GetEnv(kTokenFileEnv);
  if (!token.empty() && !token_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(kTokenEnv, " and ", kTokenFileEnv,
                                                   " are both set: unset one of them"));
  }
  if (!token.empty()) {
    options.token = token;
  } else if (!token_file.empty()) {
    ASSIGN_OR_RETURN(options.token, ReadTokenFile(token_file, kTokenFileEnv));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadTokenFile(const std::string& path,
                                          const std::string& option) {
  ASSIGN_OR_RETURN(std::string content, ReadOptionFile(path, option));
  absl::StripTrailingAsciiWhitespace(&content);
  if (content.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(option, ": token file \"", path, "\" is empty"));
  }
  return content;
}

std::string NewRequestId() {
  absl::BitGen gen;
  const uint64_t high = absl::Uniform<uint64_t>(gen);
  const uint64_t low = absl::Uniform<uint64_t>(gen);
  return absl::StrFormat("cli-%016x%016x", high, low);
}

namespace {

// A channel to `target` with the options' credentials and reconnect backoff.
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(
    const RegistryClientOptions& resolved, const std::string& target) {
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials,
                   MakeCredentials(resolved));
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, kInitialReconnectBackoffMs);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, kMaxReconnectBackoffMs);
  if (!resolved.tls_server_name.empty()) {
    // GRPC_SSL_TARGET_NAME_OVERRIDE_ARG: checked against the certificate instead of the
    // target's host, and sent as SNI.
    args.SetSslTargetNameOverride(resolved.tls_server_name);
  }
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(target, credentials, args);
  if (channel == nullptr) {
    return absl::InternalError(absl::StrCat("cannot create a channel to ", target));
  }
  return channel;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RegistryClient>> RegistryClient::Connect(
    const RegistryClientOptions& options) {
  if (options.target.empty()) {
    return absl::InvalidArgumentError("target: must name a server (host:port)");
  }
  if (options.call_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("call_timeout: must be positive");
  }
  if (!options.tls_cert_file.empty() && options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "tls_key_file: must be set with tls_cert_file (mutual TLS needs the "
        "certificate's private key)");
  }
  if (options.tls_cert_file.empty() && !options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "tls_cert_file: must be set with tls_key_file (mutual TLS needs the "
        "certificate chain)");
  }
  RETURN_IF_ERROR(ValidateToken(options.token));
  RegistryClientOptions resolved = options;
  resolved.tls = options.tls || !options.tls_ca_file.empty() ||
                 !options.tls_cert_file.empty() || !options.tls_key_file.empty() ||
                 !options.tls_server_name.empty();
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel,
                   OpenChannel(resolved, resolved.target));
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
      security_(v1::SecurityService::NewStub(channel_)),
      admin_(v1::AdminService::NewStub(channel_)),
      health_(grpc::health::v1::Health::NewStub(channel_)) {}

RegistryClient::~RegistryClient() = default;

void RegistryClient::PrepareContext(grpc::ClientContext& context) const {
  context.set_deadline(absl::ToChronoTime(absl::Now() + options_.call_timeout));
  AddAuthorization(context);
}

void RegistryClient::AddAuthorization(grpc::ClientContext& context) const {
  if (options_.token.empty()) return;
  context.AddMetadata(kAuthorizationHeader, absl::StrCat("Bearer ", options_.token));
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
  if (!status.ok()) return StatusFromGrpc(status);
  return response;
}

template <typename Request, typename Response>
absl::StatusOr<Response> RegistryClient::Write(
    grpc::Status (v1::CommandService::Stub::*method)(grpc::ClientContext*, const Request&,
                                                     Response*),
    const Request& request) const {
  v1::CommandService::Stub* stub = WriterStub();
  for (int hop = 0;; ++hop) {
    grpc::ClientContext context;
    PrepareContext(context);
    Response response;
    const grpc::Status status = (stub->*method)(&context, request, &response);
    if (status.ok()) return response;
    if (!options_.follow_writer || status.error_code() != grpc::StatusCode::UNAVAILABLE ||
        hop >= 3) {
      return StatusFromGrpc(status);
    }
    const auto& trailers = context.GetServerTrailingMetadata();
    auto named = trailers.find(kWriterMetadata);
    if (named != trailers.end()) {
      // A replica named the writer: the same request (same request id) goes there.
      stub = FollowWriter(std::string(named->second.data(), named->second.size()));
    } else if (stub != commands_.get()) {
      // The writer followed so far is gone: ask the node we were given, which names
      // the new one (or is it).
      stub = FollowWriter("");
    } else {
      return StatusFromGrpc(status);
    }
    if (stub == nullptr) return StatusFromGrpc(status);
  }
}

bool RegistryClient::FollowWriterOf(const BatchStream& refused) const {
  const std::string writer = refused.writer();
  return options_.follow_writer && !writer.empty() && FollowWriter(writer) != nullptr;
}

v1::CommandService::Stub* RegistryClient::WriterStub() const {
  absl::MutexLock lock(&writer_mu_);
  return writer_commands_ != nullptr ? writer_commands_.get() : commands_.get();
}

v1::CommandService::Stub* RegistryClient::FollowWriter(const std::string& target) const {
  absl::MutexLock lock(&writer_mu_);
  if (target.empty() || target == options_.target) {
    // Stubs stay alive with the client: a call in flight on another thread may use one.
    writer_target_.clear();
    if (writer_commands_ != nullptr)
      retired_writers_.push_back(std::move(writer_commands_));
    return commands_.get();
  }
  if (target == writer_target_ && writer_commands_ != nullptr) {
    return writer_commands_.get();
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenChannel(options_, target);
  if (!channel.ok()) return nullptr;
  retired_writers_.push_back(std::move(writer_commands_));
  writer_target_ = target;
  writer_channel_ = *std::move(channel);
  writer_commands_ = v1::CommandService::NewStub(writer_channel_);
  return writer_commands_.get();
}

absl::StatusOr<v1::RecordAgreementResponse> RegistryClient::RecordAgreement(
    const v1::RecordAgreementRequest& request) const {
  return Write(&v1::CommandService::Stub::RecordAgreement, request);
}

absl::StatusOr<v1::ApplyAgreementChangeResponse> RegistryClient::ApplyAgreementChange(
    const v1::ApplyAgreementChangeRequest& request) const {
  return Write(&v1::CommandService::Stub::ApplyAgreementChange, request);
}

absl::StatusOr<v1::RegisterPartyResponse> RegistryClient::RegisterParty(
    const v1::RegisterPartyRequest& request) const {
  return Write(&v1::CommandService::Stub::RegisterParty, request);
}

absl::StatusOr<v1::UpdatePartyResponse> RegistryClient::UpdateParty(
    const v1::UpdatePartyRequest& request) const {
  return Write(&v1::CommandService::Stub::UpdateParty, request);
}

absl::StatusOr<v1::ExecuteBatchResponse> RegistryClient::ExecuteBatch(
    const v1::ExecuteBatchRequest& request) const {
  return Write(&v1::CommandService::Stub::ExecuteBatch, request);
}

std::unique_ptr<BatchStream> RegistryClient::OpenBatchStream() const {
  return std::unique_ptr<BatchStream>(new BatchStream(
      *WriterStub(), options_.call_timeout,
      [this](grpc::ClientContext& context) { AddAuthorization(context); }));
}

absl::StatusOr<v1::GetAgreementResponse> RegistryClient::GetAgreement(
    const v1::GetAgreementRequest& request) const {
  return Call(*queries_, &v1::QueryService::Stub::GetAgreement, request);
}

absl::StatusOr<v1::LookupAgreementResponse> RegistryClient::LookupAgreement(
    const v1::LookupAgreementRequest& request) const {
  return Call(*queries_, &v1::QueryService::Stub::LookupAgreement, request);
}

absl::StatusOr<v1::ListAgreementsResponse> RegistryClient::ListAgreements(
    const v1::ListAgreementsRequest& request) const {
  return Call(*queries_, &v1::QueryService::Stub::ListAgreements, request);
}

absl::StatusOr<v1::GetSectorSummaryResponse> RegistryClient::GetSectorSummary(
    const v1::GetSectorSummaryRequest& request) const {
  return Call(*queries_, &v1::QueryService::Stub::GetSectorSummary, request);
}

absl::StatusOr<v1::GetStatisticsResponse> RegistryClient::GetStatistics(
    const v1::GetStatisticsRequest& request) const {
  return Call(*queries_, &v1::QueryService::Stub::GetStatistics, request);
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

absl::StatusOr<v1::ListPartyAgreementsOnResponse> RegistryClient::ListPartyAgreementsOn(
    const v1::ListPartyAgreementsOnRequest& request) const {
  return Call(*audit_, &v1::AuditService::Stub::ListPartyAgreementsOn, request);
}

absl::StatusOr<v1::WhoAmIResponse> RegistryClient::WhoAmI(
    const v1::WhoAmIRequest& request) const {
  return Call(*security_, &v1::SecurityService::Stub::WhoAmI, request);
}

absl::StatusOr<v1::GetSecurityStatusResponse> RegistryClient::GetSecurityStatus(
    const v1::GetSecurityStatusRequest& request) const {
  return Call(*security_, &v1::SecurityService::Stub::GetSecurityStatus, request);
}

absl::StatusOr<v1::RebuildViewResponse> RegistryClient::RebuildView(
    const v1::RebuildViewRequest& request) const {
  return Call(*admin_, &v1::AdminService::Stub::RebuildView, request);
}

absl::StatusOr<v1::BackupResponse> RegistryClient::Backup(
    const v1::BackupRequest& request) const {
  return Call(*admin_, &v1::AdminService::Stub::Backup, request);
}

std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> RegistryClient::Subscribe(
    grpc::ClientContext& context, const v1::SubscribeRequest& request) const {
  AddAuthorization(context);
  return feeds_->Subscribe(&context, request);
}

std::unique_ptr<grpc::ClientReader<v1::WatchSectorResponse>> RegistryClient::WatchSector(
    grpc::ClientContext& context, const v1::WatchSectorRequest& request) const {
  AddAuthorization(context);
  return feeds_->WatchSector(&context, request);
}

absl::Status RegistryClient::CheckHealthOnce(absl::Time deadline) const {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(deadline));
  context.set_wait_for_ready(true);
  AddAuthorization(context);
  grpc::health::v1::HealthCheckRequest request;  // service "": the server as a whole
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = health_->Check(&context, request, &response);
  if (!status.ok()) return StatusFromGrpc(status);
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
      AddAuthorization(context);
      v1::ListSectorsResponse response;
      status = StatusFromGrpc(
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
