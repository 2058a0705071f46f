#include "common/completeness.h"

#include "absl/strings/str_cat.h"
#include "common/merkle.h"
#include "common/signed_note.h"

namespace agreements::audit {
namespace {

namespace v1 = ::agreements::v1;

std::string Bytes(const merkle::Hash& hash) {
  return std::string(reinterpret_cast<const char*>(hash.data()), hash.size());
}

uint64_t ReadU64(const std::string& bytes, size_t at) {
  uint64_t value = 0;
  for (size_t i = 0; i < 8; ++i)
    value = (value << 8) | static_cast<uint8_t>(bytes[at + i]);
  return value;
}

}  // namespace

absl::Status VerifyCompleteness(const CompletenessProof& proof,
                                const std::string& verifier_key,
                                v1::StreamType stream_type,
                                const std::string& stream_id) {
  auto checkpoint = note::VerifyCheckpoint(proof.checkpoint_note, verifier_key);
  if (!checkpoint.ok()) return checkpoint.status();
  if (!checkpoint->has_stream_map) {
    return absl::InvalidArgumentError("checkpoint: it carries no stream-head map");
  }
  // The map leaf names this stream: type || id || 0x00 || revision || head hash.
  std::string prefix(1, static_cast<char>(stream_type));
  prefix += stream_id;
  prefix.push_back('\0');
  if (proof.map_leaf.size() != prefix.size() + 40 ||
      proof.map_leaf.compare(0, prefix.size(), prefix) != 0) {
    return absl::DataLossError("map leaf: it is not this stream's leaf");
  }
  const uint64_t revision = ReadU64(proof.map_leaf, prefix.size());
  const std::string head = proof.map_leaf.substr(prefix.size() + 8);
  auto map_proof = merkle::ProofFromBytes(proof.map_proof);
  if (!map_proof.ok()) return map_proof.status();
  absl::Status in_map = merkle::VerifyInclusion(proof.map_index, checkpoint->stream_count,
                                                merkle::LeafHash(proof.map_leaf),
                                                *map_proof, checkpoint->stream_map_root);
  if (!in_map.ok()) {
    return absl::Status(in_map.code(), absl::StrCat("map leaf: ", in_map.message()));
  }
  // The events: revisions 1..R of this stream, each naming its predecessor's leaf hash,
  // the last one the map's head, none beyond the checkpoint.
  if (proof.events.size() != revision) {
    return absl::DataLossError(absl::StrCat("the map says revision ", revision, " but ",
                                            proof.events.size(), " events were given"));
  }
  std::string previous;
  for (size_t i = 0; i < proof.events.size(); ++i) {
    v1::Event event;
    if (!event.ParseFromString(proof.events[i])) {
      return absl::InvalidArgumentError(absl::StrCat("events[", i, "]: not an event"));
    }
    const v1::EventEnvelope& envelope = event.envelope();
    if (envelope.stream_type() != stream_type || envelope.stream_id() != stream_id ||
        envelope.revision() != i + 1 || envelope.position() > checkpoint->size) {
      return absl::DataLossError(absl::StrCat("events[", i, "]: not revision ", i + 1,
                                              " of this stream within the checkpoint"));
    }
    if (envelope.previous_event_hash() != previous) {
      return absl::DataLossError(
          absl::StrCat("events[", i,
                       "]: does not chain to the previous event (one was left out, "
                       "inserted or changed)"));
    }
    previous = Bytes(merkle::LeafHash(proof.events[i]));
  }
  if (previous != head) {
    return absl::DataLossError(
        "the last event is not the stream's head in the map (events withheld or "
        "changed)");
  }
  return absl::OkStatus();
}

}  // namespace agreements::audit
