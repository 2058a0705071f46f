// Fuzz target of the signed checkpoint notes (common/signed_note.h), which clients and
// offline verifiers read from servers they need not trust.
//
// The first byte picks a mode (FuzzInput::Choice, so a text seed starts with a digit):
//   '0' <note>                         verified with the fixed key below
//   '1' <verifier key>\n<note>         verified with the key the input gives
//   '2' <k><key>\n...<threshold><note> k keys ("*" stands for the fixed key), co-signed
//   '3' <values>                       a checkpoint made from the bytes, signed, verified
// Properties: verification never crashes and answers OK, INVALID_ARGUMENT or DATA_LOSS;
// a malformed key is INVALID_ARGUMENT before the note is looked at; what verifies
// verifies the same way co-signed, and its checkpoint signed again verifies to the same
// values; a co-signed note counts signers (public keys), not key texts or names; a note
// signed from values verifies to those values, and changing one bit of its body or
// signature makes it fail.
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/fuzz/fuzz_input.h"
#include "common/signed_note.h"

namespace agreements::note {
namespace {

using fuzz::Describe;
using fuzz::FuzzInput;

constexpr char kFixedKeyName[] = "agreements.fuzz";
constexpr char kFixedSeed[] = "agreements fuzz signing key 0001";  // 32 bytes
constexpr char kEmDash[] = "\xe2\x80\x94";

const NoteSigner& FixedSigner() {
  static const NoteSigner* const signer =
      new NoteSigner(*NoteSigner::FromSeed(kFixedKeyName, std::string(kFixedSeed, 32)));
  return *signer;
}

const std::string& FixedKey() {
  static const std::string* const key = new std::string(FixedSigner().VerifierKey());
  return *key;
}

std::string Show(const Checkpoint& c) {
  return absl::StrCat("origin=\"", absl::CHexEscape(c.origin), "\" size=", c.size,
                      " map=", c.has_stream_map, " count=", c.stream_count);
}

bool SameCheckpoint(const Checkpoint& a, const Checkpoint& b) {
  if (a.origin != b.origin || a.size != b.size || a.root != b.root ||
      a.has_stream_map != b.has_stream_map) {
    return false;
  }
  return !a.has_stream_map ||
         (a.stream_count == b.stream_count && a.stream_map_root == b.stream_map_root);
}

void CheckCode(const absl::Status& status) {
  FUZZ_CHECK(status.ok() || absl::IsInvalidArgument(status) || absl::IsDataLoss(status),
             Describe(status));
}

// The checkpoint of a verified note, signed again by the fixed key, verifies to the
// same values.
void CheckSignsAgain(const Checkpoint& checkpoint) {
  if (checkpoint.origin.find('\n') != std::string::npos) return;
  absl::StatusOr<std::string> note = FixedSigner().Sign(CheckpointBody(checkpoint));
  FUZZ_CHECK(note.ok(), Describe(note.status()));
  absl::StatusOr<Checkpoint> again = VerifyCheckpoint(*note, FixedKey());
  FUZZ_CHECK(again.ok(), absl::StrCat(Describe(again.status()), "\n", *note));
  FUZZ_CHECK(SameCheckpoint(*again, checkpoint),
             absl::StrCat(Show(*again), " vs ", Show(checkpoint)));
}

// A note that verifies with `key` verifies the same when that key alone co-signs it.
void CheckVerified(const std::string& note, const std::string& key,
                   const Checkpoint& checkpoint) {
  absl::StatusOr<Checkpoint> cosigned = VerifyCosignedCheckpoint(note, {key}, 1);
  FUZZ_CHECK(cosigned.ok(), Describe(cosigned.status()));
  FUZZ_CHECK(SameCheckpoint(*cosigned, checkpoint),
             absl::StrCat(Show(*cosigned), " vs ", Show(checkpoint)));
  CheckSignsAgain(checkpoint);
}

void FuzzFixedKey(FuzzInput& input) {
  const std::string note = input.Rest();
  absl::StatusOr<Checkpoint> checkpoint = VerifyCheckpoint(note, FixedKey());
  CheckCode(checkpoint.status());
  if (checkpoint.ok()) CheckVerified(note, FixedKey(), *checkpoint);
}

void FuzzGivenKey(FuzzInput& input) {
  const std::string key = input.Line();
  const std::string note = input.Rest();
  const absl::Status key_status = CheckVerifierKey(key);
  absl::StatusOr<Checkpoint> checkpoint = VerifyCheckpoint(note, key);
  CheckCode(key_status);
  CheckCode(checkpoint.status());
  if (!key_status.ok()) {
    FUZZ_CHECK(checkpoint.status() == key_status,
               absl::StrCat(Describe(checkpoint.status()), " vs ", Describe(key_status)));
    return;
  }
  FUZZ_CHECK(!absl::StartsWith(checkpoint.status().message(), "verifier key"),
             Describe(checkpoint.status()));
  if (checkpoint.ok()) CheckVerified(note, key, *checkpoint);
}

// Who a verifier key names: its Ed25519 public key (its text when malformed). One key
// spelled twice ("K" and "K ", base64 skips whitespace) or under two names is one
// signer.
std::string SignerOf(const std::string& key) {
  std::vector<std::string> parts = absl::StrSplit(key, absl::MaxSplits('+', 2));
  std::string raw;
  if (parts.size() != 3 || !absl::Base64Unescape(parts[2], &raw) || raw.size() != 33) {
    return key;
  }
  return raw.substr(1);
}

void FuzzCosigned(FuzzInput& input) {
  std::vector<std::string> keys(input.Choice(5));
  std::set<std::string> signers_given;
  for (std::string& key : keys) {
    key = input.Line();
    if (key == "*") key = FixedKey();
    signers_given.insert(SignerOf(key));
  }
  const size_t threshold = input.Choice(6);
  const std::string note = input.Rest();
  absl::StatusOr<Checkpoint> cosigned = VerifyCosignedCheckpoint(note, keys, threshold);
  CheckCode(cosigned.status());
  if (threshold == 0 || threshold > keys.size() || signers_given.size() != keys.size()) {
    FUZZ_CHECK(absl::IsInvalidArgument(cosigned.status()), Describe(cosigned.status()));
    return;
  }
  // The signers that verify one by one.
  std::set<std::string> signers;
  bool malformed = false;
  for (const std::string& key : keys) {
    absl::StatusOr<Checkpoint> one = VerifyCheckpoint(note, key);
    malformed |= absl::IsInvalidArgument(one.status());
    if (!one.ok()) continue;
    signers.insert(SignerOf(key));
    if (cosigned.ok()) {
      FUZZ_CHECK(SameCheckpoint(*one, *cosigned),
                 absl::StrCat(Show(*one), " vs ", Show(*cosigned)));
    }
  }
  if (cosigned.ok()) {
    FUZZ_CHECK(signers.size() >= threshold,
               absl::StrCat(signers.size(), " distinct signers verified, threshold ",
                            threshold, ", keys given ", keys.size()));
  } else if (absl::IsDataLoss(cosigned.status())) {
    FUZZ_CHECK(!malformed && signers.size() < threshold, Describe(cosigned.status()));
  }
}

// A checkpoint from the bytes; the origin is one non-empty line, as the format needs.
Checkpoint CheckpointFrom(FuzzInput& input) {
  Checkpoint checkpoint;
  checkpoint.origin = input.String();
  for (char& c : checkpoint.origin) {
    if (c == '\n') c = ' ';
  }
  if (checkpoint.origin.empty()) checkpoint.origin = "o";
  checkpoint.size = input.Number();
  const std::string root = input.Bytes(32);
  std::copy(root.begin(), root.end(), checkpoint.root.begin());
  checkpoint.has_stream_map = input.Bool();
  if (checkpoint.has_stream_map) {
    checkpoint.stream_count = input.Number();
    const std::string map_root = input.Bytes(32);
    std::copy(map_root.begin(), map_root.end(), checkpoint.stream_map_root.begin());
  }
  return checkpoint;
}

// The fixed signer, or one with a name and seed from the bytes when they make a key.
NoteSigner SignerFrom(FuzzInput& input) {
  if (input.Bool()) return FixedSigner();
  const std::string name = input.String();
  std::string seed = input.Bytes(32);
  seed.resize(32, '\0');
  absl::StatusOr<NoteSigner> signer = NoteSigner::FromSeed(name, seed);
  if (signer.ok()) {
    FUZZ_CHECK(CheckVerifierKey(signer->VerifierKey()).ok(), signer->VerifierKey());
    return *std::move(signer);
  }
  FUZZ_CHECK(absl::IsInvalidArgument(signer.status()), Describe(signer.status()));
  return FixedSigner();
}

void FlipBit(std::string& bytes, FuzzInput& input) {
  if (bytes.empty()) return;
  bytes[input.Below(bytes.size())] ^= static_cast<char>(1 << (input.Byte() % 8));
}

// One private key under a second name signs a second line; co-signed, that is one
// signer, not two.
void CheckTwinNames(const std::string& body) {
  static const NoteSigner* const twin =
      new NoteSigner(*NoteSigner::FromSeed("twin.fuzz", std::string(kFixedSeed, 32)));
  absl::StatusOr<std::string> one = FixedSigner().Sign(body);
  absl::StatusOr<std::string> two = twin->Sign(body);
  FUZZ_CHECK(one.ok() && two.ok(), "signing");
  const std::string note = *one + two->substr(body.size() + 1);
  absl::StatusOr<Checkpoint> cosigned =
      VerifyCosignedCheckpoint(note, {FixedKey(), twin->VerifierKey()}, 2);
  FUZZ_CHECK(!cosigned.ok(),
             absl::StrCat("one key under two names met a threshold of 2\n", note));
}

void FuzzRoundTrip(FuzzInput& input) {
  const Checkpoint checkpoint = CheckpointFrom(input);
  const NoteSigner signer = SignerFrom(input);
  const std::string body = CheckpointBody(checkpoint);
  absl::StatusOr<std::string> note = signer.Sign(body);
  FUZZ_CHECK(note.ok(), Describe(note.status()));
  const std::string key = signer.VerifierKey();
  absl::StatusOr<Checkpoint> verified = VerifyCheckpoint(*note, key);
  FUZZ_CHECK(verified.ok(), absl::StrCat(Describe(verified.status()), "\n", *note));
  FUZZ_CHECK(SameCheckpoint(*verified, checkpoint),
             absl::StrCat(Show(*verified), " vs ", Show(checkpoint)));
  CheckTwinNames(body);

  std::string changed_body = body;
  FlipBit(changed_body, input);
  const std::string tampered = changed_body + note->substr(body.size());
  absl::StatusOr<Checkpoint> forged = VerifyCheckpoint(tampered, key);
  FUZZ_CHECK(!forged.ok(), absl::StrCat("a changed body verified:\n", tampered));
  CheckCode(forged.status());

  // The signature line: em dash, name, base64(key id || signature).
  const std::string prefix = absl::StrCat(kEmDash, " ", signer.name(), " ");
  const size_t line = note->find(prefix, body.size());
  const size_t end = note->find('\n', line);
  FUZZ_CHECK(line != std::string::npos && end != std::string::npos, *note);
  std::string blob;
  const size_t start = line + prefix.size();
  FUZZ_CHECK(absl::Base64Unescape(note->substr(start, end - start), &blob), *note);
  FlipBit(blob, input);
  const std::string resigned =
      absl::StrCat(note->substr(0, start), absl::Base64Escape(blob), note->substr(end));
  forged = VerifyCheckpoint(resigned, key);
  FUZZ_CHECK(absl::IsDataLoss(forged.status()),
             absl::StrCat(Describe(forged.status()), "\n", resigned));
}

}  // namespace
}  // namespace agreements::note

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  agreements::fuzz::FuzzInput input(data, size);
  switch (input.Choice(4)) {
    case 0:
      agreements::note::FuzzFixedKey(input);
      break;
    case 1:
      agreements::note::FuzzGivenKey(input);
      break;
    case 2:
      agreements::note::FuzzCosigned(input);
      break;
    default:
      agreements::note::FuzzRoundTrip(input);
      break;
  }
  return 0;
}
