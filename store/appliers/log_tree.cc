// merkle: the RFC 9162 tree over the log (leaf i is the event at position i+1), as the
// complete subtrees each appended leaf closes. The applier keeps the tree's right edge.
#include <optional>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/appliers/appliers.h"
#include "store/merkle_tree.h"
#include "store/store.h"

namespace agreements::store::appliers {
namespace {

class LogTree : public Applier {
 public:
  LogTree(const Store* store, MerkleAppender appender)
      : store_(store), appender_(std::move(appender)) {}

  const char* name() const override { return "log_tree"; }
  ApplierStage stage() const override { return ApplierStage::kView; }
  std::vector<Family> families() const override { return {Family::kMerkle}; }

  absl::Status Apply(const Change& change, ViewSink& sink) override {
    if (!appender_.has_value()) {
      // After a Reset: the store holds the tree of every event before this one.
      ASSIGN_OR_RETURN(MerkleAppender reloaded,
                       MerkleAppender::Start(store_, change.position() - 1));
      appender_.emplace(std::move(reloaded));
    }
    if (change.position() != appender_->size() + 1) {
      return absl::DataLossError(absl::StrCat("the log tree has ", appender_->size(),
                                              " leaves; the next event is at position ",
                                              change.position()));
    }
    appender_->Append(change.leaf_hash);
    for (const auto& [key, hash] : appender_->TakeAdded()) {
      sink.Put(
          Family::kMerkle, key,
          absl::string_view(reinterpret_cast<const char*>(hash.data()), hash.size()));
    }
    return absl::OkStatus();
  }

  void Reset() override {
    if (store_ != nullptr) appender_.reset();
  }

 private:
  const Store* const store_;
  std::optional<MerkleAppender> appender_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Applier>> NewLogTree(const ApplierContext& context) {
  if (context.store == nullptr) {
    return std::make_unique<LogTree>(nullptr, MerkleAppender::Empty());
  }
  ASSIGN_OR_RETURN(MerkleAppender appender,
                   MerkleAppender::Start(context.store, context.position));
  return std::make_unique<LogTree>(context.store, std::move(appender));
}

}  // namespace agreements::store::appliers
