// Committer::Group, the state of one commit group (store/committer.cc), shared by the
// committer's own commits and the records it applies in cluster mode
// (store/committer_cluster.cc). Internal to the committer.
#ifndef AGREEMENTS_STORE_COMMITTER_GROUP_H_
#define AGREEMENTS_STORE_COMMITTER_GROUP_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agreements/storage/v1/storage.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"
#include "store/committer.h"

namespace agreements::store {

namespace v1 = ::agreements::v1;
namespace sv1 = ::agreements::storage::v1;

// The state of one group being committed: what the requests before the current one left
// behind (loaded lazily), the WriteBatch of the log of record, and the answers.
class Committer::Group {
 public:
  Group(Store* store, const CommitterOptions& options, uint64_t next_position,
        absl::Time recorded_at, const std::vector<std::unique_ptr<Applier>>& appliers,
        StateCache& states)
      : store_(store),
        options_(options),
        next_position_(next_position),
        recorded_at_(google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
            absl::ToUnixNanos(recorded_at))),
        appliers_(appliers),
        states_(states),
        sink_(store, &batch_) {}

  // Decides one request (already checked by CheckRequest; `fingerprint` is its
  // Fingerprint) and, if it succeeds, adds it to the batch.
  absl::StatusOr<CommitOutcome> Add(const CommitRequest& request,
                                    const std::string& fingerprint);

  // Adds a record another writer committed (its events and request results), evolving
  // the states as the writer did. DATA_LOSS when it does not fit (a gap, a revision
  // out of order): the node's copy and the log disagree.
  absl::Status AddRecorded(const sv1::LogRecord& record);
  // The log record of the group's events and new request results.
  void FillRecord(sv1::LogRecord& record) const;

  // Adds the head to the batch; returns the batch to write.
  absl::StatusOr<rocksdb::WriteBatch*> Finish();
  uint64_t next_position() const { return next_position_; }
  // True when a request added anything to the batch.
  bool dirty() const { return dirty_; }
  // After the batch is durable: the group's states, hashes and identifier claims become
  // the committer's (the views may not show them yet).
  void KeepStates();
  // The group's events for the feed hub, in position order.
  std::vector<FeedItemPtr> TakeFeedItems() { return std::move(feed_items_); }
  // The group's events for the projection, in position order.
  std::vector<CommittedEvent> TakeCommitted() { return std::move(committed_); }

 private:
  using AgreementPtr = std::shared_ptr<const v1::Agreement>;
  using PartyPtr = std::shared_ptr<const v1::Party>;
  using StreamRef = std::pair<v1::StreamType, std::string>;
  // Per-request scratch state, merged into the group only when the request succeeds.
  struct StagedEvent {
    std::string bytes;  // the serialized event, exactly as stored
    std::shared_ptr<v1::Event> event;
    sv1::EventTags tags;
    merkle::Hash leaf_hash;
    AgreementPtr agreement_before, agreement_after;
    PartyPtr party_before, party_after;
  };
  struct Scope {
    uint64_t next_position = 0;
    std::map<std::string, AgreementPtr> agreements;
    std::map<std::string, PartyPtr> parties;
    std::vector<StagedEvent> events;
    std::vector<StreamRef> touched;
    // Leaf hash of each touched stream's last event so far (the chain).
    std::map<StreamRef, merkle::Hash> last_hash;
    // Identifier prefix (IdentifierPrefix) -> the agreement now holding it, or "" when
    // released, for the identifiers this request changed.
    std::map<std::string, std::string> identifiers;
  };

  // The leaf hash of the stream's event at `revision` (>= 1), from this request, this
  // group, the committer's states or the store.
  absl::StatusOr<merkle::Hash> LastHash(const Scope& scope, v1::StreamType type,
                                        const std::string& id, uint64_t revision);
  absl::StatusOr<AgreementPtr> LoadAgreement(const Scope& scope, const std::string& id);
  absl::StatusOr<PartyPtr> LoadParty(const Scope& scope, const std::string& id);
  absl::StatusOr<std::optional<v1::EventEnvelope>> LoadEnvelope(const Scope& scope,
                                                                uint64_t position);
  absl::StatusOr<std::optional<sv1::RequestRecord>> LoadRequest(const std::string& id);
  // Each identifier (and registration number) an agreement gains must not belong to
  // another agreement (ALREADY_EXISTS); notes the gains and releases in `scope`.
  absl::Status ClaimIdentifiers(Scope& scope, const std::string& id,
                                const AgreementPtr& before, const v1::Agreement& after);
  absl::StatusOr<std::string> IdentifierOwner(const Scope& scope,
                                              const std::string& prefix,
                                              const v1::Identifier& identifier);
  absl::Status ApplyCommand(const CommitRequest& request, v1::Command command,
                            Scope& scope);
  // Adds one event of `command`'s stream to `scope`, evolving the stream's state.
  absl::Status StageEvent(const CommitRequest& request, const v1::Command& command,
                          v1::EventPayload payload, uint64_t revision,
                          std::optional<merkle::Hash>& previous, AgreementPtr& agreement,
                          PartyPtr& party, Scope& scope);
  absl::StatusOr<CommitOutcome> Replay(const sv1::RequestRecord& record);
  absl::Status Project(const CommitRequest& request, const std::string& fingerprint,
                       Scope& scope, CommitOutcome& outcome);
  // Adds the scope's events to the batch (with the record-stage appliers), the feed
  // items and the projection's events, and merges its states into the group's; sets
  // each touched stream's revision and positions in `by_stream` when given.
  absl::Status ProjectEvents(Scope& scope,
                             std::map<StreamRef, v1::StreamResult*>* by_stream);
  // Stages one event of a record: its stream's state before and after it.
  absl::Status StageRecorded(const std::string& bytes, Scope& scope);

  Store* const store_;
  const CommitterOptions& options_;
  uint64_t next_position_;
  const google::protobuf::Timestamp recorded_at_;
  const std::vector<std::unique_ptr<Applier>>& appliers_;
  StateCache& states_;

  // What the group's requests left so far (not durable until the batch is written).
  std::map<std::string, AgreementPtr> agreements_;
  std::map<std::string, PartyPtr> parties_;
  std::map<uint64_t, v1::EventEnvelope> envelopes_;
  std::map<StreamRef, merkle::Hash> last_hash_;
  // The position of each stream's last event in the group.
  std::map<StreamRef, uint64_t> last_position_;
  std::map<std::string, sv1::RequestRecord> requests_;
  // Identifiers claimed or released by the group's requests so far (see Scope), with the
  // position of the request's last event.
  std::map<std::string, std::pair<std::string, uint64_t>> identifiers_;
  rocksdb::WriteBatch batch_;
  BatchSink sink_;
  bool dirty_ = false;
  std::vector<FeedItemPtr> feed_items_;
  std::vector<CommittedEvent> committed_;
};

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_COMMITTER_GROUP_H_
