#include "gateway/request_binding.h"

#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/proto_values.h"
#include "google/protobuf/util/json_util.h"

namespace agreements::gateway {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

absl::Status Invalid(absl::string_view path, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", why));
}

const FieldDescriptor* FindField(const Message& message, absl::string_view name) {
  const google::protobuf::Descriptor* type = message.GetDescriptor();
  const FieldDescriptor* field = type->FindFieldByName(std::string(name));
  if (field == nullptr) field = type->FindFieldByCamelcaseName(std::string(name));
  return field;
}

template <typename T>
absl::StatusOr<T> ParseNumber(absl::string_view path, absl::string_view text) {
  T value{};
  if (!absl::SimpleAtoi(text, &value)) {
    return Invalid(path,
                   absl::StrCat("expected an integer in range (got \"", text, "\")"));
  }
  return value;
}

absl::StatusOr<bool> ParseBool(absl::string_view path, absl::string_view text) {
  if (text == "true" || text == "1" || text.empty()) return true;
  if (text == "false" || text == "0") return false;
  return Invalid(path, absl::StrCat("expected true or false (got \"", text, "\")"));
}

// A message field's value: a legal date, a timestamp, or proto3 JSON.
absl::Status ParseMessage(absl::string_view path, absl::string_view text,
                          Message& message) {
  const std::string& type = message.GetDescriptor()->full_name();
  if (type == "agreements.v1.Date") {
    absl::StatusOr<v1::Date> date = ParseDate(text);
    if (!date.ok()) return Invalid(path, date.status().message());
    message.CopyFrom(*date);
    return absl::OkStatus();
  }
  std::string json(text);
  if (type == "google.protobuf.Timestamp" || type == "google.protobuf.Duration") {
    json = absl::StrCat("\"", text, "\"");
  }
  const auto parsed = google::protobuf::util::JsonStringToMessage(json, &message);
  if (!parsed.ok()) {
    return Invalid(path,
                   type == "google.protobuf.Timestamp"
                       ? absl::StrCat("expected an RFC 3339 time (got \"", text, "\")")
                       : absl::StrCat("expected ", type,
                                      " as JSON: ", std::string(parsed.message())));
  }
  return absl::OkStatus();
}

// Sets (or adds, for a repeated field) one scalar or enum value.
absl::Status SetScalar(absl::string_view path, absl::string_view text,
                       const FieldDescriptor& field, Message& message) {
  const Reflection& r = *message.GetReflection();
  const bool repeated = field.is_repeated();
  switch (field.cpp_type()) {
#define AGREEMENTS_SET_NUMBER(CPP, TYPE, NAME)                  \
  case FieldDescriptor::CPP: {                                  \
    absl::StatusOr<TYPE> value = ParseNumber<TYPE>(path, text); \
    if (!value.ok()) return value.status();                     \
    repeated ? r.Add##NAME(&message, &field, *value)            \
             : r.Set##NAME(&message, &field, *value);           \
    return absl::OkStatus();                                    \
  }
    AGREEMENTS_SET_NUMBER(CPPTYPE_INT32, int32_t, Int32)
    AGREEMENTS_SET_NUMBER(CPPTYPE_INT64, int64_t, Int64)
    AGREEMENTS_SET_NUMBER(CPPTYPE_UINT32, uint32_t, UInt32)
    AGREEMENTS_SET_NUMBER(CPPTYPE_UINT64, uint64_t, UInt64)
#undef AGREEMENTS_SET_NUMBER
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double value = 0;
      if (!absl::SimpleAtod(text, &value)) {
        return Invalid(path, absl::StrCat("expected a number (got \"", text, "\")"));
      }
      if (field.cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
        repeated ? r.AddFloat(&message, &field, static_cast<float>(value))
                 : r.SetFloat(&message, &field, static_cast<float>(value));
      } else {
        repeated ? r.AddDouble(&message, &field, value)
                 : r.SetDouble(&message, &field, value);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      absl::StatusOr<bool> value = ParseBool(path, text);
      if (!value.ok()) return value.status();
      repeated ? r.AddBool(&message, &field, *value)
               : r.SetBool(&message, &field, *value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      int number = 0;
      if (!absl::SimpleAtoi(text, &number)) {
        absl::StatusOr<int> value = ParseEnumValue(*field.enum_type(), text);
        if (!value.ok()) return Invalid(path, value.status().message());
        number = *value;
      }
      repeated ? r.AddEnumValue(&message, &field, number)
               : r.SetEnumValue(&message, &field, number);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string value(text);
      if (field.type() == FieldDescriptor::TYPE_BYTES) {
        if (!absl::Base64Unescape(text, &value) &&
            !absl::WebSafeBase64Unescape(text, &value)) {
          return Invalid(path, "expected base64");
        }
      }
      repeated ? r.AddString(&message, &field, std::move(value))
               : r.SetString(&message, &field, std::move(value));
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      Message* value =
          repeated ? r.AddMessage(&message, &field) : r.MutableMessage(&message, &field);
      return ParseMessage(path, text, *value);
    }
  }
  return Invalid(path, "this field cannot be set from a parameter");
}

absl::Status Bind(absl::string_view path, absl::string_view text, Message& request) {
  const std::vector<absl::string_view> names = absl::StrSplit(path, '.');
  Message* message = &request;
  for (size_t i = 0; i < names.size(); ++i) {
    const FieldDescriptor* field = FindField(*message, names[i]);
    if (field == nullptr) {
      return Invalid(
          path, absl::StrCat("no such field in ", message->GetDescriptor()->full_name()));
    }
    const bool last = i + 1 == names.size();
    if (last) return SetScalar(path, text, *field, *message);
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || field->is_repeated()) {
      return Invalid(path, absl::StrCat(names[i], " has no fields to name"));
    }
    message = message->GetReflection()->MutableMessage(message, field);
  }
  return Invalid(path, "empty field name");
}

}  // namespace

absl::Status BindRequest(const std::vector<std::pair<std::string, std::string>>& params,
                         google::protobuf::Message& request) {
  std::set<std::string> seen;
  for (const auto& [path, value] : params) {
    if (path.empty()) return absl::InvalidArgumentError("a query parameter has no name");
    if (!seen.insert(path).second) {
      // A second value is only for repeated fields; Bind appends to those.
      const FieldDescriptor* field = nullptr;
      const Message* message = &request;
      for (absl::string_view name : absl::StrSplit(path, '.')) {
        field = message == nullptr ? nullptr : FindField(*message, name);
        if (field == nullptr) break;
        message =
            field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !field->is_repeated()
                ? &message->GetReflection()->GetMessage(*message, field)
                : nullptr;
      }
      if (field != nullptr && !field->is_repeated()) {
        return Invalid(path, "given more than once, but takes one value");
      }
    }
    if (absl::Status bound = Bind(path, value, request); !bound.ok()) return bound;
  }
  return absl::OkStatus();
}

}  // namespace agreements::gateway
