// The cluster tests' fixture (docs/cluster.md, "Tests"): PostgreSQL 15 servers started
// here (tests/pg_instance.h) hold the log of record; three agreements-server processes
// on 127.0.0.1 follow it, one of them the writer. Writers retry with the same request id
// until acknowledged, as a client should; every check is on what was acknowledged.
#ifndef AGREEMENTS_TESTS_CLUSTER_FIXTURE_H_
#define AGREEMENTS_TESTS_CLUSTER_FIXTURE_H_

#include <httplib.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "agreements/storage/v1/storage.pb.h"
#include "clients/client.h"
#include "clients/feed_client.h"
#include "common/merkle.h"
#include "common/signed_note.h"
#include "gtest/gtest.h"
#include "tests/pg_instance.h"
#include "tests/test_support.h"

namespace agreements::testing {

namespace v1 = ::agreements::v1;
using client::RegistryClient;
using client::RegistryClientOptions;

inline constexpr int kNodes = 3;

// One metric's value in a text exposition (-1 when absent).
inline double Sample(const std::string& text, const std::string& name) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, name + " ")) {
      double value = 0;
      if (absl::SimpleAtod(line.substr(name.size() + 1), &value)) return value;
    }
  }
  return -1;
}

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!PgInstance::Available()) {
      GTEST_SKIP() << "PostgreSQL 15 is not installed (make test installs it)";
    }
  }
  void TearDown() override {
    for (auto& node : nodes_) node.reset();
    standby_.reset();
    primary_.reset();
  }

  // A primary, and with `standby` a synchronous standby named "standby1".
  void StartPostgres(bool standby) {
    auto primary =
        PgInstance::StartPrimary(dir_.path(), "pg1", standby ? "standby1" : "");
    ASSERT_TRUE(primary.ok()) << primary.status();
    primary_ = *std::move(primary);
    std::vector<const PgInstance*> servers = {primary_.get()};
    if (standby) {
      auto made = PgInstance::StartStandby(dir_.path(), "standby1", *primary_);
      ASSERT_TRUE(made.ok()) << made.status();
      standby_ = *std::move(made);
      servers.push_back(standby_.get());
      // Synchronous before anything is written.
      WaitForSyncStandby();
    }
    conninfo_ = PgInstance::ClusterConninfo(servers);
  }

  // Kills the PostgreSQL primary and promotes the synchronous standby (what Patroni
  // does), then makes the killed server a synchronous standby of the new primary again,
  // under the same name and socket directory, so that the next failover can follow.
  void FailOverPostgres() {
    const std::string old_name = primary_name_;
    primary_->Kill();
    ASSERT_TRUE(standby_->Promote().ok());
    // No synchronous standby is left: the new primary stops waiting for one.
    ASSERT_TRUE(standby_->Psql("ALTER SYSTEM SET synchronous_standby_names = ''").ok());
    ASSERT_TRUE(standby_->Psql("SELECT pg_reload_conf()").ok());
    primary_ = std::move(standby_);
    std::swap(primary_name_, standby_name_);
    auto rebuilt = PgInstance::StartStandby(dir_.path(), old_name, *primary_);
    ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
    standby_ = *std::move(rebuilt);
    ASSERT_TRUE(primary_
                    ->Psql(absl::StrCat("ALTER SYSTEM SET synchronous_standby_names = '",
                                        standby_name_, "'"))
                    .ok());
    ASSERT_TRUE(primary_->Psql("SELECT pg_reload_conf()").ok());
    WaitForSyncStandby();
  }

  void WaitForSyncStandby() {
    std::string state;
    for (int i = 0; i < 400 && state != "sync"; ++i) {
      auto rows = primary_->Psql("SELECT sync_state FROM pg_stat_replication");
      state = rows.ok() ? std::string(absl::StripAsciiWhitespace(*rows)) : "";
      if (state != "sync") absl::SleepFor(absl::Milliseconds(50));
    }
    ASSERT_EQ(state, "sync");
  }

  std::string DataDir(int i) const { return absl::StrCat(dir_.path(), "/node", i); }

  void StartNode(int i) {
    nodes_[i] = std::make_unique<ServerProcess>(
        AGREEMENTS_SERVER_BIN, DataDir(i),
        std::vector<std::string>{"--commit_log=" + conninfo_,
                                 absl::StrCat("--node_id=n", i), "--writer_lease=1s",
                                 "--append_resolve_timeout=20s", "--log_level=warning"});
    ASSERT_TRUE(nodes_[i]->Start()) << "node " << i << " did not start";
    RegistryClientOptions options;
    options.target = nodes_[i]->target();
    auto client = RegistryClient::Connect(options);
    ASSERT_TRUE(client.ok()) << client.status();
    clients_[i] = *std::move(client);
  }

  void StartNodes() {
    for (int i = 0; i < kNodes; ++i) StartNode(i);
  }

  std::string Scrape(int i) {
    if (nodes_[i] == nullptr) return "";
    httplib::Client http("127.0.0.1", nodes_[i]->metrics_port());
    http.set_connection_timeout(2, 0);
    http.set_read_timeout(2, 0);
    auto result = http.Get("/metrics");
    return result ? result->body : "";
  }

  // The node that says it is the writer, waiting up to `timeout`; -1 when none.
  int WaitForWriter(absl::Duration timeout, int not_this = -1) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      for (int i = 0; i < kNodes; ++i) {
        if (i != not_this && nodes_[i] != nullptr &&
            Sample(Scrape(i), "agreements_cluster_writer") == 1) {
          return i;
        }
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    return -1;
  }

  // Sends the request until a node acknowledges it (same request id every time),
  // starting with node `first`; the result, or the last error after `timeout`.
  template <typename Request, typename Response>
  absl::StatusOr<Response> Acknowledged(
      int first, const Request& request,
      absl::StatusOr<Response> (RegistryClient::*method)(const Request&) const,
      absl::Duration timeout = absl::Seconds(40)) {
    const absl::Time deadline = absl::Now() + timeout;
    absl::Status last;
    for (int attempt = 0; absl::Now() < deadline; ++attempt) {
      const int i = (first + attempt) % kNodes;
      std::shared_ptr<RegistryClient> client;
      {
        absl::MutexLock lock(&clients_mu_);
        client = clients_[i];
      }
      if (client == nullptr) continue;
      absl::StatusOr<Response> response = ((*client).*method)(request);
      if (response.ok()) return response;
      last = response.status();
      if (!absl::IsUnavailable(last) && !absl::IsDeadlineExceeded(last)) return last;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return last;
  }

  absl::Status RegisterParties() {
    for (const auto& [id, country] : {std::pair<const char*, const char*>{"kz", "KZ"},
                                      std::pair<const char*, const char*>{"kr", "KR"}}) {
      auto done = Acknowledged(0, StateParty(std::string("p-") + id, id, country),
                               &RegistryClient::RegisterParty);
      if (!done.ok()) return done.status();
    }
    return absl::OkStatus();
  }

  // Records agreement `n` (request id "r-<n>") through node n % kNodes, retrying; keeps
  // the acknowledged positions.
  absl::Status Record(int n) {
    const std::string id = absl::StrCat("a", n);
    auto done =
        Acknowledged(n % kNodes,
                     BindingAgreement(absl::StrCat("r-", n), id, {"kz", "kr"},
                                      n % 2 == 0 ? "energy" : "trade_and_investment"),
                     &RegistryClient::RecordAgreement);
    if (!done.ok()) return done.status();
    absl::MutexLock lock(&acked_mu_);
    acked_[absl::StrCat("r-", n)] = done->result().first_position();
    return absl::OkStatus();
  }

  // Every event of node i's feed from position 1 up to `head`.
  std::vector<v1::Event> Feed(int i, uint64_t head, absl::Duration timeout) {
    std::vector<v1::Event> events;
    v1::SubscribeRequest request;
    request.set_from_beginning(true);
    auto subscription = client::FeedSubscription::Create(clients_[i].get(), request);
    EXPECT_TRUE(subscription.ok());
    if (!subscription.ok()) return events;
    std::atomic<bool> done{false};
    std::thread stopper([&] {
      const absl::Time deadline = absl::Now() + timeout;
      while (!done.load() && absl::Now() < deadline)
        absl::SleepFor(absl::Milliseconds(20));
      (*subscription)->Stop();
    });
    (void)(*subscription)->Run([&](const v1::SubscribeResponse& response) {
      if (response.has_event()) events.push_back(response.event());
      for (const auto& event : response.events().events()) events.push_back(event);
      return events.empty() || events.back().envelope().position() < head;
    });
    done = true;
    stopper.join();
    return events;
  }

  // Node i's feed holds positions 1..head without gap or duplicate, and every
  // acknowledged request exactly once, at the position acknowledged.
  void ExpectLogHoldsEveryAcknowledged(int i, uint64_t head) {
    std::vector<v1::Event> events = Feed(i, head, absl::Seconds(30));
    ASSERT_EQ(events.size(), head) << "node " << i;
    std::map<std::string, std::vector<uint64_t>> by_request;
    for (size_t k = 0; k < events.size(); ++k) {
      ASSERT_EQ(events[k].envelope().position(), k + 1) << "node " << i;
      by_request[events[k].envelope().request_id()].push_back(k + 1);
    }
    absl::MutexLock lock(&acked_mu_);
    for (const auto& [request_id, position] : acked_) {
      auto found = by_request.find(request_id);
      ASSERT_NE(found, by_request.end()) << request_id << " was acknowledged but is lost";
      EXPECT_EQ(found->second, std::vector<uint64_t>{position}) << request_id;
    }
  }

  uint64_t MaxAcked() {
    absl::MutexLock lock(&acked_mu_);
    uint64_t max = 0;
    for (const auto& [id, position] : acked_) max = std::max(max, position);
    return max;
  }

  // Writers that record agreements from `next` on until stopped.
  void StartLoad(int writers) {
    for (int w = 0; w < writers; ++w) {
      load_.emplace_back([this, w, writers] {
        for (int n = 1000 + w; !stop_load_.load(); n += writers) {
          absl::Status recorded = Record(n);
          if (!recorded.ok()) {
            absl::MutexLock lock(&acked_mu_);
            load_errors_.push_back(recorded.ToString());
          }
        }
      });
    }
  }
  void StopLoad() {
    stop_load_ = true;
    for (auto& thread : load_) thread.join();
    load_.clear();
    stop_load_ = false;
    absl::MutexLock lock(&acked_mu_);
    EXPECT_TRUE(load_errors_.empty()) << load_errors_.front();
  }

  void KillNode(int i) {
    nodes_[i]->Kill();
    absl::MutexLock lock(&clients_mu_);
    clients_[i].reset();
    nodes_[i].reset();
  }
  void RestartNode(int i) {
    auto node = std::make_unique<ServerProcess>(
        AGREEMENTS_SERVER_BIN, DataDir(i),
        std::vector<std::string>{"--commit_log=" + conninfo_,
                                 absl::StrCat("--node_id=n", i), "--writer_lease=1s",
                                 "--append_resolve_timeout=20s", "--log_level=warning"});
    ASSERT_TRUE(node->Start());
    RegistryClientOptions options;
    options.target = node->target();
    auto client = RegistryClient::Connect(options);
    ASSERT_TRUE(client.ok());
    absl::MutexLock lock(&clients_mu_);
    nodes_[i] = std::move(node);
    clients_[i] = *std::move(client);
  }

  TempDir dir_;
  std::unique_ptr<PgInstance> primary_, standby_;
  std::string primary_name_ = "pg1", standby_name_ = "standby1";
  std::string conninfo_;
  std::unique_ptr<ServerProcess> nodes_[kNodes];
  absl::Mutex clients_mu_;
  std::shared_ptr<RegistryClient> clients_[kNodes];
  absl::Mutex acked_mu_;
  std::map<std::string, uint64_t> acked_;
  std::vector<std::string> load_errors_;
  std::vector<std::thread> load_;
  std::atomic<bool> stop_load_{false};
};

}  // namespace agreements::testing

#endif  // AGREEMENTS_TESTS_CLUSTER_FIXTURE_H_
