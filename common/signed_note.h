// Signed checkpoints in the C2SP formats (signed-note and tlog-checkpoint) with Ed25519:
//
//   <origin>\n<tree size, decimal>\n<base64 root hash>\n      the checkpoint body
//   \n
//   — <key name> <base64(key id (4 bytes) || Ed25519 signature (64 bytes))>\n
//
// The signature covers the body, final newline included. key id = the first 4 bytes of
// SHA-256(key name || "\n" || 0x01 || public key). A verifier key is written
// "<name>+<key id, 8 hex digits>+<base64(0x01 || public key)>". docs/audit.md.
#ifndef AGREEMENTS_COMMON_SIGNED_NOTE_H_
#define AGREEMENTS_COMMON_SIGNED_NOTE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/merkle.h"

namespace agreements::note {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  merkle::Hash root{};
  // Extension line "streams <count> <base64 root>": the stream-head map at this size
  // (docs/audit.md). Absent when has_stream_map is false.
  bool has_stream_map = false;
  uint64_t stream_count = 0;
  merkle::Hash stream_map_root{};
};

std::string CheckpointBody(const Checkpoint& checkpoint);

// An Ed25519 signing key with its note key name. Thread-safe (immutable).
class NoteSigner {
 public:
  // Reads the key file, or creates it (mode 0600) with a fresh key when it is absent.
  // The file holds "PRIVATE+KEY+<name>+<key id>+<base64(0x01 || 32-byte seed)>".
  static absl::StatusOr<NoteSigner> LoadOrCreate(const std::string& path,
                                                 const std::string& name);
  // Reads an existing key file (NOT_FOUND when absent).
  static absl::StatusOr<NoteSigner> Load(const std::string& path);
  static absl::StatusOr<NoteSigner> FromSeed(const std::string& name,
                                             const std::string& seed);

  // The signed note of `body` (which must end with a newline).
  absl::StatusOr<std::string> Sign(const std::string& body) const;
  // "<name>+<key id>+<base64(0x01 || public key)>".
  std::string VerifierKey() const;
  const std::string& name() const { return name_; }

 private:
  NoteSigner(std::string name, std::string seed, std::string public_key)
      : name_(std::move(name)),
        seed_(std::move(seed)),
        public_key_(std::move(public_key)) {}

  std::string name_;
  std::string seed_;
  std::string public_key_;
};

// INVALID_ARGUMENT unless `verifier_key` is a well-formed Ed25519 verifier key.
absl::Status CheckVerifierKey(const std::string& verifier_key);

// Checks the note's signature by the verifier key and parses its checkpoint body.
// INVALID_ARGUMENT for malformed input; DATA_LOSS when no
// signature line of that key verifies (the note was changed or signed by another key).
absl::StatusOr<Checkpoint> VerifyCheckpoint(const std::string& note,
                                            const std::string& verifier_key);

// A checkpoint note signed by several keys (cluster mode's co-signed checkpoints): OK
// when at least `threshold` (>= 1) of `verifier_keys` (distinct keys) signed it.
// DATA_LOSS with how many did otherwise; INVALID_ARGUMENT for a malformed note or key.
absl::StatusOr<Checkpoint> VerifyCosignedCheckpoint(
    const std::string& note, const std::vector<std::string>& verifier_keys,
    size_t threshold);

}  // namespace agreements::note

#endif  // AGREEMENTS_COMMON_SIGNED_NOTE_H_
