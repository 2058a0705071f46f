#include "common/signed_note.h"

#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/temp_dir.h"
#include "gtest/gtest.h"

namespace agreements::note {
namespace {

std::string Hex(absl::string_view hex) { return absl::HexStringToBytes(hex); }

Checkpoint Example() {
  Checkpoint checkpoint;
  checkpoint.origin = "agreements.example/log";
  checkpoint.size = 42;
  checkpoint.root = merkle::LeafHash("root");
  return checkpoint;
}

TEST(SignedNoteTest, KeysFollowRfc8032) {
  // RFC 8032 section 7.1, test 1: secret key -> public key.
  auto signer = NoteSigner::FromSeed(
      "test", Hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  ASSERT_TRUE(signer.ok()) << signer.status();
  const std::string key = signer->VerifierKey();
  // <name>+<id>+<base64>: the base64 part may itself contain '+'.
  const std::string encoded = key.substr(key.find('+', key.find('+') + 1) + 1);
  std::string raw;
  ASSERT_TRUE(absl::Base64Unescape(encoded, &raw));
  EXPECT_EQ(absl::BytesToHexString(raw),
            "01d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
}

TEST(SignedNoteTest, SignedCheckpointsVerifyAndTamperingIsDetected) {
  auto signer = NoteSigner::FromSeed("agreements.example", std::string(32, '\x07'));
  ASSERT_TRUE(signer.ok());
  const Checkpoint checkpoint = Example();
  auto note = signer->Sign(CheckpointBody(checkpoint));
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_EQ(note->rfind("agreements.example/log\n42\n", 0), 0u) << *note;
  EXPECT_NE(note->find("\n\n\xe2\x80\x94 agreements.example "), std::string::npos);

  auto verified = VerifyCheckpoint(*note, signer->VerifierKey());
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->origin, checkpoint.origin);
  EXPECT_EQ(verified->size, 42u);
  EXPECT_EQ(verified->root, checkpoint.root);

  std::string changed = *note;
  changed.replace(changed.find("\n42\n"), 4, "\n43\n");
  EXPECT_TRUE(
      absl::IsDataLoss(VerifyCheckpoint(changed, signer->VerifierKey()).status()));

  auto other = NoteSigner::FromSeed("agreements.example", std::string(32, '\x08'));
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(VerifyCheckpoint(*note, other->VerifierKey()).ok());
  EXPECT_TRUE(absl::IsInvalidArgument(VerifyCheckpoint(*note, "garbage").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(
      VerifyCheckpoint("no blank line", signer->VerifierKey()).status()));
}

TEST(SignedNoteTest, CoSignedCheckpointsNeedTheThresholdOfPinnedKeys) {
  std::vector<NoteSigner> signers;
  for (char seed : {'\x11', '\x12', '\x13'}) {
    auto signer = NoteSigner::FromSeed("agreements.example", std::string(32, seed));
    ASSERT_TRUE(signer.ok());
    signers.push_back(*std::move(signer));
  }
  const std::string body = CheckpointBody(Example());
  // The signature lines of the first two keys on one note.
  std::string note = body + "\n";
  for (int i = 0; i < 2; ++i) {
    auto one = signers[i].Sign(body);
    ASSERT_TRUE(one.ok());
    note += one->substr(body.size() + 1);
  }
  const std::vector<std::string> keys = {
      signers[0].VerifierKey(), signers[1].VerifierKey(), signers[2].VerifierKey()};
  auto two = VerifyCosignedCheckpoint(note, keys, 2);
  ASSERT_TRUE(two.ok()) << two.status() << "\n" << note;
  EXPECT_EQ(two->size, 42u);
  EXPECT_TRUE(absl::IsDataLoss(VerifyCosignedCheckpoint(note, keys, 3).status()));
  // The same key twice does not count twice.
  EXPECT_TRUE(absl::IsInvalidArgument(
      VerifyCosignedCheckpoint(note, {keys[0], keys[0]}, 2).status()));
  // Nor does it under another spelling: base64 decoding skips whitespace, so a trailing
  // blank or the CR of a CRLF key file names the same key.
  for (const std::string& respelled : {keys[0] + " ", keys[0] + "\r", keys[0] + "\n"}) {
    const absl::Status twice =
        VerifyCosignedCheckpoint(note, {keys[0], respelled}, 2).status();
    EXPECT_TRUE(absl::IsInvalidArgument(twice)) << twice;
    EXPECT_EQ(twice.message(), "verifier keys: the same key twice");
  }
  EXPECT_TRUE(absl::IsInvalidArgument(VerifyCosignedCheckpoint(note, keys, 0).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(VerifyCosignedCheckpoint(note, keys, 4).status()));
  // A changed body has no valid signature at all.
  std::string changed = note;
  changed.replace(changed.find("\n42\n"), 4, "\n43\n");
  EXPECT_TRUE(absl::IsDataLoss(VerifyCosignedCheckpoint(changed, keys, 1).status()));
}

TEST(SignedNoteTest, KeyFilesAreCreatedOnceAndReused) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/checkpoint.key";
  auto created = NoteSigner::LoadOrCreate(path, "registry");
  ASSERT_TRUE(created.ok()) << created.status();
  struct stat info;
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto loaded = NoteSigner::LoadOrCreate(path, "registry");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->VerifierKey(), created->VerifierKey());
  EXPECT_TRUE(
      absl::IsFailedPrecondition(NoteSigner::LoadOrCreate(path, "another").status()));
}

}  // namespace
}  // namespace agreements::note
