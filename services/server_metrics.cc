#include "services/server_metrics.h"

#include <sys/statvfs.h>

#include <algorithm>

#include "common/build_info.h"
#include "common/grpc_status.h"
#include "common/process_metrics.h"
#include "services/access_control.h"
#include "services/feed_service.h"
#include "store/checkpointer.h"
#include "store/committer.h"
#include "store/projection.h"
#include "store/store.h"

namespace agreements::services {
namespace {

using metrics::Counter;
using metrics::Gauge;

Gauge& AddGauge(metrics::Registry& registry, const char* name, const char* help) {
  return registry.AddGauge(name, help).With({});
}

}  // namespace

ServerMetrics::ServerMetrics()
    : requests_(registry_.AddCounter(
          "agreements_requests_total",
          "gRPC calls finished, by full method and status code.", {"method", "code"})),
      request_seconds_(registry_.AddHistogram(
          "agreements_request_duration_seconds",
          "Time from a unary call's arrival to its status, by full method.",
          metrics::LatencyBuckets(), {"method"})),
      group_events_(registry_
                        .AddHistogram("agreements_commit_group_events",
                                      "Events written by one durable commit group.",
                                      metrics::PowersOfTwo(16384))
                        .With({})),
      group_seconds_(registry_
                         .AddHistogram("agreements_commit_duration_seconds",
                                       "Time of one commit group's synced write.",
                                       metrics::LatencyBuckets())
                         .With({})),
      denials_(registry_.AddCounter("agreements_denials_total",
                                    "Calls refused for a missing permission (or an "
                                    "over-limit rate, a named actor), by permission.",
                                    {"permission"})) {
  registry_
      .AddGauge("agreements_build_info",
                "1, labelled with this server's version, git commit and build type.",
                {"version", "commit", "build_type"})
      .With({build_info::Version(), build_info::Commit(), build_info::BuildType()})
      .Set(1);
  AddCollectors();
  AddClusterCollector();
  metrics::AddProcessMetrics(registry_);
}

void ServerMetrics::RecordCall(const std::string& method, grpc::StatusCode code,
                               bool streaming, absl::Duration latency) {
  const int index = std::clamp(static_cast<int>(code), 0, 16);
  Counter* counter;
  metrics::Histogram* histogram;
  {
    absl::MutexLock lock(&methods_mu_);
    // A client can name any method, even one the server lacks: past the registry's own
    // few dozen, further names share one label, so labels stay bounded.
    const bool known = methods_.size() + 1 < kMaxMethods || methods_.count(method) > 0;
    auto [it, created] = methods_.try_emplace(known ? method : std::string(kOtherMethod));
    const std::string& label = it->first;
    MethodMetrics& m = it->second;
    if (created) m.latency = &request_seconds_.With({label});
    if (m.by_code[index] == nullptr) {
      m.by_code[index] = &requests_.With({label, StatusCodeName(code)});
    }
    counter = m.by_code[index];
    histogram = m.latency;
  }
  counter->Increment();
  if (!streaming) histogram->Observe(absl::ToDoubleSeconds(latency));
}

void ServerMetrics::RecordGroup(size_t, uint64_t events, absl::Duration write) {
  group_events_.Observe(static_cast<double>(events));
  group_seconds_.Observe(absl::ToDoubleSeconds(write));
}

void ServerMetrics::Watch(MetricSources sources) {
  absl::MutexLock lock(&sources_mu_);
  sources_ = std::move(sources);
}

void ServerMetrics::Unwatch() {
  absl::MutexLock lock(&sources_mu_);
  sources_ = MetricSources();
}

void ServerMetrics::AddCollectors() {
  metrics::Registry& r = registry_;
  Gauge& serving = AddGauge(r, "agreements_serving",
                            "1 while the health service reports SERVING, else 0.");
  Gauge& head = AddGauge(r, "agreements_log_head_position",
                         "The last durable position of the log.");
  Gauge& applied = AddGauge(r, "agreements_views_applied_position",
                            "The last position the views reflect.");
  Gauge& lag = AddGauge(r, "agreements_projection_lag_events",
                        "Events durable in the log and not yet in the views.");
  Gauge& queue = AddGauge(r, "agreements_commit_queue_depth",
                          "Requests waiting for the committer thread.");
  Gauge& subscribers = AddGauge(r, "agreements_feed_subscribers",
                                "Open feed streams (Subscribe and WatchSector).");
  Gauge& feed_lag = AddGauge(r, "agreements_feed_subscriber_lag_events_max",
                             "Positions between the head and the furthest-behind open "
                             "feed stream.");
  Counter& fell_behind = r.AddCounter("agreements_feed_fell_behind_total",
                                      "Feed streams that left the in-memory window "
                                      "and were served from the log again.")
                             .With({});
  Gauge& checkpoint_age = AddGauge(r, "agreements_checkpoint_age_seconds",
                                   "Seconds since the latest signed checkpoint while it "
                                   "does not cover the head (0 when it does).");
  Gauge& pending = AddGauge(r, "agreements_rocksdb_pending_compaction_bytes",
                            "Bytes RocksDB estimates its compactions must rewrite.");
  Gauge& stopped =
      AddGauge(r, "agreements_rocksdb_write_stopped", "1 while RocksDB stops writes.");
  Gauge& delayed = AddGauge(r, "agreements_rocksdb_delayed_write_rate_bytes",
                            "Write rate RocksDB allows while it slows writes down "
                            "(bytes/s; 0 when it does not).");
  Counter& stall = r.AddCounter("agreements_rocksdb_stall_seconds_total",
                                "Time writes were stalled by RocksDB.")
                       .With({});
  Gauge& memtables = AddGauge(r, "agreements_rocksdb_memtable_bytes",
                              "Memory of every memtable of every column family.");
  Gauge& cache_usage = AddGauge(r, "agreements_rocksdb_block_cache_usage_bytes",
                                "Bytes held by the block cache.");
  Gauge& cache_capacity = AddGauge(r, "agreements_rocksdb_block_cache_capacity_bytes",
                                   "Capacity of the block cache.");
  Counter& hits = r.AddCounter("agreements_rocksdb_block_cache_hits_total",
                               "Block reads answered by the block cache.")
                      .With({});
  Counter& misses = r.AddCounter("agreements_rocksdb_block_cache_misses_total",
                                 "Block reads that missed the block cache.")
                        .With({});
  Gauge& live_sst =
      AddGauge(r, "agreements_rocksdb_live_sst_bytes", "Bytes of the live SST files.");
  Gauge& disk_free = AddGauge(r, "agreements_data_dir_free_bytes",
                              "Bytes available to the server on the data directory's "
                              "file system.");
  Gauge& disk_size = AddGauge(r, "agreements_data_dir_size_bytes",
                              "Size of the data directory's file system.");
  r.AddCollector([=, &serving, &head, &applied, &lag, &queue, &subscribers, &feed_lag,
                  &fell_behind, &checkpoint_age] {
    absl::MutexLock lock(&sources_mu_);
    const MetricSources& s = sources_;
    serving.Set(s.serving && s.serving() ? 1 : 0);
    const uint64_t committed =
        s.committer != nullptr ? s.committer->committed_position() : 0;
    head.Set(static_cast<double>(committed));
    queue.Set(s.committer != nullptr ? static_cast<double>(s.committer->queued()) : 0);
    if (s.projection != nullptr) {
      const uint64_t at = s.projection->applied();
      applied.Set(static_cast<double>(at));
      lag.Set(committed > at ? static_cast<double>(committed - at) : 0);
    }
    if (s.feeds != nullptr) {
      const FeedStats feed = s.feeds->Stats();
      subscribers.Set(static_cast<double>(feed.open_streams));
      feed_lag.Set(static_cast<double>(feed.max_lag_events));
      fell_behind.Set(static_cast<double>(feed.fell_behind));
    }
    if (s.checkpointer != nullptr) {
      const store::SignedCheckpoint latest = s.checkpointer->Latest();
      const bool covers = latest.size != UINT64_MAX && latest.size >= committed;
      checkpoint_age.Set(covers ? 0
                                : absl::ToDoubleSeconds(absl::Now() - latest.signed_at));
    }
  });
  r.AddCollector([=, &pending, &stopped, &delayed, &stall, &memtables, &cache_usage,
                  &cache_capacity, &hits, &misses, &live_sst, &disk_free, &disk_size] {
    absl::MutexLock lock(&sources_mu_);
    const MetricSources& s = sources_;
    if (s.access != nullptr) {
      for (const auto& [permission, count] : s.access->Denials()) {
        denials_.With({permission}).Set(static_cast<double>(count));
      }
    }
    if (s.store != nullptr) {
      const store::StoreStats db = s.store->Stats();
      pending.Set(static_cast<double>(db.pending_compaction_bytes));
      stopped.Set(db.write_stopped ? 1 : 0);
      delayed.Set(static_cast<double>(db.delayed_write_rate));
      stall.Set(static_cast<double>(db.stall_micros) / 1e6);
      memtables.Set(static_cast<double>(db.memtable_bytes));
      cache_usage.Set(static_cast<double>(db.block_cache_usage_bytes));
      cache_capacity.Set(static_cast<double>(db.block_cache_capacity_bytes));
      hits.Set(static_cast<double>(db.block_cache_hits));
      misses.Set(static_cast<double>(db.block_cache_misses));
      live_sst.Set(static_cast<double>(db.live_sst_bytes));
    }
    struct statvfs fs {};
    if (!s.data_dir.empty() && statvfs(s.data_dir.c_str(), &fs) == 0) {
      disk_free.Set(static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize));
      disk_size.Set(static_cast<double>(fs.f_blocks) * static_cast<double>(fs.f_frsize));
    }
  });
}

void ServerMetrics::AddClusterCollector() {
  metrics::Registry& r = registry_;
  Gauge& writer = AddGauge(r, "agreements_cluster_writer",
                           "Cluster mode: 1 while this node is the writer, else 0.");
  Gauge& term = AddGauge(r, "agreements_cluster_term",
                         "Cluster mode: the term of the last record applied here.");
  Gauge& record = AddGauge(r, "agreements_cluster_record_index",
                           "Cluster mode: the last log record applied here.");
  Gauge& lag = AddGauge(r, "agreements_cluster_replica_lag_records",
                        "Cluster mode: records in the log not yet applied here.");
  Counter& terms = r.AddCounter("agreements_cluster_terms_started_total",
                                "Cluster mode: times this node became the writer.")
                       .With({});
  Counter& step_downs = r.AddCounter("agreements_cluster_step_downs_total",
                                     "Cluster mode: times this node stopped being the "
                                     "writer.")
                            .With({});
  Counter& read_errors = r.AddCounter("agreements_cluster_log_read_errors_total",
                                      "Cluster mode: failed reads of the log.")
                             .With({});
  Counter& resolved = r.AddCounter("agreements_cluster_appends_resolved_total",
                                   "Cluster mode: appends whose connection broke and "
                                   "whose outcome was settled by reading the log.")
                          .With({});
  Counter& unknown = r.AddCounter("agreements_cluster_appends_unknown_total",
                                  "Cluster mode: appends whose outcome stayed unknown.")
                         .With({});
  Gauge& gap = AddGauge(r, "agreements_cluster_log_gap",
                        "Cluster mode: 1 once a gap in the replicated log stopped this "
                        "node (NOT_SERVING until an operator acts: docs/cluster.md).");
  Gauge& cosigned = AddGauge(r, "agreements_cluster_cosigned_tree_size",
                             "Cluster mode: the tree size of the latest co-signed "
                             "checkpoint this node serves (0: none).");
  Gauge& cosigners = AddGauge(r, "agreements_cluster_cosigned_signatures",
                              "Cluster mode: the nodes' signatures on that checkpoint.");
  Counter& divergences = r.AddCounter("agreements_cluster_tree_divergences_total",
                                      "Cluster mode: other nodes' checkpoint roots that "
                                      "differ from this node's tree at the same size.")
                             .With({});
  r.AddCollector([=, &writer, &term, &record, &lag, &terms, &step_downs, &read_errors,
                  &resolved, &unknown, &gap, &cosigned, &cosigners, &divergences] {
    absl::MutexLock lock(&sources_mu_);
    if (!sources_.cluster) return;
    const ClusterFigures c = sources_.cluster();
    writer.Set(c.writer ? 1 : 0);
    term.Set(static_cast<double>(c.term));
    record.Set(static_cast<double>(c.record_index));
    lag.Set(static_cast<double>(c.lag_records));
    terms.Set(static_cast<double>(c.terms_started));
    step_downs.Set(static_cast<double>(c.step_downs));
    read_errors.Set(static_cast<double>(c.read_errors));
    resolved.Set(static_cast<double>(c.appends_resolved));
    unknown.Set(static_cast<double>(c.appends_unknown));
    gap.Set(c.log_gap ? 1 : 0);
    cosigned.Set(static_cast<double>(c.cosigned_size));
    cosigners.Set(static_cast<double>(c.cosigned_signatures));
    divergences.Set(static_cast<double>(c.tree_divergences));
  });
}

}  // namespace agreements::services
