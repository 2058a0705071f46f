// What the audit commands (cli_audit_commands.cc, cli_audit_follow.cc) share: the pinned
// verifier key from the flags or the environment, and the verification of a checkpoint
// response with it. Verification failures are VerificationError (exit status 4). Also
// --as-of, which `list --as-of` (cli_query_commands.cc) reads the same way.
#ifndef AGREEMENTS_CLIENTS_CLI_AUDIT_INTERNAL_H_
#define AGREEMENTS_CLIENTS_CLI_AUDIT_INTERNAL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "agreements/v1/audit_service.pb.h"
#include "clients/cli_flags.h"
#include "common/merkle.h"
#include "common/signed_note.h"

namespace agreements::cli {

namespace v1 = ::agreements::v1;

// The environment variable that gives the verifier key when neither --key nor
// --key-file does.
inline constexpr char kVerifierKeyEnv[] = "AGREEMENTS_VERIFIER_KEY";

// --key and --key-file.
std::vector<FlagSpec> VerifierKeyFlagSpecs();

// The pinned verifier key: --key, else the first non-empty line of --key-file, else
// $AGREEMENTS_VERIFIER_KEY; nullopt when none is given. A malformed key is a usage error.
absl::StatusOr<std::optional<std::string>> VerifierKeyFlag(const ParsedArgs& args);
// The same, with a usage error when no key is given (`command` names the command).
absl::StatusOr<std::string> RequiredVerifierKey(const ParsedArgs& args,
                                                absl::string_view command);

// Checks the note's signature with the pinned key and that the response's size and root
// are the note's. Any failure is a VerificationError.
absl::StatusOr<note::Checkpoint> VerifyCheckpointResponse(
    const v1::GetCheckpointResponse& response, const std::string& verifier_key);

// The key name of a verifier key ("<name>+<id>+<key>").
std::string KeyName(const std::string& verifier_key);

std::string HashBytes(const merkle::Hash& hash);
std::string Base64(absl::string_view bytes);
std::string Base64(const merkle::Hash& hash);

// --as-of POSITION or an RFC 3339 time (transaction time); unset (now) when absent.
absl::StatusOr<v1::AsOf> AsOfFlag(const ParsedArgs& args);
FlagSpec AsOfFlagSpec();

// A duration flag (e.g. 500ms, 10s); `fallback` when absent. Usage error unless positive.
absl::StatusOr<absl::Duration> PositiveDurationFlag(const ParsedArgs& args,
                                                    const std::string& name,
                                                    absl::Duration fallback);

// The `audit follow` command (cli_audit_follow.cc).
CommandSpec AuditFollowCommand();
// `audit export` and `audit verify`: offline audit bundles (cli_audit_bundle.cc).
std::vector<CommandSpec> AuditBundleCommands();
// History, diff, as-of and valid-time commands (cli_audit_history.cc).
std::vector<CommandSpec> AuditHistoryCommands();

}  // namespace agreements::cli

#endif  // AGREEMENTS_CLIENTS_CLI_AUDIT_INTERNAL_H_
