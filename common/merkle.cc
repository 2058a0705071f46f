#include "common/merkle.h"

#include "absl/strings/str_cat.h"

namespace agreements::merkle {
namespace {

absl::string_view View(const Hash& hash) {
  return absl::string_view(reinterpret_cast<const char*>(hash.data()), hash.size());
}

// Number of bits needed to write n (0 for 0).
int BitLength(uint64_t n) {
  int bits = 0;
  while (n != 0) {
    ++bits;
    n >>= 1;
  }
  return bits;
}

int PopCount(uint64_t n) {
  int count = 0;
  for (; n != 0; n &= n - 1) ++count;
  return count;
}

int TrailingZeros(uint64_t n) {
  int count = 0;
  while (n != 0 && (n & 1) == 0) {
    ++count;
    n >>= 1;
  }
  return count;
}

// n >> bits, also for bits = 64 (where >> is undefined): the proof sizes below shift by
// the bit length of a tree size, which is 64 for sizes above 2^63 (found by
// common/fuzz/proofs_fuzz.cc).
uint64_t ShiftRight(uint64_t n, int bits) { return bits >= 64 ? 0 : n >> bits; }

absl::Status Mismatch(absl::string_view what) {
  return absl::DataLossError(absl::StrCat(what, ": the proof does not lead to the root"));
}

}  // namespace

Hash LeafHash(absl::string_view leaf) {
  Sha256 hasher;
  const char prefix = 0x00;
  hasher.Update(absl::string_view(&prefix, 1));
  hasher.Update(leaf);
  return hasher.Finish();
}

Hash NodeHash(const Hash& left, const Hash& right) {
  Sha256 hasher;
  const char prefix = 0x01;
  hasher.Update(absl::string_view(&prefix, 1));
  hasher.Update(View(left));
  hasher.Update(View(right));
  return hasher.Finish();
}

Hash EmptyRoot() { return Sha256::Hash(""); }

uint64_t SplitPoint(uint64_t n) {
  // Compared with (n - 1) / 2, not k << 1 with n: above 2^63, k << 1 wraps to 0 and the
  // loop never ended (found by common/fuzz/proofs_fuzz.cc).
  uint64_t k = 1;
  while (k <= (n - 1) / 2) k <<= 1;
  return k;
}

// RFC 9162 section 2.1.3.2, with the inner/border split of the proof (the border part
// runs along the right edge of the tree, where subtrees may be incomplete).
absl::Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                             const std::vector<Hash>& proof, const Hash& root) {
  if (index >= size) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf index ", index, " is not below the tree size ", size));
  }
  const int inner = BitLength(index ^ (size - 1));
  const int border = PopCount(ShiftRight(index, inner));
  if (proof.size() != static_cast<size_t>(inner + border)) {
    return absl::InvalidArgumentError(
        absl::StrCat("an inclusion proof at size ", size, " for leaf ", index, " has ",
                     inner + border, " hashes, not ", proof.size()));
  }
  Hash hash = leaf_hash;
  for (int i = 0; i < inner; ++i) {
    hash = ((index >> i) & 1) == 0 ? NodeHash(hash, proof[i]) : NodeHash(proof[i], hash);
  }
  for (int i = inner; i < inner + border; ++i) hash = NodeHash(proof[i], hash);
  if (hash != root) return Mismatch("inclusion");
  return absl::OkStatus();
}

// RFC 9162 section 2.1.4.2.
absl::Status VerifyConsistency(uint64_t size1, uint64_t size2, const Hash& root1,
                               const Hash& root2, const std::vector<Hash>& proof) {
  if (size2 < size1) {
    return absl::InvalidArgumentError(
        absl::StrCat("size1 ", size1, " is greater than size2 ", size2));
  }
  if (size1 == 0) {
    // Every tree extends the empty tree: such a "proof" proves nothing and is refused.
    return absl::InvalidArgumentError("a consistency proof from size 0 proves nothing");
  }
  if (size1 == size2) {
    if (!proof.empty()) {
      return absl::InvalidArgumentError("equal sizes need an empty consistency proof");
    }
    if (root1 != root2) return Mismatch("consistency (equal sizes, different roots)");
    return absl::OkStatus();
  }
  // Leaves 0 .. size1-1 of the old tree; walk from the last old leaf.
  const int inner = BitLength((size1 - 1) ^ (size2 - 1));
  const int shift = TrailingZeros(size1);
  const uint64_t index = (size1 - 1) >> shift;
  const int inner_after_shift = inner - shift;
  // If size1 is a power of two (the old tree is a complete subtree), its root is the
  // starting hash and is not repeated in the proof.
  const bool seeded = index == 0;
  const size_t expected =
      (seeded ? 0 : 1) + static_cast<size_t>(inner_after_shift) +
      static_cast<size_t>(PopCount(ShiftRight(index, inner_after_shift)));
  if (proof.size() != expected) {
    return absl::InvalidArgumentError(absl::StrCat("a consistency proof from ", size1,
                                                   " to ", size2, " has ", expected,
                                                   " hashes, not ", proof.size()));
  }
  size_t next = 0;
  Hash hash1 = seeded ? root1 : proof[next++];
  Hash hash2 = hash1;
  for (int i = 0; i < inner_after_shift; ++i) {
    const Hash& sibling = proof[next++];
    if (((index >> i) & 1) == 1) {
      hash1 = NodeHash(sibling, hash1);
      hash2 = NodeHash(sibling, hash2);
    } else {
      hash2 = NodeHash(hash2, sibling);
    }
  }
  for (; next < proof.size(); ++next) {  // the border, along the right edge
    hash1 = NodeHash(proof[next], hash1);
    hash2 = NodeHash(proof[next], hash2);
  }
  if (hash1 != root1) return Mismatch("consistency (old root)");
  if (hash2 != root2) return Mismatch("consistency (new root)");
  return absl::OkStatus();
}

absl::StatusOr<Hash> HashFromBytes(absl::string_view bytes, absl::string_view what) {
  Hash hash;
  if (bytes.size() != hash.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": a hash is 32 bytes, not ", bytes.size()));
  }
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(hash.data()));
  return hash;
}

absl::StatusOr<std::vector<Hash>> ProofFromBytes(const std::vector<std::string>& proof) {
  std::vector<Hash> hashes;
  for (size_t i = 0; i < proof.size(); ++i) {
    auto hash = HashFromBytes(proof[i], absl::StrCat("proof[", i, "]"));
    if (!hash.ok()) return hash.status();
    hashes.push_back(*hash);
  }
  return hashes;
}

absl::Status VerifyInclusionBytes(uint64_t index, uint64_t size,
                                  absl::string_view leaf_hash,
                                  const std::vector<std::string>& proof,
                                  absl::string_view root) {
  auto leaf = HashFromBytes(leaf_hash, "leaf hash");
  if (!leaf.ok()) return leaf.status();
  auto root_hash = HashFromBytes(root, "root");
  if (!root_hash.ok()) return root_hash.status();
  auto hashes = ProofFromBytes(proof);
  if (!hashes.ok()) return hashes.status();
  return VerifyInclusion(index, size, *leaf, *hashes, *root_hash);
}

absl::Status VerifyConsistencyBytes(uint64_t size1, uint64_t size2,
                                    absl::string_view root1, absl::string_view root2,
                                    const std::vector<std::string>& proof) {
  if (size1 != 0 && size1 == size2 && proof.empty()) {
    if (root1 != root2) return Mismatch("consistency (equal sizes, different roots)");
    return absl::OkStatus();
  }
  auto hash1 = HashFromBytes(root1, "root1");
  if (!hash1.ok()) return hash1.status();
  auto hash2 = HashFromBytes(root2, "root2");
  if (!hash2.ok()) return hash2.status();
  auto hashes = ProofFromBytes(proof);
  if (!hashes.ok()) return hashes.status();
  return VerifyConsistency(size1, size2, *hash1, *hash2, *hashes);
}

}  // namespace agreements::merkle
