// --help, --helpfull and --version for the project's binaries (absl flags): --help
// lists the flags defined in the binary's own sources with their defaults (absl's
// default matches files named like the program, which ours are not), and --version
// prints build_info::VersionText.
#ifndef AGREEMENTS_COMMON_FLAGS_USAGE_H_
#define AGREEMENTS_COMMON_FLAGS_USAGE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace agreements {

// `sources`: parts of the file names whose flags --help lists (e.g. "server_main.cc").
// Call before absl::ParseCommandLine.
void ConfigureFlagsUsage(const std::string& program, const std::string& usage,
                         std::vector<std::string> sources);

// The flags defined in files matching `sources`, with their current values, by name.
std::vector<std::pair<std::string, std::string>> FlagValues(
    const std::vector<std::string>& sources);

}  // namespace agreements

#endif  // AGREEMENTS_COMMON_FLAGS_USAGE_H_
