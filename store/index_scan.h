// IndexScan: walks the ids under one or more prefixes of an index column family in id
// order, as one sorted stream without duplicates. A list reads the prefixes of the
// visibility partitions its caller may see (store/keys.h), so the entries it examines,
// and so its cost and its page boundaries, depend only on what the caller may see.
//
// Not thread-safe (one per request). Does not own the store or the snapshot.
#ifndef AGREEMENTS_STORE_INDEX_SCAN_H_
#define AGREEMENTS_STORE_INDEX_SCAN_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "rocksdb/db.h"
#include "store/store.h"

namespace agreements::store {

class IndexScan {
 public:
  // Positions the scan at the first id after `after` ("" for the first id). Each key
  // under a prefix is the prefix followed by the id.
  IndexScan(const Store* store, const rocksdb::Snapshot* snapshot,
            rocksdb::ColumnFamilyHandle* family, std::vector<std::string> prefixes,
            const std::string& after);

  bool Valid() const { return valid_; }
  // The current id; the value of its entry under the first prefix that holds it.
  const std::string& id() const { return id_; }
  absl::string_view value() const;
  void Next();
  // The first RocksDB error met, if any (Valid is then false).
  absl::Status status() const { return status_; }

 private:
  struct Cursor {
    std::string prefix;
    std::unique_ptr<rocksdb::Iterator> it;
    bool Valid() const;
    absl::string_view id() const;
  };
  // Chooses the smallest id among the cursors.
  void Settle();

  std::vector<Cursor> cursors_;
  bool valid_ = false;
  std::string id_;
  size_t current_ = 0;
  absl::Status status_;
};

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_INDEX_SCAN_H_
