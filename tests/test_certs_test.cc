// Checks the generated certificates with OpenSSL's own chain verification.
#include "tests/test_certs.h"

#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/temp_dir.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "openssl/bio.h"
#include "openssl/pem.h"
#include "openssl/x509.h"
#include "openssl/x509_vfy.h"
#include "openssl/x509v3.h"

namespace agreements::testing {
namespace {

using ::testing::ElementsAre;

template <auto kFree>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    kFree(p);
  }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;

X509Ptr ParseCert(const std::string& pem) {
  std::unique_ptr<BIO, Deleter<BIO_free>> bio(BIO_new_mem_buf(pem.data(), pem.size()));
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

// X509_V_OK or the error X509_verify_cert reports for `leaf` against the single
// trusted `ca`, checked for `purpose` (X509_PURPOSE_SSL_SERVER, _CLIENT or _ANY).
int Verify(const CertAndKey& leaf, const CertAndKey& ca,
           int purpose = X509_PURPOSE_SSL_SERVER) {
  X509Ptr leaf_cert = ParseCert(leaf.cert_pem);
  X509Ptr ca_cert = ParseCert(ca.cert_pem);
  std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>> store(X509_STORE_new());
  std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>> ctx(X509_STORE_CTX_new());
  if (leaf_cert == nullptr || ca_cert == nullptr || store == nullptr || ctx == nullptr ||
      !X509_STORE_add_cert(store.get(), ca_cert.get()) ||
      !X509_STORE_CTX_init(ctx.get(), store.get(), leaf_cert.get(), nullptr) ||
      !X509_STORE_CTX_set_purpose(ctx.get(), purpose)) {
    return -1;
  }
  if (X509_verify_cert(ctx.get()) == 1) return X509_V_OK;
  return X509_STORE_CTX_get_error(ctx.get());
}

// The subjectAltName entries in the syntax MakeLeaf takes (IPv4 only).
std::vector<std::string> Sans(X509* cert) {
  std::vector<std::string> result;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    auto text = [](const ASN1_STRING* s) {
      return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                         ASN1_STRING_length(s));
    };
    switch (name->type) {
      case GEN_DNS:
        result.push_back("DNS:" + text(name->d.dNSName));
        break;
      case GEN_URI:
        result.push_back("URI:" + text(name->d.uniformResourceIdentifier));
        break;
      case GEN_EMAIL:
        result.push_back("email:" + text(name->d.rfc822Name));
        break;
      case GEN_IPADD: {
        const unsigned char* b = ASN1_STRING_get0_data(name->d.iPAddress);
        result.push_back(ASN1_STRING_length(name->d.iPAddress) == 4
                             ? absl::StrCat("IP:", b[0], ".", b[1], ".", b[2], ".", b[3])
                             : "IP:?");
        break;
      }
      default:
        result.push_back("?");
    }
  }
  GENERAL_NAMES_free(names);
  return result;
}

std::string CommonName(X509* cert) {
  char cn[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof(cn));
  return cn;
}

LeafOptions Server(std::string cn) {
  LeafOptions options;
  options.common_name = std::move(cn);
  options.sans = {"DNS:localhost", "IP:127.0.0.1"};
  return options;
}

TEST(TestCertsTest, LeafVerifiesAgainstItsCa) {
  absl::StatusOr<CertAndKey> ca = MakeCa("Test CA");
  ASSERT_TRUE(ca.ok()) << ca.status();
  absl::StatusOr<CertAndKey> leaf = MakeLeaf(*ca, Server("server"));
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  EXPECT_EQ(Verify(*leaf, *ca), X509_V_OK);
  EXPECT_EQ(Verify(*ca, *ca, X509_PURPOSE_ANY), X509_V_OK);  // a CA is no TLS server
}

TEST(TestCertsTest, LeafDoesNotVerifyAgainstAnotherCaOfTheSameName) {
  absl::StatusOr<CertAndKey> ca = MakeCa("Test CA");
  absl::StatusOr<CertAndKey> other = MakeCa("Test CA");
  ASSERT_TRUE(ca.ok() && other.ok());
  absl::StatusOr<CertAndKey> leaf = MakeLeaf(*ca, Server("server"));
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  EXPECT_EQ(Verify(*leaf, *other), X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

TEST(TestCertsTest, ExpiredLeafFails) {
  absl::StatusOr<CertAndKey> ca = MakeCa("Test CA");
  ASSERT_TRUE(ca.ok()) << ca.status();
  LeafOptions options = Server("server");
  options.not_before_offset = -absl::Hours(48);
  options.not_after_offset = -absl::Hours(24);
  absl::StatusOr<CertAndKey> leaf = MakeLeaf(*ca, options);
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  EXPECT_EQ(Verify(*leaf, *ca), X509_V_ERR_CERT_HAS_EXPIRED);
}

TEST(TestCertsTest, UsageSetsExtendedKeyUsage) {
  absl::StatusOr<CertAndKey> ca = MakeCa("Test CA");
  ASSERT_TRUE(ca.ok()) << ca.status();
  LeafOptions options = Server("alice");
  options.usage = CertUsage::kClient;
  absl::StatusOr<CertAndKey> client = MakeLeaf(*ca, options);
  absl::StatusOr<CertAndKey> server = MakeLeaf(*ca, Server("server"));
  ASSERT_TRUE(client.ok() && server.ok());
  EXPECT_EQ(Verify(*client, *ca, X509_PURPOSE_SSL_CLIENT), X509_V_OK);
  EXPECT_EQ(Verify(*client, *ca, X509_PURPOSE_SSL_SERVER), X509_V_ERR_INVALID_PURPOSE);
  EXPECT_EQ(Verify(*server, *ca, X509_PURPOSE_SSL_CLIENT), X509_V_ERR_INVALID_PURPOSE);
}

TEST(TestCertsTest, SansAndCommonNameComeOutAsGiven) {
  absl::StatusOr<CertAndKey> ca = MakeCa("Registry CA");
  ASSERT_TRUE(ca.ok()) << ca.status();
  LeafOptions options;
  options.common_name = "alice";
  options.sans = {"DNS:localhost", "IP:127.0.0.1", "URI:spiffe://registry/alice",
                  "email:x@y"};
  absl::StatusOr<CertAndKey> leaf = MakeLeaf(*ca, options);
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  X509Ptr cert = ParseCert(leaf->cert_pem);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(CommonName(cert.get()), "alice");
  EXPECT_THAT(Sans(cert.get()), ElementsAre("DNS:localhost", "IP:127.0.0.1",
                                            "URI:spiffe://registry/alice", "email:x@y"));
  X509Ptr ca_cert = ParseCert(ca->cert_pem);
  EXPECT_EQ(CommonName(ca_cert.get()), "Registry CA");
}

TEST(TestCertsTest, KeyMatchesCertificate) {
  absl::StatusOr<CertAndKey> ca = MakeCa("Test CA");
  ASSERT_TRUE(ca.ok()) << ca.status();
  absl::StatusOr<CertAndKey> leaf = MakeLeaf(*ca, Server("server"));
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  X509Ptr cert = ParseCert(leaf->cert_pem);
  std::unique_ptr<BIO, Deleter<BIO_free>> bio(
      BIO_new_mem_buf(leaf->key_pem.data(), leaf->key_pem.size()));
  std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  ASSERT_NE(cert, nullptr);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
}

TEST(TestCertsTest, RejectsBadOptions) {
  absl::StatusOr<CertAndKey> ca = MakeCa("Test CA");
  ASSERT_TRUE(ca.ok()) << ca.status();
  EXPECT_EQ(MakeCa("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeLeaf(*ca, Server("")).status().code(),
            absl::StatusCode::kInvalidArgument);
  LeafOptions bad_san = Server("server");
  bad_san.sans = {"FOO:bar"};
  EXPECT_EQ(MakeLeaf(*ca, bad_san).status().code(), absl::StatusCode::kInvalidArgument);
  bad_san.sans = {"DNS:a,DNS:b"};
  EXPECT_EQ(MakeLeaf(*ca, bad_san).status().code(), absl::StatusCode::kInvalidArgument);
  LeafOptions backwards = Server("server");
  backwards.not_before_offset = absl::Hours(1);
  backwards.not_after_offset = -absl::Hours(1);
  EXPECT_EQ(MakeLeaf(*ca, backwards).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeLeaf(CertAndKey{"junk", "junk"}, Server("server")).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(TestCertsTest, WritePemWritesOwnerOnlyFile) {
  TempDir dir;
  const std::string path = dir.path() + "/key.pem";
  std::ofstream(path) << "an older, longer, world-readable file";
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  ASSERT_TRUE(WritePem(path, "second").ok());
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  EXPECT_EQ(contents.str(), "second");
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_FALSE(WritePem(dir.path() + "/missing/key.pem", "x").ok());
}

}  // namespace
}  // namespace agreements::testing
