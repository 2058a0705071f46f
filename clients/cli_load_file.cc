// The file of `agreements load` (cli_load_file.h).
#include "clients/cli_load_file.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "clients/cli_errors.h"
#include "clients/cli_values.h"
#include "common/sha256.h"
#include "common/status_macros.h"

namespace agreements::cli::internal {
namespace {

constexpr size_t kDerivedRequestIdHexDigits = 32;

}  // namespace

std::string DerivedRequestId(absl::string_view line) {
  return absl::StrCat(
      "load-", DigestHex(Sha256::Hash(line)).substr(0, kDerivedRequestIdHexDigits));
}

absl::StatusOr<std::vector<LoadLine>> ParseLoadFile(const std::string& path,
                                                    absl::string_view content,
                                                    const std::string& reason) {
  std::vector<LoadLine> lines;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(content, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    LoadLine parsed;
    parsed.number = number;
    RETURN_IF_ERROR(ParseJson(line, absl::StrCat(path, ":", number), parsed.request));
    v1::CommandContext* context = parsed.request.mutable_context();
    if (context->request_id().empty()) context->set_request_id(DerivedRequestId(line));
    if (context->reason().empty()) context->set_reason(reason);
    lines.push_back(std::move(parsed));
  }
  if (lines.empty()) return UsageError(absl::StrCat(path, ": no requests"));
  return lines;
}

}  // namespace agreements::cli::internal
