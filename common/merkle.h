// The RFC 9162 (Certificate Transparency v2) Merkle tree: hashing and proof
// verification. Pure functions, no I/O; used by the store (to maintain the tree), by
// clients and by offline verifiers.
//
//   leaf hash  = SHA-256(0x00 || leaf bytes)
//   node hash  = SHA-256(0x01 || left || right)
//   MTH({})    = SHA-256("")
//
// Leaves are the exact stored event bytes, in global position order (leaf index =
// position - 1). docs/audit.md specifies the formats.
#ifndef AGREEMENTS_COMMON_MERKLE_H_
#define AGREEMENTS_COMMON_MERKLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/sha256.h"

namespace agreements::merkle {

using Hash = Sha256Digest;

Hash LeafHash(absl::string_view leaf);
Hash NodeHash(const Hash& left, const Hash& right);
Hash EmptyRoot();

// The largest power of two smaller than n (n >= 2): where RFC 9162 splits a range of n
// leaves.
uint64_t SplitPoint(uint64_t n);

// Verifies that `leaf_hash` is leaf `index` of the tree of `size` leaves with `root`.
// INVALID_ARGUMENT for malformed input (index >= size, wrong proof length); DATA_LOSS
// when the proof does not lead to the root.
absl::Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                             const std::vector<Hash>& proof, const Hash& root);

// Verifies that the tree of `size2` leaves with `root2` extends the tree of `size1`
// leaves with `root1`. Same error codes.
absl::Status VerifyConsistency(uint64_t size1, uint64_t size2, const Hash& root1,
                               const Hash& root2, const std::vector<Hash>& proof);

// Untrusted input: bytes that must be exactly one hash (INVALID_ARGUMENT naming `what`
// otherwise), and a proof as byte strings.
absl::StatusOr<Hash> HashFromBytes(absl::string_view bytes, absl::string_view what);
absl::StatusOr<std::vector<Hash>> ProofFromBytes(const std::vector<std::string>& proof);

// The same checks on raw bytes, as a verifier receives them: malformed hashes are
// INVALID_ARGUMENT. For equal sizes the roots are compared as given.
absl::Status VerifyInclusionBytes(uint64_t index, uint64_t size,
                                  absl::string_view leaf_hash,
                                  const std::vector<std::string>& proof,
                                  absl::string_view root);
absl::Status VerifyConsistencyBytes(uint64_t size1, uint64_t size2,
                                    absl::string_view root1, absl::string_view root2,
                                    const std::vector<std::string>& proof);

}  // namespace agreements::merkle

#endif  // AGREEMENTS_COMMON_MERKLE_H_
