// The rows of the exports (docs/http.md): agreements, participations (one row per
// agreement and participant) and events, as CSV (RFC 4180, a header line first) or JSON
// Lines. CSV cells are flat text: enums by their short names ("in_force"), legal dates
// at their precision ("2010-03"), amounts as "USD 1500000.5 financing", lists joined
// with "; ". JSON Lines of agreements and events are the whole messages in proto3 JSON;
// participations, which have no message of their own, are the CSV's columns as a JSON
// object.
#ifndef AGREEMENTS_GATEWAY_EXPORT_ROWS_H_
#define AGREEMENTS_GATEWAY_EXPORT_ROWS_H_

#include <string>
#include <vector>

#include "agreements/v1/agreement.pb.h"
#include "agreements/v1/events.pb.h"
#include "gateway/routes.h"

namespace agreements::gateway {

// The CSV header line (with "\r\n"); "" for JSON Lines.
std::string ExportHeader(ExportRows rows, ExportFormat format);
// The lines for one agreement (agreements: one; participations: one per participant).
std::string AgreementLines(const agreements::v1::Agreement& agreement, ExportRows rows,
                           ExportFormat format);
std::string EventLine(const agreements::v1::Event& event, ExportFormat format);
// One CSV field, quoted when it must be.
std::string CsvField(const std::string& text);

}  // namespace agreements::gateway

#endif  // AGREEMENTS_GATEWAY_EXPORT_ROWS_H_
