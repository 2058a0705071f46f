#include "common/signed_note.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/sha256.h"

namespace agreements::note {
namespace {

constexpr char kEmDash[] = "\xe2\x80\x94";  // U+2014, which starts a signature line
constexpr char kEd25519 = 0x01;

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

std::string KeyId(const std::string& name, const std::string& public_key) {
  Sha256 hasher;
  hasher.Update(name);
  hasher.Update("\n");
  hasher.Update(absl::string_view(&kEd25519, 1));
  hasher.Update(public_key);
  const Sha256Digest digest = hasher.Finish();
  return std::string(reinterpret_cast<const char*>(digest.data()), 4);
}

bool ValidKeyName(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (c == '+' || c == ' ' || c == '\n' || static_cast<unsigned char>(c) < 0x21) {
      return false;
    }
  }
  return true;
}

absl::StatusOr<std::string> PublicKeyOf(const std::string& seed) {
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()),
      seed.size()));
  if (key == nullptr) return absl::InvalidArgumentError("not an Ed25519 private key");
  std::string public_key(32, '\0');
  size_t length = public_key.size();
  if (EVP_PKEY_get_raw_public_key(
          key.get(), reinterpret_cast<unsigned char*>(public_key.data()), &length) != 1 ||
      length != 32) {
    return absl::InternalError("cannot derive the Ed25519 public key");
  }
  return public_key;
}

bool VerifyEd25519(const std::string& public_key, absl::string_view message,
                   absl::string_view signature) {
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr,
      reinterpret_cast<const unsigned char*>(public_key.data()), public_key.size()));
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (key == nullptr || ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(
             ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
             signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
             message.size()) == 1;
}

// What tells pinned keys apart: the Ed25519 public key a verifier key names (its text
// when malformed). Not the text itself: base64 decoding skips whitespace, so "K", "K "
// and "K\r" (from a CRLF file) are one key, and so is one key under two names; either
// counted twice let one signer meet a threshold of two (found by
// common/fuzz/signed_note_fuzz.cc).
std::string SignerOf(const std::string& verifier_key) {
  std::vector<std::string> parts = absl::StrSplit(verifier_key, absl::MaxSplits('+', 2));
  std::string raw;
  if (parts.size() != 3 || !absl::Base64Unescape(parts[2], &raw) || raw.size() != 33) {
    return verifier_key;
  }
  return raw.substr(1);
}

}  // namespace

std::string CheckpointBody(const Checkpoint& checkpoint) {
  auto base64 = [](const merkle::Hash& hash) {
    return absl::Base64Escape(
        absl::string_view(reinterpret_cast<const char*>(hash.data()), hash.size()));
  };
  std::string body = absl::StrCat(checkpoint.origin, "\n", checkpoint.size, "\n",
                                  base64(checkpoint.root), "\n");
  if (checkpoint.has_stream_map) {
    absl::StrAppend(&body, "streams ", checkpoint.stream_count, " ",
                    base64(checkpoint.stream_map_root), "\n");
  }
  return body;
}

absl::StatusOr<NoteSigner> NoteSigner::FromSeed(const std::string& name,
                                                const std::string& seed) {
  if (!ValidKeyName(name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("key name \"", name, "\": non-empty, no spaces, '+' or newlines"));
  }
  if (seed.size() != 32) return absl::InvalidArgumentError("an Ed25519 seed is 32 bytes");
  auto public_key = PublicKeyOf(seed);
  if (!public_key.ok()) return public_key.status();
  return NoteSigner(name, seed, *std::move(public_key));
}

absl::StatusOr<NoteSigner> NoteSigner::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("no signing key file ", path));
  std::stringstream text;
  text << in.rdbuf();
  std::string line = text.str();
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  std::vector<std::string> parts = absl::StrSplit(line, absl::MaxSplits('+', 4));
  std::string raw;
  if (parts.size() != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" ||
      !absl::Base64Unescape(parts[4], &raw) || raw.size() != 33 || raw[0] != kEd25519) {
    return absl::InvalidArgumentError(
        absl::StrCat("signing key file ", path, " is not a PRIVATE+KEY+... Ed25519 key"));
  }
  return FromSeed(parts[2], raw.substr(1));
}

absl::StatusOr<NoteSigner> NoteSigner::LoadOrCreate(const std::string& path,
                                                    const std::string& name) {
  if (std::ifstream(path)) {
    auto signer = Load(path);
    if (!signer.ok()) return signer.status();
    if (signer->name() != name) {
      return absl::FailedPreconditionError(absl::StrCat("signing key file ", path,
                                                        " is for \"", signer->name(),
                                                        "\", not \"", name, "\""));
    }
    return signer;
  }
  std::string seed(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(seed.data()), 32) != 1) {
    return absl::InternalError("no randomness for a new signing key");
  }
  auto signer = FromSeed(name, seed);
  if (!signer.ok()) return signer.status();
  const std::string content = absl::StrCat(
      "PRIVATE+KEY+", name, "+", absl::BytesToHexString(KeyId(name, signer->public_key_)),
      "+", absl::Base64Escape(std::string(1, kEd25519) + seed), "\n");
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create signing key file ", path));
  }
  const bool written =
      write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
      fsync(fd) == 0;
  close(fd);
  if (!written) return absl::InternalError(absl::StrCat("cannot write ", path));
  return signer;
}

absl::StatusOr<std::string> NoteSigner::Sign(const std::string& body) const {
  if (body.empty() || body.back() != '\n') {
    return absl::InvalidArgumentError("a note body ends with a newline");
  }
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed_.data()),
      seed_.size()));
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  std::string signature(64, '\0');
  size_t length = signature.size();
  if (key == nullptr || ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()),
                     &length, reinterpret_cast<const unsigned char*>(body.data()),
                     body.size()) != 1 ||
      length != 64) {
    return absl::InternalError("Ed25519 signing failed");
  }
  return absl::StrCat(body, "\n", kEmDash, " ", name_, " ",
                      absl::Base64Escape(KeyId(name_, public_key_) + signature), "\n");
}

std::string NoteSigner::VerifierKey() const {
  return absl::StrCat(name_, "+", absl::BytesToHexString(KeyId(name_, public_key_)), "+",
                      absl::Base64Escape(std::string(1, kEd25519) + public_key_));
}

absl::Status CheckVerifierKey(const std::string& verifier_key) {
  std::vector<std::string> key_parts =
      absl::StrSplit(verifier_key, absl::MaxSplits('+', 2));
  std::string raw_key;
  if (key_parts.size() != 3 || !absl::Base64Unescape(key_parts[2], &raw_key) ||
      raw_key.size() != 33 || raw_key[0] != kEd25519) {
    return absl::InvalidArgumentError("verifier key: expected <name>+<id>+<base64 key>");
  }
  if (absl::BytesToHexString(KeyId(key_parts[0], raw_key.substr(1))) != key_parts[1]) {
    return absl::InvalidArgumentError("verifier key: the key id does not match the key");
  }
  return absl::OkStatus();
}

absl::StatusOr<Checkpoint> VerifyCheckpoint(const std::string& note,
                                            const std::string& verifier_key) {
  std::vector<std::string> key_parts =
      absl::StrSplit(verifier_key, absl::MaxSplits('+', 2));
  std::string raw_key;
  if (key_parts.size() != 3 || !absl::Base64Unescape(key_parts[2], &raw_key) ||
      raw_key.size() != 33 || raw_key[0] != kEd25519) {
    return absl::InvalidArgumentError("verifier key: expected <name>+<id>+<base64 key>");
  }
  const std::string name = key_parts[0];
  const std::string public_key = raw_key.substr(1);
  const std::string id = KeyId(name, public_key);
  if (absl::BytesToHexString(id) != key_parts[1]) {
    return absl::InvalidArgumentError("verifier key: the key id does not match the key");
  }
  const size_t split = note.find("\n\n");
  if (split == std::string::npos) {
    return absl::InvalidArgumentError("note: no blank line before the signatures");
  }
  const std::string body = note.substr(0, split + 1);
  bool verified = false;
  for (absl::string_view line : absl::StrSplit(note.substr(split + 2), '\n')) {
    if (line.empty()) continue;
    const std::string prefix = absl::StrCat(kEmDash, " ", name, " ");
    if (!absl::StartsWith(line, prefix)) continue;
    std::string blob;
    if (!absl::Base64Unescape(line.substr(prefix.size()), &blob) || blob.size() != 68 ||
        blob.substr(0, 4) != id) {
      continue;
    }
    if (VerifyEd25519(public_key, body, absl::string_view(blob).substr(4)))
      verified = true;
  }
  if (!verified) {
    return absl::DataLossError(
        absl::StrCat("note: no valid signature by ", name, " (changed or not signed)"));
  }
  std::vector<std::string> lines = absl::StrSplit(body, '\n');
  Checkpoint checkpoint;
  std::string root;
  if (lines.size() < 4 || lines[0].empty() ||
      !absl::SimpleAtoi(lines[1], &checkpoint.size) ||
      !absl::Base64Unescape(lines[2], &root) || root.size() != 32) {
    return absl::InvalidArgumentError(
        "checkpoint: expected origin, tree size and base64 root hash lines");
  }
  checkpoint.origin = lines[0];
  std::copy(root.begin(), root.end(), reinterpret_cast<char*>(checkpoint.root.data()));
  for (size_t i = 3; i < lines.size(); ++i) {
    std::vector<std::string> words = absl::StrSplit(lines[i], ' ');
    std::string map_root;
    if (words.size() == 3 && words[0] == "streams" &&
        absl::SimpleAtoi(words[1], &checkpoint.stream_count) &&
        absl::Base64Unescape(words[2], &map_root) && map_root.size() == 32) {
      checkpoint.has_stream_map = true;
      std::copy(map_root.begin(), map_root.end(),
                reinterpret_cast<char*>(checkpoint.stream_map_root.data()));
    }
  }
  return checkpoint;
}

absl::StatusOr<Checkpoint> VerifyCosignedCheckpoint(
    const std::string& note, const std::vector<std::string>& verifier_keys,
    size_t threshold) {
  if (threshold == 0 || threshold > verifier_keys.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "threshold: must be from 1 to the number of keys (", verifier_keys.size(), ")"));
  }
  std::set<std::string> seen;
  size_t signed_by = 0;
  std::optional<Checkpoint> checkpoint;
  for (const std::string& key : verifier_keys) {
    if (!seen.insert(SignerOf(key)).second) {
      return absl::InvalidArgumentError("verifier keys: the same key twice");
    }
    absl::StatusOr<Checkpoint> verified = VerifyCheckpoint(note, key);
    if (absl::IsDataLoss(verified.status())) continue;
    if (!verified.ok()) return verified.status();
    ++signed_by;
    checkpoint = *std::move(verified);
  }
  if (signed_by < threshold) {
    return absl::DataLossError(absl::StrCat("note: signed by ", signed_by, " of the ",
                                            verifier_keys.size(), " keys; ", threshold,
                                            " needed"));
  }
  return *checkpoint;
}

}  // namespace agreements::note
