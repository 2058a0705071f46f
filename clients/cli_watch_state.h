// The state file of `watch --state FILE`: the last position the watch covered (an
// event's, or a checkpoint's or caught-up marker's), replaced atomically after every
// message printed, so that a watch started again with the same file continues right
// after it. Used by one thread.
#ifndef AGREEMENTS_CLIENTS_CLI_WATCH_STATE_H_
#define AGREEMENTS_CLIENTS_CLI_WATCH_STATE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agreements/v1/feed_service.pb.h"

namespace agreements::cli {

// The file holds one line, the position ("42\n"). Owns its path and the last position
// stored.
class WatchState {
 public:
  explicit WatchState(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }

  // The kept position; nullopt when the file does not exist. A file that does not hold
  // a position is a local error naming it.
  absl::StatusOr<std::optional<uint64_t>> Load();

  // Keeps the position `message` covers, if it names one beyond the kept one
  // (WriteFileAtomically: temporary file, fsync, rename).
  absl::Status Observe(const agreements::v1::SubscribeResponse& message);

 private:
  const std::string path_;
  uint64_t stored_ = 0;
};

}  // namespace agreements::cli

#endif  // AGREEMENTS_CLIENTS_CLI_WATCH_STATE_H_
