// RateLimiter: a token bucket per key (the server keys it by principal). Each call takes
// one token; a bucket holds at most `burst` tokens and gains `calls_per_second` tokens
// per second. A bucket that has filled up again is the same as no bucket, so buckets
// are dropped once full: memory stays proportional to the keys that called within the
// last burst / calls_per_second seconds.
//
// Thread-safe. Time is passed in, so tests need no clock.
#ifndef AGREEMENTS_SERVICES_RATE_LIMITER_H_
#define AGREEMENTS_SERVICES_RATE_LIMITER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace agreements::services {

struct RateLimitOptions {
  // Calls per second each key may make on average; 0 turns the limit off.
  // Default: 200.
  double calls_per_second = 200;
  // Calls a key may make at once after being idle (the bucket's size); at least 1.
  // Default: 400.
  int64_t burst = 400;
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimitOptions options);

  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  const RateLimitOptions& options() const { return options_; }
  bool enabled() const { return options_.calls_per_second > 0; }

  // Takes `cost` tokens (at most a whole burst) from `key`'s bucket at `now`: nullopt
  // when the call may go ahead, otherwise how long until the bucket holds them again
  // (nothing is taken).
  std::optional<absl::Duration> Take(absl::string_view key, absl::Time now,
                                     int64_t cost = 1);

  // Buckets held now (keys not full).
  size_t tracked(absl::Time now);

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time updated;
  };

  // The bucket's tokens at `now`, at most burst.
  double Refilled(const Bucket& bucket, absl::Time now) const;
  // Drops full buckets; at most once per full refill time, so the cost is spread.
  void SweepLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const RateLimitOptions options_;
  // How long an empty bucket takes to fill up.
  const absl::Duration refill_time_;

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
  absl::Time next_sweep_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_RATE_LIMITER_H_
