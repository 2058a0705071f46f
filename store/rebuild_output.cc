#include "store/rebuild_output.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace agreements::store {
namespace {

std::string Printable(const std::string& key) {
  for (unsigned char c : key) {
    if (c < 0x20 || c > 0x7e) return absl::StrCat("0x", absl::BytesToHexString(key));
  }
  return key;
}

rocksdb::Slice ToSlice(absl::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

}  // namespace

void RepairWriter::Put(rocksdb::ColumnFamilyHandle* cf, const rocksdb::Slice& key,
                       const rocksdb::Slice& value) {
  batch_.Put(cf, key, value);
  Wrote();
}

void RepairWriter::Delete(rocksdb::ColumnFamilyHandle* cf, const rocksdb::Slice& key) {
  batch_.Delete(cf, key);
  Wrote();
}

absl::Status RepairWriter::Finish(bool& wrote) {
  if (batch_.Count() > 0) Write(/*sync=*/true);
  wrote = count_ > 0;
  return status_;
}

void RepairWriter::Wrote() {
  ++count_;
  if (batch_.GetDataSize() >= kRepairBatchBytes) Write(/*sync=*/false);
}

void RepairWriter::Write(bool sync) {
  if (!status_.ok()) return;
  rocksdb::WriteOptions write;
  write.sync = sync;
  status_ =
      FromRocksStatus(store_->db()->Write(write, &batch_), "writing repaired views");
  batch_.Clear();
}

FamilyComparer::FamilyComparer(Store* store, const rocksdb::Snapshot* snapshot,
                               rocksdb::ColumnFamilyHandle* cf, bool repair,
                               RepairWriter& fixes, RebuildReport& report)
    : cf_(cf),
      name_(cf->GetName()),
      // A stored Merkle node that differs means the log or the tree was changed: a
      // repair must not make the tree agree with a tampered log (agreements-admin
      // verify checks against the signed checkpoints).
      tree_(cf == store->merkle()),
      repair_(repair),
      fixes_(fixes),
      report_(report) {
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  read.readahead_size = 2 << 20;
  read.fill_cache = false;
  it_.reset(store->db()->NewIterator(read, cf));
  it_->SeekToFirst();
}

void FamilyComparer::Add(absl::string_view key, absl::string_view value) {
  while (it_->Valid() && it_->key().compare(ToSlice(key)) < 0) {
    ++report_.keys_compared;
    Note(it_->key().ToString(), "stored but not produced by the log");
    if (repair_) fixes_.Delete(cf_, it_->key());
    it_->Next();
  }
  ++report_.keys_compared;
  if (!it_->Valid() || it_->key() != ToSlice(key)) {
    Note(std::string(key), "missing from the stored views");
    if (repair_) fixes_.Put(cf_, ToSlice(key), ToSlice(value));
    return;
  }
  if (it_->value() != ToSlice(value)) {
    Note(std::string(key), tree_ ? "stored Merkle node differs from the log (run verify; "
                                   "not repaired)"
                                 : "stored value differs from the rebuild");
    if (repair_ && !tree_) fixes_.Put(cf_, ToSlice(key), ToSlice(value));
  }
  it_->Next();
}

absl::Status FamilyComparer::Finish() {
  for (; it_->Valid(); it_->Next()) {
    ++report_.keys_compared;
    Note(it_->key().ToString(), "stored but not produced by the log");
    if (repair_) fixes_.Delete(cf_, it_->key());
  }
  return FromRocksStatus(it_->status(), "scanning stored views");
}

void FamilyComparer::Note(const std::string& key, const char* what) {
  ++report_.difference_count;
  if (report_.differences.size() < kMaxListedDifferences) {
    report_.differences.push_back(absl::StrCat(name_, "/", Printable(key), ": ", what));
  }
}

void CollectingSink::Put(Family family, absl::string_view key, absl::string_view value) {
  Add(family, key, value, false);
}

void CollectingSink::Delete(Family family, absl::string_view key) {
  Add(family, key, "", true);
}

void CollectingSink::Reserve(Family family, size_t entries) {
  families_[static_cast<int>(family)].entries.reserve(entries);
}

char* CollectingSink::Collected::Room(size_t size) {
  if (used + size > kChunkBytes || chunks.empty()) {
    chunks.push_back(std::unique_ptr<char[]>(new char[std::max(kChunkBytes, size)]));
    used = 0;
  }
  char* at = chunks.back().get() + used;
  used += size;
  return at;
}

void CollectingSink::Add(Family family, absl::string_view key, absl::string_view value,
                         bool deleted) {
  Collected& collected = families_[static_cast<int>(family)];
  if (collected.in_order && (deleted || (!collected.entries.empty() &&
                                         collected.entries.back().key() >= key))) {
    collected.in_order = false;
  }
  char* at = collected.Room(key.size() + value.size());
  std::memcpy(at, key.data(), key.size());
  std::memcpy(at + key.size(), value.data(), value.size());
  collected.entries.push_back({at, static_cast<uint32_t>(key.size()),
                               static_cast<uint32_t>(value.size()), deleted});
}

void CollectingSink::Drain(
    Family family,
    const std::function<void(absl::string_view, absl::string_view)>& visit) {
  Collected& collected = families_[static_cast<int>(family)];
  const std::vector<Entry>& entries = collected.entries;
  if (collected.in_order) {
    for (const Entry& entry : entries) visit(entry.key(), entry.value());
  } else {
    // Sort positions, not entries. Equal keys stay in write order, so the last of a run
    // is the last write.
    std::vector<uint32_t> order(entries.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&entries](uint32_t a, uint32_t b) {
      const int c = entries[a].key().compare(entries[b].key());
      return c != 0 ? c < 0 : a < b;
    });
    for (size_t i = 0; i < order.size(); ++i) {
      const Entry& entry = entries[order[i]];
      if (i + 1 < order.size() && entries[order[i + 1]].key() == entry.key()) continue;
      if (!entry.deleted) visit(entry.key(), entry.value());
    }
  }
  std::vector<Entry>().swap(collected.entries);
  collected.chunks.clear();
  collected.used = kChunkBytes;
  collected.in_order = true;
}

}  // namespace agreements::store
