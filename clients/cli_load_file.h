// The file of `agreements load FILE.jsonl` (clients/cli_load.cc): one ExecuteBatchRequest
// in protobuf JSON per non-blank line. Separate from the command so that its parser of
// untrusted bytes is fuzzed as the command runs it (clients/fuzz/jsonl_import_fuzz.cc).
// Not API. Free functions; safe from any thread.
#ifndef AGREEMENTS_CLIENTS_CLI_LOAD_FILE_H_
#define AGREEMENTS_CLIENTS_CLI_LOAD_FILE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agreements/v1/command_service.pb.h"

namespace agreements::cli::internal {

// One request of a load file and the line it came from (counting from 1).
struct LoadLine {
  int number = 0;
  v1::ExecuteBatchRequest request;
};

// The request id of a line that carries none: "load-" and the first 32 hex digits of the
// SHA-256 of the line (stripped of surrounding whitespace), so that loading the same
// file again is replayed, not applied twice.
std::string DerivedRequestId(absl::string_view line);

// Parses every line of `content` first, so that a malformed file sends nothing. Lines
// are stripped of surrounding ASCII whitespace and blank ones skipped. A line without
// context.request_id gets DerivedRequestId, one without context.reason gets `reason`.
// Errors are usage errors (cli_errors.h) starting with "<path>:<line>: ", or
// "<path>: no requests" when no line holds one.
absl::StatusOr<std::vector<LoadLine>> ParseLoadFile(const std::string& path,
                                                    absl::string_view content,
                                                    const std::string& reason);

}  // namespace agreements::cli::internal

#endif  // AGREEMENTS_CLIENTS_CLI_LOAD_FILE_H_
