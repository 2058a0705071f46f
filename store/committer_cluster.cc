// The committer in cluster mode (docs/cluster.md): applying the records other writers
// appended, becoming the writer by a fenced term record, and stepping down.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "google/protobuf/util/time_util.h"
#include "store/commit_log.h"
#include "store/committer.h"
#include "store/committer_group.h"
#include "store/keys.h"

namespace agreements::store {

using google::protobuf::util::TimeUtil;

void Committer::LoseWriterRole(const absl::Status& why) {
  {
    absl::MutexLock lock(&mu_);
    writer_ = false;
    not_writer_ = absl::UnavailableError(
        absl::StrCat("this node is no longer the writer (", why.message(),
                     "); retry shortly, at the new writer"));
  }
  if (options_.on_step_down) options_.on_step_down(why);
}

void Committer::StepDown(absl::Status refusal) {
  absl::MutexLock lock(&mu_);
  writer_ = false;
  not_writer_ = std::move(refusal);
}

bool Committer::is_writer() const {
  absl::MutexLock lock(&mu_);
  return writer_ && failure_.ok();
}

bool Committer::stopped() const {
  absl::MutexLock lock(&mu_);
  return !failure_.ok();
}

absl::Status Committer::WriterRefusal() const {
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return failure_;
  return writer_ ? absl::OkStatus() : not_writer_;
}

uint64_t Committer::record_index() const {
  absl::MutexLock lock(&mu_);
  return record_index_;
}

uint64_t Committer::record_term() const {
  absl::MutexLock lock(&mu_);
  return record_term_;
}

absl::Status Committer::RunTask(std::function<absl::Status()> task) {
  absl::Mutex done_mu;
  bool done = false;
  absl::Status result;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return absl::UnavailableError("the registry is shutting down");
    tasks_.push_back([&] {
      absl::Status status = task();
      absl::MutexLock done_lock(&done_mu);
      result = std::move(status);
      done = true;
    });
  }
  absl::MutexLock done_lock(&done_mu);
  done_mu.Await(absl::Condition(&done));
  return result;
}

absl::Status Committer::ApplyRecords(std::vector<sv1::LogRecord> records) {
  if (!log_->replicated()) {
    return absl::FailedPreconditionError("the embedded log has no records to apply");
  }
  return RunTask([this, &records]() -> absl::Status {
    for (const auto& record : records) RETURN_IF_ERROR(ApplyRecord(record));
    return absl::OkStatus();
  });
}

absl::Status Committer::ApplyRecord(const sv1::LogRecord& record) {
  uint64_t index = 0, term = 0;
  {
    absl::MutexLock lock(&mu_);
    if (!failure_.ok()) return failure_;
    index = record_index_;
    term = record_term_;
  }
  if (record.index() <= index) return absl::OkStatus();  // held already
  absl::Status gap;
  if (record.index() != index + 1) {
    gap = absl::DataLossError(
        absl::StrCat("log record ", record.index(), " follows record ", index, " here"));
  } else if (record.term() < term) {
    gap = absl::DataLossError(absl::StrCat("log record ", record.index(), " has term ",
                                           record.term(), " after term ", term));
  } else if (record.count() != static_cast<uint64_t>(record.events_size()) ||
             (record.count() > 0 && record.first_position() != next_position_)) {
    gap = absl::DataLossError(
        absl::StrCat("log record ", record.index(), " starts at position ",
                     record.first_position(), " with ", record.events_size(),
                     " events, but position ", next_position_, " is next here"));
  }
  states_.Evict(projection_->applied());
  Group group(store_, options_, next_position_, last_recorded_at_, record_appliers_,
              states_);
  if (gap.ok() && record.count() > 0) gap = group.AddRecorded(record);
  if (!gap.ok()) {
    const std::string why = absl::StrCat(
        "the replicated log does not follow this node's copy: ", gap.message(),
        "; the node stopped (docs/cluster.md, \"A gap in the log\")");
    // Callers are told to go elsewhere; the node's owner hears of the data loss (and
    // does not restart the store: it would find the same gap).
    {
      absl::MutexLock lock(&mu_);
      if (failure_.ok()) failure_ = absl::UnavailableError(why);
    }
    if (options_.on_log_gap) options_.on_log_gap(absl::DataLossError(why));
    return absl::DataLossError(why);
  }
  absl::StatusOr<rocksdb::WriteBatch*> batch = group.Finish();
  absl::Status written = batch.status();
  if (written.ok()) {
    (*batch)->Put(store_->meta(), kMetaRecord,
                  EncodeRecordMark(record.index(), record.term()));
    written = WriteLocal(store_, **batch);
  }
  if (!written.ok()) {
    Stop(absl::UnavailableError(
        absl::StrCat("the store refused a write (", written.message(),
                     "); restart the server: it reads the log again")));
    return written;
  }
  {
    absl::MutexLock lock(&mu_);
    record_index_ = record.index();
    record_term_ = record.term();
    if (record.has_writer_start() && writer_ && record.term() > term) {
      writer_ = false;  // another node's term began: this one is stale
    }
    if (record.has_writer_start() && !writer_) {
      not_writer_ = absl::UnavailableError(absl::StrCat(
          "this node is a replica; the writer is ", record.writer_start().node_id(),
          " at ", record.writer_start().address(), ": send writes there"));
      not_writer_.SetPayload(kWriterPayload, absl::Cord(record.writer_start().address()));
    }
  }
  if (record.count() == 0) return absl::OkStatus();
  if (!record.events().empty()) {
    v1::Event last;
    if (last.ParseFromString(record.events(record.events_size() - 1))) {
      last_recorded_at_ = std::max(last_recorded_at_,
                                   absl::FromUnixNanos(TimeUtil::TimestampToNanoseconds(
                                       last.envelope().recorded_at())));
    }
  }
  Published(group, (*batch)->Count());
  projection_->Enqueue(group.TakeCommitted());
  return absl::OkStatus();
}

absl::Status Committer::BecomeWriter(uint64_t term, const std::string& node_id,
                                     const std::string& address) {
  if (!log_->replicated()) return absl::OkStatus();
  return RunTask([this, term, &node_id, &address] {
    return AppendTermRecord(term, node_id, address);
  });
}

absl::Status Committer::AppendTermRecord(uint64_t term, const std::string& node_id,
                                         const std::string& address) {
  uint64_t index = 0;
  {
    absl::MutexLock lock(&mu_);
    if (!failure_.ok()) return failure_;
    if (term <= record_term_) {
      return absl::AbortedError(absl::StrCat("term ", term, " is not after term ",
                                             record_term_, " of the log"));
    }
    index = record_index_;
  }
  sv1::LogRecord record;
  record.set_index(index + 1);
  record.set_term(term);
  record.mutable_writer_start()->set_node_id(node_id);
  record.mutable_writer_start()->set_address(address);
  rocksdb::WriteBatch local;
  local.Put(store_->meta(), kMetaRecord, EncodeRecordMark(record.index(), term));
  AppendResult appended = log_->Append(&record, local);
  switch (appended.kind) {
    case AppendResult::Kind::kDurable:
      break;
    case AppendResult::Kind::kFenced:
      return absl::AbortedError(appended.status.message());
    case AppendResult::Kind::kUnknown:
    case AppendResult::Kind::kNotWritten:
      return absl::UnavailableError(appended.status.message());
    case AppendResult::Kind::kLocalWriteFailed:
      Stop(absl::UnavailableError(absl::StrCat("the store refused a write (",
                                               appended.status.message(),
                                               "); restart the server")));
      return appended.status;
  }
  absl::MutexLock lock(&mu_);
  record_index_ = record.index();
  record_term_ = term;
  writer_ = true;
  not_writer_ = absl::OkStatus();
  return absl::OkStatus();
}

}  // namespace agreements::store
