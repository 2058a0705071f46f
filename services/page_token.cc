#include "services/page_token.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/sha256.h"
#include "security/pem.h"
#include "store/store.h"

namespace agreements::services {
namespace {

constexpr char kVersion = '3';
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

struct CipherFree {
  void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};
using CipherPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherFree>;

// The authenticated data: who, which RPC (each has its own request type), which filters.
Sha256Digest Binding(absl::string_view owner, const google::protobuf::Message& filters) {
  return Sha256::Hash(absl::StrCat(owner.size(), ":", owner, "\n",
                                   filters.GetDescriptor()->full_name(), "\n",
                                   store::SerializeDeterministic(filters)));
}

// Length byte, the position, zeros: every token has the same length.
std::string Pad(const std::string& after) {
  std::string padded(PageTokenCodec::kSealedBytes, '\0');
  const size_t size = std::min(after.size(), PageTokenCodec::kSealedBytes - 1);
  padded[0] = static_cast<char>(size);
  after.copy(padded.data() + 1, size);
  return padded;
}

absl::Status Malformed() {
  return absl::InvalidArgumentError(
      "page_token: not a token this server issued to this caller for this method and "
      "these filters; repeat the request's filters unchanged, or start without a token");
}

}  // namespace

std::string TokenOwner(absl::string_view principal, const domain::Clearance& clearance) {
  return absl::StrCat(principal, "\n",
                      clearance.all ? "*" : absl::StrJoin(clearance.sectors, ","));
}

absl::StatusOr<std::unique_ptr<PageTokenCodec>> PageTokenCodec::LoadOrCreate(
    const std::string& path) {
  Key key;
  absl::StatusOr<std::string> text = security::ReadSmallFile(path);
  if (text.ok()) {
    if (text->size() != key.size()) {
      return absl::DataLossError(absl::StrCat(path, ": a page token key has ", key.size(),
                                              " bytes, not ", text->size()));
    }
    std::copy(text->begin(), text->end(), key.begin());
    return std::make_unique<PageTokenCodec>(key);
  }
  if (!absl::IsNotFound(text.status())) return text.status();
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    return absl::InternalError("no random bytes for the page token key");
  }
  const std::string temporary = path + ".new";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    chmod(temporary.c_str(), 0600);
    out.write(reinterpret_cast<const char*>(key.data()), key.size());
    if (!out.flush())
      return absl::InternalError(absl::StrCat("cannot write ", temporary));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("cannot create ", path));
  }
  return std::make_unique<PageTokenCodec>(key);
}

std::string PageTokenCodec::Encode(absl::string_view owner,
                                   const google::protobuf::Message& filters,
                                   const std::string& position) const {
  const Sha256Digest fingerprint = Binding(owner, filters);
  const std::string after = Pad(position);
  std::string token(1 + kNonceBytes + after.size() + kTagBytes, '\0');
  token[0] = kVersion;
  auto* bytes = reinterpret_cast<unsigned char*>(token.data());
  unsigned char* nonce = bytes + 1;
  unsigned char* sealed = nonce + kNonceBytes;
  if (RAND_bytes(nonce, kNonceBytes) != 1) {
    // A repeated nonce would break AES-GCM; OpenSSL's generator does not fail once
    // seeded.
    std::abort();
  }
  CipherPtr context(EVP_CIPHER_CTX_new());
  int length = 0;
  EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce);
  EVP_EncryptUpdate(context.get(), nullptr, &length, fingerprint.data(),
                    static_cast<int>(fingerprint.size()));
  EVP_EncryptUpdate(context.get(), sealed, &length,
                    reinterpret_cast<const unsigned char*>(after.data()),
                    static_cast<int>(after.size()));
  EVP_EncryptFinal_ex(context.get(), sealed + length, &length);
  EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                      sealed + after.size());
  return absl::WebSafeBase64Escape(token);
}

absl::StatusOr<std::string> PageTokenCodec::Decode(
    absl::string_view owner, const google::protobuf::Message& filters,
    const std::string& token) const {
  if (token.empty()) return std::string();
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) ||
      raw.size() != 1 + kNonceBytes + kSealedBytes + kTagBytes || raw[0] != kVersion) {
    return Malformed();
  }
  const Sha256Digest fingerprint = Binding(owner, filters);
  auto* bytes = reinterpret_cast<unsigned char*>(raw.data());
  unsigned char* nonce = bytes + 1;
  unsigned char* sealed = nonce + kNonceBytes;
  const size_t size = raw.size() - 1 - kNonceBytes - kTagBytes;
  std::string after(size, '\0');
  CipherPtr context(EVP_CIPHER_CTX_new());
  int length = 0;
  EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce);
  EVP_DecryptUpdate(context.get(), nullptr, &length, fingerprint.data(),
                    static_cast<int>(fingerprint.size()));
  EVP_DecryptUpdate(context.get(), reinterpret_cast<unsigned char*>(after.data()),
                    &length, sealed, static_cast<int>(size));
  EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, sealed + size);
  unsigned char final_block[16];
  if (EVP_DecryptFinal_ex(context.get(), final_block, &length) != 1) return Malformed();
  const size_t used = static_cast<unsigned char>(after[0]);
  if (used >= kSealedBytes) return Malformed();
  return after.substr(1, used);
}

}  // namespace agreements::services
