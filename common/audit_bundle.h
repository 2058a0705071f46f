// Verification of offline audit bundles (docs/audit.md, "Offline bundles";
// proto/agreements/v1/audit_bundle.proto) with a pinned verifier key and no server: the
// checkpoint's signature, the stream's leaf in the stream-head map, the per-stream hash
// chain (nothing left out, inserted, changed or withheld) and each event's inclusion in
// the signed log tree. A bundle comes from whoever sends it: every byte is untrusted
// (fuzzed by common/fuzz/audit_bundle_fuzz.cc).
#ifndef AGREEMENTS_COMMON_AUDIT_BUNDLE_H_
#define AGREEMENTS_COMMON_AUDIT_BUNDLE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "agreements/v1/audit_bundle.pb.h"

namespace agreements::audit {

inline constexpr char kBundleFormat[] = "agreements-audit-bundle/1";

// OK when every check passes; otherwise DATA_LOSS whose message names the first check
// that failed ("checkpoint: ...", "events[3] (position 17): ...").
absl::Status VerifyBundle(const agreements::v1::AuditBundle& bundle,
                          const std::string& verifier_key);
// The same from a bundle file's bytes (DATA_LOSS "not an audit bundle" when they do not
// parse).
absl::Status VerifyBundleBytes(absl::string_view bytes, const std::string& verifier_key);

}  // namespace agreements::audit

#endif  // AGREEMENTS_COMMON_AUDIT_BUNDLE_H_
