#include "common/merkle.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace agreements::merkle {
namespace {

namespace fs = std::filesystem;
using google::protobuf::Struct;
using google::protobuf::Value;

const char kVectors[] = AGREEMENTS_RFC6962_VECTORS;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Struct ParseJson(const std::string& text) {
  Struct data;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(text, &data).ok()) << text;
  return data;
}

std::string Bytes(const Struct& data, const std::string& field) {
  auto it = data.fields().find(field);
  if (it == data.fields().end() || it->second.kind_case() != Value::kStringValue)
    return "";
  std::string out;
  absl::Base64Unescape(it->second.string_value(), &out);
  return out;
}

// JSON numbers go through double in Struct; read integers from the text instead, so
// that values like 2^64 - 1 stay exact.
uint64_t Number(const std::string& text, const std::string& field) {
  const std::string key = "\"" + field + "\":";
  size_t at = text.find(key);
  if (at == std::string::npos) return 0;
  at += key.size();
  while (at < text.size() && text[at] == ' ') ++at;
  uint64_t value = 0;
  for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
    value = value * 10 + static_cast<uint64_t>(text[at] - '0');
  }
  return value;
}

std::vector<std::string> Proof(const Struct& data) {
  std::vector<std::string> proof;
  auto it = data.fields().find("proof");
  if (it == data.fields().end() || !it->second.has_list_value()) return proof;
  for (const Value& v : it->second.list_value().values()) {
    std::string bytes;
    absl::Base64Unescape(v.string_value(), &bytes);
    proof.push_back(bytes);
  }
  return proof;
}

bool WantError(const Struct& data) {
  auto it = data.fields().find("wantErr");
  return it != data.fields().end() && it->second.bool_value();
}

absl::Status CheckInclusion(const std::string& text, const Struct& data) {
  return VerifyInclusionBytes(Number(text, "leafIdx"), Number(text, "treeSize"),
                              Bytes(data, "leafHash"), Proof(data), Bytes(data, "root"));
}

absl::Status CheckConsistency(const std::string& text, const Struct& data) {
  return VerifyConsistencyBytes(Number(text, "size1"), Number(text, "size2"),
                                Bytes(data, "root1"), Bytes(data, "root2"), Proof(data));
}

// Runs every vector file of one kind; returns how many there were.
int RunVectors(const std::string& kind,
               absl::Status (*check)(const std::string&, const Struct&)) {
  int count = 0;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(kVectors) / kind)) {
    if (entry.path().extension() != ".json") continue;
    const std::string text = ReadFile(entry.path());
    const Struct data = ParseJson(text);
    const absl::Status status = check(text, data);
    EXPECT_EQ(!status.ok(), WantError(data)) << entry.path() << ": " << status;
    ++count;
  }
  return count;
}

TEST(MerkleVectorsTest, InclusionProofsIncludingEveryMutation) {
  ASSERT_TRUE(fs::exists(kVectors)) << kVectors;
  EXPECT_GT(RunVectors("inclusion", CheckInclusion), 90);
}

TEST(MerkleVectorsTest, ConsistencyProofsIncludingEveryMutation) {
  ASSERT_TRUE(fs::exists(kVectors)) << kVectors;
  EXPECT_GT(RunVectors("consistency", CheckConsistency), 50);
}

TEST(MerkleTest, HashesFollowRfc9162) {
  // MTH({}) = SHA-256(""), and the domain separation of leaves and nodes.
  EXPECT_EQ(DigestHex(EmptyRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(DigestHex(LeafHash("")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_NE(LeafHash("ab"), NodeHash(LeafHash("a"), LeafHash("b")));
  EXPECT_EQ(SplitPoint(2), 1u);
  EXPECT_EQ(SplitPoint(5), 4u);
  EXPECT_EQ(SplitPoint(8), 4u);
}

// Proof lengths by the recursions of RFC 9162 2.1.3.1 (PATH) and 2.1.4.1 (SUBPROOF).
size_t PathLength(uint64_t index, uint64_t size) {
  if (size <= 1) return 0;
  const uint64_t k = SplitPoint(size);
  return 1 + (index < k ? PathLength(index, k) : PathLength(index - k, size - k));
}

size_t SubproofLength(uint64_t m, uint64_t n, bool whole) {
  if (m == n) return whole ? 0 : 1;
  const uint64_t k = SplitPoint(n);
  return 1 + (m <= k ? SubproofLength(m, k, whole) : SubproofLength(m - k, n - k, false));
}

// The proof lengths a verifier accepts as well formed (a wrong proof of the right length
// is DATA_LOSS, one of another length INVALID_ARGUMENT).
template <typename Verify>
std::vector<size_t> AcceptedLengths(Verify verify) {
  std::vector<size_t> accepted;
  for (size_t length = 0; length <= 130; ++length) {
    const absl::Status status = verify(std::vector<Hash>(length, LeafHash("x")));
    EXPECT_TRUE(absl::IsDataLoss(status) || absl::IsInvalidArgument(status)) << status;
    if (absl::IsDataLoss(status)) accepted.push_back(length);
  }
  return accepted;
}

// Sizes an untrusted bundle or checkpoint may claim, up to 2^64 - 1: SplitPoint looped
// forever above 2^63, and the expected proof lengths shifted by 64 bits.
TEST(MerkleTest, TreesOfMoreThanTwoToTheSixtyThreeLeaves) {
  constexpr uint64_t kHalf = uint64_t{1} << 63;
  constexpr uint64_t kMax = ~uint64_t{0};
  EXPECT_EQ(SplitPoint(kHalf), kHalf / 2);
  EXPECT_EQ(SplitPoint(kHalf + 1), kHalf);
  EXPECT_EQ(SplitPoint(kMax), kHalf);
  const Hash root = LeafHash("root");
  for (const auto& [index, size] : std::vector<std::pair<uint64_t, uint64_t>>{
           {1, kHalf + 1}, {0, kHalf + 1}, {kHalf, kMax}, {kMax - 1, kMax}, {5, kMax}}) {
    SCOPED_TRACE(absl::StrCat("inclusion of ", index, " in ", size));
    EXPECT_EQ(AcceptedLengths([&](const std::vector<Hash>& proof) {
                return VerifyInclusion(index, size, LeafHash("x"), proof, root);
              }),
              std::vector<size_t>{PathLength(index, size)});
  }
  for (const auto& [size1, size2] :
       std::vector<std::pair<uint64_t, uint64_t>>{{1, kHalf + 1},
                                                  {3, kHalf + 2},
                                                  {kHalf - 1, kMax},
                                                  {kHalf, kMax},
                                                  {kHalf + 1, kMax}}) {
    SCOPED_TRACE(absl::StrCat("consistency from ", size1, " to ", size2));
    EXPECT_EQ(AcceptedLengths([&](const std::vector<Hash>& proof) {
                return VerifyConsistency(size1, size2, root, LeafHash("r2"), proof);
              }),
              std::vector<size_t>{SubproofLength(size1, size2, true)});
  }
}

}  // namespace
}  // namespace agreements::merkle
