#include "store/log_reader.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "store/keys.h"

namespace agreements::store {

absl::StatusOr<EventPage> LogReader::ReadForward(uint64_t from, size_t limit) const {
  ScopedSnapshot snapshot(store_->db());
  EventPage page;
  auto head = store_->ReadHead(snapshot.get());
  if (!head.ok()) return head.status();
  page.head = *head;
  rocksdb::ReadOptions read;
  read.snapshot = snapshot.get();
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(read, store_->log()));
  for (it->Seek(LogKey(from)); it->Valid() && page.events.size() < limit; it->Next()) {
    StoredEvent event;
    if (!DecodeU64(ToView(it->key()), event.position)) {
      return absl::DataLossError("log key is not 8 bytes");
    }
    event.bytes = it->value().ToString();
    page.events.push_back(std::move(event));
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "reading the log");
  return page;
}

absl::StatusOr<EventPage> LogReader::ReadBackward(uint64_t from, size_t limit) const {
  ScopedSnapshot snapshot(store_->db());
  EventPage page;
  auto head = store_->ReadHead(snapshot.get());
  if (!head.ok()) return head.status();
  page.head = *head;
  if (from == 0 || from > page.head) from = page.head;
  rocksdb::ReadOptions read;
  read.snapshot = snapshot.get();
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(read, store_->log()));
  for (it->SeekForPrev(LogKey(from)); it->Valid() && page.events.size() < limit;
       it->Prev()) {
    StoredEvent event;
    if (!DecodeU64(ToView(it->key()), event.position)) {
      return absl::DataLossError("log key is not 8 bytes");
    }
    event.bytes = it->value().ToString();
    page.events.push_back(std::move(event));
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "reading the log");
  return page;
}

absl::StatusOr<EventPage> LogReader::ReadStream(agreements::v1::StreamType type,
                                                const std::string& id,
                                                uint64_t from_revision,
                                                size_t limit) const {
  ScopedSnapshot snapshot(store_->db());
  EventPage page;
  auto head = store_->ReadHead(snapshot.get());
  if (!head.ok()) return head.status();
  page.head = *head;
  rocksdb::ReadOptions read;
  read.snapshot = snapshot.get();
  const std::string prefix = StreamPrefix(type, id);
  std::unique_ptr<rocksdb::Iterator> it(
      store_->db()->NewIterator(read, store_->streams()));
  for (it->Seek(StreamKey(type, id, from_revision));
       it->Valid() && it->key().starts_with(prefix) && page.events.size() < limit;
       it->Next()) {
    StoredEvent event;
    if (!DecodeU64(ToView(it->value()), event.position)) {
      return absl::DataLossError("stream index value is not 8 bytes");
    }
    std::string bytes;
    rocksdb::Status s =
        store_->db()->Get(read, store_->log(), LogKey(event.position), &bytes);
    if (!s.ok()) {
      return absl::DataLossError(absl::StrCat("stream ", id, " names position ",
                                              event.position,
                                              " which cannot be read: ", s.ToString()));
    }
    event.bytes = std::move(bytes);
    page.events.push_back(std::move(event));
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "reading a stream");
  return page;
}

}  // namespace agreements::store
