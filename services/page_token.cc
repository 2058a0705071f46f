#include "services/page_token.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/sha256.h"
#include "store/store.h"

namespace agreements::services {
namespace {

constexpr char kVersion[] = "v1";

std::string FilterFingerprint(const google::protobuf::Message& filters) {
  return DigestHex(Sha256::Hash(store::SerializeDeterministic(filters))).substr(0, 16);
}

}  // namespace

std::string EncodePageToken(const google::protobuf::Message& filters,
                            const std::string& after) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(kVersion, "\n", FilterFingerprint(filters), "\n", after));
}

absl::StatusOr<std::string> DecodePageToken(const google::protobuf::Message& filters,
                                            const std::string& token) {
  if (token.empty()) return std::string();
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) {
    return absl::InvalidArgumentError("page_token: not a token issued by this service");
  }
  std::vector<std::string> parts = absl::StrSplit(raw, absl::MaxSplits('\n', 2));
  if (parts.size() != 3 || parts[0] != kVersion || parts[2].empty()) {
    return absl::InvalidArgumentError("page_token: not a token issued by this service");
  }
  if (parts[1] != FilterFingerprint(filters)) {
    return absl::InvalidArgumentError(
        "page_token: issued for other filters; repeat the request's filters unchanged");
  }
  return parts[2];
}

}  // namespace agreements::services
