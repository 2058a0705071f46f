#include "clients/bench/stack_baseline/group_writer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "rocksdb/iterator.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

namespace agreements::bench {
namespace {

// The one place a RocksDB status becomes an absl::Status here.
absl::Status FromRocks(const rocksdb::Status& status, absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  const std::string message = absl::StrCat(what, ": ", status.ToString());
  if (status.IsCorruption()) return absl::DataLossError(message);
  if (status.IsNotFound()) return absl::NotFoundError(message);
  if (status.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  return absl::InternalError(message);
}

uint64_t DecodePosition(const rocksdb::Slice& key) {
  uint64_t position = 0;
  for (size_t i = 0; i < key.size() && i < 8; ++i) {
    position = (position << 8) | static_cast<uint8_t>(key[i]);
  }
  return position;
}

// The registry's tuning of its log family (store/store.cc), so that the comparison
// is of the work done, not of the settings: two background jobs, background writes
// synced in 1 MiB steps, LZ4, 16 KiB blocks.
rocksdb::Options BaselineOptions(const GroupWriterOptions& options) {
  rocksdb::Options db;
  db.create_if_missing = options.create_if_missing;
  db.IncreaseParallelism(2);
  db.max_background_jobs = 2;
  db.bytes_per_sync = 1 << 20;
  db.write_buffer_size = options.write_buffer_bytes;
  db.max_write_buffer_number = 2;
  db.compression = rocksdb::kLZ4Compression;
  db.level_compaction_dynamic_level_bytes = true;
  rocksdb::BlockBasedTableOptions table;
  table.block_size = 16 << 10;
  table.format_version = 5;
  db.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return db;
}

}  // namespace

std::string PositionKey(uint64_t position) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i) {
    key[i] = static_cast<char>(position & 0xff);
    position >>= 8;
  }
  return key;
}

absl::StatusOr<std::unique_ptr<GroupWriter>> GroupWriter::Open(
    const std::string& path, const GroupWriterOptions& options) {
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status s = rocksdb::DB::Open(BaselineOptions(options), path, &raw);
  std::unique_ptr<rocksdb::DB> db(raw);
  if (!s.ok()) return FromRocks(s, absl::StrCat("opening ", path));
  uint64_t last = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    it->SeekToLast();
    if (it->Valid()) last = DecodePosition(it->key());
    if (absl::Status status = FromRocks(it->status(), "reading the last position");
        !status.ok()) {
      return status;
    }
  }
  return std::unique_ptr<GroupWriter>(new GroupWriter(std::move(db), options, last));
}

GroupWriter::GroupWriter(std::unique_ptr<rocksdb::DB> db,
                         const GroupWriterOptions& options, uint64_t last_position)
    : options_(options), db_(std::move(db)), last_position_(last_position) {
  thread_ = std::thread([this] { Run(); });
}

GroupWriter::~GroupWriter() { Stop(); }

void GroupWriter::Append(std::string payload, Done done) {
  absl::Status refused;
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_ && failed_.ok()) {
      queue_.push_back({std::move(payload), std::move(done)});
      return;
    }
    refused = stopping_ ? absl::UnavailableError("the writer is stopping") : failed_;
  }
  done(refused);
}

void GroupWriter::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

GroupWriterStats GroupWriter::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

void GroupWriter::Run() {
  std::vector<Pending> group;
  for (;;) {
    absl::Status failed;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](GroupWriter* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->mu_) {
            return !w->queue_.empty() || w->stopping_;
          },
          this));
      if (queue_.empty()) return;  // Stopping, and everything queued was written.
      group.swap(queue_);
      failed = failed_;
    }
    if (failed.ok()) {
      failed = WriteGroup(group, last_position_ + 1);
      absl::MutexLock lock(&mu_);
      if (!failed.ok()) failed_ = failed;
      ++stats_.groups;
      stats_.appends += group.size();
      stats_.largest_group = std::max<uint64_t>(stats_.largest_group, group.size());
    }
    for (size_t k = 0; k < group.size(); ++k) {
      if (failed.ok()) {
        group[k].done(last_position_ + 1 + k);
      } else {
        group[k].done(failed);
      }
    }
    if (failed.ok()) last_position_ += group.size();
    group.clear();
  }
}

absl::Status GroupWriter::WriteGroup(const std::vector<Pending>& group, uint64_t first) {
  rocksdb::WriteBatch batch;
  for (size_t k = 0; k < group.size(); ++k) {
    const rocksdb::Status s = batch.Put(PositionKey(first + k), group[k].payload);
    if (!s.ok()) return FromRocks(s, "building the batch");
  }
  rocksdb::WriteOptions write;
  write.sync = options_.sync;
  return FromRocks(db_->Write(write, &batch), "writing a group");
}

}  // namespace agreements::bench
