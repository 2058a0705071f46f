// Shell completion scripts for the `agreements` tool, generated from its command tables
// (`agreements completion bash|zsh|fish`, cli_completion.cc).
#ifndef AGREEMENTS_CLIENTS_CLI_COMPLETION_H_
#define AGREEMENTS_CLIENTS_CLI_COMPLETION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clients/cli_flags.h"

namespace agreements::cli {

// The completion script for `shell` ("bash", "zsh" or "fish"): command words at each
// level, each command's flags and the global ones, and flag values where the tables
// list them. A usage error for another shell.
absl::StatusOr<std::string> CompletionScript(absl::string_view shell,
                                             const std::vector<FlagSpec>& globals,
                                             const std::vector<CommandSpec>& commands);

}  // namespace agreements::cli

#endif  // AGREEMENTS_CLIENTS_CLI_COMPLETION_H_
