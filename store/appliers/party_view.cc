// parties (id -> current state) and party_index (type and country entries), written
// once per batch per party.
#include "store/appliers/appliers.h"
#include "store/projector.h"
#include "store/store.h"

namespace agreements::store::appliers {
namespace {

namespace v1 = ::agreements::v1;

class PartyView : public Applier {
 public:
  const char* name() const override { return "party_view"; }
  ApplierStage stage() const override { return ApplierStage::kView; }
  std::vector<Family> families() const override {
    return {Family::kParties, Family::kPartyIndex};
  }

  absl::Status Apply(const Change& change, ViewSink&) override {
    if (change.party_after == nullptr) return absl::OkStatus();
    changed_.Add(change.event->envelope().stream_id(), change.party_before,
                 change.party_after);
    return absl::OkStatus();
  }

  absl::Status Flush(ViewSink& sink) override {
    for (const auto& [id, span] : changed_.spans()) {
      std::vector<std::string> old_keys;
      if (span.before != nullptr) old_keys = SortedUnique(PartyIndexKeys(*span.before));
      const std::vector<std::string> new_keys = SortedUnique(PartyIndexKeys(*span.after));
      WriteIndexDiff(Family::kPartyIndex, old_keys, new_keys, sink);
      sink.Put(Family::kParties, id, SerializeDeterministic(*span.after));
    }
    changed_.Clear();
    return absl::OkStatus();
  }

  void Reset() override { changed_.Clear(); }

 private:
  Coalesced<v1::Party> changed_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Applier>> NewPartyView(const ApplierContext&) {
  return std::make_unique<PartyView>();
}

}  // namespace agreements::store::appliers
