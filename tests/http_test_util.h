// HTTP helpers of the tests of the HTTP API: plain GETs, server-sent events read frame
// by frame, and CSV parsed by RFC 4180.
#ifndef AGREEMENTS_TESTS_HTTP_TEST_UTIL_H_
#define AGREEMENTS_TESTS_HTTP_TEST_UTIL_H_

#include <httplib.h>

#include <map>
#include <string>
#include <vector>

namespace agreements::testing {

struct HttpAnswer {
  int status = 0;  // 0: no answer
  std::string body;
  std::map<std::string, std::string> headers;
};

HttpAnswer HttpGet(httplib::Client& client, const std::string& path,
                   const httplib::Headers& headers = {});

struct SseEvent {
  std::string id;
  std::string name;
  std::string data;
};

// Reads `path` as an event stream until `max_events` frames arrived (comments are not
// frames), the stream ended, or nothing came for the client's read timeout; then drops
// the connection.
std::vector<SseEvent> ReadSse(httplib::Client& client, const std::string& path,
                              const httplib::Headers& headers, size_t max_events);

// Rows of RFC 4180 CSV ("\r\n" line ends, quoted fields with doubled quotes).
std::vector<std::vector<std::string>> ParseCsv(const std::string& text);

}  // namespace agreements::testing

#endif  // AGREEMENTS_TESTS_HTTP_TEST_UTIL_H_
