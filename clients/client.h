// Client library of the agreements registry: one object per server, wrapping the gRPC
// channel and the CommandService, QueryService, FeedService, AuditService and
// SecurityService stubs. The resuming feed helpers built on it are in feed_client.h, the
// streamed appends (ExecuteBatchStream) in batch_stream.h.
#ifndef AGREEMENTS_CLIENTS_CLIENT_H_
#define AGREEMENTS_CLIENTS_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agreements/v1/admin_service.grpc.pb.h"
#include "agreements/v1/audit_service.grpc.pb.h"
#include "agreements/v1/command_service.grpc.pb.h"
#include "agreements/v1/feed_service.grpc.pb.h"
#include "agreements/v1/query_service.grpc.pb.h"
#include "agreements/v1/security_service.grpc.pb.h"
#include "clients/batch_stream.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/sync_stream.h"

namespace agreements::client {

namespace v1 = ::agreements::v1;

// The metadata header that carries the bearer token: "authorization: Bearer <token>".
// The server sets the actor of every event from the authenticated principal; a call
// that names its own actor (the retired "x-actor" header) is rejected.
inline constexpr char kAuthorizationHeader[] = "authorization";

// Environment variables read by LoadConnectionOptionsFromEnv.
inline constexpr char kTlsCaEnv[] = "AGREEMENTS_TLS_CA";
inline constexpr char kTlsCertEnv[] = "AGREEMENTS_TLS_CERT";
inline constexpr char kTlsKeyEnv[] = "AGREEMENTS_TLS_KEY";
inline constexpr char kTlsServerNameEnv[] = "AGREEMENTS_TLS_SERVER_NAME";
inline constexpr char kTokenEnv[] = "AGREEMENTS_TOKEN";
inline constexpr char kTokenFileEnv[] = "AGREEMENTS_TOKEN_FILE";

// How to reach the server, how to authenticate, and how to call it. Connect reads the
// files named here once; later changes to them need a new RegistryClient.
struct RegistryClientOptions {
  // The server: "host:port" or any gRPC target URI ("dns:///host:port", "unix:/path").
  // Default: "127.0.0.1:50051".
  std::string target = "127.0.0.1:50051";

  // Deadline of each RPC, counted from the moment the call starts. Must be positive.
  // Default: 10 seconds.
  absl::Duration call_timeout = absl::Seconds(10);

  // Use TLS. Implied (Connect sets it) when any tls_* field below is set.
  // Default: false (plaintext).
  bool tls = false;

  // PEM file of the CA certificates that verify the server's certificate.
  // Default: "" (gRPC's default roots: $GRPC_DEFAULT_SSL_ROOTS_FILE_PATH, else the
  // system's CA certificates).
  std::string tls_ca_file;

  // PEM file of the client's certificate chain, for mutual TLS. Needs tls_key_file.
  // Default: "" (no client certificate).
  std::string tls_cert_file;

  // PEM file of the private key of tls_cert_file. Needs tls_cert_file.
  // Default: "".
  std::string tls_key_file;

  // The name verified in the server's certificate instead of the target's host (e.g.
  // when connecting by IP address to a certificate issued for a DNS name).
  // Default: "" (the target's host).
  std::string tls_server_name;

  // Bearer token sent as "authorization: Bearer <token>" with every call, streams and
  // health checks included. Printable ASCII without spaces. It is sent whether or not
  // TLS is on (the server decides what it accepts): without TLS it travels in clear,
  // readable by anyone on the path, so send one without TLS only over loopback.
  // Default: "" (no authorization header).
  std::string token;

  // Cluster mode (docs/cluster.md): a write refused by a replica, which names the writer
  // in the "agreements-writer" trailing metadata, is sent again, unchanged (same request
  // id), to the writer; later writes go there directly until it stops answering, and
  // then to `target` again. At most 3 hops per call. TLS and the token are the same for
  // every node.
  // Default: true.
  bool follow_writer = true;
};

// Fills the connection fields of `options` that are still empty from the environment:
// tls_ca_file from AGREEMENTS_TLS_CA, tls_cert_file from AGREEMENTS_TLS_CERT,
// tls_key_file from AGREEMENTS_TLS_KEY, tls_server_name from AGREEMENTS_TLS_SERVER_NAME,
// and token from AGREEMENTS_TOKEN or else the file named by AGREEMENTS_TOKEN_FILE
// (ReadTokenFile). So values set before the call (command-line flags) take precedence.
// Empty variables count as unset. Fails when the token file cannot be read, or with
// INVALID_ARGUMENT when the token is empty and both token variables are set.
absl::Status LoadConnectionOptionsFromEnv(RegistryClientOptions& options);

// The token in the file at `path`: its content with trailing whitespace stripped.
// `option` names where the path came from (a flag or variable) in errors: NOT_FOUND or
// INVALID_ARGUMENT when the file cannot be read, INVALID_ARGUMENT when it is empty.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path,
                                          const std::string& option);

// A fresh random request id ("cli-" followed by 32 lowercase hex digits), for commands
// the user gave no id for. A retry of the same command must reuse the id, not call this
// again.
std::string NewRequestId();

// A RegistryClient is a connection to one registry server: it owns a grpc::Channel and
// the service stubs built on it; callers own the RegistryClient. It is safe for
// concurrent use from multiple threads without external synchronization (the channel and
// stubs are thread-safe and the options are immutable after Connect). Every unary method
// blocks until the RPC ends or its deadline (RegistryClientOptions::call_timeout) passes,
// and returns the server's status unchanged (abseil codes are gRPC codes). The transport
// is plaintext unless the options ask for TLS (optionally mutual); the bearer token, if
// any, goes with every call.
class RegistryClient {
 public:
  // Reads the TLS files and creates the channel. Connecting is lazy: an unreachable
  // server, or a failed TLS handshake, shows up as UNAVAILABLE on the first RPC (or use
  // WaitForHealthy). Fails with INVALID_ARGUMENT naming the option for bad options
  // (a certificate without its key, a malformed token), and with NOT_FOUND or
  // INVALID_ARGUMENT naming the option and the file for a file that cannot be read.
  static absl::StatusOr<std::unique_ptr<RegistryClient>> Connect(
      const RegistryClientOptions& options);
  // The same with options.target replaced by `target`.
  static absl::StatusOr<std::unique_ptr<RegistryClient>> Connect(
      const std::string& target, RegistryClientOptions options = {});

  RegistryClient(const RegistryClient&) = delete;
  RegistryClient& operator=(const RegistryClient&) = delete;
  ~RegistryClient();

  const RegistryClientOptions& options() const { return options_; }

  // CommandService. Each returns after the events are durable; a request whose
  // context.request_id was seen before returns the original result with replayed = true.
  absl::StatusOr<v1::RecordAgreementResponse> RecordAgreement(
      const v1::RecordAgreementRequest& request) const;
  absl::StatusOr<v1::ApplyAgreementChangeResponse> ApplyAgreementChange(
      const v1::ApplyAgreementChangeRequest& request) const;
  absl::StatusOr<v1::RegisterPartyResponse> RegisterParty(
      const v1::RegisterPartyRequest& request) const;
  absl::StatusOr<v1::UpdatePartyResponse> UpdateParty(
      const v1::UpdatePartyRequest& request) const;
  absl::StatusOr<v1::ExecuteBatchResponse> ExecuteBatch(
      const v1::ExecuteBatchRequest& request) const;
  // Opens an ExecuteBatchStream call: many ExecuteBatch requests, answered in order
  // (batch_stream.h). Connecting is lazy, as for the unary calls: an unreachable server
  // shows up as a failed Send or an early end of Receive, and Finish says why.
  std::unique_ptr<BatchStream> OpenBatchStream() const;
  // After a stream a replica refused (BatchStream::writer() names the writer): later
  // streams and writes go to that writer. False when there is none to follow (or
  // follow_writer is off).
  bool FollowWriterOf(const BatchStream& refused) const;

  // QueryService.
  absl::StatusOr<v1::GetAgreementResponse> GetAgreement(
      const v1::GetAgreementRequest& request) const;
  // The agreement holding a scheme-qualified identifier (UN registration numbers under
  // the scheme "UNTS"); NOT_FOUND when none does (or the caller may not see it).
  absl::StatusOr<v1::LookupAgreementResponse> LookupAgreement(
      const v1::LookupAgreementRequest& request) const;
  absl::StatusOr<v1::ListAgreementsResponse> ListAgreements(
      const v1::ListAgreementsRequest& request) const;
  absl::StatusOr<v1::GetSectorSummaryResponse> GetSectorSummary(
      const v1::GetSectorSummaryRequest& request) const;
  absl::StatusOr<v1::ListSectorsResponse> ListSectors(
      const v1::ListSectorsRequest& request) const;
  absl::StatusOr<v1::GetStatisticsResponse> GetStatistics(
      const v1::GetStatisticsRequest& request) const;
  absl::StatusOr<v1::GetPartyResponse> GetParty(const v1::GetPartyRequest& request) const;
  absl::StatusOr<v1::ListPartiesResponse> ListParties(
      const v1::ListPartiesRequest& request) const;

  // AuditService: the verifiable log (docs/audit.md). These return what the server sent;
  // a client that relies on it verifies the note's signature with a pinned key
  // (note::VerifyCheckpoint) and the proofs against the verified root (merkle.h).
  absl::StatusOr<v1::GetCheckpointResponse> GetCheckpoint(
      const v1::GetCheckpointRequest& request) const;
  absl::StatusOr<v1::GetInclusionProofResponse> GetInclusionProof(
      const v1::GetInclusionProofRequest& request) const;
  absl::StatusOr<v1::GetConsistencyProofResponse> GetConsistencyProof(
      const v1::GetConsistencyProofRequest& request) const;
  // A stream's events up to a checkpoint with the map leaf that proves none is missing
  // (verify with audit::VerifyCompleteness, common/completeness.h).
  absl::StatusOr<v1::GetCompletenessProofResponse> GetCompletenessProof(
      const v1::GetCompletenessProofRequest& request) const;
  // AuditService: history, diffs, transaction-time (as-of) and valid-time reads.
  absl::StatusOr<v1::ListHistoryResponse> ListHistory(
      const v1::ListHistoryRequest& request) const;
  absl::StatusOr<v1::DiffRevisionsResponse> DiffRevisions(
      const v1::DiffRevisionsRequest& request) const;
  absl::StatusOr<v1::GetAgreementAsOfResponse> GetAgreementAsOf(
      const v1::GetAgreementAsOfRequest& request) const;
  absl::StatusOr<v1::GetPartyAsOfResponse> GetPartyAsOf(
      const v1::GetPartyAsOfRequest& request) const;
  absl::StatusOr<v1::ListSectorAsOfResponse> ListSectorAsOf(
      const v1::ListSectorAsOfRequest& request) const;
  absl::StatusOr<v1::GetLegalStatusOnResponse> GetLegalStatusOn(
      const v1::GetLegalStatusOnRequest& request) const;
  absl::StatusOr<v1::ListInForceOnResponse> ListInForceOn(
      const v1::ListInForceOnRequest& request) const;
  // One party's agreements with its standing in each on a legal date, filtered, paged
  // and counted.
  absl::StatusOr<v1::ListPartyAgreementsOnResponse> ListPartyAgreementsOn(
      const v1::ListPartyAgreementsOnRequest& request) const;

  // SecurityService: who the server takes the caller for, and (permission
  // "security.read") its access-control counters and security files.
  absl::StatusOr<v1::WhoAmIResponse> WhoAmI(const v1::WhoAmIRequest& request) const;
  absl::StatusOr<v1::GetSecurityStatusResponse> GetSecurityStatus(
      const v1::GetSecurityStatusRequest& request) const;

  // AdminService (permission "server.admin"): rebuilds one view while the server runs.
  absl::StatusOr<v1::RebuildViewResponse> RebuildView(
      const v1::RebuildViewRequest& request) const;
  // Backs the store up into a directory on the server's machine (AdminService.Backup).
  // A backup of a large store takes longer than call_timeout: give the client a longer
  // one.
  absl::StatusOr<v1::BackupResponse> Backup(const v1::BackupRequest& request) const;

  // FeedService streams, opened without a deadline (feeds are long-lived: end one with
  // context.TryCancel()) and with the authorization header. `context` is fresh and
  // outlives the reader. A stream ends at the first disconnect; FeedSubscription and
  // SectorWatcher (feed_client.h) reopen it where it stopped.
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> Subscribe(
      grpc::ClientContext& context, const v1::SubscribeRequest& request) const;
  std::unique_ptr<grpc::ClientReader<v1::WatchSectorResponse>> WatchSector(
      grpc::ClientContext& context, const v1::WatchSectorRequest& request) const;

  // Waits until the server answers the standard health check
  // (grpc.health.v1.Health/Check, service "") with SERVING, retrying while it is
  // unreachable or NOT_SERVING. A server without the health service counts as healthy
  // once it answers a cheap query. Returns DEADLINE_EXCEEDED (with the last error seen)
  // when `timeout` passes first.
  absl::Status WaitForHealthy(absl::Duration timeout) const;

 private:
  RegistryClient(RegistryClientOptions options, std::shared_ptr<grpc::Channel> channel);

  // One health check with the given deadline: OK when SERVING.
  absl::Status CheckHealthOnce(absl::Time deadline) const;

  // Sets the deadline and the authorization header on a fresh context.
  void PrepareContext(grpc::ClientContext& context) const;
  // Adds the authorization header when there is a token. Plain metadata rather than
  // grpc call credentials, which gRPC refuses to send on a plaintext channel.
  void AddAuthorization(grpc::ClientContext& context) const;

  // A CommandService call, following the writer (RegistryClientOptions::follow_writer).
  template <typename Request, typename Response>
  absl::StatusOr<Response> Write(grpc::Status (v1::CommandService::Stub::*method)(
                                     grpc::ClientContext*, const Request&, Response*),
                                 const Request& request) const;
  // The stub writes go to: the followed writer's, or commands_.
  v1::CommandService::Stub* WriterStub() const;
  // Follows the writer at `target` (nullptr when no channel can be made to it); an
  // empty target goes back to options_.target.
  v1::CommandService::Stub* FollowWriter(const std::string& target) const;

  template <typename Stub, typename Request, typename Response>
  absl::StatusOr<Response> Call(Stub& stub,
                                grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                             const Request&, Response*),
                                const Request& request) const;

  const RegistryClientOptions options_;
  const std::shared_ptr<grpc::Channel> channel_;
  const std::unique_ptr<v1::CommandService::Stub> commands_;
  const std::unique_ptr<v1::QueryService::Stub> queries_;
  const std::unique_ptr<v1::FeedService::Stub> feeds_;
  const std::unique_ptr<v1::AuditService::Stub> audit_;
  const std::unique_ptr<v1::SecurityService::Stub> security_;
  const std::unique_ptr<v1::AdminService::Stub> admin_;
  const std::unique_ptr<grpc::health::v1::Health::Stub> health_;
  // The writer followed in cluster mode (empty target: none).
  mutable absl::Mutex writer_mu_;
  mutable std::string writer_target_ ABSL_GUARDED_BY(writer_mu_);
  mutable std::shared_ptr<grpc::Channel> writer_channel_ ABSL_GUARDED_BY(writer_mu_);
  mutable std::unique_ptr<v1::CommandService::Stub> writer_commands_
      ABSL_GUARDED_BY(writer_mu_);
  // Stubs of writers followed before (each holds its channel), kept until destruction
  // because a call on another thread may still use one. A handful over a client's life.
  mutable std::vector<std::unique_ptr<v1::CommandService::Stub>> retired_writers_
      ABSL_GUARDED_BY(writer_mu_);
};

}  // namespace agreements::client

#endif  // AGREEMENTS_CLIENTS_CLIENT_H_
