// `make cluster-soak` (docs/cluster.md, "Soak"): many writer kills and PostgreSQL
// failovers under load, then every acknowledged event on every node, exactly once, at
// its position, positions without gaps. Counts from AGREEMENTS_SOAK_WRITER_KILLS
// (default 50) and AGREEMENTS_SOAK_PG_FAILOVERS (default 10); prints the failover times.
#include <cstdio>
#include <cstdlib>

#include "tests/cluster_fixture.h"

namespace agreements::testing {
namespace {

int Count(const char* name, int fallback) {
  const char* value = std::getenv(name);
  int parsed = 0;
  return value != nullptr && absl::SimpleAtoi(value, &parsed) ? parsed : fallback;
}

TEST_F(ClusterTest, SoakWriterKillsAndPostgresFailoversLoseNothingAcknowledged) {
  const int kills = Count("AGREEMENTS_SOAK_WRITER_KILLS", 50);
  const int failovers = Count("AGREEMENTS_SOAK_PG_FAILOVERS", 10);
  StartPostgres(/*standby=*/true);
  StartNodes();
  ASSERT_GE(WaitForWriter(absl::Seconds(20)), 0);
  ASSERT_TRUE(RegisterParties().ok());
  StartLoad(/*writers=*/3);
  std::vector<double> takeover_s;
  for (int round = 0; round < kills; ++round) {
    absl::SleepFor(absl::Milliseconds(300));
    const int writer = WaitForWriter(absl::Seconds(20));
    ASSERT_GE(writer, 0) << "round " << round;
    const uint64_t acked_before = MaxAcked();
    KillNode(writer);
    const absl::Time killed = absl::Now();
    // Writer loss to the first write acknowledged after it.
    while (MaxAcked() <= acked_before && absl::Now() - killed < absl::Seconds(30)) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    takeover_s.push_back(absl::ToDoubleSeconds(absl::Now() - killed));
    ASSERT_GT(MaxAcked(), acked_before) << "no write acknowledged in round " << round;
    RestartNode(writer);
  }
  std::vector<double> pg_s;
  for (int round = 0; round < failovers; ++round) {
    absl::SleepFor(absl::Milliseconds(500));
    const uint64_t acked_before = MaxAcked();
    const absl::Time killed = absl::Now();
    FailOverPostgres();
    while (MaxAcked() <= acked_before && absl::Now() - killed < absl::Seconds(60)) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    pg_s.push_back(absl::ToDoubleSeconds(absl::Now() - killed));
    ASSERT_GT(MaxAcked(), acked_before) << "writes did not resume, failover " << round;
  }
  absl::SleepFor(absl::Milliseconds(500));
  StopLoad();
  const uint64_t head = MaxAcked();
  for (int i = 0; i < kNodes; ++i) ExpectLogHoldsEveryAcknowledged(i, head);
  std::sort(takeover_s.begin(), takeover_s.end());
  std::sort(pg_s.begin(), pg_s.end());
  auto at = [](const std::vector<double>& v, double q) {
    return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))];
  };
  std::printf(
      "{\"soak\":\"cluster\",\"writer_kills\":%d,\"pg_failovers\":%d,\"acknowledged\":%"
      "zu,"
      "\"head\":%llu,\"lost\":0,\"writer_failover_s_p50\":%.2f,"
      "\"writer_failover_s_max\":%.2f,\"pg_failover_s_p50\":%.2f,"
      "\"pg_failover_s_max\":%.2f}\n",
      kills, failovers, acked_.size(), static_cast<unsigned long long>(head),
      at(takeover_s, 0.5), at(takeover_s, 1.0), at(pg_s, 0.5), at(pg_s, 1.0));
}

}  // namespace
}  // namespace agreements::testing
