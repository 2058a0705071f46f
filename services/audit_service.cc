#include "services/audit_service.h"

#include <algorithm>
#include <limits>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "domain/decider.h"
#include "domain/sectors.h"
#include "domain/validation.h"
#include "services/audit_internal.h"
#include "services/page_token.h"
#include "services/query_service.h"
#include "store/history.h"
#include "store/keys.h"
#include "store/log_reader.h"
#include "store/merkle_tree.h"
#include "store/projector.h"
#include "store/stream_map.h"

namespace agreements::services {
namespace {

namespace v1 = ::agreements::v1;

std::string Bytes(const merkle::Hash& hash) {
  return std::string(reinterpret_cast<const char*>(hash.data()), hash.size());
}

// The tree size a request means: 0 is the latest checkpoint's; never beyond the tree
// (a view, at the applied position).
absl::StatusOr<uint64_t> ResolveSize(uint64_t requested, uint64_t latest, uint64_t head,
                                     absl::string_view field) {
  const uint64_t size = requested == 0 ? latest : requested;
  if (size > head) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", size, " is beyond the tree's size ", head,
                     " (the views' position; the log's head may be ahead)"));
  }
  return size;
}

}  // namespace

namespace audit_internal {

absl::Status CheckId(absl::string_view field, const std::string& id) {
  if (domain::IsValidId(id)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": must be 1 to 63 lowercase letters, digits, '-' or '.'"));
}

absl::Status CheckSector(const std::string& sector) {
  if (domain::IsRegistrySector(sector)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("sector: \"", sector, "\" is not a registry sector"));
}

absl::Status CheckDate(const v1::Date& date) {
  if (!domain::IsDateSet(date)) return absl::InvalidArgumentError("date: required");
  return domain::ValidateDate("date", date);
}

// The history of an agreement up to a transaction-time position; NOT_FOUND when it had
// no event by then.
absl::StatusOr<std::vector<v1::Event>> AgreementHistoryAsOf(
    const store::Store* store, const rocksdb::Snapshot* snapshot, const std::string& id,
    uint64_t position) {
  auto history =
      store::StreamHistory(store, snapshot, v1::STREAM_TYPE_AGREEMENT, id, position);
  if (!history.ok()) return history.status();
  if (history->empty()) {
    return absl::NotFoundError(absl::StrCat(
        "agreement \"", id, "\" had no recorded event at position ", position));
  }
  return history;
}

}  // namespace audit_internal

using audit_internal::AgreementHistoryAsOf;
using audit_internal::CheckId;
using audit_internal::CheckSector;

absl::StatusOr<Caller> AuditService::Admit(grpc::ServerContext& context) const {
  absl::StatusOr<Caller> caller =
      access_->Authorize(context, security::Permission::kAuditRead);
  if (!caller.ok()) return caller;
  const uint64_t head = committer_->committed_position();
  const absl::Time deadline =
      WaitDeadline(absl::Now(), kMaxViewsWait, absl::FromChrono(context.deadline()));
  if (!committer_->projection()->WaitApplied(head, deadline)) {
    const uint64_t applied = committer_->projection()->applied();
    return absl::UnavailableError(absl::StrCat(
        "the views are at position ", applied, ", ", head - applied,
        " events behind the log's head ", head, ", and did not catch up in time; retry"));
  }
  return caller;
}

grpc::Status AuditService::GetCheckpoint(grpc::ServerContext* context,
                                         const v1::GetCheckpointRequest* request,
                                         v1::GetCheckpointResponse* response) {
  RETURN_IF_ERROR_GRPC(Admit(*context).status());
  store::SignedCheckpoint checkpoint;
  if (request->tree_size() == 0) {
    checkpoint = checkpointer_->Latest();
  } else {
    ASSIGN_OR_RETURN_GRPC(checkpoint, checkpointer_->AtSize(request->tree_size()));
  }
  response->set_note(checkpoint.note);
  response->set_tree_size(checkpoint.size);
  response->set_root_hash(Bytes(checkpoint.root));
  response->set_verifier_key(checkpointer_->VerifierKey());
  if (request->tree_size() == 0) {
    absl::MutexLock lock(&cosigned_mu_);
    if (cosigned_) response->set_cosigned_note(cosigned_());
  }
  return grpc::Status::OK;
}

grpc::Status AuditService::GetInclusionProof(grpc::ServerContext* context,
                                             const v1::GetInclusionProofRequest* request,
                                             v1::GetInclusionProofResponse* response) {
  RETURN_IF_ERROR_GRPC(Admit(*context).status());
  if (request->position() == 0) {
    return ToGrpcStatus(absl::InvalidArgumentError("position: positions start at 1"));
  }
  // The checkpoint first: a snapshot taken after it is at least as far along.
  const uint64_t latest = checkpointer_->Latest().size;
  store::ScopedSnapshot snapshot(store_->db());
  ASSIGN_OR_RETURN_GRPC(uint64_t head, store_->ReadApplied(snapshot.get()));
  ASSIGN_OR_RETURN_GRPC(uint64_t size,
                        ResolveSize(request->tree_size(), latest, head, "tree_size"));
  if (request->position() > size) {
    return ToGrpcStatus(absl::InvalidArgumentError(absl::StrCat(
        "position: ", request->position(), " is not in the tree of size ", size)));
  }
  ASSIGN_OR_RETURN_GRPC(
      std::string event,
      store_->Get(store_->log(), store::LogKey(request->position()), snapshot.get()));
  store::MerkleReader reader(store_, snapshot.get());
  ASSIGN_OR_RETURN_GRPC(auto proof, reader.InclusionProof(request->position() - 1, size));
  response->set_position(request->position());
  response->set_leaf_index(request->position() - 1);
  response->set_tree_size(size);
  response->set_leaf_hash(Bytes(merkle::LeafHash(event)));
  response->set_event(std::move(event));
  for (const auto& hash : proof) response->add_proof(Bytes(hash));
  return grpc::Status::OK;
}

grpc::Status AuditService::GetConsistencyProof(
    grpc::ServerContext* context, const v1::GetConsistencyProofRequest* request,
    v1::GetConsistencyProofResponse* response) {
  RETURN_IF_ERROR_GRPC(Admit(*context).status());
  const uint64_t latest = checkpointer_->Latest().size;
  store::ScopedSnapshot snapshot(store_->db());
  ASSIGN_OR_RETURN_GRPC(uint64_t head, store_->ReadApplied(snapshot.get()));
  ASSIGN_OR_RETURN_GRPC(uint64_t second,
                        ResolveSize(request->second_size(), latest, head, "second_size"));
  if (request->first_size() == 0 || request->first_size() > second) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("first_size: must be 1 to second_size (", second, "); got ",
                     request->first_size())));
  }
  store::MerkleReader reader(store_, snapshot.get());
  ASSIGN_OR_RETURN_GRPC(auto proof,
                        reader.ConsistencyProof(request->first_size(), second));
  response->set_first_size(request->first_size());
  response->set_second_size(second);
  for (const auto& hash : proof) response->add_proof(Bytes(hash));
  return grpc::Status::OK;
}

grpc::Status AuditService::GetCompletenessProof(
    grpc::ServerContext* context, const v1::GetCompletenessProofRequest* request,
    v1::GetCompletenessProofResponse* response) {
  RETURN_IF_ERROR_GRPC(Admit(*context).status());
  if (request->stream_type() != v1::STREAM_TYPE_AGREEMENT &&
      request->stream_type() != v1::STREAM_TYPE_PARTY) {
    return ToGrpcStatus(absl::InvalidArgumentError("stream_type: AGREEMENT or PARTY"));
  }
  RETURN_IF_ERROR_GRPC(CheckId("stream_id", request->stream_id()));
  store::SignedCheckpoint checkpoint = checkpointer_->Latest();
  if (request->tree_size() != 0 && request->tree_size() != checkpoint.size) {
    ASSIGN_OR_RETURN_GRPC(checkpoint, checkpointer_->AtSize(request->tree_size()));
  }
  const uint64_t size = checkpoint.size;
  ASSIGN_OR_RETURN_GRPC(uint64_t map_since, MapSince());
  if (size < map_since) {
    return ToGrpcStatus(absl::FailedPreconditionError(absl::StrCat(
        "tree_size: the checkpoint of size ", size,
        " was signed before the stream-head map was kept in creation order (from size ",
        map_since, "); ask for a later checkpoint")));
  }
  const std::string prefix =
      store::StreamPrefix(request->stream_type(), request->stream_id());
  auto not_found = [&] {
    return ToGrpcStatus(absl::NotFoundError(
        absl::StrCat("stream \"", request->stream_id(),
                     "\" has no event in the checkpoint of size ", size)));
  };
  // The latest checkpoint comes with a snapshot at its size: the stored map, O(log n).
  // An older one: the map rebuilt from the stream index (O(events)).
  std::shared_ptr<const rocksdb::Snapshot> snapshot = checkpoint.snapshot;
  if (snapshot == nullptr) snapshot = store::SharedSnapshot(store_->db());
  uint64_t map_index = 0;
  std::string map_leaf;
  std::vector<merkle::Hash> map_proof;
  if (checkpoint.snapshot != nullptr) {
    auto entry = store::StoredStreamMapEntry(
        store_, snapshot.get(), request->stream_type(), request->stream_id());
    if (absl::IsNotFound(entry.status())) return not_found();
    RETURN_IF_ERROR_GRPC(entry.status());
    ASSIGN_OR_RETURN_GRPC(uint64_t count, store::StreamMapCount(store_, snapshot.get()));
    ASSIGN_OR_RETURN_GRPC(map_proof, store::StreamMapReader(store_, snapshot.get())
                                         .InclusionProof(entry->index, count));
    map_index = entry->index;
    map_leaf = std::move(entry->leaf);
  } else {
    ASSIGN_OR_RETURN_GRPC(auto leaves,
                          store::StreamMapLeaves(store_, snapshot.get(), size));
    auto it = std::find_if(leaves.begin(), leaves.end(), [&](const std::string& leaf) {
      return leaf.size() == prefix.size() + 40 &&
             leaf.compare(0, prefix.size(), prefix) == 0;
    });
    if (it == leaves.end()) return not_found();
    map_index = it - leaves.begin();
    map_proof = store::MapInclusionProof(leaves, map_index);
    map_leaf = *it;
  }
  store::LogReader reader(store_);
  ASSIGN_OR_RETURN_GRPC(auto page,
                        reader.ReadStream(request->stream_type(), request->stream_id(), 1,
                                          std::numeric_limits<size_t>::max()));
  for (auto& event : page.events) {
    if (event.position > size) break;
    response->add_events(std::move(event.bytes));
  }
  response->set_checkpoint_note(checkpoint.note);
  response->set_tree_size(size);
  response->set_map_index(map_index);
  response->set_map_leaf(map_leaf);
  for (const auto& hash : map_proof) response->add_map_proof(Bytes(hash));
  return grpc::Status::OK;
}

absl::StatusOr<uint64_t> AuditService::MapSince() const {
  auto value = store_->Get(store_->meta(), store::kMetaStreamMapSince);
  if (absl::IsNotFound(value.status())) return 0;
  if (!value.ok()) return value.status();
  uint64_t since = 0;
  if (!store::DecodeU64(*value, since)) {
    return absl::DataLossError("meta/stream_map_since is not 8 bytes");
  }
  return since;
}

grpc::Status AuditService::ListHistory(grpc::ServerContext* context,
                                       const v1::ListHistoryRequest* request,
                                       v1::ListHistoryResponse* response) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Admit(*context));
  const std::string owner = TokenOwner(caller.principal, ClearanceOf(caller));
  if (request->stream_type() != v1::STREAM_TYPE_AGREEMENT &&
      request->stream_type() != v1::STREAM_TYPE_PARTY) {
    return ToGrpcStatus(absl::InvalidArgumentError("stream_type: AGREEMENT or PARTY"));
  }
  RETURN_IF_ERROR_GRPC(CheckId("stream_id", request->stream_id()));
  if (request->page_size() < 0) {
    return ToGrpcStatus(absl::InvalidArgumentError("page_size: must not be negative"));
  }
  const size_t page_size =
      request->page_size() == 0 ? 100 : std::min(request->page_size(), 1000);
  v1::ListHistoryRequest filters = *request;
  filters.clear_page_size();
  filters.clear_page_token();
  ASSIGN_OR_RETURN_GRPC(std::string after,
                        tokens_->Decode(owner, filters, request->page_token()));
  uint64_t from_revision = 1;
  if (!after.empty() && !absl::SimpleAtoi(after, &from_revision)) {
    return ToGrpcStatus(absl::InvalidArgumentError("page_token: malformed"));
  }
  store::LogReader reader(store_);
  ASSIGN_OR_RETURN_GRPC(auto page,
                        reader.ReadStream(request->stream_type(), request->stream_id(),
                                          from_revision, page_size + 1));
  if (page.events.empty() && from_revision == 1) {
    return ToGrpcStatus(absl::NotFoundError(
        absl::StrCat("stream \"", request->stream_id(), "\" has no events")));
  }
  for (size_t i = 0; i < page.events.size() && i < page_size; ++i) {
    if (!response->add_events()->ParseFromString(page.events[i].bytes)) {
      return ToGrpcStatus(absl::DataLossError(absl::StrCat(
          "event at position ", page.events[i].position, " cannot be parsed")));
    }
  }
  if (page.events.size() > page_size) {
    response->set_next_page_token(
        tokens_->Encode(owner, filters, absl::StrCat(from_revision + page_size)));
  }
  return grpc::Status::OK;
}

grpc::Status AuditService::DiffRevisions(grpc::ServerContext* context,
                                         const v1::DiffRevisionsRequest* request,
                                         v1::DiffRevisionsResponse* response) {
  RETURN_IF_ERROR_GRPC(Admit(*context).status());
  RETURN_IF_ERROR_GRPC(CheckId("agreement_id", request->agreement_id()));
  store::ScopedSnapshot snapshot(store_->db());
  ASSIGN_OR_RETURN_GRPC(uint64_t head, store_->ReadHead(snapshot.get()));
  ASSIGN_OR_RETURN_GRPC(
      auto history,
      AgreementHistoryAsOf(store_, snapshot.get(), request->agreement_id(), head));
  const uint64_t latest = history.back().envelope().revision();
  const uint64_t to = request->to_revision() == 0 ? latest : request->to_revision();
  if (to > latest) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("to_revision: the agreement is at revision ", latest)));
  }
  if (request->from_revision() > to) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("from_revision: must not be after to_revision"));
  }
  response->set_from_revision(request->from_revision());
  response->set_to_revision(to);
  for (auto& change : store::DiffHistory(history, request->from_revision(), to)) {
    *response->add_changes() = std::move(change);
  }
  return grpc::Status::OK;
}

grpc::Status AuditService::GetAgreementAsOf(grpc::ServerContext* context,
                                            const v1::GetAgreementAsOfRequest* request,
                                            v1::GetAgreementAsOfResponse* response) {
  RETURN_IF_ERROR_GRPC(Admit(*context).status());
  RETURN_IF_ERROR_GRPC(CheckId("agreement_id", request->agreement_id()));
  store::ScopedSnapshot snapshot(store_->db());
  ASSIGN_OR_RETURN_GRPC(uint64_t position,
                        store::ResolveAsOf(store_, snapshot.get(), request->as_of()));
  ASSIGN_OR_RETURN_GRPC(
      auto history,
      AgreementHistoryAsOf(store_, snapshot.get(), request->agreement_id(), position));
  for (const auto& event : history) {
    domain::EvolveAgreement(*response->mutable_agreement(), event);
  }
  response->set_position(position);
  return grpc::Status::OK;
}

grpc::Status AuditService::GetPartyAsOf(grpc::ServerContext* context,
                                        const v1::GetPartyAsOfRequest* request,
                                        v1::GetPartyAsOfResponse* response) {
  RETURN_IF_ERROR_GRPC(Admit(*context).status());
  RETURN_IF_ERROR_GRPC(CheckId("party_id", request->party_id()));
  store::ScopedSnapshot snapshot(store_->db());
  ASSIGN_OR_RETURN_GRPC(uint64_t position,
                        store::ResolveAsOf(store_, snapshot.get(), request->as_of()));
  ASSIGN_OR_RETURN_GRPC(
      auto history, store::StreamHistory(store_, snapshot.get(), v1::STREAM_TYPE_PARTY,
                                         request->party_id(), position));
  if (history.empty()) {
    return ToGrpcStatus(absl::NotFoundError(
        absl::StrCat("party \"", request->party_id(),
                     "\" had no recorded event at position ", position)));
  }
  for (const auto& event : history)
    domain::EvolveParty(*response->mutable_party(), event);
  response->set_position(position);
  return grpc::Status::OK;
}

grpc::Status AuditService::ListSectorAsOf(grpc::ServerContext* context,
                                          const v1::ListSectorAsOfRequest* request,
                                          v1::ListSectorAsOfResponse* response) {
  RETURN_IF_ERROR_GRPC(Admit(*context).status());
  RETURN_IF_ERROR_GRPC(CheckSector(request->sector()));
  store::ScopedSnapshot snapshot(store_->db());
  ASSIGN_OR_RETURN_GRPC(uint64_t position,
                        store::ResolveAsOf(store_, snapshot.get(), request->as_of()));
  ASSIGN_OR_RETURN_GRPC(auto agreements, store::SectorAsOf(store_, snapshot.get(),
                                                           request->sector(), position));
  store::SectorCounterMap counters;
  for (const auto& agreement : agreements)
    store::ApplyContribution(agreement, +1, counters);
  *response->mutable_summary() =
      SummarizeCounters(request->sector(), counters[request->sector()], 10);
  for (auto& agreement : agreements) *response->add_agreements() = std::move(agreement);
  response->set_position(position);
  return grpc::Status::OK;
}

}  // namespace agreements::services
