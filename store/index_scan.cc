#include "store/index_scan.h"

#include <utility>

namespace agreements::store {

bool IndexScan::Cursor::Valid() const {
  return it->Valid() && it->key().starts_with(prefix);
}

absl::string_view IndexScan::Cursor::id() const {
  return ToView(it->key()).substr(prefix.size());
}

IndexScan::IndexScan(const Store* store, const rocksdb::Snapshot* snapshot,
                     rocksdb::ColumnFamilyHandle* family,
                     std::vector<std::string> prefixes, const std::string& after) {
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  for (std::string& prefix : prefixes) {
    Cursor cursor{std::move(prefix), std::unique_ptr<rocksdb::Iterator>(
                                         store->db()->NewIterator(read, family))};
    const std::string start = cursor.prefix + after;
    cursor.it->Seek(start);
    if (!after.empty() && cursor.it->Valid() && ToView(cursor.it->key()) == start) {
      cursor.it->Next();
    }
    cursors_.push_back(std::move(cursor));
  }
  Settle();
}

absl::string_view IndexScan::value() const {
  return ToView(cursors_[current_].it->value());
}

void IndexScan::Next() {
  if (!valid_) return;
  for (Cursor& cursor : cursors_) {
    if (cursor.Valid() && cursor.id() == id_) cursor.it->Next();
  }
  Settle();
}

void IndexScan::Settle() {
  valid_ = false;
  for (size_t i = 0; i < cursors_.size(); ++i) {
    const Cursor& cursor = cursors_[i];
    if (!cursor.it->status().ok()) {
      status_ = FromRocksStatus(cursor.it->status(), "scanning an index");
      valid_ = false;
      return;
    }
    if (!cursor.Valid()) continue;
    if (!valid_ || cursor.id() < id_) {
      id_ = std::string(cursor.id());
      current_ = i;
      valid_ = true;
    }
  }
}

}  // namespace agreements::store
