#include "common/error_info.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/duration.pb.h"
#include "google/rpc/error_details.pb.h"

namespace agreements::errors {
namespace {

template <typename Message>
Message PayloadOf(const absl::Status& status, absl::string_view url) {
  Message message;
  const auto payload = status.GetPayload(url);
  if (payload.has_value()) message.ParseFromString(std::string(*payload));
  return message;
}

template <typename Message>
absl::Status WithPayload(absl::Status status, absl::string_view url,
                         const Message& message) {
  status.SetPayload(url, absl::Cord(message.SerializeAsString()));
  return status;
}

bool IsFieldNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

// "name", "a.b_c", "list[3].x": identifiers joined by dots, with optional indexes.
bool IsFieldPath(absl::string_view path) {
  if (path.empty() || !std::isalpha(static_cast<unsigned char>(path.front()))) {
    return false;
  }
  bool in_index = false;
  for (char c : path) {
    if (in_index) {
      if (c == ']') {
        in_index = false;
      } else if (!std::isdigit(static_cast<unsigned char>(c))) {
        return false;
      }
    } else if (c == '[') {
      in_index = true;
    } else if (!IsFieldNameChar(c)) {
      return false;
    }
  }
  return !in_index && path.back() != '.';
}

}  // namespace

std::string DefaultReason(absl::StatusCode code) {
  return absl::StatusCodeToString(code);
}

absl::Status WithReason(absl::Status status, absl::string_view reason,
                        const Metadata& metadata) {
  if (status.ok()) return status;
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(kDomain);
  for (const auto& [key, value] : metadata) (*info.mutable_metadata())[key] = value;
  return WithPayload(std::move(status), kErrorInfoUrl, info);
}

absl::Status WithFieldViolation(absl::Status status, absl::string_view field,
                                absl::string_view description) {
  if (status.ok()) return status;
  auto request = PayloadOf<google::rpc::BadRequest>(status, kBadRequestUrl);
  google::rpc::BadRequest::FieldViolation* violation = request.add_field_violations();
  violation->set_field(std::string(field));
  violation->set_description(std::string(description));
  return WithPayload(std::move(status), kBadRequestUrl, request);
}

absl::Status WithPrecondition(absl::Status status, absl::string_view type,
                              absl::string_view subject, absl::string_view description) {
  if (status.ok()) return status;
  auto failure = PayloadOf<google::rpc::PreconditionFailure>(status, kPreconditionUrl);
  google::rpc::PreconditionFailure::Violation* violation = failure.add_violations();
  violation->set_type(std::string(type));
  violation->set_subject(std::string(subject));
  violation->set_description(std::string(description));
  return WithPayload(std::move(status), kPreconditionUrl, failure);
}

absl::Status WithRetryDelay(absl::Status status, absl::Duration delay) {
  if (status.ok()) return status;
  google::rpc::RetryInfo info;
  const int64_t nanos = absl::ToInt64Nanoseconds(delay);
  info.mutable_retry_delay()->set_seconds(nanos / 1000000000);
  info.mutable_retry_delay()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  return WithPayload(std::move(status), kRetryInfoUrl, info);
}

absl::Status InvalidField(absl::string_view field, absl::string_view rule) {
  absl::Status status = absl::InvalidArgumentError(absl::StrCat(field, ": ", rule));
  status = WithReason(std::move(status), kInvalidField, {{"field", std::string(field)}});
  return WithFieldViolation(std::move(status), field, rule);
}

namespace {

// `status` with message `message`, its payloads, and `rename` applied to the field paths
// of its BadRequest and to ErrorInfo's "field".
template <typename Rename>
absl::Status Rewritten(const absl::Status& status, absl::string_view message,
                       Rename rename) {
  absl::Status result(status.code(), message);
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& value) {
    result.SetPayload(url, value);
  });
  if (result.GetPayload(kBadRequestUrl).has_value()) {
    auto request = PayloadOf<google::rpc::BadRequest>(result, kBadRequestUrl);
    for (auto& violation : *request.mutable_field_violations()) {
      violation.set_field(rename(violation.field()));
    }
    result = WithPayload(std::move(result), kBadRequestUrl, request);
  }
  if (result.GetPayload(kErrorInfoUrl).has_value()) {
    auto info = PayloadOf<google::rpc::ErrorInfo>(result, kErrorInfoUrl);
    auto field = info.mutable_metadata()->find("field");
    if (field != info.mutable_metadata()->end()) field->second = rename(field->second);
    result = WithPayload(std::move(result), kErrorInfoUrl, info);
  }
  return result;
}

}  // namespace

absl::Status Nested(const absl::Status& status, absl::string_view prefix) {
  if (status.ok()) return status;
  return Rewritten(
      status, absl::StrCat(prefix, ": ", status.message()),
      [&](const std::string& field) { return absl::StrCat(prefix, ".", field); });
}

absl::Status RenamedField(const absl::Status& status, absl::string_view from,
                          absl::string_view to) {
  if (status.ok() || !absl::StartsWith(status.message(), from)) return status;
  return Rewritten(status, absl::StrCat(to, status.message().substr(from.size())),
                   [&](const std::string& field) {
                     if (!absl::StartsWith(field, from)) return field;
                     return absl::StrCat(to, field.substr(from.size()));
                   });
}

Details DetailsOf(const absl::Status& status) {
  Details details;
  const auto info = PayloadOf<google::rpc::ErrorInfo>(status, kErrorInfoUrl);
  details.reason = info.reason();
  details.domain = info.domain();
  for (const auto& [key, value] : info.metadata())
    details.metadata.emplace_back(key, value);
  std::sort(details.metadata.begin(), details.metadata.end());
  const auto request = PayloadOf<google::rpc::BadRequest>(status, kBadRequestUrl);
  for (const auto& v : request.field_violations()) {
    details.field_violations.emplace_back(v.field(), v.description());
  }
  const auto failure =
      PayloadOf<google::rpc::PreconditionFailure>(status, kPreconditionUrl);
  for (const auto& v : failure.violations()) {
    details.preconditions.push_back({v.type(), v.subject(), v.description()});
  }
  if (status.GetPayload(kRetryInfoUrl).has_value()) {
    const auto retry = PayloadOf<google::rpc::RetryInfo>(status, kRetryInfoUrl);
    details.retry_delay = absl::Seconds(retry.retry_delay().seconds()) +
                          absl::Nanoseconds(retry.retry_delay().nanos());
  }
  return details;
}

std::string FieldOfMessage(absl::string_view message) {
  const size_t colon = message.find(": ");
  if (colon == absl::string_view::npos) return "";
  absl::string_view path = message.substr(0, colon);
  return IsFieldPath(path) ? std::string(path) : "";
}

absl::Status CompleteDetails(absl::Status status) {
  if (status.ok()) return status;
  const bool invalid = status.code() == absl::StatusCode::kInvalidArgument;
  std::string field = invalid ? FieldOfMessage(status.message()) : "";
  if (!status.GetPayload(kErrorInfoUrl).has_value()) {
    Metadata metadata;
    if (!field.empty()) metadata.emplace_back("field", field);
    status = WithReason(std::move(status),
                        field.empty() ? DefaultReason(status.code()) : kInvalidField,
                        metadata);
  }
  if (!field.empty() && !status.GetPayload(kBadRequestUrl).has_value()) {
    const std::string rule(status.message().substr(field.size() + 2));
    status = WithFieldViolation(std::move(status), field, rule);
  }
  return status;
}

}  // namespace agreements::errors
