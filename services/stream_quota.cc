#include "services/stream_quota.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/error_info.h"

namespace agreements::services {
namespace {

bool IsAdmin(const Caller& caller) {
  return std::any_of(
      caller.grants.begin(), caller.grants.end(),
      [](const security::Grant& grant) { return grant.role == security::Role::kAdmin; });
}

const char* LimitName(StreamQuota::Limit limit) {
  switch (limit) {
    case StreamQuota::Limit::kPerPrincipal:
      return "max_streams_per_principal";
    case StreamQuota::Limit::kReserved:
      return "reserved_streams";
    default:
      return "max_streams";
  }
}

bool MayTakeReserved(const Caller& caller) {
  return security::Allows(caller.grants, security::Permission::kAuditRead);
}

}  // namespace

StreamQuota::StreamQuota(size_t max_streams, size_t max_streams_per_principal,
                         size_t reserved_streams)
    : max_streams_(max_streams),
      per_principal_(max_streams_per_principal),
      reserved_(std::min(reserved_streams, max_streams)) {}

StreamQuota::Limit StreamQuota::RefusingLimit(const Caller& caller) const {
  if (per_principal_ > 0 && !IsAdmin(caller)) {
    auto it = by_principal_.find(caller.principal);
    if (it != by_principal_.end() && it->second >= per_principal_) {
      return Limit::kPerPrincipal;
    }
  }
  if (open_ >= max_streams_) return Limit::kTotal;
  if (!MayTakeReserved(caller) && open_ >= max_streams_ - reserved_) {
    return Limit::kReserved;
  }
  return Limit::kNone;
}

absl::Status StreamQuota::Refusal(Limit limit, const Caller& caller) const {
  const char* name = limit == Limit::kPerPrincipal ? "max_streams_per_principal"
                     : limit == Limit::kReserved   ? "reserved_streams"
                                                   : "max_streams";
  return errors::WithReason(Describe(limit, caller), errors::kTooManyStreams,
                            {{"limit", name}});
}

absl::Status StreamQuota::Describe(Limit limit, const Caller& caller) const {
  switch (limit) {
    case Limit::kPerPrincipal:
      return absl::ResourceExhaustedError(absl::StrCat(
          "max_streams_per_principal: principal \"", caller.principal, "\" already has ",
          per_principal_,
          " feed streams open, the most one principal may hold; close one first"));
    case Limit::kReserved:
      return absl::ResourceExhaustedError(absl::StrCat(
          "reserved_streams: the ", max_streams_ - reserved_,
          " feed stream slots open to callers without audit.read are taken (the other ",
          reserved_, " are kept for admins and auditors); retry later"));
    default:
      return absl::ResourceExhaustedError(
          absl::StrCat("max_streams: all ", max_streams_,
                       " feed stream slots of the server are taken; retry later"));
  }
}

absl::Status StreamQuota::Admit(const Caller& caller) {
  const Limit limit = RefusingLimit(caller);
  if (limit != Limit::kNone) {
    ++refusals_[LimitName(limit)];
    return Refusal(limit, caller);
  }
  ++open_;
  ++by_principal_[caller.principal];
  return absl::OkStatus();
}

void StreamQuota::Release(const Caller& caller) {
  auto it = by_principal_.find(caller.principal);
  if (it == by_principal_.end()) return;
  --open_;
  if (--it->second == 0) by_principal_.erase(it);
}

void StreamQuota::Describe(agreements::v1::StreamLimitStatus& status) const {
  status.set_max_streams(static_cast<int64_t>(max_streams_));
  status.set_max_streams_per_principal(static_cast<int64_t>(per_principal_));
  status.set_reserved_streams(static_cast<int64_t>(reserved_));
  status.set_open_stream_count(static_cast<int64_t>(open_));
  for (const auto& [limit, count] : refusals_) {
    agreements::v1::StreamRefusalCount* refusal = status.add_refusals();
    refusal->set_limit(limit);
    refusal->set_count(count);
  }
}

}  // namespace agreements::services
