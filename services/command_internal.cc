#include "services/command_internal.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/error_info.h"

namespace agreements::services::command_internal {
namespace {

namespace v1 = ::agreements::v1;

// The domain names fields from the command ("change.party_registered.party.names[0]");
// a client of RegisterParty knows them as "party.names[0]". Rewrites the leading path.
absl::Status RenameField(const absl::Status& status, absl::string_view from,
                         absl::string_view to) {
  return errors::RenamedField(status, from, to);
}

}  // namespace

store::CommitRequest MakeCommitRequest(const Caller& caller,
                                       const v1::CommandContext& context,
                                       std::vector<v1::Command> commands) {
  store::CommitRequest request;
  request.request_id = context.request_id();
  request.correlation_id = context.correlation_id();
  request.causation_id = context.causation_id();
  request.reason = context.reason();
  request.actor = caller.principal;
  request.actor_authenticated = caller.authenticated();
  request.writable_sectors = security::WritableSectors(caller.grants);
  request.commands = std::move(commands);
  return request;
}

int64_t BatchCost(const v1::ExecuteBatchRequest& batch) {
  return std::max(1, batch.commands_size());
}

absl::Status CheckBatchPermissions(AccessControl& access, const Caller& caller,
                                   const v1::ExecuteBatchRequest& batch) {
  bool parties = false;
  bool agreements = batch.commands().empty();
  for (const v1::Command& command : batch.commands()) {
    (command.stream_type() == v1::STREAM_TYPE_PARTY ? parties : agreements) = true;
  }
  if (agreements) {
    absl::Status allowed = access.Check(caller, security::Permission::kAgreementsWrite);
    if (!allowed.ok()) return allowed;
  }
  if (parties) return access.Check(caller, security::Permission::kPartiesWrite);
  return absl::OkStatus();
}

absl::Status CommitError(AccessControl& access, const absl::Status& status,
                         const Renames& renames) {
  if (absl::IsPermissionDenied(status)) {
    access.CountDenial(security::PermissionName(security::Permission::kAgreementsWrite));
  }
  for (const auto& [from, to] : renames) {
    absl::Status renamed = RenameField(status, from, to);
    if (renamed.message() != status.message()) return renamed;
  }
  return RenameField(status, "request_id", "context.request_id");
}

bool WantsStates(v1::ResponseView view, bool full_by_default) {
  return view == v1::RESPONSE_VIEW_FULL ||
         (view == v1::RESPONSE_VIEW_UNSPECIFIED && full_by_default);
}

void FillBatchResponse(store::CommitOutcome outcome, bool states,
                       v1::ExecuteBatchResponse& response) {
  *response.mutable_result() = std::move(outcome.result);
  if (!states) return;
  for (const auto& agreement : outcome.agreements)
    *response.add_agreements() = *agreement;
  for (const auto& party : outcome.parties) *response.add_parties() = *party;
}

}  // namespace agreements::services::command_internal
