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
  EXPECT_EQ(PeerAddress("ipv6:%5B2001:db8:1:2::9%5D:443"), "2001:db8:1:2::/64");
  EXPECT_EQ(PeerAddress("ipv6:not-an-address:443"), "not-an-address");
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
  // Quiet windows leak one failure each: after three, the count is back at zero.
  now += absl::Seconds(181);
  slowdown.Failed("10.0.0.1", now);
  EXPECT_EQ(slowdown.Admit("10.0.0.1", kGuess, now), std::nullopt);
}

TEST(PeerSlowdown, APeerThatPausesBetweenGuessesGetsAboutOnePerWindow) {
  PeerSlowdown slowdown(Options());  // 3 failures, 60 s window, 1 s to 4 s slowdowns
  absl::Time now = kStart;
  for (int i = 0; i < 3; ++i) slowdown.Failed("10.0.0.1", now);  // a first run
  int admitted = 0;
  for (int round = 0; round < 10; ++round) {
    now += absl::Seconds(61);  // one window leaks one failure
    for (int guess = 0; guess < 3; ++guess) {
      if (slowdown.Admit("10.0.0.1", kGuess, now).has_value()) continue;
      ++admitted;
      slowdown.Failed("10.0.0.1", now);
    }
  }
  // One guess per round, not a fresh run of three.
  EXPECT_EQ(admitted, 10);
  EXPECT_GE(slowdown.counts(now).slowdowns, 10);
}

TEST(PeerSlowdown, AFullTableKeepsFailuresAndSlowsNewPeersTogether) {
  PeerSlowdownOptions options = Options();
  options.max_peers = 10;
  PeerSlowdown slowdown(options);
  // The guesser's own address is slowed down, then it floods the table with others.
  for (int i = 0; i < 3; ++i) slowdown.Failed("10.0.0.1", kStart);
  for (int i = 0; i < 100; ++i) {
    slowdown.Failed("10.0.1." + std::to_string(i), kStart + absl::Milliseconds(i));
  }
  const absl::Time now = kStart + absl::Milliseconds(200);
  EXPECT_TRUE(slowdown.Admit("10.0.0.1", kGuess, now).has_value())
      << "its record was not evicted";
  // Addresses the table could not take share one slowdown.
  EXPECT_TRUE(slowdown.Admit("10.0.2.1", kGuess, now).has_value());
  EXPECT_EQ(slowdown.counts(now).tracked_peers, 10);
}

TEST(PeerSlowdown, EntriesThatOnlyRememberTokensMakeRoom) {
  PeerSlowdownOptions options = Options();
  options.max_peers = 2;
  PeerSlowdown slowdown(options);
  slowdown.Succeeded("10.0.0.1", kGood, kStart);
  slowdown.Succeeded("10.0.0.2", kGood, kStart + absl::Seconds(1));
  for (int i = 0; i < 3; ++i) slowdown.Failed("10.0.0.3", kStart + absl::Seconds(2));
  // 10.0.0.1 made room; the guesser at 10.0.0.3 has its own entry.
  EXPECT_TRUE(slowdown.Admit("10.0.0.3", kGuess, kStart + absl::Seconds(2)).has_value());
  EXPECT_EQ(slowdown.Admit("10.0.0.4", kGuess, kStart + absl::Seconds(2)), std::nullopt);
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
