#include "store/projection.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "domain/decider.h"
#include "rocksdb/write_batch.h"
#include "store/keys.h"
#include "store/state_copy.h"

namespace agreements::store {
namespace {

namespace v1 = ::agreements::v1;

// Most stream states kept between batches (beyond it they are dropped and read from
// the views again).
constexpr size_t kMaxKeptStates = 8192;
// Events read from the log per batch while catching up.
constexpr size_t kCatchUpBatchEvents = 8192;

}  // namespace

Projection::Projection(Store* store, ProjectionOptions options)
    : store_(store), options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<Projection>> Projection::Start(Store* store,
                                                              ProjectionOptions options) {
  std::unique_ptr<Projection> projection(new Projection(store, std::move(options)));
  ASSIGN_OR_RETURN(const uint64_t applied, store->ReadApplied());
  ASSIGN_OR_RETURN(const uint64_t head, store->ReadHead());
  if (applied > head) {
    return absl::DataLossError(absl::StrCat("the views are at position ", applied,
                                            ", beyond the log's head ", head));
  }
  ASSIGN_OR_RETURN(projection->appliers_,
                   MakeAppliers(ApplierContext{store, applied}, ApplierStage::kView));
  {
    absl::MutexLock lock(&projection->mu_);
    projection->applied_ = applied;
    projection->enqueued_ = applied;
  }
  RETURN_IF_ERROR(projection->CatchUp(head));
  projection->thread_ = std::thread([p = projection.get()] { p->Run(); });
  return projection;
}

absl::Status Projection::CatchUp(uint64_t head) {
  uint64_t next = applied() + 1;
  rocksdb::ReadOptions read;
  read.readahead_size = 2 << 20;
  read.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(read, store_->log()));
  it->Seek(LogKey(next));
  while (next <= head) {
    // Whole requests per batch: a batch ends where the request id changes.
    std::vector<CommittedEvent> events;
    for (; it->Valid(); it->Next()) {
      uint64_t position = 0;
      if (!DecodeU64(ToView(it->key()), position) || position != next) break;
      auto event = std::make_shared<v1::Event>();
      if (!event->ParseFromArray(it->value().data(),
                                 static_cast<int>(it->value().size()))) {
        return absl::DataLossError(
            absl::StrCat("event at position ", position, " cannot be parsed"));
      }
      if (events.size() >= kCatchUpBatchEvents &&
          event->envelope().request_id() !=
              events.back().event->envelope().request_id()) {
        break;
      }
      auto item = std::make_shared<FeedItem>();
      item->position = position;
      item->bytes = it->value().ToString();
      CommittedEvent committed;
      committed.leaf_hash = merkle::LeafHash(item->bytes);
      committed.item = std::move(item);
      committed.event = std::move(event);
      events.push_back(std::move(committed));
      ++next;
      if (next > head) break;
    }
    RETURN_IF_ERROR(FromRocksStatus(it->status(), "reading the log"));
    if (events.empty()) {
      return absl::DataLossError(
          absl::StrCat("the log has no event at position ", next, " (head ", head, ")"));
    }
    if (next <= head) it->Next();
    RETURN_IF_ERROR(ApplyBatch(events));
    absl::MutexLock lock(&mu_);
    applied_ = enqueued_ = events.back().item->position;
  }
  return absl::OkStatus();
}

template <typename State>
absl::StatusOr<std::shared_ptr<const State>> Projection::Before(
    absl::flat_hash_map<std::string, std::shared_ptr<const State>>& states,
    rocksdb::ColumnFamilyHandle* family, const std::string& id) {
  if (auto it = states.find(id); it != states.end()) return it->second;
  auto bytes = store_->Get(family, id);
  if (absl::IsNotFound(bytes.status())) return std::shared_ptr<const State>();
  if (!bytes.ok()) return bytes.status();
  auto state = std::make_shared<State>();
  if (!state->ParseFromString(*bytes)) {
    return absl::DataLossError(absl::StrCat("the view of ", id, " is corrupt"));
  }
  return std::shared_ptr<const State>(std::move(state));
}

absl::Status Projection::ApplyEvent(CommittedEvent& committed, ViewSink& sink) {
  const v1::EventEnvelope& envelope = committed.event->envelope();
  const std::string& id = envelope.stream_id();
  Change change;
  change.event = committed.event.get();
  change.bytes = committed.item->bytes;
  change.leaf_hash = committed.leaf_hash;
  uint64_t revision_before = 0;
  if (envelope.stream_type() == v1::STREAM_TYPE_PARTY) {
    ASSIGN_OR_RETURN(change.party_before, Before(parties_, store_->parties(), id));
    if (change.party_before != nullptr) revision_before = change.party_before->revision();
    if (committed.party_after == nullptr) {
      auto after = NextState(change.party_before.get());
      domain::EvolveParty(*after, *committed.event);
      committed.party_after = std::move(after);
    }
    change.party_after = committed.party_after;
    parties_[id] = committed.party_after;
  } else {
    ASSIGN_OR_RETURN(change.agreement_before,
                     Before(agreements_, store_->agreements(), id));
    if (change.agreement_before != nullptr) {
      revision_before = change.agreement_before->revision();
    }
    if (committed.agreement_after == nullptr) {
      auto after = NextState(change.agreement_before.get());
      domain::EvolveAgreement(*after, *committed.event);
      committed.agreement_after = std::move(after);
    }
    change.agreement_after = committed.agreement_after;
    agreements_[id] = committed.agreement_after;
  }
  if (envelope.revision() != revision_before + 1) {
    return absl::DataLossError(absl::StrCat(
        "event at position ", envelope.position(), " has revision ", envelope.revision(),
        " of ", id, ", whose view is at revision ", revision_before));
  }
  for (auto& applier : appliers_) RETURN_IF_ERROR(applier->Apply(change, sink));
  return absl::OkStatus();
}

absl::Status Projection::ApplyBatch(std::vector<CommittedEvent>& events) {
  rocksdb::WriteBatch batch;
  BatchSink sink(store_, &batch);
  absl::Status status;
  for (auto& event : events) {
    status = ApplyEvent(event, sink);
    if (!status.ok()) break;
  }
  for (auto& applier : appliers_) {
    if (!status.ok()) break;
    status = applier->Flush(sink);
  }
  if (status.ok()) {
    batch.Put(store_->meta(), kMetaApplied, EncodeU64(events.back().item->position));
    // Not synced: a lost batch loses its applied position with it (docs/storage.md).
    status = FromRocksStatus(store_->db()->Write(rocksdb::WriteOptions(), &batch),
                             "writing views");
  }
  if (!status.ok()) {
    for (auto& applier : appliers_) applier->Reset();
    agreements_.clear();
    parties_.clear();
    return status;
  }
  if (agreements_.size() + parties_.size() > kMaxKeptStates) {
    agreements_.clear();
    parties_.clear();
  }
  return absl::OkStatus();
}

void Projection::Run() {
  while (true) {
    RunTask();
    std::vector<CommittedEvent> events;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || task_ != nullptr || (!paused_ && !queue_.empty());
      };
      mu_.Await(absl::Condition(&ready));
      if (task_ != nullptr) continue;
      if (queue_.empty()) {  // stopping, and everything handed over is applied
        stopped_ = true;
        return;
      }
      size_t bytes = 0;
      while (!queue_.empty()) {
        const auto& group = queue_.front();
        size_t group_bytes = 0;
        for (const auto& event : group) group_bytes += event.item->bytes.size();
        if (!events.empty() &&
            (events.size() + group.size() > options_.max_batch_events ||
             bytes + group_bytes > options_.max_batch_bytes)) {
          break;
        }
        bytes += group_bytes;
        for (auto& event : queue_.front()) events.push_back(std::move(event));
        queue_.pop_front();
      }
    }
    if (options_.TEST_before_batch) options_.TEST_before_batch();
    const absl::Status status = ApplyBatch(events);
    if (!status.ok()) {
      {
        absl::MutexLock lock(&mu_);
        failure_ = status;
        queue_.clear();
        stopped_ = true;
      }
      if (options_.on_failure) options_.on_failure(status);
      return;
    }
    const uint64_t position = events.back().item->position;
    {
      absl::MutexLock lock(&mu_);
      applied_ = position;
      ++TEST_batches_;
    }
    Notify(position);
  }
}

void Projection::RunTask() {
  const std::function<absl::Status(uint64_t)>* task = nullptr;
  uint64_t applied = 0;
  {
    absl::MutexLock lock(&mu_);
    task = task_;
    applied = applied_;
  }
  if (task == nullptr) return;
  const absl::Status status = (*task)(applied);
  for (auto& applier : appliers_) applier->Reset();
  agreements_.clear();
  parties_.clear();
  absl::MutexLock lock(&mu_);
  task_ = nullptr;
  task_status_ = status;
}

absl::Status Projection::RunBetweenBatches(
    const std::function<absl::Status(uint64_t applied)>& task) {
  absl::MutexLock one_task(&task_mu_);
  absl::MutexLock lock(&mu_);
  if (stopped_ || stopping_ || !failure_.ok()) {
    return absl::UnavailableError("the projection is not running");
  }
  task_status_.reset();
  task_ = &task;
  auto done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return task_status_.has_value() || stopped_;
  };
  mu_.Await(absl::Condition(&done));
  if (!task_status_.has_value()) {
    task_ = nullptr;
    return absl::UnavailableError("the projection stopped before the task ran");
  }
  return *task_status_;
}

void Projection::Enqueue(std::vector<CommittedEvent> group) {
  if (group.empty()) return;
  absl::MutexLock lock(&mu_);
  auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || !failure_.ok() || enqueued_ - applied_ <= options_.max_lag_events;
  };
  mu_.Await(absl::Condition(&room));
  if (!failure_.ok()) return;
  enqueued_ = group.back().item->position;
  queue_.push_back(std::move(group));
}

uint64_t Projection::applied() const {
  absl::MutexLock lock(&mu_);
  return applied_;
}

uint64_t Projection::enqueued() const {
  absl::MutexLock lock(&mu_);
  return enqueued_;
}

bool Projection::WaitApplied(uint64_t position, absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  auto reached = [this, position]()
                     ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return applied_ >= position; };
  return mu_.AwaitWithDeadline(absl::Condition(&reached), deadline);
}

absl::Status Projection::status() const {
  absl::MutexLock lock(&mu_);
  return failure_;
}

uint64_t Projection::AddListener(std::function<void(uint64_t)> listener) {
  absl::MutexLock lock(&listeners_mu_);
  const uint64_t id = next_listener_++;
  listeners_.emplace_back(id, std::move(listener));
  return id;
}

void Projection::RemoveListener(uint64_t id) {
  absl::MutexLock lock(&listeners_mu_);
  listeners_.erase(std::remove_if(listeners_.begin(), listeners_.end(),
                                  [id](const auto& entry) { return entry.first == id; }),
                   listeners_.end());
}

void Projection::Notify(uint64_t position) {
  std::vector<std::function<void(uint64_t)>> listeners;
  {
    absl::MutexLock lock(&listeners_mu_);
    for (const auto& [id, listener] : listeners_) listeners.push_back(listener);
  }
  for (const auto& listener : listeners) listener(position);
}

void Projection::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  absl::MutexLock join(&join_mu_);
  if (thread_.joinable()) thread_.join();
}

Projection::~Projection() { Shutdown(); }

void Projection::TEST_Pause() {
  absl::MutexLock lock(&mu_);
  paused_ = true;
}

void Projection::TEST_Resume() {
  absl::MutexLock lock(&mu_);
  paused_ = false;
}

uint64_t Projection::TEST_batches_written() const {
  absl::MutexLock lock(&mu_);
  return TEST_batches_;
}

}  // namespace agreements::store
