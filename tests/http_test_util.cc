#include "tests/http_test_util.h"

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace agreements::testing {

HttpAnswer HttpGet(httplib::Client& client, const std::string& path,
                   const httplib::Headers& headers) {
  HttpAnswer answer;
  httplib::Result result = client.Get(path.c_str(), headers);
  if (!result) return answer;
  answer.status = result->status;
  answer.body = result->body;
  for (const auto& [key, value] : result->headers) answer.headers[key] = value;
  return answer;
}

namespace {

// Adds the complete frames of `buffer` to `events` and keeps the rest.
void TakeFrames(std::string& buffer, std::vector<SseEvent>& events) {
  size_t end;
  while ((end = buffer.find("\n\n")) != std::string::npos) {
    const std::string frame = buffer.substr(0, end);
    buffer.erase(0, end + 2);
    SseEvent event;
    bool any = false;
    for (absl::string_view line : absl::StrSplit(frame, '\n')) {
      if (absl::ConsumePrefix(&line, "id: ")) {
        event.id = std::string(line);
        any = true;
      } else if (absl::ConsumePrefix(&line, "event: ")) {
        event.name = std::string(line);
        any = true;
      } else if (absl::ConsumePrefix(&line, "data: ")) {
        event.data += std::string(line);
        any = true;
      }
    }
    if (any) events.push_back(std::move(event));
  }
}

}  // namespace

std::vector<SseEvent> ReadSse(httplib::Client& client, const std::string& path,
                              const httplib::Headers& headers, size_t max_events) {
  std::vector<SseEvent> events;
  std::string buffer;
  client.Get(path.c_str(), headers, [&](const char* data, size_t length) {
    buffer.append(data, length);
    TakeFrames(buffer, events);
    if (events.size() >= max_events) {
      events.resize(max_events);
      return false;
    }
    return true;
  });
  return events;
}

std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      ++i;
    } else {
      field.push_back(c);
    }
  }
  return rows;
}

}  // namespace agreements::testing
