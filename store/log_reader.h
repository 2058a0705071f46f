// LogReader: reads the event log by global position or by stream, returning the exact
// stored bytes. Each call reads from one RocksDB snapshot, so a page never shows position
// N+1 without N.
//
// Thread-safe (const methods over a thread-safe Store); does not own the Store.
#ifndef AGREEMENTS_STORE_LOG_READER_H_
#define AGREEMENTS_STORE_LOG_READER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agreements/v1/events.pb.h"
#include "store/store.h"

namespace agreements::store {

struct StoredEvent {
  uint64_t position = 0;
  // The exact bytes in the log (a serialized agreements.v1.Event).
  std::string bytes;
};

struct EventPage {
  std::vector<StoredEvent> events;
  // The head of the log when the page was read.
  uint64_t head = 0;
};

class LogReader {
 public:
  explicit LogReader(const Store* store) : store_(store) {}

  // Events with position >= from, ascending, at most `limit`.
  absl::StatusOr<EventPage> ReadForward(uint64_t from, size_t limit) const;
  // Events with position <= from (0: from the head), descending, at most `limit`.
  absl::StatusOr<EventPage> ReadBackward(uint64_t from, size_t limit) const;
  // Events of one stream with revision >= from_revision, ascending, at most `limit`.
  absl::StatusOr<EventPage> ReadStream(agreements::v1::StreamType type,
                                       const std::string& id, uint64_t from_revision,
                                       size_t limit) const;

 private:
  const Store* store_;
};

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_LOG_READER_H_
