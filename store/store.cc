#include "store/store.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "store/keys.h"
#include "store/rebuild.h"

namespace agreements::store {

absl::Status FromRocksStatus(const rocksdb::Status& status, absl::string_view context) {
  if (status.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(context, ": ", status.ToString());
  if (status.IsNotFound()) return absl::NotFoundError(message);
  if (status.IsCorruption()) return absl::DataLossError(message);
  if (status.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  if (status.IsBusy() || status.IsTimedOut() || status.IsTryAgain() ||
      status.IsShutdownInProgress()) {
    return absl::UnavailableError(message);
  }
  if (status.IsNoSpace()) return absl::ResourceExhaustedError(message);
  return absl::InternalError(message);
}

std::string SerializeDeterministic(const google::protobuf::MessageLite& message) {
  // Sized once: growing the string while serializing reallocated it several times per
  // event on the commit path.
  std::string out(message.ByteSizeLong(), '\0');
  {
    google::protobuf::io::ArrayOutputStream stream(out.data(),
                                                   static_cast<int>(out.size()));
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeWithCachedSizes(&coded);
  }
  return out;
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path,
                                                   const StoreOptions& options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = options.create_if_missing;
  // Two background jobs (flush + compaction) on a 2-core machine; writes are synced by
  // the committer, and background file writes are synced in 1 MiB steps so that a
  // flush does not stall the WAL fsync with a large burst.
  db_options.IncreaseParallelism(2);
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  db_options.max_open_files = 512;
  // Every memtable of every family together: the store's write memory is bounded.
  db_options.db_write_buffer_size = options.write_buffer_bytes;
  // Shared by every family: data, index and filter blocks (so their memory is bounded
  // by the cache too).
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(options.block_cache_bytes);

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  // In Family order, so that handles_[family] is that family's handle.
  for (int i = 0; i < kFamilyCount; ++i) {
    const std::string family = FamilyName(static_cast<Family>(i));
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = cache;
    table.cache_index_and_filter_blocks = true;
    table.pin_l0_filter_and_index_blocks_in_cache = true;
    table.cache_index_and_filter_blocks_with_high_priority = true;
    // A Bloom filter where the commit path looks up keys that are often absent (a new
    // request id, a new agreement or party, a new stream's map index). The log, the
    // trees and the tags are read only at keys that exist, and the indexes and counters
    // by prefix scans: a filter there would only cost memory.
    const bool lookups_miss = family == kCfRequests || family == kCfAgreements ||
                              family == kCfParties || family == kCfStreams ||
                              family == kCfStreamMap;
    if (lookups_miss) {
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
    }
    // The log is mostly read in order (feeds, rebuild): larger blocks, a smaller index.
    if (family == kCfLog) table.block_size = 16 << 10;
    table.format_version = 5;
    rocksdb::ColumnFamilyOptions cf_options(db_options);
    cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    cf_options.level_compaction_dynamic_level_bytes = true;
    // The log and the big views get most of the write memory; small families flush
    // often and cheaply.
    const bool big = family == kCfLog || family == kCfAgreements ||
                     family == kCfRequests || family == kCfStreams ||
                     family == kCfEventTags;
    cf_options.write_buffer_size =
        big ? options.write_buffer_bytes / 4 : options.write_buffer_bytes / 16;
    cf_options.max_write_buffer_number = 2;
    // Most commit-path lookups miss (a new request id, a new agreement, a new stream):
    // a Bloom filter over each memtable answers them without a skiplist descent.
    if (lookups_miss) {
      cf_options.memtable_whole_key_filtering = true;
      cf_options.memtable_prefix_bloom_size_ratio = 0.02;
    }
    // Hashes do not compress; everything else is protobuf text and ids.
    const bool hashes = family == kCfMerkle || family == kCfStreamMap;
    cf_options.compression = hashes ? rocksdb::kNoCompression : rocksdb::kLZ4Compression;
    descriptors.emplace_back(family, cf_options);
  }

  std::unique_ptr<Store> store(new Store());
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, path, descriptors, &store->handles_,
                                         &raw)
          : rocksdb::DB::Open(db_options, path, descriptors, &store->handles_, &raw);
  store->db_.reset(raw);
  if (!s.ok()) return FromRocksStatus(s, absl::StrCat("opening ", path));

  auto version = store->Get(store->meta(), kMetaSchemaVersion);
  if (version.ok() &&
      (*version == "1" || *version == "2" || *version == "3" || *version == "4" ||
       *version == "5" || *version == "6") &&
      !options.read_only) {
    // Up to version 6 the views were written with the events: they reflect the head.
    ASSIGN_OR_RETURN(const uint64_t head, store->ReadHead());
    rocksdb::WriteBatch batch;
    batch.Put(store->meta(), kMetaApplied, EncodeU64(head));
    s = store->db_->Write(rocksdb::WriteOptions(), &batch);
    if (!s.ok()) return FromRocksStatus(s, "writing the applied position");
    batch.Clear();
    if (*version != "6") {
      // Versions 2 to 6 added or reshaped derived families (event_tags, merkle,
      // stream_map, sector_counters, agreement_index): derive them from the log like
      // every view.
      auto migrated = RebuildViews(store.get(), /*repair=*/true);
      if (!migrated.ok()) return migrated.status();
    }
    batch.Put(store->meta(), kMetaSchemaVersion, kSchemaVersion);
    if (*version != "4" && *version != "5" && *version != "6") {
      // Checkpoints signed before this committed to the map in key order.
      batch.Put(store->meta(), kMetaStreamMapSince, EncodeU64(head + 1));
    }
    rocksdb::WriteOptions write;
    write.sync = true;
    s = store->db_->Write(write, &batch);
    if (!s.ok()) return FromRocksStatus(s, "writing schema version");
    version = std::string(kSchemaVersion);
  }
  if (version.ok()) {
    if (*version != kSchemaVersion) {
      return absl::FailedPreconditionError(
          absl::StrCat("data directory ", path, " has schema version ", *version,
                       "; this build reads version ", kSchemaVersion));
    }
  } else if (absl::IsNotFound(version.status()) && !options.read_only) {
    rocksdb::WriteOptions write;
    write.sync = true;
    s = store->db_->Put(write, store->meta(), kMetaSchemaVersion, kSchemaVersion);
    if (!s.ok()) return FromRocksStatus(s, "writing schema version");
  } else if (!version.ok() && !absl::IsNotFound(version.status())) {
    return version.status();
  }
  return store;
}

Store::~Store() {
  if (db_ == nullptr) return;
  for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  handles_.clear();
  db_->Close();
}

namespace {

absl::StatusOr<uint64_t> ReadPosition(const Store& store, const char* key,
                                      const rocksdb::Snapshot* snapshot) {
  auto value = store.Get(store.meta(), key, snapshot);
  if (absl::IsNotFound(value.status())) return 0;
  if (!value.ok()) return value.status();
  uint64_t position = 0;
  if (!DecodeU64(*value, position)) {
    return absl::DataLossError(absl::StrCat(key, " is not 8 bytes"));
  }
  return position;
}

}  // namespace

absl::StatusOr<uint64_t> Store::ReadHead(const rocksdb::Snapshot* snapshot) const {
  return ReadPosition(*this, kMetaHead, snapshot);
}

absl::StatusOr<uint64_t> Store::ReadApplied(const rocksdb::Snapshot* snapshot) const {
  return ReadPosition(*this, kMetaApplied, snapshot);
}

absl::StatusOr<std::string> Store::Get(rocksdb::ColumnFamilyHandle* cf,
                                       absl::string_view key,
                                       const rocksdb::Snapshot* snapshot) const {
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  std::string value;
  rocksdb::Status s = db_->Get(read, cf, rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return absl::NotFoundError("not found");
  if (!s.ok()) return FromRocksStatus(s, "reading");
  return value;
}

}  // namespace agreements::store
