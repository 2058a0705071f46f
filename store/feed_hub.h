// FeedHub: the shared window of recently committed events that live subscribers read
// from, so fan-out costs one copy of each event, not a queue per subscriber.
//
// The committer publishes each durable group in position order; the hub keeps the last
// `capacity` events in a ring of immutable, shared items. Readers take shared pointers
// to items, so an item outlives the ring slot it was in for as long as a reader holds
// it. Publishing never waits for readers: a reader that falls out of the window reads
// the log instead (FeedCursor does both).
//
// Thread-safe. Listeners run on the publishing (committer) thread and must not block.
#ifndef AGREEMENTS_STORE_FEED_HUB_H_
#define AGREEMENTS_STORE_FEED_HUB_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "agreements/storage/v1/storage.pb.h"
#include "agreements/v1/events.pb.h"
#include "store/position_source.h"
#include "store/store.h"

namespace agreements::store {

// One committed event as the feeds see it.
struct FeedItem {
  uint64_t position = 0;
  // The exact stored bytes of the agreements.v1.Event.
  std::string bytes;
  agreements::v1::StreamType stream_type = agreements::v1::STREAM_TYPE_UNSPECIFIED;
  std::string stream_id;
  uint64_t revision = 0;
  std::string event_type;
  agreements::storage::v1::EventTags tags;
};
using FeedItemPtr = std::shared_ptr<const FeedItem>;

// The parts of a FeedItem that a log read fills besides `position` and `bytes`: a
// reader whose filter looks at neither (e.g. an unfiltered subscriber) skips the work.
struct FeedItemParts {
  // stream_type, stream_id, revision and event_type, from the event's envelope.
  // Default: true.
  bool envelope = true;
  // `tags`, from the event_tags family.
  // Default: true.
  bool tags = true;
};

// Appends to `out` up to `max` items (and, past the first, at most `max_bytes` of event
// bytes) with positions >= `from`, read from the log and, if `parts.tags`, the
// event_tags family, at one snapshot. A sequential scan: the blocks read do not displace
// the block cache's working set.
absl::Status ReadFeedItems(const Store& store, uint64_t from, size_t max,
                           size_t max_bytes, FeedItemParts parts,
                           std::vector<FeedItem>& out);

class FeedHub : public PositionSource {
 public:
  // `head` is the last committed position when the hub starts (the window is empty).
  // The window keeps at most `capacity` events and `max_bytes` of event bytes (the
  // newest event always).
  FeedHub(size_t capacity, size_t max_bytes, uint64_t head);

  // Appends items with positions head+1, head+2 ... (the committer, after a durable
  // write), then calls the listeners with the new head.
  void Publish(std::vector<FeedItemPtr> items);

  uint64_t head() const;

  enum class Window { kOk, kBefore };
  // Appends to `out` up to `max` items starting at position `from`, if the window still
  // holds `from` (kOk; nothing is appended when from > head). kBefore: `from` has left
  // the window; read the log.
  Window Read(uint64_t from, size_t max, std::vector<FeedItemPtr>& out) const;

  // Registers a listener for new heads; returns an id for RemoveListener.
  uint64_t AddListener(std::function<void(uint64_t head)> listener) override;
  void RemoveListener(uint64_t id) override;

 private:
  void Evict() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t capacity_;
  const size_t max_bytes_;
  mutable absl::Mutex mu_;
  std::vector<FeedItemPtr> ring_ ABSL_GUARDED_BY(mu_);
  // Position of the oldest item in the ring (head_ + 1 when empty).
  uint64_t first_ ABSL_GUARDED_BY(mu_);
  uint64_t head_ ABSL_GUARDED_BY(mu_);
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;

  absl::Mutex listeners_mu_;
  uint64_t next_listener_ ABSL_GUARDED_BY(listeners_mu_) = 1;
  std::vector<std::pair<uint64_t, std::function<void(uint64_t)>>> listeners_
      ABSL_GUARDED_BY(listeners_mu_);
};

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_FEED_HUB_H_
