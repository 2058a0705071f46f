#include "services/access_control.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/error_info.h"
#include "common/status_macros.h"
#include "google/protobuf/util/time_util.h"
#include "grpc/grpc_security_constants.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "security/pem.h"

namespace agreements::services {
namespace {

namespace v1 = ::agreements::v1;
using security::Grant;
using security::Permission;

// One security file as loaded.
struct LoadedFile {
  std::string kind;
  std::string path;
  std::string text;
  absl::Time loaded_at;
  std::optional<absl::Time> not_after;
};

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(time));
}

std::string StagedPath(const std::string& dir, absl::string_view kind) {
  return absl::StrCat(dir, "/", kind, ".pem");
}

// Writes `text` to `path` + ".new" (mode 0600), to be renamed into place.
absl::Status WriteNew(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".new";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", temporary));
    chmod(temporary.c_str(), 0600);
    out << text;
    if (!out.flush())
      return absl::InternalError(absl::StrCat("cannot write ", temporary));
  }
  return absl::OkStatus();
}

void Merge(std::vector<Grant>& into, const std::vector<Grant>& grants) {
  for (const Grant& grant : grants) {
    if (std::find(into.begin(), into.end(), grant) == into.end()) into.push_back(grant);
  }
}

std::string RolesText(const std::vector<Grant>& grants) {
  if (grants.empty()) return "no role";
  std::vector<std::string> names;
  for (const Grant& grant : grants) {
    std::string name(security::RoleName(grant.role));
    if (!grant.sectors.empty())
      absl::StrAppend(&name, ":", absl::StrJoin(grant.sectors, ","));
    names.push_back(std::move(name));
  }
  return absl::StrCat("role ", absl::StrJoin(names, " "));
}

bool IsAdmin(const std::vector<Grant>& grants) {
  return std::any_of(grants.begin(), grants.end(), [](const Grant& grant) {
    return grant.role == security::Role::kAdmin;
  });
}

std::optional<std::string> FirstProperty(const grpc::AuthContext& auth,
                                         const char* name) {
  std::vector<grpc::string_ref> values = auth.FindPropertyValues(name);
  if (values.empty()) return std::nullopt;
  return std::string(values[0].data(), values[0].size());
}

}  // namespace

struct AccessControl::Loaded {
  // Successful reloads before these files (0: loaded at start).
  uint64_t generation = 0;
  std::vector<LoadedFile> files;
  security::TokenTable tokens;
  security::PolicyTable policy;
};

bool IsLoopbackHost(absl::string_view host) {
  if (absl::StartsWith(host, "[") && absl::EndsWith(host, "]")) {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost") return true;
  // Literal addresses only: a name such as "127.example.org" may resolve anywhere.
  const std::string literal(host);
  in_addr v4;
  if (inet_pton(AF_INET, literal.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  return inet_pton(AF_INET6, literal.c_str(), &v6) == 1 &&
         IN6_ARE_ADDR_EQUAL(&v6, &in6addr_loopback);
}

AccessControl::AccessControl(SecurityOptions options)
    : options_(std::move(options)),
      development_mode_(IsDevelopmentMode(options_)),
      limits_(std::make_unique<CallerLimits>(options_.limits)) {}

AccessControl::~AccessControl() {
  if (tls() && !options_.staging_dir.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(options_.staging_dir, ignored);
  }
}

absl::StatusOr<std::unique_ptr<AccessControl>> AccessControl::Create(
    SecurityOptions options) {
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "tls_cert, tls_key: give both the server certificate and its key, or neither");
  }
  if (!options.tls_client_ca_file.empty() && options.tls_cert_file.empty()) {
    return absl::InvalidArgumentError(
        "tls_client_ca: client certificates need TLS (give tls_cert and tls_key)");
  }
  if (!options.tls_cert_file.empty() && options.staging_dir.empty()) {
    return absl::InvalidArgumentError("staging_dir: required with TLS");
  }
  if (options.reload_poll_seconds == 0) options.reload_poll_seconds = 1;
  RETURN_IF_ERROR(ValidateCallerLimitOptions(options.limits));
  std::unique_ptr<AccessControl> access(new AccessControl(std::move(options)));
  const SecurityOptions& opts = access->options_;
  auto loaded = access->Load();
  if (!loaded.ok()) return loaded.status();
  if (access->tls()) {
    std::error_code error;
    std::filesystem::create_directories(opts.staging_dir, error);
    if (error) {
      return absl::InternalError(
          absl::StrCat("cannot create ", opts.staging_dir, ": ", error.message()));
    }
    chmod(opts.staging_dir.c_str(), 0700);
    absl::Status staged = access->Stage(**loaded);
    if (!staged.ok()) return staged;
    auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
        StagedPath(opts.staging_dir, "tls_key"), StagedPath(opts.staging_dir, "tls_cert"),
        opts.tls_client_ca_file.empty() ? std::string()
                                        : StagedPath(opts.staging_dir, "tls_client_ca"),
        opts.reload_poll_seconds);
    grpc::experimental::TlsServerCredentialsOptions tls_options(provider);
    tls_options.watch_identity_key_cert_pairs();
    if (opts.tls_client_ca_file.empty()) {
      tls_options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
    } else {
      tls_options.watch_root_certs();
      tls_options.set_cert_request_type(
          opts.client_certificates == ClientCertificates::kRequire
              ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
              : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
    }
    access->credentials_ = grpc::experimental::TlsServerCredentials(tls_options);
  } else {
    access->credentials_ = grpc::InsecureServerCredentials();
  }
  absl::MutexLock lock(&access->mu_);
  access->loaded_ = *std::move(loaded);
  return access;
}

absl::StatusOr<std::shared_ptr<AccessControl::Loaded>> AccessControl::Load() const {
  auto loaded = std::make_shared<Loaded>();
  const std::pair<const char*, const std::string*> paths[] = {
      {"tls_cert", &options_.tls_cert_file},
      {"tls_key", &options_.tls_key_file},
      {"tls_client_ca", &options_.tls_client_ca_file},
      {"tokens", &options_.tokens_file},
      {"policy", &options_.policy_file},
  };
  for (const auto& [kind, path] : paths) {
    if (path->empty()) continue;
    absl::StatusOr<std::string> text = security::ReadSmallFile(*path);
    if (!text.ok()) {
      return absl::Status(text.status().code(),
                          absl::StrCat(kind, ": ", text.status().message()));
    }
    LoadedFile file{kind, *path, *std::move(text), absl::Now(), std::nullopt};
    const std::string what = absl::StrCat(kind, " ", *path);
    if (file.kind == "tls_cert" || file.kind == "tls_client_ca") {
      auto info = security::InspectCertificates(file.text, what);
      if (!info.ok()) return info.status();
      file.not_after = info->not_after;
    } else if (file.kind == "tokens") {
      auto tokens = security::ParseTokenFile(file.text);
      if (!tokens.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(what, ": ", tokens.status().message()));
      }
      loaded->tokens = *std::move(tokens);
      file.text.clear();
    } else if (file.kind == "policy") {
      auto policy = security::ParsePolicyFile(file.text);
      if (!policy.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(what, ": ", policy.status().message()));
      }
      loaded->policy = *std::move(policy);
      file.text.clear();
    }
    loaded->files.push_back(std::move(file));
  }
  if (tls()) {
    auto text_of = [&loaded](absl::string_view kind) -> const std::string& {
      return std::find_if(loaded->files.begin(), loaded->files.end(),
                          [kind](const LoadedFile& file) { return file.kind == kind; })
          ->text;
    };
    absl::Status matched = security::CheckKeyMatchesCertificate(
        text_of("tls_key"), text_of("tls_cert"),
        absl::StrCat("tls_key ", options_.tls_key_file));
    if (!matched.ok()) return matched;
  }
  return loaded;
}

absl::Status AccessControl::Stage(const Loaded& loaded) const {
  // Every new file is written before any is renamed, so a failed write leaves the
  // staged files as they were. The key goes before the certificate: gRPC re-reads a pair
  // whose files changed while it read them (docs/security.md has the remaining window).
  std::vector<std::string> staged;
  for (const char* kind : {"tls_key", "tls_cert", "tls_client_ca"}) {
    for (const LoadedFile& file : loaded.files) {
      if (file.kind != kind) continue;
      const std::string path = StagedPath(options_.staging_dir, kind);
      absl::Status written = WriteNew(path, file.text);
      if (!written.ok()) return written;
      staged.push_back(path);
    }
  }
  for (const std::string& path : staged) {
    if (std::rename((path + ".new").c_str(), path.c_str()) != 0) {
      return absl::InternalError(absl::StrCat("cannot rename ", path, ".new"));
    }
  }
  return absl::OkStatus();
}

std::shared_ptr<grpc::ServerCredentials> AccessControl::ServerCredentials() const {
  return credentials_;
}

absl::Status AccessControl::Reload() {
  absl::MutexLock reload_lock(&reload_mu_);
  absl::StatusOr<std::shared_ptr<Loaded>> loaded = Load();
  absl::Status status = loaded.status();
  if (status.ok() && tls()) {
    status = Stage(**loaded);
    // A rename that failed half-way: put the files in use back (best effort).
    if (!status.ok()) Stage(*Current()).IgnoreError();
  }
  absl::MutexLock lock(&mu_);
  if (!status.ok()) {
    ++failed_reloads_;
    last_reload_error_ = std::string(status.message());
    return status;
  }
  ++reloads_;
  last_reload_error_.clear();
  (*loaded)->generation = loaded_->generation + 1;
  loaded_ = *std::move(loaded);
  return absl::OkStatus();
}

std::shared_ptr<const AccessControl::Loaded> AccessControl::Current() const {
  absl::MutexLock lock(&mu_);
  return loaded_;
}

uint64_t AccessControl::generation() const { return Current()->generation; }

std::string AccessControl::DescribeCaller(const grpc::ServerContextBase& context) const {
  const auto& metadata = context.client_metadata();
  std::shared_ptr<const Loaded> loaded = Current();
  if (auto it = metadata.find("authorization"); it != metadata.end()) {
    constexpr absl::string_view kScheme = "bearer ";
    const absl::string_view authorization(it->second.data(), it->second.size());
    if (authorization.size() <= kScheme.size() ||
        !absl::EqualsIgnoreCase(authorization.substr(0, kScheme.size()), kScheme)) {
      return "unknown-token";
    }
    auto token =
        loaded->tokens.find(security::TokenDigest(authorization.substr(kScheme.size())));
    return token == loaded->tokens.end() ? "unknown-token" : token->second.principal;
  }
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth != nullptr && auth->IsPeerAuthenticated() &&
      !options_.tls_client_ca_file.empty()) {
    std::optional<std::string> name =
        options_.client_identity == ClientIdentity::kSan
            ? FirstProperty(*auth, GRPC_X509_SAN_PROPERTY_NAME)
            : FirstProperty(*auth, GRPC_X509_CN_PROPERTY_NAME);
    if (name.has_value()) return *name;
  }
  return std::string(security::kAnonymous);
}

std::map<std::string, int64_t> AccessControl::Denials() const {
  absl::MutexLock lock(&mu_);
  return denials_;
}

void AccessControl::CountDenial(absl::string_view permission) {
  absl::MutexLock lock(&mu_);
  ++denials_[std::string(permission)];
}

absl::Status AccessControl::Unauthenticated(absl::string_view message) {
  CountDenial("authentication");
  return absl::UnauthenticatedError(message);
}

std::vector<Grant> AccessControl::PolicyGrants(const Loaded& loaded,
                                               const std::string& principal,
                                               bool authenticated) const {
  std::vector<Grant> grants;
  if (auto it = loaded.policy.find(principal); it != loaded.policy.end()) {
    Merge(grants, it->second);
  }
  if (authenticated) {
    if (auto it = loaded.policy.find(security::kEveryAuthenticated);
        it != loaded.policy.end()) {
      Merge(grants, it->second);
    }
  }
  return grants;
}

absl::StatusOr<Caller> AccessControl::Authenticate(grpc::ServerContextBase& context,
                                                   int64_t cost) {
  return Admit(context, "none", cost);
}

absl::StatusOr<Caller> AccessControl::Authorize(grpc::ServerContextBase& context,
                                                Permission permission) {
  absl::StatusOr<Caller> caller = Admit(context, security::PermissionName(permission));
  if (!caller.ok()) return caller;
  absl::Status allowed = Check(*caller, permission);
  if (!allowed.ok()) return allowed;
  return caller;
}

absl::StatusOr<Caller> AccessControl::Admit(grpc::ServerContextBase& context,
                                            absl::string_view permission, int64_t cost) {
  absl::StatusOr<Caller> caller = Identify(context);
  // Admins are exempt: operators must be able to act on a server under load (and the
  // anonymous admin of development mode is never limited).
  if (!caller.ok() || IsAdmin(caller->grants)) return caller;
  RETURN_IF_ERROR(limits_->TakeCall(context, caller->principal, permission, cost));
  return caller;
}

std::optional<absl::Duration> AccessControl::Pace(const Caller& caller, int64_t cost) {
  if (IsAdmin(caller.grants)) return std::nullopt;
  return limits_->TryTakeCall(caller.principal, cost);
}

absl::StatusOr<Caller> AccessControl::Identify(grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  if (metadata.find(kLegacyActorHeader) != metadata.end()) {
    CountDenial("actor");
    return absl::InvalidArgumentError(
        "x-actor: a client cannot name its actor; the server records the authenticated "
        "principal (remove the header)");
  }
  std::shared_ptr<const Loaded> loaded = Current();
  if (auto it = metadata.find("authorization"); it != metadata.end()) {
    return IdentifyByToken(
        context, absl::string_view(it->second.data(), it->second.size()), *loaded);
  }
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth != nullptr && auth->IsPeerAuthenticated() &&
      !options_.tls_client_ca_file.empty()) {
    return IdentifyByCertificate(*auth, *loaded);
  }
  Caller caller;
  caller.principal = security::kAnonymous;
  caller.generation = loaded->generation;
  if (development_mode_) {
    caller.grants.push_back(Grant{security::Role::kAdmin, {}});
    return caller;
  }
  if (loaded->policy.find(security::kAnonymous) == loaded->policy.end()) {
    return Unauthenticated(
        "this registry requires authentication: present a client certificate or a "
        "bearer token (authorization: Bearer <token>)");
  }
  caller.grants = PolicyGrants(*loaded, caller.principal, false);
  return caller;
}

absl::StatusOr<Caller> AccessControl::IdentifyByToken(grpc::ServerContextBase& context,
                                                      absl::string_view authorization,
                                                      const Loaded& loaded) {
  constexpr absl::string_view kScheme = "bearer ";
  const bool well_formed =
      authorization.size() > kScheme.size() &&
      absl::EqualsIgnoreCase(authorization.substr(0, kScheme.size()), kScheme);
  const std::string digest = security::TokenDigest(
      well_formed ? authorization.substr(kScheme.size()) : authorization);
  // A peer that keeps failing gets no answer about new tokens for a while.
  RETURN_IF_ERROR(limits_->AdmitToken(context, digest));
  if (!well_formed) {
    limits_->TokenFailed(context);
    return Unauthenticated("authorization: expected \"Bearer <token>\"");
  }
  auto token = loaded.tokens.find(digest);
  if (token == loaded.tokens.end()) {
    limits_->TokenFailed(context);
    return Unauthenticated("authorization: unknown bearer token");
  }
  limits_->TokenSucceeded(context, digest);
  Caller caller;
  caller.principal = token->second.principal;
  caller.method = v1::AUTHENTICATION_METHOD_BEARER_TOKEN;
  caller.grants = token->second.grants;
  Merge(caller.grants, PolicyGrants(loaded, caller.principal, true));
  caller.token_digest = digest;
  caller.generation = loaded.generation;
  return caller;
}

absl::StatusOr<Caller> AccessControl::IdentifyByCertificate(const grpc::AuthContext& auth,
                                                            const Loaded& loaded) {
  std::optional<std::string> name = options_.client_identity == ClientIdentity::kSan
                                        ? FirstProperty(auth, GRPC_X509_SAN_PROPERTY_NAME)
                                        : FirstProperty(auth, GRPC_X509_CN_PROPERTY_NAME);
  if (!name.has_value()) {
    return Unauthenticated(
        options_.client_identity == ClientIdentity::kSan
            ? "client certificate: it has no subject alternative name (the server "
              "takes the principal from the SAN)"
            : "client certificate: it has no common name (the server takes the "
              "principal from the CN)");
  }
  if (!security::IsValidPrincipal(*name) || security::IsReservedPrincipal(*name)) {
    return Unauthenticated(
        "client certificate: its name is not a valid principal (1 to 200 characters, "
        "no control characters, not \"anonymous\" or \"*\")");
  }
  Caller caller;
  caller.principal = *std::move(name);
  caller.method = v1::AUTHENTICATION_METHOD_CLIENT_CERTIFICATE;
  caller.grants = PolicyGrants(loaded, caller.principal, true);
  caller.generation = loaded.generation;
  return caller;
}

absl::StatusOr<Caller> AccessControl::Reauthenticate(const Caller& before) const {
  std::shared_ptr<const Loaded> loaded = Current();
  Caller caller = before;
  caller.generation = loaded->generation;
  switch (before.method) {
    case v1::AUTHENTICATION_METHOD_BEARER_TOKEN: {
      auto token = loaded->tokens.find(before.token_digest);
      if (token == loaded->tokens.end()) {
        return absl::UnauthenticatedError(
            "authorization: the bearer token of this call was removed from the token "
            "file (security files reloaded)");
      }
      if (token->second.principal != before.principal) {
        return absl::UnauthenticatedError(
            "authorization: the bearer token of this call names another principal now "
            "(security files reloaded)");
      }
      caller.grants = token->second.grants;
      Merge(caller.grants, PolicyGrants(*loaded, caller.principal, true));
      return caller;
    }
    case v1::AUTHENTICATION_METHOD_CLIENT_CERTIFICATE:
      caller.grants = PolicyGrants(*loaded, caller.principal, true);
      return caller;
    default:
      if (development_mode_) return caller;
      if (loaded->policy.find(security::kAnonymous) == loaded->policy.end()) {
        return absl::UnauthenticatedError(
            "this registry no longer accepts calls without credentials (security files "
            "reloaded): present a client certificate or a bearer token");
      }
      caller.grants = PolicyGrants(*loaded, caller.principal, false);
      return caller;
  }
}

absl::Status AccessControl::Check(const Caller& caller, Permission permission) {
  if (security::Allows(caller.grants, permission)) return absl::OkStatus();
  CountDenial(security::PermissionName(permission));
  return MissingPermission(
      security::PermissionName(permission), caller.principal,
      absl::StrCat("missing permission ", security::PermissionName(permission),
                   ": principal \"", caller.principal, "\" has ",
                   RolesText(caller.grants)));
}

absl::Status MissingPermission(absl::string_view permission, absl::string_view principal,
                               absl::string_view message) {
  return errors::WithReason(
      absl::PermissionDeniedError(message), errors::kMissingPermission,
      {{"permission", std::string(permission)}, {"principal", std::string(principal)}});
}

domain::Clearance ClearanceOf(const Caller& caller) {
  std::vector<std::string> sectors;
  for (const Grant& grant : caller.grants) {
    switch (grant.role) {
      case security::Role::kAdmin:
      case security::Role::kAuditor:
        return domain::Clearance::All();
      case security::Role::kRegistrar:
        if (grant.sectors.empty()) return domain::Clearance::All();
        sectors.insert(sectors.end(), grant.sectors.begin(), grant.sectors.end());
        break;
      case security::Role::kReader:
        break;
    }
  }
  return domain::Clearance::PublicAnd(std::move(sectors));
}

v1::WhoAmIResponse AccessControl::Describe(const Caller& caller) const {
  v1::WhoAmIResponse response;
  response.set_principal(caller.principal);
  response.set_method(caller.method);
  for (const Grant& grant : caller.grants) {
    v1::RoleGrant* role = response.add_roles();
    role->set_role(std::string(security::RoleName(grant.role)));
    for (const std::string& sector : grant.sectors) role->add_sectors(sector);
  }
  std::vector<std::string> permissions;
  for (Permission permission : security::kAllPermissions) {
    if (security::Allows(caller.grants, permission)) {
      permissions.emplace_back(security::PermissionName(permission));
    }
  }
  std::sort(permissions.begin(), permissions.end());
  for (auto& permission : permissions) response.add_permissions(std::move(permission));
  response.set_development_mode(development_mode_);
  return response;
}

v1::GetSecurityStatusResponse AccessControl::Status() const {
  v1::GetSecurityStatusResponse response;
  response.set_development_mode(development_mode_);
  response.set_tls(tls());
  if (options_.tls_client_ca_file.empty()) {
    response.set_client_certificates("none");
  } else {
    response.set_client_certificates(
        options_.client_certificates == ClientCertificates::kRequire ? "require"
                                                                     : "optional");
  }
  limits_->Describe(response);
  absl::MutexLock lock(&mu_);
  for (const auto& [permission, count] : denials_) {
    v1::DenialCount* denial = response.add_denials();
    denial->set_permission(permission);
    denial->set_count(count);
  }
  for (const LoadedFile& file : loaded_->files) {
    v1::SecurityFile* out = response.add_files();
    out->set_kind(file.kind);
    out->set_path(file.path);
    *out->mutable_loaded_at() = ToTimestamp(file.loaded_at);
    if (file.not_after.has_value())
      *out->mutable_not_after() = ToTimestamp(*file.not_after);
  }
  response.set_reloads(reloads_);
  response.set_failed_reloads(failed_reloads_);
  response.set_last_reload_error(last_reload_error_);
  response.set_token_count(static_cast<int64_t>(loaded_->tokens.size()));
  response.set_policy_entry_count(static_cast<int64_t>(loaded_->policy.size()));
  return response;
}

}  // namespace agreements::services
