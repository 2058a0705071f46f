// `make bench-cluster` (docs/performance.md, "Cluster mode"): in one run, on this
// machine, appends per second against a single server on the embedded log and against
// the writer of a three-node cluster on PostgreSQL (a primary and a synchronous standby),
// unary and streamed; then the replicas' lag at half the cluster's unary rate. Prints
// one JSON line per figure. AGREEMENTS_BENCH_SECONDS sets each phase's length
// (default 10).
#include <cstdio>
#include <cstdlib>

#include "clients/batch_stream.h"
#include "tests/cluster_fixture.h"

namespace agreements::testing {
namespace {

int Seconds() {
  const char* value = std::getenv("AGREEMENTS_BENCH_SECONDS");
  int parsed = 0;
  return value != nullptr && absl::SimpleAtoi(value, &parsed) && parsed > 0 ? parsed : 10;
}

constexpr int kThreads = 64;

// Closed loop: kThreads callers (agreements-bench's --in_flight default), each recording
// agreements one after the other.
double UnaryRate(const RegistryClient& client, const std::string& prefix,
                 absl::Duration duration) {
  std::atomic<int64_t> done{0};
  const absl::Time end = absl::Now() + duration;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; absl::Now() < end; ++n) {
        const std::string id = absl::StrCat(prefix, "-", t, "-", n);
        if (client.RecordAgreement(BindingAgreement(id, id, {"kz", "kr"}, "energy"))
                .ok()) {
          ++done;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  return static_cast<double>(done.load()) / absl::ToDoubleSeconds(duration);
}

// One ExecuteBatchStream: one command per request, as many in flight as the server
// lets through.
double StreamedRate(const RegistryClient& client, const std::string& prefix,
                    absl::Duration duration) {
  std::unique_ptr<client::BatchStream> stream = client.OpenBatchStream();
  std::atomic<int64_t> answered{0};
  std::thread receiver([&] {
    v1::ExecuteBatchStreamResponse answer;
    while (stream->Receive(answer)) {
      if (answer.has_response()) ++answered;
    }
  });
  const absl::Time start = absl::Now();
  const absl::Time end = start + duration;
  for (int n = 0; absl::Now() < end; ++n) {
    const std::string id = absl::StrCat(prefix, "-", n);
    v1::ExecuteBatchRequest batch;
    batch.mutable_context()->set_request_id(id);
    v1::Command* command = batch.add_commands();
    command->set_stream_type(v1::STREAM_TYPE_AGREEMENT);
    command->set_stream_id(id);
    *command->mutable_change()->mutable_agreement_recorded()->mutable_agreement() =
        BindingAgreement(id, id, {"kz", "kr"}, "energy").agreement();
    if (!stream->Send(batch)) break;
  }
  const int64_t at_end = answered.load();
  stream->CloseSend();
  receiver.join();
  (void)stream->Finish();
  return static_cast<double>(at_end) / absl::ToDoubleSeconds(duration);
}

double Quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(q * values.size()))];
}

TEST_F(ClusterTest, Bench) {
  const absl::Duration phase = absl::Seconds(Seconds());
  // The embedded log: one server.
  ServerProcess single(AGREEMENTS_SERVER_BIN, dir_.path() + "/single",
                       {"--log_level=warning"});
  ASSERT_TRUE(single.Start());
  auto embedded = RegistryClient::Connect(single.target());
  ASSERT_TRUE(embedded.ok());
  for (const char* id : {"kz", "kr"}) {
    ASSERT_TRUE((*embedded)
                    ->RegisterParty(StateParty(absl::StrCat("p-", id), id,
                                               id == std::string("kz") ? "KZ" : "KR"))
                    .ok());
  }
  const double embedded_unary = UnaryRate(**embedded, "e", phase);
  const double embedded_streamed = StreamedRate(**embedded, "es", phase);
  single.Stop();

  // The cluster's writer alone: the cost of the log of record in PostgreSQL (a primary
  // and a synchronous standby, on this machine too).
  StartPostgres(/*standby=*/true);
  StartNode(0);
  ASSERT_EQ(WaitForWriter(absl::Seconds(20)), 0);
  ASSERT_TRUE(RegisterParties().ok());
  const double alone_unary = UnaryRate(*clients_[0], "a", phase);
  const double alone_streamed = StreamedRate(*clients_[0], "as", phase);

  // Two more nodes start empty and apply the whole log from record 1.
  const absl::Time joined = absl::Now();
  StartNode(1);
  StartNode(2);
  const double records = Sample(Scrape(0), "agreements_cluster_record_index");
  for (int i = 1; i < kNodes; ++i) {
    while (Sample(Scrape(i), "agreements_cluster_record_index") < records &&
           absl::Now() - joined < absl::Minutes(5)) {
      absl::SleepFor(absl::Milliseconds(20));
    }
  }
  const double catch_up_s = absl::ToDoubleSeconds(absl::Now() - joined);
  const double catch_up_events = Sample(Scrape(1), "agreements_log_head_position");

  // Three nodes on this machine's two cores: the replicas apply every record too.
  const int writer = 0;
  const double cluster_unary = UnaryRate(*clients_[writer], "c", phase);
  const double cluster_streamed = StreamedRate(*clients_[writer], "cs", phase);

  // Replica lag at half the cluster's unary rate: each acknowledged position's time,
  // against when a live subscriber of each replica received it.
  const double rate = cluster_unary / 2;
  absl::Mutex mu;
  std::map<uint64_t, absl::Time> acked_at;
  std::vector<double> lags_ms;
  std::vector<std::unique_ptr<client::FeedSubscription>> subscriptions;
  std::vector<std::thread> subscribers;
  for (int i = 0; i < kNodes; ++i) {
    if (i == writer) continue;
    v1::SubscribeRequest request;
    request.set_from_now(true);
    auto subscription = client::FeedSubscription::Create(clients_[i].get(), request);
    ASSERT_TRUE(subscription.ok());
    client::FeedSubscription* raw = subscription->get();
    subscriptions.push_back(*std::move(subscription));
    subscribers.emplace_back([&, raw] {
      (void)raw->Run([&](const v1::SubscribeResponse& response) {
        const absl::Time now = absl::Now();
        if (!response.has_event()) return true;
        absl::MutexLock lock(&mu);
        auto it = acked_at.find(response.event().envelope().position());
        lags_ms.push_back(it == acked_at.end() ? -1.0
                                               : std::max(0.0, absl::ToDoubleMilliseconds(
                                                                   now - it->second)));
        return true;
      });
    });
  }
  absl::SleepFor(absl::Milliseconds(500));
  std::vector<std::thread> paced;
  const int paced_threads = 8;
  const absl::Time start = absl::Now();
  for (int t = 0; t < paced_threads; ++t) {
    paced.emplace_back([&, t] {
      const absl::Duration every = absl::Seconds(paced_threads / rate);
      for (int n = 0;; ++n) {
        const absl::Time due = start + every * n + every * t / paced_threads;
        if (due > start + phase) break;
        absl::SleepFor(due - absl::Now());
        const std::string id = absl::StrCat("l-", t, "-", n);
        auto done = clients_[writer]->RecordAgreement(
            BindingAgreement(id, id, {"kz", "kr"}, "energy"));
        if (!done.ok()) continue;
        absl::MutexLock lock(&mu);
        acked_at[done->result().first_position()] = absl::Now();
      }
    });
  }
  for (auto& thread : paced) thread.join();
  absl::SleepFor(absl::Seconds(1));
  for (auto& subscription : subscriptions) subscription->Stop();
  for (auto& thread : subscribers) thread.join();
  // A replica that showed a position before its writer's client heard of the commit
  // counts 0; positions whose acknowledgement had not been noted yet are left out.
  std::vector<double> known;
  for (double lag : lags_ms) {
    if (lag >= 0) known.push_back(lag);
  }
  std::printf(
      "{\"bench\":\"cluster\",\"figure\":\"append_unary\",\"embedded_per_s\":%.0f,"
      "\"writer_alone_per_s\":%.0f,\"ratio_alone\":%.2f,\"three_nodes_per_s\":%.0f,"
      "\"ratio_three_nodes\":%.2f,\"threads\":%d,\"seconds\":%d}\n",
      embedded_unary, alone_unary, alone_unary / embedded_unary, cluster_unary,
      cluster_unary / embedded_unary, kThreads, Seconds());
  std::printf(
      "{\"bench\":\"cluster\",\"figure\":\"append_streamed\",\"embedded_per_s\":%.0f,"
      "\"writer_alone_per_s\":%.0f,\"ratio_alone\":%.2f,\"three_nodes_per_s\":%.0f,"
      "\"ratio_three_nodes\":%.2f,\"seconds\":%d}\n",
      embedded_streamed, alone_streamed, alone_streamed / embedded_streamed,
      cluster_streamed, cluster_streamed / embedded_streamed, Seconds());
  std::printf(
      "{\"bench\":\"cluster\",\"figure\":\"new_node_catch_up\",\"events\":%.0f,"
      "\"seconds\":%.1f,\"events_per_s\":%.0f}\n",
      catch_up_events, catch_up_s, catch_up_events / catch_up_s);
  std::printf(
      "{\"bench\":\"cluster\",\"figure\":\"replica_lag\",\"rate_per_s\":%.0f,"
      "\"samples\":%zu,\"p50_ms\":%.1f,\"p99_ms\":%.1f,\"max_ms\":%.1f}\n",
      rate, known.size(), Quantile(known, 0.5), Quantile(known, 0.99),
      Quantile(known, 1.0));
}

}  // namespace
}  // namespace agreements::testing
