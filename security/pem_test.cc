#include "security/pem.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "gtest/gtest.h"
#include "tests/test_certs.h"

namespace agreements::security {
namespace {

using agreements::testing::CertAndKey;
using agreements::testing::LeafOptions;

TEST(InspectCertificates, CountsAndValidity) {
  absl::StatusOr<CertAndKey> ca = agreements::testing::MakeCa("Test CA");
  ASSERT_TRUE(ca.ok()) << ca.status();
  LeafOptions options;
  options.common_name = "registry";
  options.not_after_offset = absl::Hours(48);
  absl::StatusOr<CertAndKey> leaf = agreements::testing::MakeLeaf(*ca, options);
  ASSERT_TRUE(leaf.ok()) << leaf.status();

  absl::StatusOr<CertificateInfo> info =
      InspectCertificates(leaf->cert_pem + ca->cert_pem, "tls_cert");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->count, 2);
  EXPECT_LT(absl::AbsDuration(info->not_after - (absl::Now() + absl::Hours(48))),
            absl::Minutes(5));
}

TEST(InspectCertificates, RejectsTextWithoutCertificate) {
  absl::StatusOr<CertificateInfo> info = InspectCertificates("not a pem", "tls_cert x");
  EXPECT_EQ(info.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(info.status().message().find("tls_cert x: no PEM certificate"),
            std::string::npos);
  absl::StatusOr<CertAndKey> ca = agreements::testing::MakeCa("Test CA");
  ASSERT_TRUE(ca.ok());
  std::string broken = ca->cert_pem;
  broken.replace(broken.size() / 2, 8, "!!!!!!!!");
  EXPECT_FALSE(InspectCertificates(broken, "tls_cert").ok());
}

TEST(CheckKeyMatchesCertificate, MatchingAndForeignKeys) {
  absl::StatusOr<CertAndKey> ca = agreements::testing::MakeCa("Test CA");
  ASSERT_TRUE(ca.ok());
  LeafOptions options;
  options.common_name = "registry";
  absl::StatusOr<CertAndKey> leaf = agreements::testing::MakeLeaf(*ca, options);
  ASSERT_TRUE(leaf.ok());
  EXPECT_TRUE(CheckKeyMatchesCertificate(leaf->key_pem, leaf->cert_pem, "tls_key").ok());
  absl::Status foreign =
      CheckKeyMatchesCertificate(ca->key_pem, leaf->cert_pem, "tls_key");
  EXPECT_EQ(foreign.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(foreign.message().find("does not match"), std::string::npos);
  EXPECT_FALSE(CheckKeyMatchesCertificate("junk", leaf->cert_pem, "tls_key").ok());
}

TEST(CheckKeyMatchesCertificate, EncryptedKeyFailsWithoutPrompting) {
  absl::StatusOr<CertAndKey> ca = agreements::testing::MakeCa("Test CA");
  ASSERT_TRUE(ca.ok());
  // The CA's key, re-encoded with a passphrase.
  BIO* in = BIO_new_mem_buf(ca->key_pem.data(), static_cast<int>(ca->key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
  ASSERT_NE(key, nullptr);
  BIO* out = BIO_new(BIO_s_mem());
  char passphrase[] = "secret";
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(out, key, EVP_aes_256_cbc(), passphrase, 6,
                                          nullptr, nullptr),
            1);
  char* data = nullptr;
  const long size = BIO_get_mem_data(out, &data);
  const std::string encrypted(data, size);
  BIO_free(out);
  BIO_free(in);
  EVP_PKEY_free(key);
  absl::Status status = CheckKeyMatchesCertificate(encrypted, ca->cert_pem, "tls_key");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("unencrypted"), std::string::npos) << status;
}

TEST(ReadSmallFile, MissingFileIsNotFound) {
  EXPECT_EQ(ReadSmallFile("/nonexistent/agreements/file.pem").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace agreements::security
