// The structured output forms of the `agreements` tool (-o json, jsonl and yaml) for API
// messages. By default they use the friendly JSON form, pleasant with jq: the same keys
// as the proto3 JSON mapping (lowerCamelCase), with
//   - legal dates as their text at their precision ("2010", "2010-03", "2010-03-02"),
//   - enum values by the short names the flags take ("in_force", "ratification"),
//   - amounts of money as "USD 4500000000" or "EUR 12.75" (currency, space, decimal),
//   - calendar periods as the flags write them ("1y6m"),
//   - 64-bit integers as JSON numbers, timestamps as RFC 3339 in UTC, durations as
//     "1.5s", field masks as "a,b.c".
// --proto-json keeps the exact proto3 JSON mapping instead (full enum names, dates as
// {year, month, day, precision}, 64-bit integers as strings), which parses back into the
// messages. Free functions; safe from any thread.
#ifndef AGREEMENTS_CLIENTS_CLI_OUTPUT_H_
#define AGREEMENTS_CLIENTS_CLI_OUTPUT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agreements/v1/types.pb.h"
#include "clients/cli_json.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace agreements::cli {

namespace v1 = ::agreements::v1;

// -o: how a command prints what it got.
enum class OutputFormat {
  kTable,  // aligned tables and key/value blocks (the default)
  kWide,   // the tables with more columns (list, party list, watch); else as table
  kJson,   // one JSON document (indented); a stream: one compact object per message
  kJsonl,  // one compact JSON object per line: each record of a list, or the response
  kYaml,   // one YAML document; a stream: one document per message
};

// "table", "wide", "json", "jsonl" or "yaml".
absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view text);
// The formats, for help and completion: {"table", "wide", "json", "jsonl", "yaml"}.
const std::vector<std::string>& OutputFormatNames();
// json, jsonl or yaml.
bool IsStructured(OutputFormat format);

enum class JsonStyle {
  kFriendly,  // the default form described above
  kProto,     // the proto3 JSON mapping (--proto-json)
};

// `message` as a JSON value in `style`.
JsonValue MessageToValue(const google::protobuf::Message& message, JsonStyle style);

// "USD 4500000000", "EUR 12.75", "-3.50" without a currency.
std::string MoneyText(const v1::Money& money);

// The field of a response message that holds its records, which -o jsonl prints one per
// line: its only repeated message field (ListAgreementsResponse.agreements,
// ListHistoryResponse.events, ...). nullptr when there is not exactly one.
const google::protobuf::FieldDescriptor* RecordsField(
    const google::protobuf::Descriptor& response);

// The text of a whole response in a structured format: an indented JSON document
// (json), one line per record or the response on one line (jsonl), a YAML document
// (yaml). Ends with a newline.
std::string RenderResponse(const google::protobuf::Message& response, OutputFormat format,
                           JsonStyle style);
// The text of one value in a structured format: indented JSON (json), one line (jsonl),
// a YAML document (yaml). Ends with a newline.
std::string RenderValue(const JsonValue& value, OutputFormat format);
// The text of one message of a stream or one line of a result set (watch, load): a
// compact JSON line (json and jsonl), or a YAML document that starts with "---" (yaml).
std::string RenderStreamItem(const JsonValue& value, OutputFormat format);

}  // namespace agreements::cli

#endif  // AGREEMENTS_CLIENTS_CLI_OUTPUT_H_
