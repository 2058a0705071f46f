// Fuzz target of the List RPCs' page tokens (services/page_token.h): every token a
// server decodes comes from a client. There is one token form (version '3', sealed with
// AES-256-GCM); the codec here has a fixed key.
//
// The first byte picks a mode (FuzzInput::Choice):
//   '0' <principal>\n<clearance>\n<sector>\n<token>   decodes the token as given
//   '1' <values>                                       encode, then decode
//   '2' <principal>\n<clearance>\n<sector>\n<bytes>   decodes the web-safe base64 of the
//                                                      bytes (a token of any content)
// <clearance> is "*" (everything) or a comma-separated sector list.
// Properties: decoding never crashes; an empty token is ""; any other failure is
// INVALID_ARGUMENT naming page_token; what decodes is a position of at most
// kSealedBytes - 1 bytes that encodes and decodes again to itself. Encode then decode
// returns `after`, for the same owner, RPC and filters (also after the filters went
// through the wire), and fails for another owner, RPC, filter, key or a changed bit;
// every token has the same length, and two tokens of the same position differ.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agreements/v1/query_service.pb.h"
#include "common/fuzz/fuzz_input.h"
#include "domain/confidentiality.h"
#include "google/protobuf/stubs/logging.h"
#include "services/page_token.h"

namespace agreements::services {
namespace {

namespace v1 = ::agreements::v1;
using fuzz::Describe;
using fuzz::FuzzInput;

const PageTokenCodec& Codec() {
  static const PageTokenCodec* const codec =
      new PageTokenCodec(PageTokenCodec::Key{'f', 'u', 'z', 'z', 1, 2, 3, 4});
  return *codec;
}

const PageTokenCodec& OtherCodec() {
  static const PageTokenCodec* const codec =
      new PageTokenCodec(PageTokenCodec::Key{'o', 't', 'h', 'e', 'r'});
  return *codec;
}

// "*" for everything, else the sectors. Sectors are registry sectors in the server, so
// never "*", which would read as the owner of a clearance of everything.
domain::Clearance ClearanceOf(const std::string& text) {
  if (text == "*") return domain::Clearance::All();
  std::vector<std::string> sectors;
  for (absl::string_view sector : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    if (sector != "*") sectors.emplace_back(sector);
  }
  return domain::Clearance::PublicAnd(std::move(sectors));
}

void CheckRefused(const absl::StatusOr<std::string>& decoded, absl::string_view what) {
  FUZZ_CHECK(absl::IsInvalidArgument(decoded.status()) &&
                 absl::StrContains(decoded.status().message(), "page_token"),
             absl::StrCat(what, ": ",
                          decoded.ok() ? "decoded \"" + absl::CHexEscape(*decoded) + "\""
                                       : Describe(decoded.status())));
}

// Decodes `token` for the owner and filters of the input's text lines.
void CheckDecode(FuzzInput& input, bool raw_token) {
  const std::string principal = input.Line();
  const std::string owner = TokenOwner(principal, ClearanceOf(input.Line()));
  v1::ListAgreementsRequest filters;
  filters.set_sector(input.Line());
  const std::string token =
      raw_token ? absl::WebSafeBase64Escape(input.Rest()) : input.Rest();
  absl::StatusOr<std::string> after = Codec().Decode(owner, filters, token);
  if (token.empty()) {
    FUZZ_CHECK(after.ok() && after->empty(), "an empty token is \"\"");
    return;
  }
  if (!after.ok()) {
    CheckRefused(after, "a token that does not decode");
    return;
  }
  FUZZ_CHECK(after->size() < PageTokenCodec::kSealedBytes, absl::StrCat(after->size()));
  absl::StatusOr<std::string> again =
      Codec().Decode(owner, filters, Codec().Encode(owner, filters, *after));
  FUZZ_CHECK(again.ok() && *again == *after, "a decoded position encodes again");
  CheckRefused(
      Codec().Decode(TokenOwner(principal + "x", ClearanceOf("*")), filters, token),
      "another owner");
}

std::string FlipBit(const std::string& token, FuzzInput& input) {
  std::string raw;
  FUZZ_CHECK(absl::WebSafeBase64Unescape(token, &raw), token);
  raw[input.Below(raw.size())] ^= static_cast<char>(1 << (input.Byte() % 8));
  return absl::WebSafeBase64Escape(raw);
}

size_t TokenLength() {
  static const size_t length = Codec().Encode("", v1::ListAgreementsRequest(), "").size();
  return length;
}

void CheckRoundTrip(FuzzInput& input) {
  const std::string principal = input.String();
  const domain::Clearance clearance = ClearanceOf(input.String());
  const std::string owner = TokenOwner(principal, clearance);
  v1::ListAgreementsRequest filters;
  if (!filters.ParseFromString(input.String())) filters.Clear();
  // As the services do: the filters are the request without its paging fields.
  filters.clear_page_token();
  filters.clear_page_size();
  filters.clear_min_position();
  const std::string after = input.Bytes(input.Byte() % PageTokenCodec::kSealedBytes);

  const std::string token = Codec().Encode(owner, filters, after);
  FUZZ_CHECK(token.size() == TokenLength(),
             absl::StrCat(token.size(), " vs ", TokenLength()));
  absl::StatusOr<std::string> decoded = Codec().Decode(owner, filters, token);
  FUZZ_CHECK(decoded.ok() && *decoded == after,
             decoded.ok() ? absl::CHexEscape(*decoded) : Describe(decoded.status()));
  v1::ListAgreementsRequest received;
  FUZZ_CHECK(received.ParseFromString(filters.SerializeAsString()), "filters parse");
  decoded = Codec().Decode(owner, received, token);
  FUZZ_CHECK(decoded.ok() && *decoded == after, "filters that went through the wire");
  FUZZ_CHECK(Codec().Encode(owner, filters, after) != token, "two equal tokens");

  CheckRefused(Codec().Decode(TokenOwner(principal + "x", clearance), filters, token),
               "another principal");
  CheckRefused(
      Codec().Decode(TokenOwner(principal, ClearanceOf(clearance.all ? "" : "*")),
                     filters, token),
      "another clearance");
  v1::ListAgreementsRequest other = filters;
  other.set_registration_due(!filters.registration_due());
  CheckRefused(Codec().Decode(owner, other, token), "other filters");
  CheckRefused(Codec().Decode(owner, v1::ListPartiesRequest(), token), "another RPC");
  CheckRefused(OtherCodec().Decode(owner, filters, token), "another key");
  CheckRefused(Codec().Decode(owner, filters, FlipBit(token, input)), "a changed bit");
}

}  // namespace
}  // namespace agreements::services

// Protobuf logs each string field with invalid UTF-8 it refuses to parse; the fuzzer
// makes many.
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  agreements::fuzz::FuzzInput input(data, size);
  switch (input.Choice(3)) {
    case 0:
      agreements::services::CheckDecode(input, /*raw_token=*/false);
      break;
    case 1:
      agreements::services::CheckRoundTrip(input);
      break;
    default:
      agreements::services::CheckDecode(input, /*raw_token=*/true);
      break;
  }
  return 0;
}
