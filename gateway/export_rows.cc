#include "gateway/export_rows.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/date_format.h"
#include "common/proto_values.h"
#include "gateway/http_errors.h"
#include "gateway/json_output.h"
#include "google/protobuf/util/time_util.h"

namespace agreements::gateway {
namespace {

namespace v1 = ::agreements::v1;
using Row = std::vector<std::pair<const char*, std::string>>;

template <typename E>
std::string Short(E value) {
  const std::string name =
      EnumShortName(*google::protobuf::GetEnumDescriptor<E>(), static_cast<int>(value));
  return name == "-" ? "" : name;
}

std::string DateText(const v1::Date& date) {
  return date.year() == 0 ? "" : FormatDate(date);
}

std::string TimeText(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) return "";
  return google::protobuf::util::TimeUtil::ToString(time);
}

std::string MoneyText(const v1::Money& money) {
  std::string amount = absl::StrCat(money.units());
  if (money.nanos() != 0) {
    std::string fraction = absl::StrFormat("%09d", std::abs(money.nanos()));
    while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
    if (money.units() == 0 && money.nanos() < 0) amount = "-0";
    absl::StrAppend(&amount, ".", fraction);
  }
  return absl::StrCat(money.currency_code(), " ", amount);
}

// The English title when there is one, else the first.
std::string Title(const v1::Agreement& agreement) {
  for (const v1::LocalizedText& title : agreement.titles()) {
    if (title.language() == "en") return title.text();
  }
  return agreement.titles().empty() ? "" : agreement.titles(0).text();
}

Row AgreementRow(const v1::Agreement& a) {
  std::vector<std::string> parties, amounts;
  for (const v1::Participation& p : a.participations()) parties.push_back(p.party_id());
  for (const v1::Amount& amount : a.amounts()) {
    amounts.push_back(absl::StrCat(MoneyText(amount.value()), " ", Short(amount.type())));
  }
  return {{"id", a.id()},
          {"title", Title(a)},
          {"designation", a.designation()},
          {"instrument_kind", Short(a.instrument_kind())},
          {"legal_nature", Short(a.legal_nature())},
          {"status", Short(a.status())},
          {"sectors", absl::StrJoin(a.sectors(), "; ")},
          {"adopted_on", DateText(a.adopted_on())},
          {"signed_on", DateText(a.signed_on())},
          {"entered_into_force_on", DateText(a.entered_into_force_on())},
          {"ended_on", DateText(a.ended_on())},
          {"participants", absl::StrJoin(parties, "; ")},
          {"amounts", absl::StrJoin(amounts, "; ")},
          {"confidentiality", Short(a.confidentiality() == v1::CONFIDENTIALITY_UNSPECIFIED
                                        ? v1::CONFIDENTIALITY_PUBLIC
                                        : a.confidentiality())},
          {"revision", absl::StrCat(a.revision())},
          {"last_position", absl::StrCat(a.last_position())},
          {"update_time", TimeText(a.update_time())}};
}

Row ParticipationRow(const v1::Agreement& a, const v1::Participation& p) {
  std::vector<std::string> roles;
  for (int role : p.roles())
    roles.push_back(Short(static_cast<v1::ParticipantRole>(role)));
  return {{"agreement_id", a.id()},
          {"agreement_title", Title(a)},
          {"agreement_status", Short(a.status())},
          {"party_id", p.party_id()},
          {"roles", absl::StrJoin(roles, "; ")},
          {"status", Short(p.status())},
          {"signed_on", DateText(p.signature().date())},
          {"consent_means", Short(p.consent().means())},
          {"consent_deposited_on", DateText(p.consent().deposit_date())},
          {"provisionally_applied_from", DateText(p.provisionally_applied_from())},
          {"in_force_from", DateText(p.in_force_from())},
          {"left_on", DateText(p.left_on())}};
}

Row EventRow(const v1::Event& event) {
  const v1::EventEnvelope& e = event.envelope();
  return {{"position", absl::StrCat(e.position())},
          {"recorded_at", TimeText(e.recorded_at())},
          {"event_type", e.event_type()},
          {"stream_type", Short(e.stream_type())},
          {"stream_id", e.stream_id()},
          {"revision", absl::StrCat(e.revision())},
          {"actor", e.actor()},
          {"request_id", e.request_id()},
          {"reason", e.reason()}};
}

std::string CsvLine(const Row& row) {
  std::vector<std::string> cells;
  for (const auto& [name, value] : row) cells.push_back(CsvField(value));
  return absl::StrCat(absl::StrJoin(cells, ","), "\r\n");
}

std::string JsonObjectLine(const Row& row) {
  std::vector<std::string> members;
  for (const auto& [name, value] : row) {
    members.push_back(absl::StrCat(JsonQuote(name), ":", JsonQuote(value)));
  }
  return absl::StrCat("{", absl::StrJoin(members, ","), "}\n");
}

std::string HeaderOf(const Row& row) {
  std::vector<std::string> names;
  for (const auto& [name, value] : row) names.push_back(name);
  return absl::StrCat(absl::StrJoin(names, ","), "\r\n");
}

}  // namespace

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

std::string ExportHeader(ExportRows rows, ExportFormat format) {
  if (format != ExportFormat::kCsv) return "";
  switch (rows) {
    case ExportRows::kAgreements:
      return HeaderOf(AgreementRow(v1::Agreement()));
    case ExportRows::kParticipations:
      return HeaderOf(ParticipationRow(v1::Agreement(), v1::Participation()));
    case ExportRows::kEvents:
      return HeaderOf(EventRow(v1::Event()));
    case ExportRows::kNone:
      break;
  }
  return "";
}

std::string AgreementLines(const v1::Agreement& agreement, ExportRows rows,
                           ExportFormat format) {
  if (rows == ExportRows::kAgreements) {
    return format == ExportFormat::kCsv ? CsvLine(AgreementRow(agreement))
                                        : absl::StrCat(MessageJson(agreement), "\n");
  }
  std::string lines;
  for (const v1::Participation& participation : agreement.participations()) {
    const Row row = ParticipationRow(agreement, participation);
    absl::StrAppend(&lines,
                    format == ExportFormat::kCsv ? CsvLine(row) : JsonObjectLine(row));
  }
  return lines;
}

std::string EventLine(const v1::Event& event, ExportFormat format) {
  return format == ExportFormat::kCsv ? CsvLine(EventRow(event))
                                      : absl::StrCat(MessageJson(event), "\n");
}

}  // namespace agreements::gateway
