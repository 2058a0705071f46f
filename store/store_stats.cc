// Store::Stats: RocksDB's properties and tickers for the server's metrics.
#include "rocksdb/cache.h"
#include "rocksdb/statistics.h"
#include "store/store.h"

namespace agreements::store {

StoreStats Store::Stats() const {
  StoreStats stats;
  rocksdb::DB* db = db_.get();
  if (db == nullptr) return stats;
  auto sum = [db](const std::string& property) {
    uint64_t value = 0;
    return db->GetAggregatedIntProperty(property, &value) ? value : 0;
  };
  stats.pending_compaction_bytes =
      sum(rocksdb::DB::Properties::kEstimatePendingCompactionBytes);
  stats.memtable_bytes = sum(rocksdb::DB::Properties::kCurSizeAllMemTables);
  stats.live_sst_bytes = sum(rocksdb::DB::Properties::kLiveSstFilesSize);
  uint64_t value = 0;
  if (db->GetIntProperty(rocksdb::DB::Properties::kActualDelayedWriteRate, &value)) {
    stats.delayed_write_rate = value;
  }
  if (db->GetIntProperty(rocksdb::DB::Properties::kIsWriteStopped, &value)) {
    stats.write_stopped = value != 0;
  }
  if (cache_ != nullptr) {
    stats.block_cache_usage_bytes = cache_->GetUsage();
    stats.block_cache_capacity_bytes = cache_->GetCapacity();
  }
  if (const auto& statistics = db_options_.statistics; statistics != nullptr) {
    stats.stall_micros = statistics->getTickerCount(rocksdb::STALL_MICROS);
    stats.block_cache_hits = statistics->getTickerCount(rocksdb::BLOCK_CACHE_HIT);
    stats.block_cache_misses = statistics->getTickerCount(rocksdb::BLOCK_CACHE_MISS);
  }
  return stats;
}

}  // namespace agreements::store
