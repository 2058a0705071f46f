// RocksDB's info log sent to the process's log (common/log.h) instead of a LOG file in
// the data directory: RocksDB's lines appear with the server's own, as JSON, and a full
// disk cannot break the logger (with the file, the next line after a failed write ends
// the process in RocksDB's assertion builds, as Debian's is). RocksDB's info lines
// (flushes, compactions) go out at debug level, its warnings and errors as such.
#ifndef AGREEMENTS_STORE_ROCKSDB_LOGGER_H_
#define AGREEMENTS_STORE_ROCKSDB_LOGGER_H_

#include <cstdarg>

#include "rocksdb/env.h"

namespace agreements::store {

class RocksDbLogger final : public rocksdb::Logger {
 public:
  RocksDbLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL) {}

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override;
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override;
};

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_ROCKSDB_LOGGER_H_
