// Page tokens of the List RPCs: opaque to clients. A token holds the id to continue
// after, encrypted and authenticated (AES-256-GCM) with a key of the server, and bound to
// a fingerprint of the request's filters, so a token cannot be read, forged, or reused
// with other filters. The id may be one the caller cannot see (a page ends where its scan
// ended), which is why it is encrypted (docs/security.md).
#ifndef AGREEMENTS_SERVICES_PAGE_TOKEN_H_
#define AGREEMENTS_SERVICES_PAGE_TOKEN_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace agreements::services {

// Thread-safe and immutable.
class PageTokenCodec {
 public:
  using Key = std::array<uint8_t, 32>;

  // Reads the key file, or creates it with a random key (mode 0600) when absent. Tokens
  // stay valid across restarts as long as the file does.
  static absl::StatusOr<std::unique_ptr<PageTokenCodec>> LoadOrCreate(
      const std::string& path);
  explicit PageTokenCodec(const Key& key) : key_(key) {}

  // `filters` is the request with page_token, page_size and min_position cleared.
  std::string Encode(const google::protobuf::Message& filters,
                     const std::string& after) const;
  // The id to continue after ("" for an empty token). INVALID_ARGUMENT naming page_token
  // when the token is malformed, was issued by another server, or for other filters.
  absl::StatusOr<std::string> Decode(const google::protobuf::Message& filters,
                                     const std::string& token) const;

 private:
  const Key key_;
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_PAGE_TOKEN_H_
