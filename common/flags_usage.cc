#include "common/flags_usage.h"

#include <algorithm>

#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "common/build_info.h"

namespace agreements {
namespace {

bool Matches(absl::string_view file, const std::vector<std::string>& sources) {
  return std::any_of(sources.begin(), sources.end(), [file](const std::string& source) {
    return absl::StrContains(file, source);
  });
}

}  // namespace

void ConfigureFlagsUsage(const std::string& program, const std::string& usage,
                         std::vector<std::string> sources) {
  absl::SetProgramUsageMessage(usage);
  absl::FlagsUsageConfig config;
  config.contains_help_flags = [sources](absl::string_view file) {
    return Matches(file, sources);
  };
  config.contains_helpshort_flags = config.contains_help_flags;
  config.version_string = [program] { return build_info::VersionText(program); };
  config.normalize_filename = [](absl::string_view file) { return std::string(file); };
  absl::SetFlagsUsageConfig(config);
}

std::vector<std::pair<std::string, std::string>> FlagValues(
    const std::vector<std::string>& sources) {
  std::vector<std::pair<std::string, std::string>> values;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (Matches(flag->Filename(), sources)) {
      values.emplace_back(std::string(name), flag->CurrentValue());
    }
  }
  std::sort(values.begin(), values.end());
  return values;
}

}  // namespace agreements
