// Checks of PEM files before the server uses them: certificates that parse, a private key
// that matches its certificate, and the validity end of the first certificate. Uses
// libcrypto only.
#ifndef AGREEMENTS_SECURITY_PEM_H_
#define AGREEMENTS_SECURITY_PEM_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace agreements::security {

struct CertificateInfo {
  // Certificates in the file (a chain or a CA bundle).
  int count = 0;
  // Validity of the first one.
  absl::Time not_before;
  absl::Time not_after;
};

// The certificates of a PEM text; INVALID_ARGUMENT when there is none or one does not
// parse. `what` names the file in errors.
absl::StatusOr<CertificateInfo> InspectCertificates(absl::string_view pem,
                                                    absl::string_view what);

// OK when the PEM private key parses and matches the first certificate of `cert_pem`.
absl::Status CheckKeyMatchesCertificate(absl::string_view key_pem,
                                        absl::string_view cert_pem,
                                        absl::string_view what);

// The whole file; NOT_FOUND or PERMISSION_DENIED naming it.
absl::StatusOr<std::string> ReadSmallFile(const std::string& path);

}  // namespace agreements::security

#endif  // AGREEMENTS_SECURITY_PEM_H_
