// The views' lag behind the log as a client sees it (projection-lag): from the writes'
// acknowledgements and a series of reads of the views' position, taken one after the
// other by one prober. Pure functions, unit-tested in lag_test.cc.
#ifndef AGREEMENTS_CLIENTS_BENCH_LAG_H_
#define AGREEMENTS_CLIENTS_BENCH_LAG_H_

#include <cstdint>
#include <vector>

#include "clients/bench/append_load.h"

namespace agreements::bench {

// One read of the views (READ_CONSISTENCY_AVAILABLE): when it was sent, when it was
// answered, and the position the views it read reflected.
struct PositionProbe {
  int64_t sent_nanos = 0;
  int64_t answered_nanos = 0;
  uint64_t position = 0;
};

struct LagSamples {
  // Per write seen by a probe: the answer time of the first probe sent at or after the
  // write's acknowledgement whose position reaches the write's, minus the
  // acknowledgement time. An upper bound of the lag, by at most one probe interval and
  // one read's round trip; a write already in the views at its acknowledgement counts
  // one read's round trip.
  std::vector<int64_t> ack_to_visible_nanos;
  // The same, to the time that probe was sent: without the probe's own round trip (the
  // views may have reached the write while it was in flight), 0 when the first probe
  // after the acknowledgement saw it.
  std::vector<int64_t> ack_to_probe_sent_nanos;
  // Writes no probe sent after their acknowledgement saw.
  int64_t unseen = 0;
  // Per probe: the highest position acknowledged before it was sent, minus the position
  // it read (0 when the views had it).
  std::vector<int64_t> behind_events;
};

// `probes` in the order they were sent, one at a time. The views never move back, so a
// probe is taken to show at least what any earlier probe showed. `acks` in any order.
LagSamples MeasureLag(std::vector<AppendAck> acks,
                      const std::vector<PositionProbe>& probes);

}  // namespace agreements::bench

#endif  // AGREEMENTS_CLIENTS_BENCH_LAG_H_
