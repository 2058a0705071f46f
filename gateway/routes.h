// The HTTP/JSON resources of the registry, in one table: each GET path template names
// the gRPC method that answers it (docs/http.md). Path variables ("{agreement_id}")
// and query parameters fill fields of the method's request; `fixed` fields are set by
// the route itself. The gateway serves every route the same way, by its kind.
#ifndef AGREEMENTS_GATEWAY_ROUTES_H_
#define AGREEMENTS_GATEWAY_ROUTES_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace agreements::gateway {

enum class RouteKind {
  // One request, one JSON document.
  kUnary,
  // A server stream, sent as server-sent events (text/event-stream).
  kEventStream,
  // The rows of a list (every page) or of the feed up to its head, as a file.
  kExport,
};

// What an export writes one row for.
enum class ExportRows { kNone, kAgreements, kParticipations, kEvents };
enum class ExportFormat { kNone, kCsv, kJsonLines };

struct Route {
  std::string pattern;
  // Full method name: "agreements.v1.QueryService.GetAgreement".
  std::string rpc;
  RouteKind kind = RouteKind::kUnary;
  // Request fields the route sets itself (field path, value as in a query parameter).
  std::vector<std::pair<std::string, std::string>> fixed;
  ExportRows rows = ExportRows::kNone;
  ExportFormat format = ExportFormat::kNone;
};

// A field path and the text value for it.
using Binding = std::pair<std::string, std::string>;

struct RouteMatch {
  const Route* route = nullptr;
  // The route's fixed fields, then the path variables (decoded).
  std::vector<Binding> bindings;
};

// Every route, in matching order.
const std::vector<Route>& Routes();

// The route serving `path` (without the query string), with its path variables bound;
// nullopt when none does.
std::optional<RouteMatch> MatchRoute(absl::string_view path);

// "%2F" and friends decoded; nullopt for a malformed escape.
std::optional<std::string> PercentDecode(absl::string_view text);

}  // namespace agreements::gateway

#endif  // AGREEMENTS_GATEWAY_ROUTES_H_
