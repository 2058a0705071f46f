// agreements-bench: configuration, datasets (a data directory with the server under test)
// and the scenarios. The flags are listed in bench_main.cc and README.md.
#ifndef AGREEMENTS_CLIENTS_BENCH_BENCH_H_
#define AGREEMENTS_CLIENTS_BENCH_BENCH_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agreements/v1/audit_service.grpc.pb.h"
#include "agreements/v1/command_service.grpc.pb.h"
#include "agreements/v1/feed_service.grpc.pb.h"
#include "agreements/v1/query_service.grpc.pb.h"
#include "clients/bench/append_load.h"
#include "clients/bench/datagen.h"
#include "clients/bench/process.h"
#include "clients/bench/stats.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace agreements::bench {

// Every size and knob of a run, resolved from the flags and the suite.
struct BenchConfig {
  std::string server_bin;
  std::string admin_bin;
  std::string work_dir;
  bool keep = false;
  uint64_t seed = 42;
  int parties = 200;
  int agreement_bytes = 1024;
  absl::Duration call_timeout = absl::Seconds(60);
  absl::Duration scenario_timeout = absl::Minutes(30);
  // Feeds: parse every message fully (else only kind and position).
  bool parse_events = false;
  // catch-up: events per message asked for.
  int catch_up_batch = 256;
  // After the big load: longest wait for the server to go idle.
  absl::Duration settle_timeout = absl::Minutes(15);

  // append / growth.
  int in_flight = 64;
  int64_t warmup_count = 1000;
  int64_t append_count = 20000;
  int change_percent = 10;
  // append-batch.
  int batch_events = 100;
  int batch_in_flight = 4;
  int64_t batch_total_events = 50000;
  // feed-latency.
  int subscribers = 50;
  int rate = 1000;
  absl::Duration duration = absl::Seconds(10);
  // Loads.
  int64_t load_events = 200000;
  int64_t big_events = 1000000;
  int load_batch = 100;
  int load_in_flight = 8;
  // query.
  int64_t query_count = 5000;
  int query_threads = 1;
  int list_pages = 3;
  // proof.
  int64_t proof_count = 5000;
  int verify_proofs = 20;
  // memory.
  int idle_subscriptions = 1000;
  absl::Duration memory_wait = absl::Seconds(2);
  // confidentiality.
  int64_t hidden_agreements = 20000;
  int64_t confidentiality_probes = 2000;
  // stack-baseline: agreements-stack-baseline.
  std::string stack_baseline_bin;
  // read-after-write: writes (each then read) per second; 0: half the append figure of
  // the same run.
  double read_after_write_rate = 0;
  // projection-lag: time between two reads of the views' position.
  absl::Duration lag_probe_interval = absl::Milliseconds(1);
  // subscribers-1000: subscriptions, the appends per second under them, and the time
  // a slow subscriber waits before each read.
  int many_subscribers = 1000;
  int many_subscribers_rate = 100;
  absl::Duration slow_read_interval = absl::Milliseconds(100);
  // participants: agreements of each size (2 participations, and large_participants),
  // and the participations of a large one.
  int64_t participants_agreements = 500;
  int large_participants = 200;
};

// One bearer token a dataset's server accepts: a line of its token file.
struct TokenGrant {
  std::string token;
  std::string principal;
  // One grant as the token file writes it: "admin", "reader", "registrar:energy".
  std::string grant;
};

// How a dataset's server is started and called.
struct DatasetOptions {
  // Written to `<dir>/tokens` (as SHA-256 digests), and the server is started with
  // --tokens=<that file>: it then answers only callers that present one of them.
  // Default: none (development mode: every caller is an admin).
  std::vector<TokenGrant> tokens;
  // The bearer token Prepare sends (normally one of `tokens`). Default: none.
  std::string token;
  // More arguments of the server (e.g. "--max_streams=2000"). Default: none.
  std::vector<std::string> server_args;
};

// One data directory under the work dir and the agreements-server serving it, with a
// channel and stubs to it. Counters are atomic (safe from gRPC callback threads); the
// rest is used from the main thread only.
class Dataset {
 public:
  // Creates `<work_dir>/<name>-<pid>` (fresh), starts the server as `options` say and
  // registers the generator's parties (presenting options.token).
  static absl::StatusOr<std::unique_ptr<Dataset>> Create(
      const BenchConfig& config, const DataGenerator& generator, const std::string& name,
      const DatasetOptions& options = DatasetOptions());
  Dataset(const Dataset&) = delete;
  Dataset& operator=(const Dataset&) = delete;
  // Stops the server and removes the directory unless config.keep.
  ~Dataset();

  // SIGTERM and wait; the stubs are unusable until Start.
  absl::Status StopServer();
  // Starts the server again (a new port) and reconnects.
  absl::Status StartServer();

  // A new channel to the server (its own connection when `distinct` is set).
  std::shared_ptr<grpc::Channel> NewChannel(bool distinct) const;

  v1::CommandService::Stub* commands() const { return commands_.get(); }
  v1::QueryService::Stub* queries() const { return queries_.get(); }
  v1::FeedService::Stub* feeds() const { return feeds_.get(); }
  v1::AuditService::Stub* audit() const { return audit_.get(); }

  // A fresh context: deadline config.call_timeout from now, and the bearer token
  // (`authorization: Bearer <token>`) when one is set.
  void Prepare(grpc::ClientContext& context) const;
  void Prepare(grpc::ClientContext& context, absl::Duration timeout) const;
  // The bearer token Prepare sends from now on (empty: none). Not thread-safe: call it
  // only while no call of this dataset is being prepared.
  void set_token(const std::string& token);

  // A request id never used before in this dataset.
  std::string NextRequestId();
  // Reserves `n` consecutive agreement indexes; returns the first.
  int64_t ReserveAgreements(int64_t n) { return next_agreement_.fetch_add(n); }
  int64_t next_agreement() const { return next_agreement_.load(); }
  // Records that a commit reached `position`.
  void NotePosition(uint64_t position);
  uint64_t head() const { return head_.load(); }

  const BenchConfig& config() const { return config_; }
  const DataGenerator& generator() const { return generator_; }
  ServerProcess& server() { return *server_; }
  const std::string& dir() const { return dir_; }

 private:
  Dataset(const BenchConfig& config, const DataGenerator& generator, std::string dir);
  // Writes the token file for `tokens`; returns the server arguments that name it.
  absl::StatusOr<std::vector<std::string>> WriteTokenFile(
      const std::vector<TokenGrant>& tokens) const;
  absl::Status Connect();
  absl::Status RegisterParties();

  const BenchConfig& config_;
  const DataGenerator& generator_;
  const std::string dir_;
  std::unique_ptr<ServerProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CommandService::Stub> commands_;
  std::unique_ptr<v1::QueryService::Stub> queries_;
  std::unique_ptr<v1::FeedService::Stub> feeds_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
  // "Bearer <token>", or empty.
  std::string authorization_;
  std::atomic<int64_t> next_request_{0};
  std::atomic<int64_t> next_agreement_{0};
  std::atomic<uint64_t> head_{0};
};

// What the registry's single-event append load sends (append, growth, projection-lag):
// new agreements, and a share of document_attached changes to existing ones.
struct AppendMix {
  // Append i records agreement first_agreement + i (reserve them first).
  int64_t first_agreement = 0;
  // Agreements the changes go to; none: only new agreements. Must outlive the load.
  const std::vector<std::string>* change_targets = nullptr;
  // Percent of appends that are changes.
  int change_percent = 0;
  // Counts the changes sent, when set.
  std::atomic<int64_t>* changes = nullptr;
};

// The issuer of that load: unary RecordAgreement and ApplyAgreementChange calls on the
// dataset's channel. The dataset must outlive the load.
AppendIssuer RegistryAppendIssuer(Dataset& dataset, AppendMix mix);

// Scenarios. Each returns its figures, or an error when it could not run at all.
absl::StatusOr<Report> RunAppend(Dataset& dataset, const std::string& name);
absl::StatusOr<Report> RunAppendBatch(Dataset& dataset);
// One client, one ExecuteBatchStream, one command per request;
// streamed_append_scenario.cc.
absl::StatusOr<Report> RunStreamedAppend(Dataset& dataset);
absl::StatusOr<Report> RunFeedLatency(Dataset& dataset);
absl::StatusOr<Report> RunCatchUp(Dataset& dataset);
absl::StatusOr<Report> RunQuery(Dataset& dataset, int64_t agreements);
absl::StatusOr<Report> RunRebuild(Dataset& dataset);
absl::StatusOr<Report> RunProof(Dataset& dataset);
absl::StatusOr<Report> RunMemory(Dataset& dataset);
// consistency_scenarios.cc. read-after-write writes and reads at `rate` per second.
absl::StatusOr<Report> RunReadAfterWrite(Dataset& dataset, double rate);
absl::StatusOr<Report> RunProjectionLag(Dataset& dataset);
// Creates its own dataset (a fresh server, so its peak RSS is this scenario's).
absl::StatusOr<Report> RunManySubscribers(const BenchConfig& config,
                                          const DataGenerator& generator);
// Creates its own dataset (small and large agreements); participants_scenario.cc.
absl::StatusOr<Report> RunParticipants(const BenchConfig& config,
                                       const DataGenerator& generator);
// Starts agreements-stack-baseline on a directory of its own; stack_baseline_scenario.cc.
absl::StatusOr<Report> RunStackBaseline(const BenchConfig& config,
                                        const DataGenerator& generator);
// Creates its own dataset (a server with access control); confidentiality_scenario.cc.
absl::StatusOr<Report> RunConfidentiality(const BenchConfig& config,
                                          const DataGenerator& generator);

// Changes a generated agreement before it is loaded (its confidentiality, parties ...).
// Called from the loading threads: it must be safe to call concurrently.
using AgreementShaper = std::function<void(v1::AgreementRecorded& recorded)>;

// Loads new agreements (ExecuteBatch, config.load_batch commands per request,
// config.load_in_flight in flight) until the dataset holds `agreements` of them, with
// progress on stderr at most every second. `shape`, when set, changes each generated
// agreement before it is sent. Returns the figures of the load.
absl::StatusOr<Report> LoadAgreements(Dataset& dataset, int64_t agreements,
                                      const std::string& name,
                                      const AgreementShaper& shape = nullptr);

}  // namespace agreements::bench

#endif  // AGREEMENTS_CLIENTS_BENCH_BENCH_H_
