// AccessControl: who calls (client certificate, bearer token or nobody), whether the
// caller may call now (its request rate; its peer's failed tokens), and whether it may
// do what an RPC needs (docs/security.md). It also owns the server's TLS credentials and
// re-reads every security file on Reload (SIGHUP): all files or none, so a broken file
// never replaces a working one.
//
// Thread-safe: Authorize, Reload and Status may run concurrently; a call sees either the
// files before a reload or after it, never a mix.
#ifndef AGREEMENTS_SERVICES_ACCESS_CONTROL_H_
#define AGREEMENTS_SERVICES_ACCESS_CONTROL_H_

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "agreements/v1/security_service.pb.h"
#include "domain/confidentiality.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_context.h"
#include "security/policy.h"
#include "services/caller_limits.h"

namespace agreements::services {

enum class ClientCertificates { kNone, kOptional, kRequire };
enum class ClientIdentity { kSan, kCn };

struct SecurityOptions {
  // PEM server certificate chain and private key. Both set: the server speaks TLS only.
  // Default: "", "" (plaintext).
  std::string tls_cert_file;
  std::string tls_key_file;
  // PEM CA bundle that client certificates must chain to (mutual TLS). Needs TLS.
  // Default: "" (client certificates are not requested).
  std::string tls_client_ca_file;
  // With a client CA: whether a client certificate is required or only verified when
  // presented (callers without one then authenticate with a token or are anonymous).
  // Default: kRequire.
  ClientCertificates client_certificates = ClientCertificates::kRequire;
  // Which name of a client certificate is the principal: the first subject alternative
  // name (DNS, URI, e-mail or IP, in certificate order) or the subject's common name.
  // Default: kSan.
  ClientIdentity client_identity = ClientIdentity::kSan;
  // Token file and policy file (security/policy.h has their formats).
  // Default: "", "".
  std::string tokens_file;
  std::string policy_file;
  // Directory for the copies of the certificate files that gRPC watches: each Reload
  // writes the new files there, and gRPC picks them up within reload_poll_seconds.
  // Created with mode 0700 and removed by the destructor.
  // Default: "" (RegistryServer uses <data_dir>/tls-active).
  std::string staging_dir;
  // How often gRPC looks at the staged copies, in seconds (at least 1).
  // Default: 1.
  unsigned reload_poll_seconds = 1;
  // The request rate per principal and the slowdown of peers with failing tokens.
  // Default: see CallerLimitOptions.
  CallerLimitOptions limits;
};

// Development mode: no tokens, no policy and no client CA, so no access control.
inline bool IsDevelopmentMode(const SecurityOptions& options) {
  return options.tokens_file.empty() && options.policy_file.empty() &&
         options.tls_client_ca_file.empty();
}

// The authenticated caller of one RPC.
struct Caller {
  // Recorded as the actor of the caller's events.
  std::string principal;
  agreements::v1::AuthenticationMethod method =
      agreements::v1::AUTHENTICATION_METHOD_NONE;
  std::vector<security::Grant> grants;
  // Bearer token only: the hex SHA-256 of the token, to find it again after a reload.
  std::string token_digest;
  // The generation of the security files the caller was authenticated against.
  uint64_t generation = 0;

  bool authenticated() const {
    return method != agreements::v1::AUTHENTICATION_METHOD_NONE;
  }
};

// Which non-public instruments the caller sees: everything for admins, auditors and
// registrars without a sector limit; otherwise public instruments and the non-public
// ones of its registrar sectors (none for a reader).
domain::Clearance ClearanceOf(const Caller& caller);

// PERMISSION_DENIED with `message`, reason MISSING_PERMISSION naming the permission and
// the principal.
absl::Status MissingPermission(absl::string_view permission, absl::string_view principal,
                               absl::string_view message);

// The metadata header that clients used to name their own actor; refused now.
inline constexpr char kLegacyActorHeader[] = "x-actor";

class AccessControl {
 public:
  // Loads every file named in `options`; any error (missing file, bad PEM, a key that
  // does not match its certificate, a bad token or policy line) is returned and nothing
  // starts. Without tokens, policy and client CA the server runs in development mode:
  // every caller is an anonymous admin.
  static absl::StatusOr<std::unique_ptr<AccessControl>> Create(SecurityOptions options);
  ~AccessControl();

  AccessControl(const AccessControl&) = delete;
  AccessControl& operator=(const AccessControl&) = delete;

  bool tls() const { return !options_.tls_cert_file.empty(); }
  bool development_mode() const { return development_mode_; }
  // TLS credentials watching the staged files, or insecure credentials.
  std::shared_ptr<grpc::ServerCredentials> ServerCredentials() const;

  // Re-reads every file; on any error keeps all files in use and returns the error.
  absl::Status Reload();

  // Who calls, and whether it may call now. UNAUTHENTICATED for an unknown or malformed
  // token, or for a call without credentials when the policy has no "anonymous" entry;
  // INVALID_ARGUMENT for a call that names its own actor (x-actor); RESOURCE_EXHAUSTED,
  // with the delay in `context`'s trailing metadata, when the caller is over its rate
  // (admins are exempt) or presents a token its peer is slowed down for. Each failure
  // is counted; a rate-limited call counts under "none". The call costs `cost` calls of
  // the rate (ExecuteBatch: one per command).
  absl::StatusOr<Caller> Authenticate(grpc::ServerContextBase& context, int64_t cost = 1);
  // Authenticate (a rate-limited call counts under `permission`), then PERMISSION_DENIED
  // naming the missing permission (counted).
  absl::StatusOr<Caller> Authorize(grpc::ServerContextBase& context,
                                   security::Permission permission);
  // PERMISSION_DENIED naming the permission (counted) unless the caller holds it.
  absl::Status Check(const Caller& caller, security::Permission permission);
  // Counts a denial found later on the call's path (a registrar's sector limit).
  void CountDenial(absl::string_view permission);
  // The principal of a call for a log line, without authenticating it or counting
  // anything: the token's or the certificate's principal, "anonymous", or
  // "unknown-token".
  std::string DescribeCaller(const grpc::ServerContextBase& context) const;
  // Denials since start, by permission (the server's metrics).
  std::map<std::string, int64_t> Denials() const;
  // For a request on an open stream of `caller` (ExecuteBatchStream): takes `cost`
  // calls of its rate as Authenticate does, but a caller over its rate is not refused:
  // the answer is how long until the rate allows the request (nothing is taken or
  // counted), and the stream waits that long before trying again. nullopt: go ahead.
  // Admins are exempt.
  std::optional<absl::Duration> Pace(const Caller& caller, int64_t cost);

  // The caller of a call that started earlier (an open stream), as the files in use now
  // see it: UNAUTHENTICATED when its token, or the policy's "anonymous" entry, is gone;
  // otherwise the same principal with its grants now. Not counted as a denial.
  absl::StatusOr<Caller> Reauthenticate(const Caller& before) const;
  // Counts the successful reloads: Caller::generation of the files in use.
  uint64_t generation() const;

  agreements::v1::WhoAmIResponse Describe(const Caller& caller) const;
  agreements::v1::GetSecurityStatusResponse Status() const;

 private:
  // Everything read from the files, replaced as a whole by Reload.
  struct Loaded;

  explicit AccessControl(SecurityOptions options);
  absl::StatusOr<std::shared_ptr<Loaded>> Load() const;
  absl::Status Stage(const Loaded& loaded) const;
  std::shared_ptr<const Loaded> Current() const;
  std::vector<security::Grant> PolicyGrants(const Loaded& loaded,
                                            const std::string& principal,
                                            bool authenticated) const;
  absl::Status Unauthenticated(absl::string_view message);
  // Authenticate, with a rate-limited call counted under `permission`.
  absl::StatusOr<Caller> Admit(grpc::ServerContextBase& context,
                               absl::string_view permission, int64_t cost = 1);
  absl::StatusOr<Caller> Identify(grpc::ServerContextBase& context);
  absl::StatusOr<Caller> IdentifyByToken(grpc::ServerContextBase& context,
                                         absl::string_view authorization,
                                         const Loaded& loaded);
  absl::StatusOr<Caller> IdentifyByCertificate(const grpc::AuthContext& auth,
                                               const Loaded& loaded);

  const SecurityOptions options_;
  const bool development_mode_;
  std::shared_ptr<grpc::ServerCredentials> credentials_;
  const std::unique_ptr<CallerLimits> limits_;

  mutable absl::Mutex mu_;
  std::shared_ptr<const Loaded> loaded_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int64_t> denials_ ABSL_GUARDED_BY(mu_);
  int64_t reloads_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t failed_reloads_ ABSL_GUARDED_BY(mu_) = 0;
  std::string last_reload_error_ ABSL_GUARDED_BY(mu_);
  // Serializes Reload (file writes happen outside mu_).
  absl::Mutex reload_mu_;
};

// Whether `host` (the part of a listen address before the port) is a loopback address:
// localhost, 127.0.0.0/8 or ::1.
bool IsLoopbackHost(absl::string_view host);

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_ACCESS_CONTROL_H_
