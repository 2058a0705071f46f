// Request checks and reads shared by the AuditService's files (audit_service.cc,
// audit_valid_time.cc). Not API. Thread-safe.
#ifndef AGREEMENTS_SERVICES_AUDIT_INTERNAL_H_
#define AGREEMENTS_SERVICES_AUDIT_INTERNAL_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agreements/v1/events.pb.h"
#include "agreements/v1/types.pb.h"
#include "store/store.h"

namespace agreements::services::audit_internal {

// INVALID_ARGUMENT "<field>: must be 1 to 63 ..." unless `id` is a registry id.
absl::Status CheckId(absl::string_view field, const std::string& id);
// INVALID_ARGUMENT unless `sector` is a registry sector.
absl::Status CheckSector(const std::string& sector);
// INVALID_ARGUMENT "date: required" or the rule the date breaks.
absl::Status CheckDate(const agreements::v1::Date& date);

// The history of an agreement up to a transaction-time position; NOT_FOUND when it had
// no event by then.
absl::StatusOr<std::vector<agreements::v1::Event>> AgreementHistoryAsOf(
    const store::Store* store, const rocksdb::Snapshot* snapshot, const std::string& id,
    uint64_t position);

}  // namespace agreements::services::audit_internal

#endif  // AGREEMENTS_SERVICES_AUDIT_INTERNAL_H_
