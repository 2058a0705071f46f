// Projection: the pipeline that applies the log of record to the views.
//
// The committer hands over every durable group (Enqueue). One thread takes the groups
// in position order, as many as fit in a batch (whole groups only, so a reader never
// sees half of a request), runs every view-stage applier (store/applier.h) on each
// event, lets each applier write once for the batch (Flush), and writes the result with
// the applied position (`meta/applied`) in one WriteBatch. Views are therefore never
// ahead of the log, and after a crash Start resumes from the applied position by
// reading the log: views are written without sync, because losing an unsynced batch
// loses its applied position with it (one atomic batch in the WAL), and the events it
// came from are durable in the log.
//
// Back-pressure: Enqueue waits while more than `max_lag_events` events are handed over
// and not applied, so the committer slows down instead of memory growing.
//
// A failed view write stops the projection for good (status() says why, on_failure is
// called once): views stay at the last applied position until a restart.
//
// Thread-safety: every public method may be called from any thread; Enqueue from one
// thread at a time (the committer). Listeners run on the projection's thread. The
// Projection does not own the store, which must outlive it.
#ifndef AGREEMENTS_STORE_PROJECTION_H_
#define AGREEMENTS_STORE_PROJECTION_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "store/applier.h"
#include "store/feed_hub.h"
#include "store/position_source.h"
#include "store/store.h"

namespace agreements::store {

// One durable event, with the state its stream reached by it when the committer has it
// (then the projection does not fold the event again).
struct CommittedEvent {
  FeedItemPtr item;  // position, stored bytes, stream, tags
  std::shared_ptr<const agreements::v1::Event> event;
  merkle::Hash leaf_hash;
  std::shared_ptr<const agreements::v1::Agreement> agreement_after;
  std::shared_ptr<const agreements::v1::Party> party_after;
};

struct ProjectionOptions {
  // Most events and event bytes applied in one batch (at least one whole group).
  // Default: 1024 events, 32 MiB (larger batches made the lag's tail worse:
  // docs/performance.md).
  size_t max_batch_events = 1024;
  size_t max_batch_bytes = 32 << 20;
  // Most events handed over and not yet applied before Enqueue waits.
  // Default: 100000.
  uint64_t max_lag_events = 100000;
  // Called once, on the projection's thread, when a view write fails.
  // Default: none.
  std::function<void(const absl::Status&)> on_failure;
  // Test hook: runs on the projection's thread before each batch.
  std::function<void()> TEST_before_batch;
};

class Projection : public PositionSource {
 public:
  // Applies the log from the stored applied position to the log's head (on the calling
  // thread), then starts the thread.
  static absl::StatusOr<std::unique_ptr<Projection>> Start(Store* store,
                                                           ProjectionOptions options);
  // Shuts down (see Shutdown).
  ~Projection() override;
  Projection(const Projection&) = delete;
  Projection& operator=(const Projection&) = delete;

  // Hands over one durable group: its events, whose positions follow those handed over
  // before. Waits while the lag is above max_lag_events (not after a failure or
  // shutdown, when the group is dropped: a restart applies it from the log).
  void Enqueue(std::vector<CommittedEvent> group);

  // The last position the views reflect.
  uint64_t applied() const;
  // The last position handed over (or found in the log at start).
  uint64_t enqueued() const;
  // Waits until applied() >= position or the deadline; true if reached.
  bool WaitApplied(uint64_t position, absl::Time deadline) const;
  // Not OK once a view write failed.
  absl::Status status() const;

  uint64_t AddListener(std::function<void(uint64_t position)> listener) override;
  void RemoveListener(uint64_t id) override;

  // Runs `task` on the projection's thread between two batches, with the views written
  // up to the applied position it is given and nothing else writing them (e.g. to swap
  // in a rebuilt family); then the appliers forget what they cached. Appends go on
  // meanwhile (up to max_lag_events). One task at a time; UNAVAILABLE when the
  // projection stopped or failed.
  absl::Status RunBetweenBatches(
      const std::function<absl::Status(uint64_t applied)>& task);

  // Applies every group handed over, then stops the thread. Idempotent.
  void Shutdown();

  // Test hooks: hold the projection before its next batch, and let it go on.
  void TEST_Pause();
  void TEST_Resume();
  uint64_t TEST_batches_written() const;

 private:
  Projection(Store* store, ProjectionOptions options);
  absl::Status CatchUp(uint64_t head);
  void Run();
  // Applies the events (whole groups) as one batch and writes it.
  absl::Status ApplyBatch(std::vector<CommittedEvent>& events);
  absl::Status ApplyEvent(CommittedEvent& event, ViewSink& sink);
  // The stream's state before its next event: from the states kept, else the view.
  template <typename State>
  absl::StatusOr<std::shared_ptr<const State>> Before(
      absl::flat_hash_map<std::string, std::shared_ptr<const State>>& states,
      rocksdb::ColumnFamilyHandle* family, const std::string& id);
  void Notify(uint64_t position);
  // Runs the pending task, if any (on the projection's thread).
  void RunTask();

  Store* const store_;
  const ProjectionOptions options_;
  std::vector<std::unique_ptr<Applier>> appliers_;
  // States after the last applied events, by stream id (bounded: cleared when large).
  absl::flat_hash_map<std::string, std::shared_ptr<const agreements::v1::Agreement>>
      agreements_;
  absl::flat_hash_map<std::string, std::shared_ptr<const agreements::v1::Party>> parties_;

  mutable absl::Mutex mu_;
  std::deque<std::vector<CommittedEvent>> queue_ ABSL_GUARDED_BY(mu_);
  uint64_t enqueued_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t applied_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool paused_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  uint64_t TEST_batches_ ABSL_GUARDED_BY(mu_) = 0;
  // RunBetweenBatches: the task, its result, and whether the thread has stopped.
  const std::function<absl::Status(uint64_t)>* task_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::optional<absl::Status> task_status_ ABSL_GUARDED_BY(mu_);
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  absl::Mutex task_mu_;
  absl::Mutex join_mu_;

  absl::Mutex listeners_mu_;
  std::vector<std::pair<uint64_t, std::function<void(uint64_t)>>> listeners_
      ABSL_GUARDED_BY(listeners_mu_);
  uint64_t next_listener_ ABSL_GUARDED_BY(listeners_mu_) = 1;

  std::thread thread_;
};

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_PROJECTION_H_
