// Page tokens of the List RPCs: opaque to clients. A token holds the id to continue
// after, padded to a fixed length, encrypted and authenticated (AES-256-GCM) with a key
// of the server. The authenticated data binds it to the RPC (the request's message type),
// to the request's filters and to its owner (the caller's principal and clearance), so a
// token cannot be read, forged, measured, or reused by another caller, with another RPC
// or with other filters (docs/security.md).
#ifndef AGREEMENTS_SERVICES_PAGE_TOKEN_H_
#define AGREEMENTS_SERVICES_PAGE_TOKEN_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "domain/confidentiality.h"
#include "google/protobuf/message.h"

namespace agreements::services {

// The owner of a caller's tokens: its principal and its clearance, so that a token
// stops working for a principal whose clearance changed.
std::string TokenOwner(absl::string_view principal, const domain::Clearance& clearance);

// Thread-safe and immutable.
class PageTokenCodec {
 public:
  using Key = std::array<uint8_t, 32>;

  // Reads the key file, or creates it with a random key (mode 0600) when absent. Tokens
  // stay valid across restarts as long as the file does.
  static absl::StatusOr<std::unique_ptr<PageTokenCodec>> LoadOrCreate(
      const std::string& path);
  explicit PageTokenCodec(const Key& key) : key_(key) {}

  // Every sealed position takes this many bytes: an id (at most 63), or the sort key a
  // page in an order or of a search ended with (a sort value of at most 65 bytes, a
  // rank byte, separators and the id).
  static constexpr size_t kSealedBytes = 192;

  // `filters` is the request with page_token, page_size and min_position cleared;
  // `owner` names who may use the token (services::TokenOwner). `after` has at most
  // kSealedBytes - 1 bytes.
  std::string Encode(absl::string_view owner, const google::protobuf::Message& filters,
                     const std::string& after) const;
  // The id to continue after ("" for an empty token). INVALID_ARGUMENT naming page_token
  // when the token is malformed, was issued by another server, to another owner, for
  // another RPC or for other filters.
  absl::StatusOr<std::string> Decode(absl::string_view owner,
                                     const google::protobuf::Message& filters,
                                     const std::string& token) const;

 private:
  const Key key_;
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_PAGE_TOKEN_H_
