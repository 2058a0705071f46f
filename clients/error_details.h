// The structured details of an error the registry returned. The server sends a
// google.rpc.Status in the "grpc-status-details-bin" trailer
// (grpc::Status::error_details()) whose details are google.rpc.ErrorInfo (domain
// "agreements.registry", a stable reason, metadata), BadRequest (the offending fields),
// PreconditionFailure, ResourceInfo and RetryInfo. The client keeps those bytes on the
// absl::Status it returns, as the payload kStatusDetailsTypeUrl, so a caller reads them
// back with ErrorDetails::FromStatus.
//
//   absl::StatusOr<v1::ApplyAgreementChangeResponse> r = client->ApplyAgreementChange(q);
//   if (absl::IsAborted(r.status())) {
//     const ErrorDetails details = ErrorDetails::FromStatus(r.status());
//     if (details.reason == "WRONG_EXPECTED_REVISION") ...  // re-read and retry
//   }
#ifndef AGREEMENTS_CLIENTS_ERROR_DETAILS_H_
#define AGREEMENTS_CLIENTS_ERROR_DETAILS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"

namespace agreements::client {

// The payload type URL under which an absl::Status from RegistryClient carries the
// serialized google.rpc.Status the server sent.
inline constexpr char kStatusDetailsTypeUrl[] = "type.googleapis.com/google.rpc.Status";

// One invalid field of a request (google.rpc.BadRequest.FieldViolation).
struct FieldViolation {
  // Its path in the request, e.g. "command.participant_signed.signature.date".
  std::string field;
  // The rule it breaks.
  std::string description;
};

// One failed precondition (google.rpc.PreconditionFailure.Violation).
struct PreconditionViolation {
  // The kind of precondition, e.g. "REVISION" or "STATUS".
  std::string type;
  // What it applies to, e.g. "agreements/ag-1".
  std::string subject;
  std::string description;
};

// The resource an error is about (google.rpc.ResourceInfo).
struct ResourceDetails {
  // e.g. "agreements.v1.Agreement".
  std::string type;
  // Its name or id.
  std::string name;
  std::string owner;
  std::string description;
};

// What the details of one error said; every field is empty when the server sent no such
// detail. A value type.
struct ErrorDetails {
  // ErrorInfo.reason: a stable UPPER_SNAKE_CASE name, e.g. "WRONG_EXPECTED_REVISION".
  std::string reason;
  // ErrorInfo.domain: "agreements.registry" for the registry's own reasons.
  std::string domain;
  // ErrorInfo.metadata, e.g. {"current_revision": "4"}; sorted by key.
  std::map<std::string, std::string> metadata;
  // BadRequest.field_violations (of every BadRequest detail, in order).
  std::vector<FieldViolation> field_violations;
  // PreconditionFailure.violations (of every PreconditionFailure detail, in order).
  std::vector<PreconditionViolation> precondition_violations;
  // The first ResourceInfo.
  std::optional<ResourceDetails> resource;
  // RetryInfo.retry_delay: when a retry may succeed.
  std::optional<absl::Duration> retry_delay;

  // True when none of the fields above is set.
  bool empty() const;

  // The details a status carries as its kStatusDetailsTypeUrl payload; empty when it
  // has none (or they do not parse: the details are a help, never a second error).
  static ErrorDetails FromStatus(const absl::Status& status);
  // The details in grpc::Status::error_details(); empty when absent or garbage.
  static ErrorDetails FromGrpcStatus(const grpc::Status& status);
  // The details of a serialized google.rpc.Status; details of other types are skipped.
  static ErrorDetails Parse(absl::string_view serialized_status);
};

// `status` as an absl::Status (common/grpc_status.h, FromGrpcStatus: the same code and
// message) that also keeps the server's error details, when there are any, as the payload
// kStatusDetailsTypeUrl. Every status RegistryClient returns for an RPC goes through
// here.
absl::Status StatusFromGrpc(const grpc::Status& status);

}  // namespace agreements::client

#endif  // AGREEMENTS_CLIENTS_ERROR_DETAILS_H_
