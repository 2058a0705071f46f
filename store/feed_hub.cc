#include "store/feed_hub.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
#include "store/keys.h"

namespace agreements::store {

namespace {

using ::google::protobuf::internal::WireFormatLite;
using ::google::protobuf::io::CodedInputStream;

// Field tags of agreements.v1.Event (events.proto) that the feeds read.
constexpr uint32_t kEventEnvelopeTag =
    (1 << 3) | WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
constexpr uint32_t kStreamTypeTag = (2 << 3) | WireFormatLite::WIRETYPE_VARINT;
constexpr uint32_t kStreamIdTag = (3 << 3) | WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
constexpr uint32_t kRevisionTag = (4 << 3) | WireFormatLite::WIRETYPE_VARINT;
constexpr uint32_t kEventTypeTag = (5 << 3) | WireFormatLite::WIRETYPE_LENGTH_DELIMITED;

bool ReadEnvelopeFields(CodedInputStream& in, FeedItem& item) {
  while (true) {
    const uint32_t tag = in.ReadTag();
    switch (tag) {
      case 0:
        return in.ConsumedEntireMessage();
      case kStreamTypeTag: {
        uint32_t type;
        if (!in.ReadVarint32(&type)) return false;
        item.stream_type = static_cast<agreements::v1::StreamType>(type);
        break;
      }
      case kStreamIdTag:
        if (!WireFormatLite::ReadString(&in, &item.stream_id)) return false;
        break;
      case kRevisionTag:
        if (!in.ReadVarint64(&item.revision)) return false;
        break;
      case kEventTypeTag:
        if (!WireFormatLite::ReadString(&in, &item.event_type)) return false;
        break;
      default:
        if (!WireFormatLite::SkipField(&in, tag)) return false;
    }
  }
}

// Fills the envelope fields of `item` from the serialized Event, skipping the payload
// (the feeds filter on the envelope and the tags; parsing the whole event per item
// costs more than everything else on the catch-up path). Repeated envelopes merge,
// as in a full parse.
absl::Status ReadEnvelope(absl::string_view bytes, FeedItem& item) {
  CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                      static_cast<int>(bytes.size()));
  while (true) {
    const uint32_t tag = in.ReadTag();
    if (tag == 0 && in.ConsumedEntireMessage()) return absl::OkStatus();
    bool ok;
    if (tag == kEventEnvelopeTag) {
      uint32_t length;
      ok = in.ReadVarint32(&length);
      if (ok) {
        const CodedInputStream::Limit limit = in.PushLimit(static_cast<int>(length));
        ok = ReadEnvelopeFields(in, item) && in.BytesUntilLimit() == 0;
        in.PopLimit(limit);
      }
    } else {
      ok = tag != 0 && WireFormatLite::SkipField(&in, tag);
    }
    if (!ok) {
      return absl::DataLossError(
          absl::StrCat("event at position ", item.position, " cannot be parsed"));
    }
  }
}

absl::Status ParseTags(absl::string_view bytes, FeedItem& item) {
  if (!item.tags.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(
        absl::StrCat("tags of position ", item.position, " cannot be parsed"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ReadFeedItems(const Store& store, uint64_t from, size_t max,
                           size_t max_bytes, FeedItemParts parts,
                           std::vector<FeedItem>& out) {
  if (max == 0) return absl::OkStatus();
  ScopedSnapshot snapshot(store.db());
  rocksdb::ReadOptions read;
  read.snapshot = snapshot.get();
  // A catch-up reads each block once, in order: keep the cache for the working set.
  // (RocksDB's automatic read-ahead of sequential iterators, up to 256 KiB, measured
  // as well as a fixed 1 MiB one, which copies more than a page needs.)
  read.fill_cache = false;
  const std::string upper = LogKey(from + max < from ? UINT64_MAX : from + max);
  const rocksdb::Slice upper_slice(upper);
  read.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> log(store.db()->NewIterator(read, store.log()));
  std::unique_ptr<rocksdb::Iterator> tags;
  const std::string first = LogKey(from);
  log->Seek(first);
  if (parts.tags) {
    tags.reset(store.db()->NewIterator(read, store.event_tags()));
    tags->Seek(first);
  }
  size_t bytes = 0;
  for (size_t n = 0; log->Valid() && n < max && (n == 0 || bytes < max_bytes); ++n) {
    FeedItem& item = out.emplace_back();
    if (!DecodeU64(ToView(log->key()), item.position)) {
      out.pop_back();
      return absl::DataLossError("log key is not 8 bytes");
    }
    item.bytes.assign(log->value().data(), log->value().size());
    bytes += item.bytes.size();
    absl::Status parsed =
        parts.envelope ? ReadEnvelope(item.bytes, item) : absl::OkStatus();
    if (parsed.ok() && parts.tags) {
      if (!tags->Valid() || tags->key() != log->key()) {
        parsed = absl::DataLossError(
            absl::StrCat("event_tags has no entry for position ", item.position));
      } else {
        parsed = ParseTags(ToView(tags->value()), item);
      }
    }
    if (!parsed.ok()) {
      out.pop_back();
      return parsed;
    }
    log->Next();
    if (parts.tags) tags->Next();
  }
  if (!log->status().ok()) return FromRocksStatus(log->status(), "reading the log");
  if (parts.tags && !tags->status().ok()) {
    return FromRocksStatus(tags->status(), "reading event tags");
  }
  return absl::OkStatus();
}

FeedHub::FeedHub(size_t capacity, size_t max_bytes, uint64_t head)
    : capacity_(capacity == 0 ? 1 : capacity),
      max_bytes_(max_bytes),
      first_(head + 1),
      head_(head) {
  ring_.resize(capacity_);
}

void FeedHub::Publish(std::vector<FeedItemPtr> items) {
  if (items.empty()) return;
  uint64_t head;
  {
    absl::MutexLock lock(&mu_);
    for (auto& item : items) {
      const uint64_t position = item->position;
      if (head_ - first_ + 1 >= capacity_) Evict();  // the slot we are about to reuse
      bytes_ += item->bytes.size();
      ring_[position % capacity_] = std::move(item);
      head_ = position;
      while (bytes_ > max_bytes_ && first_ < head_) Evict();
    }
    head = head_;
  }
  std::vector<std::function<void(uint64_t)>> listeners;
  {
    absl::MutexLock lock(&listeners_mu_);
    for (const auto& [id, listener] : listeners_) listeners.push_back(listener);
  }
  for (const auto& listener : listeners) listener(head);
}

void FeedHub::Evict() {
  FeedItemPtr& slot = ring_[first_ % capacity_];
  if (slot != nullptr) bytes_ -= slot->bytes.size();
  slot.reset();
  ++first_;
}

uint64_t FeedHub::head() const {
  absl::MutexLock lock(&mu_);
  return head_;
}

FeedHub::Window FeedHub::Read(uint64_t from, size_t max,
                              std::vector<FeedItemPtr>& out) const {
  absl::MutexLock lock(&mu_);
  if (from < first_) return Window::kBefore;
  for (uint64_t p = from; p <= head_ && max > 0; ++p, --max) {
    out.push_back(ring_[p % capacity_]);
  }
  return Window::kOk;
}

uint64_t FeedHub::AddListener(std::function<void(uint64_t)> listener) {
  absl::MutexLock lock(&listeners_mu_);
  const uint64_t id = next_listener_++;
  listeners_.emplace_back(id, std::move(listener));
  return id;
}

void FeedHub::RemoveListener(uint64_t id) {
  absl::MutexLock lock(&listeners_mu_);
  for (auto it = listeners_.begin(); it != listeners_.end(); ++it) {
    if (it->first == id) {
      listeners_.erase(it);
      return;
    }
  }
}

}  // namespace agreements::store
