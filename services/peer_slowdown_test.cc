#include "services/peer_slowdown.h"

#include "gtest/gtest.h"

namespace agreements::services {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'700'000'000);
constexpr uint64_t kGuess = 7;
constexpr uint64_t kGood = 42;

PeerSlowdownOptions Options() {
  PeerSlowdownOptions options;
  options.failures = 3;
  options.window = absl::Seconds(60);
  options.slowdown = absl::Seconds(1);
  options.max_slowdown = absl::Seconds(4);
  return options;
}

TEST(PeerAddress, IpWithoutPortAndIpv6ByNetwork) {
  EXPECT_EQ(PeerAddress("ipv4:127.0.0.1:54321"), "127.0.0.1");
  EXPECT_EQ(PeerAddress("ipv6:[::1]:50051"), "::/64");
  EXPECT_EQ(PeerAddress("ipv6:[2001:db8:1:2:aa:bb:cc:dd]:443"), "2001:db8:1:2::/64");
  EXPECT_EQ(PeerAddress("ipv6:[2001:db8:1:2::9]:443"), "2001:db8:1:2::/64");
  EXPECT_EQ(PeerAddress("ipv6:[::ffff:10.1.2.3]:443"), "10.1.2.3");
  EXPECT_EQ(PeerAddress("unix:/run/agreements.sock"), "unix:/run/agreements.sock");
}

TEST(PeerSlowdown, FailuresSlowThePeerDownForGrowingPeriods) {
  PeerSlowdown slowdown(Options());
  absl::Time now = kStart;
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(slowdown.Admit("10.0.0.1", kGuess, now), std::nullopt);
    slowdown.Failed("10.0.0.1", now);
  }
  EXPECT_EQ(slowdown.Admit("10.0.0.1", kGuess, now), std::nullopt);
  slowdown.Failed("10.0.0.1", now);  // the third: slowed down for 1 s
  EXPECT_EQ(slowdown.Admit("10.0.0.1", kGuess, now), absl::Seconds(1));
  EXPECT_EQ(slowdown.Admit("10.0.0.2", kGuess, now), std::nullopt) << "another peer";
  now += absl::Seconds(1);
  EXPECT_EQ(slowdown.Admit("10.0.0.1", kGuess, now), std::nullopt);
  // Each further failure in the run doubles the period, up to the maximum.
  for (absl::Duration period : {absl::Seconds(2), absl::Seconds(4), absl::Seconds(4)}) {
    slowdown.Failed("10.0.0.1", now);
    EXPECT_EQ(slowdown.Admit("10.0.0.1", kGuess, now), period);
    now += period;
  }
  const PeerSlowdownCounts counts = slowdown.counts(now - absl::Seconds(1));
  EXPECT_EQ(counts.slowed_peers, 1);
  EXPECT_EQ(counts.slowdowns, 4);
  EXPECT_EQ(counts.slowed_calls, 4);
  // A whole window without failure after the slowdown: the count starts again.
  now += absl::Seconds(61);
  slowdown.Failed("10.0.0.1", now);
  EXPECT_EQ(slowdown.Admit("10.0.0.1", kGuess, now), std::nullopt);
}

TEST(PeerSlowdown, TokensThatSucceededFromThePeerAreNotSlowed) {
  PeerSlowdown slowdown(Options());
  slowdown.Succeeded("10.0.0.1", kGood, kStart);
  for (int i = 0; i < 3; ++i) slowdown.Failed("10.0.0.1", kStart);
  EXPECT_EQ(slowdown.Admit("10.0.0.1", kGood, kStart), std::nullopt);
  EXPECT_TRUE(slowdown.Admit("10.0.0.1", kGuess, kStart).has_value());
  // Good at another address does not count here.
  slowdown.Succeeded("10.0.0.2", kGuess, kStart);
  EXPECT_TRUE(slowdown.Admit("10.0.0.1", kGuess, kStart).has_value());
}

TEST(PeerSlowdown, MemoryIsBounded) {
  PeerSlowdownOptions options = Options();
  options.max_peers = 100;
  options.remembered_tokens = 2;
  PeerSlowdown slowdown(options);
  for (int i = 0; i < 1000; ++i) {
    slowdown.Failed("10.0.1." + std::to_string(i), kStart);
  }
  EXPECT_EQ(slowdown.counts(kStart).tracked_peers, 100);
  // Only the most recent good tokens are remembered.
  for (uint64_t token : {1, 2, 3}) slowdown.Succeeded("10.0.0.1", token, kStart);
  for (int i = 0; i < 3; ++i) slowdown.Failed("10.0.0.1", kStart);
  EXPECT_TRUE(slowdown.Admit("10.0.0.1", 1, kStart).has_value());
  EXPECT_EQ(slowdown.Admit("10.0.0.1", 3, kStart), std::nullopt);
  // Entries with nothing left to enforce or remember are dropped.
  EXPECT_EQ(slowdown.counts(kStart + absl::Hours(2)).tracked_peers, 0);
}

TEST(PeerSlowdown, ZeroFailuresIsOff) {
  PeerSlowdownOptions options = Options();
  options.failures = 0;
  PeerSlowdown slowdown(options);
  for (int i = 0; i < 100; ++i) slowdown.Failed("10.0.0.1", kStart);
  EXPECT_EQ(slowdown.Admit("10.0.0.1", kGuess, kStart), std::nullopt);
  EXPECT_EQ(slowdown.counts(kStart).tracked_peers, 0);
}

}  // namespace
}  // namespace agreements::services
