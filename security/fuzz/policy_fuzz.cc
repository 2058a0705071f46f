// Fuzz target of the access files the server reads at start and on reload
// (security/policy.h: the token file and the policy file, one grant) and of the PEM
// checks of its TLS files (security/pem.h).
//
// The first byte picks a mode (FuzzInput::Choice), the rest is the file's text:
//   '0' token file   '1' policy file   '2' one grant   '3' PEM (key and certificates)
// Properties: parsing never crashes; an error is INVALID_ARGUMENT and names a line of
// the text ("line N: ..."); what parses keeps the files' invariants (valid, unreserved
// principals; lowercase hex digests; sorted, unique registry sectors only on
// registrar grants) and, written back in the file's syntax, parses to the same table;
// WritableSectors agrees with Allows; the PEM checks name the file in their errors and
// leave no error on OpenSSL's queue.
#include <openssl/err.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/fuzz/fuzz_input.h"
#include "domain/sectors.h"
#include "security/pem.h"
#include "security/policy.h"

namespace agreements::security {
namespace {

using fuzz::Describe;
using fuzz::FuzzInput;

// ---- writing the files back (the syntax of policy.h) ----

std::string GrantText(const Grant& grant) {
  std::string text(RoleName(grant.role));
  if (!grant.sectors.empty())
    absl::StrAppend(&text, ":", absl::StrJoin(grant.sectors, ","));
  return text;
}

std::string GrantsText(const std::vector<Grant>& grants) {
  std::vector<std::string> texts;
  for (const Grant& grant : grants) texts.push_back(GrantText(grant));
  return absl::StrJoin(texts, " ");
}

// A principal as one field: plain, or in double quotes when it holds a space or '#'.
// A field in quotes has no escapes, so a principal with '"' must be plain.
std::string PrincipalField(const std::string& principal) {
  const bool needs_quotes =
      principal.find_first_of(" #") != std::string::npos || principal[0] == '"';
  FUZZ_CHECK(!needs_quotes || principal.find('"') == std::string::npos,
             absl::StrCat("a principal no file can name: ", absl::CHexEscape(principal)));
  return needs_quotes ? absl::StrCat("\"", principal, "\"") : principal;
}

// ---- invariants of what parses ----

void CheckGrant(const Grant& grant) {
  const std::string text = GrantText(grant);
  FUZZ_CHECK(std::is_sorted(grant.sectors.begin(), grant.sectors.end()) &&
                 std::adjacent_find(grant.sectors.begin(), grant.sectors.end()) ==
                     grant.sectors.end(),
             text);
  FUZZ_CHECK(grant.sectors.empty() || grant.role == Role::kRegistrar, text);
  for (const std::string& sector : grant.sectors) {
    FUZZ_CHECK(domain::IsRegistrySector(sector), text);
  }
}

// What the grants allow and where they allow writing agree.
void CheckPermissions(const std::vector<Grant>& grants) {
  const std::optional<std::vector<std::string>> sectors = WritableSectors(grants);
  const bool writes = Allows(grants, Permission::kAgreementsWrite);
  FUZZ_CHECK(writes == (!sectors.has_value() || !sectors->empty()), GrantsText(grants));
  if (Allows(grants, Permission::kServerAdmin)) {
    FUZZ_CHECK(!sectors.has_value(), GrantsText(grants));
    for (Permission permission : kAllPermissions) {
      FUZZ_CHECK(Allows(grants, permission), PermissionName(permission));
    }
  }
}

void CheckGrants(const std::vector<Grant>& grants) {
  for (const Grant& grant : grants) CheckGrant(grant);
  CheckPermissions(grants);
}

// An error names a line of the text.
void CheckLineError(const absl::Status& status, absl::string_view text) {
  FUZZ_CHECK(absl::IsInvalidArgument(status), Describe(status));
  absl::string_view rest = status.message();
  const bool named = absl::ConsumePrefix(&rest, "line ");
  const size_t colon = rest.find(':');
  int line = 0;
  FUZZ_CHECK(named && colon != absl::string_view::npos &&
                 absl::SimpleAtoi(rest.substr(0, colon), &line),
             Describe(status));
  const int lines = 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  FUZZ_CHECK(line >= 1 && line <= lines, absl::StrCat(Describe(status), " of ", lines));
}

// ---- the modes ----

void FuzzTokenFile(const std::string& text) {
  absl::StatusOr<TokenTable> tokens = ParseTokenFile(text);
  if (!tokens.ok()) {
    CheckLineError(tokens.status(), text);
    return;
  }
  std::string written;
  for (const auto& [digest, entry] : *tokens) {
    FUZZ_CHECK(digest.size() == 64 &&
                   digest.find_first_not_of("0123456789abcdef") == std::string::npos,
               digest);
    FUZZ_CHECK(IsValidPrincipal(entry.principal) && !IsReservedPrincipal(entry.principal),
               absl::CHexEscape(entry.principal));
    CheckGrants(entry.grants);
    absl::StrAppend(&written, "sha256:", digest, " ", PrincipalField(entry.principal),
                    " ", GrantsText(entry.grants), "\n");
  }
  absl::StatusOr<TokenTable> again = ParseTokenFile(written);
  FUZZ_CHECK(again.ok(), absl::StrCat(Describe(again.status()), "\n", written));
  FUZZ_CHECK(again->size() == tokens->size(), written);
  for (const auto& [digest, entry] : *tokens) {
    const auto found = again->find(digest);
    FUZZ_CHECK(found != again->end() && found->second.principal == entry.principal &&
                   found->second.grants == entry.grants,
               absl::StrCat(digest, " in\n", written));
  }
}

void FuzzPolicyFile(const std::string& text) {
  absl::StatusOr<PolicyTable> policy = ParsePolicyFile(text);
  if (!policy.ok()) {
    CheckLineError(policy.status(), text);
    return;
  }
  std::string written;
  for (const auto& [principal, grants] : *policy) {
    FUZZ_CHECK(IsValidPrincipal(principal), absl::CHexEscape(principal));
    FUZZ_CHECK(!grants.empty(), principal);
    CheckGrants(grants);
    absl::StrAppend(&written, PrincipalField(principal), " ", GrantsText(grants), "\n");
  }
  absl::StatusOr<PolicyTable> again = ParsePolicyFile(written);
  FUZZ_CHECK(again.ok(), absl::StrCat(Describe(again.status()), "\n", written));
  FUZZ_CHECK(*again == *policy, written);
}

void FuzzGrant(const std::string& text) {
  absl::StatusOr<Grant> grant = ParseGrant(text);
  if (!grant.ok()) {
    FUZZ_CHECK(absl::IsInvalidArgument(grant.status()), Describe(grant.status()));
    return;
  }
  CheckGrant(*grant);
  CheckPermissions({*grant});
  absl::StatusOr<Grant> again = ParseGrant(GrantText(*grant));
  FUZZ_CHECK(again.ok() && *again == *grant, GrantText(*grant));
}

void FuzzPem(const std::string& text) {
  ERR_clear_error();
  absl::StatusOr<CertificateInfo> info = InspectCertificates(text, "fuzz.pem");
  FUZZ_CHECK(ERR_peek_error() == 0, "InspectCertificates left an OpenSSL error");
  if (info.ok()) {
    FUZZ_CHECK(info->count >= 1, "a certificate file of no certificate");
  } else {
    FUZZ_CHECK(absl::IsInvalidArgument(info.status()) &&
                   absl::StartsWith(info.status().message(), "fuzz.pem: "),
               Describe(info.status()));
  }
  // One text holds the key and the certificate, as a combined PEM file does.
  const absl::Status match = CheckKeyMatchesCertificate(text, text, "key.pem");
  FUZZ_CHECK(ERR_peek_error() == 0, "CheckKeyMatchesCertificate left an OpenSSL error");
  FUZZ_CHECK(match.ok() || (absl::IsInvalidArgument(match) &&
                            absl::StartsWith(match.message(), "key.pem: ")),
             Describe(match));
  if (match.ok()) {
    FUZZ_CHECK(info.ok() || absl::StrContains(info.status().message(), "does not parse"),
               absl::StrCat("a key matched a certificate of a file with none: ",
                            Describe(info.status())));
  }
}

}  // namespace
}  // namespace agreements::security

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  agreements::fuzz::FuzzInput input(data, size);
  const int mode = input.Choice(4);
  const std::string text = input.Rest();
  switch (mode) {
    case 0:
      agreements::security::FuzzTokenFile(text);
      break;
    case 1:
      agreements::security::FuzzPolicyFile(text);
      break;
    case 2:
      agreements::security::FuzzGrant(text);
      break;
    default:
      agreements::security::FuzzPem(text);
      break;
  }
  return 0;
}
