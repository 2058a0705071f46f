// VerifyLog: the server-side audit of a data directory. It recomputes the Merkle tree
// from the exact stored event bytes with the registered log tree applier and checks it
// against the stored tree (a view: up to the applied position) and against every signed
// checkpoint, and checks that every event chains to its stream's previous event
// (previous_event_hash). Any stored byte changed after it was committed shows up as
// DATA_LOSS naming the first position (or checkpoint) that no longer matches.
#ifndef AGREEMENTS_STORE_VERIFY_H_
#define AGREEMENTS_STORE_VERIFY_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "store/store.h"

namespace agreements::store {

struct VerifyReport {
  uint64_t events = 0;
  uint64_t checkpoints = 0;
};

// `verifier_key` checks the checkpoint signatures (docs/audit.md). OK with counts when
// everything matches; DATA_LOSS with the first mismatch otherwise.
absl::StatusOr<VerifyReport> VerifyLog(const Store* store,
                                       const std::string& verifier_key);

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_VERIFY_H_
