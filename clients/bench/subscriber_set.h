// SubscriberSet: feed subscriptions of one kind (subscriber.h) spread over a few
// connections, like separate clients; used by the feed scenarios.
//
// Not thread-safe: used from the scenario's thread. Owns the subscriptions, their group
// and the connections' stubs.
#ifndef AGREEMENTS_CLIENTS_BENCH_SUBSCRIBER_SET_H_
#define AGREEMENTS_CLIENTS_BENCH_SUBSCRIBER_SET_H_

#include <memory>
#include <vector>

#include "clients/bench/bench.h"
#include "clients/bench/subscriber.h"
#include "grpcpp/generic/generic_stub.h"

namespace agreements::bench {

class SubscriberSet {
 public:
  // Opens `count` subscriptions with `request`, `per_channel` on each new connection.
  SubscriberSet(Dataset& dataset, int count, int per_channel,
                const v1::SubscribeRequest& request, SubscriberOptions options);
  SubscriberSet(const SubscriberSet&) = delete;
  SubscriberSet& operator=(const SubscriberSet&) = delete;
  // Cancels every stream and waits for them to end; if they do not, leaks them and
  // their group rather than free memory a late reaction would touch.
  ~SubscriberSet();

  // Cancels every stream and waits (at most 30 s) until all ended. Only then may their
  // receipts be read. Idempotent.
  bool Close();

  SubscriberGroup& group() { return *group_; }
  const std::vector<std::unique_ptr<Subscriber>>& subscribers() const {
    return subscribers_;
  }
  int size() const { return static_cast<int>(subscribers_.size()); }

 private:
  std::unique_ptr<SubscriberGroup> group_ = std::make_unique<SubscriberGroup>();
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;
  std::vector<std::unique_ptr<Subscriber>> subscribers_;
  bool closed_ = false;
  bool ended_ = false;
};

}  // namespace agreements::bench

#endif  // AGREEMENTS_CLIENTS_BENCH_SUBSCRIBER_SET_H_
