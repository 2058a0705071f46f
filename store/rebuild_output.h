// What a rebuild produces and how it is compared with the store: the writes of the
// appliers collected per family (CollectingSink), each family's final contents in key
// order, and a comparison of them with the stored family that notes and optionally
// repairs every difference (FamilyComparer, RepairWriter). Used by store/rebuild.cc.
#ifndef AGREEMENTS_STORE_REBUILD_OUTPUT_H_
#define AGREEMENTS_STORE_REBUILD_OUTPUT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rocksdb/write_batch.h"
#include "store/applier.h"
#include "store/rebuild.h"
#include "store/store.h"

namespace agreements::store {

// The repairs of a rebuild, written in batches of about kRepairBatchBytes so that a
// rebuild that rewrites a whole family (a migration) needs no more memory than that.
// Partial repairs are harmless: the comparison reads one snapshot, and an interrupted
// repair (or migration, whose schema version is written last) is simply run again.
// Not thread-safe: one per thread.
class RepairWriter {
 public:
  static constexpr size_t kRepairBatchBytes = 64 << 20;

  explicit RepairWriter(Store* store) : store_(store) {}

  void Put(rocksdb::ColumnFamilyHandle* cf, const rocksdb::Slice& key,
           const rocksdb::Slice& value);
  void Delete(rocksdb::ColumnFamilyHandle* cf, const rocksdb::Slice& key);
  // Writes what is left (synced, which also makes the earlier batches durable); the
  // first error of any batch. True in `wrote` when anything was repaired.
  absl::Status Finish(bool& wrote);

 private:
  void Wrote();
  void Write(bool sync);

  Store* const store_;
  rocksdb::WriteBatch batch_;
  uint64_t count_ = 0;
  absl::Status status_;
};

// Compares the expected contents of one family, given in strictly increasing key order,
// with the stored family, walking both once (no copy of either in memory). Differences
// are counted in `report` and the first kMaxListedDifferences listed.
class FamilyComparer {
 public:
  FamilyComparer(Store* store, const rocksdb::Snapshot* snapshot,
                 rocksdb::ColumnFamilyHandle* cf, bool repair, RepairWriter& fixes,
                 RebuildReport& report);

  // The next expected key (greater than the one before) and its value.
  void Add(absl::string_view key, absl::string_view value);
  // Every stored key after the last expected one is extra.
  absl::Status Finish();

 private:
  void Note(const std::string& key, const char* what);

  rocksdb::ColumnFamilyHandle* const cf_;
  const std::string name_;
  const bool tree_;
  const bool repair_;
  RepairWriter& fixes_;
  RebuildReport& report_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

// Collects what appliers write, per family. A family's final contents: sorted by key,
// the last write of a key wins, and deleted keys are dropped (a rebuild starts from
// nothing). Families written in key order without deletes (the tags, by position) are
// not sorted at all.
class CollectingSink : public ViewSink {
 public:
  void Put(Family family, absl::string_view key, absl::string_view value) override;
  void Delete(Family family, absl::string_view key) override;
  // Expects about `entries` writes to `family`.
  void Reserve(Family family, size_t entries);

  // Calls `visit` with each final key and value of `family` in key order, then frees
  // the family's entries.
  void Drain(Family family,
             const std::function<void(absl::string_view, absl::string_view)>& visit);

 private:
  // Keys and values live in fixed chunks per family, never moved once written (a
  // growing buffer copied itself at each doubling: a quarter of a rebuild's time went
  // to that copy and its page faults); an entry points at them.
  static constexpr size_t kChunkBytes = 16 << 20;
  struct Entry {
    const char* data;
    uint32_t key_size;
    uint32_t value_size;
    bool deleted;
    absl::string_view key() const { return absl::string_view(data, key_size); }
    absl::string_view value() const {
      return absl::string_view(data + key_size, value_size);
    }
  };
  struct Collected {
    std::vector<std::unique_ptr<char[]>> chunks;
    size_t used = kChunkBytes;  // bytes used in the last chunk (none yet: full)
    std::vector<Entry> entries;
    // Still true while every write was a put of a key above the one before.
    bool in_order = true;
    // Room for `size` bytes, in the last chunk or a new one.
    char* Room(size_t size);
  };
  void Add(Family family, absl::string_view key, absl::string_view value, bool deleted);

  Collected families_[kFamilyCount];
};

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_REBUILD_OUTPUT_H_
