// stream_map: the stream-head map (store/stream_map.h), one leaf per stream in creation
// order holding its revision and the leaf hash of its latest event. Streams a batch
// creates are added in position order; each touched stream's leaf is set once per
// batch. Built from nothing (a rebuild), the map is kept in memory and written whole.
#include "store/stream_map.h"

#include <optional>
#include <unordered_map>

#include "common/status_macros.h"
#include "store/appliers/appliers.h"

namespace agreements::store::appliers {
namespace {

namespace v1 = ::agreements::v1;

class StreamMap : public Applier {
 public:
  explicit StreamMap(const Store* store) : store_(store) {}

  const char* name() const override { return "stream_map"; }
  ApplierStage stage() const override { return ApplierStage::kView; }
  std::vector<Family> families() const override { return {Family::kStreamMap}; }

  absl::Status Apply(const Change& change, ViewSink&) override {
    const v1::EventEnvelope& envelope = change.event->envelope();
    std::string leaf = StreamMapLeaf(envelope.stream_type(), envelope.stream_id(),
                                     envelope.revision(), change.leaf_hash);
    if (store_ == nullptr) {
      auto [entry, created] = memory_index_.emplace(
          StreamMapIndexKey(envelope.stream_type(), envelope.stream_id()),
          memory_leaves_.size());
      if (created) memory_leaves_.emplace_back();
      memory_leaves_[entry->second] = std::move(leaf);
      return absl::OkStatus();
    }
    if (!writer_.has_value()) {
      ASSIGN_OR_RETURN(StreamMapWriter writer, StreamMapWriter::Start(store_));
      writer_.emplace(std::move(writer));
    }
    uint64_t index = 0;
    if (envelope.revision() == 1) {
      index = writer_->AddStream(envelope.stream_type(), envelope.stream_id());
    } else {
      ASSIGN_OR_RETURN(index,
                       writer_->IndexOf(envelope.stream_type(), envelope.stream_id()));
    }
    writer_->SetLeaf(index, std::move(leaf));
    return absl::OkStatus();
  }

  absl::Status Flush(ViewSink& sink) override {
    if (store_ == nullptr) {
      for (const auto& [key, value] : StreamMapContents(memory_leaves_)) {
        sink.Put(Family::kStreamMap, key, value);
      }
      return absl::OkStatus();
    }
    if (!writer_.has_value()) return absl::OkStatus();
    absl::Status finished = writer_->Finish(sink);
    writer_.reset();
    return finished;
  }

  void Reset() override { writer_.reset(); }

 private:
  const Store* const store_;
  std::optional<StreamMapWriter> writer_;
  // Built from nothing: every leaf in creation order, and each stream's index.
  std::vector<std::string> memory_leaves_;
  std::unordered_map<std::string, size_t> memory_index_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Applier>> NewStreamMap(const ApplierContext& context) {
  return std::make_unique<StreamMap>(context.store);
}

}  // namespace agreements::store::appliers
