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
  // Each node's views equal a rebuild from its copy of the log (verify compares them,
  // and checks the tree and the node's own signed checkpoints).
  for (int i = 0; i < kNodes; ++i) {
    ASSERT_EQ(nodes_[i]->Stop(), 0) << "node " << i;
    CommandResult verified =
        RunCommand(absl::StrCat(AGREEMENTS_ADMIN_BIN, " verify --data_dir ", DataDir(i)));
    EXPECT_EQ(verified.exit_code, 0) << "node " << i << ": " << verified.output;
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
  auto refused = (*strict)->RegisterParty(StateParty("p-fr", "fr", "FR"));
  ASSERT_TRUE(absl::IsUnavailable(refused.status())) << refused.status();
  EXPECT_NE(refused.status().message().find(nodes_[writer]->target()), std::string::npos)
      << refused.status();
  // The default client follows the writer it is told of.
  auto followed = clients_[replica]->RegisterParty(StateParty("p-fr", "fr", "FR"));
  ASSERT_TRUE(followed.ok()) << followed.status();
  EXPECT_EQ(followed->result().first_position(), 1u);
  // So does the CLI's streamed load, sent to a replica.
  CommandResult load =
      RunCommand(absl::StrCat(AGREEMENTS_CLI_BIN, " --server ", nodes_[replica]->target(),
                              " load ", AGREEMENTS_DEMO_FILE));
  ASSERT_EQ(load.exit_code, 0) << load.output;
  // Read from the third node, once it applied the load.
  CommandResult listed;
  for (int tries = 0; tries < 50; ++tries) {
    listed = RunCommand(absl::StrCat(AGREEMENTS_CLI_BIN, " --server ",
                                     nodes_[(writer + 2) % kNodes]->target(),
                                     " list --sector energy --all"));
    if (listed.output.find("balkhash-tpp-2009") != std::string::npos) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_NE(listed.output.find("balkhash-tpp-2009"), std::string::npos) << listed.output;
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

TEST_F(ClusterTest, EveryNodeCoSignsTheCheckpointsAndADivergenceIsReported) {
  StartPostgres(/*standby=*/false);
  StartNodes();
  ASSERT_GE(WaitForWriter(absl::Seconds(20)), 0);
  ASSERT_TRUE(RegisterParties().ok());
  for (int n = 0; n < 20; ++n) ASSERT_TRUE(Record(n).ok());
  const uint64_t head = MaxAcked();
  // The keys a client pins: each node's own (no key is shared).
  std::vector<std::string> keys;
  for (int i = 0; i < kNodes; ++i) {
    auto checkpoint = clients_[i]->GetCheckpoint(v1::GetCheckpointRequest());
    ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
    keys.push_back(checkpoint->verifier_key());
  }
  ASSERT_NE(keys[0], keys[1]);
  // A note at the head signed by all three, served by every node.
  for (int i = 0; i < kNodes; ++i) {
    absl::StatusOr<note::Checkpoint> cosigned = absl::NotFoundError("none yet");
    std::string note;
    for (int tries = 0; tries < 150; ++tries) {
      auto checkpoint = clients_[i]->GetCheckpoint(v1::GetCheckpointRequest());
      ASSERT_TRUE(checkpoint.ok());
      note = checkpoint->cosigned_note();
      if (!note.empty()) cosigned = note::VerifyCosignedCheckpoint(note, keys, kNodes);
      if (cosigned.ok() && cosigned->size >= head) break;
      absl::SleepFor(absl::Milliseconds(100));
    }
    ASSERT_TRUE(cosigned.ok()) << "node " << i << ": " << cosigned.status() << "\n"
                               << note;
    EXPECT_GE(cosigned->size, head);
    // Two keys are not three: a threshold the note does not meet fails.
    EXPECT_TRUE(note::VerifyCosignedCheckpoint(note, keys, 2).ok());
    // A proof from another node verifies against the co-signed root.
    v1::GetInclusionProofRequest ask;
    ask.set_position(1);
    ask.set_tree_size(cosigned->size);
    auto proof = clients_[(i + 1) % kNodes]->GetInclusionProof(ask);
    ASSERT_TRUE(proof.ok());
    std::vector<std::string> path(proof->proof().begin(), proof->proof().end());
    EXPECT_TRUE(merkle::VerifyInclusionBytes(
                    proof->leaf_index(), proof->tree_size(), proof->leaf_hash(), path,
                    std::string(reinterpret_cast<const char*>(cosigned->root.data()),
                                cosigned->root.size()))
                    .ok());
  }
  // Someone publishes another root for the next size: every node reports it.
  ASSERT_TRUE(
      primary_
          ->Psql(absl::StrCat("INSERT INTO agreements_cosignatures VALUES (", head + 1,
                              ", 'forged+00000000+AAAA', 'forger', '\\\\x",
                              std::string(64, '0'), "'::bytea, 'x')"))
          .ok());
  ASSERT_TRUE(Record(100).ok());
  for (int i = 0; i < kNodes; ++i) {
    double divergences = 0;
    for (int tries = 0; tries < 100 && divergences < 1; ++tries) {
      divergences = Sample(Scrape(i), "agreements_cluster_tree_divergences_total");
      if (divergences < 1) absl::SleepFor(absl::Milliseconds(100));
    }
    EXPECT_EQ(divergences, 1) << "node " << i;
  }
}

TEST_F(ClusterTest, ANewNodeStartsFromAnotherNodesBackup) {
  StartPostgres(/*standby=*/false);
  StartNodes();
  ASSERT_GE(WaitForWriter(absl::Seconds(20)), 0);
  ASSERT_TRUE(RegisterParties().ok());
  for (int n = 0; n < 10; ++n) ASSERT_TRUE(Record(n).ok());
  const std::string backups = dir_.path() + "/backups";
  CommandResult backup = RunCommand(absl::StrCat(
      AGREEMENTS_ADMIN_BIN, " backup --server ", nodes_[1]->target(), " --to ", backups));
  ASSERT_EQ(backup.exit_code, 0) << backup.output;
  // Written after the backup: the new node applies them from the log.
  for (int n = 10; n < 20; ++n) ASSERT_TRUE(Record(n).ok());
  const std::string data = dir_.path() + "/node3";
  CommandResult restored =
      RunCommand(absl::StrCat(AGREEMENTS_ADMIN_BIN, " restore --from ", backups,
                              " --data_dir ", data, " --new_node"));
  ASSERT_EQ(restored.exit_code, 0) << restored.output;
  ServerProcess fourth(AGREEMENTS_SERVER_BIN, data,
                       {"--commit_log=" + conninfo_, "--node_id=n3", "--writer_lease=1s",
                        "--log_level=warning"});
  ASSERT_TRUE(fourth.Start());
  auto client = RegistryClient::Connect(fourth.target());
  ASSERT_TRUE(client.ok());
  v1::ListAgreementsRequest list;
  list.set_page_size(100);
  list.set_min_position(MaxAcked());
  auto listed = (*client)->ListAgreements(list);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->agreements_size(), 20);
  // It signs with its own key, not the backed-up node's.
  auto own = (*client)->GetCheckpoint(v1::GetCheckpointRequest());
  auto source = clients_[1]->GetCheckpoint(v1::GetCheckpointRequest());
  ASSERT_TRUE(own.ok() && source.ok());
  EXPECT_NE(own->verifier_key(), source->verifier_key());
  EXPECT_TRUE(note::VerifyCheckpoint(own->note(), own->verifier_key()).ok());
}

}  // namespace
}  // namespace agreements::testing
