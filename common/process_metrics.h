// The process's own figures under the names Prometheus clients use for them
// (process_resident_memory_bytes, process_cpu_seconds_total, process_open_fds,
// process_max_fds, process_start_time_seconds, process_threads), read from /proc on
// each scrape.
#ifndef AGREEMENTS_COMMON_PROCESS_METRICS_H_
#define AGREEMENTS_COMMON_PROCESS_METRICS_H_

#include "common/metrics.h"

namespace agreements::metrics {

void AddProcessMetrics(Registry& registry);

}  // namespace agreements::metrics

#endif  // AGREEMENTS_COMMON_PROCESS_METRICS_H_
