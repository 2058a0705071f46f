// The gateway's JSON: the proto3 JSON mapping, written by protobuf's own printer, with
// the proto field names (as in the .proto files and in error messages) and enum names.
// Fields at their default value are left out, as the mapping specifies.
#ifndef AGREEMENTS_GATEWAY_JSON_OUTPUT_H_
#define AGREEMENTS_GATEWAY_JSON_OUTPUT_H_

#include <string>

#include "google/protobuf/message.h"

namespace agreements::gateway {

// One line, no trailing newline.
std::string MessageJson(const google::protobuf::Message& message);

}  // namespace agreements::gateway

#endif  // AGREEMENTS_GATEWAY_JSON_OUTPUT_H_
