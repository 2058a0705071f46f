#include "clients/bench/lag.h"

#include <vector>

#include "gtest/gtest.h"

namespace agreements::bench {
namespace {

AppendAck Ack(uint64_t position, int64_t acked) {
  AppendAck ack;
  ack.position = position;
  ack.acked_nanos = acked;
  return ack;
}

PositionProbe Probe(int64_t sent, int64_t answered, uint64_t position) {
  return PositionProbe{sent, answered, position};
}

TEST(MeasureLagTest, AWriteIsSeenByTheFirstProbeSentAfterItsAckThatReachesIt) {
  // The first probe is behind; the second sees the write.
  const std::vector<PositionProbe> probes = {Probe(90, 95, 3), Probe(110, 120, 4),
                                             Probe(130, 140, 5)};
  const LagSamples lag = MeasureLag({Ack(5, 100)}, probes);
  EXPECT_EQ(lag.ack_to_visible_nanos, std::vector<int64_t>{40});
  EXPECT_EQ(lag.ack_to_probe_sent_nanos, std::vector<int64_t>{30});
  EXPECT_EQ(lag.unseen, 0);
}

TEST(MeasureLagTest, AProbeSentBeforeTheAckDoesNotCount) {
  // The first probe shows the write and is answered after the ack, but it was sent
  // before: the next one times it.
  const std::vector<PositionProbe> probes = {Probe(95, 105, 5), Probe(110, 112, 5)};
  const LagSamples lag = MeasureLag({Ack(5, 100)}, probes);
  EXPECT_EQ(lag.ack_to_visible_nanos, std::vector<int64_t>{12});
}

TEST(MeasureLagTest, AWriteAlreadyInTheViewsCountsOneRoundTrip) {
  const LagSamples lag = MeasureLag({Ack(3, 100)}, {Probe(100, 103, 7)});
  EXPECT_EQ(lag.ack_to_visible_nanos, std::vector<int64_t>{3});
}

TEST(MeasureLagTest, WritesNoLaterProbeReachedAreUnseen) {
  const LagSamples lag =
      MeasureLag({Ack(5, 100), Ack(9, 150)}, {Probe(120, 125, 6), Probe(160, 170, 8)});
  EXPECT_EQ(lag.ack_to_visible_nanos, std::vector<int64_t>{25});
  EXPECT_EQ(lag.unseen, 1);
}

TEST(MeasureLagTest, AProbeShowsAtLeastWhatAnEarlierOneShowed) {
  // The second probe's lower position is read as the first's (views never move back),
  // and the second is the first sent after the ack.
  const LagSamples lag =
      MeasureLag({Ack(5, 100)}, {Probe(90, 95, 6), Probe(101, 110, 4)});
  EXPECT_EQ(lag.ack_to_visible_nanos, std::vector<int64_t>{10});
}

TEST(MeasureLagTest, BehindCountsWhatWasAcknowledgedBeforeTheProbeWasSent) {
  const LagSamples lag = MeasureLag(
      {Ack(9, 200), Ack(5, 100)},
      {Probe(50, 60, 0), Probe(150, 155, 3), Probe(250, 255, 9), Probe(300, 301, 9)});
  EXPECT_EQ(lag.behind_events, (std::vector<int64_t>{0, 2, 0, 0}));
}

TEST(MeasureLagTest, NoProbesLeaveEveryWriteUnseen) {
  const LagSamples lag = MeasureLag({Ack(1, 10), Ack(2, 20)}, {});
  EXPECT_TRUE(lag.ack_to_visible_nanos.empty());
  EXPECT_EQ(lag.unseen, 2);
  EXPECT_TRUE(lag.behind_events.empty());
}

}  // namespace
}  // namespace agreements::bench
