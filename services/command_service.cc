#include "services/command_service.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"

namespace agreements::services {
namespace {

namespace v1 = ::agreements::v1;

store::CommitRequest MakeRequest(const Caller& caller,
                                 const v1::CommandContext& command_context,
                                 std::vector<v1::Command> commands) {
  store::CommitRequest request;
  request.request_id = command_context.request_id();
  request.correlation_id = command_context.correlation_id();
  request.causation_id = command_context.causation_id();
  request.reason = command_context.reason();
  request.actor = caller.principal;
  request.actor_authenticated = caller.authenticated();
  request.writable_sectors = security::WritableSectors(caller.grants);
  request.commands = std::move(commands);
  return request;
}

// The domain names fields from the command ("change.party_registered.party.names[0]");
// a client of RegisterParty knows them as "party.names[0]". Rewrites the leading path.
absl::Status RenameField(const absl::Status& status, absl::string_view from,
                         absl::string_view to) {
  if (status.ok() || !absl::StartsWith(status.message(), from)) return status;
  return absl::Status(status.code(),
                      absl::StrCat(to, status.message().substr(from.size())));
}

// Field-path prefixes to rewrite, (from, to), first match wins.
using Renames = std::vector<std::pair<std::string, std::string>>;

// Submits and finishes the RPC from the committer's answer. `fill` copies the outcome
// into the response; it runs on the committer's responder thread and must not block.
template <typename Fill>
grpc::ServerUnaryReactor* Submit(store::Committer* committer, AccessControl* access,
                                 grpc::CallbackServerContext* context,
                                 store::CommitRequest request, Renames renames,
                                 Fill fill) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  renames.emplace_back("request_id", "context.request_id");
  committer->Submit(
      std::move(request), [reactor, access, fill, renames = std::move(renames)](
                              absl::StatusOr<store::CommitOutcome> outcome) {
        if (!outcome.ok()) {
          absl::Status status = outcome.status();
          if (absl::IsPermissionDenied(status)) {
            access->CountDenial(
                security::PermissionName(security::Permission::kAgreementsWrite));
          }
          for (const auto& [from, to] : renames) {
            absl::Status renamed = RenameField(status, from, to);
            if (renamed.message() != status.message()) {
              status = renamed;
              break;
            }
          }
          reactor->Finish(ToGrpcStatus(status));
          return;
        }
        fill(*std::move(outcome));
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

grpc::ServerUnaryReactor* Reject(grpc::CallbackServerContext* context,
                                 const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

}  // namespace

grpc::ServerUnaryReactor* CommandService::RecordAgreement(
    grpc::CallbackServerContext* context, const v1::RecordAgreementRequest* request,
    v1::RecordAgreementResponse* response) {
  absl::StatusOr<Caller> caller =
      access_->Authorize(*context, security::Permission::kAgreementsWrite);
  if (!caller.ok()) return Reject(context, caller.status());
  v1::Command command;
  command.set_stream_type(v1::STREAM_TYPE_AGREEMENT);
  // stream_id stays empty: the committer takes the id from the payload, so errors name
  // the request's own field (agreement.id).
  auto* recorded = command.mutable_change()->mutable_agreement_recorded();
  *recorded->mutable_agreement() = request->agreement();
  recorded->set_initial_status(request->initial_status());
  return Submit(
      committer_, access_, context, MakeRequest(*caller, request->context(), {command}),
      {{"change.agreement_recorded.", ""}}, [response](store::CommitOutcome outcome) {
        *response->mutable_result() = std::move(outcome.result);
        if (!outcome.agreements.empty()) {
          *response->mutable_agreement() = *outcome.agreements[0];
        }
      });
}

grpc::ServerUnaryReactor* CommandService::ApplyAgreementChange(
    grpc::CallbackServerContext* context, const v1::ApplyAgreementChangeRequest* request,
    v1::ApplyAgreementChangeResponse* response) {
  absl::StatusOr<Caller> caller =
      access_->Authorize(*context, security::Permission::kAgreementsWrite);
  if (!caller.ok()) return Reject(context, caller.status());
  const auto kind = request->change().kind_case();
  if (kind == v1::EventPayload::kAgreementRecorded) {
    return Reject(context, absl::InvalidArgumentError(
                               "change: agreement_recorded is not a change; use "
                               "RecordAgreement"));
  }
  if (kind == v1::EventPayload::kPartyRegistered ||
      kind == v1::EventPayload::kPartyUpdated) {
    return Reject(context, absl::InvalidArgumentError(
                               "change: party events are not agreement changes; use "
                               "RegisterParty or UpdateParty"));
  }
  if (request->agreement_id().empty()) {
    return Reject(context, absl::InvalidArgumentError("agreement_id: required"));
  }
  v1::Command command;
  command.set_stream_type(v1::STREAM_TYPE_AGREEMENT);
  command.set_stream_id(request->agreement_id());
  *command.mutable_expected_revision() = request->expected_revision();
  *command.mutable_change() = request->change();
  return Submit(
      committer_, access_, context, MakeRequest(*caller, request->context(), {command}),
      {{"stream_id", "agreement_id"}}, [response](store::CommitOutcome outcome) {
        *response->mutable_result() = std::move(outcome.result);
        if (!outcome.agreements.empty()) {
          *response->mutable_agreement() = *outcome.agreements[0];
        }
      });
}

grpc::ServerUnaryReactor* CommandService::RegisterParty(
    grpc::CallbackServerContext* context, const v1::RegisterPartyRequest* request,
    v1::RegisterPartyResponse* response) {
  absl::StatusOr<Caller> caller =
      access_->Authorize(*context, security::Permission::kPartiesWrite);
  if (!caller.ok()) return Reject(context, caller.status());
  v1::Command command;
  command.set_stream_type(v1::STREAM_TYPE_PARTY);
  *command.mutable_change()->mutable_party_registered()->mutable_party() =
      request->party();
  return Submit(
      committer_, access_, context, MakeRequest(*caller, request->context(), {command}),
      {{"change.party_registered.", ""}}, [response](store::CommitOutcome outcome) {
        *response->mutable_result() = std::move(outcome.result);
        if (!outcome.parties.empty()) {
          *response->mutable_party() = *outcome.parties[0];
        }
      });
}

grpc::ServerUnaryReactor* CommandService::UpdateParty(
    grpc::CallbackServerContext* context, const v1::UpdatePartyRequest* request,
    v1::UpdatePartyResponse* response) {
  absl::StatusOr<Caller> caller =
      access_->Authorize(*context, security::Permission::kPartiesWrite);
  if (!caller.ok()) return Reject(context, caller.status());
  if (request->party().id().empty()) {
    return Reject(context, absl::InvalidArgumentError("party.id: required"));
  }
  v1::Command command;
  command.set_stream_type(v1::STREAM_TYPE_PARTY);
  command.set_stream_id(request->party().id());
  *command.mutable_expected_revision() = request->expected_revision();
  auto* updated = command.mutable_change()->mutable_party_updated();
  *updated->mutable_party() = request->party();
  *updated->mutable_update_mask() = request->update_mask();
  return Submit(committer_, access_, context,
                MakeRequest(*caller, request->context(), {command}),
                {{"change.party_updated.", ""}, {"stream_id", "party.id"}},
                [response](store::CommitOutcome outcome) {
                  *response->mutable_result() = std::move(outcome.result);
                  if (!outcome.parties.empty()) {
                    *response->mutable_party() = *outcome.parties[0];
                  }
                });
}

grpc::ServerUnaryReactor* CommandService::ExecuteBatch(
    grpc::CallbackServerContext* context, const v1::ExecuteBatchRequest* request,
    v1::ExecuteBatchResponse* response) {
  // A batch costs one call of the caller's rate per command.
  absl::StatusOr<Caller> caller =
      access_->Authenticate(*context, std::max(1, request->commands_size()));
  if (!caller.ok()) return Reject(context, caller.status());
  // Each kind of command in the batch needs its own permission.
  bool parties = false;
  bool agreements = request->commands().empty();
  for (const v1::Command& command : request->commands()) {
    (command.stream_type() == v1::STREAM_TYPE_PARTY ? parties : agreements) = true;
  }
  for (const auto& [needed, permission] :
       {std::make_pair(agreements, security::Permission::kAgreementsWrite),
        std::make_pair(parties, security::Permission::kPartiesWrite)}) {
    if (needed) {
      absl::Status allowed = access_->Check(*caller, permission);
      if (!allowed.ok()) return Reject(context, allowed);
    }
  }
  std::vector<v1::Command> commands(request->commands().begin(),
                                    request->commands().end());
  return Submit(committer_, access_, context,
                MakeRequest(*caller, request->context(), std::move(commands)), {},
                [response](store::CommitOutcome outcome) {
                  *response->mutable_result() = std::move(outcome.result);
                });
}

}  // namespace agreements::services
