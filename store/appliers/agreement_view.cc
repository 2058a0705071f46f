// agreements (id -> current state) and agreement_index (list entries per visibility
// partition, identifiers, visibility entries). Written once per batch per agreement:
// the index entries of its state before the batch are replaced by those after it.
#include <set>

#include "store/appliers/appliers.h"
#include "store/projector.h"
#include "store/store.h"

namespace agreements::store::appliers {
namespace {

namespace v1 = ::agreements::v1;

class AgreementView : public Applier {
 public:
  const char* name() const override { return "agreement_view"; }
  ApplierStage stage() const override { return ApplierStage::kView; }
  std::vector<Family> families() const override {
    return {Family::kAgreements, Family::kAgreementIndex};
  }

  absl::Status Apply(const Change& change, ViewSink&) override {
    if (change.agreement_after == nullptr) return absl::OkStatus();
    changed_.Add(change.event->envelope().stream_id(), change.agreement_before,
                 change.agreement_after);
    return absl::OkStatus();
  }

  absl::Status Flush(ViewSink& sink) override {
    for (const auto& [id, span] : changed_.spans()) {
      std::set<std::string> old_keys;
      if (span.before != nullptr) {
        for (auto& key : AgreementIndexKeys(*span.before))
          old_keys.insert(std::move(key));
      }
      std::set<std::string> new_keys;
      for (auto& key : AgreementIndexKeys(*span.after)) new_keys.insert(std::move(key));
      for (const auto& key : old_keys) {
        if (!new_keys.count(key)) sink.Delete(Family::kAgreementIndex, key);
      }
      for (const auto& key : new_keys) {
        if (!old_keys.count(key)) sink.Put(Family::kAgreementIndex, key, "");
      }
      sink.Put(Family::kAgreements, id, SerializeDeterministic(*span.after));
    }
    changed_.Clear();
    return absl::OkStatus();
  }

  void Reset() override { changed_.Clear(); }

 private:
  Coalesced<v1::Agreement> changed_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Applier>> NewAgreementView(const ApplierContext&) {
  return std::make_unique<AgreementView>();
}

}  // namespace agreements::store::appliers
