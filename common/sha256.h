// SHA-256 (FIPS 180-4), used for request fingerprints and, later, the Merkle tree.
#ifndef AGREEMENTS_COMMON_SHA256_H_
#define AGREEMENTS_COMMON_SHA256_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace agreements {

using Sha256Digest = std::array<uint8_t, 32>;

// Incremental hasher. Not thread-safe; cheap to create.
class Sha256 {
 public:
  Sha256();
  void Update(absl::string_view data);
  // Finishes the hash; the object must not be used afterwards.
  Sha256Digest Finish();

  static Sha256Digest Hash(absl::string_view data);

 private:
  void Compress(const uint8_t* block);

  uint32_t state_[8];
  uint8_t buffer_[64];
  size_t buffer_len_ = 0;
  uint64_t total_len_ = 0;
};

// Lowercase hex of a digest.
std::string DigestHex(const Sha256Digest& digest);

}  // namespace agreements

#endif  // AGREEMENTS_COMMON_SHA256_H_
