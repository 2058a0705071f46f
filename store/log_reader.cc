#include "store/log_reader.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "store/keys.h"

namespace agreements::store {

namespace {

// Reads up to `limit` events from one snapshot, starting at `from` and walking forwards
// or backwards. `from` 0 backwards means the head.
absl::StatusOr<EventPage> ReadLog(const Store* store, uint64_t from, size_t limit,
                                  bool forward) {
  ScopedSnapshot snapshot(store->db());
  EventPage page;
  auto head = store->ReadHead(snapshot.get());
  if (!head.ok()) return head.status();
  page.head = *head;
  rocksdb::ReadOptions read;
  read.snapshot = snapshot.get();
  std::unique_ptr<rocksdb::Iterator> it(store->db()->NewIterator(read, store->log()));
  if (forward) {
    it->Seek(LogKey(from));
  } else {
    it->SeekForPrev(LogKey(from == 0 || from > page.head ? page.head : from));
  }
  for (; it->Valid() && page.events.size() < limit; forward ? it->Next() : it->Prev()) {
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

}  // namespace

absl::StatusOr<EventPage> LogReader::ReadForward(uint64_t from, size_t limit) const {
  return ReadLog(store_, from, limit, /*forward=*/true);
}

absl::StatusOr<EventPage> LogReader::ReadBackward(uint64_t from, size_t limit) const {
  return ReadLog(store_, from, limit, /*forward=*/false);
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
