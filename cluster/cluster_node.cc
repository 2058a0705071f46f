#include "cluster/cluster_node.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace agreements::cluster {

absl::StatusOr<std::unique_ptr<ClusterNode>> ClusterNode::Start(
    PostgresLog* log, std::unique_ptr<WriterLease> lease, store::Committer* committer,
    ClusterNodeOptions options) {
  if (options.node_id.empty()) return absl::InvalidArgumentError("node_id: empty");
  if (options.address.empty()) return absl::InvalidArgumentError("advertise: empty");
  if (options.lease < absl::Milliseconds(200)) {
    return absl::InvalidArgumentError("writer_lease: must be at least 200ms");
  }
  std::unique_ptr<ClusterNode> node(
      new ClusterNode(log, std::move(lease), committer, std::move(options)));
  {
    absl::MutexLock lock(&node->mu_);
    node->status_.record_index = committer->record_index();
    node->status_.term = committer->record_term();
  }
  node->thread_ = std::thread([raw = node.get()] { raw->Run(); });
  return node;
}

ClusterNode::~ClusterNode() { Shutdown(); }

void ClusterNode::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  if (held_term_ != 0) {
    committer_->StepDown(absl::UnavailableError(absl::StrCat(
        "node ", options_.node_id, " is shutting down; retry at the writer")));
    // Lets another node take over at once instead of after the lease.
    if (absl::Status released = lease_->Release(held_term_); !released.ok()) {
      logging::Warning("could not release the writer lease",
                       {{"error", std::string(released.message())}});
    }
    held_term_ = 0;
  }
}

bool ClusterNode::Sleep(absl::Duration duration) {
  absl::MutexLock lock(&mu_);
  auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
  return !mu_.AwaitWithTimeout(absl::Condition(&stopping), duration);
}

void ClusterNode::Note(const absl::Status& error) {
  absl::MutexLock lock(&mu_);
  status_.last_error = error;
}

ClusterNodeStatus ClusterNode::status() const {
  absl::MutexLock lock(&mu_);
  ClusterNodeStatus status = status_;
  status.record_index = committer_->record_index();
  status.log_last_index = std::max(log_->last_index_seen(), status.record_index);
  return status;
}

uint64_t ClusterNode::lag_records() const {
  const uint64_t applied = committer_->record_index();
  const uint64_t seen = log_->last_index_seen();
  return seen > applied ? seen - applied : 0;
}

void ClusterNode::Run() {
  const absl::Duration tick = options_.lease / 4;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
    }
    ReportCurrency();
    if (committer_->is_writer()) {
      if (absl::Now() >= next_lease_check_) {
        next_lease_check_ = absl::Now() + tick;
        RenewLease();
      }
      Sleep(std::min(tick, absl::Milliseconds(100)));
      continue;
    }
    bool was_writer = false;
    {
      absl::MutexLock lock(&mu_);
      was_writer = status_.writer;
    }
    if (was_writer) {
      // The committer stepped down by itself: an append was fenced out or its outcome
      // stayed unknown. The log says what happened; another node may lead meanwhile.
      (void)lease_->Release(held_term_);
      StepDown("an append was fenced out or its outcome unknown");
    }
    bool caught_up = false;
    {
      absl::MutexLock lock(&mu_);
      caught_up = status_.caught_up;
    }
    const absl::Duration wait =
        caught_up ? std::min(tick, absl::Milliseconds(250)) : absl::ZeroDuration();
    if (Follow(wait)) continue;
    if (absl::Now() >= next_lease_check_) {
      next_lease_check_ = absl::Now() + tick;
      CheckLease();
    }
    if (held_term_ != 0) TryToLead();
  }
}

bool ClusterNode::Follow(absl::Duration wait) {
  auto records = log_->Read(committer_->record_index(), options_.max_records, wait);
  if (!records.ok()) {
    {
      absl::MutexLock lock(&mu_);
      ++status_.read_errors;
      status_.last_error = records.status();
      status_.caught_up = false;
    }
    logging::Warning("cannot read the replicated log; retrying",
                     {{"error", std::string(records.status().message())}});
    Sleep(absl::Milliseconds(200));
    return false;
  }
  read_once_ = true;
  if (records->empty()) {
    absl::MutexLock lock(&mu_);
    status_.caught_up = true;
    return false;
  }
  absl::Status applied = committer_->ApplyRecords(*std::move(records));
  {
    absl::MutexLock lock(&mu_);
    status_.caught_up = false;
    if (!applied.ok()) status_.last_error = applied;
  }
  if (!applied.ok()) {
    // The committer stopped (a gap, or the store refused a write): it said so loudly.
    Sleep(absl::Seconds(1));
    return false;
  }
  return true;
}

void ClusterNode::ReportCurrency() {
  const bool current = (read_once_ || committer_->is_writer()) &&
                       !committer_->stopped() &&
                       lag_records() <= options_.max_lag_records;
  if (current_.has_value() && *current_ == current) return;
  current_ = current;
  if (options_.on_current) options_.on_current(current);
}

void ClusterNode::CheckLease() {
  absl::StatusOr<WriterInfo> info = lease_->Read();
  if (!info.ok()) {
    Note(info.status());
    return;
  }
  const bool mine = info->node_id == options_.node_id;
  {
    absl::MutexLock lock(&mu_);
    status_.writer_node = info->node_id;
    status_.writer_address = info->address;
  }
  if (info->live && !mine) {
    absl::Status refusal = absl::UnavailableError(
        absl::StrCat("this node (", options_.node_id, ") is a replica; the writer is ",
                     info->node_id, " at ", info->address, ": send writes there"));
    refusal.SetPayload(store::kWriterPayload, absl::Cord(info->address));
    committer_->StepDown(std::move(refusal));
    return;
  }
  if (held_term_ != 0) return;
  // A node that stopped (a gap in the log, a store that refused a write) never leads.
  if (committer_->stopped()) return;
  // Expired (or this node's from before a restart), and this node applied every record
  // it could read: it may take over.
  absl::StatusOr<std::optional<uint64_t>> acquired = lease_->TryAcquire(info->term);
  if (!acquired.ok()) {
    Note(acquired.status());
    return;
  }
  if (!acquired->has_value()) return;
  held_term_ = **acquired;
  logging::Info("took the writer lease; applying the log before writing",
                {{"node", options_.node_id}, {"term", std::to_string(held_term_)}});
}

void ClusterNode::TryToLead() {
  while (Follow(absl::ZeroDuration())) {
  }
  if (committer_->stopped()) {
    // It cannot write: let another node take the lease at once.
    (void)lease_->Release(held_term_);
    held_term_ = 0;
    return;
  }
  absl::StatusOr<bool> renewed = lease_->Renew(held_term_);
  if (!renewed.ok() || !*renewed) {
    if (!renewed.ok()) Note(renewed.status());
    if (renewed.ok()) held_term_ = 0;  // another node took it
    return;
  }
  absl::Status led =
      committer_->BecomeWriter(held_term_, options_.node_id, options_.address);
  if (!led.ok()) {
    // ABORTED: a record came first (the previous writer's last one): apply it and try
    // again while the lease holds.
    Note(led);
    if (!absl::IsAborted(led)) Sleep(absl::Milliseconds(200));
    return;
  }
  next_lease_check_ = absl::Now() + options_.lease / 4;
  {
    absl::MutexLock lock(&mu_);
    status_.writer = true;
    status_.term = held_term_;
    status_.writer_node = options_.node_id;
    status_.writer_address = options_.address;
    ++status_.terms_started;
  }
  logging::Info("this node is the writer",
                {{"node", options_.node_id},
                 {"term", std::to_string(held_term_)},
                 {"record", std::to_string(committer_->record_index())}});
  if (options_.on_role) options_.on_role(true);
}

void ClusterNode::RenewLease() {
  absl::StatusOr<bool> renewed = lease_->Renew(held_term_);
  if (renewed.ok() && *renewed) return;
  if (!renewed.ok()) {
    // The log may be failing over: keep writing (appends are fenced anyway) and try
    // again at the next check.
    Note(renewed.status());
    logging::Warning("could not renew the writer lease",
                     {{"error", std::string(renewed.status().message())}});
    return;
  }
  StepDown("the writer lease went to another node");
}

void ClusterNode::StepDown(const std::string& why) {
  committer_->StepDown(absl::UnavailableError(
      absl::StrCat("this node (", options_.node_id, ") is no longer the writer (", why,
                   "); retry shortly")));
  held_term_ = 0;
  {
    absl::MutexLock lock(&mu_);
    status_.writer = false;
    ++status_.step_downs;
  }
  logging::Warning("this node stepped down as the writer",
                   {{"node", options_.node_id}, {"why", why}});
  if (options_.on_role) options_.on_role(false);
}

}  // namespace agreements::cluster
