#include "clients/cli_errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "clients/error_details.h"

namespace agreements::cli {
namespace {

constexpr char kLocalErrorPayload[] = "type.agreements.dev/cli.LocalError";
constexpr char kVerificationErrorPayload[] = "type.agreements.dev/cli.VerificationError";

// The indented lines of the details after the "reason:" line.
void AppendDetailLines(const client::ErrorDetails& details, std::string& out) {
  for (const auto& [key, value] : details.metadata) {
    absl::StrAppend(&out, "  ", key, ": ", value, "\n");
  }
  for (const client::FieldViolation& v : details.field_violations) {
    absl::StrAppend(&out, "  field ", v.field, ": ", v.description, "\n");
  }
  for (const client::PreconditionViolation& v : details.precondition_violations) {
    absl::StrAppend(&out, "  precondition ", v.type, " ", v.subject, ": ", v.description,
                    "\n");
  }
  if (details.resource.has_value()) {
    const client::ResourceDetails& r = *details.resource;
    absl::StrAppend(&out, "  resource ", r.type, " ", r.name,
                    r.description.empty() ? "" : absl::StrCat(": ", r.description), "\n");
  }
  if (details.retry_delay.has_value()) {
    absl::StrAppend(&out, "  retry after: ", absl::FormatDuration(*details.retry_delay),
                    "\n");
  }
}

}  // namespace

absl::Status UsageError(absl::string_view message) {
  return LocalError(absl::InvalidArgumentError(message));
}

absl::Status LocalError(absl::Status status) {
  status.SetPayload(kLocalErrorPayload, absl::Cord("1"));
  return status;
}

bool IsLocalError(const absl::Status& status) {
  return status.GetPayload(kLocalErrorPayload).has_value();
}

absl::Status VerificationError(absl::string_view message) {
  absl::Status status = absl::DataLossError(message);
  status.SetPayload(kVerificationErrorPayload, absl::Cord("1"));
  return status;
}

bool IsVerificationError(const absl::Status& status) {
  return status.GetPayload(kVerificationErrorPayload).has_value();
}

int ExitCodeForServerCode(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kNotFound:
      return kExitNotFound;
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kAlreadyExists:
      return kExitConflict;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return kExitInvalidArgument;
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
      return kExitDenied;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
      return kExitUnavailable;
    default:  // INTERNAL, UNKNOWN, DATA_LOSS, UNIMPLEMENTED, CANCELLED
      return kExitRpc;
  }
}

int ExitCodeFor(const absl::Status& status) {
  if (status.ok()) return kExitOk;
  if (IsVerificationError(status)) return kExitVerification;
  if (IsLocalError(status)) return kExitUsage;
  return ExitCodeForServerCode(status.code());
}

std::string ErrorText(const absl::Status& status, absl::string_view target) {
  std::string message(status.message());
  if (!IsLocalError(status) && status.code() == absl::StatusCode::kUnavailable &&
      !target.empty()) {
    message = absl::StrCat("server ", target, ": ", message);
  }
  std::string out = absl::StrCat("error: ", absl::StatusCodeToString(status.code()), ": ",
                                 message, "\n");
  const client::ErrorDetails details = client::ErrorDetails::FromStatus(status);
  if (!details.reason.empty()) absl::StrAppend(&out, "reason: ", details.reason, "\n");
  AppendDetailLines(details, out);
  return out;
}

}  // namespace agreements::cli
