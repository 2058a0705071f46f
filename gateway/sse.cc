#include "gateway/sse.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gateway/json_output.h"

namespace agreements::gateway {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// The uint64 field `name` of `message`, when it has one that is set.
std::optional<uint64_t> UInt64Field(const Message& message, const char* name) {
  const FieldDescriptor* field = message.GetDescriptor()->FindFieldByName(name);
  if (field == nullptr || field->cpp_type() != FieldDescriptor::CPPTYPE_UINT64 ||
      field->is_repeated()) {
    return std::nullopt;
  }
  const uint64_t value = message.GetReflection()->GetUInt64(message, field);
  if (value == 0) return std::nullopt;
  return value;
}

std::optional<uint64_t> EventPosition(const Message& event) {
  const FieldDescriptor* envelope = event.GetDescriptor()->FindFieldByName("envelope");
  if (envelope == nullptr) return std::nullopt;
  return UInt64Field(event.GetReflection()->GetMessage(event, envelope), "position");
}

}  // namespace

const Message* KindMember(const Message& response, std::string* name) {
  const google::protobuf::OneofDescriptor* kind =
      response.GetDescriptor()->FindOneofByName("kind");
  if (kind == nullptr) return nullptr;
  const FieldDescriptor* field =
      response.GetReflection()->GetOneofFieldDescriptor(response, kind);
  if (field == nullptr || field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
    return nullptr;
  }
  *name = field->name();
  return &response.GetReflection()->GetMessage(response, field);
}

std::optional<uint64_t> ResumePoint(const Message& member, const std::string& name) {
  if (name == "fell_behind") return std::nullopt;
  if (name == "event") return EventPosition(member);
  if (name == "events") {
    const FieldDescriptor* events = member.GetDescriptor()->FindFieldByName("events");
    const int count = member.GetReflection()->FieldSize(member, events);
    if (count == 0) return std::nullopt;
    return EventPosition(
        member.GetReflection()->GetRepeatedMessage(member, events, count - 1));
  }
  const FieldDescriptor* snapshot = member.GetDescriptor()->FindFieldByName("snapshot");
  if (snapshot != nullptr && member.GetReflection()->GetBool(member, snapshot)) {
    return std::nullopt;
  }
  return UInt64Field(member, "position");
}

std::string SseFrame(const Message& response) {
  std::string name;
  const Message* member = KindMember(response, &name);
  if (member == nullptr) return "";
  std::string frame;
  if (std::optional<uint64_t> position = ResumePoint(*member, name)) {
    absl::StrAppend(&frame, "id: ", *position, "\n");
  }
  // JSON from MessageJson is one line; the data field must not hold a raw newline.
  absl::StrAppend(&frame, "event: ", name,
                  "\ndata: ", absl::StrReplaceAll(MessageJson(*member), {{"\n", ""}}),
                  "\n\n");
  return frame;
}

std::string SseErrorFrame(const std::string& error_json) {
  return absl::StrCat(
      "event: error\ndata: ", absl::StrReplaceAll(error_json, {{"\n", ""}}), "\n\n");
}

}  // namespace agreements::gateway
