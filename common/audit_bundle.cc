#include "common/audit_bundle.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "agreements/v1/events.pb.h"
#include "common/completeness.h"
#include "common/merkle.h"
#include "common/signed_note.h"

namespace agreements::audit {
namespace {

namespace v1 = ::agreements::v1;

absl::Status Failed(absl::string_view what) { return absl::DataLossError(what); }

std::string BytesOf(const merkle::Hash& hash) {
  return std::string(reinterpret_cast<const char*>(hash.data()), hash.size());
}

std::string KeyNameOf(const std::string& key) { return key.substr(0, key.find('+')); }

absl::StatusOr<note::Checkpoint> SignedCheckpoint(const v1::AuditBundle& bundle,
                                                  const std::string& key) {
  absl::StatusOr<note::Checkpoint> checkpoint =
      note::VerifyCheckpoint(bundle.checkpoint_note(), key);
  if (!checkpoint.ok()) {
    if (checkpoint.status().code() == absl::StatusCode::kDataLoss) {
      return Failed(absl::StrCat("checkpoint: no valid signature by ", KeyNameOf(key),
                                 " (", checkpoint.status().message(), ")"));
    }
    return Failed(
        absl::StrCat("checkpoint: malformed note (", checkpoint.status().message(), ")"));
  }
  if (bundle.tree_size() != checkpoint->size) {
    return Failed(absl::StrCat("tree_size: the bundle says ", bundle.tree_size(),
                               " but the signed checkpoint is of size ",
                               checkpoint->size));
  }
  return checkpoint;
}

absl::Status CheckComplete(const v1::AuditBundle& bundle, const std::string& key) {
  CompletenessProof proof;
  proof.checkpoint_note = bundle.checkpoint_note();
  proof.events.assign(bundle.events().begin(), bundle.events().end());
  proof.map_leaf = bundle.map_leaf();
  proof.map_index = bundle.map_index();
  proof.map_proof.assign(bundle.map_proof().begin(), bundle.map_proof().end());
  const absl::Status complete =
      VerifyCompleteness(proof, key, bundle.stream_type(), bundle.stream_id());
  return complete.ok() ? complete : Failed(complete.message());
}

absl::Status CheckIncluded(const v1::AuditBundle& bundle, int i,
                           const note::Checkpoint& checkpoint) {
  v1::Event event;
  if (!event.ParseFromString(bundle.events(i))) {
    return Failed(absl::StrCat("events[", i, "]: not an event"));
  }
  const uint64_t position = event.envelope().position();
  if (position == 0) {
    return Failed(absl::StrCat("events[", i, "]: position 0 is not in the log"));
  }
  const std::vector<std::string> hashes(bundle.inclusion_proofs(i).hashes().begin(),
                                        bundle.inclusion_proofs(i).hashes().end());
  const absl::Status included = merkle::VerifyInclusionBytes(
      position - 1, checkpoint.size, BytesOf(merkle::LeafHash(bundle.events(i))), hashes,
      BytesOf(checkpoint.root));
  if (included.ok()) return included;
  return Failed(absl::StrCat("events[", i, "] (position ", position,
                             "): inclusion proof does not lead to the checkpoint root (",
                             absl::StatusCodeToString(included.code()), ": ",
                             included.message(), ")"));
}

}  // namespace

absl::Status VerifyBundle(const v1::AuditBundle& bundle,
                          const std::string& verifier_key) {
  if (bundle.format() != kBundleFormat) {
    return Failed(
        absl::StrCat("format: \"", bundle.format(), "\" is not \"", kBundleFormat, "\""));
  }
  absl::StatusOr<note::Checkpoint> checkpoint = SignedCheckpoint(bundle, verifier_key);
  if (!checkpoint.ok()) return checkpoint.status();
  if (absl::Status complete = CheckComplete(bundle, verifier_key); !complete.ok()) {
    return complete;
  }
  if (bundle.inclusion_proofs_size() != bundle.events_size()) {
    return Failed(absl::StrCat("inclusion_proofs: ", bundle.inclusion_proofs_size(),
                               " proofs for ", bundle.events_size(), " events"));
  }
  for (int i = 0; i < bundle.events_size(); ++i) {
    if (absl::Status included = CheckIncluded(bundle, i, *checkpoint); !included.ok()) {
      return included;
    }
  }
  return absl::OkStatus();
}

absl::Status VerifyBundleBytes(absl::string_view bytes, const std::string& verifier_key) {
  v1::AuditBundle bundle;
  if (!bundle.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Failed("not an audit bundle");
  }
  return VerifyBundle(bundle, verifier_key);
}

}  // namespace agreements::audit
