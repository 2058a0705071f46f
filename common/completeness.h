// Offline verification that one stream's history is complete up to a signed checkpoint
// (docs/audit.md, "Completeness"): the checkpoint's signature, the stream's leaf in the
// stream-head map committed by the checkpoint, and the per-stream hash chain of the
// events from revision 1 to the map's revision. No I/O; for clients and offline
// verifiers.
#ifndef AGREEMENTS_COMMON_COMPLETENESS_H_
#define AGREEMENTS_COMMON_COMPLETENESS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "agreements/v1/events.pb.h"

namespace agreements::audit {

struct CompletenessProof {
  std::string checkpoint_note;
  std::vector<std::string> events;  // exact stored bytes, revision order
  std::string map_leaf;
  uint64_t map_index = 0;
  std::vector<std::string> map_proof;
};

// OK when every check passes. DATA_LOSS names the first failure (bad signature, a leaf
// not in the map, a broken chain, a missing or extra event); INVALID_ARGUMENT for
// malformed input.
absl::Status VerifyCompleteness(const CompletenessProof& proof,
                                const std::string& verifier_key,
                                agreements::v1::StreamType stream_type,
                                const std::string& stream_id);

}  // namespace agreements::audit

#endif  // AGREEMENTS_COMMON_COMPLETENESS_H_
