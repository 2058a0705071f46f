// Human-readable output of the `agreements` tool (-o table and wide): aligned tables and
// key/value blocks for the API's messages. The structured forms (-o json, jsonl, yaml)
// are in cli_output.h.
#ifndef AGREEMENTS_CLIENTS_CLI_FORMAT_H_
#define AGREEMENTS_CLIENTS_CLI_FORMAT_H_

#include <ostream>
#include <string>
#include <vector>

#include "agreements/v1/agreement.pb.h"
#include "agreements/v1/audit_service.pb.h"
#include "agreements/v1/events.pb.h"
#include "agreements/v1/party.pb.h"
#include "agreements/v1/query_service.pb.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/repeated_field.h"
#include "google/protobuf/timestamp.pb.h"

namespace agreements::cli {

namespace v1 = ::agreements::v1;

// A table of text cells printed with aligned columns (widths counted in UTF-8 code
// points). Owns its cells; a value type, not thread-safe.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }
  // Header (upper-cased as given) and rows; the last column is not padded.
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Prints "key  value" lines with the values aligned, skipping empty values. Owns its
// lines; a value type, not thread-safe.
class KeyValueBlock {
 public:
  void Add(std::string key, std::string value);
  void Print(std::ostream& out) const;

 private:
  std::vector<std::pair<std::string, std::string>> lines_;
};

// RFC 3339 in UTC; "-" when unset.
std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp);
// As absl::FormatDuration: "1.5s", "2m", "0".
std::string FormatDuration(const google::protobuf::Duration& duration);
// "12", "12-15", or "-" when the result appended nothing.
std::string FormatPositions(const v1::CommitResult& result);
// The English title, else the first one; "" when there is none.
std::string PreferredText(
    const google::protobuf::RepeatedPtrField<v1::LocalizedText>& texts);

void PrintAgreement(std::ostream& out, const v1::Agreement& agreement);
void PrintAgreementList(
    std::ostream& out,
    const google::protobuf::RepeatedPtrField<v1::Agreement>& agreements);
// -o wide: also the legal nature, arity, entry into force, participants, revision and
// the whole title.
void PrintAgreementListWide(
    std::ostream& out,
    const google::protobuf::RepeatedPtrField<v1::Agreement>& agreements);
void PrintParty(std::ostream& out, const v1::Party& party);
// One party's agreements on a date (AuditService.ListPartyAgreementsOn): one row each,
// then "N agreements" (the count over all pages).
void PrintPartyAgreements(std::ostream& out,
                          const v1::ListPartyAgreementsOnResponse& response);
void PrintPartyList(std::ostream& out,
                    const google::protobuf::RepeatedPtrField<v1::Party>& parties);
// -o wide: also the identifiers, the former country, the revision and every name.
void PrintPartyListWide(std::ostream& out,
                        const google::protobuf::RepeatedPtrField<v1::Party>& parties);
void PrintSectorSummary(std::ostream& out, const v1::SectorSummary& summary);
void PrintSectors(std::ostream& out, const v1::ListSectorsResponse& sectors);
// One row per sector and period with anything in it.
void PrintStatistics(std::ostream& out, const v1::GetStatisticsResponse& statistics);
// The outcome of a command: committed or replayed, positions, and the streams touched.
void PrintCommitResult(std::ostream& out, const v1::CommitResult& result);

}  // namespace agreements::cli

#endif  // AGREEMENTS_CLIENTS_CLI_FORMAT_H_
