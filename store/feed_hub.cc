#include "store/feed_hub.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "store/keys.h"

namespace agreements::store {

absl::StatusOr<FeedItemPtr> MakeFeedItem(uint64_t position, std::string bytes,
                                         absl::string_view tags_bytes) {
  auto item = std::make_shared<FeedItem>();
  item->position = position;
  agreements::v1::Event event;
  if (!event.ParseFromString(bytes)) {
    return absl::DataLossError(
        absl::StrCat("event at position ", position, " cannot be parsed"));
  }
  if (!item->tags.ParseFromArray(tags_bytes.data(),
                                 static_cast<int>(tags_bytes.size()))) {
    return absl::DataLossError(
        absl::StrCat("tags of position ", position, " cannot be parsed"));
  }
  item->stream_type = event.envelope().stream_type();
  item->stream_id = event.envelope().stream_id();
  item->revision = event.envelope().revision();
  item->event_type = event.envelope().event_type();
  item->bytes = std::move(bytes);
  return FeedItemPtr(std::move(item));
}

absl::StatusOr<std::vector<FeedItemPtr>> ReadFeedItems(const Store& store, uint64_t from,
                                                       size_t max, size_t max_bytes) {
  size_t bytes = 0;
  ScopedSnapshot snapshot(store.db());
  rocksdb::ReadOptions read;
  read.snapshot = snapshot.get();
  std::unique_ptr<rocksdb::Iterator> log(store.db()->NewIterator(read, store.log()));
  std::unique_ptr<rocksdb::Iterator> tags(
      store.db()->NewIterator(read, store.event_tags()));
  std::vector<FeedItemPtr> items;
  log->Seek(LogKey(from));
  tags->Seek(LogKey(from));
  for (; log->Valid() && items.size() < max && (items.empty() || bytes < max_bytes);
       log->Next(), tags->Next()) {
    bytes += log->value().size();
    uint64_t position = 0;
    if (!DecodeU64(ToView(log->key()), position)) {
      return absl::DataLossError("log key is not 8 bytes");
    }
    if (!tags->Valid() || tags->key() != log->key()) {
      return absl::DataLossError(
          absl::StrCat("event_tags has no entry for position ", position));
    }
    auto item = MakeFeedItem(position, log->value().ToString(), ToView(tags->value()));
    if (!item.ok()) return item.status();
    items.push_back(*std::move(item));
  }
  if (!log->status().ok()) return FromRocksStatus(log->status(), "reading the log");
  if (!tags->status().ok()) return FromRocksStatus(tags->status(), "reading event tags");
  return items;
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
