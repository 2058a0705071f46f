#include "clients/bench/stack_baseline/group_writer.h"

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/temp_dir.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"

namespace agreements::bench {
namespace {

// Collects the outcomes of appends made from several threads.
class Outcomes {
 public:
  GroupWriter::Done Expect(std::string payload) {
    return [this, payload = std::move(payload)](absl::StatusOr<uint64_t> position) {
      absl::MutexLock lock(&mu_);
      if (position.ok()) {
        stored_.emplace_back(*position, payload);
      } else {
        errors_.push_back(position.status());
      }
    };
  }
  std::vector<std::pair<uint64_t, std::string>> stored() {
    absl::MutexLock lock(&mu_);
    std::vector<std::pair<uint64_t, std::string>> sorted = stored_;
    std::sort(sorted.begin(), sorted.end());
    return sorted;
  }
  std::vector<absl::Status> errors() {
    absl::MutexLock lock(&mu_);
    return errors_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::pair<uint64_t, std::string>> stored_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::Status> errors_ ABSL_GUARDED_BY(mu_);
};

std::string ReadKey(const std::string& path, uint64_t position) {
  rocksdb::DB* raw = nullptr;
  EXPECT_TRUE(rocksdb::DB::OpenForReadOnly(rocksdb::Options(), path, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string value;
  if (db == nullptr ||
      !db->Get(rocksdb::ReadOptions(), PositionKey(position), &value).ok())
    return "<missing>";
  return value;
}

TEST(GroupWriterTest, AppendsFromManyThreadsGetEveryPositionOnceAndAreStored) {
  testing::TempDir dir;
  Outcomes outcomes;
  {
    auto writer = GroupWriter::Open(dir.path());
    ASSERT_TRUE(writer.ok()) << writer.status();
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 250; ++i) {
          std::string payload = absl::StrCat("payload-", t, "-", i);
          (*writer)->Append(payload, outcomes.Expect(payload));
        }
      });
    }
    for (auto& thread : threads) thread.join();
    (*writer)->Stop();
    EXPECT_EQ((*writer)->stats().appends, 1000u);
    EXPECT_GE((*writer)->stats().groups, 1u);
  }
  EXPECT_TRUE(outcomes.errors().empty());
  const auto stored = outcomes.stored();
  ASSERT_EQ(stored.size(), 1000u);
  for (size_t k = 0; k < stored.size(); ++k) EXPECT_EQ(stored[k].first, k + 1);
  EXPECT_EQ(ReadKey(dir.path(), 1), stored[0].second);
  EXPECT_EQ(ReadKey(dir.path(), 1000), stored[999].second);
}

TEST(GroupWriterTest, PositionsContinueAfterReopening) {
  testing::TempDir dir;
  Outcomes outcomes;
  for (int round = 0; round < 2; ++round) {
    auto writer = GroupWriter::Open(dir.path());
    ASSERT_TRUE(writer.ok()) << writer.status();
    for (int i = 0; i < 3; ++i) {
      std::string payload = absl::StrCat("round-", round, "-", i);
      (*writer)->Append(payload, outcomes.Expect(payload));
    }
  }
  const auto stored = outcomes.stored();
  ASSERT_EQ(stored.size(), 6u);
  EXPECT_EQ(stored[3], std::make_pair(uint64_t{4}, std::string("round-1-0")));
  EXPECT_EQ(ReadKey(dir.path(), 6), "round-1-2");
}

TEST(GroupWriterTest, AppendAfterStopFailsUnavailable) {
  testing::TempDir dir;
  auto writer = GroupWriter::Open(dir.path());
  ASSERT_TRUE(writer.ok()) << writer.status();
  (*writer)->Stop();
  Outcomes outcomes;
  (*writer)->Append("late", outcomes.Expect("late"));
  ASSERT_EQ(outcomes.errors().size(), 1u);
  EXPECT_EQ(outcomes.errors()[0].code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(outcomes.stored().empty());
}

TEST(GroupWriterTest, KeysSortInPositionOrder) {
  EXPECT_LT(PositionKey(255), PositionKey(256));
  EXPECT_LT(PositionKey(1), PositionKey(uint64_t{1} << 40));
  EXPECT_EQ(PositionKey(1), std::string("\0\0\0\0\0\0\0\1", 8));
}

}  // namespace
}  // namespace agreements::bench
