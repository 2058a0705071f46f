// Fuzz target of `agreements load FILE.jsonl`: the input is the file, parsed by the
// loader's own ParseLoadFile (clients/cli_load_file.h). The seeds hold one line each.
//
// Properties: parsing never crashes; a refusal is a local usage error naming the file
// and a non-blank line of it (or "no requests"); parsed lines come in file order, each
// from a non-blank line; every request has a request id and a reason, and a line
// without an id gets the derived one ("load-" and 32 hex digits); what parses is a
// request the loader can send and print: its binary form (what goes on the stream)
// parses back to the same request, and its JSON form (what -o json prints) parses back
// to the same request.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "agreements/v1/command_service.pb.h"
#include "clients/cli_errors.h"
#include "clients/cli_load_file.h"
#include "clients/cli_values.h"
#include "common/fuzz/fuzz_input.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"

namespace agreements::cli {
namespace {

using fuzz::Describe;
using google::protobuf::util::MessageDifferencer;

constexpr char kPath[] = "fuzz.jsonl";
constexpr char kReason[] = "fuzzed load";

// The request goes on the stream in its binary form.
void CheckWireForm(const v1::ExecuteBatchRequest& request, absl::string_view line) {
  v1::ExecuteBatchRequest received;
  FUZZ_CHECK(received.ParseFromString(request.SerializeAsString()) &&
                 MessageDifferencer::Equals(received, request),
             absl::StrCat("a loaded line does not survive the wire: ", line));
}

// -o json prints requests and answers with cli::ToJson.
void CheckJsonForm(const v1::ExecuteBatchRequest& request, absl::string_view line) {
  std::string json;
  const google::protobuf::util::Status printed =
      google::protobuf::util::MessageToJsonString(request, &json);
  FUZZ_CHECK(printed.ok(), absl::StrCat("a loaded line cannot be printed as JSON (",
                                        printed.ToString(), "): ", line));
  FUZZ_CHECK(ToJson(request, /*pretty=*/false) == json, json);
  v1::ExecuteBatchRequest again;
  const absl::Status parsed = ParseJson(json, "printed", again);
  FUZZ_CHECK(parsed.ok() && MessageDifferencer::Equals(again, request),
             absl::StrCat(Describe(parsed), "\nline:    ", line, "\nprinted: ", json));
}

bool IsDerivedForm(absl::string_view id) {
  return id.size() == 5 + 32 && absl::StartsWith(id, "load-") &&
         std::all_of(id.begin() + 5, id.end(), [](char c) {
           return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f');
         });
}

// The refusal names the file and a non-blank line of it, or says there is no request in
// a file of blank lines.
void CheckRefusal(const absl::Status& status,
                  const std::vector<absl::string_view>& text) {
  FUZZ_CHECK(IsLocalError(status) && ExitCodeFor(status) == kExitUsage, Describe(status));
  if (status.message() == absl::StrCat(kPath, ": no requests")) {
    for (absl::string_view line : text) {
      FUZZ_CHECK(absl::StripAsciiWhitespace(line).empty(),
                 absl::StrCat("\"no requests\" for a file with the line ", line));
    }
    return;
  }
  const absl::string_view message = status.message();
  absl::string_view rest = message;
  int number = 0;
  FUZZ_CHECK(absl::ConsumePrefix(&rest, absl::StrCat(kPath, ":")) &&
                 absl::SimpleAtoi(rest.substr(0, rest.find(':')), &number) &&
                 number >= 1 && number <= static_cast<int>(text.size()) &&
                 !absl::StripAsciiWhitespace(text[number - 1]).empty(),
             Describe(status));
}

// The line as the file holds it, and what the loader made of it: the same request, with
// the derived request id and the load's reason where the line has none.
void CheckLine(const internal::LoadLine& line, absl::string_view text) {
  FUZZ_CHECK(!text.empty(), absl::StrCat("line ", line.number, " is blank"));
  v1::ExecuteBatchRequest original;
  FUZZ_CHECK(ParseJson(text, "again", original).ok(), text);
  const v1::CommandContext& context = line.request.context();
  const std::string derived = internal::DerivedRequestId(text);
  FUZZ_CHECK(IsDerivedForm(derived), derived);
  FUZZ_CHECK(context.request_id() == (original.context().request_id().empty()
                                          ? derived
                                          : original.context().request_id()),
             line.request.ShortDebugString());
  FUZZ_CHECK(
      context.reason() ==
          (original.context().reason().empty() ? kReason : original.context().reason()),
      line.request.ShortDebugString());
  v1::ExecuteBatchRequest restored = line.request;
  if (original.has_context()) {
    *restored.mutable_context() = original.context();
  } else {
    restored.clear_context();
  }
  FUZZ_CHECK(MessageDifferencer::Equals(restored, original),
             absl::StrCat("the loader changed more than the context: ", text));
  CheckWireForm(line.request, text);
  CheckJsonForm(line.request, text);
}

void LoadFile(absl::string_view file) {
  const std::vector<absl::string_view> text = absl::StrSplit(file, '\n');
  const absl::StatusOr<std::vector<internal::LoadLine>> lines =
      internal::ParseLoadFile(kPath, file, kReason);
  if (!lines.ok()) return CheckRefusal(lines.status(), text);
  int previous = 0;
  for (const internal::LoadLine& line : *lines) {
    FUZZ_CHECK(line.number > previous && line.number <= static_cast<int>(text.size()),
               absl::StrCat("line ", line.number, " after ", previous));
    previous = line.number;
    CheckLine(line, absl::StripAsciiWhitespace(text[line.number - 1]));
  }
}

}  // namespace
}  // namespace agreements::cli

// Protobuf logs each string field with invalid UTF-8 it refuses to parse; the fuzzer
// makes many.
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  agreements::cli::LoadFile(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
