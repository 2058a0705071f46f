#include "store/feed_cursor.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "agreements/v1/agreement.pb.h"
#include "common/status_macros.h"
#include "google/protobuf/unknown_field_set.h"
#include "domain/sectors.h"
#include "domain/validation.h"

namespace agreements::store {
namespace {

namespace v1 = ::agreements::v1;

absl::Status CheckCount(absl::string_view path, absl::string_view kind, int count) {
  if (static_cast<size_t>(count) <= kMaxFilterValuesPerKind) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(path, ".", kind, ": at most ", kMaxFilterValuesPerKind, " values"));
}

bool IsEventType(const std::string& name) {
  const auto* field = v1::EventPayload::descriptor()->FindFieldByName(name);
  return field != nullptr && field->containing_oneof() != nullptr;
}

template <typename Set, typename Values>
bool AnyIn(const Set& set, const Values& values) {
  for (const auto& value : values) {
    if (set.contains(value)) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<FeedFilter> FeedFilter::Compile(const v1::EventFilter& filter,
                                               absl::string_view path) {
  RETURN_IF_ERROR(CheckCount(path, "sectors", filter.sectors_size()));
  RETURN_IF_ERROR(CheckCount(path, "instrument_kinds", filter.instrument_kinds_size()));
  RETURN_IF_ERROR(CheckCount(path, "event_types", filter.event_types_size()));
  RETURN_IF_ERROR(CheckCount(path, "agreement_ids", filter.agreement_ids_size()));
  RETURN_IF_ERROR(CheckCount(path, "party_ids", filter.party_ids_size()));
  const size_t total = filter.sectors_size() + filter.instrument_kinds_size() +
                       filter.event_types_size() + filter.agreement_ids_size() +
                       filter.party_ids_size();
  if (total > kMaxFilterValues) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": at most ", kMaxFilterValues, " values in all"));
  }
  FeedFilter compiled;
  for (int i = 0; i < filter.sectors_size(); ++i) {
    if (!domain::IsRegistrySector(filter.sectors(i))) {
      return absl::InvalidArgumentError(absl::StrCat(path, ".sectors[", i, "]: \"",
                                                     filter.sectors(i),
                                                     "\" is not a registry sector"));
    }
    compiled.sectors_.insert(filter.sectors(i));
  }
  for (int i = 0; i < filter.instrument_kinds_size(); ++i) {
    const int kind = filter.instrument_kinds(i);
    if (kind == v1::INSTRUMENT_KIND_UNSPECIFIED || !v1::InstrumentKind_IsValid(kind)) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".instrument_kinds[", i, "]: unknown value ", kind));
    }
    compiled.kinds_.insert(kind);
  }
  for (int i = 0; i < filter.event_types_size(); ++i) {
    if (!IsEventType(filter.event_types(i))) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".event_types[", i, "]: \"", filter.event_types(i),
                       "\" is not an event type (e.g. participant_signed)"));
    }
    compiled.event_types_.insert(filter.event_types(i));
  }
  for (int i = 0; i < filter.agreement_ids_size(); ++i) {
    if (!domain::IsValidId(filter.agreement_ids(i))) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".agreement_ids[", i, "]: not a valid id"));
    }
    compiled.agreement_ids_.insert(filter.agreement_ids(i));
  }
  for (int i = 0; i < filter.party_ids_size(); ++i) {
    if (!domain::IsValidId(filter.party_ids(i))) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".party_ids[", i, "]: not a valid id"));
    }
    compiled.party_ids_.insert(filter.party_ids(i));
  }
  return compiled;
}

bool FeedFilter::empty() const {
  return sectors_.empty() && kinds_.empty() && event_types_.empty() &&
         agreement_ids_.empty() && party_ids_.empty();
}

bool FeedFilter::Matches(const FeedItem& item) const {
  const bool agreement = item.stream_type == v1::STREAM_TYPE_AGREEMENT;
  if (!sectors_.empty() && !(agreement && AnyIn(sectors_, item.tags.sectors()))) {
    return false;
  }
  if (!kinds_.empty() && !(agreement && AnyIn(kinds_, item.tags.instrument_kinds()))) {
    return false;
  }
  if (!event_types_.empty() && !event_types_.contains(item.event_type)) return false;
  if (!agreement_ids_.empty() &&
      !(agreement && agreement_ids_.contains(item.stream_id))) {
    return false;
  }
  if (!party_ids_.empty() && !AnyIn(party_ids_, item.tags.party_ids())) return false;
  return true;
}

absl::Status CheckpointOptions(uint32_t every_events, uint32_t interval_ms,
                               FeedCursorOptions& options) {
  if (every_events > 1000000) {
    return absl::InvalidArgumentError("checkpoint_every_events: at most 1000000");
  }
  if (interval_ms != 0 && (interval_ms < 100 || interval_ms > 3600000)) {
    return absl::InvalidArgumentError(
        "checkpoint_interval_ms: 0 (the default) or 100 to 3600000");
  }
  if (every_events != 0) options.checkpoint_every_events = every_events;
  if (interval_ms != 0) options.checkpoint_interval = absl::Milliseconds(interval_ms);
  return absl::OkStatus();
}

FeedCursor::FeedCursor(const Store* store, const FeedHub* hub, FeedFilter filter,
                       uint64_t start, FeedCursorOptions options, absl::Time now)
    : store_(store),
      hub_(hub),
      filter_(std::move(filter)),
      options_(options),
      next_(start == 0 ? 1 : start),
      reported_(next_ - 1),
      last_message_time_(now) {}

void FeedCursor::Emit(Step& step, v1::SubscribeResponse message, uint64_t covered,
                      absl::Time now) {
  step.messages.push_back(std::move(message));
  if (covered > reported_) reported_ = covered;
  scanned_since_message_ = 0;
  last_message_time_ = now;
}

void FeedCursor::MaybeTimedCheckpoint(Step& step, absl::Time now) {
  const uint64_t scanned = next_ - 1;
  if (scanned > reported_ && now - last_message_time_ >= options_.checkpoint_interval) {
    v1::SubscribeResponse message;
    message.mutable_checkpoint()->set_position(scanned);
    Emit(step, std::move(message), scanned, now);
  }
}

absl::StatusOr<FeedCursor::Step> FeedCursor::Next(absl::Time now) {
  Step step;
  const uint64_t head = hub_->head();
  if (next_ > head) {
    if (!live_ && next_ == head + 1) {
      live_ = true;
      v1::SubscribeResponse message;
      message.mutable_caught_up()->set_position(head);
      Emit(step, std::move(message), head, now);
    } else {
      MaybeTimedCheckpoint(step, now);
    }
    step.at_head = true;
    return step;
  }

  std::vector<FeedItemPtr> items;
  if (hub_->Read(next_, options_.max_scan, items) == FeedHub::Window::kBefore) {
    if (live_) {
      live_ = false;
      v1::SubscribeResponse message;
      message.mutable_fell_behind()->set_position(next_ - 1);
      Emit(step, std::move(message), next_ - 1, now);
    }
    ASSIGN_OR_RETURN(
        items, ReadFeedItems(*store_, next_, options_.max_scan, options_.max_step_bytes));
    if (items.empty()) {
      return absl::DataLossError(absl::StrCat("the log has no event at position ", next_,
                                              " though the head is ", head));
    }
  }
  size_t step_bytes = 0;
  for (const FeedItemPtr& item : items) {
    if (item->position != next_) {
      return absl::DataLossError(absl::StrCat("the feed expected position ", next_,
                                              " and found ", item->position));
    }
    ++next_;
    ++scanned_since_message_;
    if (filter_.Matches(*item)) {
      v1::SubscribeResponse message;
      if (options_.raw_events) {
        message.GetReflection()
            ->MutableUnknownFields(&message)
            ->AddLengthDelimited(v1::SubscribeResponse::kEventFieldNumber, item->bytes);
      } else if (!message.mutable_event()->ParseFromString(item->bytes)) {
        return absl::DataLossError(
            absl::StrCat("event at position ", item->position, " cannot be parsed"));
      }
      Emit(step, std::move(message), item->position, now);
      step_bytes += item->bytes.size();
    } else if (scanned_since_message_ >= options_.checkpoint_every_events) {
      v1::SubscribeResponse message;
      message.mutable_checkpoint()->set_position(item->position);
      Emit(step, std::move(message), item->position, now);
    }
    if (step.messages.size() >= options_.max_messages ||
        step_bytes >= options_.max_step_bytes) {
      break;
    }
  }
  MaybeTimedCheckpoint(step, now);
  return step;
}

}  // namespace agreements::store
