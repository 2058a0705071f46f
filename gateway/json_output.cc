#include "gateway/json_output.h"

#include "google/protobuf/util/json_util.h"

namespace agreements::gateway {

std::string MessageJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  // Printing a generated message cannot fail (no Any with an unknown type in the API).
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

}  // namespace agreements::gateway
