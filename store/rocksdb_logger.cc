#include "store/rocksdb_logger.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "common/log.h"

namespace agreements::store {
namespace {

logging::Level LevelOf(rocksdb::InfoLogLevel level) {
  switch (level) {
    case rocksdb::InfoLogLevel::DEBUG_LEVEL:
    case rocksdb::InfoLogLevel::INFO_LEVEL:
    case rocksdb::InfoLogLevel::HEADER_LEVEL:
      return logging::Level::kDebug;
    case rocksdb::InfoLogLevel::WARN_LEVEL:
      return logging::Level::kWarning;
    default:
      return logging::Level::kError;
  }
}

}  // namespace

void RocksDbLogger::Logv(const char* format, va_list ap) {
  Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
}

void RocksDbLogger::Logv(const rocksdb::InfoLogLevel level, const char* format,
                         va_list ap) {
  const logging::Level ours = LevelOf(level);
  if (!logging::Enabled(ours)) return;
  char buffer[2048];
  va_list copy;
  va_copy(copy, ap);
  const int n = std::vsnprintf(buffer, sizeof(buffer), format, copy);
  va_end(copy);
  std::string text(buffer, n < 0 ? 0 : std::min<size_t>(n, sizeof(buffer) - 1));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  logging::Log(ours, "rocksdb", {{"message", text}});
}

}  // namespace agreements::store
