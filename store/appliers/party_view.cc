// parties (id -> current state) and party_index (type and country entries), written
// once per batch per party.
#include <set>

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
      std::set<std::string> old_keys;
      if (span.before != nullptr) {
        for (auto& key : PartyIndexKeys(*span.before)) old_keys.insert(std::move(key));
      }
      std::set<std::string> new_keys;
      for (auto& key : PartyIndexKeys(*span.after)) new_keys.insert(std::move(key));
      for (const auto& key : old_keys) {
        if (!new_keys.count(key)) sink.Delete(Family::kPartyIndex, key);
      }
      for (const auto& key : new_keys) {
        if (!old_keys.count(key)) sink.Put(Family::kPartyIndex, key, "");
      }
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
