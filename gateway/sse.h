// Server-sent events (text/event-stream) from the feed's stream messages. Each message
// becomes one event named after the member of its `kind` oneof ("event", "checkpoint",
// "caught_up", "update" ...), with that member in proto3 JSON as its data. The event's id
// is the global position a client resumes after (Last-Event-ID): an event's position, a
// checkpoint's or caught-up position, a sector update's or removal's position. Messages
// that are not a resume point (the initial snapshot of a sector view, "fell_behind")
// carry no id, so a client that reconnects in the middle of a snapshot starts it again
// and never skips part of it (docs/http.md).
#ifndef AGREEMENTS_GATEWAY_SSE_H_
#define AGREEMENTS_GATEWAY_SSE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "google/protobuf/message.h"

namespace agreements::gateway {

// The member set in `response`'s `kind` oneof; null when none is.
const google::protobuf::Message* KindMember(const google::protobuf::Message& response,
                                            std::string* name);
// The position a client resumes after once it received `member` (named `name`).
std::optional<uint64_t> ResumePoint(const google::protobuf::Message& member,
                                    const std::string& name);
// One SSE frame for a stream response; "" when it has no member set.
std::string SseFrame(const google::protobuf::Message& response);
// The frame that ends a stream with an error (event "error", data ErrorJson).
std::string SseErrorFrame(const std::string& error_json);

}  // namespace agreements::gateway

#endif  // AGREEMENTS_GATEWAY_SSE_H_
