// Fills a request message from HTTP text: path variables and query parameters name
// fields by their proto names, dotted for nested fields ("identifier.scheme",
// "as_of.position", "filter.sectors"). A repeated field takes the parameter once per
// value. Values are written as people write them: enums by short or full name
// ("in_force" or AGREEMENT_STATUS_IN_FORCE), legal dates as 2009, 2009-05 or
// 2009-05-13, timestamps in RFC 3339, bytes in base64, booleans as true/false, and any
// other message as its proto3 JSON. Errors are INVALID_ARGUMENT naming the parameter.
#ifndef AGREEMENTS_GATEWAY_REQUEST_BINDING_H_
#define AGREEMENTS_GATEWAY_REQUEST_BINDING_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace agreements::gateway {

// Sets each (field path, value) on `request`. A path that names no field, a value that
// does not parse, or a second value for a field that is not repeated is an error.
absl::Status BindRequest(const std::vector<std::pair<std::string, std::string>>& params,
                         google::protobuf::Message& request);

}  // namespace agreements::gateway

#endif  // AGREEMENTS_GATEWAY_REQUEST_BINDING_H_
