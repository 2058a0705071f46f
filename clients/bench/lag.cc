#include "clients/bench/lag.h"

#include <algorithm>

namespace agreements::bench {

LagSamples MeasureLag(std::vector<AppendAck> acks,
                      const std::vector<PositionProbe>& probes) {
  LagSamples lag;
  // Positions the views had shown by each probe (never less than an earlier probe's).
  std::vector<uint64_t> shown(probes.size());
  uint64_t most = 0;
  for (size_t k = 0; k < probes.size(); ++k) {
    most = std::max(most, probes[k].position);
    shown[k] = most;
  }
  for (const AppendAck& ack : acks) {
    // The first probe sent at or after the acknowledgement ...
    const auto from = std::lower_bound(
        probes.begin(), probes.end(), ack.acked_nanos,
        [](const PositionProbe& p, int64_t t) { return p.sent_nanos < t; });
    // ... then the first of those whose views reach the write.
    const auto seen = std::lower_bound(shown.begin() + (from - probes.begin()),
                                       shown.end(), ack.position);
    if (seen == shown.end()) {
      ++lag.unseen;
      continue;
    }
    const PositionProbe& probe = probes[seen - shown.begin()];
    lag.ack_to_visible_nanos.push_back(probe.answered_nanos - ack.acked_nanos);
    lag.ack_to_probe_sent_nanos.push_back(probe.sent_nanos - ack.acked_nanos);
  }
  // The log's head as the client knew it at each moment: the acknowledgements in time
  // order, with the highest position so far.
  std::sort(acks.begin(), acks.end(), [](const AppendAck& a, const AppendAck& b) {
    return a.acked_nanos < b.acked_nanos;
  });
  std::vector<uint64_t> head(acks.size());
  most = 0;
  for (size_t k = 0; k < acks.size(); ++k) {
    most = std::max(most, acks[k].position);
    head[k] = most;
  }
  lag.behind_events.reserve(probes.size());
  for (const PositionProbe& probe : probes) {
    const auto after =
        std::upper_bound(acks.begin(), acks.end(), probe.sent_nanos,
                         [](int64_t t, const AppendAck& a) { return t < a.acked_nanos; });
    const uint64_t known = after == acks.begin() ? 0 : head[after - acks.begin() - 1];
    lag.behind_events.push_back(
        known > probe.position ? static_cast<int64_t>(known - probe.position) : 0);
  }
  return lag;
}

}  // namespace agreements::bench
