#include "store/store.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "rocksdb/cache.h"
#include "rocksdb/statistics.h"
#include "rocksdb/write_batch.h"
#include "store/keys.h"
#include "store/rebuild.h"
#include "store/rocksdb_logger.h"

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
  std::unique_ptr<Store> store(new Store());
  store->path_ = path;
  if (options.create_if_missing && !options.read_only) {
    // Made here, so RocksDB does not report a missing directory as an error.
    std::error_code error;
    std::filesystem::create_directories(path, error);
  }
  rocksdb::Options& db_options = store->db_options_;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = options.create_if_missing;
  // Two background jobs (flush + compaction) on a 2-core machine; writes are synced by
  // the committer, and background file writes are synced in 1 MiB steps so that a
  // flush does not stall the WAL fsync with a large burst.
  db_options.IncreaseParallelism(2);
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  db_options.max_open_files = 512;
  // RocksDB's own log goes to ours, not to a LOG file (store/rocksdb_logger.h).
  db_options.info_log = std::make_shared<RocksDbLogger>();
  // Tickers only (stalls, block-cache hits), for the server's metrics: no timers.
  db_options.statistics = rocksdb::CreateDBStatistics();
  db_options.statistics->set_stats_level(rocksdb::StatsLevel::kExceptHistogramOrTimers);
  // Every memtable of every family together: the store's write memory is bounded.
  db_options.db_write_buffer_size = options.write_buffer_bytes;
  store->write_buffer_bytes_ = options.write_buffer_bytes;
  // Shared by every family: data, index and filter blocks (so their memory is bounded
  // by the cache too).
  store->cache_ = rocksdb::NewLRUCache(options.block_cache_bytes);
  RETURN_IF_ERROR(store->OpenFamilies(path, options));
  RETURN_IF_ERROR(store->Migrate(path, options));
  return store;
}

absl::StatusOr<std::string> Store::SchemaVersion() const {
  auto version = Get(meta(), kMetaSchemaVersion);
  if (absl::IsNotFound(version.status())) return std::string();
  return version;
}

namespace {

bool IsOlderSchema(const std::string& version) {
  return version == "1" || version == "2" || version == "3" || version == "4" ||
         version == "5" || version == "6" || version == "7";
}

// Migration progress in the log at most every 2 s.
RebuildProgress LogMigrationProgress() {
  return [last = absl::Now()](uint64_t events, uint64_t head) mutable {
    if (absl::Now() - last < absl::Seconds(2)) return;
    last = absl::Now();
    logging::Info("migration: deriving the views from the log",
                  {{"events", events}, {"of", head}});
  };
}

}  // namespace

absl::Status Store::Migrate(const std::string& path, const StoreOptions& options) {
  if (options.schema == SchemaPolicy::kAsIs) return absl::OkStatus();
  auto version = Get(meta(), kMetaSchemaVersion);
  rocksdb::Status s;
  if (version.ok() && IsOlderSchema(*version) && !options.read_only &&
      options.schema == SchemaPolicy::kRequireCurrent) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data directory ", path, " has schema version ", *version,
        "; this build uses version ", kSchemaVersion,
        ": migrate it with `agreements-admin migrate --data_dir ", path,
        "` (the server stopped; it backs up first), or start the server with --migrate"));
  }
  if (version.ok() && IsOlderSchema(*version) && !options.read_only) {
    logging::Info(
        "migration started",
        {{"data_dir", path}, {"from_version", *version}, {"to_version", kSchemaVersion}});
    // Up to version 6 the views were written with the events: they reflect the head.
    // (From 7 they may lag it; the rebuild below derives them up to the head anyway.)
    ASSIGN_OR_RETURN(const uint64_t head, ReadHead());
    rocksdb::WriteBatch batch;
    batch.Put(meta(), kMetaApplied, EncodeU64(head));
    s = db_->Write(rocksdb::WriteOptions(), &batch);
    if (!s.ok()) return FromRocksStatus(s, "writing the applied position");
    batch.Clear();
    if (*version != "6") {
      // Versions 2 to 6 and 8 added or reshaped derived families (event_tags, merkle,
      // stream_map, sector_counters, agreement_index, statistics): derive them from the
      // log like every view.
      auto migrated = RebuildViews(this, /*repair=*/true, LogMigrationProgress());
      if (!migrated.ok()) return migrated.status();
    }
    batch.Put(meta(), kMetaSchemaVersion, kSchemaVersion);
    if (*version != "4" && *version != "5" && *version != "6" && *version != "7") {
      // Checkpoints signed before this committed to the map in key order.
      batch.Put(meta(), kMetaStreamMapSince, EncodeU64(head + 1));
    }
    rocksdb::WriteOptions write;
    write.sync = true;
    s = db_->Write(write, &batch);
    if (!s.ok()) return FromRocksStatus(s, "writing schema version");
    logging::Info("migration done", {{"data_dir", path}, {"version", kSchemaVersion}});
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
    s = db_->Put(write, meta(), kMetaSchemaVersion, kSchemaVersion);
    if (!s.ok()) return FromRocksStatus(s, "writing schema version");
  } else if (!version.ok() && !absl::IsNotFound(version.status())) {
    return version.status();
  }
  return absl::OkStatus();
}

Store::~Store() {
  if (db_ == nullptr) return;
  for (auto* handle : owned_) db_->DestroyColumnFamilyHandle(handle);
  owned_.clear();
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
