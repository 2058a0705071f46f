// Store: owns the RocksDB instance and its column families (docs/storage.md).
//
// A Store is safe for concurrent access from multiple threads: RocksDB handles are
// thread-safe. Only the Committer writes the log (one thread) and the projection the
// views; readers use snapshots so that a read touching several keys sees one position.
//
// Families derived from the log can be replaced by a rebuilt copy (CreateBeside, then
// Swap): each family is stored in a column family of some generation, "agreements" for
// the first and "agreements@N" after N replacements, named by `meta/family/<name>`
// (docs/storage.md, "Replacing a family").
#ifndef AGREEMENTS_STORE_STORE_H_
#define AGREEMENTS_STORE_STORE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message_lite.h"
#include "rocksdb/db.h"
#include "store/keys.h"

namespace agreements::store {

// What Open does with a data directory written by an older build (its schema version
// is older than kSchemaVersion).
enum class SchemaPolicy {
  // Refuse with FAILED_PRECONDITION saying how to migrate (the server's default).
  kRequireCurrent,
  // Migrate it, logging progress (`agreements-admin migrate`, `--migrate`).
  kMigrate,
  // Open it as it is, without migrating or checking (a backup before a migration).
  kAsIs,
};

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
  // An older schema: refuse, migrate, or leave as it is.
  // Default: kRequireCurrent.
  SchemaPolicy schema = SchemaPolicy::kRequireCurrent;
};

// RocksDB's figures for the server's metrics (Store::Stats).
struct StoreStats {
  uint64_t pending_compaction_bytes = 0;
  uint64_t memtable_bytes = 0;
  uint64_t live_sst_bytes = 0;
  uint64_t block_cache_usage_bytes = 0;
  uint64_t block_cache_capacity_bytes = 0;
  uint64_t delayed_write_rate = 0;  // bytes/s while writes are slowed down, else 0
  bool write_stopped = false;
  // Since the store opened.
  uint64_t stall_micros = 0;
  uint64_t block_cache_hits = 0;
  uint64_t block_cache_misses = 0;
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
  const std::string& path() const { return path_; }
  // The schema version stored in the data directory ("" when none is).
  absl::StatusOr<std::string> SchemaVersion() const;
  // Compaction debt, stalls, memtables and the block cache (summed over the families).
  StoreStats Stats() const;
  // The handle of a family (store/keys.h names them). A handle stays valid, and reads
  // through it see its family's data, until the Store closes, also after a Swap
  // replaced it (only reads: writes must take the handle again).
  rocksdb::ColumnFamilyHandle* handle(Family family) const {
    return handles_[static_cast<size_t>(family)].load(std::memory_order_acquire);
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
  rocksdb::ColumnFamilyHandle* statistics() const { return handle(Family::kStatistics); }
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

  // Creates an empty column family of the next generation of `family`, with the
  // family's options, for a rebuild to fill (e.g. by ingesting files). It is not
  // readable through handle() until Swap; a Store opened again drops it unless a
  // Swap named it.
  absl::StatusOr<rocksdb::ColumnFamilyHandle*> CreateBeside(Family family);
  // The options a family's column families are created with (SST files written for
  // ingestion use them too).
  rocksdb::Options FamilyOptions(Family family) const;
  // Makes each built column family the one its family is read and written through:
  // one synced write names them in `meta/family/<name>` (with `extra`'s writes, e.g.
  // the applied position), then handle() returns them and the replaced column families
  // are dropped (their files go when the Store closes). Nothing else may write the
  // replaced families meanwhile.
  absl::Status Swap(
      const std::vector<std::pair<Family, rocksdb::ColumnFamilyHandle*>>& built,
      rocksdb::WriteBatch* extra = nullptr);
  // Drops a column family made by CreateBeside that will not be swapped in.
  void DropBeside(rocksdb::ColumnFamilyHandle* built);

  // Reads one key; NOT_FOUND when absent.
  absl::StatusOr<std::string> Get(rocksdb::ColumnFamilyHandle* cf, absl::string_view key,
                                  const rocksdb::Snapshot* snapshot = nullptr) const;

 private:
  Store() = default;
  // Opens every column family found in the directory (and creates the missing ones),
  // then takes each family's handle from its generation in `meta/family/<name>`.
  absl::Status OpenFamilies(const std::string& path, const StoreOptions& options);
  absl::Status SelectGenerations(bool read_only);
  absl::Status Migrate(const std::string& path, const StoreOptions& options);

  std::string path_;
  rocksdb::Options db_options_;
  std::shared_ptr<rocksdb::Cache> cache_;
  size_t write_buffer_bytes_ = 0;
  std::unique_ptr<rocksdb::DB> db_;
  std::array<std::atomic<rocksdb::ColumnFamilyHandle*>, kFamilyCount> handles_{};
  // Every handle opened or created, destroyed when the Store closes.
  std::mutex owned_mu_;
  std::vector<rocksdb::ColumnFamilyHandle*> owned_;
  // The highest generation of each family seen, for CreateBeside.
  std::array<uint64_t, kFamilyCount> generation_{};
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
