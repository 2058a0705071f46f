// Fuzz target of the proofs a verifier takes from an untrusted server: Merkle inclusion
// and consistency proofs (common/merkle.h) and stream completeness proofs
// (common/completeness.h).
//
// The first byte picks a mode (FuzzInput::Choice):
//   '0' inclusion proof from raw bytes        '1' consistency proof from raw bytes
//   '2' a tree built from the bytes, with its proofs, and claims from the bytes
//   '3' a stream, its events and a stream-head map built from the bytes, signed with
//       the fixed key
// Whole audit bundles from untrusted bytes, whose checks call these, are
// audit_bundle_fuzz's.
// Properties: verification never crashes and answers OK, INVALID_ARGUMENT or DATA_LOSS;
// malformed hashes are INVALID_ARGUMENT; on well-formed hashes the answer agrees with
// the verification algorithms of RFC 9162 (written out below, independently); proofs
// computed from a tree (RFC 9162 PATH and PROOF) verify, and changing one bit of a leaf
// hash, root or proof hash makes them fail; a completeness proof built from the bytes
// verifies, and a changed, missing or reordered event, a changed map leaf or map proof
// make it fail.
#include <cstdint>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "agreements/v1/events.pb.h"
#include "common/completeness.h"
#include "common/fuzz/fuzz_input.h"
#include "common/merkle.h"
#include "common/sha256.h"
#include "common/signed_note.h"
#include "google/protobuf/stubs/logging.h"

namespace agreements {
namespace {

namespace v1 = ::agreements::v1;
using fuzz::Describe;
using fuzz::FuzzInput;
using merkle::Hash;
using merkle::LeafHash;
using merkle::NodeHash;

constexpr char kFixedKeyName[] = "agreements.fuzz";
constexpr char kFixedSeed[] = "agreements fuzz signing key 0001";  // 32 bytes

const note::NoteSigner& FixedSigner() {
  static const note::NoteSigner* const signer = new note::NoteSigner(
      *note::NoteSigner::FromSeed(kFixedKeyName, std::string(kFixedSeed, 32)));
  return *signer;
}

std::string Bytes(const Hash& hash) {
  return std::string(reinterpret_cast<const char*>(hash.data()), hash.size());
}

Hash ToHash(const std::string& bytes) {
  Hash hash{};
  std::copy(bytes.begin(), bytes.begin() + std::min(bytes.size(), hash.size()),
            hash.begin());
  return hash;
}

void CheckCode(const absl::Status& status) {
  FUZZ_CHECK(status.ok() || absl::IsInvalidArgument(status) || absl::IsDataLoss(status),
             Describe(status));
}

void FlipBit(Hash& hash, FuzzInput& input) {
  hash[input.Byte() % hash.size()] ^= static_cast<uint8_t>(1 << (input.Byte() % 8));
}

// ---- RFC 9162, written out as the RFC gives it (the oracle) ----

// The largest power of two smaller than n (n >= 2).
uint64_t LargestPowerOfTwoBelow(uint64_t n) {
  uint64_t k = 1;
  while (k <= (n - 1) / 2) k *= 2;
  return k;
}

// MTH(D[begin:end]) over leaf hashes (section 2.1.1).
Hash TreeHash(const std::vector<Hash>& leaves, size_t begin, size_t end) {
  if (begin == end) return Sha256::Hash("");
  if (end - begin == 1) return leaves[begin];
  const size_t k = LargestPowerOfTwoBelow(end - begin);
  return NodeHash(TreeHash(leaves, begin, begin + k), TreeHash(leaves, begin + k, end));
}

// PATH(m, D[begin:end]) (section 2.1.3.1), m relative to begin.
void InclusionPath(const std::vector<Hash>& leaves, size_t begin, size_t end, size_t m,
                   std::vector<Hash>& path) {
  if (end - begin <= 1) return;
  const size_t k = LargestPowerOfTwoBelow(end - begin);
  if (m < k) {
    InclusionPath(leaves, begin, begin + k, m, path);
    path.push_back(TreeHash(leaves, begin + k, end));
  } else {
    InclusionPath(leaves, begin + k, end, m - k, path);
    path.push_back(TreeHash(leaves, begin, begin + k));
  }
}

// SUBPROOF(m, D[begin:end], b) (section 2.1.4.1).
void ConsistencyPath(const std::vector<Hash>& leaves, size_t begin, size_t end, size_t m,
                     bool whole, std::vector<Hash>& path) {
  if (m == end - begin) {
    if (!whole) path.push_back(TreeHash(leaves, begin, end));
    return;
  }
  const size_t k = LargestPowerOfTwoBelow(end - begin);
  if (m <= k) {
    ConsistencyPath(leaves, begin, begin + k, m, whole, path);
    path.push_back(TreeHash(leaves, begin + k, end));
  } else {
    ConsistencyPath(leaves, begin + k, end, m - k, false, path);
    path.push_back(TreeHash(leaves, begin, begin + k));
  }
}

// Right-shifts fn and sn until fn's lowest bit is set or fn is 0.
void ShiftToSetBit(uint64_t& fn, uint64_t& sn) {
  while ((fn & 1) == 0 && fn != 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

// Section 2.1.3.2.
bool RfcVerifiesInclusion(uint64_t index, uint64_t size, const Hash& leaf,
                          const std::vector<Hash>& proof, const Hash& root) {
  if (index >= size) return false;
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash r = leaf;
  for (const Hash& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) == 1 || fn == sn) {
      r = NodeHash(p, r);
      ShiftToSetBit(fn, sn);
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

// Section 2.1.4.2, with the cases the RFC leaves to the caller: equal sizes need an
// empty proof and equal roots; a proof from size 0 proves nothing.
bool RfcVerifiesConsistency(uint64_t size1, uint64_t size2, const Hash& root1,
                            const Hash& root2, std::vector<Hash> proof) {
  if (size1 == 0 || size1 > size2) return false;
  if (size1 == size2) return proof.empty() && root1 == root2;
  if (proof.empty()) return false;
  if ((size1 & (size1 - 1)) == 0) proof.insert(proof.begin(), root1);
  uint64_t fn = size1 - 1;
  uint64_t sn = size2 - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = proof[0];
  Hash sr = proof[0];
  for (size_t i = 1; i < proof.size(); ++i) {
    if (sn == 0) return false;
    if ((fn & 1) == 1 || fn == sn) {
      fr = NodeHash(proof[i], fr);
      sr = NodeHash(proof[i], sr);
      ShiftToSetBit(fn, sn);
    } else {
      sr = NodeHash(sr, proof[i]);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == root1 && sr == root2 && sn == 0;
}

// ---- '0' and '1': proofs from raw bytes ----

// 32 bytes, or (after a 0xff byte) a length byte and that many bytes.
std::string HashBytesFrom(FuzzInput& input) {
  return input.Byte() == 0xff ? input.String() : input.Bytes(32);
}

std::vector<std::string> ProofBytesFrom(FuzzInput& input) {
  std::vector<std::string> proof(input.Byte());
  for (std::string& hash : proof) hash = HashBytesFrom(input);
  return proof;
}

bool AllHashes(const std::vector<std::string>& values) {
  for (const std::string& value : values) {
    if (value.size() != 32) return false;
  }
  return true;
}

std::vector<Hash> ToHashes(const std::vector<std::string>& values) {
  std::vector<Hash> hashes;
  for (const std::string& value : values) hashes.push_back(ToHash(value));
  return hashes;
}

void FuzzRawInclusion(FuzzInput& input) {
  const uint64_t index = input.Number();
  const uint64_t size = input.Number();
  const std::string leaf = HashBytesFrom(input);
  const std::string root = HashBytesFrom(input);
  const std::vector<std::string> proof = ProofBytesFrom(input);
  const absl::Status status =
      merkle::VerifyInclusionBytes(index, size, leaf, proof, root);
  CheckCode(status);
  if (!AllHashes({leaf, root}) || !AllHashes(proof)) {
    FUZZ_CHECK(absl::IsInvalidArgument(status), Describe(status));
    return;
  }
  const bool rfc =
      RfcVerifiesInclusion(index, size, ToHash(leaf), ToHashes(proof), ToHash(root));
  FUZZ_CHECK(status.ok() == rfc,
             absl::StrCat(Describe(status), "; RFC 9162: ", rfc, "; index ", index,
                          " size ", size, " proof of ", proof.size()));
}

void FuzzRawConsistency(FuzzInput& input) {
  const uint64_t size1 = input.Number();
  const uint64_t size2 = input.Number();
  const std::string root1 = HashBytesFrom(input);
  const std::string root2 = HashBytesFrom(input);
  const std::vector<std::string> proof = ProofBytesFrom(input);
  const absl::Status status =
      merkle::VerifyConsistencyBytes(size1, size2, root1, root2, proof);
  CheckCode(status);
  const std::string details = absl::StrCat(Describe(status), "; sizes ", size1, " ",
                                           size2, " proof of ", proof.size());
  if (size1 != 0 && size1 == size2 && proof.empty()) {
    // Equal sizes: the roots are compared as given (merkle.h).
    FUZZ_CHECK(status.ok() == (root1 == root2), details);
    return;
  }
  if (!AllHashes({root1, root2}) || !AllHashes(proof)) {
    FUZZ_CHECK(absl::IsInvalidArgument(status), details);
    return;
  }
  const bool rfc =
      RfcVerifiesConsistency(size1, size2, ToHash(root1), ToHash(root2), ToHashes(proof));
  FUZZ_CHECK(status.ok() == rfc, absl::StrCat(details, "; RFC 9162: ", rfc));
}

// ---- '2': a tree built from the bytes ----

struct Claims {
  uint64_t index = 0;
  uint64_t size = 0;
  uint64_t size1 = 0;
  uint64_t size2 = 0;
};

void CheckInclusion(const std::vector<Hash>& leaves, uint64_t index, const Claims& claims,
                    FuzzInput& input) {
  const uint64_t size = leaves.size();
  std::vector<Hash> proof;
  InclusionPath(leaves, 0, leaves.size(), index, proof);
  const Hash root = TreeHash(leaves, 0, leaves.size());
  const std::string details = absl::StrCat("leaf ", index, " of ", size);
  absl::Status status = merkle::VerifyInclusion(index, size, leaves[index], proof, root);
  FUZZ_CHECK(status.ok(), absl::StrCat(Describe(status), "; ", details));
  FUZZ_CHECK(RfcVerifiesInclusion(index, size, leaves[index], proof, root), details);
  std::vector<std::string> proof_bytes;
  for (const Hash& hash : proof) proof_bytes.push_back(Bytes(hash));
  status = merkle::VerifyInclusionBytes(index, size, Bytes(leaves[index]), proof_bytes,
                                        Bytes(root));
  FUZZ_CHECK(status.ok(), absl::StrCat(Describe(status), "; ", details));

  // One bit changed in the leaf hash, the root or one proof hash.
  Hash leaf = leaves[index];
  Hash changed_root = root;
  std::vector<Hash> changed_proof = proof;
  const uint64_t target = input.Below(proof.size() + 2);
  FlipBit(target == 0   ? leaf
          : target == 1 ? changed_root
                        : changed_proof[target - 2],
          input);
  status = merkle::VerifyInclusion(index, size, leaf, changed_proof, changed_root);
  FUZZ_CHECK(absl::IsDataLoss(status),
             absl::StrCat(Describe(status), "; ", details, ", changed ", target));

  // The true proof against claimed positions: the same answer as the RFC's algorithm.
  status = merkle::VerifyInclusion(claims.index, claims.size, leaves[index], proof, root);
  CheckCode(status);
  const bool rfc =
      RfcVerifiesInclusion(claims.index, claims.size, leaves[index], proof, root);
  FUZZ_CHECK(status.ok() == rfc,
             absl::StrCat(Describe(status), "; RFC 9162: ", rfc, "; ", details,
                          " claimed as ", claims.index, " of ", claims.size));
}

void CheckConsistency(const std::vector<Hash>& leaves, uint64_t size1,
                      const Claims& claims, FuzzInput& input) {
  const uint64_t size2 = leaves.size();
  std::vector<Hash> proof;
  if (size1 < size2) ConsistencyPath(leaves, 0, leaves.size(), size1, true, proof);
  const Hash root1 = TreeHash(leaves, 0, size1);
  const Hash root2 = TreeHash(leaves, 0, size2);
  const std::string details = absl::StrCat("from ", size1, " to ", size2);
  absl::Status status = merkle::VerifyConsistency(size1, size2, root1, root2, proof);
  FUZZ_CHECK(status.ok(), absl::StrCat(Describe(status), "; ", details));
  FUZZ_CHECK(RfcVerifiesConsistency(size1, size2, root1, root2, proof), details);

  Hash changed_root1 = root1;
  Hash changed_root2 = root2;
  std::vector<Hash> changed_proof = proof;
  const uint64_t target = input.Below(proof.size() + 2);
  FlipBit(target == 0   ? changed_root1
          : target == 1 ? changed_root2
                        : changed_proof[target - 2],
          input);
  status = merkle::VerifyConsistency(size1, size2, changed_root1, changed_root2,
                                     changed_proof);
  FUZZ_CHECK(absl::IsDataLoss(status),
             absl::StrCat(Describe(status), "; ", details, ", changed ", target));

  status = merkle::VerifyConsistency(claims.size1, claims.size2, root1, root2, proof);
  CheckCode(status);
  const bool rfc =
      RfcVerifiesConsistency(claims.size1, claims.size2, root1, root2, proof);
  FUZZ_CHECK(status.ok() == rfc,
             absl::StrCat(Describe(status), "; RFC 9162: ", rfc, "; ", details,
                          " claimed as from ", claims.size1, " to ", claims.size2));
}

void CheckSplitPoint(uint64_t n) {
  if (n < 2) return;
  const uint64_t k = merkle::SplitPoint(n);
  FUZZ_CHECK(k == LargestPowerOfTwoBelow(n), absl::StrCat("SplitPoint(", n, ") = ", k));
}

void FuzzBuiltTree(FuzzInput& input) {
  const size_t count = 1 + input.Byte();
  const uint64_t index = input.Below(count);
  const uint64_t size1 = 1 + input.Below(count);
  Claims claims;
  claims.index = input.Number();
  claims.size = input.Number();
  claims.size1 = input.Number();
  claims.size2 = input.Number();
  CheckSplitPoint(input.Number());
  // Flip positions come before the leaves, so they stay put when leaves change.
  const std::string flips = input.Bytes(32);
  std::vector<Hash> leaves;
  for (size_t i = 0; i < count; ++i) {
    const std::string leaf = input.String();
    const Hash hash = LeafHash(leaf);
    FUZZ_CHECK(hash == Sha256::Hash(std::string(1, '\0') + leaf), "RFC 9162 leaf hash");
    leaves.push_back(hash);
  }
  CheckSplitPoint(count);
  FuzzInput flip_input(reinterpret_cast<const uint8_t*>(flips.data()), flips.size());
  CheckInclusion(leaves, index, claims, flip_input);
  CheckConsistency(leaves, size1, claims, flip_input);
}

// ---- '3': a completeness proof built from the bytes ----

std::string BigEndian(uint64_t value) {
  std::string bytes(8, '\0');
  for (int i = 7; i >= 0; --i, value >>= 8) bytes[i] = static_cast<char>(value & 0xff);
  return bytes;
}

// Text for the events' string fields (ids, event types): the server writes valid UTF-8,
// and protobuf refuses to parse a string field that is not.
std::string TextFrom(FuzzInput& input) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789-._";
  std::string text = input.String();
  for (char& c : text) c = kAlphabet[static_cast<uint8_t>(c) % (sizeof(kAlphabet) - 1)];
  return text;
}

// The stream's events (revisions 1..n, chained) and the checkpoint's tree size.
std::pair<std::vector<std::string>, uint64_t> EventsFrom(FuzzInput& input,
                                                         v1::StreamType type,
                                                         const std::string& id) {
  const int count = 1 + input.Byte() % 8;
  std::vector<std::string> events;
  std::string previous;
  uint64_t position = 0;
  for (int i = 0; i < count; ++i) {
    position += 1 + input.Byte() % 4;
    v1::Event event;
    v1::EventEnvelope& envelope = *event.mutable_envelope();
    envelope.set_position(position);
    envelope.set_stream_type(type);
    envelope.set_stream_id(id);
    envelope.set_revision(i + 1);
    envelope.set_event_type(TextFrom(input));
    envelope.set_previous_event_hash(previous);
    events.push_back(event.SerializeAsString());
    previous = Bytes(LeafHash(events.back()));
  }
  return {events, position + input.Byte() % 4};
}

// Builds a map around the stream's leaf and returns its root; fills the proof's map
// fields.
Hash MapFrom(FuzzInput& input, const std::string& leaf, audit::CompletenessProof& proof,
             uint64_t& count) {
  count = 1 + input.Byte();
  proof.map_index = input.Below(count);
  std::vector<Hash> leaves;
  for (uint64_t i = 0; i < count; ++i) {
    leaves.push_back(LeafHash(i == proof.map_index ? leaf : input.String()));
  }
  std::vector<Hash> path;
  InclusionPath(leaves, 0, leaves.size(), proof.map_index, path);
  for (const Hash& hash : path) proof.map_proof.push_back(Bytes(hash));
  proof.map_leaf = leaf;
  return TreeHash(leaves, 0, leaves.size());
}

void CheckFails(const audit::CompletenessProof& proof, v1::StreamType type,
                const std::string& id, const std::string& what) {
  const absl::Status status =
      audit::VerifyCompleteness(proof, FixedSigner().VerifierKey(), type, id);
  FUZZ_CHECK(absl::IsDataLoss(status) || absl::IsInvalidArgument(status),
             absl::StrCat(what, ": ", Describe(status)));
}

void FuzzBuiltCompleteness(FuzzInput& input) {
  const v1::StreamType type =
      input.Bool() ? v1::STREAM_TYPE_AGREEMENT : v1::STREAM_TYPE_PARTY;
  const std::string id = TextFrom(input);
  const std::string flips = input.Bytes(16);
  audit::CompletenessProof proof;
  uint64_t tree_size = 0;
  std::tie(proof.events, tree_size) = EventsFrom(input, type, id);
  std::string leaf(1, static_cast<char>(type));
  absl::StrAppend(&leaf, id, std::string(1, '\0'), BigEndian(proof.events.size()),
                  Bytes(LeafHash(proof.events.back())));
  note::Checkpoint checkpoint;
  checkpoint.origin = "agreements.fuzz/log";
  checkpoint.size = tree_size;
  checkpoint.has_stream_map = true;
  checkpoint.stream_map_root = MapFrom(input, leaf, proof, checkpoint.stream_count);
  absl::StatusOr<std::string> note = FixedSigner().Sign(note::CheckpointBody(checkpoint));
  FUZZ_CHECK(note.ok(), Describe(note.status()));
  proof.checkpoint_note = *note;
  const std::string key = FixedSigner().VerifierKey();
  const absl::Status status = audit::VerifyCompleteness(proof, key, type, id);
  FUZZ_CHECK(status.ok(), absl::StrCat(Describe(status), "; ", proof.events.size(),
                                       " events, map of ", checkpoint.stream_count));

  FuzzInput choose(reinterpret_cast<const uint8_t*>(flips.data()), flips.size());
  audit::CompletenessProof changed = proof;
  std::string& event = changed.events[choose.Below(changed.events.size())];
  event[choose.Below(event.size())] ^= static_cast<char>(1 << (choose.Byte() % 8));
  CheckFails(changed, type, id, "a changed event");
  changed = proof;
  changed.events.pop_back();
  CheckFails(changed, type, id, "the last event left out");
  changed = proof;
  changed.events.erase(changed.events.begin());
  CheckFails(changed, type, id, "the first event left out");
  if (proof.events.size() >= 2) {
    changed = proof;
    std::swap(changed.events[0], changed.events[1]);
    CheckFails(changed, type, id, "two events swapped");
  }
  changed = proof;
  changed.map_leaf[choose.Below(leaf.size())] ^=
      static_cast<char>(1 << (choose.Byte() % 8));
  CheckFails(changed, type, id, "a changed map leaf");
  if (!proof.map_proof.empty()) {
    changed = proof;
    std::string& hash = changed.map_proof[choose.Below(changed.map_proof.size())];
    hash[choose.Byte() % 32] ^= static_cast<char>(1 << (choose.Byte() % 8));
    CheckFails(changed, type, id, "a changed map proof");
  }
  CheckFails(proof, type, id + "x", "another stream");
}

}  // namespace
}  // namespace agreements

// Protobuf logs each string field with invalid UTF-8 it refuses to parse; the fuzzer
// makes many.
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  agreements::fuzz::FuzzInput input(data, size);
  switch (input.Choice(4)) {
    case 0:
      agreements::FuzzRawInclusion(input);
      break;
    case 1:
      agreements::FuzzRawConsistency(input);
      break;
    case 2:
      agreements::FuzzBuiltTree(input);
      break;
    default:
      agreements::FuzzBuiltCompleteness(input);
      break;
  }
  return 0;
}
