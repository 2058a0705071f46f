#include "common/merkle.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/escaping.h"
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

}  // namespace
}  // namespace agreements::merkle
