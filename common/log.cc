#include "common/log.h"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cmath>
#include <memory>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/json_text.h"

namespace agreements::logging {
namespace {

constexpr char kJsonPattern[] =
    "{\"time\":\"%Y-%m-%dT%H:%M:%S.%fZ\",\"level\":\"%l\",%v}";
constexpr char kTextPattern[] = "%Y-%m-%dT%H:%M:%S.%fZ %-7l %v";

spdlog::level::level_enum SpdLevel(Level level) {
  switch (level) {
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarning:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

// The one logger; replaced whole (sink, pattern, level) under `mu`, read by copy.
struct State {
  std::mutex mu;
  std::shared_ptr<spdlog::logger> logger;
  std::atomic<int> level{static_cast<int>(Level::kInfo)};
  std::atomic<bool> json{true};
  std::ostream* redirect = nullptr;
};

State& TheState() {
  static State* state = new State();
  return *state;
}

void Rebuild(State& state) {
  spdlog::sink_ptr sink;
  if (state.redirect != nullptr) {
    sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(*state.redirect,
                                                            /*force_flush=*/true);
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  }
  auto logger = std::make_shared<spdlog::logger>("agreements", std::move(sink));
  logger->set_pattern(state.json ? kJsonPattern : kTextPattern,
                      spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::trace);  // Enabled() filters first.
  logger->flush_on(spdlog::level::trace);
  state.logger = std::move(logger);
}

std::shared_ptr<spdlog::logger> Current() {
  State& state = TheState();
  std::lock_guard<std::mutex> lock(state.mu);
  if (state.logger == nullptr) Rebuild(state);
  return state.logger;
}

bool NeedsQuotes(absl::string_view text) {
  if (text.empty()) return true;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || c == '"' || c == '=' || c == '\\' || byte == 0x7f) return true;
  }
  return false;
}

std::string FormatNumber(double value) {
  if (!std::isfinite(value)) return "null";
  return absl::StrFormat("%.6g", value);
}

}  // namespace

absl::StatusOr<Level> ParseLevel(absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(name);
  if (lower == "debug") return Level::kDebug;
  if (lower == "info") return Level::kInfo;
  if (lower == "warning" || lower == "warn") return Level::kWarning;
  if (lower == "error") return Level::kError;
  return absl::InvalidArgumentError(absl::StrCat(
      "log level: must be debug, info, warning or error (got \"", name, "\")"));
}

absl::StatusOr<Format> ParseFormat(absl::string_view name) {
  if (name == "json") return Format::kJson;
  if (name == "text") return Format::kText;
  return absl::InvalidArgumentError(
      absl::StrCat("log format: must be json or text (got \"", name, "\")"));
}

void Field::AppendJson(std::string& out) const {
  AppendJsonString(out, key_);
  out.push_back(':');
  AppendValue(out, /*always_quote=*/true);
}

void Field::AppendText(std::string& out) const {
  absl::StrAppend(&out, key_, "=");
  AppendValue(out, /*always_quote=*/false);
}

void Field::AppendValue(std::string& out, bool always_quote) const {
  switch (kind_) {
    case Kind::kText:
      if (always_quote || NeedsQuotes(text_)) {
        AppendJsonString(out, text_);
      } else {
        out.append(text_.data(), text_.size());
      }
      break;
    case Kind::kInteger:
      absl::StrAppend(&out, integer_);
      break;
    case Kind::kUnsigned:
      absl::StrAppend(&out, unsigned_);
      break;
    case Kind::kNumber:
      out.append(FormatNumber(number_));
      break;
    case Kind::kBoolean:
      out.append(boolean_ ? "true" : "false");
      break;
  }
}

void Configure(Format format, Level level) {
  State& state = TheState();
  std::lock_guard<std::mutex> lock(state.mu);
  state.json = format == Format::kJson;
  state.level = static_cast<int>(level);
  Rebuild(state);
}

bool Enabled(Level level) {
  return static_cast<int>(level) >= TheState().level.load(std::memory_order_relaxed);
}

namespace {

void Write(Level level, absl::string_view message, const Field* begin, const Field* end) {
  const size_t count = end - begin;
  const bool json = TheState().json.load(std::memory_order_relaxed);
  std::string line;
  line.reserve(64 + message.size() + 24 * count);
  if (json) {
    line.append("\"msg\":");
    AppendJsonString(line, message);
    for (const Field* field = begin; field != end; ++field) {
      line.push_back(',');
      field->AppendJson(line);
    }
  } else {
    line.append(message.data(), message.size());
    for (const Field* field = begin; field != end; ++field) {
      line.push_back(' ');
      field->AppendText(line);
    }
  }
  Current()->log(SpdLevel(level), "{}", line);
}

}  // namespace

void Log(Level level, absl::string_view message, Fields fields) {
  if (!Enabled(level)) return;
  Write(level, message, fields.begin(), fields.end());
}

void Log(Level level, absl::string_view message, const std::vector<Field>& fields) {
  if (!Enabled(level)) return;
  Write(level, message, fields.data(), fields.data() + fields.size());
}

void RedirectForTest(std::ostream* out) {
  State& state = TheState();
  std::lock_guard<std::mutex> lock(state.mu);
  state.redirect = out;
  Rebuild(state);
}

}  // namespace agreements::logging
