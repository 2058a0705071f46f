#include "common/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>

#include "absl/strings/escaping.h"

namespace agreements {
namespace {

// The implementation, fetched once (an implicit fetch per digest costs a lock).
const EVP_MD* Sha256Md() {
  static const EVP_MD* const md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) std::abort();  // libcrypto without SHA-256: nothing works
    return fetched;
  }();
  return md;
}

}  // namespace

void Sha256::ContextDeleter::operator()(evp_md_ctx_st* context) const {
  EVP_MD_CTX_free(context);
}

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  if (context_ == nullptr ||
      EVP_DigestInit_ex(context_.get(), Sha256Md(), nullptr) != 1) {
    std::abort();  // out of memory
  }
}

void Sha256::Update(absl::string_view data) {
  EVP_DigestUpdate(context_.get(), data.data(), data.size());
}

Sha256Digest Sha256::Finish() {
  Sha256Digest out;
  unsigned int length = 0;
  EVP_DigestFinal_ex(context_.get(), out.data(), &length);
  return out;
}

Sha256Digest Sha256::Hash(absl::string_view data) {
  Sha256Digest out;
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &length, Sha256Md(), nullptr);
  return out;
}

std::string DigestHex(const Sha256Digest& digest) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

}  // namespace agreements
