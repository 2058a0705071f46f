// A FeedService.Subscribe stream on the gRPC callback API (no thread per subscription),
// read as raw bytes through the generic stub: by default only the message kind and the
// position are decoded (wire format, a few bytes at the front of each message), so 50
// live subscribers or a catch-up at hundreds of thousands of events per second cost the
// benchmark little CPU on a machine it shares with the server. With parse_events every
// message is fully parsed, as a real client would.
#ifndef AGREEMENTS_CLIENTS_BENCH_SUBSCRIBER_H_
#define AGREEMENTS_CLIENTS_BENCH_SUBSCRIBER_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agreements/v1/feed_service.pb.h"
#include "clients/bench/read_pacer.h"
#include "grpcpp/client_context.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/client_callback.h"

namespace agreements::bench {

namespace v1 = ::agreements::v1;

// Counts shared by a group of subscribers, so the owner can wait for all of them.
// Thread-safe.
class SubscriberGroup {
 public:
  void OnCaughtUp();
  void OnDone(bool ok);
  // Waits until `n` subscribers have caught up or ended; false on timeout.
  bool WaitCaughtUp(int n, absl::Duration timeout);
  // Waits until `n` subscribers have ended; false on timeout.
  bool WaitDone(int n, absl::Duration timeout);
  int failed() const;

 private:
  mutable absl::Mutex mu_;
  int caught_up_ ABSL_GUARDED_BY(mu_) = 0;
  int done_ ABSL_GUARDED_BY(mu_) = 0;
  int failed_ ABSL_GUARDED_BY(mu_) = 0;
};

// What a subscriber does with what it reads.
struct SubscriberOptions {
  // Record (position, NowNanos) of every event. Default: false.
  bool record = false;
  // Cancel the stream at the first caught_up. Default: false.
  bool stop_at_caught_up = false;
  // Parse every message into a SubscribeResponse. Default: false.
  bool parse_events = false;
  // Events to reserve room for when recording. Default: 0.
  size_t expected_events = 0;
  // Open the stream and never read from it (until Cancel). Default: false.
  bool never_read = false;
  // A slow reader: start each read `read_interval` after the previous one ended, on
  // `pacer` (which must outlive the subscription). Default: 0 (read at once), none.
  absl::Duration read_interval = absl::ZeroDuration();
  ReadPacer* pacer = nullptr;
};

// One subscription. Reactions run on gRPC threads, one at a time per subscription (a
// slow reader's reads start on its pacer's thread). The receipts and the status may be
// read only after the group saw this subscriber end; the owner keeps the object alive
// until then (Cancel, then SubscriberGroup::WaitDone). The atomics may be read at any
// time.
class Subscriber : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  Subscriber(SubscriberGroup* group, SubscriberOptions options)
      : group_(group), options_(options) {}

  // Opens the stream (FeedService.Subscribe, called through `stub`) without a deadline.
  void Start(grpc::GenericStub* stub, const v1::SubscribeRequest& request);
  void Cancel() { context_.TryCancel(); }

  // Position covered by the last message read; 0 before any.
  uint64_t last_position() const { return last_position_.load(); }
  int64_t events() const { return events_.load(); }
  // Events whose position was not the previous event's + 1 (after the first event).
  int64_t gaps() const { return gaps_.load(); }
  int64_t fell_behind() const { return fell_behind_.load(); }
  int64_t other_messages() const { return other_.load(); }
  // The first caught_up: its position and when it arrived (NowNanos); 0 before.
  uint64_t caught_up_at() const { return caught_up_at_.load(); }
  int64_t caught_up_nanos() const { return caught_up_nanos_.load(); }
  int64_t first_event_nanos() const { return first_event_nanos_.load(); }
  // Bytes of all messages read.
  int64_t bytes() const { return bytes_.load(); }
  const std::vector<std::pair<uint64_t, int64_t>>& receipts() const { return receipts_; }
  const grpc::Status& status() const { return status_; }

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override {}
  void OnDone(const grpc::Status& status) override;

 private:
  // Decodes the kind (SubscribeResponse field number) and covered position.
  bool Decode(int* kind, uint64_t* position);
  // Reads are started from the pacer's thread: the stream holds a hold (AddHold) until
  // its reads end.
  bool paced() const {
    return options_.pacer != nullptr && options_.read_interval > absl::ZeroDuration();
  }
  // Starts the next read: at once, or through the pacer.
  void ReadNext();

  SubscriberGroup* const group_;
  const SubscriberOptions options_;
  grpc::ClientContext context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  v1::SubscribeResponse parsed_;
  std::atomic<uint64_t> last_position_{0};
  std::atomic<uint64_t> caught_up_at_{0};
  std::atomic<int64_t> caught_up_nanos_{0};
  std::atomic<int64_t> first_event_nanos_{0};
  std::atomic<int64_t> events_{0};
  std::atomic<int64_t> gaps_{0};
  std::atomic<int64_t> fell_behind_{0};
  std::atomic<int64_t> other_{0};
  std::atomic<int64_t> bytes_{0};
  uint64_t last_event_ = 0;
  // Positions of the events of the message just decoded when it is a batch.
  std::vector<uint64_t> event_positions_;
  bool caught_up_ = false;
  std::vector<std::pair<uint64_t, int64_t>> receipts_;
  grpc::Status status_;
};

}  // namespace agreements::bench

#endif  // AGREEMENTS_CLIENTS_BENCH_SUBSCRIBER_H_
