// SHA-256 (FIPS 180-4), used for request fingerprints and the Merkle trees. Computed by
// OpenSSL's libcrypto, which uses the CPU's SHA extensions where present: every event is
// hashed at least once on the commit path and again by each verification.
#ifndef AGREEMENTS_COMMON_SHA256_H_
#define AGREEMENTS_COMMON_SHA256_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace agreements {

using Sha256Digest = std::array<uint8_t, 32>;

// Incremental hasher. Not thread-safe; cheap to create; movable, not copyable.
class Sha256 {
 public:
  Sha256();
  void Update(absl::string_view data);
  // Finishes the hash; the object must not be used afterwards.
  Sha256Digest Finish();

  static Sha256Digest Hash(absl::string_view data);

 private:
  struct ContextDeleter {
    void operator()(evp_md_ctx_st* context) const;
  };
  std::unique_ptr<evp_md_ctx_st, ContextDeleter> context_;
};

// Lowercase hex of a digest.
std::string DigestHex(const Sha256Digest& digest);

}  // namespace agreements

#endif  // AGREEMENTS_COMMON_SHA256_H_
