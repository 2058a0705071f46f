#include "security/policy.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/sha256.h"
#include "domain/sectors.h"

namespace agreements::security {
namespace {

// The permissions of one role.
bool RoleAllows(Role role, Permission permission) {
  switch (role) {
    case Role::kAdmin:
      return true;
    case Role::kRegistrar:
      return permission == Permission::kRegistryRead ||
             permission == Permission::kAgreementsWrite ||
             permission == Permission::kPartiesWrite;
    case Role::kAuditor:
      return permission == Permission::kRegistryRead ||
             permission == Permission::kAuditRead;
    case Role::kReader:
      return permission == Permission::kRegistryRead;
  }
  return false;
}

// Splits one line into fields: whitespace separates, '#' outside quotes starts a
// comment, and a field in double quotes may hold spaces (no escapes).
absl::StatusOr<std::vector<std::string>> Fields(absl::string_view line) {
  std::vector<std::string> fields;
  size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
    } else if (c == '#') {
      break;
    } else if (c == '"') {
      const size_t end = line.find('"', i + 1);
      if (end == absl::string_view::npos) {
        return absl::InvalidArgumentError("unterminated quote");
      }
      fields.emplace_back(line.substr(i + 1, end - i - 1));
      i = end + 1;
    } else {
      size_t end = i;
      while (end < line.size() && line[end] != ' ' && line[end] != '\t' &&
             line[end] != '\r' && line[end] != '#') {
        ++end;
      }
      fields.emplace_back(line.substr(i, end - i));
      i = end;
    }
  }
  return fields;
}

absl::StatusOr<std::vector<Grant>> ParseGrants(const std::vector<std::string>& fields,
                                               size_t first) {
  std::vector<Grant> grants;
  for (size_t i = first; i < fields.size(); ++i) {
    absl::StatusOr<Grant> grant = ParseGrant(fields[i]);
    if (!grant.ok()) return grant.status();
    grants.push_back(*std::move(grant));
  }
  return grants;
}

absl::Status LineError(int line_number, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line_number, ": ", message));
}

bool IsLowerHex(absl::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

}  // namespace

absl::string_view PermissionName(Permission permission) {
  switch (permission) {
    case Permission::kRegistryRead:
      return "registry.read";
    case Permission::kAgreementsWrite:
      return "agreements.write";
    case Permission::kPartiesWrite:
      return "parties.write";
    case Permission::kAuditRead:
      return "audit.read";
    case Permission::kSecurityRead:
      return "security.read";
    case Permission::kServerAdmin:
      return "server.admin";
  }
  return "unknown";
}

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kRegistrar:
      return "registrar";
    case Role::kAuditor:
      return "auditor";
    case Role::kReader:
      return "reader";
  }
  return "unknown";
}

bool Allows(const std::vector<Grant>& grants, Permission permission) {
  return std::any_of(grants.begin(), grants.end(), [permission](const Grant& grant) {
    return RoleAllows(grant.role, permission);
  });
}

std::optional<std::vector<std::string>> WritableSectors(
    const std::vector<Grant>& grants) {
  std::vector<std::string> sectors;
  for (const Grant& grant : grants) {
    if (grant.role == Role::kAdmin) return std::nullopt;
    if (grant.role != Role::kRegistrar) continue;
    if (grant.sectors.empty()) return std::nullopt;
    sectors.insert(sectors.end(), grant.sectors.begin(), grant.sectors.end());
  }
  std::sort(sectors.begin(), sectors.end());
  sectors.erase(std::unique(sectors.begin(), sectors.end()), sectors.end());
  return sectors;
}

absl::StatusOr<Grant> ParseGrant(absl::string_view text) {
  const size_t colon = text.find(':');
  const absl::string_view role = text.substr(0, colon);
  Grant grant;
  if (role == "admin") {
    grant.role = Role::kAdmin;
  } else if (role == "registrar") {
    grant.role = Role::kRegistrar;
  } else if (role == "auditor") {
    grant.role = Role::kAuditor;
  } else if (role == "reader") {
    grant.role = Role::kReader;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown role \"", role,
        "\" (roles: admin, registrar, registrar:SECTOR,..., auditor, reader)"));
  }
  if (colon == absl::string_view::npos) return grant;
  if (grant.role != Role::kRegistrar) {
    return absl::InvalidArgumentError(
        absl::StrCat("role ", role, " takes no sector list (only registrar does)"));
  }
  for (absl::string_view sector : absl::StrSplit(text.substr(colon + 1), ',')) {
    if (!domain::IsRegistrySector(sector)) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", sector, "\" is not a registry sector"));
    }
    grant.sectors.emplace_back(sector);
  }
  std::sort(grant.sectors.begin(), grant.sectors.end());
  grant.sectors.erase(std::unique(grant.sectors.begin(), grant.sectors.end()),
                      grant.sectors.end());
  return grant;
}

bool IsValidPrincipal(absl::string_view name) {
  if (name.empty() || name.size() > kMaxPrincipalLength) return false;
  return std::none_of(name.begin(), name.end(), [](char c) {
    const unsigned char u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

std::string TokenDigest(absl::string_view token) {
  return DigestHex(Sha256::Hash(token));
}

absl::StatusOr<TokenTable> ParseTokenFile(absl::string_view text) {
  TokenTable tokens;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    absl::StatusOr<std::vector<std::string>> fields = Fields(line);
    if (!fields.ok()) return LineError(line_number, fields.status().message());
    if (fields->empty()) continue;
    const std::string& hash = (*fields)[0];
    if (!absl::StartsWith(hash, "sha256:") || hash.size() != 7 + 64 ||
        !IsLowerHex(absl::string_view(hash).substr(7))) {
      return LineError(line_number,
                       "the first field must be sha256:<64 lowercase hex digits> (the "
                       "SHA-256 of the token, never the token itself)");
    }
    if (fields->size() < 2 || !IsValidPrincipal((*fields)[1])) {
      return LineError(line_number, "a principal name must follow the hash");
    }
    if (IsReservedPrincipal((*fields)[1])) {
      return LineError(line_number, absl::StrCat("\"", (*fields)[1],
                                                 "\" is reserved for the policy file"));
    }
    absl::StatusOr<std::vector<Grant>> grants = ParseGrants(*fields, 2);
    if (!grants.ok()) return LineError(line_number, grants.status().message());
    TokenEntry entry{(*fields)[1], *std::move(grants)};
    if (!tokens.emplace(hash.substr(7), std::move(entry)).second) {
      return LineError(line_number, "the same token hash appears twice");
    }
  }
  return tokens;
}

absl::StatusOr<PolicyTable> ParsePolicyFile(absl::string_view text) {
  PolicyTable policy;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    absl::StatusOr<std::vector<std::string>> fields = Fields(line);
    if (!fields.ok()) return LineError(line_number, fields.status().message());
    if (fields->empty()) continue;
    const std::string& principal = (*fields)[0];
    if (!IsValidPrincipal(principal)) {
      return LineError(line_number, "invalid principal name");
    }
    if (fields->size() < 2) {
      return LineError(line_number, absl::StrCat("no role given for ", principal));
    }
    absl::StatusOr<std::vector<Grant>> grants = ParseGrants(*fields, 1);
    if (!grants.ok()) return LineError(line_number, grants.status().message());
    if (!policy.emplace(principal, *std::move(grants)).second) {
      return LineError(line_number,
                       absl::StrCat("principal ", principal, " appears twice"));
    }
  }
  return policy;
}

}  // namespace agreements::security
