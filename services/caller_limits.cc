#include "services/caller_limits.h"

#include <chrono>
#include <cmath>

#include "absl/hash/hash.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/error_info.h"
#include "gateway/http_gateway.h"
#include "google/protobuf/util/time_util.h"
#include "openssl/crypto.h"

namespace agreements::services {
namespace {

// The limits measure time on the monotonic clock: a step of the wall clock (NTP) neither
// lengthens nor ends a slowdown or a rate's wait.
absl::Time MonotonicNow() {
  return absl::UnixEpoch() +
         absl::FromChrono(std::chrono::steady_clock::now().time_since_epoch());
}

namespace v1 = ::agreements::v1;

// The delay rounded up to whole milliseconds (at least 1), so that a client waiting
// exactly that long finds a token.
int64_t RetryMillis(absl::Duration wait) {
  return std::max<int64_t>(
      1, absl::ToInt64Milliseconds(absl::Ceil(wait, absl::Milliseconds(1))));
}

absl::Status Refuse(grpc::ServerContextBase& context, absl::Duration wait,
                    absl::string_view what) {
  const int64_t millis = RetryMillis(wait);
  context.AddTrailingMetadata(kRetryAfterHeader, absl::StrCat(millis));
  absl::Status status = absl::ResourceExhaustedError(absl::StrCat(
      what, "; retry after ", absl::FormatDuration(absl::Milliseconds(millis)), " (",
      kRetryAfterHeader, ": ", millis, ")"));
  status = errors::WithReason(std::move(status), errors::kRateLimited,
                              {{"retry_after_ms", absl::StrCat(millis)}});
  return errors::WithRetryDelay(std::move(status), absl::Milliseconds(millis));
}

uint64_t TokenKey(absl::string_view token_digest) {
  return absl::Hash<absl::string_view>()(token_digest);
}

google::protobuf::Duration ToProto(absl::Duration duration) {
  return google::protobuf::util::TimeUtil::NanosecondsToDuration(
      absl::ToInt64Nanoseconds(duration));
}

}  // namespace

absl::Status ValidateCallerLimitOptions(const CallerLimitOptions& options) {
  if (!(options.rate.calls_per_second >= 0) ||
      std::isinf(options.rate.calls_per_second)) {
    return absl::InvalidArgumentError(
        "--rate_limit: calls per second per principal, 0 (no limit) or more");
  }
  if (options.rate.burst < 1) {
    return absl::InvalidArgumentError("--rate_limit_burst: must be at least 1");
  }
  const PeerSlowdownOptions& peers = options.peers;
  if (peers.failures < 0) {
    return absl::InvalidArgumentError(
        "--auth_failures: failures before a peer is slowed down, 0 (never) or more");
  }
  if (peers.window <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--auth_failure_window: must be positive");
  }
  if (peers.slowdown <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--auth_slowdown: must be positive");
  }
  if (peers.max_slowdown < peers.slowdown) {
    return absl::InvalidArgumentError(
        "--auth_slowdown_max: must be at least --auth_slowdown");
  }
  return absl::OkStatus();
}

CallerLimits::CallerLimits(CallerLimitOptions options)
    : rates_(options.rate), peers_(options.peers), gateway_key_(options.gateway_key) {}

std::string CallerLimits::CallPeer(const grpc::ServerContextBase& context) const {
  const auto& metadata = context.client_metadata();
  auto key = metadata.find(gateway::kGatewayKeyMetadata);
  auto peer = metadata.find(gateway::kHttpPeerMetadata);
  const bool from_gateway =
      !gateway_key_.empty() && key != metadata.end() && peer != metadata.end() &&
      key->second.size() == gateway_key_.size() &&
      CRYPTO_memcmp(key->second.data(), gateway_key_.data(), gateway_key_.size()) == 0;
  if (!from_gateway) return PeerAddress(context.peer());
  return PeerAddress(absl::string_view(peer->second.data(), peer->second.size()));
}

absl::Status CallerLimits::TakeCall(grpc::ServerContextBase& context,
                                    absl::string_view principal,
                                    absl::string_view permission, int64_t cost) {
  std::optional<absl::Duration> wait = TryTakeCall(principal, cost);
  if (!wait.has_value()) return absl::OkStatus();
  {
    absl::MutexLock lock(&mu_);
    ++rate_limited_[std::string(permission)];
  }
  return Refuse(
      context, *wait,
      absl::StrCat("rate limit: principal \"", principal, "\" may make ",
                   rates_.options().calls_per_second, " calls per second (bursts of ",
                   rates_.options().burst, ")"));
}

std::optional<absl::Duration> CallerLimits::TryTakeCall(absl::string_view principal,
                                                        int64_t cost) {
  return rates_.Take(principal, MonotonicNow(), cost);
}

absl::Status CallerLimits::AdmitToken(grpc::ServerContextBase& context,
                                      absl::string_view token_digest) {
  if (!peers_.enabled()) return absl::OkStatus();
  const std::string peer = CallPeer(context);
  std::optional<absl::Duration> wait =
      peers_.Admit(peer, TokenKey(token_digest), MonotonicNow());
  if (!wait.has_value()) return absl::OkStatus();
  return Refuse(context, *wait,
                absl::StrCat("too many unknown bearer tokens from ", peer,
                             ": tokens that have not succeeded from this address are "
                             "refused without being checked for now"));
}

void CallerLimits::TokenFailed(const grpc::ServerContextBase& context) {
  if (peers_.enabled()) peers_.Failed(CallPeer(context), MonotonicNow());
}

void CallerLimits::TokenSucceeded(const grpc::ServerContextBase& context,
                                  absl::string_view token_digest) {
  if (!peers_.enabled()) return;
  peers_.Succeeded(CallPeer(context), TokenKey(token_digest), MonotonicNow());
}

void CallerLimits::Describe(v1::GetSecurityStatusResponse& response) {
  const absl::Time now = MonotonicNow();
  v1::RateLimitStatus* rate = response.mutable_rate_limit();
  rate->set_calls_per_second(rates_.options().calls_per_second);
  rate->set_burst(rates_.options().burst);
  rate->set_tracked_principal_count(static_cast<int64_t>(rates_.tracked(now)));
  {
    absl::MutexLock lock(&mu_);
    int64_t total = 0;
    for (const auto& [permission, count] : rate_limited_) {
      v1::RateLimitedCount* limited = rate->add_rate_limited();
      limited->set_permission(permission);
      limited->set_count(count);
      total += count;
    }
    rate->set_rate_limited_call_count(total);
  }
  const PeerSlowdownOptions& options = peers_.options();
  const PeerSlowdownCounts counts = peers_.counts(now);
  v1::AuthenticationFailureStatus* failures = response.mutable_authentication_failures();
  failures->set_failures(options.failures);
  *failures->mutable_window() = ToProto(options.window);
  *failures->mutable_slowdown() = ToProto(options.slowdown);
  *failures->mutable_max_slowdown() = ToProto(options.max_slowdown);
  failures->set_slowed_peer_count(counts.slowed_peers);
  failures->set_slowdown_count(counts.slowdowns);
  failures->set_slowed_call_count(counts.slowed_calls);
  failures->set_tracked_peer_count(counts.tracked_peers);
}

}  // namespace agreements::services
