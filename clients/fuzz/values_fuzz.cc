// Fuzz target of the CLI's value parsers (clients/cli_values.h, common/proto_values.h):
// every flag value a person or a script types.
//
// The first byte picks the parser (FuzzInput::Letter), the rest is the text:
//   'a' date          'b' enum: <type name>\n<text>   'c' money: <currency>\n<amount>
//   'd' LANG:TEXT     'e' classification    'f' participant     'g' identifier
//   'h' calendar period   'i' notice rule   'j' predecessor     'k' party status filter
//   'l' uint64        'm' int32             'n' duration (--wait)
// Properties: no parser crashes; every refusal is a local usage error (exit status 1);
// a parsed value written back in the form the parser reads (with the formatter where
// there is one: FormatDate, FormatMoney, FormatCalendarPeriod, EnumShortName) parses to
// the same value; dates are written back exactly as typed; the CLI and the shared
// parsers agree; every value of every enum is reachable by its short and full names.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "agreements/v1/agreement.pb.h"
#include "agreements/v1/events.pb.h"
#include "agreements/v1/party.pb.h"
#include "agreements/v1/query_service.pb.h"
#include "agreements/v1/types.pb.h"
#include "clients/cli_audit_internal.h"
#include "clients/cli_errors.h"
#include "clients/cli_flags.h"
#include "clients/cli_values.h"
#include "common/date_format.h"
#include "common/fuzz/fuzz_input.h"
#include "common/proto_values.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/message_differencer.h"

namespace agreements::cli {
namespace {

using fuzz::Describe;
using fuzz::FuzzInput;
using google::protobuf::EnumDescriptor;
using google::protobuf::util::MessageDifferencer;

std::string Quoted(absl::string_view text) {
  return absl::StrCat("\"", absl::CHexEscape(text), "\"");
}

// A refusal is a usage error: the tool exits 1 and says which value was wrong.
void CheckRefusal(const absl::Status& status, absl::string_view text) {
  FUZZ_CHECK(IsLocalError(status) && ExitCodeFor(status) == kExitUsage,
             absl::StrCat(Quoted(text), ": ", Describe(status)));
}

// `again` parsed from `written`, the form of `value` (parsed from `text`), is `value`.
template <typename Message>
void CheckSame(const absl::StatusOr<Message>& again, const Message& value,
               absl::string_view text, absl::string_view written) {
  FUZZ_CHECK(again.ok() && MessageDifferencer::Equals(*again, value),
             absl::StrCat(Quoted(text), " parsed to {", value.ShortDebugString(),
                          "}, written as ", Quoted(written), " which parses to ",
                          again.ok() ? "{" + again->ShortDebugString() + "}"
                                     : Describe(again.status())));
}

// ---- enums ----

void CollectEnums(const google::protobuf::Descriptor& message,
                  std::vector<const EnumDescriptor*>& enums) {
  for (int i = 0; i < message.enum_type_count(); ++i)
    enums.push_back(message.enum_type(i));
  for (int i = 0; i < message.nested_type_count(); ++i) {
    CollectEnums(*message.nested_type(i), enums);
  }
}

// Every enum of the agreements.v1 files the CLI links.
const std::vector<const EnumDescriptor*>& AllEnums() {
  static const std::vector<const EnumDescriptor*>* const all = [] {
    auto* enums = new std::vector<const EnumDescriptor*>();
    for (const google::protobuf::FileDescriptor* file :
         {v1::Date::descriptor()->file(), v1::Agreement::descriptor()->file(),
          v1::Party::descriptor()->file(), v1::Event::descriptor()->file(),
          v1::ListAgreementsRequest::descriptor()->file()}) {
      for (int i = 0; i < file->enum_type_count(); ++i)
        enums->push_back(file->enum_type(i));
      for (int i = 0; i < file->message_type_count(); ++i) {
        CollectEnums(*file->message_type(i), *enums);
      }
    }
    return enums;
  }();
  return *all;
}

// The enum named by `name` ("AgreementStatus"), else one picked by the name's bytes.
const EnumDescriptor& EnumNamed(const std::string& name) {
  for (const EnumDescriptor* type : AllEnums()) {
    if (type->name() == name || type->full_name() == name) return *type;
  }
  size_t pick = 0;
  for (char c : name) pick += static_cast<uint8_t>(c);
  return *AllEnums()[pick % AllEnums().size()];
}

// The value's short and full names both read back as the value.
void CheckEnumNames(const EnumDescriptor& type, int number) {
  const std::string name = EnumShortName(type, number);
  absl::StatusOr<int> by_short = ParseEnumValue(type, name);
  FUZZ_CHECK(by_short.ok() && *by_short == number,
             absl::StrCat(type.full_name(), " ", number, " written as ", name));
  const std::string full = type.FindValueByNumber(number)->name();
  absl::StatusOr<int> by_full = ParseEnumValue(type, full);
  FUZZ_CHECK(by_full.ok() && *by_full == number,
             absl::StrCat(type.full_name(), " ", number, " by its full name ", full,
                          " reads as ", by_full.ok() ? absl::StrCat(*by_full) : "error"));
}

void FuzzEnum(FuzzInput& input) {
  const EnumDescriptor& type = EnumNamed(input.Line());
  const std::string text = input.Rest();
  if (type.value_count() > 1) {
    const int index = 1 + static_cast<int>(text.size() % (type.value_count() - 1));
    if (type.value(index)->number() != 0)
      CheckEnumNames(type, type.value(index)->number());
  }
  absl::StatusOr<int> value = ParseEnumValue(type, text);
  absl::StatusOr<int> shared = agreements::ParseEnumValue(type, text);
  FUZZ_CHECK(value.ok() == shared.ok() && (!value.ok() || *value == *shared), text);
  if (!value.ok()) {
    CheckRefusal(value.status(), text);
    return;
  }
  FUZZ_CHECK(*value != 0 && type.FindValueByNumber(*value) != nullptr,
             absl::StrCat(Quoted(text), " reads as ", *value));
  CheckEnumNames(type, *value);
  const std::vector<std::string> names = EnumShortNames(type);
  FUZZ_CHECK(
      std::find(names.begin(), names.end(), EnumShortName(type, *value)) != names.end(),
      absl::StrJoin(names, ","));
}

// ---- dates, money, periods ----

void FuzzDate(const std::string& text) {
  absl::StatusOr<v1::Date> date = ParseDate(text);
  absl::StatusOr<v1::Date> shared = agreements::ParseDate(text);
  FUZZ_CHECK(date.ok() == shared.ok(), Quoted(text));
  if (!date.ok()) {
    CheckRefusal(date.status(), text);
    return;
  }
  FUZZ_CHECK(MessageDifferencer::Equals(*date, *shared), Quoted(text));
  FUZZ_CHECK(FormatDate(*date) == text,
             absl::StrCat(Quoted(text), " written as ", FormatDate(*date)));
}

void FuzzMoney(FuzzInput& input) {
  const std::string currency = input.Line();
  const std::string amount = input.Rest();
  absl::StatusOr<v1::Money> money = ParseMoney(currency, amount);
  if (!money.ok()) {
    CheckRefusal(money.status(), amount);
    return;
  }
  const std::string shown = money->ShortDebugString();
  FUZZ_CHECK(money->currency_code() == absl::AsciiStrToUpper(currency), shown);
  // types.proto: units and nanos have the same sign; |nanos| < 10^9.
  FUZZ_CHECK(!(money->units() > 0 && money->nanos() < 0) &&
                 !(money->units() < 0 && money->nanos() > 0) &&
                 money->nanos() > -1000000000 && money->nanos() < 1000000000,
             absl::StrCat(Quoted(amount), ": ", shown));
  const std::string written = FormatMoney(*money);
  if (written == "-") {
    FUZZ_CHECK(
        money->currency_code().empty() && money->units() == 0 && money->nanos() == 0,
        shown);
    return;
  }
  const std::string prefix = money->currency_code() + " ";
  FUZZ_CHECK(absl::StartsWith(written, prefix), written);
  const std::string digits =
      absl::StrReplaceAll(written.substr(prefix.size()), {{",", ""}});
  CheckSame(ParseMoney(money->currency_code(), digits), *money, amount, written);
}

void FuzzCalendarPeriod(const std::string& text) {
  absl::StatusOr<v1::CalendarPeriod> period = ParseCalendarPeriod("period", text);
  if (!period.ok()) {
    CheckRefusal(period.status(), text);
    return;
  }
  FUZZ_CHECK(period->years() >= 0 && period->months() >= 0 && period->days() >= 0,
             period->ShortDebugString());
  const std::string written = FormatCalendarPeriod(*period);
  CheckSame(ParseCalendarPeriod("period", written), *period, text, written);
}

void FuzzNoticeRule(const std::string& text) {
  absl::StatusOr<v1::NoticeRule> rule = ParseNoticeRule("notice", text);
  if (!rule.ok()) {
    CheckRefusal(rule.status(), text);
    return;
  }
  const std::string written =
      absl::StrCat(FormatCalendarPeriod(rule->period()), ":", EnumName(rule->counting()));
  CheckSame(ParseNoticeRule("notice", written), *rule, text, written);
}

// ---- SCHEME:VALUE forms ----

void FuzzLocalizedText(const std::string& text) {
  absl::StatusOr<v1::LocalizedText> localized = ParseLocalizedText(text);
  if (!localized.ok()) {
    CheckRefusal(localized.status(), text);
    return;
  }
  const std::string written = absl::StrCat(localized->language(), ":", localized->text());
  FUZZ_CHECK(written == text, Quoted(written));
  CheckSame(ParseLocalizedText(written), *localized, text, written);
}

void FuzzClassification(const std::string& text) {
  absl::StatusOr<v1::Classification> classification = ParseClassification(text);
  if (!classification.ok()) {
    CheckRefusal(classification.status(), text);
    return;
  }
  const std::string written =
      absl::StrCat(EnumName(classification->scheme()), ":", classification->code());
  CheckSame(ParseClassification(written), *classification, text, written);
}

void FuzzParticipant(const std::string& text) {
  absl::StatusOr<v1::Participation> participation = ParseParticipant(text);
  if (!participation.ok()) {
    CheckRefusal(participation.status(), text);
    return;
  }
  FUZZ_CHECK(!participation->party_id().empty() && participation->roles_size() > 0,
             participation->ShortDebugString());
  std::vector<std::string> roles;
  for (int role : participation->roles()) {
    roles.push_back(EnumName(static_cast<v1::ParticipantRole>(role)));
  }
  const std::string written =
      absl::StrCat(participation->party_id(), ":", absl::StrJoin(roles, ","));
  CheckSame(ParseParticipant(written), *participation, text, written);
}

void FuzzIdentifier(const std::string& text) {
  absl::StatusOr<v1::Identifier> identifier = ParseIdentifier(text);
  if (!identifier.ok()) {
    CheckRefusal(identifier.status(), text);
    return;
  }
  FUZZ_CHECK(!identifier->scheme().empty() && !identifier->value().empty(),
             identifier->ShortDebugString());
  const std::string written =
      absl::StrCat(identifier->scheme(), ":", identifier->value());
  CheckSame(ParseIdentifier(written), *identifier, text, written);
}

void FuzzPredecessor(const std::string& text) {
  absl::StatusOr<v1::PartySuccession> predecessor = ParsePredecessor("predecessor", text);
  if (!predecessor.ok()) {
    CheckRefusal(predecessor.status(), text);
    return;
  }
  std::string written = predecessor->party_id();
  const std::string date = predecessor->has_date() ? FormatDate(predecessor->date()) : "";
  if (predecessor->kind() != v1::SUCCESSION_KIND_UNSPECIFIED) {
    absl::StrAppend(&written, ":", date, ":", EnumName(predecessor->kind()));
  } else if (!date.empty()) {
    absl::StrAppend(&written, ":", date);
  }
  CheckSame(ParsePredecessor("predecessor", written), *predecessor, text, written);
}

void FuzzPartyStatusFilter(const std::string& text) {
  absl::StatusOr<PartyStatusFilter> filter = ParsePartyStatusFilter(text);
  if (!filter.ok()) {
    CheckRefusal(filter.status(), text);
    return;
  }
  const bool has_status = filter->status != v1::PARTICIPATION_STATUS_UNSPECIFIED;
  const bool has_condition = filter->condition != v1::PARTY_CONDITION_UNSPECIFIED;
  FUZZ_CHECK(has_status != has_condition, Quoted(text));
  const std::string written = has_status
                                  ? EnumName(filter->status)
                                  : (filter->condition == v1::PARTY_CONDITION_IN_FORCE_FOR
                                         ? "in_force"
                                         : "provisionally_applying");
  absl::StatusOr<PartyStatusFilter> again = ParsePartyStatusFilter(written);
  FUZZ_CHECK(again.ok() && again->status == filter->status &&
                 again->condition == filter->condition,
             absl::StrCat(Quoted(text), " written as ", written));
}

// ---- numbers and durations ----

void FuzzUint64(const std::string& text) {
  absl::StatusOr<uint64_t> value = ParseUint64("limit", text);
  if (!value.ok()) {
    CheckRefusal(value.status(), text);
    return;
  }
  absl::StatusOr<uint64_t> again = ParseUint64("limit", absl::StrCat(*value));
  FUZZ_CHECK(again.ok() && *again == *value, Quoted(text));
}

void FuzzInt32(const std::string& text) {
  absl::StatusOr<int32_t> value = ParseInt32("page-size", text);
  if (!value.ok()) {
    CheckRefusal(value.status(), text);
    return;
  }
  FUZZ_CHECK(*value >= 0, Quoted(text));
  absl::StatusOr<int32_t> again = ParseInt32("page-size", absl::StrCat(*value));
  FUZZ_CHECK(again.ok() && *again == *value, Quoted(text));
}

void FuzzDuration(const std::string& text) {
  ParsedArgs args;
  args.Add("wait", text);
  absl::StatusOr<absl::Duration> wait =
      PositiveDurationFlag(args, "wait", absl::Seconds(1));
  if (!wait.ok()) {
    CheckRefusal(wait.status(), text);
    return;
  }
  FUZZ_CHECK(*wait > absl::ZeroDuration(), Quoted(text));
  absl::Duration again;
  FUZZ_CHECK(absl::ParseDuration(absl::FormatDuration(*wait), &again) && again == *wait,
             absl::StrCat(Quoted(text), " written as ", absl::FormatDuration(*wait)));
}

}  // namespace
}  // namespace agreements::cli

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace cli = agreements::cli;
  agreements::fuzz::FuzzInput input(data, size);
  const int parser = input.Letter(14);
  if (parser == 1) {
    cli::FuzzEnum(input);
    return 0;
  }
  if (parser == 2) {
    cli::FuzzMoney(input);
    return 0;
  }
  const std::string text = input.Rest();
  switch (parser) {
    case 0:
      cli::FuzzDate(text);
      break;
    case 3:
      cli::FuzzLocalizedText(text);
      break;
    case 4:
      cli::FuzzClassification(text);
      break;
    case 5:
      cli::FuzzParticipant(text);
      break;
    case 6:
      cli::FuzzIdentifier(text);
      break;
    case 7:
      cli::FuzzCalendarPeriod(text);
      break;
    case 8:
      cli::FuzzNoticeRule(text);
      break;
    case 9:
      cli::FuzzPredecessor(text);
      break;
    case 10:
      cli::FuzzPartyStatusFilter(text);
      break;
    case 11:
      cli::FuzzUint64(text);
      break;
    case 12:
      cli::FuzzInt32(text);
      break;
    default:
      cli::FuzzDuration(text);
      break;
  }
  return 0;
}
