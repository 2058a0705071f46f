#include "services/audit_service.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "store/keys.h"
#include "store/merkle_tree.h"

namespace agreements::services {
namespace {

namespace v1 = ::agreements::v1;

std::string Bytes(const merkle::Hash& hash) {
  return std::string(reinterpret_cast<const char*>(hash.data()), hash.size());
}

// The tree size a request means: 0 is the latest checkpoint's; never beyond the head.
absl::StatusOr<uint64_t> ResolveSize(uint64_t requested, uint64_t latest, uint64_t head,
                                     absl::string_view field) {
  const uint64_t size = requested == 0 ? latest : requested;
  if (size > head) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", size, " is beyond the log's head ", head));
  }
  return size;
}

}  // namespace

grpc::Status AuditService::GetCheckpoint(grpc::ServerContext* context,
                                         const v1::GetCheckpointRequest* request,
                                         v1::GetCheckpointResponse* response) {
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
  return grpc::Status::OK;
}

grpc::Status AuditService::GetInclusionProof(grpc::ServerContext* context,
                                             const v1::GetInclusionProofRequest* request,
                                             v1::GetInclusionProofResponse* response) {
  if (request->position() == 0) {
    return ToGrpcStatus(absl::InvalidArgumentError("position: positions start at 1"));
  }
  store::ScopedSnapshot snapshot(store_->db());
  ASSIGN_OR_RETURN_GRPC(uint64_t head, store_->ReadHead(snapshot.get()));
  ASSIGN_OR_RETURN_GRPC(
      uint64_t size,
      ResolveSize(request->tree_size(), checkpointer_->Latest().size, head, "tree_size"));
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
  store::ScopedSnapshot snapshot(store_->db());
  ASSIGN_OR_RETURN_GRPC(uint64_t head, store_->ReadHead(snapshot.get()));
  ASSIGN_OR_RETURN_GRPC(uint64_t second,
                        ResolveSize(request->second_size(), checkpointer_->Latest().size,
                                    head, "second_size"));
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

}  // namespace agreements::services
