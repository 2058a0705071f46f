// Validators of single values: ids, texts, codes, dates, money, enums, field masks.
#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/error_info.h"
#include "common/status_macros.h"
#include "domain/iso_codes.h"
#include "domain/limits.h"
#include "domain/validation.h"
#include "domain/validation_internal.h"

namespace agreements::domain {
namespace {

using internal::Invalid;

bool IsLeapYear(int32_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int DaysInMonth(int32_t year, int32_t month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

bool IsSchemeChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' ||
         c == '.';
}

}  // namespace

bool IsValidId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxIdChars) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              (i > 0 && (c == '-' || c == '.'));
    if (!ok) return false;
  }
  return true;
}

bool IsSha256Hex(absl::string_view hex) {
  return hex.size() == 64 && std::all_of(hex.begin(), hex.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool IsUrl(absl::string_view url) {
  size_t colon = url.find(':');
  if (colon == absl::string_view::npos || colon == 0 || colon + 1 == url.size()) {
    return false;
  }
  if (!absl::ascii_isalpha(static_cast<unsigned char>(url[0]))) return false;
  for (size_t i = 1; i < colon; ++i) {
    if (!IsSchemeChar(url[i])) return false;
  }
  return std::none_of(url.begin(), url.end(), [](char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

bool IsDateSet(const v1::Date& date) {
  return date.year() != 0 || date.month() != 0 || date.day() != 0 ||
         date.precision() != v1::DATE_PRECISION_UNSPECIFIED;
}

absl::Status ValidateDate(absl::string_view path, const v1::Date& date) {
  return internal::CheckDate(path, date, internal::Presence::kOptional);
}

absl::Status ValidateMoney(absl::string_view path, const v1::Money& money) {
  return internal::CheckMoney(path, money, internal::Presence::kOptional);
}

int CompareDates(const v1::Date& a, const v1::Date& b) {
  auto rank = [](v1::DatePrecision p) {
    return p == v1::DATE_PRECISION_YEAR ? 1 : p == v1::DATE_PRECISION_MONTH ? 2 : 3;
  };
  int depth = std::min(rank(a.precision()), rank(b.precision()));
  int32_t left[] = {a.year(), a.month(), a.day()};
  int32_t right[] = {b.year(), b.month(), b.day()};
  for (int i = 0; i < depth; ++i) {
    if (left[i] != right[i]) return left[i] < right[i] ? -1 : 1;
  }
  return 0;
}

const std::vector<std::string>& CorrectableAgreementPaths() {
  static const auto* paths =
      new std::vector<std::string>{"designation",
                                   "titles",
                                   "place_of_conclusion",
                                   "summary",
                                   "arity",
                                   "instrument_kind",
                                   "classifications",
                                   "documents",
                                   "participations",
                                   "adopted_on",
                                   "signed_on",
                                   "provisionally_applied_from",
                                   "entered_into_force_on",
                                   "ended_on",
                                   "termination_ground",
                                   "opened_for_signature_on",
                                   "identifiers",
                                   "withdrawal_clause",
                                   "withdrawal_excluded",
                                   "provisional_application_clause",
                                   "term"};
  return *paths;
}

const std::vector<std::string>& CorrectablePartyPaths() {
  static const auto* paths =
      new std::vector<std::string>{"names",        "country_code",  "identifiers",
                                   "type",         "controlled_by", "former_country_code",
                                   "existed_from", "existed_until", "predecessors"};
  return *paths;
}

namespace internal {

std::string Quote(absl::string_view value) {
  constexpr size_t kMaxShown = 80;
  std::string shown = absl::CHexEscape(value.substr(0, kMaxShown));
  return absl::StrCat("\"", shown, value.size() > kMaxShown ? "...\"" : "\"");
}

std::string Field(absl::string_view base, absl::string_view name) {
  return base.empty() ? std::string(name) : absl::StrCat(base, ".", name);
}

std::string Element(absl::string_view base, absl::string_view name, int index) {
  return absl::StrCat(Field(base, name), "[", index, "]");
}

absl::Status Invalid(absl::string_view path, absl::string_view rule) {
  return errors::InvalidField(path, rule);
}

namespace {

absl::Status Missing(absl::string_view kind, absl::string_view reason,
                     absl::string_view id, absl::string_view path) {
  std::string message = absl::StrCat(kind, " ", id, " not found");
  errors::Metadata metadata = {{absl::StrCat(kind, "_id"), std::string(id)}};
  if (!path.empty()) {
    absl::StrAppend(&message, " (", path, ")");
    metadata.emplace_back("field", std::string(path));
  }
  return errors::WithReason(absl::NotFoundError(message), reason, metadata);
}

absl::Status Exists(absl::string_view kind, absl::string_view reason,
                    absl::string_view id) {
  return errors::WithReason(
      absl::AlreadyExistsError(absl::StrCat(kind, " ", id, " already exists")), reason,
      {{absl::StrCat(kind, "_id"), std::string(id)}});
}

}  // namespace

absl::Status PartyNotFound(absl::string_view id, absl::string_view path) {
  return Missing("party", errors::kPartyNotFound, id, path);
}

absl::Status AgreementNotFound(absl::string_view id, absl::string_view path) {
  return Missing("agreement", errors::kAgreementNotFound, id, path);
}

absl::Status PartyExists(absl::string_view id) {
  return Exists("party", errors::kPartyExists, id);
}

absl::Status AgreementExists(absl::string_view id) {
  return Exists("agreement", errors::kAgreementExists, id);
}

size_t Utf8Length(absl::string_view text) {
  return std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  });
}

absl::Status CheckId(absl::string_view path, absl::string_view id, Presence presence) {
  if (id.empty()) {
    return presence == Presence::kRequired ? Invalid(path, "must be set")
                                           : absl::OkStatus();
  }
  if (!IsValidId(id)) {
    return Invalid(path, absl::StrCat("must be a registry id: 1 to 63 characters of "
                                      "[a-z0-9.-] starting with a letter or digit (got ",
                                      Quote(id), ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckText(absl::string_view path, absl::string_view text, size_t max_chars,
                       Presence presence) {
  if (text.empty()) {
    return presence == Presence::kRequired ? Invalid(path, "must be set")
                                           : absl::OkStatus();
  }
  size_t length = Utf8Length(text);
  if (length > max_chars) {
    return Invalid(path, absl::StrFormat("must be at most %d characters (got %d)",
                                         max_chars, length));
  }
  return absl::OkStatus();
}

absl::Status CheckLanguage(absl::string_view path, absl::string_view tag,
                           Presence presence) {
  if (tag.empty()) {
    return presence == Presence::kRequired ? Invalid(path, "must be set")
                                           : absl::OkStatus();
  }
  if (tag.size() > kMaxLanguageTagChars || !IsLanguageTag(tag)) {
    return Invalid(path,
                   absl::StrCat("must be a BCP 47 language tag (got ", Quote(tag), ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckCountry(absl::string_view path, absl::string_view code,
                          Presence presence) {
  if (code.empty()) {
    return presence == Presence::kRequired ? Invalid(path, "must be set")
                                           : absl::OkStatus();
  }
  if (!IsCountryCode(code)) {
    return Invalid(path,
                   absl::StrCat("must be an ISO 3166-1 alpha-2 country code in upper "
                                "case (got ",
                                Quote(code), ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckDate(absl::string_view path, const v1::Date& date, Presence presence) {
  if (!IsDateSet(date)) {
    return presence == Presence::kRequired ? Invalid(path, "must be set")
                                           : absl::OkStatus();
  }
  RETURN_IF_ERROR(CheckEnum(Field(path, "precision"), date.precision(),
                            v1::DatePrecision_descriptor(), Presence::kOptional));
  if (date.precision() == v1::DATE_PRECISION_UNSPECIFIED) {
    return Invalid(Field(path, "precision"), "must be set when the date is set");
  }
  if (date.year() < kMinYear || date.year() > kMaxYear) {
    return Invalid(Field(path, "year"), absl::StrFormat("must be %d..%d (got %d)",
                                                        kMinYear, kMaxYear, date.year()));
  }
  const std::string precision = v1::DatePrecision_Name(date.precision());
  if (date.precision() == v1::DATE_PRECISION_YEAR) {
    if (date.month() != 0) {
      return Invalid(Field(path, "month"), absl::StrFormat("must be 0 with %s (got %d)",
                                                           precision, date.month()));
    }
  } else if (date.month() < 1 || date.month() > 12) {
    return Invalid(Field(path, "month"), absl::StrFormat("must be 1..12 with %s (got %d)",
                                                         precision, date.month()));
  }
  if (date.precision() == v1::DATE_PRECISION_DAY) {
    int days = DaysInMonth(date.year(), date.month());
    if (date.day() < 1 || date.day() > days) {
      return Invalid(Field(path, "day"),
                     absl::StrFormat("must be 1..%d for %04d-%02d (got %d)", days,
                                     date.year(), date.month(), date.day()));
    }
  } else if (date.day() != 0) {
    return Invalid(Field(path, "day"),
                   absl::StrFormat("must be 0 with %s (got %d)", precision, date.day()));
  }
  return absl::OkStatus();
}

absl::Status CheckMoney(absl::string_view path, const v1::Money& money,
                        Presence presence) {
  if (money.currency_code().empty() && money.units() == 0 && money.nanos() == 0) {
    return presence == Presence::kRequired ? Invalid(path, "must be set")
                                           : absl::OkStatus();
  }
  if (money.currency_code().empty()) {
    return Invalid(Field(path, "currency_code"), "must be set");
  }
  if (!IsCurrencyCode(money.currency_code())) {
    return Invalid(Field(path, "currency_code"),
                   absl::StrCat("must be an active ISO 4217 currency code (got ",
                                Quote(money.currency_code()), ")"));
  }
  if (money.nanos() <= -1000000000 || money.nanos() >= 1000000000) {
    return Invalid(
        Field(path, "nanos"),
        absl::StrFormat("must be within (-10^9, 10^9) (got %d)", money.nanos()));
  }
  if (money.units() > kMaxMoneyUnits || money.units() < -kMaxMoneyUnits) {
    return Invalid(Field(path, "units"), absl::StrFormat("at most %d units (got %d)",
                                                         kMaxMoneyUnits, money.units()));
  }
  if ((money.units() > 0 && money.nanos() < 0) ||
      (money.units() < 0 && money.nanos() > 0)) {
    return Invalid(path, absl::StrFormat("units and nanos must have the same sign (got "
                                         "units %d, nanos %d)",
                                         money.units(), money.nanos()));
  }
  if (money.units() < 0 || money.nanos() < 0) {
    return Invalid(path, "must not be negative");
  }
  return absl::OkStatus();
}

absl::Status CheckEnum(absl::string_view path, int value,
                       const google::protobuf::EnumDescriptor* type, Presence presence) {
  if (type->FindValueByNumber(value) == nullptr) {
    return Invalid(
        path, absl::StrFormat("must be a known %s value (got %d)", type->name(), value));
  }
  if (value == 0 && presence == Presence::kRequired) {
    return Invalid(
        path, absl::StrCat("must be set (not ", type->FindValueByNumber(0)->name(), ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckUnset(const google::protobuf::Message& message, absl::string_view path,
                        const std::vector<std::string>& fields, absl::string_view rule) {
  const google::protobuf::Descriptor* descriptor = message.GetDescriptor();
  const google::protobuf::Reflection* reflection = message.GetReflection();
  for (const std::string& name : fields) {
    const google::protobuf::FieldDescriptor* field = descriptor->FindFieldByName(name);
    if (field == nullptr) continue;
    bool set = field->is_repeated() ? reflection->FieldSize(message, field) > 0
                                    : reflection->HasField(message, field);
    if (set) return Invalid(Field(path, name), rule);
  }
  return absl::OkStatus();
}

absl::Status CheckOnlyMasked(const google::protobuf::Message& message,
                             absl::string_view path,
                             const google::protobuf::FieldMask& mask,
                             const std::vector<std::string>& also_allowed) {
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  message.GetReflection()->ListFields(message, &fields);
  for (const google::protobuf::FieldDescriptor* field : fields) {
    const std::string& name = field->name();
    if (std::find(mask.paths().begin(), mask.paths().end(), name) != mask.paths().end() ||
        std::find(also_allowed.begin(), also_allowed.end(), name) != also_allowed.end()) {
      continue;
    }
    return Invalid(Field(path, name), "must be empty: the field mask does not name it");
  }
  return absl::OkStatus();
}

absl::Status CheckMaskPaths(absl::string_view path,
                            const google::protobuf::FieldMask& mask,
                            const std::vector<std::string>& allowed) {
  if (mask.paths_size() == 0) {
    return Invalid(Field(path, "paths"), "must name at least one field");
  }
  if (mask.paths_size() > kMaxMaskPaths) {
    return Invalid(Field(path, "paths"),
                   absl::StrFormat("must have at most %d entries (got %d)", kMaxMaskPaths,
                                   mask.paths_size()));
  }
  for (int i = 0; i < mask.paths_size(); ++i) {
    const std::string& p = mask.paths(i);
    if (std::find(allowed.begin(), allowed.end(), p) == allowed.end()) {
      return Invalid(Element(path, "paths", i),
                     absl::StrCat("must be one of ", absl::StrJoin(allowed, ", "),
                                  " (got ", Quote(p), ")"));
    }
    for (int j = 0; j < i; ++j) {
      if (mask.paths(j) == p) {
        return Invalid(
            Element(path, "paths", i),
            absl::StrFormat("duplicate path %s (also paths[%d])", Quote(p), j));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace internal
}  // namespace agreements::domain
