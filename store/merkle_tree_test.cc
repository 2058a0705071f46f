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

  // The stream-head map: from the views at the head, and from the stream index as of the
  // head, the same leaves.
  auto at_head = StreamMapLeavesAtHead(store->get(), snapshot.get());
  ASSERT_TRUE(at_head.ok()) << at_head.status();
  auto as_of = StreamMapLeaves(store->get(), snapshot.get(), n);
  ASSERT_TRUE(as_of.ok()) << as_of.status();
  EXPECT_EQ(*at_head, *as_of);
  EXPECT_EQ(at_head->size(), 2u + 28u);  // two parties, 28 agreements
  auto earlier = StreamMapLeaves(store->get(), snapshot.get(), 3);
  ASSERT_TRUE(earlier.ok());
  EXPECT_EQ(earlier->size(), 2u + 1u);
}

}  // namespace
}  // namespace agreements::store
