// A JSON value tree for the CLI's structured output (-o json, jsonl and yaml): built from
// an API message (cli_output.h) or parsed from JSON text, and written as JSON (compact or
// indented) or as block-style YAML. Numbers keep their text, so 64-bit integers print
// exactly. Free functions are safe from any thread.
#ifndef AGREEMENTS_CLIENTS_CLI_JSON_H_
#define AGREEMENTS_CLIENTS_CLI_JSON_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace agreements::cli {

// One JSON value: null, a boolean, a number (kept as its text), a string, an array, or
// an object with its members in insertion order. A value type; not thread-safe.
class JsonValue {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  JsonValue() = default;  // null
  static JsonValue Bool(bool value);
  // `text` must be a JSON number ("12", "-3.5", "1e9").
  static JsonValue Number(std::string text);
  template <typename Int>
  static JsonValue Integer(Int value) {
    return Number(absl::StrCat(value));
  }
  static JsonValue String(std::string text);
  static JsonValue Array();
  static JsonValue Object();

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool bool_value() const { return bool_; }
  // The text of a number or a string.
  const std::string& text() const { return text_; }
  // The items of an array, or the values of an object's members.
  const std::vector<JsonValue>& items() const { return items_; }
  // The keys of an object's members, parallel to items().
  const std::vector<std::string>& keys() const { return keys_; }
  // The value of an object's member; nullptr when there is none.
  const JsonValue* Find(absl::string_view key) const;

  // Appends an item to an array.
  void Append(JsonValue item) { items_.push_back(std::move(item)); }
  // Appends a member to an object (keys are not checked for duplicates).
  void Set(std::string key, JsonValue value);

 private:
  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  std::string text_;
  std::vector<std::string> keys_;
  std::vector<JsonValue> items_;
};

// JSON text: one line, or indented by two spaces per level. No trailing newline.
std::string WriteJson(const JsonValue& value, bool pretty);

// Block-style YAML (1.2; readable by YAML 1.1 parsers too): mappings as "key: value",
// sequences as "- item", strings plain when that reads back as the same string, else
// double-quoted with JSON escapes. Ends with a newline.
std::string WriteYaml(const JsonValue& value);

// Parses one JSON value (RFC 8259; surrounding whitespace allowed). INVALID_ARGUMENT
// naming the offset of the first error.
absl::StatusOr<JsonValue> ParseJsonValue(absl::string_view text);

}  // namespace agreements::cli

#endif  // AGREEMENTS_CLIENTS_CLI_JSON_H_
