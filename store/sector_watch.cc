#include "store/sector_watch.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "domain/decider.h"
#include "domain/sectors.h"
#include "store/log_reader.h"

namespace agreements::store {
namespace {

namespace v1 = ::agreements::v1;

constexpr size_t kSnapshotPage = 256;

}  // namespace

SectorWatch::SectorWatch(const Store* store, const v1::WatchSectorRequest& request,
                         domain::Clearance clearance)
    : store_(store), sector_(request.sector()), clearance_(std::move(clearance)) {
  for (int status : request.statuses()) statuses_.insert(status);
  for (int kind : request.instrument_kinds()) kinds_.insert(kind);
}

absl::StatusOr<std::unique_ptr<SectorWatch>> SectorWatch::Create(
    const Store* store, const FeedHub* hub, const v1::WatchSectorRequest& request,
    absl::Time now, domain::Clearance clearance, const Projection* projection) {
  if (request.sector().empty()) return absl::InvalidArgumentError("sector: required");
  if (!domain::IsRegistrySector(request.sector())) {
    return absl::InvalidArgumentError(
        absl::StrCat("sector: \"", request.sector(), "\" is not a registry sector"));
  }
  if (request.statuses_size() > static_cast<int>(kMaxFilterValuesPerKind) ||
      request.instrument_kinds_size() > static_cast<int>(kMaxFilterValuesPerKind)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "statuses, instrument_kinds: at most ", kMaxFilterValuesPerKind, " values each"));
  }
  for (int i = 0; i < request.statuses_size(); ++i) {
    const int status = request.statuses(i);
    if (status == v1::AGREEMENT_STATUS_UNSPECIFIED ||
        !v1::AgreementStatus_IsValid(status)) {
      return absl::InvalidArgumentError(
          absl::StrCat("statuses[", i, "]: unknown value ", status));
    }
  }
  for (int i = 0; i < request.instrument_kinds_size(); ++i) {
    const int kind = request.instrument_kinds(i);
    if (kind == v1::INSTRUMENT_KIND_UNSPECIFIED || !v1::InstrumentKind_IsValid(kind)) {
      return absl::InvalidArgumentError(
          absl::StrCat("instrument_kinds[", i, "]: unknown value ", kind));
    }
  }
  FeedCursorOptions options;
  RETURN_IF_ERROR(CheckpointOptions(request.checkpoint_every_events(),
                                    request.checkpoint_interval_ms(), options));
  v1::EventFilter filter;
  filter.add_sectors(request.sector());
  ASSIGN_OR_RETURN(FeedFilter compiled, FeedFilter::Compile(filter, "sector"));
  // The cursor drops the events the caller may not see in this sector's view exactly as
  // it drops the events of other sectors, so they are counted alike (checkpoints) and
  // never reach the view filter below.
  compiled.Restrict(clearance.SeesNonPublicIn(request.sector())
                        ? domain::Clearance::All()
                        : domain::Clearance::PublicAnd({}));

  if (request.resume_after() == UINT64_MAX) {
    return absl::InvalidArgumentError("resume_after: beyond any position");
  }
  std::unique_ptr<SectorWatch> watch(
      new SectorWatch(store, request, std::move(clearance)));
  watch->options_ = options;
  watch->last_message_time_ = now;
  watch->hub_ = hub;
  if (request.resume_after() == 0) {
    watch->projection_ = projection;
    watch->snapshot_target_ = hub->head();
    watch->snapshot_pending_ = true;
    watch->filter_ = std::make_unique<FeedFilter>(std::move(compiled));
    return watch;
  }
  watch->cursor_ = std::make_unique<FeedCursor>(store, hub, std::move(compiled),
                                                request.resume_after() + 1, options, now);
  return watch;
}

absl::Status SectorWatch::OpenSnapshot(absl::Time now) {
  if (projection_ != nullptr &&
      !projection_->WaitApplied(snapshot_target_, absl::Now() + kViewsWait)) {
    const uint64_t applied = projection_->applied();
    return absl::UnavailableError(absl::StrCat(
        "the views are at position ", applied, ", behind the log's head ",
        snapshot_target_, ", and did not catch up within 10 s; watch again later"));
  }
  ASSIGN_OR_RETURN(snapshot_, ViewReader::Create(store_));
  snapshot_deadline_ = now + kSnapshotTimeLimit;
  cursor_ = std::make_unique<FeedCursor>(store_, hub_, std::move(*filter_),
                                         snapshot_->position() + 1, options_, now);
  filter_.reset();
  snapshot_pending_ = false;
  return absl::OkStatus();
}

bool SectorWatch::InView(const v1::Agreement& agreement) const {
  bool in_sector = false;
  for (const auto& sector : agreement.sectors())
    in_sector = in_sector || sector == sector_;
  return in_sector && clearance_.SeesInSector(agreement, sector_) &&
         (statuses_.empty() || statuses_.contains(agreement.status())) &&
         (kinds_.empty() || kinds_.contains(agreement.instrument_kind()));
}

absl::StatusOr<v1::Agreement> SectorWatch::StateBefore(const v1::Event& event) {
  const v1::EventEnvelope& envelope = event.envelope();
  if (auto it = states_.find(envelope.stream_id());
      it != states_.end() && it->second.revision() + 1 == envelope.revision()) {
    return it->second;
  }
  v1::Agreement state;
  if (envelope.revision() <= 1) return state;
  LogReader reader(store_);
  ASSIGN_OR_RETURN(EventPage page,
                   reader.ReadStream(v1::STREAM_TYPE_AGREEMENT, envelope.stream_id(), 1,
                                     envelope.revision() - 1));
  if (page.events.size() != envelope.revision() - 1) {
    return absl::DataLossError(absl::StrCat("stream of agreement ", envelope.stream_id(),
                                            " is missing events before revision ",
                                            envelope.revision()));
  }
  for (const StoredEvent& stored : page.events) {
    v1::Event replayed;
    if (!replayed.ParseFromString(stored.bytes)) {
      return absl::DataLossError(
          absl::StrCat("event at position ", stored.position, " cannot be parsed"));
    }
    domain::EvolveAgreement(state, replayed);
  }
  return state;
}

absl::StatusOr<bool> SectorWatch::Translate(const v1::Event& event,
                                            std::vector<v1::WatchSectorResponse>& out) {
  const v1::EventEnvelope& envelope = event.envelope();
  if (envelope.stream_type() != v1::STREAM_TYPE_AGREEMENT) return false;
  ASSIGN_OR_RETURN(v1::Agreement before, StateBefore(event));
  v1::Agreement after = before;
  domain::EvolveAgreement(after, event);
  if (states_.size() >= kStateCacheSize) states_.clear();  // bounded: start afresh
  states_[envelope.stream_id()] = after;

  v1::WatchSectorResponse message;
  if (InView(after)) {
    message.mutable_update()->set_position(envelope.position());
    *message.mutable_update()->mutable_agreement() = std::move(after);
  } else if (envelope.revision() > 1 && InView(before)) {
    message.mutable_removed()->set_agreement_id(envelope.stream_id());
    message.mutable_removed()->set_revision(envelope.revision());
    message.mutable_removed()->set_position(envelope.position());
  } else {
    return false;
  }
  out.push_back(std::move(message));
  return true;
}

absl::StatusOr<SectorWatch::Step> SectorWatch::Next(absl::Time now) {
  Step step;
  if (snapshot_pending_) RETURN_IF_ERROR(OpenSnapshot(now));
  if (snapshot_ != nullptr) {
    if (now > snapshot_deadline_) {
      return absl::AbortedError(
          "the initial snapshot was not read within 2 minutes; subscribe again (and "
          "read faster), or resume with resume_after");
    }
    AgreementFilter filter;
    filter.sector = sector_;
    filter.clearance = clearance_;
    ASSIGN_OR_RETURN(auto page,
                     snapshot_->ListAgreements(filter, snapshot_after_, kSnapshotPage));
    for (auto& agreement : page.items) {
      if (!InView(agreement)) continue;
      v1::WatchSectorResponse message;
      message.mutable_update()->set_position(snapshot_->position());
      message.mutable_update()->set_snapshot(true);
      *message.mutable_update()->mutable_agreement() = std::move(agreement);
      step.messages.push_back(std::move(message));
    }
    snapshot_after_ = page.next_after;
    if (snapshot_after_.empty()) snapshot_.reset();  // the snapshot is complete
    return step;
  }
  ASSIGN_OR_RETURN(FeedCursor::Step inner, cursor_->Next(now));
  step.at_head = inner.at_head;
  for (auto& message : inner.messages) {
    switch (message.kind_case()) {
      case v1::SubscribeResponse::kEvent: {
        ASSIGN_OR_RETURN(bool sent, Translate(message.event(), step.messages));
        if (sent) {
          dropped_since_message_ = 0;
          last_message_time_ = now;
        } else {
          ++dropped_since_message_;
        }
        break;
      }
      case v1::SubscribeResponse::kCheckpoint:
        *step.messages.emplace_back().mutable_checkpoint() = message.checkpoint();
        break;
      case v1::SubscribeResponse::kCaughtUp:
        *step.messages.emplace_back().mutable_caught_up() = message.caught_up();
        break;
      case v1::SubscribeResponse::kFellBehind:
        *step.messages.emplace_back().mutable_fell_behind() = message.fell_behind();
        break;
      case v1::SubscribeResponse::kEvents:  // the watch's cursor never asks for batches
      case v1::SubscribeResponse::KIND_NOT_SET:
        break;
    }
    if (!message.has_event()) {
      dropped_since_message_ = 0;
      last_message_time_ = now;
    }
  }
  // Changes the view filter dropped still count as examined: checkpoint past them, by
  // count, by time, or when the stream is at the head.
  if (dropped_since_message_ > 0 &&
      (dropped_since_message_ >= options_.checkpoint_every_events ||
       now - last_message_time_ >= options_.checkpoint_interval || step.at_head)) {
    step.messages.emplace_back().mutable_checkpoint()->set_position(
        cursor_->next_position() - 1);
    dropped_since_message_ = 0;
    last_message_time_ = now;
  }
  return step;
}

}  // namespace agreements::store
