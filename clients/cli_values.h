// Conversions between command-line text and API values: dates with precision, enums by
// short name, money, localized text, JSON files. Every parse error is a usage error that
// names the flag. Free functions; safe to call from any thread.
#ifndef AGREEMENTS_CLIENTS_CLI_VALUES_H_
#define AGREEMENTS_CLIENTS_CLI_VALUES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agreements/v1/agreement.pb.h"
#include "agreements/v1/party.pb.h"
#include "agreements/v1/query_service.pb.h"
#include "agreements/v1/types.pb.h"
#include "clients/cli_flags.h"
#include "google/protobuf/generated_enum_reflection.h"
#include "google/protobuf/message.h"

namespace agreements::cli {

namespace v1 = ::agreements::v1;

// "2009" (YEAR), "2009-05" (MONTH) or "2009-05-13" (DAY); checks the calendar.
absl::StatusOr<v1::Date> ParseDate(absl::string_view text);

// Enum values by name: the short lowercase name without the type prefix
// ("ratification" for CONSENT_MEANS_RATIFICATION), or the full name; case-insensitive,
// '-' accepted for '_'. The UNSPECIFIED value is not accepted.
absl::StatusOr<int> ParseEnumValue(const google::protobuf::EnumDescriptor& type,
                                   absl::string_view text);
// The short names of every value but UNSPECIFIED, in declaration order.
std::vector<std::string> EnumShortNames(const google::protobuf::EnumDescriptor& type);
// "ratification" for CONSENT_MEANS_RATIFICATION; "-" for UNSPECIFIED; the number when
// unknown.
std::string EnumShortName(const google::protobuf::EnumDescriptor& type, int value);
// "one of: simple, ad_referendum, definitive".
std::string EnumChoices(const google::protobuf::EnumDescriptor& type);

template <typename E>
absl::StatusOr<E> ParseEnum(absl::string_view text) {
  absl::StatusOr<int> value =
      ParseEnumValue(*google::protobuf::GetEnumDescriptor<E>(), text);
  if (!value.ok()) return value.status();
  return static_cast<E>(*value);
}
template <typename E>
std::string EnumName(E value) {
  return EnumShortName(*google::protobuf::GetEnumDescriptor<E>(),
                       static_cast<int>(value));
}

// `flag` with the short names of E's values as its choices (shell completion).
template <typename E>
FlagSpec EnumFlagSpec(FlagSpec flag) {
  flag.choices = EnumShortNames(*google::protobuf::GetEnumDescriptor<E>());
  return flag;
}
// `flag` with `choices`.
inline FlagSpec WithChoices(FlagSpec flag, std::vector<std::string> choices) {
  flag.choices = std::move(choices);
  return flag;
}

// "public", "restricted" or "confidential"; UNSPECIFIED reads as "public", the level the
// server records for it.
std::string ConfidentialityName(v1::Confidentiality level);

// A decimal amount ("4500000000", "12.75", "-3.5") in `currency` (ISO 4217, upper-cased).
absl::StatusOr<v1::Money> ParseMoney(absl::string_view currency,
                                     absl::string_view amount);
// "USD 4,500,000,000" or "EUR 12.75"; "-" for an unset amount.
std::string FormatMoney(const v1::Money& money);

// "LANG:TEXT", e.g. "en:Joint Statement".
absl::StatusOr<v1::LocalizedText> ParseLocalizedText(absl::string_view text);
// "SCHEME:CODE": scheme is registry_sector, oecd_dac or isic; a bare CODE is a registry
// sector.
absl::StatusOr<v1::Classification> ParseClassification(absl::string_view text);
// "PARTY_ID" or "PARTY_ID:ROLE[,ROLE...]"; the role defaults to party.
absl::StatusOr<v1::Participation> ParseParticipant(absl::string_view text);

// "SCHEME:VALUE", e.g. "UNTS:I-4739"; the value may hold ':' too.
absl::StatusOr<v1::Identifier> ParseIdentifier(absl::string_view text);

// A calendar period for --`flag`: years, months and days, each at most once and in that
// order, e.g. "1y", "6m", "60d", "1y6m", "2y3m10d" (units case-insensitive). A zero
// period ("0d") parses; whether it is allowed is the server's rule.
absl::StatusOr<v1::CalendarPeriod> ParseCalendarPeriod(absl::string_view flag,
                                                       absl::string_view text);
// "1y6m" (the form ParseCalendarPeriod reads); "0d" for a zero period.
std::string FormatCalendarPeriod(const v1::CalendarPeriod& period);
// A notice rule for --`flag`: "PERIOD[:COUNTING]", e.g. "1y:end_of_calendar_year"; the
// counting defaults to after_receipt.
absl::StatusOr<v1::NoticeRule> ParseNoticeRule(absl::string_view flag,
                                               absl::string_view text);
// A predecessor state for --`flag`: "ID[:DATE[:KIND]]", e.g.
// "suhh:1991-12-25:continuation".
absl::StatusOr<v1::PartySuccession> ParsePredecessor(absl::string_view flag,
                                                     absl::string_view text);

// One value of `list --party-status`: a participation status, or a condition on the
// participant's standing (exactly one of the two is set).
struct PartyStatusFilter {
  v1::ParticipationStatus status = v1::PARTICIPATION_STATUS_UNSPECIFIED;
  v1::PartyCondition condition = v1::PARTY_CONDITION_UNSPECIFIED;
};
// A participation status by its short name, or the aliases signed and
// signed_not_ratified (signatory) and withdrew (former_party); or a condition: in_force
// (PARTY_CONDITION_IN_FORCE_FOR) or provisionally_applying.
absl::StatusOr<PartyStatusFilter> ParsePartyStatusFilter(absl::string_view text);

absl::StatusOr<uint64_t> ParseUint64(absl::string_view flag, absl::string_view text);
absl::StatusOr<int32_t> ParseInt32(absl::string_view flag, absl::string_view text);

// The whole file ("-" reads stdin); errors are local errors naming the path.
absl::StatusOr<std::string> ReadFile(const std::string& path);
// Replaces the file at `path` with `content` atomically: a temporary file next to it
// (PATH.tmp, created with `mode`), fsync, rename; creates the directory when needed.
// A failure is a local PERMISSION_DENIED naming the path, and leaves the file as it was.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view content,
                                 int mode = 0600);
// Lowercase hex SHA-256 of the file's bytes.
absl::StatusOr<std::string> FileSha256(const std::string& path);

// Protobuf JSON mapping. Parse errors are local errors that name `source` (a path).
absl::Status ParseJson(absl::string_view json, absl::string_view source,
                       google::protobuf::Message& message);
std::string ToJson(const google::protobuf::Message& message, bool pretty);

// Typed flag access for ParsedArgs: a usage error names the flag ("--date: ...").
absl::StatusOr<std::string> RequiredFlag(const ParsedArgs& args, const std::string& name);
absl::StatusOr<std::optional<v1::Date>> DateFlag(const ParsedArgs& args,
                                                 const std::string& name);
absl::StatusOr<v1::Date> RequiredDateFlag(const ParsedArgs& args,
                                          const std::string& name);

template <typename E>
absl::StatusOr<std::optional<E>> EnumFlag(const ParsedArgs& args,
                                          const std::string& name) {
  std::optional<std::string> text = args.Get(name);
  if (!text.has_value()) return std::optional<E>();
  absl::StatusOr<E> value = ParseEnum<E>(*text);
  if (!value.ok())
    return UsageError("--" + name + ": " + std::string(value.status().message()));
  return std::optional<E>(*value);
}
template <typename E>
absl::StatusOr<E> RequiredEnumFlag(const ParsedArgs& args, const std::string& name) {
  absl::StatusOr<std::optional<E>> value = EnumFlag<E>(args, name);
  if (!value.ok()) return value.status();
  if (!value->has_value()) {
    return UsageError("--" + name + " is required (" +
                      EnumChoices(*google::protobuf::GetEnumDescriptor<E>()) + ")");
  }
  return **value;
}

}  // namespace agreements::cli

#endif  // AGREEMENTS_CLIENTS_CLI_VALUES_H_
