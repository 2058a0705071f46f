// Committer: the single commit path of the registry.
//
// Commands from any thread are queued (Submit never blocks on I/O). One thread takes
// every pending request, decides and validates them in arrival order against the state
// left by the requests before them, assigns gap-free global positions and per-stream
// revisions, and appends the log of record in ONE RocksDB WriteBatch with sync=true
// (group commit): the events, what the record-stage appliers derive from them (the
// stream index and the feed tags), the request results and the head. Only after that
// write returns does any caller of the group get its answer; the group then goes to the
// feed hub and to the projection, which writes the views behind the log
// (store/projection.h). A request that fails validation fails alone; a failed write
// fails every request of its group and nothing of it is visible.
//
// The committer decides on the exact latest state of each stream while the views lag:
// it keeps the states it wrote until the views reflect them (store/state_cache.h).
//
// If a write fails, the committer stops for good: the batch may or may not be in the WAL,
// so its positions cannot be reused. Every later request fails with UNAVAILABLE until a
// restart re-reads the head from the store.
//
// The log of record is a CommitLog (store/commit_log.h): the embedded one by default.
// With a replicated log (cluster mode, docs/cluster.md) the committer is the writer only
// between BecomeWriter and a step-down; otherwise Submit refuses with UNAVAILABLE naming
// the writer, and the node applies the records other writers appended (ApplyRecords)
// through the same group code, record-stage appliers, feed hub and projection. Records
// must follow each other (index + 1, first position = head + 1): on a gap the committer
// stops for good and says why (on_log_gap).
//
// Thread-safety: Submit, Commit, committed_position, WaitForPosition and Shutdown may be
// called from any thread. Callbacks of queued requests run on a responder thread, in
// group order (so a client never hears of a later group before an earlier one), and
// building and sending responses overlaps the next group; callbacks of requests refused
// at once run on the thread calling Submit. Callbacks must not block. The Committer
// does not own the Store, which must outlive it.
#ifndef AGREEMENTS_STORE_COMMITTER_H_
#define AGREEMENTS_STORE_COMMITTER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agreements/v1/agreement.pb.h"
#include "agreements/v1/events.pb.h"
#include "agreements/v1/party.pb.h"
#include "rocksdb/status.h"
#include "store/applier.h"
#include "store/commit_log.h"
#include "store/projection.h"
#include "store/state_cache.h"
#include "store/store.h"

namespace agreements::store {

class FeedHub;

// The payload of a refusal by a replica that names the writer's address (services turn
// it into the `agreements-writer` trailing metadata clients follow).
inline constexpr char kWriterPayload[] = "agreements.writer";

// One request: one or more commands on one or more streams, all or nothing.
struct CommitRequest {
  // Required: 1 to 128 printable ASCII characters. The key of durable idempotency.
  std::string request_id;
  std::vector<agreements::v1::Command> commands;
  // Recorded in every event's envelope.
  std::string actor;
  bool actor_authenticated = false;
  std::string correlation_id;
  std::string causation_id;
  // Used for commands that give no reason of their own.
  std::string reason;
  // The sectors in which the request may write agreements: every sector of each
  // agreement it touches, before and after the change, must be one of them
  // (PERMISSION_DENIED otherwise). nullopt: every sector.
  std::optional<std::vector<std::string>> writable_sectors;
};

struct CommitOutcome {
  agreements::v1::CommitResult result;
  // State after the request of every agreement / party the request touched, in the
  // order of result.streams (shared with the committer: never modified).
  std::vector<std::shared_ptr<const agreements::v1::Agreement>> agreements;
  std::vector<std::shared_ptr<const agreements::v1::Party>> parties;
};

using CommitCallback = std::function<void(absl::StatusOr<CommitOutcome>)>;

struct CommitterOptions {
  // Most requests written in one WriteBatch.
  // Default: 1024.
  size_t max_group_requests = 1024;
  // Most requests waiting in the queue; beyond it Submit fails with RESOURCE_EXHAUSTED.
  // Default: 20000.
  size_t max_pending_requests = 20000;
  // Most commands in one request.
  // Default: 100.
  size_t max_commands_per_request = 100;
  // Most bytes (serialized commands) written in one group; a larger single request still
  // forms a group of its own.
  // Default: 64 MiB.
  size_t max_group_bytes = 64 << 20;
  // Most bytes (serialized commands) waiting in the queue; beyond it Submit fails with
  // RESOURCE_EXHAUSTED.
  // Default: 256 MiB.
  size_t max_pending_bytes = 256 << 20;
  // Largest serialized event accepted.
  // Default: 1 MiB.
  size_t max_event_bytes = 1 << 20;
  // fsync every group before answering. Only tests that measure nothing durable may
  // turn it off.
  // Default: true.
  bool sync = true;
  // The clock for recorded_at. The committer never lets recorded_at decrease.
  // Default: absl::Now.
  std::function<absl::Time()> clock;
  // Receives every durable group's events, in position order, before the callers of the
  // group are answered. Not owned; must outlive the committer. Its head must equal the
  // store's head when the committer starts.
  // Default: none.
  FeedHub* feed_hub = nullptr;
  // Receives every durable group after the feed hub, and applies it to the views. Not
  // owned; must outlive the committer, and have applied the whole log when the
  // committer starts (Projection::Start does). Enqueueing waits when the projection
  // lags too far behind (back-pressure).
  // Default: none: the committer starts one of its own, with `projection_options`.
  Projection* projection = nullptr;
  ProjectionOptions projection_options;
  // Most stream states kept for deciding beyond those the views have not reached (a
  // stream not kept is read from its view: one lookup).
  // Default: 8192 (65,536 here and in the projection held about 400 MB more after a
  // load of 10M agreements: docs/performance.md).
  size_t max_cached_states = 8192;
  // Called once, on the committer thread, when a write fails and the committer stops
  // (the server marks itself NOT_SERVING).
  // Default: none.
  std::function<void(const absl::Status&)> on_write_failure;
  // The log of record. Not owned; must outlive the committer.
  // Default: none: the embedded log (this store, synced unless `sync` is false).
  CommitLog* log = nullptr;
  // With a replicated log: called on the committer thread when the node stops being
  // the writer by itself (its append was fenced out, or its outcome stayed unknown).
  // Default: none.
  std::function<void(const absl::Status&)> on_step_down;
  // With a replicated log: called once, on the committer thread, when a record read
  // from the log does not follow the last one (a gap, a term going back, an event that
  // does not fit its stream); the committer then stops for good.
  // Default: none.
  std::function<void(const absl::Status&)> on_log_gap;
  // Called on the committer thread after each group is durable: its requests, its
  // events and how long the synced write took (the server's metrics).
  // Default: none.
  std::function<void(size_t requests, uint64_t events, absl::Duration write)>
      on_group_written;

  // Test hooks. TEST_before_group runs on the committer thread before each group is
  // decided (a test can hold it to make the next group collect several requests).
  // TEST_write_status, when set and not OK, fails the group's write as RocksDB would.
  std::function<void()> TEST_before_group;
  std::function<rocksdb::Status()> TEST_write_status;
};

class Committer {
 public:
  static absl::StatusOr<std::unique_ptr<Committer>> Start(Store* store,
                                                          CommitterOptions options);
  // Shuts down (see Shutdown).
  ~Committer();
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  // Checks the request (request id, command count, each command's fields) and
  // fingerprints it on the calling thread, then queues it; `done` is called exactly
  // once (see the thread-safety note above), after the group holding the request is
  // durable (or with the error that stopped it), or at once on the calling thread when
  // the request is refused.
  void Submit(CommitRequest request, CommitCallback done);

  // Submits and waits for the answer.
  absl::StatusOr<CommitOutcome> Commit(CommitRequest request);

  // The last durable global position.
  uint64_t committed_position() const;
  // Requests queued for the committer thread and not yet taken into a group.
  size_t queued() const;

  // Waits until committed_position() >= position or the deadline; true if reached.
  bool WaitForPosition(uint64_t position, absl::Time deadline) const;

  // Cluster mode (a replicated log). Applies records read from the log, in index order,
  // on the committer thread, and returns when they are in the store (or why not: a gap
  // stops the committer for good). Records the node holds already are skipped.
  absl::Status ApplyRecords(std::vector<agreements::storage::v1::LogRecord> records);
  // Appends the record starting `term` (fenced: ABORTED when another record took the
  // index, so the caller must read and apply it first) and then accepts writes.
  absl::Status BecomeWriter(uint64_t term, const std::string& node_id,
                            const std::string& address);
  // Stops accepting writes: Submit refuses with `refusal` (UNAVAILABLE naming the
  // writer). Called again, it updates the refusal. Any thread.
  void StepDown(absl::Status refusal);
  bool is_writer() const;
  // OK on the writer; otherwise what Submit answers (UNAVAILABLE, naming the writer in
  // the kWriterPayload payload when known).
  absl::Status WriterRefusal() const;
  // True once the committer stopped for good (a failed write, a gap in the log).
  bool stopped() const;
  // The index and term of the last record applied or appended (0 for the embedded log).
  uint64_t record_index() const;
  uint64_t record_term() const;

  // Commits every request already queued, then stops the thread. Later Submits fail with
  // UNAVAILABLE. Idempotent.
  void Shutdown();

  // The projection the committer hands groups to (its own or the one given).
  Projection* projection() const { return projection_; }

  // Groups written to the store so far, and the keys (puts and deletes) of the last one.
  uint64_t TEST_groups_written() const;
  uint64_t TEST_last_group_keys() const;

 private:
  struct Pending {
    CommitRequest request;
    CommitCallback done;
    size_t bytes = 0;
    // Computed by Submit on the caller's thread.
    std::string fingerprint;
  };
  class Group;

  // A written group's requests and their answers, for the responder thread.
  struct Answers {
    std::vector<Pending> pending;
    std::vector<absl::StatusOr<CommitOutcome>> answers;
  };

  Committer(Store* store, CommitterOptions options);
  absl::Status LoadHead();
  // Runs `task` on the committer thread and waits for its answer.
  absl::Status RunTask(std::function<absl::Status()> task);
  absl::Status ApplyRecord(const agreements::storage::v1::LogRecord& record);
  absl::Status AppendTermRecord(uint64_t term, const std::string& node_id,
                                const std::string& address);
  // After a durable group (committed here or read from the log): keeps its states,
  // moves the head and publishes its events to the feed hub.
  void Published(Group& group, uint64_t keys);
  // Stops for good with `status` (a failed local write or a gap).
  void Stop(const absl::Status& status);
  // The node is no longer the writer (on the committer thread).
  void LoseWriterRole(const absl::Status& why);
  void Run();
  // The responder thread: calls the callbacks of every group, in group order.
  void Respond();
  // Queues a group's answers (or one status for all) for the responder thread.
  void Answer(std::vector<Pending>& pending,
              std::vector<absl::StatusOr<CommitOutcome>> answers);
  void Fail(std::vector<Pending>& pending, const absl::Status& status);
  void CommitGroup(std::vector<Pending>& pending);
  static size_t RequestBytes(const CommitRequest& request);

  Store* const store_;
  const CommitterOptions options_;

  mutable absl::Mutex mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  size_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Not OK once a write failed; every later request gets it.
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  uint64_t committed_position_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t groups_written_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t last_group_keys_ ABSL_GUARDED_BY(mu_) = 0;
  // Work for the committer thread besides groups (ApplyRecords, BecomeWriter).
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  // False on a replica: Submit then refuses with not_writer_.
  bool writer_ ABSL_GUARDED_BY(mu_) = true;
  absl::Status not_writer_ ABSL_GUARDED_BY(mu_);
  uint64_t record_index_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t record_term_ ABSL_GUARDED_BY(mu_) = 0;
  // Serializes joining the thread when Shutdown runs on several threads.
  absl::Mutex join_mu_;

  std::unique_ptr<CommitLog> owned_log_;
  CommitLog* log_ = nullptr;
  std::unique_ptr<Projection> owned_projection_;
  Projection* projection_ = nullptr;

  // Owned by the committer thread.
  uint64_t next_position_ = 1;
  // The stream index and the feed tags, written with the events.
  std::vector<std::unique_ptr<Applier>> record_appliers_;
  // The latest states, leaf hashes and identifier claims the views may not show yet.
  StateCache states_;
  absl::Time last_recorded_at_ = absl::UnixEpoch();

  absl::Mutex answers_mu_;
  std::deque<Answers> answers_ ABSL_GUARDED_BY(answers_mu_);
  bool answers_stopping_ ABSL_GUARDED_BY(answers_mu_) = false;

  std::thread thread_;
  std::thread responder_;
};

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_COMMITTER_H_
