#include "store/committer.h"

#include <atomic>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "domain/decider.h"
#include "gtest/gtest.h"
#include "rocksdb/write_batch.h"
#include "store/keys.h"
#include "store/log_reader.h"
#include "store/projector.h"
#include "store/rebuild.h"
#include "store/store_test_util.h"
#include "store/view_reader.h"

namespace agreements::store {
namespace {

namespace v1 = ::agreements::v1;
namespace sv1 = ::agreements::storage::v1;
using ::agreements::testing::TempDir;
using testing::RecordAgreementCommand;
using testing::RegisterStateCommand;
using testing::Request;
using testing::SignCommand;
using testing::WaitForViews;

// Records a CONFIDENTIAL energy agreement between kz and kr.
v1::Command ConfidentialRecord(const std::string& id) {
  v1::Command command = RecordAgreementCommand(id, {"kz", "kr"}, {"energy"});
  command.mutable_change()
      ->mutable_agreement_recorded()
      ->mutable_agreement()
      ->set_confidentiality(v1::CONFIDENTIALITY_CONFIDENTIAL);
  return command;
}

class CommitterTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    StoreOptions options;
    options.schema = SchemaPolicy::kMigrate;  // the migration tests open old stores
    auto store = Store::Open(dir_.path(), options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto committer = Committer::Start(store_.get(), options_);
    ASSERT_TRUE(committer.ok()) << committer.status();
    committer_ = *std::move(committer);
  }

  void Reopen() {
    committer_.reset();
    store_.reset();
    Open();
  }

  CommitOutcome MustCommit(CommitRequest request) {
    auto outcome = committer_->Commit(std::move(request));
    EXPECT_TRUE(outcome.ok()) << outcome.status();
    return outcome.ok() ? *outcome : CommitOutcome();
  }

  void RegisterKzKr() {
    MustCommit(Request(
        "parties", {RegisterStateCommand("kz", "KZ"), RegisterStateCommand("kr", "KR")}));
  }

  std::vector<v1::Event> ReadAll() {
    LogReader reader(store_.get());
    auto page = reader.ReadForward(1, 1000000);
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<v1::Event> events;
    for (const auto& stored : page->events) {
      v1::Event event;
      EXPECT_TRUE(event.ParseFromString(stored.bytes));
      EXPECT_EQ(event.envelope().position(), stored.position);
      events.push_back(event);
    }
    return events;
  }

  // Waits until the views reflect every committed event.
  void Settle() { ASSERT_TRUE(WaitForViews(*committer_)); }

  void ExpectViewsMatchRebuild() {
    Settle();
    auto report = RebuildViews(store_.get(), /*repair=*/false);
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(report->difference_count, 0u)
        << (report->differences.empty() ? "" : report->differences.front());
  }

  TempDir dir_;
  CommitterOptions options_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Committer> committer_;
};

// With the projection held, the views stay behind while one stream is written several
// times: each command is decided on the stream's latest state (expected revisions,
// transitions, identifiers), not on its view; once released, the views catch up and
// equal a rebuild.
TEST_F(CommitterTest, DecidesOnTheLatestStateWhileTheViewsLag) {
  RegisterKzKr();
  Settle();
  const uint64_t before = committer_->projection()->applied();
  committer_->projection()->TEST_Pause();
  v1::Command record = RecordAgreementCommand("a1", {"kz", "kr"}, {"energy"});
  v1::Identifier* number = record.mutable_change()
                               ->mutable_agreement_recorded()
                               ->mutable_agreement()
                               ->add_identifiers();
  number->set_scheme("KR-TS");
  number->set_value("2020-7");
  MustCommit(Request("r1", {record}));
  v1::Command sign_kz = SignCommand("a1", "kz");
  sign_kz.mutable_expected_revision()->set_exact(1);
  MustCommit(Request("s1", {sign_kz}));
  v1::Command sign_kr = SignCommand("a1", "kr");
  sign_kr.mutable_expected_revision()->set_exact(2);
  MustCommit(Request("s2", {sign_kr}));
  // A stale expectation is refused against the latest revision, not the view's.
  v1::Command stale = SignCommand("a1", "kr");
  stale.mutable_expected_revision()->set_exact(1);
  auto refused = committer_->Commit(Request("s3", {stale}));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kAborted) << refused.status();
  // The identifier a1 claimed is taken though no view shows it yet.
  v1::Command copy = RecordAgreementCommand("a2", {"kz", "kr"}, {"energy"});
  *copy.mutable_change()
       ->mutable_agreement_recorded()
       ->mutable_agreement()
       ->add_identifiers() = *number;
  auto taken = committer_->Commit(Request("r2", {copy}));
  EXPECT_EQ(taken.status().code(), absl::StatusCode::kAlreadyExists) << taken.status();

  // The views have not moved.
  EXPECT_EQ(committer_->projection()->applied(), before);
  EXPECT_TRUE(absl::IsNotFound(store_->Get(store_->agreements(), "a1").status()));
  auto lagging = ViewReader::Create(store_.get());
  ASSERT_TRUE(lagging.ok());
  EXPECT_EQ((*lagging)->position(), before);

  committer_->projection()->TEST_Resume();
  ExpectViewsMatchRebuild();
  auto reader = ViewReader::Create(store_.get());
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->position(), committer_->committed_position());
  auto a1 = (*reader)->GetAgreement("a1");
  ASSERT_TRUE(a1.ok()) << a1.status();
  EXPECT_EQ(a1->revision(), 3u);
}

// The log of record: a single-event command writes five keys in its group (the event,
// its stream index entry, its feed tags, the request record and the head); views,
// counters, tree nodes and the stream-head map are the projection's.
TEST_F(CommitterTest, ASingleEventCommandWritesFiveKeysOnTheCommitPath) {
  RegisterKzKr();
  MustCommit(Request("r1", {RecordAgreementCommand("a1", {"kz", "kr"}, {"energy"})}));
  EXPECT_EQ(committer_->TEST_last_group_keys(), 5u);
  MustCommit(Request("s1", {SignCommand("a1", "kz")}));
  EXPECT_EQ(committer_->TEST_last_group_keys(), 5u);
  ExpectViewsMatchRebuild();
}

// The projection writes many groups in one batch: held while several groups commit, it
// applies them together once released, with the same views as one group at a time.
TEST_F(CommitterTest, TheProjectionAppliesManyGroupsInOneBatch) {
  RegisterKzKr();
  Settle();
  const uint64_t batches = committer_->projection()->TEST_batches_written();
  committer_->projection()->TEST_Pause();
  for (int i = 0; i < 5; ++i) {
    const std::string id = absl::StrCat("b", i);
    MustCommit(Request(id, {RecordAgreementCommand(id, {"kz", "kr"}, {"energy"})}));
  }
  // A caller is answered before its group is handed over: wait for the last one.
  for (int i = 0; i < 1000 &&
                  committer_->projection()->enqueued() < committer_->committed_position();
       ++i) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  committer_->projection()->TEST_Resume();
  ExpectViewsMatchRebuild();
  EXPECT_EQ(committer_->projection()->TEST_batches_written(), batches + 1);
}

TEST_F(CommitterTest, AssignsGapFreePositionsAndRevisions) {
  RegisterKzKr();
  auto outcome =
      MustCommit(Request("r1", {RecordAgreementCommand("a1", {"kz", "kr"}, {"energy"}),
                                SignCommand("a1", "kz"), SignCommand("a1", "kr")}));
  EXPECT_EQ(outcome.result.first_position(), 3u);
  EXPECT_EQ(outcome.result.last_position(), 5u);
  ASSERT_EQ(outcome.result.streams_size(), 1);
  EXPECT_EQ(outcome.result.streams(0).revision(), 3u);
  EXPECT_EQ(outcome.result.streams(0).positions_size(), 3);
  ASSERT_EQ(outcome.agreements.size(), 1u);
  EXPECT_EQ(outcome.agreements[0]->status(), v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);

  auto events = ReadAll();
  ASSERT_EQ(events.size(), 5u);
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].envelope().position(), i + 1);
  }
  EXPECT_EQ(events[2].envelope().event_type(), "agreement_recorded");
  EXPECT_EQ(events[3].envelope().revision(), 2u);
  EXPECT_EQ(events[4].envelope().request_id(), "r1");
  EXPECT_EQ(events[4].envelope().actor(), "test");
  EXPECT_FALSE(events[4].envelope().actor_authenticated());
  EXPECT_EQ(committer_->committed_position(), 5u);
  ExpectViewsMatchRebuild();
}

TEST_F(CommitterTest, ConcurrentWritersGetUniqueContiguousPositions) {
  RegisterKzKr();
  constexpr int kThreads = 4;
  constexpr int kPerThread = 40;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<uint64_t> positions;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = absl::StrCat("t", t, "-", i);
        auto outcome = committer_->Commit(
            Request(id, {RecordAgreementCommand(id, {"kz", "kr"}, {"transport"})}));
        if (!outcome.ok()) {
          ++failures;
          continue;
        }
        std::lock_guard<std::mutex> lock(mu);
        positions.insert(outcome->result.first_position());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_EQ(positions.size(), size_t{kThreads * kPerThread});
  EXPECT_EQ(*positions.begin(), 3u);
  EXPECT_EQ(*positions.rbegin(), uint64_t{kThreads * kPerThread + 2});
  auto events = ReadAll();
  ASSERT_EQ(events.size(), size_t{kThreads * kPerThread + 2});
  // recorded_at never decreases along positions.
  for (size_t i = 1; i < events.size(); ++i) {
    const auto& a = events[i - 1].envelope().recorded_at();
    const auto& b = events[i].envelope().recorded_at();
    EXPECT_TRUE(a.seconds() < b.seconds() ||
                (a.seconds() == b.seconds() && a.nanos() <= b.nanos()));
  }
  Settle();
  auto reader = ViewReader::Create(store_.get());
  ASSERT_TRUE(reader.ok());
  auto counters = (*reader)->GetSectorCounters("transport", true);
  ASSERT_TRUE(counters.ok());
  EXPECT_EQ(counters->agreement_count(), kThreads * kPerThread);
  ExpectViewsMatchRebuild();
}

TEST_F(CommitterTest, FailedCommandFailsTheWholeRequestAndNothingElse) {
  RegisterKzKr();
  const uint64_t head = committer_->committed_position();
  // The second command signs for a party that does not participate.
  auto outcome = committer_->Commit(
      Request("bad", {RecordAgreementCommand("a1", {"kz", "kr"}, {"energy"}),
                      SignCommand("a1", "nobody")}));
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.status().message().find("commands[1]"), std::string::npos)
      << outcome.status();
  EXPECT_EQ(committer_->committed_position(), head);
  Settle();
  auto reader = ViewReader::Create(store_.get());
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE(absl::IsNotFound((*reader)->GetAgreement("a1").status()));
  EXPECT_EQ(ReadAll().size(), head);

  // In one group, a failing request between two good ones fails alone.
  std::atomic<int> answered{0};
  absl::Status results[3];
  const std::string ids[3] = {"g1", "g2", "g3"};
  for (int i = 0; i < 3; ++i) {
    auto command = i == 1 ? SignCommand("missing", "kz")
                          : RecordAgreementCommand(ids[i], {"kz", "kr"}, {"energy"});
    committer_->Submit(Request(ids[i], {command}),
                       [&, i](absl::StatusOr<CommitOutcome> o) {
                         results[i] = o.status();
                         ++answered;
                       });
  }
  committer_->Shutdown();
  EXPECT_EQ(answered.load(), 3);
  EXPECT_TRUE(results[0].ok()) << results[0];
  EXPECT_TRUE(absl::IsNotFound(results[1])) << results[1];
  EXPECT_TRUE(results[2].ok()) << results[2];
  EXPECT_EQ(ReadAll().size(), head + 2);
  ExpectViewsMatchRebuild();
}

TEST_F(CommitterTest, ExpectedRevisionMismatchAbortsWithCurrentRevision) {
  RegisterKzKr();
  auto command = RegisterStateCommand("kz", "KZ");
  command.mutable_expected_revision()->set_no_stream(true);
  auto outcome = committer_->Commit(Request("again", {command}));
  ASSERT_TRUE(absl::IsAborted(outcome.status())) << outcome.status();
  EXPECT_NE(outcome.status().message().find("revision 1"), std::string::npos);

  auto sign = SignCommand("a1", "kz");
  MustCommit(Request("rec", {RecordAgreementCommand("a1", {"kz", "kr"}, {"energy"})}));
  sign.mutable_expected_revision()->set_exact(5);
  outcome = committer_->Commit(Request("sign-stale", {sign}));
  ASSERT_TRUE(absl::IsAborted(outcome.status())) << outcome.status();
  EXPECT_NE(outcome.status().message().find("is at revision 1; expected 5"),
            std::string::npos)
      << outcome.status();

  sign.mutable_expected_revision()->set_exact(1);
  MustCommit(Request("sign-ok", {sign}));

  auto missing = SignCommand("nope", "kz");
  missing.mutable_expected_revision()->set_stream_exists(true);
  outcome = committer_->Commit(Request("missing", {missing}));
  EXPECT_TRUE(absl::IsAborted(outcome.status())) << outcome.status();

  // A mismatch in one command of a batch fails the whole batch.
  const uint64_t head = committer_->committed_position();
  auto stale = SignCommand("a1", "kr");
  stale.mutable_expected_revision()->set_exact(1);
  outcome =
      committer_->Commit(Request("mixed", {RegisterStateCommand("us", "US"), stale}));
  EXPECT_TRUE(absl::IsAborted(outcome.status())) << outcome.status();
  EXPECT_EQ(committer_->committed_position(), head);
}

TEST_F(CommitterTest, RequestIdsAreDurablyIdempotent) {
  RegisterKzKr();
  auto first = MustCommit(
      Request("once", {RecordAgreementCommand("a1", {"kz", "kr"}, {"energy"})}));
  EXPECT_FALSE(first.result.replayed());
  auto again = MustCommit(
      Request("once", {RecordAgreementCommand("a1", {"kz", "kr"}, {"energy"})}));
  EXPECT_TRUE(again.result.replayed());
  EXPECT_EQ(again.result.first_position(), first.result.first_position());
  EXPECT_EQ(again.result.streams(0).revision(), 1u);
  ASSERT_EQ(again.agreements.size(), 1u);
  EXPECT_EQ(again.agreements[0]->id(), "a1");

  Reopen();
  const uint64_t head = committer_->committed_position();
  auto after_restart = MustCommit(
      Request("once", {RecordAgreementCommand("a1", {"kz", "kr"}, {"energy"})}));
  EXPECT_TRUE(after_restart.result.replayed());
  EXPECT_EQ(after_restart.result.first_position(), first.result.first_position());
  EXPECT_EQ(committer_->committed_position(), head);

  auto different = committer_->Commit(
      Request("once", {RecordAgreementCommand("a2", {"kz", "kr"}, {"energy"})}));
  ASSERT_TRUE(absl::IsInvalidArgument(different.status())) << different.status();
  EXPECT_NE(different.status().message().find("request_id"), std::string::npos);
  EXPECT_EQ(committer_->committed_position(), head);
  EXPECT_EQ(ReadAll().size(), head);
}

TEST_F(CommitterTest, ServerAssignsIdsAndReservesTheirForm) {
  RegisterKzKr();
  auto command = RecordAgreementCommand("", {"kz", "kr"}, {"telecom"});
  auto outcome = MustCommit(Request("auto", {command}));
  ASSERT_EQ(outcome.agreements.size(), 1u);
  // Random, not derived from the position (3): 16 characters of [a-z2-7] after "a-".
  const std::string& id = outcome.agreements[0]->id();
  ASSERT_EQ(id.size(), 18u) << id;
  EXPECT_EQ(id.substr(0, 2), "a-");
  EXPECT_EQ(id.find_first_not_of("abcdefghijklmnopqrstuvwxyz234567", 2),
            std::string::npos)
      << id;
  auto second = MustCommit(
      Request("auto-2", {RecordAgreementCommand("", {"kz", "kr"}, {"telecom"})}));
  EXPECT_NE(second.agreements[0]->id(), id);
  // A replay answers with the id assigned the first time.
  EXPECT_EQ(MustCommit(Request("auto", {command})).agreements[0]->id(), id);

  auto reserved = RecordAgreementCommand("a-77", {"kz", "kr"}, {"telecom"});
  auto refused = committer_->Commit(Request("reserved", {reserved}));
  ASSERT_TRUE(absl::IsInvalidArgument(refused.status())) << refused.status();
  EXPECT_NE(refused.status().message().find("reserved"), std::string::npos);
}

TEST_F(CommitterTest, RecordedAtNeverDecreasesWhenTheClockStepsBack) {
  committer_.reset();
  store_.reset();
  absl::Time now = absl::FromUnixSeconds(2000000000);
  options_.clock = [&now] { return now; };
  Open();
  MustCommit(Request("p1", {RegisterStateCommand("kz", "KZ")}));
  now -= absl::Hours(1);
  MustCommit(Request("p2", {RegisterStateCommand("kr", "KR")}));
  Reopen();  // the floor survives a restart
  MustCommit(Request("p3", {RegisterStateCommand("us", "US")}));
  auto events = ReadAll();
  ASSERT_EQ(events.size(), 3u);
  for (const auto& event : events) {
    EXPECT_EQ(event.envelope().recorded_at().seconds(), 2000000000);
  }
}

TEST_F(CommitterTest, ReadsByRangeBackwardsAndByStream) {
  RegisterKzKr();
  MustCommit(Request("r", {RecordAgreementCommand("a1", {"kz", "kr"}, {"energy"}),
                           SignCommand("a1", "kz")}));
  LogReader reader(store_.get());
  auto backward = reader.ReadBackward(0, 2);
  ASSERT_TRUE(backward.ok());
  ASSERT_EQ(backward->events.size(), 2u);
  EXPECT_EQ(backward->events[0].position, 4u);
  EXPECT_EQ(backward->events[1].position, 3u);
  EXPECT_EQ(backward->head, 4u);

  auto forward = reader.ReadForward(2, 2);
  ASSERT_TRUE(forward.ok());
  ASSERT_EQ(forward->events.size(), 2u);
  EXPECT_EQ(forward->events[0].position, 2u);

  auto stream = reader.ReadStream(v1::STREAM_TYPE_AGREEMENT, "a1", 2, 10);
  ASSERT_TRUE(stream.ok());
  ASSERT_EQ(stream->events.size(), 1u);
  EXPECT_EQ(stream->events[0].position, 4u);
  // The exact stored bytes: identical to what the log holds at that position.
  EXPECT_EQ(stream->events[0].bytes, backward->events[0].bytes);
  v1::Event event;
  ASSERT_TRUE(event.ParseFromString(stream->events[0].bytes));
  EXPECT_EQ(event.payload().participant_signed().party_id(), "kz");
}

TEST_F(CommitterTest, RebuildDetectsAndRepairsTamperedViews) {
  RegisterKzKr();
  MustCommit(Request(
      "r", {RecordAgreementCommand("a1", {"kz", "kr"}, {"energy", "construction"}),
            SignCommand("a1", "kz")}));
  ExpectViewsMatchRebuild();
  committer_->Shutdown();
  rocksdb::WriteBatch tamper;
  tamper.Put(store_->agreements(), "a1", "garbage");
  tamper.Delete(store_->sector_counters(), SectorCountsKey("energy"));
  tamper.Put(store_->agreement_index(), IndexPrefix(kIndexSector, "health") + "a1", "");
  ASSERT_TRUE(store_->db()->Write(rocksdb::WriteOptions(), &tamper).ok());

  auto report = RebuildViews(store_.get(), /*repair=*/true);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->difference_count, 3u);
  EXPECT_TRUE(report->repaired);
  ExpectViewsMatchRebuild();
}

TEST_F(CommitterTest, ListsBySectorAndPartyWithPaging) {
  RegisterKzKr();
  MustCommit(Request("p", {RegisterStateCommand("us", "US")}));
  for (int i = 0; i < 7; ++i) {
    const std::string id = absl::StrCat("e", i);
    MustCommit(Request(id, {RecordAgreementCommand(id, {"kz", "kr"}, {"energy"})}));
  }
  MustCommit(Request("t", {RecordAgreementCommand("t0", {"kz", "us"}, {"transport"})}));
  Settle();
  auto reader = ViewReader::Create(store_.get());
  ASSERT_TRUE(reader.ok());
  AgreementFilter filter;
  filter.sector = "energy";
  std::vector<std::string> seen;
  std::string after;
  do {
    auto page = (*reader)->ListAgreements(filter, after, 3);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& a : page->items) seen.push_back(a.id());
    after = page->next_after;
  } while (!after.empty());
  EXPECT_EQ(seen, (std::vector<std::string>{"e0", "e1", "e2", "e3", "e4", "e5", "e6"}));

  AgreementFilter by_party;
  by_party.party_id = "us";
  auto page = (*reader)->ListAgreements(by_party, "", 10);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id(), "t0");
  EXPECT_EQ((*reader)->position(), committer_->committed_position());
}

TEST_F(CommitterTest, UpdatesKeepIndexesAndCountersEqualToARebuild) {
  RegisterKzKr();
  MustCommit(Request("p", {RegisterStateCommand("us", "US")}));
  MustCommit(Request("r", {RecordAgreementCommand("a1", {"kz", "kr"}, {"energy"}),
                           RecordAgreementCommand("a2", {"kz", "us"}, {"energy"})}));
  // Sectors move: energy -> transport + telecom.
  v1::Command classify;
  classify.set_stream_type(v1::STREAM_TYPE_AGREEMENT);
  classify.set_stream_id("a1");
  for (const char* sector : {"transport", "telecom"}) {
    auto* c = classify.mutable_change()
                  ->mutable_classification_changed()
                  ->add_classifications();
    c->set_scheme(v1::CLASSIFICATION_SCHEME_REGISTRY_SECTOR);
    c->set_code(sector);
  }
  // An amount revised.
  v1::Command revise;
  revise.set_stream_type(v1::STREAM_TYPE_AGREEMENT);
  revise.set_stream_id("a1");
  auto* revised = revise.mutable_change()->mutable_amount_revised();
  revised->set_amount_id("estimated-value");
  revised->mutable_value()->set_currency_code("USD");
  revised->mutable_value()->set_units(2500);
  MustCommit(Request("move", {classify, revise}));
  // A terminal status: signed, then abandoned.
  v1::Command abandon;
  abandon.set_stream_type(v1::STREAM_TYPE_AGREEMENT);
  abandon.set_stream_id("a2");
  auto* date = abandon.mutable_change()->mutable_abandoned()->mutable_date();
  date->set_year(2011);
  date->set_precision(v1::DATE_PRECISION_YEAR);
  MustCommit(Request("end", {SignCommand("a2", "kz"), abandon}));
  // A party changes country and type: its index entries move.
  v1::Command update;
  update.set_stream_type(v1::STREAM_TYPE_PARTY);
  update.set_stream_id("us");
  auto* updated = update.mutable_change()->mutable_party_updated();
  updated->mutable_party()->set_country_code("CA");
  updated->mutable_party()->set_type(v1::PARTY_TYPE_INTERNATIONAL_ORGANIZATION);
  updated->mutable_update_mask()->add_paths("country_code");
  updated->mutable_update_mask()->add_paths("type");
  MustCommit(Request("party", {update}));
  ExpectViewsMatchRebuild();

  auto reader = ViewReader::Create(store_.get());
  ASSERT_TRUE(reader.ok());
  auto energy = (*reader)->GetSectorCounters("energy", true);
  ASSERT_TRUE(energy.ok());
  EXPECT_EQ(energy->agreement_count(), 1);  // only a2 is left in energy
  EXPECT_EQ(energy->party_counts().count("kr"), 0u);
  EXPECT_EQ(energy->by_status().at(v1::AGREEMENT_STATUS_NEVER_IN_FORCE), 1);
  auto transport = (*reader)->GetSectorCounters("transport", true);
  ASSERT_TRUE(transport.ok());
  EXPECT_EQ(transport->amount_totals().at("USD/1").total().units(), 2500);
  PartyFilter in_ca;
  in_ca.country_code = "CA";
  auto parties = (*reader)->ListParties(in_ca, "", 10);
  ASSERT_TRUE(parties.ok());
  ASSERT_EQ(parties->items.size(), 1u);
  EXPECT_EQ(parties->items[0].id(), "us");
  PartyFilter in_us;
  in_us.country_code = "US";
  EXPECT_TRUE((*reader)->ListParties(in_us, "", 10)->items.empty());

  // Back to zero: the only health agreement leaves the sector and its record goes away.
  MustCommit(Request("h", {RecordAgreementCommand("h1", {"kz", "kr"}, {"health"})}));
  Settle();
  EXPECT_TRUE(store_->Get(store_->sector_counters(), SectorCountsKey("health")).ok());
  v1::Command move_h1 = classify;
  move_h1.set_stream_id("h1");
  MustCommit(Request("move-h1", {move_h1}));
  ExpectViewsMatchRebuild();
  EXPECT_TRUE(absl::IsNotFound(
      store_->Get(store_->sector_counters(), SectorCountsKey("health")).status()));
}

// Holds the committer thread before its next group until released, so that everything
// submitted meanwhile is committed as one group.
class GroupGate {
 public:
  void Hold() {
    absl::MutexLock lock(&mu_);
    held_ = true;
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    held_ = false;
  }
  void Pass() {
    absl::MutexLock lock(&mu_);
    auto open = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !held_; };
    mu_.Await(absl::Condition(&open));
  }

 private:
  absl::Mutex mu_;
  bool held_ ABSL_GUARDED_BY(mu_) = false;
};

TEST_F(CommitterTest, OneGroupOneWriteWithIndependentRequests) {
  committer_.reset();
  store_.reset();
  GroupGate gate;
  options_.TEST_before_group = [&gate] { gate.Pass(); };
  Open();
  RegisterKzKr();
  const uint64_t groups_before = committer_->TEST_groups_written();

  gate.Hold();
  std::atomic<int> answered{0};
  absl::StatusOr<CommitOutcome> results[5];
  auto submit = [&](int i, CommitRequest request) {
    committer_->Submit(std::move(request), [&, i](absl::StatusOr<CommitOutcome> o) {
      results[i] = std::move(o);
      ++answered;
    });
  };
  // A blocker the committer takes first; the rest queue up behind the gate.
  submit(0, Request("blocker", {RecordAgreementCommand("b0", {"kz", "kr"}, {"energy"})}));
  submit(1, Request("g1", {RecordAgreementCommand("g1", {"kz", "kr"}, {"energy"})}));
  submit(2, Request("g2", {SignCommand("g1", "nobody")}));  // fails alone
  submit(3, Request("g3", {SignCommand("g1", "kz")}));      // sees g1 of the same group
  submit(4, Request("g1", {RecordAgreementCommand("g1", {"kz", "kr"}, {"energy"})}));
  gate.Release();
  committer_->Shutdown();  // drains the queue

  ASSERT_EQ(answered.load(), 5);
  ASSERT_TRUE(results[1].ok()) << results[1].status();
  EXPECT_FALSE(results[2].ok());
  ASSERT_TRUE(results[3].ok()) << results[3].status();
  EXPECT_EQ(results[3]->result.streams(0).revision(), 2u);
  ASSERT_TRUE(results[4].ok()) << results[4].status();
  EXPECT_TRUE(results[4]->result.replayed());
  EXPECT_EQ(results[4]->result.first_position(), results[1]->result.first_position());
  // The blocker in one write, g1..g1-again in a second: one fsync for four requests.
  EXPECT_LE(committer_->TEST_groups_written() - groups_before, 2u);
  EXPECT_EQ(ReadAll().size(), 2u + 1u + 2u);
  ExpectViewsMatchRebuild();
}

// An identifier command: identifier_added, or a correction of the whole set.
v1::Command IdentifierCommand(const std::string& agreement_id, const std::string& value) {
  v1::Command command;
  command.set_stream_type(v1::STREAM_TYPE_AGREEMENT);
  command.set_stream_id(agreement_id);
  v1::Identifier& identifier =
      *command.mutable_change()->mutable_identifier_added()->mutable_identifier();
  identifier.set_scheme("UNTS");
  identifier.set_value(value);
  return command;
}

v1::Command ClearIdentifiersCommand(const std::string& agreement_id, uint64_t position) {
  v1::Command command;
  command.set_stream_type(v1::STREAM_TYPE_AGREEMENT);
  command.set_stream_id(agreement_id);
  v1::RecordCorrected& corrected = *command.mutable_change()->mutable_record_corrected();
  corrected.set_corrected_position(position);
  corrected.mutable_field_mask()->add_paths("identifiers");
  return command;
}

TEST_F(CommitterTest, IdentifiersAreUniqueAcrossRequestsOfOneGroup) {
  committer_.reset();
  store_.reset();
  GroupGate gate;
  options_.TEST_before_group = [&gate] { gate.Pass(); };
  Open();
  RegisterKzKr();
  const CommitOutcome a1 =
      MustCommit(Request("a1", {RecordAgreementCommand("a1", {"kz", "kr"}, {"energy"})}));
  MustCommit(Request("a2", {RecordAgreementCommand("a2", {"kz", "kr"}, {"energy"})}));
  MustCommit(Request("held", {IdentifierCommand("a1", "I-100")}));

  gate.Hold();
  std::atomic<int> answered{0};
  absl::StatusOr<CommitOutcome> results[5];
  auto submit = [&](int i, CommitRequest request) {
    committer_->Submit(std::move(request), [&, i](absl::StatusOr<CommitOutcome> o) {
      results[i] = std::move(o);
      ++answered;
    });
  };
  submit(0, Request("blocker", {SignCommand("a2", "kz")}));
  submit(1, Request("g1", {IdentifierCommand("a2", "I-200")}));
  submit(2, Request("g2", {IdentifierCommand("a1", "I-200")}));  // taken in this group
  submit(3, Request("g3", {IdentifierCommand("a2", "I-100")}));  // taken in the store
  // a1 releases I-100 and a2 takes it, in one group.
  submit(4, Request("g4", {ClearIdentifiersCommand("a1", a1.result.first_position()),
                           IdentifierCommand("a2", "I-100")}));
  gate.Release();
  committer_->Shutdown();

  ASSERT_EQ(answered.load(), 5);
  ASSERT_TRUE(results[1].ok()) << results[1].status();
  ASSERT_FALSE(results[2].ok());
  EXPECT_TRUE(absl::IsAlreadyExists(results[2].status())) << results[2].status();
  EXPECT_EQ(results[2].status().message(),
            "identifier UNTS:I-200 is already recorded for another agreement");
  EXPECT_TRUE(absl::IsAlreadyExists(results[3].status())) << results[3].status();
  ASSERT_TRUE(results[4].ok()) << results[4].status();
  auto owner = FindIdentifierOwner(store_.get(), nullptr, [] {
    v1::Identifier identifier;
    identifier.set_scheme("UNTS");
    identifier.set_value("I-100");
    return identifier;
  }());
  ASSERT_TRUE(owner.ok()) << owner.status();
  EXPECT_EQ(*owner, "a2");
  ExpectViewsMatchRebuild();
}

TEST_F(CommitterTest, EveryEventCarriesTheRulesVersion) {
  RegisterKzKr();
  for (const v1::Event& event : ReadAll()) {
    EXPECT_EQ(event.envelope().rules_version(), domain::kRulesVersion);
  }
}

TEST_F(CommitterTest, AFailedWriteStopsTheCommitterAndLosesNothingAcknowledged) {
  committer_.reset();
  store_.reset();
  std::atomic<bool> fail{false};
  std::atomic<int> failures_reported{0};
  options_.TEST_write_status = [&fail] {
    return fail ? rocksdb::Status::IOError("injected") : rocksdb::Status::OK();
  };
  options_.on_write_failure = [&](const absl::Status&) { ++failures_reported; };
  Open();
  RegisterKzKr();
  const uint64_t head = committer_->committed_position();
  fail = true;
  auto failed = committer_->Commit(Request("lost", {RegisterStateCommand("us", "US")}));
  ASSERT_TRUE(absl::IsUnavailable(failed.status())) << failed.status();
  EXPECT_NE(failed.status().message().find("same request ids"), std::string::npos);
  EXPECT_EQ(failures_reported.load(), 1);
  fail = false;
  // Stopped for good: later requests are refused, nothing more is written.
  auto refused = committer_->Commit(Request("later", {RegisterStateCommand("ca", "CA")}));
  EXPECT_TRUE(absl::IsUnavailable(refused.status())) << refused.status();
  EXPECT_EQ(committer_->committed_position(), head);

  Reopen();  // a restart resumes from the store's head
  EXPECT_EQ(committer_->committed_position(), head);
  auto retried = MustCommit(Request("lost", {RegisterStateCommand("us", "US")}));
  EXPECT_FALSE(retried.result.replayed());
  EXPECT_EQ(retried.result.first_position(), head + 1);
  ExpectViewsMatchRebuild();
}

TEST_F(CommitterTest, RefusesAfterShutdownAndRejectsFalseExpectations) {
  RegisterKzKr();
  auto command = RegisterStateCommand("us", "US");
  command.mutable_expected_revision()->set_no_stream(false);
  auto refused = committer_->Commit(Request("false", {command}));
  EXPECT_TRUE(absl::IsInvalidArgument(refused.status())) << refused.status();

  committer_->Shutdown();
  auto late = committer_->Commit(Request("late", {RegisterStateCommand("us", "US")}));
  ASSERT_TRUE(absl::IsUnavailable(late.status())) << late.status();
  EXPECT_NE(late.status().message().find("shutting down"), std::string::npos);
}

TEST_F(CommitterTest, AVersion1StoreIsMigratedByDerivingTheEventTags) {
  RegisterKzKr();
  MustCommit(Request("r", {RecordAgreementCommand("a1", {"kz", "kr"}, {"energy"})}));
  committer_.reset();
  // Make it look like version 1: no event_tags, the old version number.
  rocksdb::WriteBatch old;
  old.DeleteRange(store_->event_tags(), EncodeU64(0), EncodeU64(UINT64_MAX));
  old.Put(store_->meta(), kMetaSchemaVersion, "1");
  ASSERT_TRUE(store_->db()->Write(rocksdb::WriteOptions(), &old).ok());
  store_.reset();
  Open();
  EXPECT_EQ(*store_->Get(store_->meta(), kMetaSchemaVersion), kSchemaVersion);
  EXPECT_TRUE(store_->Get(store_->event_tags(), LogKey(3)).ok());
  ExpectViewsMatchRebuild();
}

TEST_F(CommitterTest, AVersion5StoreGetsItsIndexPartitionedByVisibility) {
  RegisterKzKr();
  v1::Command secret = ConfidentialRecord("a1");
  MustCommit(
      Request("r1", {secret, RecordAgreementCommand("a2", {"kz", "kr"}, {"energy"})}));
  committer_.reset();
  // Make it look like version 5: one list index for all callers, no visibility entries.
  rocksdb::WriteBatch old;
  old.DeleteRange(store_->agreement_index(), std::string("L"), std::string("M"));
  old.DeleteRange(store_->agreement_index(), std::string("V"), std::string("W"));
  for (const char* id : {"a1", "a2"}) {
    old.Put(store_->agreement_index(), IndexPrefix(kIndexSector, "energy") + id, "");
    old.Put(store_->agreement_index(), IndexPrefix(kIndexParty, "kz") + id, "");
  }
  old.Put(store_->meta(), kMetaSchemaVersion, "5");
  ASSERT_TRUE(store_->db()->Write(rocksdb::WriteOptions(), &old).ok());
  store_.reset();
  Open();
  EXPECT_EQ(*store_->Get(store_->meta(), kMetaSchemaVersion), kSchemaVersion);
  ExpectViewsMatchRebuild();
  Settle();
  auto reader = ViewReader::Create(store_.get());
  ASSERT_TRUE(reader.ok());
  AgreementFilter filter;
  filter.party_id = "kz";
  filter.clearance = domain::Clearance::PublicAnd({});
  auto page = (*reader)->ListAgreements(filter, "", 10);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id(), "a2");
  EXPECT_EQ(page->scanned, 1u);
  EXPECT_FALSE(*(*reader)->Sees(filter.clearance, "a1"));
  EXPECT_TRUE(*(*reader)->Sees(domain::Clearance::All(), "a1"));
}

TEST_F(CommitterTest, NonPublicAgreementsAreCountedApartAndTagged) {
  RegisterKzKr();
  v1::Command secret = ConfidentialRecord("a1");
  MustCommit(
      Request("r1", {secret, RecordAgreementCommand("a2", {"kz", "kr"}, {"energy"})}));
  Settle();
  auto reader = ViewReader::Create(store_.get());
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->GetSectorCounters("energy", false)->agreement_count(), 1);
  EXPECT_EQ((*reader)->GetSectorCounters("energy", true)->agreement_count(), 2);
  EXPECT_EQ((*reader)->GetSectorCounters("energy", true)->party_counts().at("kz"), 2);

  // The tags of the confidential event carry its level; the public one's do not.
  for (uint64_t position : {3u, 4u}) {
    auto bytes = store_->Get(store_->event_tags(), LogKey(position));
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    sv1::EventTags tags;
    ASSERT_TRUE(tags.ParseFromString(*bytes));
    EXPECT_EQ(tags.confidentiality(),
              position == 3 ? v1::CONFIDENTIALITY_CONFIDENTIAL : 0);
  }

  // Declassified: the counts move to the public level.
  v1::Command declassify;
  declassify.set_stream_type(v1::STREAM_TYPE_AGREEMENT);
  declassify.set_stream_id("a1");
  declassify.mutable_change()->mutable_confidentiality_changed()->set_level(
      v1::CONFIDENTIALITY_PUBLIC);
  MustCommit(Request("r2", {declassify}));
  Settle();
  reader = ViewReader::Create(store_.get());
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->GetSectorCounters("energy", false)->agreement_count(), 2);
  EXPECT_EQ((*reader)->GetSectorCounters("energy", true)->agreement_count(), 2);
  ExpectViewsMatchRebuild();
}

TEST_F(CommitterTest, WritableSectorsLimitEveryStateOfTheAgreement) {
  RegisterKzKr();
  CommitRequest request =
      Request("r1", {RecordAgreementCommand("a1", {"kz", "kr"}, {"energy", "telecom"})});
  request.writable_sectors = std::vector<std::string>{"energy"};
  auto outcome = committer_->Commit(request);
  EXPECT_EQ(outcome.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(outcome.status().message().find("sector telecom"), std::string::npos)
      << outcome.status();
  request.writable_sectors = std::vector<std::string>{"energy", "telecom"};
  ASSERT_TRUE(committer_->Commit(request).ok());
  EXPECT_EQ(committer_->committed_position(), 3u);

  // The same request again by a caller limited to energy: no replay of the state.
  request.writable_sectors = std::vector<std::string>{"energy"};
  EXPECT_EQ(committer_->Commit(request).status().code(),
            absl::StatusCode::kPermissionDenied);
  request.writable_sectors.reset();
  auto replayed = committer_->Commit(request);
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_TRUE(replayed->result.replayed());
}

TEST_F(CommitterTest, ListsExamineOnlyTheEntriesTheirCallerMaySee) {
  RegisterKzKr();
  for (int i = 0; i < 40; ++i) {
    MustCommit(
        Request(absl::StrCat("h", i), {ConfidentialRecord(absl::StrCat("hidden-", i))}));
  }
  for (const char* id : {"open-1", "open-2", "open-3"}) {
    MustCommit(Request(id, {RecordAgreementCommand(id, {"kz", "kr"}, {"energy"})}));
  }
  Settle();
  auto reader = ViewReader::Create(store_.get());
  ASSERT_TRUE(reader.ok()) << reader.status();
  AgreementFilter filter;
  filter.party_id = "kz";
  struct Case {
    domain::Clearance clearance;
    size_t scanned;
  };
  for (const Case& c : {Case{domain::Clearance::PublicAnd({}), 3},
                        Case{domain::Clearance::PublicAnd({"telecom"}), 3},
                        Case{domain::Clearance::PublicAnd({"energy"}), 43},
                        Case{domain::Clearance::All(), 43}}) {
    filter.clearance = c.clearance;
    auto page = (*reader)->ListAgreements(filter, "", 100);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_EQ(page->scanned, c.scanned);
    EXPECT_EQ(page->items.size(), c.scanned);
    EXPECT_EQ(page->next_after, "");
  }
  // A hidden agreement and an absent one: the same answer from the visibility entry.
  EXPECT_FALSE(*(*reader)->Sees(domain::Clearance::PublicAnd({}), "hidden-7"));
  EXPECT_FALSE(*(*reader)->Sees(domain::Clearance::PublicAnd({}), "hidden-77"));
  EXPECT_TRUE(*(*reader)->Sees(domain::Clearance::PublicAnd({"energy"}), "hidden-7"));
  EXPECT_TRUE(*(*reader)->Sees(domain::Clearance::PublicAnd({}), "open-1"));
}

}  // namespace
}  // namespace agreements::store
