// What the unary RPCs of CommandService and its ExecuteBatchStream share: building the
// store's CommitRequest, the permissions a batch needs, the status of a failed commit as
// the client should see it, and the response views. Not API: used by
// command_service.cc and command_stream.cc only.
#ifndef AGREEMENTS_SERVICES_COMMAND_INTERNAL_H_
#define AGREEMENTS_SERVICES_COMMAND_INTERNAL_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "agreements/v1/command_service.pb.h"
#include "services/access_control.h"
#include "store/committer.h"

namespace agreements::services::command_internal {

// The commit request of `commands` on behalf of `caller`, with the context's ids and
// reason; the actor is the caller and its sectors limit what the request may write.
store::CommitRequest MakeCommitRequest(const Caller& caller,
                                       const agreements::v1::CommandContext& context,
                                       std::vector<agreements::v1::Command> commands);

// How many calls of the caller's rate a batch costs: one per command, at least one.
int64_t BatchCost(const agreements::v1::ExecuteBatchRequest& batch);

// OK when `caller` holds every permission the batch's commands need: agreements.write
// for agreement commands (and for an empty batch, which the committer then refuses),
// parties.write for party commands. Otherwise PERMISSION_DENIED naming the first
// missing one (counted by `access`).
absl::Status CheckBatchPermissions(AccessControl& access, const Caller& caller,
                                   const agreements::v1::ExecuteBatchRequest& batch);

// Field-path prefixes of the domain's messages to rewrite into the request's own names,
// (from, to); the first match wins.
using Renames = std::vector<std::pair<std::string, std::string>>;

// The committer's error as the RPC returns it: a refusal by sector counted as a denial
// of agreements.write, field paths renamed by `renames` and "request_id" by
// "context.request_id".
absl::Status CommitError(AccessControl& access, const absl::Status& status,
                         const Renames& renames);

// Whether a response carries states: RESPONSE_VIEW_FULL, or the RPC's default when the
// view is unspecified (`full_by_default`).
bool WantsStates(agreements::v1::ResponseView view, bool full_by_default);

// The response of ExecuteBatch (and of each request of ExecuteBatchStream): the result,
// and the states when `states` is set; nothing else is copied.
void FillBatchResponse(store::CommitOutcome outcome, bool states,
                       agreements::v1::ExecuteBatchResponse& response);

}  // namespace agreements::services::command_internal

#endif  // AGREEMENTS_SERVICES_COMMAND_INTERNAL_H_
