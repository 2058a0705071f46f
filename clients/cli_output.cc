#include "clients/cli_output.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "agreements/v1/agreement.pb.h"
#include "clients/cli_errors.h"
#include "clients/cli_values.h"
#include "common/date_format.h"
#include "common/proto_values.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/json_util.h"

namespace agreements::cli {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

std::optional<JsonValue> FriendlyMessage(const Message& message);

// The shortest text of `value` that reads back as the same double; NaN and the
// infinities as the proto3 JSON mapping writes them (strings).
JsonValue DoubleValue(double value) {
  if (std::isnan(value)) return JsonValue::String("NaN");
  if (std::isinf(value)) return JsonValue::String(value > 0 ? "Infinity" : "-Infinity");
  std::string text = absl::StrFormat("%.15g", value);
  if (std::strtod(text.c_str(), nullptr) != value) text = absl::StrFormat("%.17g", value);
  return JsonValue::Number(text);
}

// The short lowercase name the flags take ("in_force"); "unspecified" for the zero value;
// the number for a value this build does not know.
JsonValue EnumValue(const google::protobuf::EnumDescriptor& type, int number) {
  if (type.full_name() == "google.protobuf.NullValue") return JsonValue();
  const google::protobuf::EnumValueDescriptor* value = type.FindValueByNumber(number);
  if (value == nullptr) return JsonValue::Integer(number);
  absl::string_view name = value->name();
  absl::ConsumePrefix(&name, EnumPrefix(type));
  return JsonValue::String(absl::AsciiStrToLower(name));
}

// One value of `field` (item `index` when repeated) in the friendly form; nullopt when
// it reads as unset (a date without a year).
std::optional<JsonValue> FriendlyField(const Message& message,
                                       const FieldDescriptor& field, int index) {
  const Reflection& r = *message.GetReflection();
  const bool repeated = field.is_repeated();
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return JsonValue::Integer(repeated ? r.GetRepeatedInt32(message, &field, index)
                                         : r.GetInt32(message, &field));
    case FieldDescriptor::CPPTYPE_INT64:
      return JsonValue::Integer(repeated ? r.GetRepeatedInt64(message, &field, index)
                                         : r.GetInt64(message, &field));
    case FieldDescriptor::CPPTYPE_UINT32:
      return JsonValue::Integer(repeated ? r.GetRepeatedUInt32(message, &field, index)
                                         : r.GetUInt32(message, &field));
    case FieldDescriptor::CPPTYPE_UINT64:
      return JsonValue::Integer(repeated ? r.GetRepeatedUInt64(message, &field, index)
                                         : r.GetUInt64(message, &field));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return DoubleValue(repeated ? r.GetRepeatedDouble(message, &field, index)
                                  : r.GetDouble(message, &field));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return DoubleValue(repeated ? r.GetRepeatedFloat(message, &field, index)
                                  : r.GetFloat(message, &field));
    case FieldDescriptor::CPPTYPE_BOOL:
      return JsonValue::Bool(repeated ? r.GetRepeatedBool(message, &field, index)
                                      : r.GetBool(message, &field));
    case FieldDescriptor::CPPTYPE_ENUM:
      return EnumValue(*field.enum_type(),
                       repeated ? r.GetRepeatedEnumValue(message, &field, index)
                                : r.GetEnumValue(message, &field));
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string text = repeated ? r.GetRepeatedString(message, &field, index)
                                  : r.GetString(message, &field);
      if (field.type() == FieldDescriptor::TYPE_BYTES) text = absl::Base64Escape(text);
      return JsonValue::String(std::move(text));
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return FriendlyMessage(repeated ? r.GetRepeatedMessage(message, &field, index)
                                      : r.GetMessage(message, &field));
  }
  return JsonValue();
}

// A map field as an object: keys as text, values in the friendly form.
JsonValue FriendlyMap(const Message& message, const FieldDescriptor& field) {
  const Reflection& r = *message.GetReflection();
  JsonValue object = JsonValue::Object();
  for (int i = 0; i < r.FieldSize(message, &field); ++i) {
    const Message& entry = r.GetRepeatedMessage(message, &field, i);
    const FieldDescriptor& key_field = *entry.GetDescriptor()->map_key();
    const FieldDescriptor& value_field = *entry.GetDescriptor()->map_value();
    std::optional<JsonValue> key = FriendlyField(entry, key_field, -1);
    std::optional<JsonValue> value = FriendlyField(entry, value_field, -1);
    std::string key_text = key.has_value() ? key->text() : "";
    if (key.has_value() && key->kind() == JsonValue::Kind::kBool) {
      key_text = key->bool_value() ? "true" : "false";
    }
    object.Set(std::move(key_text), value.value_or(JsonValue()));
  }
  return object;
}

// Every set field of `message`, in declaration order, as an object.
JsonValue FriendlyObject(const Message& message) {
  const google::protobuf::Descriptor& descriptor = *message.GetDescriptor();
  const Reflection& r = *message.GetReflection();
  JsonValue object = JsonValue::Object();
  for (int i = 0; i < descriptor.field_count(); ++i) {
    const FieldDescriptor& field = *descriptor.field(i);
    if (field.is_map()) {
      if (r.FieldSize(message, &field) > 0) {
        object.Set(field.json_name(), FriendlyMap(message, field));
      }
    } else if (field.is_repeated()) {
      if (r.FieldSize(message, &field) == 0) continue;
      JsonValue array = JsonValue::Array();
      for (int j = 0; j < r.FieldSize(message, &field); ++j) {
        array.Append(FriendlyField(message, field, j).value_or(JsonValue()));
      }
      object.Set(field.json_name(), std::move(array));
    } else if (r.HasField(message, &field)) {
      std::optional<JsonValue> value = FriendlyField(message, field, -1);
      if (value.has_value()) object.Set(field.json_name(), *std::move(value));
    }
  }
  return object;
}

// The proto3 JSON mapping of `message` as a value.
JsonValue ProtoJsonValue(const Message& message) {
  absl::StatusOr<JsonValue> value = ParseJsonValue(ToJson(message, /*pretty=*/false));
  return value.ok() ? *std::move(value) : JsonValue();
}

std::string TimestampText(const google::protobuf::Timestamp& timestamp) {
  const absl::Time time =
      absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", time, absl::UTCTimeZone());
}

std::optional<JsonValue> FriendlyMessage(const Message& message) {
  const std::string& type = message.GetDescriptor()->full_name();
  if (const auto* date = dynamic_cast<const v1::Date*>(&message)) {
    if (date->year() == 0) return std::nullopt;
    return JsonValue::String(FormatDate(*date));
  }
  if (const auto* money = dynamic_cast<const v1::Money*>(&message)) {
    return JsonValue::String(MoneyText(*money));
  }
  if (const auto* period = dynamic_cast<const v1::CalendarPeriod*>(&message)) {
    return JsonValue::String(FormatCalendarPeriod(*period));
  }
  if (const auto* time = dynamic_cast<const google::protobuf::Timestamp*>(&message)) {
    return JsonValue::String(TimestampText(*time));
  }
  if (const auto* d = dynamic_cast<const google::protobuf::Duration*>(&message)) {
    return JsonValue::String(absl::FormatDuration(absl::Seconds(d->seconds()) +
                                                  absl::Nanoseconds(d->nanos())));
  }
  if (const auto* mask = dynamic_cast<const google::protobuf::FieldMask*>(&message)) {
    return JsonValue::String(absl::StrJoin(mask->paths(), ","));
  }
  // Other well-known types (Any, Struct, wrappers) have JSON forms of their own.
  if (absl::StartsWith(type, "google.protobuf.")) return ProtoJsonValue(message);
  return FriendlyObject(message);
}

}  // namespace

absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view text) {
  static constexpr OutputFormat kFormats[] = {OutputFormat::kTable, OutputFormat::kWide,
                                              OutputFormat::kJson, OutputFormat::kJsonl,
                                              OutputFormat::kYaml};
  const std::vector<std::string>& names = OutputFormatNames();
  for (size_t i = 0; i < names.size(); ++i) {
    if (text == names[i]) return kFormats[i];
  }
  return UsageError(
      absl::StrCat("-o: \"", text, "\" is not one of: ", absl::StrJoin(names, ", ")));
}

const std::vector<std::string>& OutputFormatNames() {
  static const auto* const names =
      new std::vector<std::string>{"table", "wide", "json", "jsonl", "yaml"};
  return *names;
}

bool IsStructured(OutputFormat format) {
  return format == OutputFormat::kJson || format == OutputFormat::kJsonl ||
         format == OutputFormat::kYaml;
}

JsonValue MessageToValue(const Message& message, JsonStyle style) {
  if (style == JsonStyle::kProto) return ProtoJsonValue(message);
  return FriendlyMessage(message).value_or(JsonValue());
}

std::string MoneyText(const v1::Money& money) {
  const bool negative = money.units() < 0 || money.nanos() < 0;
  const uint64_t units = negative ? 0 - static_cast<uint64_t>(money.units())
                                  : static_cast<uint64_t>(money.units());
  std::string out =
      absl::StrCat(money.currency_code(), money.currency_code().empty() ? "" : " ",
                   negative ? "-" : "", units);
  if (money.nanos() != 0) {
    std::string fraction = absl::StrFormat("%09d", std::abs(money.nanos()));
    while (fraction.size() > 2 && fraction.back() == '0') fraction.pop_back();
    absl::StrAppend(&out, ".", fraction);
  }
  return out;
}

const FieldDescriptor* RecordsField(const google::protobuf::Descriptor& response) {
  const FieldDescriptor* found = nullptr;
  for (int i = 0; i < response.field_count(); ++i) {
    const FieldDescriptor* field = response.field(i);
    if (!field->is_repeated() || field->is_map() ||
        field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
      continue;
    }
    if (found != nullptr) return nullptr;
    found = field;
  }
  return found;
}

std::string RenderResponse(const Message& response, OutputFormat format,
                           JsonStyle style) {
  const FieldDescriptor* records = RecordsField(*response.GetDescriptor());
  if (format != OutputFormat::kJsonl || records == nullptr) {
    return RenderValue(MessageToValue(response, style), format);
  }
  const Reflection& r = *response.GetReflection();
  std::string out;
  for (int i = 0; i < r.FieldSize(response, records); ++i) {
    absl::StrAppend(
        &out,
        WriteJson(MessageToValue(r.GetRepeatedMessage(response, records, i), style),
                  /*pretty=*/false),
        "\n");
  }
  return out;
}

std::string RenderValue(const JsonValue& value, OutputFormat format) {
  if (format == OutputFormat::kYaml) return WriteYaml(value);
  return WriteJson(value, /*pretty=*/format == OutputFormat::kJson) + "\n";
}

std::string RenderStreamItem(const JsonValue& value, OutputFormat format) {
  if (format == OutputFormat::kYaml) return "---\n" + WriteYaml(value);
  return WriteJson(value, /*pretty=*/false) + "\n";
}

}  // namespace agreements::cli
