#include "store/merkle_tree.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "store/committer.h"
#include "store/log_reader.h"
#include "store/rebuild.h"
#include "store/store_test_util.h"
#include "store/stream_map.h"

namespace agreements::store {
namespace {

using ::agreements::testing::TempDir;
using testing::RecordAgreementCommand;
using testing::RegisterStateCommand;
using testing::Request;
using testing::SignCommand;
using testing::WaitForViews;

// MTH straight from RFC 9162 over the leaf bytes, for comparison.
merkle::Hash ReferenceRoot(const std::vector<std::string>& leaves, size_t start,
                           size_t count) {
  if (count == 0) return merkle::EmptyRoot();
  if (count == 1) return merkle::LeafHash(leaves[start]);
  const size_t k = merkle::SplitPoint(count);
  return merkle::NodeHash(ReferenceRoot(leaves, start, k),
                          ReferenceRoot(leaves, start + k, count - k));
}

TEST(MerkleTreeTest, RootsAndProofsAtEverySizeVerify) {
  TempDir dir;
  auto store = Store::Open(dir.path(), StoreOptions());
  ASSERT_TRUE(store.ok()) << store.status();
  {
    auto committer = Committer::Start(store->get(), CommitterOptions());
    ASSERT_TRUE(committer.ok());
    ASSERT_TRUE((*committer)
                    ->Commit(Request("p", {RegisterStateCommand("kz", "KZ"),
                                           RegisterStateCommand("kr", "KR")}))
                    .ok());
    // Groups of different sizes, so that appends cross group boundaries at every level.
    int n = 0;
    for (int group = 1; group <= 7; ++group) {
      std::vector<agreements::v1::Command> commands;
      for (int i = 0; i < group; ++i) {
        const std::string id = absl::StrCat("a", n++);
        commands.push_back(RecordAgreementCommand(id, {"kz", "kr"}, {"energy"}));
      }
      ASSERT_TRUE((*committer)->Commit(Request(absl::StrCat("g", group), commands)).ok());
    }
  }
  LogReader log(store->get());
  auto page = log.ReadForward(1, 1000);
  ASSERT_TRUE(page.ok());
  std::vector<std::string> leaves;
  for (const auto& event : page->events) leaves.push_back(event.bytes);
  const uint64_t n = leaves.size();
  ASSERT_EQ(n, 30u);

  ScopedSnapshot snapshot((*store)->db());
  MerkleReader reader(store->get(), snapshot.get());
  for (uint64_t size = 0; size <= n; ++size) {
    auto root = reader.Root(size);
    ASSERT_TRUE(root.ok()) << root.status();
    ASSERT_EQ(*root, ReferenceRoot(leaves, 0, size)) << "size " << size;
  }
  for (uint64_t size = 1; size <= n; ++size) {
    const merkle::Hash root = *reader.Root(size);
    for (uint64_t index = 0; index < size; ++index) {
      auto proof = reader.InclusionProof(index, size);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_TRUE(merkle::VerifyInclusion(index, size, merkle::LeafHash(leaves[index]),
                                          *proof, root)
                      .ok())
          << index << "/" << size;
      // A changed leaf must not verify.
      EXPECT_FALSE(
          merkle::VerifyInclusion(index, size, merkle::LeafHash("x"), *proof, root).ok());
    }
    for (uint64_t size1 = 1; size1 <= size; ++size1) {
      auto proof = reader.ConsistencyProof(size1, size);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_TRUE(
          merkle::VerifyConsistency(size1, size, *reader.Root(size1), root, *proof).ok())
          << size1 << " -> " << size;
    }
  }
  auto report = RebuildViews(store->get(), false);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->difference_count, 0u);

  // The stream-head map: as stored by the projection, and from the stream index as of the
  // head, the same leaves, in creation order, and the stored tree has their root.
  auto at_head = StoredStreamMapLeaves(store->get(), snapshot.get());
  ASSERT_TRUE(at_head.ok()) << at_head.status();
  auto as_of = StreamMapLeaves(store->get(), snapshot.get(), n);
  ASSERT_TRUE(as_of.ok()) << as_of.status();
  EXPECT_EQ(*at_head, *as_of);
  EXPECT_EQ(at_head->size(), 2u + 28u);  // two parties, 28 agreements
  auto stored_root = StreamMapReader(store->get(), snapshot.get()).Root(at_head->size());
  ASSERT_TRUE(stored_root.ok()) << stored_root.status();
  EXPECT_EQ(*stored_root, MapRoot(*at_head));
  for (uint64_t i = 0; i < at_head->size(); ++i) {
    auto proof =
        StreamMapReader(store->get(), snapshot.get()).InclusionProof(i, at_head->size());
    ASSERT_TRUE(proof.ok());
    EXPECT_EQ(*proof, MapInclusionProof(*at_head, i)) << i;
  }
  auto earlier = StreamMapLeaves(store->get(), snapshot.get(), 3);
  ASSERT_TRUE(earlier.ok());
  EXPECT_EQ(earlier->size(), 2u + 1u);
}

// A store with no event has no map keys, and a rebuild agrees.
TEST(MerkleTreeTest, AnEmptyStoreRebuildsWithoutDifferences) {
  TempDir dir;
  auto store = Store::Open(dir.path(), StoreOptions());
  ASSERT_TRUE(store.ok()) << store.status();
  auto report = RebuildViews(store->get(), false);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->difference_count, 0u);
  EXPECT_EQ(*StreamMapCount(store->get(), nullptr), 0u);
}

// The projection keeps the stored map in step with the log: after every group (new
// streams appended, existing streams' leaves replaced in place, several changes to one
// stream in one group), the stored leaves, root and proofs are those of the map derived
// from the stream index, and a rebuild finds nothing to repair.
TEST(MerkleTreeTest, StoredStreamMapFollowsCreationsAndChanges) {
  TempDir dir;
  auto store = Store::Open(dir.path(), StoreOptions());
  ASSERT_TRUE(store.ok()) << store.status();
  auto committer = Committer::Start(store->get(), CommitterOptions());
  ASSERT_TRUE(committer.ok());
  ASSERT_TRUE((*committer)
                  ->Commit(Request("p", {RegisterStateCommand("kz", "KZ"),
                                         RegisterStateCommand("kr", "KR")}))
                  .ok());
  std::vector<std::pair<std::string, int>> unsigned_by;  // (agreement, next signer)
  uint32_t random = 7;
  auto next = [&random](uint32_t bound) {
    random = random * 1103515245u + 12345u;
    return (random >> 8) % bound;
  };
  int created = 0;
  for (int group = 0; group < 40; ++group) {
    std::vector<agreements::v1::Command> commands;
    const int creations = static_cast<int>(next(4));
    for (int i = 0; i < creations; ++i) {
      const std::string id = absl::StrCat("a", created++);
      commands.push_back(RecordAgreementCommand(id, {"kz", "kr"}, {"energy"}));
      unsigned_by.emplace_back(id, 0);
    }
    const int changes = static_cast<int>(next(5));
    for (int i = 0; i < changes && !unsigned_by.empty(); ++i) {
      const size_t pick = next(static_cast<uint32_t>(unsigned_by.size()));
      auto& [id, signer] = unsigned_by[pick];
      commands.push_back(SignCommand(id, signer == 0 ? "kz" : "kr"));
      if (++signer == 2) unsigned_by.erase(unsigned_by.begin() + pick);
    }
    if (commands.empty()) continue;
    auto outcome = (*committer)->Commit(Request(absl::StrCat("g", group), commands));
    ASSERT_TRUE(outcome.ok()) << outcome.status();
    ASSERT_TRUE(WaitForViews(**committer));

    ScopedSnapshot snapshot((*store)->db());
    auto head = (*store)->ReadHead(snapshot.get());
    ASSERT_TRUE(head.ok());
    auto stored = StoredStreamMapLeaves(store->get(), snapshot.get());
    ASSERT_TRUE(stored.ok()) << stored.status();
    auto derived = StreamMapLeaves(store->get(), snapshot.get(), *head);
    ASSERT_TRUE(derived.ok()) << derived.status();
    ASSERT_EQ(*stored, *derived) << "after group " << group;
    MerkleReader map = StreamMapReader(store->get(), snapshot.get());
    auto root = map.Root(stored->size());
    ASSERT_TRUE(root.ok()) << root.status();
    ASSERT_EQ(*root, MapRoot(*derived)) << "after group " << group;
    for (uint64_t i = 0; i < stored->size(); ++i) {
      auto entry = StoredStreamMapEntry(store->get(), snapshot.get(),
                                        i < 2 ? agreements::v1::STREAM_TYPE_PARTY
                                              : agreements::v1::STREAM_TYPE_AGREEMENT,
                                        i == 0   ? "kz"
                                        : i == 1 ? "kr"
                                                 : absl::StrCat("a", i - 2));
      ASSERT_TRUE(entry.ok()) << entry.status();
      EXPECT_EQ(entry->index, i);
      EXPECT_EQ(entry->leaf, (*stored)[i]);
    }
  }
  EXPECT_GT(created, 20);
  auto report = RebuildViews(store->get(), false);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->difference_count, 0u) << report->differences.front();
}

}  // namespace
}  // namespace agreements::store
