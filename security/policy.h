// The access model of the registry: roles, the permissions they give, and the two files
// that grant them (docs/security.md): the token file (hashes of bearer tokens, each with
// a principal and its roles) and the policy file (principals, from certificates or
// tokens, and their roles). Pure values and parsers: no gRPC, no files read here.
#ifndef AGREEMENTS_SECURITY_POLICY_H_
#define AGREEMENTS_SECURITY_POLICY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace agreements::security {

// What a call needs. Every RPC needs exactly one (docs/security.md has the table).
enum class Permission {
  kRegistryRead,     // "registry.read": queries, views, feeds
  kAgreementsWrite,  // "agreements.write": record and change agreements (sector-scoped)
  kPartiesWrite,     // "parties.write": register and update parties
  kAuditRead,        // "audit.read": history, proofs, checkpoints, as-of and valid-time
  kSecurityRead,     // "security.read": the server's security status and counters
  kServerAdmin,      // "server.admin": maintenance of the running server (AdminService)
};
inline constexpr Permission kAllPermissions[] = {
    Permission::kRegistryRead, Permission::kAgreementsWrite, Permission::kPartiesWrite,
    Permission::kAuditRead,    Permission::kSecurityRead,    Permission::kServerAdmin};

absl::string_view PermissionName(Permission permission);

enum class Role { kAdmin, kRegistrar, kAuditor, kReader };

absl::string_view RoleName(Role role);

// One role given to a principal.
struct Grant {
  Role role = Role::kReader;
  // Registrar only: the sectors it may write (sorted, unique). Empty means every sector.
  std::vector<std::string> sectors;

  bool operator==(const Grant& other) const {
    return role == other.role && sectors == other.sectors;
  }
};

// Whether any of the grants gives the permission.
bool Allows(const std::vector<Grant>& grants, Permission permission);

// The sectors in which the grants allow agreements.write: nullopt means every sector
// (admin, or a registrar without a sector list); an empty vector means none.
std::optional<std::vector<std::string>> WritableSectors(const std::vector<Grant>& grants);

// "admin", "auditor", "reader", "registrar" or "registrar:energy,transport": one grant.
// Sectors must be registry sectors.
absl::StatusOr<Grant> ParseGrant(absl::string_view text);

// Longest principal name accepted, from any source.
inline constexpr size_t kMaxPrincipalLength = 200;

// The principal of unauthenticated callers, and the policy entry for every authenticated
// principal.
inline constexpr char kAnonymous[] = "anonymous";
inline constexpr char kEveryAuthenticated[] = "*";

struct TokenEntry {
  std::string principal;
  std::vector<Grant> grants;
};

// Token file: one token per line, "sha256:<64 lowercase hex digits of SHA-256(token)>
// <principal> [grant ...]"; '#' starts a comment. A principal with spaces is written in
// double quotes. Errors name the line. Keyed by the hex digest.
using TokenTable = absl::flat_hash_map<std::string, TokenEntry>;
absl::StatusOr<TokenTable> ParseTokenFile(absl::string_view text);

// Policy file: "<principal> grant [grant ...]" per line; '#' starts a comment. The
// principal "*" applies to every authenticated principal, "anonymous" to callers without
// credentials (without that line they get UNAUTHENTICATED). A principal may appear once.
using PolicyTable = absl::flat_hash_map<std::string, std::vector<Grant>>;
absl::StatusOr<PolicyTable> ParsePolicyFile(absl::string_view text);

// The hex SHA-256 of a presented token, the key of TokenTable.
std::string TokenDigest(absl::string_view token);

// "anonymous" and "*": names of policy entries, never of an authenticated caller (a
// certificate or token with such a name is refused).
inline bool IsReservedPrincipal(absl::string_view name) {
  return name == kAnonymous || name == kEveryAuthenticated;
}

// Whether `name` may be a principal: 1 to kMaxPrincipalLength printable ASCII characters
// or UTF-8, no control characters.
bool IsValidPrincipal(absl::string_view name);

}  // namespace agreements::security

#endif  // AGREEMENTS_SECURITY_POLICY_H_
