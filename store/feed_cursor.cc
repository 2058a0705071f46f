#include "store/feed_cursor.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "agreements/v1/agreement.pb.h"
#include "common/status_macros.h"
#include "domain/sectors.h"
#include "domain/validation.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/unknown_field_set.h"
#include "google/protobuf/wire_format_lite.h"

namespace agreements::store {
namespace {

namespace v1 = ::agreements::v1;
using ::google::protobuf::internal::WireFormatLite;

absl::Status CheckCount(absl::string_view path, absl::string_view kind, int count) {
  if (static_cast<size_t>(count) <= kMaxFilterValuesPerKind) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(path, ".", kind, ": at most ", kMaxFilterValuesPerKind, " values"));
}

bool IsEventType(const std::string& name) {
  const auto* field = v1::EventPayload::descriptor()->FindFieldByName(name);
  return field != nullptr && field->containing_oneof() != nullptr;
}

// Appends `event` to serialized EventBatch bytes as one `events` (field 1) entry.
void AppendEventField(const std::string& event, std::string& batch) {
  char header[1 + 5];  // a tag byte and a varint32 of at most 5 bytes
  header[0] = static_cast<char>(
      WireFormatLite::MakeTag(1, WireFormatLite::WIRETYPE_LENGTH_DELIMITED));
  uint8_t* end = google::protobuf::io::CodedOutputStream::WriteVarint32ToArray(
      static_cast<uint32_t>(event.size()), reinterpret_cast<uint8_t*>(header + 1));
  batch.append(header, reinterpret_cast<char*>(end) - header);
  batch.append(event);
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
         agreement_ids_.empty() && party_ids_.empty() && clearance_.all;
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
  return clearance_.Sees(item.tags.confidentiality(), item.tags.sectors());
}

FeedItemParts FeedFilter::parts() const {
  FeedItemParts parts;
  parts.envelope = !empty();
  parts.tags =
      !sectors_.empty() || !kinds_.empty() || !party_ids_.empty() || !clearance_.all;
  return parts;
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

absl::Status BatchOptions(uint32_t max_events_per_message, FeedCursorOptions& options) {
  if (max_events_per_message > kMaxEventsPerMessage) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_events_per_message: at most ", kMaxEventsPerMessage));
  }
  options.max_events_per_message =
      max_events_per_message == 0 ? 1 : max_events_per_message;
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
  // Whatever batch was open is no longer the last message.
  batch_events_ = 0;
  batch_bytes_ = 0;
  Covered(covered, now);
}

void FeedCursor::Covered(uint64_t covered, absl::Time now) {
  if (covered > reported_) reported_ = covered;
  scanned_since_message_ = 0;
  last_message_time_ = now;
}

absl::Status FeedCursor::EmitEvent(Step& step, const FeedItem& item,
                                   std::string* owned_bytes, absl::Time now) {
  const int field = options_.max_events_per_message > 1
                        ? v1::SubscribeResponse::kEventsFieldNumber
                        : v1::SubscribeResponse::kEventFieldNumber;
  const bool extend = field == v1::SubscribeResponse::kEventsFieldNumber &&
                      batch_events_ > 0 &&
                      batch_events_ < options_.max_events_per_message &&
                      batch_bytes_ + item.bytes.size() <= options_.max_batch_bytes;
  if (!extend) {
    v1::SubscribeResponse message;
    if (options_.raw_events) {
      message.GetReflection()->MutableUnknownFields(&message)->AddLengthDelimited(field);
    } else if (field == v1::SubscribeResponse::kEventsFieldNumber) {
      message.mutable_events();
    }
    Emit(step, std::move(message), item.position, now);
  }
  v1::SubscribeResponse& message = step.messages.back();
  if (options_.raw_events) {
    // The message holds its one field unparsed: the event's bytes, or a batch's
    // EventBatch bytes, to which the event is appended as field 1 (`events`).
    std::string* bytes = message.GetReflection()
                             ->MutableUnknownFields(&message)
                             ->mutable_field(0)
                             ->mutable_length_delimited();
    if (field == v1::SubscribeResponse::kEventFieldNumber) {
      if (owned_bytes != nullptr) {
        *bytes = std::move(*owned_bytes);
      } else {
        *bytes = item.bytes;
      }
    } else {
      AppendEventField(item.bytes, *bytes);
    }
  } else {
    v1::Event* event = field == v1::SubscribeResponse::kEventFieldNumber
                           ? message.mutable_event()
                           : message.mutable_events()->add_events();
    if (!event->ParseFromString(item.bytes)) {
      return absl::DataLossError(
          absl::StrCat("event at position ", item.position, " cannot be parsed"));
    }
  }
  if (field == v1::SubscribeResponse::kEventsFieldNumber) {
    if (extend) Covered(item.position, now);
    ++batch_events_;
    batch_bytes_ += item.bytes.size();
  }
  return absl::OkStatus();
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
  batch_events_ = 0;
  batch_bytes_ = 0;
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

  std::vector<FeedItemPtr> window;
  if (page_next_ == page_.size()) {
    page_.clear();
    page_next_ = 0;
    if (hub_->Read(next_, options_.max_scan, window) == FeedHub::Window::kBefore) {
      if (live_) {
        live_ = false;
        v1::SubscribeResponse message;
        message.mutable_fell_behind()->set_position(next_ - 1);
        Emit(step, std::move(message), next_ - 1, now);
      }
      RETURN_IF_ERROR(ReadFeedItems(*store_, next_, options_.max_scan,
                                    options_.max_step_bytes, filter_.parts(), page_));
      if (page_.empty()) {
        return absl::DataLossError(absl::StrCat("the log has no event at position ",
                                                next_, " though the head is ", head));
      }
    }
  }
  size_t step_bytes = 0;
  if (page_next_ < page_.size()) {
    bool full = false;
    while (!full && page_next_ < page_.size()) {
      FeedItem& item = page_[page_next_++];
      ASSIGN_OR_RETURN(full, Examine(step, item, &item.bytes, step_bytes, now));
    }
    if (page_next_ == page_.size()) {
      page_.clear();
      page_next_ = 0;
    }
  } else {
    for (const FeedItemPtr& item : window) {
      ASSIGN_OR_RETURN(bool full, Examine(step, *item, nullptr, step_bytes, now));
      if (full) break;
    }
  }
  MaybeTimedCheckpoint(step, now);
  return step;
}

absl::StatusOr<bool> FeedCursor::Examine(Step& step, const FeedItem& item,
                                         std::string* owned_bytes, size_t& step_bytes,
                                         absl::Time now) {
  if (item.position != next_) {
    return absl::DataLossError(
        absl::StrCat("the feed expected position ", next_, " and found ", item.position));
  }
  ++next_;
  ++scanned_since_message_;
  if (filter_.Matches(item)) {
    step_bytes += item.bytes.size();
    RETURN_IF_ERROR(EmitEvent(step, item, owned_bytes, now));
  } else if (scanned_since_message_ >= options_.checkpoint_every_events) {
    v1::SubscribeResponse message;
    message.mutable_checkpoint()->set_position(item.position);
    Emit(step, std::move(message), item.position, now);
  }
  return step.messages.size() >= options_.max_messages ||
         step_bytes >= options_.max_step_bytes;
}

}  // namespace agreements::store
