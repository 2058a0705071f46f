// X.509 certificates for TLS tests, generated in memory with OpenSSL's libcrypto: a
// self-signed CA and leaves it signs, all on EC P-256 keys and SHA-256 signatures.
// Every function is a pure value-in/value-out call and safe to use from any thread.
// For tests only: keys are unencrypted and serials random, not tracked.
#ifndef AGREEMENTS_TESTS_TEST_CERTS_H_
#define AGREEMENTS_TESTS_TEST_CERTS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace agreements::testing {

// A certificate and its private key, both PEM ("CERTIFICATE", PKCS#8 "PRIVATE KEY").
struct CertAndKey {
  std::string cert_pem;
  std::string key_pem;
};

// What a leaf may be used for; sets extendedKeyUsage.
enum class CertUsage {
  kServer,  // serverAuth
  kClient,  // clientAuth
};

struct LeafOptions {
  // Subject CN. Must not be empty.
  // Default: none.
  std::string common_name;
  // subjectAltName entries in OpenSSL's config syntax: "DNS:localhost",
  // "IP:127.0.0.1", "URI:spiffe://registry/alice", "email:x@y". No commas.
  // Default: none (no subjectAltName extension).
  std::vector<std::string> sans;
  // Validity window as offsets from now; e.g. -48h and -24h give an expired cert.
  // not_before_offset must be earlier than not_after_offset.
  // Default: -1h (tolerates clock skew) and +24h.
  absl::Duration not_before_offset = -absl::Hours(1);
  absl::Duration not_after_offset = absl::Hours(24);
  // Default: kServer.
  CertUsage usage = CertUsage::kServer;
};

// A self-signed CA (basicConstraints CA:TRUE, keyCertSign/cRLSign) with subject
// CN=`common_name`, valid from 1h ago for 30 days. INVALID_ARGUMENT on an empty name.
absl::StatusOr<CertAndKey> MakeCa(absl::string_view common_name);

// A leaf signed by `ca` (as returned by MakeCa). INVALID_ARGUMENT on bad options or
// an unparsable `ca`; INTERNAL if OpenSSL fails otherwise.
absl::StatusOr<CertAndKey> MakeLeaf(const CertAndKey& ca, const LeafOptions& options);

// Writes `text` to `path`, replacing it, with mode 0600 (owner read/write only), so
// the same call serves certificates and private keys.
absl::Status WritePem(const std::string& path, absl::string_view text);

}  // namespace agreements::testing

#endif  // AGREEMENTS_TESTS_TEST_CERTS_H_
