#include "services/command_service.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "common/grpc_status.h"
#include "services/command_internal.h"
#include "services/command_stream.h"

namespace agreements::services {
namespace {

namespace v1 = ::agreements::v1;
using command_internal::BatchCost;
using command_internal::CheckBatchPermissions;
using command_internal::CommitError;
using command_internal::FillBatchResponse;
using command_internal::MakeCommitRequest;
using command_internal::Renames;
using command_internal::WantsStates;

// Submits and finishes the RPC from the committer's answer. `fill` copies the outcome
// into the response; it runs on the committer's responder thread and must not block.
template <typename Fill>
grpc::ServerUnaryReactor* Submit(store::Committer* committer, AccessControl* access,
                                 grpc::CallbackServerContext* context,
                                 store::CommitRequest request, Renames renames,
                                 Fill fill) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  committer->Submit(
      std::move(request), [reactor, access, context, fill, renames = std::move(renames)](
                              absl::StatusOr<store::CommitOutcome> outcome) {
        if (!outcome.ok()) {
          // A replica names the writer, for clients to follow (docs/cluster.md).
          if (auto writer = outcome.status().GetPayload(store::kWriterPayload)) {
            context->AddTrailingMetadata(kWriterMetadata, std::string(*writer));
          }
          reactor->Finish(ToGrpcStatus(CommitError(*access, outcome.status(), renames)));
          return;
        }
        fill(*std::move(outcome));
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

// The answer of RecordAgreement and ApplyAgreementChange: the result, and the agreement
// unless the view asks for the result only.
template <typename Response>
auto FillAgreement(Response* response, v1::ResponseView view) {
  return [response, full = WantsStates(view, /*full_by_default=*/true)](
             store::CommitOutcome outcome) {
    *response->mutable_result() = std::move(outcome.result);
    if (full && !outcome.agreements.empty()) {
      *response->mutable_agreement() = *outcome.agreements[0];
    }
  };
}

// The answer of RegisterParty and UpdateParty, likewise.
template <typename Response>
auto FillParty(Response* response, v1::ResponseView view) {
  return [response, full = WantsStates(view, /*full_by_default=*/true)](
             store::CommitOutcome outcome) {
    *response->mutable_result() = std::move(outcome.result);
    if (full && !outcome.parties.empty())
      *response->mutable_party() = *outcome.parties[0];
  };
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
  return Submit(committer_, access_, context,
                MakeCommitRequest(*caller, request->context(), {command}),
                {{"change.agreement_recorded.", ""}},
                FillAgreement(response, request->response_view()));
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
  return Submit(committer_, access_, context,
                MakeCommitRequest(*caller, request->context(), {command}),
                {{"stream_id", "agreement_id"}},
                FillAgreement(response, request->response_view()));
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
  return Submit(committer_, access_, context,
                MakeCommitRequest(*caller, request->context(), {command}),
                {{"change.party_registered.", ""}},
                FillParty(response, request->response_view()));
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
                MakeCommitRequest(*caller, request->context(), {command}),
                {{"change.party_updated.", ""}, {"stream_id", "party.id"}},
                FillParty(response, request->response_view()));
}

grpc::ServerUnaryReactor* CommandService::ExecuteBatch(
    grpc::CallbackServerContext* context, const v1::ExecuteBatchRequest* request,
    v1::ExecuteBatchResponse* response) {
  // A batch costs one call of the caller's rate per command.
  absl::StatusOr<Caller> caller = access_->Authenticate(*context, BatchCost(*request));
  if (!caller.ok()) return Reject(context, caller.status());
  absl::Status allowed = CheckBatchPermissions(*access_, *caller, *request);
  if (!allowed.ok()) return Reject(context, allowed);
  std::vector<v1::Command> commands(request->commands().begin(),
                                    request->commands().end());
  const bool states = WantsStates(request->response_view(), /*full_by_default=*/false);
  return Submit(committer_, access_, context,
                MakeCommitRequest(*caller, request->context(), std::move(commands)), {},
                [response, states](store::CommitOutcome outcome) {
                  FillBatchResponse(std::move(outcome), states, *response);
                });
}

grpc::ServerBidiReactor<v1::ExecuteBatchStreamRequest, v1::ExecuteBatchStreamResponse>*
CommandService::ExecuteBatchStream(grpc::CallbackServerContext* context) {
  return new CommandStream(context, committer_, access_, stream_options_);
}

}  // namespace agreements::services
