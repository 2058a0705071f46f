#include "clients/bench/subscriber_set.h"

#include <cstdio>

namespace agreements::bench {

SubscriberSet::SubscriberSet(Dataset& dataset, int count, int per_channel,
                             const v1::SubscribeRequest& request,
                             SubscriberOptions options) {
  for (int i = 0; i < count; ++i) {
    if (i % per_channel == 0) {
      stubs_.push_back(
          std::make_unique<grpc::GenericStub>(dataset.NewChannel(/*distinct=*/true)));
    }
    subscribers_.push_back(std::make_unique<Subscriber>(group_.get(), options));
    subscribers_.back()->Start(stubs_.back().get(), request);
  }
}

SubscriberSet::~SubscriberSet() {
  if (!Close()) {
    for (auto& s : subscribers_) s.release();
    group_.release();
  }
}

bool SubscriberSet::Close() {
  if (!closed_) {
    closed_ = true;
    for (auto& s : subscribers_) s->Cancel();
    ended_ = group_->WaitDone(static_cast<int>(subscribers_.size()), absl::Seconds(30));
    if (!ended_) std::fprintf(stderr, "bench: subscriptions did not end in 30 s\n");
  }
  return ended_;
}

}  // namespace agreements::bench
