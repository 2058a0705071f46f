// Machine-readable details of the registry's errors: a stable reason with facts
// (google.rpc.ErrorInfo), the invalid fields of a request (google.rpc.BadRequest), failed
// preconditions (google.rpc.PreconditionFailure) and when to retry
// (google.rpc.RetryInfo).
//
// They travel as absl::Status payloads keyed by the details' type URLs, so the domain and
// the store attach them without knowing gRPC; common/grpc_status turns the payloads into
// the google.rpc.Status that gRPC sends in "grpc-status-details-bin", and back on the
// client side. docs/api.md ("Error details") lists the reasons.
#ifndef AGREEMENTS_COMMON_ERROR_INFO_H_
#define AGREEMENTS_COMMON_ERROR_INFO_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace agreements::errors {

// The ErrorInfo domain of every reason below.
inline constexpr char kDomain[] = "agreements.registry";

// Stable reasons. A reason never changes meaning; new ones may be added.
inline constexpr char kInvalidField[] = "INVALID_FIELD";
inline constexpr char kUnparsableRequest[] = "UNPARSABLE_REQUEST";
inline constexpr char kIllegalTransition[] = "ILLEGAL_TRANSITION";
inline constexpr char kNotAParticipant[] = "NOT_A_PARTICIPANT";
inline constexpr char kNotADepositary[] = "NOT_A_DEPOSITARY";
inline constexpr char kLimitReached[] = "LIMIT_REACHED";
inline constexpr char kWrongExpectedRevision[] = "WRONG_EXPECTED_REVISION";
inline constexpr char kDuplicateRequestId[] = "DUPLICATE_REQUEST_ID_DIFFERENT_CONTENT";
inline constexpr char kAgreementNotFound[] = "AGREEMENT_NOT_FOUND";
inline constexpr char kPartyNotFound[] = "PARTY_NOT_FOUND";
inline constexpr char kAgreementExists[] = "AGREEMENT_ALREADY_EXISTS";
inline constexpr char kPartyExists[] = "PARTY_ALREADY_EXISTS";
inline constexpr char kMissingPermission[] = "MISSING_PERMISSION";
inline constexpr char kUnauthenticated[] = "UNAUTHENTICATED";
inline constexpr char kRateLimited[] = "RATE_LIMITED";
inline constexpr char kTooManyStreams[] = "TOO_MANY_STREAMS";
inline constexpr char kTooManyWaits[] = "TOO_MANY_WAITING_READS";
inline constexpr char kOutcomeUnknown[] = "OUTCOME_UNKNOWN";

// The reason of an error that names none: its code's name ("NOT_FOUND", "INTERNAL").
std::string DefaultReason(absl::StatusCode code);

// Type URLs of the details, "type.googleapis.com/google.rpc.<Message>".
inline constexpr char kErrorInfoUrl[] = "type.googleapis.com/google.rpc.ErrorInfo";
inline constexpr char kBadRequestUrl[] = "type.googleapis.com/google.rpc.BadRequest";
inline constexpr char kPreconditionUrl[] =
    "type.googleapis.com/google.rpc.PreconditionFailure";
inline constexpr char kRetryInfoUrl[] = "type.googleapis.com/google.rpc.RetryInfo";
inline constexpr char kDetailsPrefix[] = "type.googleapis.com/google.rpc.";

using Metadata = std::vector<std::pair<std::string, std::string>>;

// Each returns `status` with the detail set (replacing one of the same kind); an OK
// status is returned unchanged.
absl::Status WithReason(absl::Status status, absl::string_view reason,
                        const Metadata& metadata = {});
// Adds one field violation to the status's BadRequest.
absl::Status WithFieldViolation(absl::Status status, absl::string_view field,
                                absl::string_view description);
// Adds one violation to the status's PreconditionFailure.
absl::Status WithPrecondition(absl::Status status, absl::string_view type,
                              absl::string_view subject, absl::string_view description);
absl::Status WithRetryDelay(absl::Status status, absl::Duration delay);

// INVALID_ARGUMENT "<field>: <rule>" with reason INVALID_FIELD and the field violation.
absl::Status InvalidField(absl::string_view field, absl::string_view rule);

// `status` moved under the request field `prefix` ("commands[2]"): message
// "<prefix>: <message>", field paths "<prefix>.<path>"; payloads kept.
absl::Status Nested(const absl::Status& status, absl::string_view prefix);
// `status` with the leading field path `from` of its message and of its details'
// field paths renamed `to` ("change.party_registered.party" -> "party"); payloads kept.
absl::Status RenamedField(const absl::Status& status, absl::string_view from,
                          absl::string_view to);

// What a status carries, read back (for tests, logs and clients).
struct Details {
  std::string reason;  // "" when none
  std::string domain;
  Metadata metadata;
  std::vector<std::pair<std::string, std::string>> field_violations;  // field, rule
  struct Precondition {
    std::string type, subject, description;
  };
  std::vector<Precondition> preconditions;
  std::optional<absl::Duration> retry_delay;
};
Details DetailsOf(const absl::Status& status);

// Completes an error's details: an ErrorInfo with DefaultReason when it has none, and for
// INVALID_ARGUMENT without a BadRequest, the field its message names ("<path>: <rule>",
// where path is a field path such as "command.titles[0].text"). Used on every error the
// server sends.
absl::Status CompleteDetails(absl::Status status);

// The field path a "<path>: <rule>" message starts with, or "" when it names none.
std::string FieldOfMessage(absl::string_view message);

}  // namespace agreements::errors

#endif  // AGREEMENTS_COMMON_ERROR_INFO_H_
