// Store: owns the RocksDB instance and its column families (docs/storage.md).
//
// A Store is safe for concurrent access from multiple threads: RocksDB handles are
// thread-safe, and the Store itself is immutable after Open. Only the Committer writes
// (one thread); readers use snapshots so that a read touching several keys sees one
// position.
#ifndef AGREEMENTS_STORE_STORE_H_
#define AGREEMENTS_STORE_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message_lite.h"
#include "rocksdb/db.h"
#include "store/keys.h"

namespace agreements::store {

struct StoreOptions {
  // Create the data directory and the column families when missing.
  // Default: true.
  bool create_if_missing = true;
  // Size of the block cache shared by every column family (data, index and filter
  // blocks), in bytes.
  // Default: 128 MiB.
  size_t block_cache_bytes = 128 << 20;
  // Memory of all memtables together, in bytes (RocksDB flushes the largest when it is
  // reached); the log and the big views may use a quarter each, small families 1/16.
  // Default: 64 MiB.
  size_t write_buffer_bytes = 64 << 20;
  // Open without write access (for tools that only read, like a rebuild check while
  // nothing else runs).
  // Default: false.
  bool read_only = false;
};

// Converts a RocksDB status to an absl::Status (the only place this is done).
absl::Status FromRocksStatus(const rocksdb::Status& status, absl::string_view context);

// A view of a RocksDB slice as an absl::string_view (which is not std::string_view in
// Debian's abseil).
inline absl::string_view ToView(const rocksdb::Slice& slice) {
  return absl::string_view(slice.data(), slice.size());
}

// Serializes with deterministic map ordering: views are compared byte for byte.
std::string SerializeDeterministic(const google::protobuf::MessageLite& message);

class Store {
 public:
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& path,
                                                     const StoreOptions& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  rocksdb::DB* db() const { return db_.get(); }
  // The handle of a family (store/keys.h names them).
  rocksdb::ColumnFamilyHandle* handle(Family family) const {
    return handles_[static_cast<size_t>(family)];
  }
  rocksdb::ColumnFamilyHandle* meta() const { return handle(Family::kDefault); }
  rocksdb::ColumnFamilyHandle* log() const { return handle(Family::kLog); }
  rocksdb::ColumnFamilyHandle* streams() const { return handle(Family::kStreams); }
  rocksdb::ColumnFamilyHandle* requests() const { return handle(Family::kRequests); }
  rocksdb::ColumnFamilyHandle* agreements() const { return handle(Family::kAgreements); }
  rocksdb::ColumnFamilyHandle* parties() const { return handle(Family::kParties); }
  rocksdb::ColumnFamilyHandle* agreement_index() const {
    return handle(Family::kAgreementIndex);
  }
  rocksdb::ColumnFamilyHandle* party_index() const { return handle(Family::kPartyIndex); }
  rocksdb::ColumnFamilyHandle* sector_counters() const {
    return handle(Family::kSectorCounters);
  }
  rocksdb::ColumnFamilyHandle* event_tags() const { return handle(Family::kEventTags); }
  rocksdb::ColumnFamilyHandle* merkle() const { return handle(Family::kMerkle); }
  rocksdb::ColumnFamilyHandle* checkpoints() const {
    return handle(Family::kCheckpoints);
  }
  rocksdb::ColumnFamilyHandle* stream_map() const { return handle(Family::kStreamMap); }
  // The last committed global position (0 for an empty log), as of `snapshot` (nullptr:
  // latest).
  absl::StatusOr<uint64_t> ReadHead(const rocksdb::Snapshot* snapshot = nullptr) const;
  // The last position the views reflect (written by the projection with each batch; at
  // most the head), as of `snapshot`.
  absl::StatusOr<uint64_t> ReadApplied(const rocksdb::Snapshot* snapshot = nullptr) const;

  // Reads one key; NOT_FOUND when absent.
  absl::StatusOr<std::string> Get(rocksdb::ColumnFamilyHandle* cf, absl::string_view key,
                                  const rocksdb::Snapshot* snapshot = nullptr) const;

 private:
  Store() = default;

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

// A RocksDB snapshot released on destruction. Not thread-safe; cheap.
class ScopedSnapshot {
 public:
  explicit ScopedSnapshot(rocksdb::DB* db) : db_(db), snapshot_(db->GetSnapshot()) {}
  ~ScopedSnapshot() { db_->ReleaseSnapshot(snapshot_); }
  ScopedSnapshot(const ScopedSnapshot&) = delete;
  ScopedSnapshot& operator=(const ScopedSnapshot&) = delete;
  const rocksdb::Snapshot* get() const { return snapshot_; }

 private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
};

// A RocksDB snapshot shared by several readers, released with the last copy (which must
// go before the store closes).
inline std::shared_ptr<const rocksdb::Snapshot> SharedSnapshot(rocksdb::DB* db) {
  return std::shared_ptr<const rocksdb::Snapshot>(
      db->GetSnapshot(), [db](const rocksdb::Snapshot* s) { db->ReleaseSnapshot(s); });
}

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_STORE_H_
