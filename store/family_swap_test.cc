// Replacing derived families by rebuilt ones: offline (ReplaceViews), online while
// commits go on (RebuildFamilyOnline), and what a reopened store reads afterwards.
#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "rocksdb/write_batch.h"
#include "store/committer.h"
#include "store/keys.h"
#include "store/online_rebuild.h"
#include "store/projector.h"
#include "store/rebuild.h"
#include "store/store_test_util.h"

namespace agreements::store {
namespace {

using ::agreements::testing::TempDir;
using testing::RecordAgreementCommand;
using testing::RegisterStateCommand;
using testing::Request;
using testing::SignCommand;
using testing::WaitForViews;

class FamilySwapTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    auto store = Store::Open(dir_.path(), StoreOptions());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto committer = Committer::Start(store_.get(), CommitterOptions());
    ASSERT_TRUE(committer.ok()) << committer.status();
    committer_ = *std::move(committer);
  }

  void Close() {
    committer_.reset();
    store_.reset();
  }

  void MustCommit(CommitRequest request) {
    auto outcome = committer_->Commit(std::move(request));
    ASSERT_TRUE(outcome.ok()) << outcome.status();
  }

  // Parties kz and kr, and `count` energy agreements between them, each signed once.
  void Load(int first, int count) {
    if (first == 0) {
      MustCommit(Request("parties", {RegisterStateCommand("kz", "KZ"),
                                     RegisterStateCommand("kr", "KR")}));
    }
    for (int i = first; i < first + count; ++i) {
      const std::string id = absl::StrCat("a", i);
      MustCommit(Request(id, {RecordAgreementCommand(id, {"kz", "kr"}, {"energy"})}));
      MustCommit(Request(absl::StrCat(id, "-s"), {SignCommand(id, "kz")}));
    }
  }

  void ExpectViewsMatchRebuild() {
    ASSERT_TRUE(WaitForViews(*committer_));
    auto report = RebuildViews(store_.get(), /*repair=*/false);
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(report->difference_count, 0u)
        << (report->differences.empty() ? "" : report->differences.front());
  }

  // Damages one agreement view and one index entry, and with `counter` one counter.
  void Tamper(bool counter) {
    rocksdb::WriteBatch tamper;
    tamper.Put(store_->agreements(), "a1", "garbage");
    if (counter) tamper.Delete(store_->sector_counters(), SectorCountsKey("energy"));
    tamper.Put(store_->agreement_index(), IndexPrefix(kIndexSector, "health") + "a1", "");
    ASSERT_TRUE(store_->db()->Write(rocksdb::WriteOptions(), &tamper).ok());
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Committer> committer_;
};

TEST_F(FamilySwapTest, ReplaceViewsWritesEveryDerivedFamilyAnewAndAReopenedStoreReadsIt) {
  Load(0, 20);
  ASSERT_TRUE(WaitForViews(*committer_));
  Tamper(/*counter=*/true);
  committer_.reset();
  const std::string old_name = store_->agreements()->GetName();

  auto replaced = ReplaceViews(store_.get());
  ASSERT_TRUE(replaced.ok()) << replaced.status();
  EXPECT_EQ(replaced->events, 42u);
  EXPECT_EQ(replaced->head, 42u);
  EXPECT_EQ(replaced->families_replaced, 10u);
  EXPECT_GT(replaced->keys_written, 42u);
  EXPECT_EQ(store_->agreements()->GetName(), absl::StrCat(old_name, "@2"));
  auto check = RebuildViews(store_.get(), /*repair=*/false);
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_EQ(check->difference_count, 0u)
      << (check->differences.empty() ? "" : check->differences.front());

  // The generations survive a restart, the replaced ones are gone, and the committer
  // and projection go on writing into the new families.
  Close();
  std::vector<std::string> names;
  ASSERT_TRUE(
      rocksdb::DB::ListColumnFamilies(rocksdb::Options(), dir_.path(), &names).ok());
  EXPECT_EQ(std::count(names.begin(), names.end(), "agreements"), 0);
  EXPECT_EQ(std::count(names.begin(), names.end(), "agreements@2"), 1);
  Open();
  EXPECT_EQ(store_->agreements()->GetName(), "agreements@2");
  Load(20, 5);
  ExpectViewsMatchRebuild();
}

TEST_F(FamilySwapTest, AFamilyBuiltBesideAndNeverSwappedIsDroppedOnOpen) {
  Load(0, 3);
  auto built = store_->CreateBeside(Family::kAgreements);
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ((*built)->GetName(), "agreements@2");
  Close();
  Open();
  EXPECT_EQ(store_->agreements()->GetName(), "agreements");
  Close();
  std::vector<std::string> names;
  ASSERT_TRUE(
      rocksdb::DB::ListColumnFamilies(rocksdb::Options(), dir_.path(), &names).ok());
  EXPECT_EQ(std::count(names.begin(), names.end(), "agreements@2"), 0);
  Open();
  ExpectViewsMatchRebuild();
}

// A crash between the synced write that names a new generation and the drop of the old
// one: the next open reads the new generation and drops the old.
TEST_F(FamilySwapTest, AReplacedGenerationLeftBehindIsDroppedOnOpen) {
  Load(0, 3);
  ASSERT_TRUE(WaitForViews(*committer_));
  committer_.reset();
  auto built = store_->CreateBeside(Family::kParties);
  ASSERT_TRUE(built.ok()) << built.status();
  rocksdb::WriteBatch copy;
  for (const char* id : {"kz", "kr"}) {
    auto value = store_->Get(store_->parties(), id);
    ASSERT_TRUE(value.ok()) << value.status();
    copy.Put(*built, id, *value);
  }
  copy.Put(store_->meta(), absl::StrCat(kMetaFamilyPrefix, "parties"), "2");
  rocksdb::WriteOptions sync;
  sync.sync = true;
  ASSERT_TRUE(store_->db()->Write(sync, &copy).ok());
  Close();
  Open();
  EXPECT_EQ(store_->parties()->GetName(), "parties@2");
  Close();
  std::vector<std::string> names;
  ASSERT_TRUE(
      rocksdb::DB::ListColumnFamilies(rocksdb::Options(), dir_.path(), &names).ok());
  EXPECT_EQ(std::count(names.begin(), names.end(), "parties"), 0);
  Open();
  ExpectViewsMatchRebuild();
}

TEST_F(FamilySwapTest, OnlyFamiliesDerivedFromTheLogAreBuiltBeside) {
  EXPECT_TRUE(absl::IsInvalidArgument(store_->CreateBeside(Family::kLog).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(store_->CreateBeside(Family::kRequests).status()));
  EXPECT_TRUE(
      absl::IsInvalidArgument(store_->CreateBeside(Family::kCheckpoints).status()));
}

// The online rebuild repairs a damaged view while writers commit; afterwards the views
// equal a rebuild, and reads through the handle taken before the swap still work.
TEST_F(FamilySwapTest, RebuildsOneViewOnlineWhileCommitsGoOn) {
  Load(0, 30);
  ASSERT_TRUE(WaitForViews(*committer_));
  Tamper(/*counter=*/false);
  auto damaged = RebuildViews(store_.get(), /*repair=*/false);
  ASSERT_TRUE(damaged.ok()) << damaged.status();
  EXPECT_EQ(damaged->difference_count, 2u);
  rocksdb::ColumnFamilyHandle* before = store_->agreements();

  std::atomic<bool> done{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int i = 100; i < 400 && !done; ++i) {
      const std::string id = absl::StrCat("w", i);
      auto outcome = committer_->Commit(
          Request(id, {RecordAgreementCommand(id, {"kz", "kr"}, {"energy"})}));
      ASSERT_TRUE(outcome.ok()) << outcome.status();
      ++written;
    }
  });
  while (written < 20) std::this_thread::yield();
  auto report = RebuildFamilyOnline(store_.get(), committer_->projection(), "agreements");
  done = true;
  writer.join();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->families,
            (std::vector<std::string>{"agreements", "agreement_index"}));
  EXPECT_GE(report->position, 62u);
  EXPECT_EQ(store_->agreements()->GetName(), "agreements@2");
  EXPECT_EQ(store_->agreement_index()->GetName(), "agreement_index@2");

  ExpectViewsMatchRebuild();
  // The replaced family is still readable through the handle a reader held (its
  // damage too): the swap never pulls data from under a read.
  std::string value;
  EXPECT_TRUE(store_->db()->Get(rocksdb::ReadOptions(), before, "a1", &value).ok());
  EXPECT_EQ(value, "garbage");
}

TEST_F(FamilySwapTest, TheOnlineRebuildRefusesWhatIsNotAView) {
  for (const char* name : {"log", "requests", "streams", "event_tags", "nothing"}) {
    auto report = RebuildFamilyOnline(store_.get(), committer_->projection(), name);
    EXPECT_TRUE(absl::IsInvalidArgument(report.status())) << name;
    EXPECT_NE(report.status().message().find("family"), absl::string_view::npos);
  }
}

}  // namespace
}  // namespace agreements::store
