// JSON string literals for the places that write JSON by hand (log records, error bodies,
// CLI and bench lines): quotes, backslashes and control characters escaped; other bytes
// (UTF-8 included) as they are.
#ifndef AGREEMENTS_COMMON_JSON_TEXT_H_
#define AGREEMENTS_COMMON_JSON_TEXT_H_

#include <string>

#include "absl/strings/string_view.h"

namespace agreements {

// Appends `text` as a JSON string literal, quotes included.
void AppendJsonString(std::string& out, absl::string_view text);
// `text` as a JSON string literal, quotes included.
std::string JsonQuote(absl::string_view text);

}  // namespace agreements

#endif  // AGREEMENTS_COMMON_JSON_TEXT_H_
