#include "common/proto_values.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace agreements {
namespace {

bool IsLeapYear(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

bool AllDigits(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<v1::Date> ParseDate(absl::string_view text) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, '-');
  const auto bad = [&text](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("date \"", text, "\": ", why, " (use YYYY, YYYY-MM or YYYY-MM-DD)"));
  };
  if (parts.size() > 3) return bad("too many parts");
  v1::Date date;
  int values[3] = {0, 0, 0};
  const size_t widths[3] = {4, 2, 2};
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].size() != widths[i] || !AllDigits(parts[i]) ||
        !absl::SimpleAtoi(parts[i], &values[i])) {
      return bad("not a date");
    }
  }
  if (values[0] < 1) return bad("year must be 1 or later");
  if (parts.size() >= 2 && (values[1] < 1 || values[1] > 12))
    return bad("month out of range");
  if (parts.size() == 3 &&
      (values[2] < 1 || values[2] > DaysInMonth(values[0], values[1]))) {
    return bad("day out of range");
  }
  date.set_year(values[0]);
  date.set_month(values[1]);
  date.set_day(values[2]);
  date.set_precision(parts.size() == 1   ? v1::DATE_PRECISION_YEAR
                     : parts.size() == 2 ? v1::DATE_PRECISION_MONTH
                                         : v1::DATE_PRECISION_DAY);
  return date;
}

std::string EnumPrefix(const google::protobuf::EnumDescriptor& type) {
  const google::protobuf::EnumValueDescriptor* zero = type.FindValueByNumber(0);
  if (zero == nullptr) return "";
  absl::string_view name = zero->name();
  if (!absl::ConsumeSuffix(&name, "UNSPECIFIED")) return "";
  return std::string(name);
}

absl::StatusOr<int> ParseEnumValue(const google::protobuf::EnumDescriptor& type,
                                   absl::string_view text) {
  std::string name = absl::AsciiStrToUpper(text);
  absl::StrReplaceAll({{"-", "_"}}, &name);
  const std::string prefix = EnumPrefix(type);
  const google::protobuf::EnumValueDescriptor* value =
      type.FindValueByName(prefix + name);
  if (value == nullptr) value = type.FindValueByName(name);
  if (value == nullptr || value->number() == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text, "\" is not ", EnumChoices(type)));
  }
  return value->number();
}

std::string EnumShortName(const google::protobuf::EnumDescriptor& type, int value) {
  if (value == 0) return "-";
  const google::protobuf::EnumValueDescriptor* descriptor = type.FindValueByNumber(value);
  if (descriptor == nullptr) return absl::StrCat(value);
  absl::string_view name = descriptor->name();
  absl::ConsumePrefix(&name, EnumPrefix(type));
  return absl::AsciiStrToLower(name);
}

std::string EnumChoices(const google::protobuf::EnumDescriptor& type) {
  std::vector<std::string> names;
  for (int i = 0; i < type.value_count(); ++i) {
    if (type.value(i)->number() == 0) continue;
    names.push_back(EnumShortName(type, type.value(i)->number()));
  }
  return absl::StrCat("one of: ", absl::StrJoin(names, ", "));
}

}  // namespace agreements
