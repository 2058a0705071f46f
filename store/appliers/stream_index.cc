// streams: stream type · id · 0x00 · revision -> position. Record stage: the committer
// reads a stream's last event through it when it chains the next event's hash, and
// history and proofs read streams through it.
#include "store/appliers/appliers.h"

namespace agreements::store::appliers {
namespace {

class StreamIndex : public Applier {
 public:
  const char* name() const override { return "stream_index"; }
  ApplierStage stage() const override { return ApplierStage::kRecord; }
  std::vector<Family> families() const override { return {Family::kStreams}; }

  absl::Status Apply(const Change& change, ViewSink& sink) override {
    const auto& envelope = change.event->envelope();
    sink.Put(Family::kStreams,
             StreamKey(envelope.stream_type(), envelope.stream_id(), envelope.revision()),
             EncodeU64(envelope.position()));
    return absl::OkStatus();
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<Applier>> NewStreamIndex(const ApplierContext&) {
  return std::make_unique<StreamIndex>();
}

}  // namespace agreements::store::appliers
