// Errors of the `agreements` tool: errors found locally, marked apart from the server's
// answers; the exit status of each class of error, in one table; and the text printed on
// stderr, with the error details the server sent. Free functions; safe from any thread.
//
// Exit status (clients/README.md, "Exit status"):
//   0  success
//   1  usage or local input error: unknown command or flag, bad value, unreadable or
//      malformed file, a group named without its subcommand
//   2  any other error from the server or the transport (INTERNAL, UNKNOWN, DATA_LOSS,
//      UNIMPLEMENTED, CANCELLED)
//   3  NOT_FOUND
//   4  verification failed (audit commands)
//   5  conflict with the current state: FAILED_PRECONDITION, ABORTED, ALREADY_EXISTS
//   6  the server refused the request's content: INVALID_ARGUMENT, OUT_OF_RANGE
//   7  PERMISSION_DENIED, UNAUTHENTICATED
//   8  try again later: UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED
#ifndef AGREEMENTS_CLIENTS_CLI_ERRORS_H_
#define AGREEMENTS_CLIENTS_CLI_ERRORS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace agreements::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 1;
inline constexpr int kExitRpc = 2;
inline constexpr int kExitNotFound = 3;
inline constexpr int kExitVerification = 4;
inline constexpr int kExitConflict = 5;
inline constexpr int kExitInvalidArgument = 6;
inline constexpr int kExitDenied = 7;
inline constexpr int kExitUnavailable = 8;

// Errors found before anything is sent: marked so that main() exits with kExitUsage.
absl::Status UsageError(absl::string_view message);
// Marks `status` (not OK) as a local error.
absl::Status LocalError(absl::Status status);
bool IsLocalError(const absl::Status& status);
// A verification failure: DATA_LOSS with `message`, marked so that main() exits with
// kExitVerification.
absl::Status VerificationError(absl::string_view message);
bool IsVerificationError(const absl::Status& status);

// The exit status of a server's (or the transport's) status code, by the table above;
// kExitOk for OK.
int ExitCodeForServerCode(absl::StatusCode code);
// The exit status for `status`: kExitUsage for a local error, kExitVerification for a
// verification failure, else ExitCodeForServerCode.
int ExitCodeFor(const absl::Status& status);

// What the tool prints on stderr for an error: "error: CODE: message" ("server TARGET: "
// before the message of an UNAVAILABLE from the server), then what the server's error
// details (client/error_details.h) say, when they say anything:
//   reason: WRONG_EXPECTED_REVISION
//     current_revision: 4
//     field command.participant_signed.date: must not be before the adoption
//     precondition STATUS agreements/x: is in_force
//     resource agreements.v1.Agreement x: not found
//     retry after: 2s
// Ends with a newline.
std::string ErrorText(const absl::Status& status, absl::string_view target);

}  // namespace agreements::cli

#endif  // AGREEMENTS_CLIENTS_CLI_ERRORS_H_
