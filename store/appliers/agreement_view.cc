// agreements (id -> current state) and agreement_index (list entries per visibility
// partition, identifiers, visibility entries). Written once per batch per agreement:
// the index entries of its state before the batch are replaced by those after it.
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
      sink.Put(Family::kAgreements, id, SerializeDeterministic(*span.after));
      if (span.before != nullptr && SameListingInputs(*span.before, *span.after))
        continue;
      // AgreementIndexKeys gives them sorted and unique.
      std::vector<std::string> old_keys;
      if (span.before != nullptr) old_keys = AgreementIndexKeys(*span.before);
      const std::vector<std::string> new_keys = AgreementIndexKeys(*span.after);
      WriteIndexDiff(Family::kAgreementIndex, old_keys, new_keys, sink);
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
