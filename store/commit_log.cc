#include "store/commit_log.h"

#include <string>

#include "store/keys.h"
#include "store/store.h"

namespace agreements::store {

AppendResult EmbeddedLog::Append(const agreements::storage::v1::LogRecord* record,
                                 rocksdb::WriteBatch& local) {
  (void)record;
  rocksdb::WriteOptions write;
  write.sync = sync_;
  rocksdb::Status s = store_->db()->Write(write, &local);
  if (s.ok()) return AppendResult::Durable();
  // The batch may or may not be in the WAL: the log's tail is unknown until a restart
  // reads it back.
  return AppendResult::Failed(AppendResult::Kind::kLocalWriteFailed,
                              FromRocksStatus(s, "writing the log"));
}

absl::Status WriteLocal(Store* store, rocksdb::WriteBatch& local) {
  rocksdb::WriteOptions write;
  write.sync = false;
  rocksdb::Status s = store->db()->Write(write, &local);
  if (s.ok()) return absl::OkStatus();
  return FromRocksStatus(s, "writing a log record into the store");
}

std::string EncodeRecordMark(uint64_t index, uint64_t term) {
  return EncodeU64(index) + EncodeU64(term);
}

bool DecodeRecordMark(absl::string_view in, uint64_t& index, uint64_t& term) {
  return in.size() == 16 && DecodeU64(in.substr(0, 8), index) &&
         DecodeU64(in.substr(8), term);
}

}  // namespace agreements::store
