// Fuzz target: offline audit bundle verification from untrusted bytes (common/
// audit_bundle.h, the whole `agreements audit verify` path after reading the file).
// Properties beyond "no crash, no hang": a failure is DATA_LOSS naming what failed; a
// bundle that verifies still verifies after a serialization round trip; and changing any
// bit of any event of a verified bundle makes verification fail (tampering is caught).
// Seeds (audit_bundle_corpus/): bundles exported by `agreements audit export` from a
// server holding the demo data, signed by the key below.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "agreements/v1/audit_bundle.pb.h"
#include "common/audit_bundle.h"
#include "google/protobuf/stubs/logging.h"

namespace {

// The verifier key of the server that exported the seed bundles.
const char kVerifierKey[] =
    "agreements-registry+358f1ac8+AV87L946wPEWYq+TkGidCzi4FObV0ttyN0EWpR5zjt1q";

void Require(bool condition, const char* property, const std::string& detail) {
  if (condition) return;
  std::fprintf(stderr, "property violated: %s: %s\n", property, detail.c_str());
  std::abort();
}

// Flips one bit of one event chosen by `seed`; false when the bundle has no event bytes.
bool Tamper(agreements::v1::AuditBundle& bundle, uint64_t seed) {
  if (bundle.events_size() == 0) return false;
  std::string* event =
      bundle.mutable_events(static_cast<int>(seed % bundle.events_size()));
  if (event->empty()) return false;
  const size_t byte = (seed / 7) % event->size();
  (*event)[byte] = static_cast<char>((*event)[byte] ^ (1u << (seed % 8)));
  return true;
}

void CheckVerified(const agreements::v1::AuditBundle& bundle, uint64_t seed) {
  const std::string again = bundle.SerializeAsString();
  const absl::Status reverified =
      agreements::audit::VerifyBundleBytes(again, kVerifierKey);
  Require(reverified.ok(), "a verified bundle verifies after a round trip",
          reverified.ToString());
  agreements::v1::AuditBundle tampered = bundle;
  if (!Tamper(tampered, seed)) return;
  const absl::Status caught = agreements::audit::VerifyBundle(tampered, kVerifierKey);
  Require(!caught.ok(), "a changed event fails verification", "verification passed");
}

}  // namespace

// Protobuf logs every invalid UTF-8 string it parses; the inputs are mostly that.
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const absl::Status status = agreements::audit::VerifyBundleBytes(bytes, kVerifierKey);
  if (!status.ok()) {
    Require(status.code() == absl::StatusCode::kDataLoss && !status.message().empty(),
            "a failure is DATA_LOSS naming what failed", status.ToString());
    return 0;
  }
  agreements::v1::AuditBundle bundle;
  Require(bundle.ParseFromString(bytes), "a verified bundle parses", "");
  uint64_t seed = size;
  for (size_t i = 0; i < size && i < 16; ++i) seed = seed * 131 + data[i];
  CheckVerified(bundle, seed);
  return 0;
}
