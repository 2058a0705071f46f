#include "clients/bench/subscriber.h"

#include "clients/bench/stats.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/support/proto_buffer_reader.h"
#include "grpcpp/support/proto_buffer_writer.h"

namespace agreements::bench {
namespace {

constexpr char kSubscribeMethod[] = "/agreements.v1.FeedService/Subscribe";

// SubscribeResponse field numbers (feed_service.proto).
constexpr int kEvent = 1;
constexpr int kCheckpoint = 2;
constexpr int kCaughtUp = 3;
constexpr int kFellBehind = 4;
constexpr int kEvents = 5;  // EventBatch, with max_events_per_message > 1

bool ReadVarint(const uint8_t*& p, const uint8_t* end, uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64 && p < end; shift += 7) {
    const uint8_t byte = *p++;
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return true;
    }
  }
  return false;
}

// A field found in a protobuf message: a varint value or a length-delimited range.
struct Field {
  uint64_t varint = 0;
  const uint8_t* begin = nullptr;
  const uint8_t* end = nullptr;
};

// Finds the first occurrence of field `number` in the message [p, end).
bool FindField(const uint8_t* p, const uint8_t* end, uint64_t number, Field* out) {
  while (p < end) {
    uint64_t tag;
    if (!ReadVarint(p, end, &tag)) return false;
    const uint64_t field = tag >> 3;
    switch (tag & 7) {
      case 0: {
        uint64_t v;
        if (!ReadVarint(p, end, &v)) return false;
        if (field == number) {
          out->varint = v;
          return true;
        }
        break;
      }
      case 1:
        p += 8;
        break;
      case 2: {
        uint64_t length;
        if (!ReadVarint(p, end, &length) || length > static_cast<uint64_t>(end - p)) {
          return false;
        }
        if (field == number) {
          out->begin = p;
          out->end = p + length;
          return true;
        }
        p += length;
        break;
      }
      case 5:
        p += 4;
        break;
      default:
        return false;
    }
  }
  return false;
}

}  // namespace

void SubscriberGroup::OnCaughtUp() {
  absl::MutexLock lock(&mu_);
  ++caught_up_;
}

void SubscriberGroup::OnDone(bool ok) {
  absl::MutexLock lock(&mu_);
  ++done_;
  if (!ok) ++failed_;
}

bool SubscriberGroup::WaitCaughtUp(int n, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this, n]()
                   ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return caught_up_ + done_ >= n; };
  return mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
}

bool SubscriberGroup::WaitDone(int n, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return done_ >= n; };
  return mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
}

int SubscriberGroup::failed() const {
  absl::MutexLock lock(&mu_);
  return failed_;
}

void Subscriber::Start(grpc::GenericStub* stub, const v1::SubscribeRequest& request) {
  bool own = false;
  grpc::SerializationTraits<v1::SubscribeRequest>::Serialize(request, &request_, &own);
  if (options_.record) receipts_.reserve(options_.expected_events);
  stub->PrepareBidiStreamingCall(&context_, kSubscribeMethod, grpc::StubOptions(), this);
  // A server-streaming call on the wire: one request, then half-close.
  StartWriteLast(&request_, grpc::WriteOptions());
  if (options_.never_read) {
    StartCall();
    return;
  }
  if (paced()) AddHold();
  StartRead(&response_);
  StartCall();
}

void Subscriber::ReadNext() {
  response_.Clear();
  if (!paced()) {
    StartRead(&response_);
    return;
  }
  options_.pacer->Schedule(NowNanos() + absl::ToInt64Nanoseconds(options_.read_interval),
                           [this] { StartRead(&response_); });
}

bool Subscriber::Decode(int* kind, uint64_t* position) {
  event_positions_.clear();
  if (options_.parse_events) {
    const grpc::Status status =
        grpc::GenericDeserialize<grpc::ProtoBufferReader, v1::SubscribeResponse>(
            &response_, &parsed_);
    if (!status.ok()) return false;
    switch (parsed_.kind_case()) {
      case v1::SubscribeResponse::kEvent:
        *kind = kEvent;
        *position = parsed_.event().envelope().position();
        return true;
      case v1::SubscribeResponse::kCheckpoint:
        *kind = kCheckpoint;
        *position = parsed_.checkpoint().position();
        return true;
      case v1::SubscribeResponse::kCaughtUp:
        *kind = kCaughtUp;
        *position = parsed_.caught_up().position();
        return true;
      case v1::SubscribeResponse::kFellBehind:
        *kind = kFellBehind;
        *position = parsed_.fell_behind().position();
        return true;
      case v1::SubscribeResponse::kEvents:
        *kind = kEvents;
        for (const auto& event : parsed_.events().events()) {
          event_positions_.push_back(event.envelope().position());
        }
        return true;
      default:
        return false;
    }
  }
  grpc::Slice slice;
  if (!response_.TrySingleSlice(&slice).ok() &&
      !response_.DumpToSingleSlice(&slice).ok()) {
    return false;
  }
  const uint8_t* p = slice.begin();
  const uint8_t* end = slice.end();
  // The oneof: the message's only field.
  uint64_t tag;
  if (!ReadVarint(p, end, &tag) || (tag & 7) != 2) return false;
  uint64_t length;
  if (!ReadVarint(p, end, &length) || length > static_cast<uint64_t>(end - p)) {
    return false;
  }
  *kind = static_cast<int>(tag >> 3);
  const uint8_t* inner_end = p + length;
  Field field;
  *position = 0;
  // Event.envelope (1) -> EventEnvelope.position (1).
  auto event_position = [](const uint8_t* begin, const uint8_t* end, uint64_t* out) {
    Field envelope, position;
    if (!FindField(begin, end, 1, &envelope) || envelope.begin == nullptr) return false;
    *out = FindField(envelope.begin, envelope.end, 1, &position) ? position.varint : 0;
    return true;
  };
  if (*kind == kEvent) return event_position(p, inner_end, position);
  if (*kind == kEvents) {
    // EventBatch.events (1), each an Event.
    while (p < inner_end) {
      uint64_t event_tag, event_length;
      if (!ReadVarint(p, inner_end, &event_tag) || event_tag != ((1 << 3) | 2) ||
          !ReadVarint(p, inner_end, &event_length) ||
          event_length > static_cast<uint64_t>(inner_end - p)) {
        return false;
      }
      uint64_t at = 0;
      if (!event_position(p, p + event_length, &at)) return false;
      event_positions_.push_back(at);
      p += event_length;
    }
    return true;
  }
  // FeedCheckpoint, CaughtUp, FellBehind: position (1); absent means 0.
  if (FindField(p, inner_end, 1, &field)) *position = field.varint;
  return true;
}

void Subscriber::OnReadDone(bool ok) {
  if (!ok) {
    if (paced()) RemoveHold();
    return;  // OnDone follows.
  }
  const int64_t now = NowNanos();
  bytes_.fetch_add(static_cast<int64_t>(response_.Length()), std::memory_order_relaxed);
  int kind = 0;
  uint64_t position = 0;
  if (!Decode(&kind, &position)) kind = 0;
  auto event = [&](uint64_t at) {
    if (options_.record) receipts_.emplace_back(at, now);
    if (last_event_ != 0 && at != last_event_ + 1) {
      gaps_.fetch_add(1, std::memory_order_relaxed);
    }
    if (last_event_ == 0) first_event_nanos_.store(now);
    last_event_ = at;
    events_.fetch_add(1, std::memory_order_relaxed);
    last_position_.store(at, std::memory_order_relaxed);
  };
  switch (kind) {
    case kEvent:
      event(position);
      break;
    case kEvents:
      for (uint64_t at : event_positions_) event(at);
      break;
    case kCheckpoint:
      last_position_.store(position, std::memory_order_relaxed);
      break;
    case kCaughtUp:
      last_position_.store(position, std::memory_order_relaxed);
      if (!caught_up_) {
        caught_up_ = true;
        caught_up_nanos_.store(now);
        caught_up_at_.store(position);
        group_->OnCaughtUp();
        if (options_.stop_at_caught_up) {
          context_.TryCancel();
          if (paced()) RemoveHold();
          return;
        }
      }
      break;
    case kFellBehind:
      fell_behind_.fetch_add(1, std::memory_order_relaxed);
      last_position_.store(position, std::memory_order_relaxed);
      break;
    default:
      other_.fetch_add(1, std::memory_order_relaxed);
      break;
  }
  ReadNext();
}

void Subscriber::OnDone(const grpc::Status& status) {
  status_ = status;
  // A cancel we asked for is a normal end.
  group_->OnDone(status.ok() || status.error_code() == grpc::StatusCode::CANCELLED);
}

}  // namespace agreements::bench
