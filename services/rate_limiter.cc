#include "services/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace agreements::services {

RateLimiter::RateLimiter(RateLimitOptions options)
    : options_(options),
      refill_time_(
          options.calls_per_second > 0
              ? absl::Seconds(static_cast<double>(std::max<int64_t>(options.burst, 1)) /
                              options.calls_per_second)
              : absl::ZeroDuration()) {}

double RateLimiter::Refilled(const Bucket& bucket, absl::Time now) const {
  const double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - bucket.updated));
  return std::min(static_cast<double>(std::max<int64_t>(options_.burst, 1)),
                  bucket.tokens + elapsed * options_.calls_per_second);
}

std::optional<absl::Duration> RateLimiter::Take(absl::string_view key, absl::Time now,
                                                int64_t cost) {
  if (!enabled()) return std::nullopt;
  absl::MutexLock lock(&mu_);
  SweepLocked(now);
  auto [it, inserted] = buckets_.try_emplace(key);
  Bucket& bucket = it->second;
  // A new bucket is a full one: the key has not called for at least a refill time.
  const double tokens = inserted
                            ? static_cast<double>(std::max<int64_t>(options_.burst, 1))
                            : Refilled(bucket, now);
  bucket.updated = now;
  const double needed = static_cast<double>(
      std::clamp<int64_t>(cost, 1, std::max<int64_t>(options_.burst, 1)));
  if (tokens >= needed) {
    bucket.tokens = tokens - needed;
    return std::nullopt;
  }
  bucket.tokens = tokens;
  return absl::Seconds((needed - tokens) / options_.calls_per_second);
}

size_t RateLimiter::tracked(absl::Time now) {
  absl::MutexLock lock(&mu_);
  next_sweep_ = absl::InfinitePast();
  SweepLocked(now);
  return buckets_.size();
}

void RateLimiter::SweepLocked(absl::Time now) {
  if (now < next_sweep_) return;
  next_sweep_ = now + refill_time_;
  const double full = static_cast<double>(std::max<int64_t>(options_.burst, 1));
  absl::erase_if(buckets_,
                 [&](const auto& entry) { return Refilled(entry.second, now) >= full; });
}

}  // namespace agreements::services
