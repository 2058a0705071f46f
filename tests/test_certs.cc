#include "tests/test_certs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "openssl/bio.h"
#include "openssl/bn.h"
#include "openssl/err.h"
#include "openssl/evp.h"
#include "openssl/pem.h"
#include "openssl/x509.h"
#include "openssl/x509v3.h"

namespace agreements::testing {
namespace {

template <auto kFree>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    kFree(p);
  }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;

// `what` followed by OpenSSL's queued errors of this thread, which it clears.
absl::Status OpenSslError(absl::string_view what,
                          absl::StatusCode code = absl::StatusCode::kInternal) {
  std::string message(what);
  while (unsigned long error = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(error, text, sizeof(text));
    absl::StrAppend(&message, ": ", text);
  }
  return absl::Status(code, message);
}

absl::StatusOr<KeyPtr> NewKey() {
  KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (key == nullptr) return OpenSslError("generating an EC P-256 key");
  return key;
}

// An unsigned v3 certificate for `key` with subject CN=`common_name`, a random
// 64-bit serial and the validity window [now + not_before, now + not_after]. The
// caller sets the issuer name and the extensions.
absl::StatusOr<X509Ptr> NewCert(absl::string_view common_name, EVP_PKEY* key,
                                absl::Duration not_before, absl::Duration not_after) {
  X509Ptr cert(X509_new());
  BignumPtr serial(BN_new());
  if (cert == nullptr || serial == nullptr ||
      !X509_set_version(cert.get(), X509_VERSION_3) ||
      !BN_rand(serial.get(), 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) ||
      !X509_gmtime_adj(X509_getm_notBefore(cert.get()),
                       absl::ToInt64Seconds(not_before)) ||
      !X509_gmtime_adj(X509_getm_notAfter(cert.get()), absl::ToInt64Seconds(not_after)) ||
      !X509_NAME_add_entry_by_txt(
          X509_get_subject_name(cert.get()), "CN", MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>(common_name.data()),
          static_cast<int>(common_name.size()), -1, 0) ||
      !X509_set_pubkey(cert.get(), key)) {
    return OpenSslError(absl::StrCat("building the certificate for CN=", common_name));
  }
  return cert;
}

struct Extension {
  int nid;
  std::string value;  // OpenSSL config syntax, e.g. "critical,CA:TRUE"
};

// Adds `extensions` to `cert` in order (subjectKeyIdentifier must precede
// authorityKeyIdentifier, which reads it from `issuer` when self-signed). Only the
// SANs come from the caller, so only their failure is INVALID_ARGUMENT.
absl::Status AddExtensions(X509* cert, X509* issuer,
                           const std::vector<Extension>& extensions) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  for (const Extension& extension : extensions) {
    ExtensionPtr ext(
        X509V3_EXT_conf_nid(nullptr, &ctx, extension.nid, extension.value.c_str()));
    if (ext == nullptr || !X509_add_ext(cert, ext.get(), -1)) {
      return OpenSslError(
          absl::StrCat("extension ", OBJ_nid2sn(extension.nid), "=", extension.value),
          extension.nid == NID_subject_alt_name ? absl::StatusCode::kInvalidArgument
                                                : absl::StatusCode::kInternal);
    }
  }
  return absl::OkStatus();
}

BioPtr ReadBio(absl::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, size > 0 ? static_cast<size_t>(size) : 0);
}

// Signs `cert` with `signer` and encodes it with its subject's `key`.
absl::StatusOr<CertAndKey> SignAndEncode(X509* cert, EVP_PKEY* signer, EVP_PKEY* key) {
  if (X509_sign(cert, signer, EVP_sha256()) <= 0) return OpenSslError("signing");
  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  BioPtr key_bio(BIO_new(BIO_s_mem()));
  if (cert_bio == nullptr || key_bio == nullptr ||
      !PEM_write_bio_X509(cert_bio.get(), cert) ||
      !PEM_write_bio_PrivateKey(key_bio.get(), key, nullptr, nullptr, 0, nullptr,
                                nullptr)) {
    return OpenSslError("PEM encoding");
  }
  return CertAndKey{BioContents(cert_bio.get()), BioContents(key_bio.get())};
}

// Refuses to prompt for a passphrase on the terminal: test keys are never encrypted.
int NoPassphrase(char*, int, int, void*) { return -1; }

}  // namespace

absl::StatusOr<CertAndKey> MakeCa(absl::string_view common_name) {
  if (common_name.empty()) return absl::InvalidArgumentError("MakeCa: empty common_name");
  ERR_clear_error();
  ASSIGN_OR_RETURN(KeyPtr key, NewKey());
  ASSIGN_OR_RETURN(X509Ptr cert, NewCert(common_name, key.get(), -absl::Hours(1),
                                         absl::Hours(24 * 30)));
  if (!X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()))) {
    return OpenSslError("setting the CA's issuer name");
  }
  RETURN_IF_ERROR(AddExtensions(cert.get(), cert.get(),
                                {{NID_basic_constraints, "critical,CA:TRUE"},
                                 {NID_key_usage, "critical,keyCertSign,cRLSign"},
                                 {NID_subject_key_identifier, "hash"},
                                 {NID_authority_key_identifier, "keyid:always"}}));
  return SignAndEncode(cert.get(), key.get(), key.get());
}

absl::StatusOr<CertAndKey> MakeLeaf(const CertAndKey& ca, const LeafOptions& options) {
  if (options.common_name.empty()) {
    return absl::InvalidArgumentError("LeafOptions.common_name is empty");
  }
  if (options.not_before_offset >= options.not_after_offset) {
    return absl::InvalidArgumentError(
        "LeafOptions.not_before_offset must be earlier than not_after_offset");
  }
  for (const std::string& san : options.sans) {
    // OpenSSL's list syntax would split the entry silently.
    if (san.find(',') != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("LeafOptions.sans: comma in \"", san, "\""));
    }
  }
  ERR_clear_error();
  BioPtr ca_cert_bio = ReadBio(ca.cert_pem);
  BioPtr ca_key_bio = ReadBio(ca.key_pem);
  X509Ptr ca_cert(ca_cert_bio
                      ? PEM_read_bio_X509(ca_cert_bio.get(), nullptr, nullptr, nullptr)
                      : nullptr);
  KeyPtr ca_key(ca_key_bio ? PEM_read_bio_PrivateKey(ca_key_bio.get(), nullptr,
                                                     NoPassphrase, nullptr)
                           : nullptr);
  if (ca_cert == nullptr || ca_key == nullptr ||
      X509_check_private_key(ca_cert.get(), ca_key.get()) != 1) {
    return OpenSslError("MakeLeaf: ca is not a matching PEM certificate and key",
                        absl::StatusCode::kInvalidArgument);
  }

  ASSIGN_OR_RETURN(KeyPtr key, NewKey());
  ASSIGN_OR_RETURN(X509Ptr cert,
                   NewCert(options.common_name, key.get(), options.not_before_offset,
                           options.not_after_offset));
  if (!X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get()))) {
    return OpenSslError("setting the leaf's issuer name");
  }
  std::vector<Extension> extensions = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature"},
      {NID_ext_key_usage,
       options.usage == CertUsage::kServer ? "serverAuth" : "clientAuth"},
      {NID_subject_key_identifier, "hash"},
      {NID_authority_key_identifier, "keyid:always"},
  };
  if (!options.sans.empty()) {
    extensions.push_back({NID_subject_alt_name, absl::StrJoin(options.sans, ",")});
  }
  RETURN_IF_ERROR(AddExtensions(cert.get(), ca_cert.get(), extensions));
  return SignAndEncode(cert.get(), ca_key.get(), key.get());
}

absl::Status WritePem(const std::string& path, absl::string_view text) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("open ", path));
  absl::Status status;
  // O_CREAT keeps the mode of an existing file; narrow it as for a new one.
  if (fchmod(fd, 0600) != 0)
    status = absl::ErrnoToStatus(errno, absl::StrCat("chmod ", path));
  size_t written = 0;
  while (status.ok() && written < text.size()) {
    ssize_t n = write(fd, text.data() + written, text.size() - written);
    if (n >= 0) {
      written += static_cast<size_t>(n);
    } else if (errno != EINTR) {
      status = absl::ErrnoToStatus(errno, absl::StrCat("write ", path));
    }
  }
  if (close(fd) != 0 && status.ok()) {
    status = absl::ErrnoToStatus(errno, absl::StrCat("close ", path));
  }
  return status;
}

}  // namespace agreements::testing
