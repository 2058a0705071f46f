// Page tokens of the List RPCs: opaque to clients, they carry the id to continue after
// and a fingerprint of the request's filters, so a token cannot be reused with other
// filters.
#ifndef AGREEMENTS_SERVICES_PAGE_TOKEN_H_
#define AGREEMENTS_SERVICES_PAGE_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace agreements::services {

// `filters` is the request with page_token, page_size and min_position cleared.
std::string EncodePageToken(const google::protobuf::Message& filters,
                            const std::string& after);

// The id to continue after ("" for an empty token). INVALID_ARGUMENT naming page_token
// when the token is malformed or was issued for other filters.
absl::StatusOr<std::string> DecodePageToken(const google::protobuf::Message& filters,
                                            const std::string& token);

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_PAGE_TOKEN_H_
