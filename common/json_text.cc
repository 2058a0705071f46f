#include "common/json_text.h"

#include "absl/strings/str_format.h"

namespace agreements {

void AppendJsonString(std::string& out, absl::string_view text) {
  out.push_back('"');
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (byte < 0x20 || byte == 0x7f) {
          absl::StrAppendFormat(&out, "\\u%04x", byte);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

std::string JsonQuote(absl::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

}  // namespace agreements
