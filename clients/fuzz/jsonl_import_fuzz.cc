// Fuzz target of `agreements load FILE.jsonl` (clients/cli_load.cc): each non-blank line
// of the file, stripped of surrounding whitespace, is an ExecuteBatchRequest in protobuf
// JSON, read by cli::ParseJson (the loader's own call, with its options). The loader's
// line loop sits in an anonymous namespace; this target repeats it: split at '\n',
// strip, skip blank lines, parse, derive the request id of a line without one.
//
// The input is the file (the seeds hold one line each).
// Properties: parsing never crashes; a refusal is a local usage error naming the file
// and the line; what parses is a request the loader can send and print: its binary form
// (what goes on the stream) parses back to the same request, and its JSON form (what
// -o json prints) parses back to the same request; the derived request id is "load-"
// and 32 hex digits.
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "agreements/v1/command_service.pb.h"
#include "clients/cli_errors.h"
#include "clients/cli_values.h"
#include "common/fuzz/fuzz_input.h"
#include "common/sha256.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"

namespace agreements::cli {
namespace {

using fuzz::Describe;
using google::protobuf::util::MessageDifferencer;

constexpr char kPath[] = "fuzz.jsonl";

// As the loader does for a line without context.requestId.
std::string DerivedRequestId(absl::string_view line) {
  return absl::StrCat("load-", DigestHex(Sha256::Hash(line)).substr(0, 32));
}

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

void LoadLine(absl::string_view line, int number) {
  const std::string source = absl::StrCat(kPath, ":", number);
  v1::ExecuteBatchRequest request;
  const absl::Status status = ParseJson(line, source, request);
  if (!status.ok()) {
    FUZZ_CHECK(IsLocalError(status) && ExitCodeFor(status) == kExitUsage &&
                   absl::StartsWith(status.message(), source + ": "),
               Describe(status));
    return;
  }
  CheckWireForm(request, line);
  CheckJsonForm(request, line);
  if (request.context().request_id().empty()) {
    const std::string id = DerivedRequestId(line);
    FUZZ_CHECK(id.size() == 5 + 32, id);
    request.mutable_context()->set_request_id(id);
    CheckWireForm(request, line);
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
  const absl::string_view file(reinterpret_cast<const char*>(data), size);
  int number = 0;
  for (absl::string_view line : absl::StrSplit(file, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (!line.empty()) agreements::cli::LoadLine(line, number);
  }
  return 0;
}
