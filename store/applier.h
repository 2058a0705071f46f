// Appliers: every family derived from the log is written by exactly one Applier, which
// turns each committed event, with its stream's state just before and just after it,
// into writes on a ViewSink. One registered list (MakeAppliers, store/appliers/
// registry.cc) serves the committer (the record stage), the projection pipeline (the
// view stage), and the rebuild and verify (both stages), so "a rebuild reproduces the
// views" holds by construction. docs/storage.md says how to add a view.
#ifndef AGREEMENTS_STORE_APPLIER_H_
#define AGREEMENTS_STORE_APPLIER_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agreements/storage/v1/storage.pb.h"
#include "agreements/v1/agreement.pb.h"
#include "agreements/v1/events.pb.h"
#include "agreements/v1/party.pb.h"
#include "common/merkle.h"
#include "rocksdb/write_batch.h"
#include "store/keys.h"

namespace agreements::store {

class Store;

// One committed event as appliers see it. The states are those of the event's stream
// just before and just after the event: `*_before` is null before a stream's first
// event, and the pointers of the other stream type are null. Appliers may keep the
// pointers until the Flush of the batch holding the change.
struct Change {
  const agreements::v1::Event* event = nullptr;
  // The exact stored bytes of the event, and their RFC 9162 leaf hash.
  absl::string_view bytes;
  merkle::Hash leaf_hash;
  std::shared_ptr<const agreements::v1::Agreement> agreement_before, agreement_after;
  std::shared_ptr<const agreements::v1::Party> party_before, party_after;
  // The event's feed tags when the caller has them already (the committer); otherwise
  // the tags applier computes them from the states.
  const agreements::storage::v1::EventTags* tags = nullptr;

  uint64_t position() const { return event->envelope().position(); }
};

// Where appliers write.
class ViewSink {
 public:
  virtual ~ViewSink() = default;
  virtual void Put(Family family, absl::string_view key, absl::string_view value) = 0;
  virtual void Delete(Family family, absl::string_view key) = 0;
};

// A sink that adds to a RocksDB write batch of `store`.
class BatchSink : public ViewSink {
 public:
  BatchSink(const Store* store, rocksdb::WriteBatch* batch)
      : store_(store), batch_(batch) {}
  void Put(Family family, absl::string_view key, absl::string_view value) override;
  void Delete(Family family, absl::string_view key) override;

 private:
  const Store* const store_;
  rocksdb::WriteBatch* const batch_;
};

enum class ApplierStage {
  // Written by the committer in the synced commit batch, with the event: what deciding
  // the next command and serving a feed need the moment an event is acknowledged.
  kRecord,
  // Written by the projection pipeline in its own batches, behind the log.
  kView,
};

// What appliers read the state they keep across events from (counters, the tree's right
// edge, the stream-head map's indexes).
struct ApplierContext {
  // The store, whose families hold every event up to `position`; null for a rebuild
  // from nothing, where appliers read nothing and keep what they need in memory.
  const Store* store = nullptr;
  uint64_t position = 0;
};

// Not thread-safe: one thread applies, in position order.
class Applier {
 public:
  virtual ~Applier() = default;
  virtual const char* name() const = 0;
  virtual ApplierStage stage() const = 0;
  // The families this applier writes; no other applier writes them.
  virtual std::vector<Family> families() const = 0;
  // Applies one event (positions in order, without gaps). May keep what it would write
  // until Flush.
  virtual absl::Status Apply(const Change& change, ViewSink& sink) = 0;
  // Writes what Apply kept; called once per batch after its last Apply, and may read.
  // The bytes a sequence of batches leaves stored never depend on where batches end.
  virtual absl::Status Flush(ViewSink& sink) {
    (void)sink;
    return absl::OkStatus();
  }
  // Forgets what was kept and cached after a batch was not written; the next Apply
  // reloads from the store, which holds every event before it.
  virtual void Reset() {}
};

using ApplierFactory =
    absl::StatusOr<std::unique_ptr<Applier>> (*)(const ApplierContext& context);

// Every registered applier, in registration order, or only those of `stage`.
absl::StatusOr<std::vector<std::unique_ptr<Applier>>> MakeAppliers(
    const ApplierContext& context);
absl::StatusOr<std::vector<std::unique_ptr<Applier>>> MakeAppliers(
    const ApplierContext& context, ApplierStage stage);

// The families written by the appliers of `stage`.
std::vector<Family> FamiliesOf(ApplierStage stage);

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_APPLIER_H_
