// ServerMetrics: the registry's metrics (docs/operations.md lists them): requests by
// method and code with latency histograms (fed by CallObserver), commit groups (fed by
// the committer), and figures read on each scrape from the parts of a running server:
// head and applied positions, queue depth, feed streams, denials, checkpoint age,
// RocksDB, the data directory's disk, the process, build info.
//
// Thread-safe. The sources given to Watch must outlive the last Expose, or be cleared
// with Unwatch first.
#ifndef AGREEMENTS_SERVICES_SERVER_METRICS_H_
#define AGREEMENTS_SERVICES_SERVER_METRICS_H_

#include <array>
#include <atomic>
#include <functional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/metrics.h"
#include "grpcpp/support/status.h"

namespace agreements::store {
class Store;
class Committer;
class Projection;
class Checkpointer;
}  // namespace agreements::store

namespace agreements::services {

class AccessControl;
class FeedService;

// Cluster mode figures (docs/cluster.md).
struct ClusterFigures {
  bool writer = false;
  uint64_t term = 0;
  uint64_t record_index = 0;
  uint64_t lag_records = 0;
  uint64_t terms_started = 0;
  uint64_t step_downs = 0;
  uint64_t read_errors = 0;
  uint64_t appends_resolved = 0;
  uint64_t appends_unknown = 0;
  bool log_gap = false;
  uint64_t cosigned_size = 0;
  uint64_t cosigned_signatures = 0;
  uint64_t tree_divergences = 0;
};

// What the collectors read; any may be null (not started yet, or shut down).
struct MetricSources {
  const store::Store* store = nullptr;
  const store::Committer* committer = nullptr;
  const store::Projection* projection = nullptr;
  const store::Checkpointer* checkpointer = nullptr;
  const FeedService* feeds = nullptr;
  const AccessControl* access = nullptr;
  std::string data_dir;
  // Whether the health service says SERVING.
  std::function<bool()> serving;
  // Cluster mode only (unset: the cluster metrics stay at 0).
  std::function<ClusterFigures()> cluster;
};

class ServerMetrics {
 public:
  ServerMetrics();
  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;

  // One finished call. `streaming` calls count but have no latency histogram.
  void RecordCall(const std::string& method, grpc::StatusCode code, bool streaming,
                  absl::Duration latency);
  // One durable commit group (CommitterOptions::on_group_written).
  void RecordGroup(size_t requests, uint64_t events, absl::Duration write);

  void Watch(MetricSources sources);
  void Unwatch();

  // The text exposition (collectors run first).
  std::string Expose() const { return registry_.Expose(); }

 private:
  // Distinct method labels at most, kOtherMethod included: names past the first
  // kMaxMethods - 1 count as kOtherMethod.
  static constexpr size_t kMaxMethods = 256;
  static constexpr char kOtherMethod[] = "other";

  struct MethodMetrics {
    std::array<metrics::Counter*, 17> by_code{};
    metrics::Histogram* latency = nullptr;
  };
  void AddCollectors();
  void AddClusterCollector();

  metrics::Registry registry_;
  metrics::Family<metrics::Counter>& requests_;
  metrics::Family<metrics::Histogram>& request_seconds_;
  metrics::Histogram& group_events_;
  metrics::Histogram& group_seconds_;
  metrics::Family<metrics::Counter>& denials_;

  absl::Mutex methods_mu_;
  absl::flat_hash_map<std::string, MethodMetrics> methods_ ABSL_GUARDED_BY(methods_mu_);

  mutable absl::Mutex sources_mu_;
  MetricSources sources_ ABSL_GUARDED_BY(sources_mu_);
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_SERVER_METRICS_H_
