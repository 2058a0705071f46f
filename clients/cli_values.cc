#include "clients/cli_values.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/proto_values.h"
#include "common/sha256.h"
#include "google/protobuf/util/json_util.h"

namespace agreements::cli {
namespace {

bool AllDigits(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string WithThousands(absl::string_view digits) {
  std::string out;
  const size_t first = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
  absl::StrAppend(&out, digits.substr(0, first));
  for (size_t i = first; i < digits.size(); i += 3) {
    out.push_back(',');
    absl::StrAppend(&out, digits.substr(i, 3));
  }
  return out;
}

}  // namespace

absl::StatusOr<v1::Date> ParseDate(absl::string_view text) {
  absl::StatusOr<v1::Date> date = agreements::ParseDate(text);
  if (!date.ok()) return LocalError(date.status());
  return date;
}

absl::StatusOr<int> ParseEnumValue(const google::protobuf::EnumDescriptor& type,
                                   absl::string_view text) {
  absl::StatusOr<int> value = agreements::ParseEnumValue(type, text);
  if (!value.ok()) return LocalError(value.status());
  return value;
}

std::vector<std::string> EnumShortNames(const google::protobuf::EnumDescriptor& type) {
  std::vector<std::string> names;
  for (int i = 0; i < type.value_count(); ++i) {
    if (type.value(i)->number() != 0) {
      names.push_back(EnumShortName(type, type.value(i)->number()));
    }
  }
  return names;
}

std::string EnumShortName(const google::protobuf::EnumDescriptor& type, int value) {
  return agreements::EnumShortName(type, value);
}

std::string EnumChoices(const google::protobuf::EnumDescriptor& type) {
  return agreements::EnumChoices(type);
}

std::string ConfidentialityName(v1::Confidentiality level) {
  return EnumName(level == v1::CONFIDENTIALITY_UNSPECIFIED ? v1::CONFIDENTIALITY_PUBLIC
                                                           : level);
}

absl::StatusOr<v1::Money> ParseMoney(absl::string_view currency,
                                     absl::string_view amount) {
  const auto bad = [&amount](absl::string_view why) {
    return UsageError(absl::StrCat("amount \"", amount, "\": ", why));
  };
  absl::string_view rest = amount;
  const bool negative = absl::ConsumePrefix(&rest, "-");
  const size_t dot = rest.find('.');
  absl::string_view whole = rest.substr(0, dot);
  absl::string_view fraction =
      dot == absl::string_view::npos ? absl::string_view() : rest.substr(dot + 1);
  if (!AllDigits(whole)) return bad("not a decimal number");
  if (dot != absl::string_view::npos && !AllDigits(fraction))
    return bad("not a decimal number");
  if (fraction.size() > 9) return bad("more than 9 decimal places");
  int64_t units = 0;
  if (whole.size() > 18 || !absl::SimpleAtoi(whole, &units)) return bad("too large");
  std::string nanos_text(fraction);
  nanos_text.resize(9, '0');
  int32_t nanos = 0;
  if (!absl::SimpleAtoi(nanos_text, &nanos)) return bad("not a decimal number");
  v1::Money money;
  money.set_currency_code(absl::AsciiStrToUpper(currency));
  money.set_units(negative ? -units : units);
  money.set_nanos(negative ? -nanos : nanos);
  return money;
}

std::string FormatMoney(const v1::Money& money) {
  if (money.currency_code().empty() && money.units() == 0 && money.nanos() == 0)
    return "-";
  const bool negative = money.units() < 0 || money.nanos() < 0;
  const uint64_t units = negative ? -static_cast<uint64_t>(money.units())
                                  : static_cast<uint64_t>(money.units());
  std::string out = absl::StrCat(money.currency_code(), " ", negative ? "-" : "",
                                 WithThousands(absl::StrCat(units)));
  if (money.nanos() != 0) {
    std::string fraction =
        absl::StrFormat("%09d", negative ? -money.nanos() : money.nanos());
    while (fraction.size() > 2 && fraction.back() == '0') fraction.pop_back();
    absl::StrAppend(&out, ".", fraction);
  }
  return out;
}

absl::StatusOr<v1::LocalizedText> ParseLocalizedText(absl::string_view text) {
  const size_t colon = text.find(':');
  if (colon == absl::string_view::npos || colon == 0) {
    return UsageError(absl::StrCat("\"", text, "\": expected LANG:TEXT, e.g. en:Title"));
  }
  v1::LocalizedText localized;
  localized.set_language(std::string(text.substr(0, colon)));
  localized.set_text(std::string(text.substr(colon + 1)));
  return localized;
}

absl::StatusOr<v1::Classification> ParseClassification(absl::string_view text) {
  v1::Classification classification;
  const size_t colon = text.find(':');
  if (colon == absl::string_view::npos) {
    classification.set_scheme(v1::CLASSIFICATION_SCHEME_REGISTRY_SECTOR);
    classification.set_code(std::string(text));
    return classification;
  }
  absl::StatusOr<v1::ClassificationScheme> scheme =
      ParseEnum<v1::ClassificationScheme>(text.substr(0, colon));
  if (!scheme.ok()) return scheme.status();
  classification.set_scheme(*scheme);
  classification.set_code(std::string(text.substr(colon + 1)));
  return classification;
}

absl::StatusOr<v1::Participation> ParseParticipant(absl::string_view text) {
  v1::Participation participation;
  const size_t colon = text.find(':');
  participation.set_party_id(std::string(text.substr(0, colon)));
  if (participation.party_id().empty()) {
    return UsageError(absl::StrCat("\"", text, "\": expected PARTY_ID[:ROLE,...]"));
  }
  if (colon == absl::string_view::npos) {
    participation.add_roles(v1::PARTICIPANT_ROLE_PARTY);
    return participation;
  }
  for (absl::string_view role : absl::StrSplit(text.substr(colon + 1), ',')) {
    absl::StatusOr<v1::ParticipantRole> parsed = ParseEnum<v1::ParticipantRole>(role);
    if (!parsed.ok()) return parsed.status();
    participation.add_roles(*parsed);
  }
  return participation;
}

absl::StatusOr<v1::Identifier> ParseIdentifier(absl::string_view text) {
  const size_t colon = text.find(':');
  if (colon == absl::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return UsageError(
        absl::StrCat("\"", text, "\": expected SCHEME:VALUE, e.g. UNTS:I-4739"));
  }
  v1::Identifier identifier;
  identifier.set_scheme(std::string(text.substr(0, colon)));
  identifier.set_value(std::string(text.substr(colon + 1)));
  return identifier;
}

absl::StatusOr<v1::CalendarPeriod> ParseCalendarPeriod(absl::string_view flag,
                                                       absl::string_view text) {
  const auto bad = [&flag, &text](absl::string_view why) {
    return UsageError(absl::StrCat("--", flag, ": \"", text, "\": ", why,
                                   " (a period is years, months and days in that "
                                   "order, e.g. 1y, 6m, 60d, 1y6m)"));
  };
  if (text.empty()) return bad("empty");
  constexpr absl::string_view kUnits = "ymd";
  v1::CalendarPeriod period;
  size_t first_allowed = 0;  // units before this one were given or skipped
  absl::string_view rest = text;
  while (!rest.empty()) {
    size_t digits = 0;
    while (digits < rest.size() &&
           absl::ascii_isdigit(static_cast<unsigned char>(rest[digits]))) {
      ++digits;
    }
    if (digits == 0) return bad("expected a number");
    if (digits == rest.size()) return bad("a number needs a unit: y, m or d");
    int32_t value = 0;
    if (!absl::SimpleAtoi(rest.substr(0, digits), &value)) return bad("number too large");
    const size_t unit =
        kUnits.find(absl::ascii_tolower(static_cast<unsigned char>(rest[digits])));
    if (unit == absl::string_view::npos) return bad("unknown unit (y, m or d)");
    if (unit < first_allowed) return bad("each unit once, in the order y, m, d");
    first_allowed = unit + 1;
    if (unit == 0) period.set_years(value);
    if (unit == 1) period.set_months(value);
    if (unit == 2) period.set_days(value);
    rest.remove_prefix(digits + 1);
  }
  return period;
}

std::string FormatCalendarPeriod(const v1::CalendarPeriod& period) {
  std::string out;
  if (period.years() != 0) absl::StrAppend(&out, period.years(), "y");
  if (period.months() != 0) absl::StrAppend(&out, period.months(), "m");
  if (period.days() != 0 || out.empty()) absl::StrAppend(&out, period.days(), "d");
  return out;
}

absl::StatusOr<v1::NoticeRule> ParseNoticeRule(absl::string_view flag,
                                               absl::string_view text) {
  const size_t colon = text.find(':');
  v1::NoticeRule rule;
  absl::StatusOr<v1::CalendarPeriod> period =
      ParseCalendarPeriod(flag, text.substr(0, colon));
  if (!period.ok()) return period.status();
  *rule.mutable_period() = *period;
  rule.set_counting(v1::NOTICE_COUNTING_AFTER_RECEIPT);
  if (colon == absl::string_view::npos) return rule;
  absl::StatusOr<v1::NoticeCounting> counting =
      ParseEnum<v1::NoticeCounting>(text.substr(colon + 1));
  if (!counting.ok()) {
    return UsageError(
        absl::StrCat("--", flag, ": counting ", counting.status().message()));
  }
  rule.set_counting(*counting);
  return rule;
}

absl::StatusOr<v1::PartySuccession> ParsePredecessor(absl::string_view flag,
                                                     absl::string_view text) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  if (parts.size() > 3 || parts[0].empty()) {
    return UsageError(absl::StrCat("--", flag, ": \"", text,
                                   "\": expected ID[:DATE[:KIND]], e.g. "
                                   "suhh:1991-12-25:continuation"));
  }
  v1::PartySuccession predecessor;
  predecessor.set_party_id(std::string(parts[0]));
  if (parts.size() >= 2 && !parts[1].empty()) {
    absl::StatusOr<v1::Date> date = ParseDate(parts[1]);
    if (!date.ok()) {
      return UsageError(absl::StrCat("--", flag, ": ", date.status().message()));
    }
    *predecessor.mutable_date() = *date;
  }
  if (parts.size() == 3) {
    absl::StatusOr<v1::SuccessionKind> kind = ParseEnum<v1::SuccessionKind>(parts[2]);
    if (!kind.ok()) {
      return UsageError(absl::StrCat("--", flag, ": kind ", kind.status().message()));
    }
    predecessor.set_kind(*kind);
  }
  return predecessor;
}

absl::StatusOr<PartyStatusFilter> ParsePartyStatusFilter(absl::string_view text) {
  std::string name = absl::AsciiStrToLower(text);
  absl::StrReplaceAll({{"-", "_"}}, &name);
  PartyStatusFilter filter;
  if (name == "in_force" || name == "in_force_for") {
    filter.condition = v1::PARTY_CONDITION_IN_FORCE_FOR;
    return filter;
  }
  if (name == "provisionally_applying") {
    filter.condition = v1::PARTY_CONDITION_PROVISIONALLY_APPLYING;
    return filter;
  }
  if (name == "signed" || name == "signed_not_ratified") name = "signatory";
  if (name == "withdrew") name = "former_party";
  absl::StatusOr<v1::ParticipationStatus> status =
      ParseEnum<v1::ParticipationStatus>(name);
  if (!status.ok()) {
    return UsageError(absl::StrCat(
        "\"", text, "\" is neither a participation status (",
        EnumChoices(*v1::ParticipationStatus_descriptor()),
        "; signed, withdrew) nor a condition (in_force, provisionally_applying)"));
  }
  filter.status = *status;
  return filter;
}

absl::StatusOr<uint64_t> ParseUint64(absl::string_view flag, absl::string_view text) {
  uint64_t value = 0;
  if (!AllDigits(text) || !absl::SimpleAtoi(text, &value)) {
    return UsageError(absl::StrCat("--", flag, ": \"", text, "\" is not a whole number"));
  }
  return value;
}

absl::StatusOr<int32_t> ParseInt32(absl::string_view flag, absl::string_view text) {
  int32_t value = 0;
  if (!AllDigits(text) || !absl::SimpleAtoi(text, &value)) {
    return UsageError(absl::StrCat("--", flag, ": \"", text, "\" is not a whole number"));
  }
  return value;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin),
                       std::istreambuf_iterator<char>());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    return LocalError(
        absl::NotFoundError(absl::StrCat(path, ": ", std::strerror(error))));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad())
    return LocalError(absl::DataLossError(absl::StrCat(path, ": read failed")));
  return content.str();
}

absl::Status WriteFileAtomically(const std::string& path, absl::string_view content,
                                 int mode) {
  const std::filesystem::path target(path);
  std::error_code ignored;
  if (target.has_parent_path()) {
    std::filesystem::create_directories(target.parent_path(), ignored);
  }
  const std::string temp = absl::StrCat(path, ".tmp");
  const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  bool written = fd >= 0;
  if (written) {
    written = write(fd, content.data(), content.size()) ==
                  static_cast<ssize_t>(content.size()) &&
              fsync(fd) == 0;
    written = close(fd) == 0 && written;
  }
  if (!written || rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    unlink(temp.c_str());
    return LocalError(absl::PermissionDeniedError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(error))));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> FileSha256(const std::string& path) {
  absl::StatusOr<std::string> content = ReadFile(path);
  if (!content.ok()) return content.status();
  return DigestHex(Sha256::Hash(*content));
}

absl::Status ParseJson(absl::string_view json, absl::string_view source,
                       google::protobuf::Message& message) {
  const google::protobuf::util::Status status =
      google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(json.data(), json.size()), &message);
  if (status.ok()) return absl::OkStatus();
  return UsageError(
      absl::StrCat(source, ": not valid protobuf JSON for ", message.GetTypeName(), ": ",
                   absl::string_view(status.message().data(), status.message().size())));
}

std::string ToJson(const google::protobuf::Message& message, bool pretty) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = pretty;
  std::string out;
  // Serializing a valid message to JSON cannot fail.
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  if (pretty && !out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

absl::StatusOr<std::string> RequiredFlag(const ParsedArgs& args,
                                         const std::string& name) {
  std::optional<std::string> value = args.Get(name);
  if (!value.has_value() || value->empty()) {
    return UsageError(absl::StrCat("--", name, " is required"));
  }
  return *value;
}

absl::StatusOr<std::optional<v1::Date>> DateFlag(const ParsedArgs& args,
                                                 const std::string& name) {
  std::optional<std::string> text = args.Get(name);
  if (!text.has_value()) return std::optional<v1::Date>();
  absl::StatusOr<v1::Date> date = ParseDate(*text);
  if (!date.ok())
    return UsageError(absl::StrCat("--", name, ": ", date.status().message()));
  return std::optional<v1::Date>(*date);
}

absl::StatusOr<v1::Date> RequiredDateFlag(const ParsedArgs& args,
                                          const std::string& name) {
  absl::StatusOr<std::optional<v1::Date>> date = DateFlag(args, name);
  if (!date.ok()) return date.status();
  if (!date->has_value()) {
    return UsageError(
        absl::StrCat("--", name, " is required (YYYY, YYYY-MM or YYYY-MM-DD)"));
  }
  return **date;
}

}  // namespace agreements::cli
