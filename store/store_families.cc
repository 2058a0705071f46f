// The Store's column families: their options, and the generations a derived family is
// stored in after replacements (CreateBeside, Swap; docs/storage.md).
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "store/keys.h"
#include "store/store.h"

namespace agreements::store {
namespace {

// "agreements" for the first generation, "agreements@2" for the second, ...
std::string GenerationName(Family family, uint64_t generation) {
  if (generation <= 1) return FamilyName(family);
  return absl::StrCat(FamilyName(family), "@", generation);
}

// The family and generation a column family's name stands for; false for a name that
// is none of ours.
bool ParseGenerationName(const std::string& name, Family& family, uint64_t& generation) {
  const size_t at = name.find('@');
  const std::string base = name.substr(0, at);
  generation = 1;
  if (at != std::string::npos &&
      (!absl::SimpleAtoi(name.substr(at + 1), &generation) || generation < 2)) {
    return false;
  }
  for (int i = 0; i < kFamilyCount; ++i) {
    if (base == FamilyName(static_cast<Family>(i))) {
      family = static_cast<Family>(i);
      return true;
    }
  }
  return false;
}

std::string GenerationKey(Family family) {
  return absl::StrCat(kMetaFamilyPrefix, FamilyName(family));
}

}  // namespace

rocksdb::Options Store::FamilyOptions(Family family) const {
  const std::string name = FamilyName(family);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache_;
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  // A Bloom filter where the commit path looks up keys that are often absent (a new
  // request id, a new agreement or party, a new stream's map index). The log, the
  // trees and the tags are read only at keys that exist, and the indexes and counters
  // by prefix scans: a filter there would only cost memory.
  const bool lookups_miss = name == kCfRequests || name == kCfAgreements ||
                            name == kCfParties || name == kCfStreams ||
                            name == kCfStreamMap;
  if (lookups_miss) table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
  // The log is mostly read in order (feeds, rebuild): larger blocks, a smaller index.
  if (name == kCfLog) table.block_size = 16 << 10;
  table.format_version = 5;
  rocksdb::Options options(db_options_, rocksdb::ColumnFamilyOptions(db_options_));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.level_compaction_dynamic_level_bytes = true;
  // The log and the big views get most of the write memory; small families flush
  // often and cheaply.
  const bool big = name == kCfLog || name == kCfAgreements || name == kCfRequests ||
                   name == kCfStreams || name == kCfEventTags;
  options.write_buffer_size = big ? write_buffer_bytes_ / 4 : write_buffer_bytes_ / 16;
  options.max_write_buffer_number = 2;
  // Most commit-path lookups miss (a new request id, a new agreement, a new stream):
  // a Bloom filter over each memtable answers them without a skiplist descent.
  if (lookups_miss) {
    options.memtable_whole_key_filtering = true;
    options.memtable_prefix_bloom_size_ratio = 0.02;
  }
  // Hashes do not compress; everything else is protobuf text and ids.
  const bool hashes = name == kCfMerkle || name == kCfStreamMap;
  options.compression = hashes ? rocksdb::kNoCompression : rocksdb::kLZ4Compression;
  return options;
}

absl::Status Store::OpenFamilies(const std::string& path, const StoreOptions& options) {
  // Every column family in the directory must be opened; a family none of whose
  // generations exists yet is created in its first generation.
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(db_options_, path, &names).ok()) names.clear();
  std::map<std::string, Family> wanted;
  bool present[kFamilyCount] = {};
  for (const std::string& name : names) {
    Family family;
    uint64_t generation = 0;
    if (!ParseGenerationName(name, family, generation)) {
      return absl::FailedPreconditionError(
          absl::StrCat("data directory ", path,
                       " has a column family this build does "
                       "not know: ",
                       name));
    }
    wanted[name] = family;
    present[static_cast<int>(family)] = true;
    generation_[static_cast<int>(family)] =
        std::max(generation_[static_cast<int>(family)], generation);
  }
  for (int i = 0; i < kFamilyCount; ++i) {
    if (!present[i]) wanted[FamilyName(static_cast<Family>(i))] = static_cast<Family>(i);
    generation_[i] = std::max<uint64_t>(generation_[i], 1);
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& [name, family] : wanted) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions(FamilyOptions(family)));
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options_, path, descriptors, &owned_, &raw)
          : rocksdb::DB::Open(db_options_, path, descriptors, &owned_, &raw);
  db_.reset(raw);
  if (!s.ok()) return FromRocksStatus(s, absl::StrCat("opening ", path));
  // The default family is always the first generation: it names the others.
  for (auto* handle : owned_) {
    if (handle->GetName() == FamilyName(Family::kDefault)) handles_[0] = handle;
  }
  return SelectGenerations(options.read_only);
}

absl::Status Store::SelectGenerations(bool read_only) {
  std::map<std::string, rocksdb::ColumnFamilyHandle*> by_name;
  for (auto* handle : owned_) by_name[handle->GetName()] = handle;
  for (int i = 1; i < kFamilyCount; ++i) {
    const Family family = static_cast<Family>(i);
    uint64_t generation = 1;
    auto named = Get(meta(), GenerationKey(family));
    if (named.ok() && !absl::SimpleAtoi(*named, &generation)) {
      return absl::DataLossError(absl::StrCat(GenerationKey(family), " is not a number"));
    }
    if (!named.ok() && !absl::IsNotFound(named.status())) return named.status();
    auto it = by_name.find(GenerationName(family, generation));
    if (it == by_name.end()) {
      return absl::DataLossError(
          absl::StrCat(GenerationKey(family), " names column family ",
                       GenerationName(family, generation), ", which is missing"));
    }
    handles_[i] = it->second;
    by_name.erase(it);
  }
  // What is left: families built beside and never swapped in (an interrupted rebuild),
  // or replaced generations whose drop did not finish (a crash right after a swap).
  if (read_only) return absl::OkStatus();
  for (const auto& [name, handle] : by_name) {
    if (name == FamilyName(Family::kDefault)) continue;
    RETURN_IF_ERROR(
        FromRocksStatus(db_->DropColumnFamily(handle),
                        absl::StrCat("dropping unused column family ", name)));
  }
  return absl::OkStatus();
}

absl::StatusOr<rocksdb::ColumnFamilyHandle*> Store::CreateBeside(Family family) {
  if (family == Family::kDefault || family == Family::kLog ||
      family == Family::kRequests || family == Family::kCheckpoints) {
    return absl::InvalidArgumentError(
        absl::StrCat("family ", FamilyName(family),
                     " is not derived from the log: it is never rebuilt"));
  }
  std::lock_guard<std::mutex> lock(owned_mu_);
  const uint64_t generation = ++generation_[static_cast<int>(family)];
  rocksdb::ColumnFamilyHandle* handle = nullptr;
  const std::string name = GenerationName(family, generation);
  RETURN_IF_ERROR(FromRocksStatus(
      db_->CreateColumnFamily(rocksdb::ColumnFamilyOptions(FamilyOptions(family)), name,
                              &handle),
      absl::StrCat("creating column family ", name)));
  owned_.push_back(handle);
  return handle;
}

absl::Status Store::Swap(
    const std::vector<std::pair<Family, rocksdb::ColumnFamilyHandle*>>& built,
    rocksdb::WriteBatch* extra) {
  rocksdb::WriteBatch own;
  rocksdb::WriteBatch& batch = extra != nullptr ? *extra : own;
  for (const auto& [family, handle] : built) {
    Family named;
    uint64_t generation = 0;
    if (!ParseGenerationName(handle->GetName(), named, generation) || named != family) {
      return absl::InvalidArgumentError(absl::StrCat("column family ", handle->GetName(),
                                                     " is not a generation of ",
                                                     FamilyName(family)));
    }
    batch.Put(meta(), GenerationKey(family), absl::StrCat(generation));
  }
  rocksdb::WriteOptions write;
  write.sync = true;
  RETURN_IF_ERROR(FromRocksStatus(db_->Write(write, &batch), "naming rebuilt families"));
  std::lock_guard<std::mutex> lock(owned_mu_);
  for (const auto& [family, handle] : built) {
    rocksdb::ColumnFamilyHandle* old =
        handles_[static_cast<int>(family)].exchange(handle, std::memory_order_acq_rel);
    // Readers holding the old handle keep reading it until the Store closes; a failed
    // drop is retried by the next Open.
    db_->DropColumnFamily(old).PermitUncheckedError();
  }
  return absl::OkStatus();
}

void Store::DropBeside(rocksdb::ColumnFamilyHandle* built) {
  db_->DropColumnFamily(built).PermitUncheckedError();
}

}  // namespace agreements::store
