// AuditService, valid time: the legal status of an agreement on a legal date, the
// agreements of a sector in force (or provisionally applied) on a date, and one party's
// standing in each of its agreements on a date, each optionally as recorded at a
// position or a time (both axes).
#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"
#include "domain/decider.h"
#include "domain/valid_time.h"
#include "domain/validation.h"
#include "services/audit_internal.h"
#include "services/audit_service.h"
#include "store/history.h"
#include "store/view_reader.h"

namespace agreements::services {
namespace {

namespace v1 = ::agreements::v1;
using audit_internal::AgreementHistoryAsOf;
using audit_internal::CheckDate;
using audit_internal::CheckId;
using audit_internal::CheckSector;

v1::StatusNoteKind NoteKind(domain::StatusNote::Kind kind) {
  switch (kind) {
    case domain::StatusNote::Kind::kWithdrawalDue:
      return v1::STATUS_NOTE_KIND_WITHDRAWAL_DUE;
    case domain::StatusNote::Kind::kExpiryDue:
      return v1::STATUS_NOTE_KIND_EXPIRY_DUE;
    case domain::StatusNote::Kind::kBeforeSuccession:
      return v1::STATUS_NOTE_KIND_BEFORE_SUCCESSION;
  }
  return v1::STATUS_NOTE_KIND_UNSPECIFIED;
}

void ToProto(const domain::StatusNote& note, v1::StatusNote* out) {
  out->set_kind(NoteKind(note.kind));
  out->set_party_id(note.party_id);
  *out->mutable_date() = note.date;
  out->set_text(note.text);
}

void ToProto(const domain::ParticipantOnDate& p, v1::ParticipantLegalStatus* out) {
  out->set_party_id(p.party_id);
  out->set_status(p.status);
  out->set_in_force_for(p.in_force_for);
  out->set_provisionally_applying(p.provisionally_applying);
  out->set_period(p.period);
  for (const v1::Reservation& r : p.reservations) *out->add_reservations() = r;
  out->set_succeeded_from(p.succeeded_from);
}

absl::Status CheckPartyRequest(const v1::ListPartyAgreementsOnRequest& request) {
  RETURN_IF_ERROR(CheckId("party_id", request.party_id()));
  if (domain::IsDateSet(request.date())) RETURN_IF_ERROR(CheckDate(request.date()));
  for (int i = 0; i < request.party_statuses_size(); ++i) {
    if (!v1::ParticipationStatus_IsValid(request.party_statuses(i)) ||
        request.party_statuses(i) == v1::PARTICIPATION_STATUS_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat("party_statuses[", i, "]: must be a participation status"));
    }
  }
  if (!v1::PartyCondition_IsValid(request.party_condition())) {
    return absl::InvalidArgumentError("party_condition: unknown value");
  }
  if (request.page_size() < 0) {
    return absl::InvalidArgumentError("page_size: must not be negative");
  }
  return absl::OkStatus();
}

}  // namespace

grpc::Status AuditService::GetLegalStatusOn(grpc::ServerContext* context,
                                            const v1::GetLegalStatusOnRequest* request,
                                            v1::GetLegalStatusOnResponse* response) {
  RETURN_IF_ERROR_GRPC(Admit(*context).status());
  RETURN_IF_ERROR_GRPC(CheckId("agreement_id", request->agreement_id()));
  RETURN_IF_ERROR_GRPC(CheckDate(request->date()));
  store::ScopedSnapshot snapshot(store_->db());
  ASSIGN_OR_RETURN_GRPC(uint64_t position,
                        store::ResolveAsOf(store_, snapshot.get(), request->as_of()));
  ASSIGN_OR_RETURN_GRPC(
      auto history,
      AgreementHistoryAsOf(store_, snapshot.get(), request->agreement_id(), position));
  const domain::LegalStatusOnDate status =
      domain::LegalStatusOn(history, request->date());
  response->set_agreement_id(request->agreement_id());
  *response->mutable_date() = request->date();
  response->set_status(status.status);
  response->set_uncertain(status.uncertain);
  response->set_in_force(status.in_force);
  response->set_provisionally_applied(status.provisionally_applied);
  if (domain::IsDateSet(status.expires_on))
    *response->mutable_expires_on() = status.expires_on;
  for (const auto& participant : status.participants) {
    ToProto(participant, response->add_participants());
  }
  for (const auto& note : status.notes) ToProto(note, response->add_notes());
  response->set_position(position);
  return grpc::Status::OK;
}

grpc::Status AuditService::ListInForceOn(grpc::ServerContext* context,
                                         const v1::ListInForceOnRequest* request,
                                         v1::ListInForceOnResponse* response) {
  RETURN_IF_ERROR_GRPC(Admit(*context).status());
  RETURN_IF_ERROR_GRPC(CheckSector(request->sector()));
  RETURN_IF_ERROR_GRPC(CheckDate(request->date()));
  store::ScopedSnapshot snapshot(store_->db());
  ASSIGN_OR_RETURN_GRPC(uint64_t position,
                        store::ResolveAsOf(store_, snapshot.get(), request->as_of()));
  ASSIGN_OR_RETURN_GRPC(auto agreements, store::SectorAsOf(store_, snapshot.get(),
                                                           request->sector(), position));
  for (auto& agreement : agreements) {
    ASSIGN_OR_RETURN_GRPC(auto history, store::StreamHistory(store_, snapshot.get(),
                                                             v1::STREAM_TYPE_AGREEMENT,
                                                             agreement.id(), position));
    const domain::LegalStatusOnDate status =
        domain::LegalStatusOn(history, request->date());
    const bool listed = request->provisionally_applied()
                            ? domain::ProvisionallyAppliedOn(status)
                            : domain::InForceOn(status);
    if (listed) *response->add_agreements() = std::move(agreement);
  }
  response->set_position(position);
  return grpc::Status::OK;
}

grpc::Status AuditService::ListPartyAgreementsOn(
    grpc::ServerContext* context, const v1::ListPartyAgreementsOnRequest* request,
    v1::ListPartyAgreementsOnResponse* response) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Admit(*context));
  const std::string owner = TokenOwner(caller.principal, ClearanceOf(caller));
  RETURN_IF_ERROR_GRPC(CheckPartyRequest(*request));
  const size_t page_size =
      request->page_size() == 0 ? 100 : std::min(request->page_size(), 1000);
  v1::ListPartyAgreementsOnRequest filters = *request;
  filters.clear_page_size();
  filters.clear_page_token();
  ASSIGN_OR_RETURN_GRPC(std::string after,
                        tokens_->Decode(owner, filters, request->page_token()));
  store::ScopedSnapshot snapshot(store_->db());
  ASSIGN_OR_RETURN_GRPC(uint64_t position,
                        store::ResolveAsOf(store_, snapshot.get(), request->as_of()));
  auto party = store_->Get(store_->parties(), request->party_id(), snapshot.get());
  if (absl::IsNotFound(party.status())) {
    return ToGrpcStatus(absl::NotFoundError(
        absl::StrCat("party \"", request->party_id(), "\" not found")));
  }
  RETURN_IF_ERROR_GRPC(party.status());
  ASSIGN_OR_RETURN_GRPC(
      auto ids, store::AgreementIdsOfParty(store_, snapshot.get(), request->party_id()));
  const bool dated = domain::IsDateSet(request->date());
  std::vector<v1::ParticipationStatus> statuses;
  for (int status : request->party_statuses()) {
    statuses.push_back(static_cast<v1::ParticipationStatus>(status));
  }
  int64_t total = 0;
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN_GRPC(auto history,
                          store::StreamHistory(store_, snapshot.get(),
                                               v1::STREAM_TYPE_AGREEMENT, id, position));
    if (history.empty()) continue;
    v1::Agreement state;
    for (const v1::Event& event : history) domain::EvolveAgreement(state, event);
    const domain::LegalStatusOnDate status =
        dated ? domain::LegalStatusOn(history, request->date())
              : domain::StatusAsRecorded(state);
    const domain::ParticipantOnDate* participant =
        domain::FindParticipant(status, request->party_id());
    if (participant == nullptr ||
        !domain::MatchesStanding(*participant, statuses, request->party_condition())) {
      continue;
    }
    ++total;
    if (id <= after) continue;
    if (static_cast<size_t>(response->agreements_size()) == page_size) {
      if (response->next_page_token().empty()) {
        response->set_next_page_token(tokens_->Encode(
            owner, filters,
            response->agreements(response->agreements_size() - 1).agreement_id()));
      }
      continue;
    }
    v1::PartyAgreementStatus* entry = response->add_agreements();
    entry->set_agreement_id(id);
    *entry->mutable_titles() = state.titles();
    entry->set_agreement_status(status.status);
    ToProto(*participant, entry->mutable_participant());
    entry->set_uncertain(status.uncertain);
    for (const auto& note : status.notes) {
      if (note.party_id.empty() || note.party_id == request->party_id()) {
        ToProto(note, entry->add_notes());
      }
    }
  }
  response->set_total_count(total);
  response->set_position(position);
  return grpc::Status::OK;
}

}  // namespace agreements::services
