#include "clients/cli_watch_state.h"

#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "clients/cli_errors.h"
#include "clients/cli_values.h"
#include "common/status_macros.h"

namespace agreements::cli {
namespace {

// The position a feed message covers; 0 when none.
uint64_t CoveredPosition(const agreements::v1::SubscribeResponse& message) {
  if (message.has_event()) return message.event().envelope().position();
  if (message.has_checkpoint()) return message.checkpoint().position();
  if (message.has_caught_up()) return message.caught_up().position();
  if (message.has_fell_behind()) return message.fell_behind().position();
  return 0;
}

}  // namespace

absl::StatusOr<std::optional<uint64_t>> WatchState::Load() {
  std::error_code error;
  if (!std::filesystem::exists(path_, error)) return std::optional<uint64_t>();
  ASSIGN_OR_RETURN(const std::string content, ReadFile(path_));
  uint64_t position = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(content), &position)) {
    return LocalError(absl::InvalidArgumentError(absl::StrCat(
        "--state ", path_, ": does not hold a position (remove it to start over)")));
  }
  stored_ = position;
  return std::optional<uint64_t>(position);
}

absl::Status WatchState::Observe(const agreements::v1::SubscribeResponse& message) {
  const uint64_t position = CoveredPosition(message);
  if (position <= stored_) return absl::OkStatus();
  RETURN_IF_ERROR(WriteFileAtomically(path_, absl::StrCat(position, "\n")));
  stored_ = position;
  return absl::OkStatus();
}

}  // namespace agreements::cli
