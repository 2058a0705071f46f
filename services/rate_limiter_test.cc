#include "services/rate_limiter.h"

#include "gtest/gtest.h"

namespace agreements::services {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'700'000'000);

TEST(RateLimiter, ABurstThenTheRate) {
  RateLimiter limiter(RateLimitOptions{/*calls_per_second=*/10, /*burst=*/3});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Take("reader", kStart), std::nullopt);
  std::optional<absl::Duration> wait = limiter.Take("reader", kStart);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, absl::Milliseconds(100));
  // Half a token later the wait is half as long; a refused call takes nothing.
  wait = limiter.Take("reader", kStart + absl::Milliseconds(50));
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, absl::Milliseconds(50));
  EXPECT_EQ(limiter.Take("reader", kStart + absl::Milliseconds(100)), std::nullopt);
  EXPECT_TRUE(limiter.Take("reader", kStart + absl::Milliseconds(100)).has_value());
}

TEST(RateLimiter, ABatchCostsOneCallPerCommandAtMostABurst) {
  RateLimiter limiter(RateLimitOptions{/*calls_per_second=*/10, /*burst=*/20});
  EXPECT_EQ(limiter.Take("registrar", kStart, 15), std::nullopt);
  // 5 left: a batch of 10 waits for 5 more (0.5 s) and takes nothing meanwhile.
  std::optional<absl::Duration> wait = limiter.Take("registrar", kStart, 10);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, absl::Milliseconds(500));
  EXPECT_EQ(limiter.Take("registrar", kStart, 5), std::nullopt);
  // A batch larger than the burst costs the whole bucket, so it can still go ahead.
  EXPECT_EQ(limiter.Take("other", kStart, 1000), std::nullopt);
  EXPECT_TRUE(limiter.Take("other", kStart).has_value());
}

TEST(RateLimiter, KeysAreIndependent) {
  RateLimiter limiter(RateLimitOptions{1, 1});
  EXPECT_EQ(limiter.Take("reader", kStart), std::nullopt);
  EXPECT_TRUE(limiter.Take("reader", kStart).has_value());
  EXPECT_EQ(limiter.Take("auditor", kStart), std::nullopt);
}

TEST(RateLimiter, IdleKeysTakeNoMemory) {
  RateLimiter limiter(RateLimitOptions{100, 200});
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(limiter.Take("principal-" + std::to_string(i), kStart), std::nullopt);
  }
  EXPECT_EQ(limiter.tracked(kStart), 1000u);
  // After a full refill time (2 s) every bucket is full again and dropped.
  EXPECT_EQ(limiter.tracked(kStart + absl::Seconds(2)), 0u);
  // A dropped key starts with a full bucket.
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(limiter.Take("principal-1", kStart + absl::Seconds(3)), std::nullopt);
  }
  EXPECT_TRUE(limiter.Take("principal-1", kStart + absl::Seconds(3)).has_value());
}

TEST(RateLimiter, ZeroRateIsNoLimit) {
  RateLimiter limiter(RateLimitOptions{0, 1});
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(limiter.Take("reader", kStart), std::nullopt);
  EXPECT_EQ(limiter.tracked(kStart), 0u);
}

}  // namespace
}  // namespace agreements::services
