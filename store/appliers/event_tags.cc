// event_tags: position -> the sectors, kinds, parties and level of the event's stream
// before and after it. Record stage: a feed filters every acknowledged event by them at
// once, from the log's position onwards, with no projection lag in between.
#include "store/appliers/appliers.h"
#include "store/projector.h"
#include "store/store.h"

namespace agreements::store::appliers {
namespace {

class EventTags : public Applier {
 public:
  const char* name() const override { return "event_tags"; }
  ApplierStage stage() const override { return ApplierStage::kRecord; }
  std::vector<Family> families() const override { return {Family::kEventTags}; }

  absl::Status Apply(const Change& change, ViewSink& sink) override {
    const std::string key = LogKey(change.position());
    if (change.tags != nullptr) {
      sink.Put(Family::kEventTags, key, SerializeDeterministic(*change.tags));
      return absl::OkStatus();
    }
    sink.Put(Family::kEventTags, key,
             SerializeDeterministic(EventTagsOf(change.agreement_before.get(),
                                                change.agreement_after.get(),
                                                change.event->envelope())));
    return absl::OkStatus();
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<Applier>> NewEventTags(const ApplierContext&) {
  return std::make_unique<EventTags>();
}

}  // namespace agreements::store::appliers
