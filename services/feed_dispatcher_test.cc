#include "services/feed_dispatcher.h"

#include <atomic>
#include <optional>

#include "gtest/gtest.h"

namespace agreements::services {
namespace {

// A stream that only records how it was closed.
class ClosedStream final : public DispatchedStream {
 public:
  void Fill(absl::Time) override {}
  void Wake() override {}
  void Close(const grpc::Status& status) override { closed = status; }
  void CancelIfStuck() override { cancelled = true; }
  size_t queued_messages() override { return 0; }

  std::optional<grpc::Status> closed;
  std::atomic<bool> cancelled{false};
};

StreamOwner Owner(const std::string& principal, uint64_t generation) {
  StreamOwner owner;
  owner.caller.principal = principal;
  owner.caller.grants.push_back(security::Grant{security::Role::kReader, {}});
  owner.caller.generation = generation;
  owner.clearance = domain::Clearance::PublicAnd({});
  return owner;
}

TEST(FeedDispatcher, RevokeClosesTheStreamsItsCheckRefuses) {
  store::FeedHub hub(16, 1 << 20, 0);
  FeedDispatcher dispatcher(&hub, FeedDispatcherOptions());
  auto kept = std::make_shared<ClosedStream>();
  auto revoked = std::make_shared<ClosedStream>();
  ASSERT_TRUE(dispatcher.Register(kept, Owner("reader-a", 0)).ok());
  ASSERT_TRUE(dispatcher.Register(revoked, Owner("reader-b", 0)).ok());

  const size_t closed = dispatcher.Revoke(1, [](const StreamOwner& owner) {
    return owner.caller.principal == "reader-b"
               ? absl::PermissionDeniedError("missing permission registry.read")
               : absl::OkStatus();
  });
  EXPECT_EQ(closed, 1u);
  EXPECT_FALSE(kept->closed.has_value());
  ASSERT_TRUE(revoked->closed.has_value());
  EXPECT_EQ(revoked->closed->error_code(), grpc::StatusCode::PERMISSION_DENIED);

  // A stream authenticated against the files before the reload, registering after the
  // check, would escape it: it is refused, and the client subscribes again.
  auto late = std::make_shared<ClosedStream>();
  EXPECT_EQ(dispatcher.Register(late, Owner("reader-c", 0)).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_TRUE(dispatcher.Register(late, Owner("reader-c", 1)).ok());

  agreements::v1::StreamLimitStatus status;
  dispatcher.Describe(status);
  EXPECT_EQ(status.revoked_stream_count(), 1);
  for (const auto& stream : {kept, revoked, late}) dispatcher.Unregister(stream);
  EXPECT_EQ(dispatcher.open_streams(), 0u);
  dispatcher.Shutdown(absl::ZeroDuration());
}

TEST(FeedDispatcher, ARevokedStreamThatDoesNotEndIsCancelledAndCountedOnce) {
  store::FeedHub hub(16, 1 << 20, 0);
  FeedDispatcherOptions options;
  options.tick = absl::Milliseconds(20);
  FeedDispatcher dispatcher(&hub, options);
  // Its client stopped reading: Close alone never ends it.
  auto stuck = std::make_shared<ClosedStream>();
  ASSERT_TRUE(dispatcher.Register(stuck, Owner("reader-b", 0)).ok());
  auto refuse = [](const StreamOwner&) {
    return absl::PermissionDeniedError("missing permission registry.read");
  };
  EXPECT_EQ(dispatcher.Revoke(1, refuse), 1u);
  EXPECT_EQ(dispatcher.Revoke(2, refuse), 0u) << "already ending";
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (!stuck->cancelled && absl::Now() < give_up)
    absl::SleepFor(absl::Milliseconds(5));
  EXPECT_TRUE(stuck->cancelled) << "cancelled after the grace";
  agreements::v1::StreamLimitStatus status;
  dispatcher.Describe(status);
  EXPECT_EQ(status.revoked_stream_count(), 1);
  dispatcher.Unregister(stuck);
  dispatcher.Shutdown(absl::ZeroDuration());
}

}  // namespace
}  // namespace agreements::services
