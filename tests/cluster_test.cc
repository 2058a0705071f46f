// Cluster mode end to end (docs/cluster.md, "Tests"); the fixture is in
// tests/cluster_fixture.h.
#include <signal.h>

#include "tests/cluster_fixture.h"

namespace agreements::testing {
namespace {

TEST_F(ClusterTest, WritesThroughEveryNodeAndEveryNodeServesTheSameLog) {
  StartPostgres(/*standby=*/false);
  StartNodes();
  ASSERT_GE(WaitForWriter(absl::Seconds(20)), 0);
  ASSERT_TRUE(RegisterParties().ok());
  for (int n = 0; n < 30; ++n) {
    absl::Status recorded = Record(n);
    ASSERT_TRUE(recorded.ok()) << n << ": " << recorded;
  }
  const uint64_t head = MaxAcked();
  for (int i = 0; i < kNodes; ++i) ExpectLogHoldsEveryAcknowledged(i, head);

  // Every node's views answer the same, once they reached the head.
  std::string first;
  for (int i = 0; i < kNodes; ++i) {
    v1::ListAgreementsRequest list;
    list.set_page_size(100);
    list.set_min_position(head);
    auto listed = clients_[i]->ListAgreements(list);
    ASSERT_TRUE(listed.ok()) << listed.status();
    EXPECT_EQ(listed->agreements_size(), 30);
    listed->clear_position();
    if (i == 0) first = listed->SerializeAsString();
    EXPECT_EQ(listed->SerializeAsString(), first) << "node " << i;
  }

  // A checkpoint signed by one node, and inclusion proofs from every other node,
  // verify together: every node computes the same tree.
  absl::StatusOr<v1::GetCheckpointResponse> checkpoint;
  for (int tries = 0; tries < 100; ++tries) {
    checkpoint = clients_[0]->GetCheckpoint(v1::GetCheckpointRequest());
    if (checkpoint.ok() && checkpoint->tree_size() >= head) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  auto verified = note::VerifyCheckpoint(checkpoint->note(), checkpoint->verifier_key());
  ASSERT_TRUE(verified.ok()) << verified.status();
  for (int i = 1; i < kNodes; ++i) {
    for (uint64_t position : {uint64_t{1}, head / 2, checkpoint->tree_size()}) {
      v1::GetInclusionProofRequest ask;
      ask.set_position(position);
      ask.set_tree_size(checkpoint->tree_size());
      auto proof = clients_[i]->GetInclusionProof(ask);
      ASSERT_TRUE(proof.ok()) << proof.status();
      std::vector<std::string> path(proof->proof().begin(), proof->proof().end());
      EXPECT_TRUE(merkle::VerifyInclusionBytes(proof->leaf_index(), proof->tree_size(),
                                               proof->leaf_hash(), path,
                                               checkpoint->root_hash())
                      .ok())
          << "node " << i << " position " << position;
    }
  }
}

TEST_F(ClusterTest, AReplicaRefusesWritesNamingTheWriterUnlessTheClientFollows) {
  StartPostgres(/*standby=*/false);
  StartNodes();
  const int writer = WaitForWriter(absl::Seconds(20));
  ASSERT_GE(writer, 0);
  const int replica = (writer + 1) % kNodes;
  RegistryClientOptions options;
  options.target = nodes_[replica]->target();
  options.follow_writer = false;
  auto strict = RegistryClient::Connect(options);
  ASSERT_TRUE(strict.ok());
  auto refused = (*strict)->RegisterParty(StateParty("p-kz", "kz", "KZ"));
  ASSERT_TRUE(absl::IsUnavailable(refused.status())) << refused.status();
  EXPECT_NE(refused.status().message().find(nodes_[writer]->target()), std::string::npos)
      << refused.status();
  // The default client follows the writer it is told of.
  auto followed = clients_[replica]->RegisterParty(StateParty("p-kz", "kz", "KZ"));
  ASSERT_TRUE(followed.ok()) << followed.status();
  EXPECT_EQ(followed->result().first_position(), 1u);
}

TEST_F(ClusterTest, KillingTheWriterUnderLoadLosesNothingAcknowledged) {
  StartPostgres(/*standby=*/false);
  StartNodes();
  ASSERT_GE(WaitForWriter(absl::Seconds(20)), 0);
  ASSERT_TRUE(RegisterParties().ok());
  StartLoad(/*writers=*/3);
  for (int round = 0; round < 3; ++round) {
    absl::SleepFor(absl::Milliseconds(700));
    const int writer = WaitForWriter(absl::Seconds(20));
    ASSERT_GE(writer, 0);
    KillNode(writer);
    const absl::Time killed = absl::Now();
    const int next = WaitForWriter(absl::Seconds(20), writer);
    ASSERT_GE(next, 0) << "no node took over in round " << round;
    EXPECT_LT(absl::Now() - killed, absl::Seconds(10));
    RestartNode(writer);
  }
  absl::SleepFor(absl::Milliseconds(500));
  StopLoad();
  const uint64_t head = MaxAcked();
  ASSERT_GT(head, 10u);
  for (int i = 0; i < kNodes; ++i) ExpectLogHoldsEveryAcknowledged(i, head);
}

TEST_F(ClusterTest, AStaleWriterCannotAppendAfterAnotherTookOver) {
  StartPostgres(/*standby=*/false);
  StartNodes();
  const int stale = WaitForWriter(absl::Seconds(20));
  ASSERT_GE(stale, 0);
  ASSERT_TRUE(RegisterParties().ok());
  nodes_[stale]->Signal(SIGSTOP);
  const int next = WaitForWriter(absl::Seconds(20), stale);
  ASSERT_GE(next, 0);
  ASSERT_TRUE(Record(1).ok());
  // The stale writer wakes up believing it writes; a write sent to it straight away
  // must not reach the log.
  RegistryClientOptions options;
  options.target = nodes_[stale]->target();
  options.follow_writer = false;
  auto direct = RegistryClient::Connect(options);
  ASSERT_TRUE(direct.ok());
  nodes_[stale]->Signal(SIGCONT);
  auto attempt = (*direct)->RecordAgreement(
      BindingAgreement("r-stale", "stale", {"kz", "kr"}, "energy"));
  EXPECT_FALSE(attempt.ok());
  EXPECT_TRUE(absl::IsUnavailable(attempt.status())) << attempt.status();
  auto in_log = primary_->Psql(
      "SELECT count(*) FROM agreements_requests WHERE request_id = 'r-stale'");
  ASSERT_TRUE(in_log.ok()) << in_log.status();
  EXPECT_EQ(std::string(absl::StripAsciiWhitespace(*in_log)), "0");
  // Terms only go up along the log.
  auto terms = primary_->Psql(
      "SELECT count(*) FROM agreements_log a JOIN agreements_log b ON b.idx = a.idx + 1 "
      "WHERE b.term < a.term");
  ASSERT_TRUE(terms.ok());
  EXPECT_EQ(std::string(absl::StripAsciiWhitespace(*terms)), "0");
  // It became a replica that names the new writer.
  auto refused = (*direct)->RecordAgreement(
      BindingAgreement("r-stale-2", "stale2", {"kz", "kr"}, "energy"));
  EXPECT_TRUE(absl::IsUnavailable(refused.status()));
  EXPECT_NE(refused.status().message().find(nodes_[next]->target()), std::string::npos)
      << refused.status();
}

TEST_F(ClusterTest, PostgresFailoverToTheSynchronousStandbyLosesNothingAcknowledged) {
  StartPostgres(/*standby=*/true);
  StartNodes();
  ASSERT_GE(WaitForWriter(absl::Seconds(20)), 0);
  ASSERT_TRUE(RegisterParties().ok());
  StartLoad(/*writers=*/2);
  absl::SleepFor(absl::Seconds(1));
  FailOverPostgres();
  absl::SleepFor(absl::Seconds(2));
  const uint64_t before_stop = MaxAcked();
  absl::SleepFor(absl::Seconds(1));
  StopLoad();
  const uint64_t head = MaxAcked();
  EXPECT_GT(head, before_stop) << "writes did not resume after the failover";
  for (int i = 0; i < kNodes; ++i) ExpectLogHoldsEveryAcknowledged(i, head);
}

TEST_F(ClusterTest, AReplicaRestartedMidStreamAndAFeedAcrossFailoverHaveNoGap) {
  StartPostgres(/*standby=*/false);
  StartNodes();
  const int writer = WaitForWriter(absl::Seconds(20));
  ASSERT_GE(writer, 0);
  const int watched = (writer + 1) % kNodes;
  const int restarted = (writer + 2) % kNodes;
  ASSERT_TRUE(RegisterParties().ok());
  // A subscriber on a replica that stays up, from the beginning, live.
  std::vector<uint64_t> seen;
  absl::Mutex seen_mu;
  v1::SubscribeRequest request;
  request.set_from_beginning(true);
  std::shared_ptr<RegistryClient> watched_client = clients_[watched];
  auto subscription = client::FeedSubscription::Create(watched_client.get(), request);
  ASSERT_TRUE(subscription.ok());
  std::thread subscriber([&] {
    (void)(*subscription)->Run([&](const v1::SubscribeResponse& response) {
      absl::MutexLock lock(&seen_mu);
      if (response.has_event()) seen.push_back(response.event().envelope().position());
      for (const auto& event : response.events().events()) {
        seen.push_back(event.envelope().position());
      }
      return true;
    });
  });
  StartLoad(/*writers=*/2);
  absl::SleepFor(absl::Milliseconds(500));
  KillNode(restarted);
  absl::SleepFor(absl::Milliseconds(500));
  RestartNode(restarted);
  absl::SleepFor(absl::Milliseconds(500));
  KillNode(writer);
  ASSERT_GE(WaitForWriter(absl::Seconds(20), writer), 0);
  absl::SleepFor(absl::Milliseconds(700));
  StopLoad();
  const uint64_t head = MaxAcked();
  ExpectLogHoldsEveryAcknowledged(restarted, head);
  auto reached = [&] {
    absl::MutexLock lock(&seen_mu);
    return !seen.empty() && seen.back() >= head;
  };
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (!reached() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(50));
  (*subscription)->Stop();
  subscriber.join();
  ASSERT_GE(seen.size(), head);
  for (size_t k = 0; k < seen.size(); ++k) ASSERT_EQ(seen[k], k + 1);
}

TEST_F(ClusterTest, AGapInTheLogStopsANodeLoudly) {
  StartPostgres(/*standby=*/false);
  StartNodes();
  const int writer = WaitForWriter(absl::Seconds(20));
  ASSERT_GE(writer, 0);
  ASSERT_TRUE(RegisterParties().ok());
  const int replica = (writer + 1) % kNodes;
  EXPECT_EQ(Sample(Scrape(replica), "agreements_cluster_log_gap"), 0);
  // A record that skips positions, as a broken writer (or a sequence) would append.
  auto last = primary_->Psql("SELECT max(idx) FROM agreements_log");
  ASSERT_TRUE(last.ok());
  uint64_t index = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(*last), &index));
  auto term = primary_->Psql("SELECT max(term) FROM agreements_log");
  ASSERT_TRUE(term.ok());
  agreements::storage::v1::LogRecord record;
  record.set_index(index + 1);
  uint64_t term_number = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(*term), &term_number));
  record.set_term(term_number);
  record.set_first_position(10);
  record.set_count(1);
  record.add_events("not an event");
  ASSERT_TRUE(primary_
                  ->Psql(absl::StrCat("INSERT INTO agreements_log VALUES (", index + 1,
                                      ", ", record.term(), ", 10, 1, '\\\\x",
                                      absl::BytesToHexString(record.SerializeAsString()),
                                      "'::bytea)"))
                  .ok());
  double gap = 0;
  for (int i = 0; i < 100 && gap != 1; ++i) {
    gap = Sample(Scrape(replica), "agreements_cluster_log_gap");
    if (gap != 1) absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(gap, 1);
  EXPECT_EQ(Sample(Scrape(replica), "agreements_serving"), 0);
  // It says why to writers too, and takes nothing.
  RegistryClientOptions options;
  options.target = nodes_[replica]->target();
  options.follow_writer = false;
  auto direct = RegistryClient::Connect(options);
  ASSERT_TRUE(direct.ok());
  auto refused = (*direct)->RegisterParty(StateParty("p-x", "x", "FR"));
  EXPECT_TRUE(absl::IsUnavailable(refused.status()));
  EXPECT_NE(refused.status().message().find("does not follow"), std::string::npos)
      << refused.status();
}

}  // namespace
}  // namespace agreements::testing
