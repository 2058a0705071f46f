#include "store/store.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "rocksdb/cache.h"
#include "rocksdb/table.h"
#include "store/keys.h"
#include "store/rebuild.h"

namespace agreements::store {
namespace {

const char* const kFamilies[] = {
    "default",  // rocksdb::kDefaultColumnFamilyName (a global, not usable here)
    kCfLog,       kCfStreams,        kCfRequests,    kCfAgreements,
    kCfParties,   kCfAgreementIndex, kCfPartyIndex,  kCfSectorCounters,
    kCfEventTags, kCfMerkle,         kCfCheckpoints,
};

}  // namespace

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
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path,
                                                   const StoreOptions& options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = options.create_if_missing;
  db_options.IncreaseParallelism(2);
  db_options.max_open_files = 512;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table.filter_policy.reset();

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const char* name : kFamilies) {
    rocksdb::ColumnFamilyOptions cf_options(db_options);
    cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    descriptors.emplace_back(name, cf_options);
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
  if (version.ok() && (*version == "1" || *version == "2") && !options.read_only) {
    // Versions 2 and 3 added derived families (event_tags, merkle): derive them from the
    // log like every view.
    auto migrated = RebuildViews(store.get(), /*repair=*/true);
    if (!migrated.ok()) return migrated.status();
    rocksdb::WriteOptions write;
    write.sync = true;
    s = store->db_->Put(write, store->meta(), kMetaSchemaVersion, kSchemaVersion);
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

std::vector<rocksdb::ColumnFamilyHandle*> Store::ViewFamilies() const {
  return {streams(),     agreements(),      parties(),    agreement_index(),
          party_index(), sector_counters(), event_tags(), merkle()};
}

absl::StatusOr<uint64_t> Store::ReadHead(const rocksdb::Snapshot* snapshot) const {
  auto value = Get(meta(), kMetaHead, snapshot);
  if (absl::IsNotFound(value.status())) return 0;
  if (!value.ok()) return value.status();
  uint64_t head = 0;
  if (!DecodeU64(*value, head)) return absl::DataLossError("meta/head is not 8 bytes");
  return head;
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
