// The process's log: one line per record on stderr, either a JSON object (the default:
// {"time":"...Z","level":"info","msg":"...","key":value,...}) or a human-readable line
// (time, level, message, key=value pairs). Written through spdlog; thread-safe.
//
//   logging::Info("request failed", {{"method", method}, {"code", "NOT_FOUND"},
//                                    {"latency_ms", 1.5}});
//
// Records below the configured level cost one atomic load. docs/operations.md lists
// what the server logs at which level.
#ifndef AGREEMENTS_COMMON_LOG_H_
#define AGREEMENTS_COMMON_LOG_H_

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace agreements::logging {

enum class Level { kDebug, kInfo, kWarning, kError };
enum class Format { kJson, kText };

// "debug", "info", "warning" (or "warn"), "error".
absl::StatusOr<Level> ParseLevel(absl::string_view name);
// "json" or "text".
absl::StatusOr<Format> ParseFormat(absl::string_view name);

// One key and its value: text, an integer, a number or a boolean.
class Field {
 public:
  Field(absl::string_view key, absl::string_view text)
      : key_(key), kind_(Kind::kText), text_(text) {}
  Field(absl::string_view key, const std::string& text)
      : Field(key, absl::string_view(text)) {}
  Field(absl::string_view key, const char* text) : Field(key, absl::string_view(text)) {}
  Field(absl::string_view key, int value) : Field(key, static_cast<long long>(value)) {}
  Field(absl::string_view key, long value) : Field(key, static_cast<long long>(value)) {}
  Field(absl::string_view key, long long value)
      : key_(key), kind_(Kind::kInteger), integer_(static_cast<int64_t>(value)) {}
  Field(absl::string_view key, unsigned long value)
      : key_(key), kind_(Kind::kUnsigned), unsigned_(value) {}
  Field(absl::string_view key, unsigned long long value)
      : key_(key), kind_(Kind::kUnsigned), unsigned_(value) {}
  Field(absl::string_view key, unsigned value)
      : Field(key, static_cast<unsigned long>(value)) {}
  Field(absl::string_view key, double value)
      : key_(key), kind_(Kind::kNumber), number_(value) {}
  Field(absl::string_view key, bool value)
      : key_(key), kind_(Kind::kBoolean), boolean_(value) {}

  // Appends `"key":value` (JSON) or `key=value` (text, quoted when needed).
  void AppendJson(std::string& out) const;
  void AppendText(std::string& out) const;

 private:
  enum class Kind { kText, kInteger, kUnsigned, kNumber, kBoolean };
  // Text quoted and escaped as JSON always, or (text format) only when it needs it.
  void AppendValue(std::string& out, bool always_quote) const;
  absl::string_view key_;
  Kind kind_;
  absl::string_view text_;
  int64_t integer_ = 0;
  uint64_t unsigned_ = 0;
  double number_ = 0;
  bool boolean_ = false;
};

using Fields = std::initializer_list<Field>;

// Sets the format and the lowest level written. Before any call: JSON, info.
void Configure(Format format, Level level);
// Whether a record at `level` would be written.
bool Enabled(Level level);

void Log(Level level, absl::string_view message, Fields fields = {});
// The same with fields built at run time (e.g. the configuration's flags).
void Log(Level level, absl::string_view message, const std::vector<Field>& fields);
inline void Debug(absl::string_view message, Fields fields = {}) {
  Log(Level::kDebug, message, fields);
}
inline void Info(absl::string_view message, Fields fields = {}) {
  Log(Level::kInfo, message, fields);
}
inline void Warning(absl::string_view message, Fields fields = {}) {
  Log(Level::kWarning, message, fields);
}
inline void Error(absl::string_view message, Fields fields = {}) {
  Log(Level::kError, message, fields);
}

// For tests: records go to `out` instead of stderr until the next call (nullptr:
// stderr again). Keeps the format and level.
void RedirectForTest(std::ostream* out);

}  // namespace agreements::logging

#endif  // AGREEMENTS_COMMON_LOG_H_
