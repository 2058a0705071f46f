// CallerLimits: the limits AccessControl puts on calls (docs/security.md, Limits per
// caller): the request rate of each principal (RateLimiter) and the slowdown of peers
// whose bearer tokens keep failing (PeerSlowdown). A refusal is RESOURCE_EXHAUSTED; the
// message says how long to wait, and the call's trailing metadata carries the same
// delay in milliseconds under "retry-after-ms" (kRetryAfterHeader).
//
// Thread-safe. Owns the limiter and the slowdown; keeps the counters of refused calls.
#ifndef AGREEMENTS_SERVICES_CALLER_LIMITS_H_
#define AGREEMENTS_SERVICES_CALLER_LIMITS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agreements/v1/security_service.pb.h"
#include "grpcpp/server_context.h"
#include "services/peer_slowdown.h"
#include "services/rate_limiter.h"

namespace agreements::services {

// Trailing metadata of a RESOURCE_EXHAUSTED refusal: milliseconds to wait, in decimal.
inline constexpr char kRetryAfterHeader[] = "retry-after-ms";

struct CallerLimitOptions {
  // Calls per principal (callers with the admin role are exempt).
  // Default: 200 calls per second, bursts of 400.
  RateLimitOptions rate;
  // Peers whose bearer tokens fail.
  // Default: slowed down after 10 failures, for 1 s doubling up to 5 min.
  PeerSlowdownOptions peers;
  // The key of the server's own HTTP gateway: a call that carries it (metadata
  // agreements-gateway-key) counts against the HTTP client's address it names
  // (agreements-http-peer) instead of its connection's peer. Empty: never.
  // Default: "" (RegistryServer makes a random key when it starts a gateway).
  std::string gateway_key;
};

// InvalidArgument naming the server flag of the first bad option, or OK.
absl::Status ValidateCallerLimitOptions(const CallerLimitOptions& options);

class CallerLimits {
 public:
  explicit CallerLimits(CallerLimitOptions options);

  CallerLimits(const CallerLimits&) = delete;
  CallerLimits& operator=(const CallerLimits&) = delete;

  // Takes `cost` calls (one per command of a batch) from `principal`'s rate;
  // RESOURCE_EXHAUSTED (counted under `permission`, the permission the call needs or
  // "none") when it is over.
  absl::Status TakeCall(grpc::ServerContextBase& context, absl::string_view principal,
                        absl::string_view permission, int64_t cost = 1);
  // Takes `cost` calls from `principal`'s rate: nullopt when they were taken,
  // otherwise how long until the rate holds them (nothing is taken or counted).
  std::optional<absl::Duration> TryTakeCall(absl::string_view principal, int64_t cost);
  // RESOURCE_EXHAUSTED when the caller's peer is slowed down and `token_digest` did not
  // succeed from it before; the token must not be looked up then.
  absl::Status AdmitToken(grpc::ServerContextBase& context,
                          absl::string_view token_digest);
  // The outcome of looking a token up.
  void TokenFailed(const grpc::ServerContextBase& context);
  void TokenSucceeded(const grpc::ServerContextBase& context,
                      absl::string_view token_digest);

  // Fills rate_limit and authentication_failures.
  void Describe(agreements::v1::GetSecurityStatusResponse& response);

 private:
  // The address limits apply to: the connection's peer, or the gateway's HTTP client.
  std::string CallPeer(const grpc::ServerContextBase& context) const;

  RateLimiter rates_;
  PeerSlowdown peers_;
  const std::string gateway_key_;

  absl::Mutex mu_;
  std::map<std::string, int64_t> rate_limited_ ABSL_GUARDED_BY(mu_);
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_CALLER_LIMITS_H_
