// Tests of the feed resume bookkeeping (pure) and of FeedSubscription / SectorWatcher
// against a scripted in-process FeedService: each attempt's request is recorded and its
// answer is a script step, so the resume requests and the delivered sequence are exact.
#include "clients/feed_client.h"

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "agreements/v1/feed_service.grpc.pb.h"
#include "clients/client.h"
#include "clients/feed_resume.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"

namespace agreements::client {
namespace {

v1::SubscribeResponse Event(uint64_t position) {
  v1::SubscribeResponse message;
  message.mutable_event()->mutable_envelope()->set_position(position);
  return message;
}
v1::SubscribeResponse Checkpoint(uint64_t position) {
  v1::SubscribeResponse message;
  message.mutable_checkpoint()->set_position(position);
  return message;
}
v1::SubscribeResponse CaughtUp(uint64_t position) {
  v1::SubscribeResponse message;
  message.mutable_caught_up()->set_position(position);
  return message;
}
v1::WatchSectorResponse Update(const std::string& id, uint64_t position, bool snapshot) {
  v1::WatchSectorResponse message;
  message.mutable_update()->mutable_agreement()->set_id(id);
  message.mutable_update()->set_position(position);
  message.mutable_update()->set_snapshot(snapshot);
  return message;
}
v1::WatchSectorResponse SectorCaughtUp(uint64_t position) {
  v1::WatchSectorResponse message;
  message.mutable_caught_up()->set_position(position);
  return message;
}
v1::WatchSectorResponse Removed(const std::string& id, uint64_t position) {
  v1::WatchSectorResponse message;
  message.mutable_removed()->set_agreement_id(id);
  message.mutable_removed()->set_position(position);
  return message;
}

TEST(IsResumableTest, DisconnectsResumeAnswersDoNot) {
  EXPECT_TRUE(IsResumable(absl::OkStatus()));
  EXPECT_TRUE(IsResumable(absl::UnavailableError("x")));
  EXPECT_TRUE(IsResumable(absl::CancelledError("x")));
  EXPECT_FALSE(IsResumable(absl::InvalidArgumentError("x")));
  EXPECT_FALSE(IsResumable(absl::ResourceExhaustedError("x")));
  EXPECT_FALSE(IsResumable(absl::DataLossError("x")));
}

TEST(SubscribeResumeTest, ContinuesAfterTheLastPositionWithTheSameFilter) {
  v1::SubscribeRequest request;
  request.set_from_beginning(true);
  request.mutable_filter()->add_sectors("energy");
  request.set_checkpoint_every_events(10);
  SubscribeResume resume(request);
  EXPECT_TRUE(resume.has_position());
  EXPECT_TRUE(resume.ResumeRequest().from_beginning());

  resume.Observe(Event(3));
  EXPECT_EQ(resume.last_position(), 3u);
  resume.Observe(Checkpoint(40));
  EXPECT_EQ(resume.last_position(), 40u);
  resume.Observe(CaughtUp(41));
  v1::SubscribeResponse behind;
  behind.mutable_fell_behind()->set_position(45);
  resume.Observe(behind);
  resume.Observe(Checkpoint(2));  // never goes back
  const v1::SubscribeRequest next = resume.ResumeRequest();
  EXPECT_EQ(next.from_position(), 46u);
  EXPECT_EQ(next.filter().sectors(0), "energy");
  EXPECT_EQ(next.checkpoint_every_events(), 10u);
}

// A batch (max_events_per_message > 1) covers its last event; the resumed request keeps
// asking for batches.
TEST(SubscribeResumeTest, BatchesCoverTheirLastEvent) {
  v1::SubscribeRequest request;
  request.set_from_beginning(true);
  request.set_max_events_per_message(100);
  SubscribeResume resume(request);
  v1::SubscribeResponse batch;
  for (uint64_t position : {4, 9, 12}) {
    batch.mutable_events()->add_events()->mutable_envelope()->set_position(position);
  }
  resume.Observe(batch);
  EXPECT_EQ(resume.last_position(), 12u);
  EXPECT_EQ(resume.ResumeRequest().from_position(), 13u);
  EXPECT_EQ(resume.ResumeRequest().max_events_per_message(), 100u);
}

TEST(SubscribeResumeTest, StartPositions) {
  v1::SubscribeRequest from;
  from.set_from_position(7);
  EXPECT_EQ(SubscribeResume(from).last_position(), 6u);
  EXPECT_EQ(SubscribeResume(from).ResumeRequest().from_position(), 7u);
  SubscribeResume quiet(from);
  quiet.Observe(Checkpoint(6));
  EXPECT_EQ(quiet.ResumeRequest().from_position(), 7u);

  v1::SubscribeRequest now;
  now.set_from_now(true);
  SubscribeResume resume(now);
  EXPECT_FALSE(resume.has_position());
  EXPECT_TRUE(resume.ResumeRequest().from_now());
  resume.Observe(CaughtUp(12));
  EXPECT_TRUE(resume.has_position());
  EXPECT_EQ(resume.ResumeRequest().from_position(), 13u);
}

TEST(SectorResumeTest, SnapshotStartsOverUntilAMessageAfterIt) {
  v1::WatchSectorRequest request;
  request.set_sector("energy");
  request.add_statuses(v1::AGREEMENT_STATUS_IN_FORCE);
  SectorResume resume(request);
  resume.Observe(Update("a", 9, /*snapshot=*/true));
  EXPECT_FALSE(resume.past_snapshot());
  EXPECT_EQ(resume.ResumeRequest().resume_after(), 0u);

  resume.Observe(SectorCaughtUp(9));
  EXPECT_TRUE(resume.past_snapshot());
  resume.Observe(Update("a", 12, /*snapshot=*/false));
  resume.Observe(Removed("b", 14));
  const v1::WatchSectorRequest next = resume.ResumeRequest();
  EXPECT_EQ(next.resume_after(), 14u);
  EXPECT_EQ(next.sector(), "energy");
  EXPECT_EQ(next.statuses_size(), 1);
}

TEST(SectorResumeTest, AResumedRequestHasNoSnapshot) {
  v1::WatchSectorRequest request;
  request.set_sector("energy");
  request.set_resume_after(30);
  SectorResume resume(request);
  EXPECT_TRUE(resume.past_snapshot());
  EXPECT_EQ(resume.ResumeRequest().resume_after(), 30u);
}

TEST(BackoffTest, DoublesUpToTheBoundAndResets) {
  Backoff backoff(absl::Milliseconds(100), absl::Milliseconds(500), 0);
  std::vector<absl::Duration> pauses;
  for (int i = 0; i < 5; ++i) pauses.push_back(backoff.Next());
  EXPECT_EQ(pauses,
            (std::vector<absl::Duration>{absl::Milliseconds(100), absl::Milliseconds(200),
                                         absl::Milliseconds(400), absl::Milliseconds(500),
                                         absl::Milliseconds(500)}));
  backoff.Reset();
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(100));
}

TEST(BackoffTest, JitterStaysWithinItsBand) {
  Backoff backoff(absl::Seconds(1), absl::Seconds(1), 0.2);
  for (int i = 0; i < 100; ++i) {
    const absl::Duration pause = backoff.Next();
    EXPECT_GE(pause, absl::Milliseconds(800));
    EXPECT_LE(pause, absl::Seconds(1));
  }
}

// A FeedService whose attempts follow scripts: attempt i runs script i (the last one
// repeats). Records every request. Thread-safe (gRPC calls it on its threads).
class ScriptedFeedService final : public v1::FeedService::Service {
 public:
  template <typename Response>
  using Script =
      std::function<grpc::Status(grpc::ServerContext*, grpc::ServerWriter<Response>*)>;

  void AddSubscribe(Script<v1::SubscribeResponse> script) {
    absl::MutexLock lock(&mu_);
    subscribe_scripts_.push_back(std::move(script));
  }
  void AddWatch(Script<v1::WatchSectorResponse> script) {
    absl::MutexLock lock(&mu_);
    watch_scripts_.push_back(std::move(script));
  }
  std::vector<v1::SubscribeRequest> subscribe_requests() {
    absl::MutexLock lock(&mu_);
    return subscribe_requests_;
  }
  std::vector<v1::WatchSectorRequest> watch_requests() {
    absl::MutexLock lock(&mu_);
    return watch_requests_;
  }

  grpc::Status Subscribe(grpc::ServerContext* context,
                         const v1::SubscribeRequest* request,
                         grpc::ServerWriter<v1::SubscribeResponse>* writer) override {
    Script<v1::SubscribeResponse> script;
    {
      absl::MutexLock lock(&mu_);
      subscribe_requests_.push_back(*request);
      script = subscribe_scripts_[std::min(subscribe_requests_.size(),
                                           subscribe_scripts_.size()) -
                                  1];
    }
    return script(context, writer);
  }
  grpc::Status WatchSector(grpc::ServerContext* context,
                           const v1::WatchSectorRequest* request,
                           grpc::ServerWriter<v1::WatchSectorResponse>* writer) override {
    Script<v1::WatchSectorResponse> script;
    {
      absl::MutexLock lock(&mu_);
      watch_requests_.push_back(*request);
      script =
          watch_scripts_[std::min(watch_requests_.size(), watch_scripts_.size()) - 1];
    }
    return script(context, writer);
  }

 private:
  absl::Mutex mu_;
  std::vector<Script<v1::SubscribeResponse>> subscribe_scripts_ ABSL_GUARDED_BY(mu_);
  std::vector<Script<v1::WatchSectorResponse>> watch_scripts_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::SubscribeRequest> subscribe_requests_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::WatchSectorRequest> watch_requests_ ABSL_GUARDED_BY(mu_);
};

// A script step: write `messages`, then end with `status`.
template <typename Response>
ScriptedFeedService::Script<Response> Send(std::initializer_list<Response> list,
                                           grpc::Status status) {
  return [messages = std::vector<Response>(list), status](
             grpc::ServerContext*, grpc::ServerWriter<Response>* writer) {
    for (const Response& message : messages) writer->Write(message);
    return status;
  };
}

// A script step: write `messages`, then wait until the client cancels (bounded).
template <typename Response>
ScriptedFeedService::Script<Response> SendAndHold(std::initializer_list<Response> list) {
  return [messages = std::vector<Response>(list)](grpc::ServerContext* context,
                                                  grpc::ServerWriter<Response>* writer) {
    for (const Response& message : messages) writer->Write(message);
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (!context->IsCancelled() && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    return grpc::Status(grpc::StatusCode::CANCELLED, "held until cancelled");
  };
}

const grpc::Status kUnavailable(grpc::StatusCode::UNAVAILABLE, "server restarting");

class FeedClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port, 0);
    auto client = RegistryClient::Connect(absl::StrCat("127.0.0.1:", port));
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(absl::ToChronoTime(absl::Now()));
  }

  // Quick retries, no jitter; records each on_resume's resume_after.
  ResumeOptions FastOptions() {
    ResumeOptions options;
    options.initial_backoff = absl::Milliseconds(1);
    options.max_backoff = absl::Milliseconds(4);
    options.backoff_jitter = 0;
    options.on_resume = [this](const absl::Status& ended, uint64_t resume_after,
                               absl::Duration) {
      absl::MutexLock lock(&mu_);
      resumes_.push_back(resume_after);
      resume_codes_.push_back(ended.code());
    };
    return options;
  }
  std::vector<uint64_t> resumes() {
    absl::MutexLock lock(&mu_);
    return resumes_;
  }

  ScriptedFeedService service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<RegistryClient> client_;
  absl::Mutex mu_;
  std::vector<uint64_t> resumes_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::StatusCode> resume_codes_ ABSL_GUARDED_BY(mu_);
};

TEST_F(FeedClientTest, ResubscribesAfterTheLastPositionUntilTheHandlerStops) {
  service_.AddSubscribe(Send({Event(1), Event(3), Checkpoint(5)}, kUnavailable));
  service_.AddSubscribe(Send({Event(7)}, grpc::Status::OK));
  service_.AddSubscribe(
      Send({CaughtUp(9), Event(10)}, grpc::Status(grpc::StatusCode::CANCELLED, "broke")));
  service_.AddSubscribe(SendAndHold({Event(12), Event(13)}));

  v1::SubscribeRequest request;
  request.set_from_beginning(true);
  request.mutable_filter()->add_sectors("energy");
  request.mutable_filter()->add_party_ids("kz");
  auto subscription = FeedSubscription::Create(client_.get(), request, FastOptions());
  ASSERT_TRUE(subscription.ok()) << subscription.status();
  std::vector<uint64_t> events;
  const absl::Status status = (*subscription)->Run([&](const v1::SubscribeResponse& m) {
    if (!m.has_event()) return true;
    events.push_back(m.event().envelope().position());
    return m.event().envelope().position() != 12;
  });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(events, (std::vector<uint64_t>{1, 3, 7, 10, 12}));
  EXPECT_EQ((*subscription)->last_position(), 12u);

  const std::vector<v1::SubscribeRequest> requests = service_.subscribe_requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_TRUE(requests[0].from_beginning());
  EXPECT_EQ(requests[1].from_position(), 6u);
  EXPECT_EQ(requests[2].from_position(), 8u);
  EXPECT_EQ(requests[3].from_position(), 11u);
  for (const v1::SubscribeRequest& r : requests) {
    EXPECT_EQ(r.filter().SerializeAsString(), request.filter().SerializeAsString());
  }
  EXPECT_EQ(resumes(), (std::vector<uint64_t>{5, 7, 10}));
}

TEST_F(FeedClientTest, AnAnswerThatIsNotADisconnectIsReturned) {
  service_.AddSubscribe(Send<v1::SubscribeResponse>(
      {}, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "filter.sectors[0]: no")));
  v1::SubscribeRequest request;
  request.set_from_now(true);
  auto subscription = FeedSubscription::Create(client_.get(), request, FastOptions());
  ASSERT_TRUE(subscription.ok());
  const absl::Status status =
      (*subscription)->Run([](const v1::SubscribeResponse&) { return true; });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(service_.subscribe_requests().size(), 1u);
}

TEST_F(FeedClientTest, StopFromAnotherThreadEndsAnIdleStream) {
  service_.AddSubscribe(SendAndHold({CaughtUp(4)}));
  v1::SubscribeRequest request;
  request.set_from_now(true);
  auto subscription = FeedSubscription::Create(client_.get(), request, FastOptions());
  ASSERT_TRUE(subscription.ok());
  absl::Notification live;
  absl::Notification done;
  absl::Status status;
  std::thread runner([&] {
    status = (*subscription)->Run([&](const v1::SubscribeResponse& m) {
      if (m.has_caught_up() && !live.HasBeenNotified()) live.Notify();
      return true;
    });
    done.Notify();
  });
  ASSERT_TRUE(live.WaitForNotificationWithTimeout(absl::Seconds(10)));
  (*subscription)->Stop();
  const bool ended = done.WaitForNotificationWithTimeout(absl::Seconds(10));
  if (!ended) server_->Shutdown(absl::ToChronoTime(absl::Now()));  // unblock, then fail
  runner.join();
  EXPECT_TRUE(ended) << "Run did not return after Stop";
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ((*subscription)->last_position(), 4u);
  EXPECT_TRUE(resumes().empty());
}

TEST_F(FeedClientTest, StopInterruptsTheBackoffPause) {
  service_.AddSubscribe(Send<v1::SubscribeResponse>({}, kUnavailable));
  ResumeOptions options = FastOptions();
  options.initial_backoff = options.max_backoff = absl::Seconds(60);
  absl::Notification pausing;
  options.on_resume = [&](const absl::Status& ended, uint64_t, absl::Duration pause) {
    EXPECT_EQ(ended.code(), absl::StatusCode::kUnavailable);
    EXPECT_EQ(pause, absl::Seconds(60));
    pausing.Notify();
  };
  v1::SubscribeRequest request;
  request.set_from_beginning(true);
  auto subscription = FeedSubscription::Create(client_.get(), request, options);
  ASSERT_TRUE(subscription.ok());
  absl::Notification done;
  std::thread runner([&] {
    EXPECT_TRUE(
        (*subscription)->Run([](const v1::SubscribeResponse&) { return true; }).ok());
    done.Notify();
  });
  ASSERT_TRUE(pausing.WaitForNotificationWithTimeout(absl::Seconds(10)));
  const absl::Time stopped_at = absl::Now();
  (*subscription)->Stop();
  EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_LT(absl::Now() - stopped_at, absl::Seconds(5));
  runner.join();
}

TEST_F(FeedClientTest, RetriesAnUnreachableServerWithGrowingPauses) {
  auto unreachable = RegistryClient::Connect("127.0.0.1:1");
  ASSERT_TRUE(unreachable.ok());
  ResumeOptions options;
  options.initial_backoff = absl::Milliseconds(10);
  options.max_backoff = absl::Milliseconds(40);
  options.backoff_jitter = 0;
  std::vector<absl::Duration> pauses;
  FeedSubscription* subscription = nullptr;
  options.on_resume = [&](const absl::Status& ended, uint64_t resume_after,
                          absl::Duration pause) {
    EXPECT_EQ(ended.code(), absl::StatusCode::kUnavailable) << ended;
    EXPECT_EQ(resume_after, 0u);
    pauses.push_back(pause);
    if (pauses.size() == 4) subscription->Stop();
  };
  v1::SubscribeRequest request;
  request.set_from_beginning(true);
  auto created = FeedSubscription::Create(unreachable->get(), request, options);
  ASSERT_TRUE(created.ok());
  subscription = created->get();
  EXPECT_TRUE(subscription->Run([](const v1::SubscribeResponse&) { return true; }).ok());
  EXPECT_EQ(pauses, (std::vector<absl::Duration>{
                        absl::Milliseconds(10), absl::Milliseconds(20),
                        absl::Milliseconds(40), absl::Milliseconds(40)}));
}

TEST_F(FeedClientTest, SectorWatcherRestartsAnIncompleteSnapshotThenResumesAfterIt) {
  service_.AddWatch(Send({Update("a", 5, true)}, kUnavailable));
  service_.AddWatch(Send({Update("a", 5, true), Update("b", 5, true), SectorCaughtUp(5),
                          Update("a", 7, false)},
                         kUnavailable));
  service_.AddWatch(SendAndHold({Removed("b", 8)}));
  v1::WatchSectorRequest request;
  request.set_sector("energy");
  request.add_instrument_kinds(v1::INSTRUMENT_KIND_TREATY);
  auto watcher = SectorWatcher::Create(client_.get(), request, FastOptions());
  ASSERT_TRUE(watcher.ok());
  std::vector<std::string> seen;
  const absl::Status status = (*watcher)->Run([&](const v1::WatchSectorResponse& m) {
    if (m.has_update()) {
      seen.push_back(absl::StrCat(m.update().agreement().id(), "@", m.update().position(),
                                  m.update().snapshot() ? "s" : ""));
    } else if (m.has_removed()) {
      seen.push_back(
          absl::StrCat("-", m.removed().agreement_id(), "@", m.removed().position()));
      return false;
    }
    return true;
  });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(seen, (std::vector<std::string>{"a@5s", "a@5s", "b@5s", "a@7", "-b@8"}));
  const std::vector<v1::WatchSectorRequest> requests = service_.watch_requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].resume_after(), 0u);
  EXPECT_EQ(requests[1].resume_after(), 0u);
  EXPECT_EQ(requests[2].resume_after(), 7u);
  EXPECT_EQ(requests[2].sector(), "energy");
  EXPECT_EQ(requests[2].instrument_kinds_size(), 1);
  EXPECT_EQ(resumes(), (std::vector<uint64_t>{0, 7}));
}

TEST(FeedOptionsTest, BadOptionsAreRejected) {
  auto client = RegistryClient::Connect("127.0.0.1:1");
  ASSERT_TRUE(client.ok());
  ResumeOptions options;
  options.max_backoff = absl::Milliseconds(1);
  EXPECT_EQ(FeedSubscription::Create(client->get(), {}, options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = {};
  options.backoff_jitter = 1;
  EXPECT_EQ(SectorWatcher::Create(client->get(), {}, options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace agreements::client
