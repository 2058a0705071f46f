// GroupWriter: the durability path of the stack baseline (agreements-stack-baseline). One
// writer thread takes everything queued since its last write, writes it as one RocksDB
// WriteBatch with sync = true (one key per payload: its position, 8 bytes big-endian),
// and then tells each appender the position its payload got. Nothing is validated,
// derived or indexed: it is what any durable append costs on this RocksDB and disk.
//
// Owns the database and the writer thread. Thread-safe: Append may be called from any
// thread. The callbacks run on the writer thread, one group at a time (or at once on the
// calling thread when Append is refused); they must not block or call Append.
#ifndef AGREEMENTS_CLIENTS_BENCH_STACK_BASELINE_GROUP_WRITER_H_
#define AGREEMENTS_CLIENTS_BENCH_STACK_BASELINE_GROUP_WRITER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/db.h"

namespace agreements::bench {

struct GroupWriterOptions {
  // Sync every group's write (fdatasync of the WAL) before answering.
  // Default: true.
  bool sync = true;
  // Create the database when it is missing.
  // Default: true.
  bool create_if_missing = true;
  // Memtable size; the registry gives its log family the same.
  // Default: 16 MiB.
  size_t write_buffer_bytes = 16 << 20;
};

// Counts of what was written, for the log at exit.
struct GroupWriterStats {
  uint64_t groups = 0;
  uint64_t appends = 0;
  uint64_t largest_group = 0;
};

class GroupWriter {
 public:
  // The position the payload was stored at, or why it was not.
  using Done = std::function<void(absl::StatusOr<uint64_t> position)>;

  // Opens (or creates) the database at `path` and starts the writer thread. Positions
  // continue after the last key stored.
  static absl::StatusOr<std::unique_ptr<GroupWriter>> Open(
      const std::string& path, const GroupWriterOptions& options = GroupWriterOptions());
  GroupWriter(const GroupWriter&) = delete;
  GroupWriter& operator=(const GroupWriter&) = delete;
  // Stops.
  ~GroupWriter();

  // Queues `payload`; `done` is called once, after the group holding it was written
  // (with its position), or with the error that ended the writer: after a failed write
  // nothing more is written (its outcome is unknown, so positions are not reused), and
  // after Stop every Append fails UNAVAILABLE.
  void Append(std::string payload, Done done);

  // Writes what is queued, then stops the writer thread. Idempotent.
  void Stop();

  GroupWriterStats stats() const;

 private:
  struct Pending {
    std::string payload;
    Done done;
  };

  GroupWriter(std::unique_ptr<rocksdb::DB> db, const GroupWriterOptions& options,
              uint64_t last_position);
  void Run();
  // Writes one group; the error when the write failed.
  absl::Status WriteGroup(const std::vector<Pending>& group, uint64_t first);

  const GroupWriterOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::thread thread_;

  mutable absl::Mutex mu_;
  std::vector<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Set by the first failed write, or UNAVAILABLE at Stop.
  absl::Status failed_ ABSL_GUARDED_BY(mu_);
  GroupWriterStats stats_ ABSL_GUARDED_BY(mu_);
  // Only the writer thread touches it after Open.
  uint64_t last_position_ = 0;
};

// The key of `position`: 8 bytes big-endian, so byte order is position order.
std::string PositionKey(uint64_t position);

}  // namespace agreements::bench

#endif  // AGREEMENTS_CLIENTS_BENCH_STACK_BASELINE_GROUP_WRITER_H_
