// CommitLog: where the committer makes a group durable, the log of record.
//
// The committer appends ONE record per group, on condition that the log's last record
// is the one it decided on (fencing), and writes the group's keys into this node's store
// (`local`: the events, the record-stage appliers' keys, the request results, the head).
//
// - EmbeddedLog (the default): the log of record is this node's RocksDB; the append is
//   the local batch, written with sync. There is no separate record and nothing to
//   fence: one process owns the store.
// - A replicated log (RecordLog, e.g. cluster/postgres_log.h): the record goes to an
//   external replicated engine first, fenced by its index; once that commit returned,
//   the local batch is written without sync (the record is durable elsewhere, and a node
//   that loses the batch in a crash reads the record again). Every node reads the
//   records in index order and applies them to its own store (Committer::ApplyRecords).
//
// Thread-safety: Append is called by the committer's thread only; Read by one other
// thread (the cluster node's). Implementations say what else they allow.
#ifndef AGREEMENTS_STORE_COMMIT_LOG_H_
#define AGREEMENTS_STORE_COMMIT_LOG_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agreements/storage/v1/storage.pb.h"
#include "rocksdb/write_batch.h"

namespace agreements::store {

class Store;

// How an append ended.
struct AppendResult {
  enum class Kind {
    // The record is durable in the log of record and the local batch is written.
    kDurable,
    // Fenced out: another record holds the index, or another writer's term began.
    // Nothing of the group is in the log; the node is no longer the writer.
    kFenced,
    // The log could not be reached and reading it did not settle whether the record is
    // there: the outcome is unknown (a retry with the same request id settles it).
    kUnknown,
    // The record is durable but the local write failed: the store needs a restart.
    kLocalWriteFailed,
    // Nothing was written (the log could not be reached before anything was sent, or
    // refused the statement): the node stays the writer and the callers may retry.
    kNotWritten,
  };
  Kind kind = Kind::kDurable;
  absl::Status status;  // why, unless kDurable

  static AppendResult Durable() { return {}; }
  static AppendResult Failed(Kind kind, absl::Status status) {
    return {kind, std::move(status)};
  }
};

class CommitLog {
 public:
  virtual ~CommitLog() = default;
  // True when records go to a replicated engine (then `record` is always given).
  virtual bool replicated() const = 0;
  // Appends `record` (null for the embedded log) at record->index(), fenced, and then
  // writes `local` into the node's store.
  virtual AppendResult Append(const agreements::storage::v1::LogRecord* record,
                              rocksdb::WriteBatch& local) = 0;
};

// A log of record with records others can read: the replicated logs.
class RecordLog : public CommitLog {
 public:
  bool replicated() const override { return true; }
  // Up to `max_records` records with an index above `after_index`, in index order,
  // waiting up to `wait` for one to arrive when there is none yet (empty: none came).
  virtual absl::StatusOr<std::vector<agreements::storage::v1::LogRecord>> Read(
      uint64_t after_index, size_t max_records, absl::Duration wait) = 0;
};

// The embedded log: the local batch written with sync (or without, for tests that
// measure nothing durable).
class EmbeddedLog : public CommitLog {
 public:
  EmbeddedLog(Store* store, bool sync) : store_(store), sync_(sync) {}
  bool replicated() const override { return false; }
  AppendResult Append(const agreements::storage::v1::LogRecord* record,
                      rocksdb::WriteBatch& local) override;

 private:
  Store* const store_;
  const bool sync_;
};

// Writes `local` into the store without sync: what a replicated log does once its record
// is durable, and what a node does with a record it read (Committer::ApplyRecords).
absl::Status WriteLocal(Store* store, rocksdb::WriteBatch& local);

// The value of meta/record: the index and term of the last record a store holds.
std::string EncodeRecordMark(uint64_t index, uint64_t term);
bool DecodeRecordMark(absl::string_view in, uint64_t& index, uint64_t& term);

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_COMMIT_LOG_H_
