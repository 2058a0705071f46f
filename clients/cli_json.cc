#include "clients/cli_json.h"

#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "common/json_text.h"

namespace agreements::cli {
namespace {

// Nesting deeper than this is refused by the parser (API messages nest far less).
constexpr int kMaxParseDepth = 200;

bool IsNonEmptyCollection(const JsonValue& value) {
  return (value.kind() == JsonValue::Kind::kArray ||
          value.kind() == JsonValue::Kind::kObject) &&
         !value.items().empty();
}

void WriteJsonNode(const JsonValue& value, bool pretty, size_t depth, std::string& out) {
  const auto newline = [&](size_t level) {
    if (pretty) absl::StrAppend(&out, "\n", std::string(2 * level, ' '));
  };
  switch (value.kind()) {
    case JsonValue::Kind::kNull:
      out += "null";
      return;
    case JsonValue::Kind::kBool:
      out += value.bool_value() ? "true" : "false";
      return;
    case JsonValue::Kind::kNumber:
      out += value.text();
      return;
    case JsonValue::Kind::kString:
      AppendJsonString(out, value.text());
      return;
    case JsonValue::Kind::kArray:
    case JsonValue::Kind::kObject:
      break;
  }
  const bool object = value.kind() == JsonValue::Kind::kObject;
  out += object ? '{' : '[';
  for (size_t i = 0; i < value.items().size(); ++i) {
    if (i > 0) out += ',';
    newline(depth + 1);
    if (object) {
      AppendJsonString(out, value.keys()[i]);
      out += pretty ? ": " : ":";
    }
    WriteJsonNode(value.items()[i], pretty, depth + 1, out);
  }
  if (!value.items().empty()) newline(depth);
  out += object ? '}' : ']';
}

// Whether `text` may be written as a plain YAML scalar and read back as the same
// string, by YAML 1.1 and 1.2 parsers alike: no indicator first, nothing that resolves
// to a number, date, boolean or null, no ": " or " #", no control characters.
bool IsPlainYaml(absl::string_view text) {
  if (text.empty() || text.front() == ' ' || text.back() == ' ' || text.back() == ':') {
    return false;
  }
  const char first = text.front();
  if (std::strchr("-?:,[]{}#&*!|>'\"%@`+.", first) != nullptr ||
      absl::ascii_isdigit(static_cast<unsigned char>(first))) {
    return false;
  }
  const std::string lower = absl::AsciiStrToLower(text);
  for (const char* word : {"null", "~", "true", "false", "yes", "no", "on", "off", "y",
                           "n", ".nan", ".inf"}) {
    if (lower == word) return false;
  }
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return !absl::StrContains(text, ": ") && !absl::StrContains(text, " #");
}

void WriteYamlString(absl::string_view text, std::string& out) {
  if (IsPlainYaml(text)) {
    out.append(text.data(), text.size());
  } else {
    AppendJsonString(out, text);  // JSON escapes are YAML double-quoted escapes
  }
}

void WriteYamlScalar(const JsonValue& value, std::string& out) {
  switch (value.kind()) {
    case JsonValue::Kind::kNull:
      out += "null";
      break;
    case JsonValue::Kind::kBool:
      out += value.bool_value() ? "true" : "false";
      break;
    case JsonValue::Kind::kNumber:
      out += value.text();
      break;
    case JsonValue::Kind::kString:
      WriteYamlString(value.text(), out);
      break;
    case JsonValue::Kind::kArray:
      out += "[]";  // only empty collections are scalars
      break;
    case JsonValue::Kind::kObject:
      out += "{}";
      break;
  }
}

void WriteYamlSequence(const JsonValue& value, size_t indent, bool first_inline,
                       std::string& out);

// The members of a non-empty object, one per line at `indent`; the first one continues
// the current line when `first_inline` (after "- ").
void WriteYamlMapping(const JsonValue& value, size_t indent, bool first_inline,
                      std::string& out) {
  for (size_t i = 0; i < value.items().size(); ++i) {
    if (i > 0 || !first_inline) out.append(indent, ' ');
    WriteYamlString(value.keys()[i], out);
    out += ':';
    const JsonValue& member = value.items()[i];
    if (!IsNonEmptyCollection(member)) {
      out += ' ';
      WriteYamlScalar(member, out);
      out += '\n';
    } else if (member.kind() == JsonValue::Kind::kArray) {
      out += '\n';
      WriteYamlSequence(member, indent + 2, false, out);
    } else {
      out += '\n';
      WriteYamlMapping(member, indent + 2, false, out);
    }
  }
}

void WriteYamlSequence(const JsonValue& value, size_t indent, bool first_inline,
                       std::string& out) {
  for (size_t i = 0; i < value.items().size(); ++i) {
    if (i > 0 || !first_inline) out.append(indent, ' ');
    out += "- ";
    const JsonValue& item = value.items()[i];
    if (!IsNonEmptyCollection(item)) {
      WriteYamlScalar(item, out);
      out += '\n';
    } else if (item.kind() == JsonValue::Kind::kArray) {
      WriteYamlSequence(item, indent + 2, true, out);
    } else {
      WriteYamlMapping(item, indent + 2, true, out);
    }
  }
}

// A recursive-descent JSON parser over one text. Used once, by one thread.
class JsonParser {
 public:
  explicit JsonParser(absl::string_view text) : text_(text) {}

  absl::StatusOr<JsonValue> ParseDocument() {
    absl::StatusOr<JsonValue> value = ParseValue(0);
    if (!value.ok()) return value;
    SkipSpace();
    if (pos_ != text_.size()) return Error("text after the value");
    return value;
  }

 private:
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat("JSON: ", what, " at offset ", pos_));
  }
  void SkipSpace() {
    while (pos_ < text_.size() && std::strchr(" \t\r\n", text_[pos_]) != nullptr &&
           text_[pos_] != '\0') {
      ++pos_;
    }
  }
  bool Consume(absl::string_view word) {
    if (!absl::StartsWith(text_.substr(pos_), word)) return false;
    pos_ += word.size();
    return true;
  }

  absl::StatusOr<JsonValue> ParseValue(int depth) {
    if (depth > kMaxParseDepth) return Error("nesting too deep");
    SkipSpace();
    if (pos_ >= text_.size()) return Error("missing value");
    const char c = text_[pos_];
    if (c == '{') return ParseObject(depth);
    if (c == '[') return ParseArray(depth);
    if (c == '"') {
      absl::StatusOr<std::string> text = ParseString();
      if (!text.ok()) return text.status();
      return JsonValue::String(*std::move(text));
    }
    if (Consume("true")) return JsonValue::Bool(true);
    if (Consume("false")) return JsonValue::Bool(false);
    if (Consume("null")) return JsonValue();
    return ParseNumber();
  }

  absl::StatusOr<JsonValue> ParseNumber() {
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           std::strchr("+-.eE0123456789", text_[pos_]) != nullptr &&
           text_[pos_] != '\0') {
      ++pos_;
    }
    const std::string number(text_.substr(start, pos_ - start));
    double unused;
    if (number.empty() || number[0] == '+' || !absl::SimpleAtod(number, &unused)) {
      pos_ = start;
      return Error("not a JSON value");
    }
    return JsonValue::Number(number);
  }

  absl::StatusOr<JsonValue> ParseArray(int depth) {
    ++pos_;  // '['
    JsonValue array = JsonValue::Array();
    SkipSpace();
    if (Consume("]")) return array;
    while (true) {
      absl::StatusOr<JsonValue> item = ParseValue(depth + 1);
      if (!item.ok()) return item;
      array.Append(*std::move(item));
      SkipSpace();
      if (Consume("]")) return array;
      if (!Consume(",")) return Error("expected ',' or ']'");
    }
  }

  absl::StatusOr<JsonValue> ParseObject(int depth) {
    ++pos_;  // '{'
    JsonValue object = JsonValue::Object();
    SkipSpace();
    if (Consume("}")) return object;
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"') return Error("expected a key");
      absl::StatusOr<std::string> key = ParseString();
      if (!key.ok()) return key.status();
      SkipSpace();
      if (!Consume(":")) return Error("expected ':'");
      absl::StatusOr<JsonValue> value = ParseValue(depth + 1);
      if (!value.ok()) return value;
      object.Set(*std::move(key), *std::move(value));
      SkipSpace();
      if (Consume("}")) return object;
      if (!Consume(",")) return Error("expected ',' or '}'");
    }
  }

  // Four hex digits after "\u".
  absl::StatusOr<uint32_t> ParseHex4() {
    if (pos_ + 4 > text_.size()) return Error("short \\u escape");
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      const int digit = absl::ascii_isdigit(c)   ? c - '0'
                        : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                        : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                 : -1;
      if (digit < 0) return Error("bad \\u escape");
      value = value * 16 + static_cast<uint32_t>(digit);
    }
    return value;
  }

  static void AppendUtf8(uint32_t code, std::string& out) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (code >> 18));
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
  }

  // A \u escape (the "\u" consumed), with the second half of a surrogate pair.
  absl::Status ParseUnicodeEscape(std::string& out) {
    absl::StatusOr<uint32_t> code = ParseHex4();
    if (!code.ok()) return code.status();
    if (*code >= 0xD800 && *code < 0xDC00 && Consume("\\u")) {
      absl::StatusOr<uint32_t> low = ParseHex4();
      if (!low.ok()) return low.status();
      if (*low < 0xDC00 || *low > 0xDFFF) return Error("bad surrogate pair");
      *code = 0x10000 + ((*code - 0xD800) << 10) + (*low - 0xDC00);
    }
    AppendUtf8(*code, out);
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> ParseString() {
    ++pos_;  // '"'
    std::string out;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20)
        return Error("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) break;
      const char escape = text_[pos_++];
      const char* const from = "\"\\/bfnrt";
      const char* const to = "\"\\/\b\f\n\r\t";
      if (const char* found = std::strchr(from, escape);
          found != nullptr && escape != 0) {
        out += to[found - from];
      } else if (escape == 'u') {
        if (absl::Status status = ParseUnicodeEscape(out); !status.ok()) return status;
      } else {
        return Error("bad escape");
      }
    }
    return Error("unterminated string");
  }

  const absl::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

JsonValue JsonValue::Bool(bool value) {
  JsonValue v;
  v.kind_ = Kind::kBool;
  v.bool_ = value;
  return v;
}

JsonValue JsonValue::Number(std::string text) {
  JsonValue v;
  v.kind_ = Kind::kNumber;
  v.text_ = std::move(text);
  return v;
}

JsonValue JsonValue::String(std::string text) {
  JsonValue v;
  v.kind_ = Kind::kString;
  v.text_ = std::move(text);
  return v;
}

JsonValue JsonValue::Array() {
  JsonValue v;
  v.kind_ = Kind::kArray;
  return v;
}

JsonValue JsonValue::Object() {
  JsonValue v;
  v.kind_ = Kind::kObject;
  return v;
}

const JsonValue* JsonValue::Find(absl::string_view key) const {
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i] == key) return &items_[i];
  }
  return nullptr;
}

void JsonValue::Set(std::string key, JsonValue value) {
  keys_.push_back(std::move(key));
  items_.push_back(std::move(value));
}

std::string WriteJson(const JsonValue& value, bool pretty) {
  std::string out;
  WriteJsonNode(value, pretty, 0, out);
  return out;
}

std::string WriteYaml(const JsonValue& value) {
  std::string out;
  if (!IsNonEmptyCollection(value)) {
    WriteYamlScalar(value, out);
    out += '\n';
  } else if (value.kind() == JsonValue::Kind::kArray) {
    WriteYamlSequence(value, 0, false, out);
  } else {
    WriteYamlMapping(value, 0, false, out);
  }
  return out;
}

absl::StatusOr<JsonValue> ParseJsonValue(absl::string_view text) {
  return JsonParser(text).ParseDocument();
}

}  // namespace agreements::cli
