#include "gateway/routes.h"

#include "absl/strings/str_split.h"

namespace agreements::gateway {
namespace {

constexpr char kQuery[] = "agreements.v1.QueryService.";
constexpr char kAudit[] = "agreements.v1.AuditService.";
constexpr char kFeed[] = "agreements.v1.FeedService.";
constexpr char kSecurity[] = "agreements.v1.SecurityService.";

Route Unary(std::string pattern, std::string rpc,
            std::vector<std::pair<std::string, std::string>> fixed = {}) {
  Route route;
  route.pattern = std::move(pattern);
  route.rpc = std::move(rpc);
  route.fixed = std::move(fixed);
  return route;
}

Route Stream(std::string pattern, std::string rpc) {
  Route route = Unary(std::move(pattern), std::move(rpc));
  route.kind = RouteKind::kEventStream;
  return route;
}

// /v1/exports/<name>.csv and .jsonl, answered by `rpc`.
void AddExports(std::vector<Route>& routes, const std::string& name, std::string rpc,
                ExportRows rows) {
  for (auto [suffix, format] : {std::pair{".csv", ExportFormat::kCsv},
                                std::pair{".jsonl", ExportFormat::kJsonLines}}) {
    Route route = Unary("/v1/exports/" + name + suffix, rpc);
    route.kind = RouteKind::kExport;
    route.rows = rows;
    route.format = format;
    routes.push_back(std::move(route));
  }
}

std::vector<Route> BuildRoutes() {
  const std::string q = kQuery, a = kAudit, f = kFeed, s = kSecurity;
  const std::pair<std::string, std::string> agreement_stream{"stream_type",
                                                             "STREAM_TYPE_AGREEMENT"};
  const std::pair<std::string, std::string> party_stream{"stream_type",
                                                         "STREAM_TYPE_PARTY"};
  std::vector<Route> routes = {
      Unary("/v1/agreements", q + "ListAgreements"),
      Unary("/v1/agreements:lookup", q + "LookupAgreement"),
      Unary("/v1/agreements/{agreement_id}", q + "GetAgreement"),
      Unary("/v1/agreements/{stream_id}/history", a + "ListHistory", {agreement_stream}),
      Unary("/v1/agreements/{agreement_id}/diff", a + "DiffRevisions"),
      Unary("/v1/agreements/{agreement_id}/as-of", a + "GetAgreementAsOf"),
      Unary("/v1/agreements/{agreement_id}/legal-status", a + "GetLegalStatusOn"),
      Unary("/v1/agreements/{stream_id}/completeness-proof", a + "GetCompletenessProof",
            {agreement_stream}),
      Unary("/v1/parties", q + "ListParties"),
      Unary("/v1/parties/{party_id}", q + "GetParty"),
      Unary("/v1/parties/{stream_id}/history", a + "ListHistory", {party_stream}),
      Unary("/v1/parties/{party_id}/as-of", a + "GetPartyAsOf"),
      Unary("/v1/parties/{party_id}/agreements-on", a + "ListPartyAgreementsOn"),
      Unary("/v1/parties/{stream_id}/completeness-proof", a + "GetCompletenessProof",
            {party_stream}),
      Unary("/v1/sectors", q + "ListSectors"),
      Unary("/v1/sectors/{sector}/summary", q + "GetSectorSummary"),
      Unary("/v1/sectors/{sector}/as-of", a + "ListSectorAsOf"),
      Unary("/v1/sectors/{sector}/in-force", a + "ListInForceOn"),
      Unary("/v1/sectors/{sector}/statistics", q + "GetStatistics"),
      Unary("/v1/statistics", q + "GetStatistics"),
      Unary("/v1/parties/{party_id}/statistics", q + "GetStatistics"),
      Stream("/v1/sectors/{sector}/watch", f + "WatchSector"),
      Stream("/v1/events", f + "Subscribe"),
      Unary("/v1/checkpoint", a + "GetCheckpoint"),
      Unary("/v1/proofs/inclusion", a + "GetInclusionProof"),
      Unary("/v1/proofs/consistency", a + "GetConsistencyProof"),
      Unary("/v1/whoami", s + "WhoAmI"),
      Unary("/v1/security/status", s + "GetSecurityStatus"),
  };
  AddExports(routes, "agreements", q + "ListAgreements", ExportRows::kAgreements);
  AddExports(routes, "participations", q + "ListAgreements", ExportRows::kParticipations);
  AddExports(routes, "events", f + "Subscribe", ExportRows::kEvents);
  return routes;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

const std::vector<Route>& Routes() {
  static const std::vector<Route>* routes = new std::vector<Route>(BuildRoutes());
  return *routes;
}

std::optional<std::string> PercentDecode(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = HexValue(text[i + 1]);
    const int low = HexValue(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

std::optional<RouteMatch> MatchRoute(absl::string_view path) {
  const std::vector<absl::string_view> segments = absl::StrSplit(path, '/');
  for (const Route& route : Routes()) {
    const std::vector<absl::string_view> pattern = absl::StrSplit(route.pattern, '/');
    if (pattern.size() != segments.size()) continue;
    RouteMatch match;
    match.route = &route;
    match.bindings.assign(route.fixed.begin(), route.fixed.end());
    bool matched = true;
    for (size_t i = 0; i < pattern.size() && matched; ++i) {
      const absl::string_view part = pattern[i];
      if (part.size() > 2 && part.front() == '{' && part.back() == '}') {
        std::optional<std::string> value = PercentDecode(segments[i]);
        matched = value.has_value() && !value->empty();
        if (matched) {
          match.bindings.emplace_back(std::string(part.substr(1, part.size() - 2)),
                                      *std::move(value));
        }
      } else {
        matched = part == segments[i];
      }
    }
    if (matched) return match;
  }
  return std::nullopt;
}

}  // namespace agreements::gateway
