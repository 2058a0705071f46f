// Change feeds over a real server on 127.0.0.1 with a real RocksDB: hand-over
// correctness under concurrent writers, slow consumers, resume after cancellation and
// restart, shutdown, limits, invalid requests, and the live sector view against the
// query service.
#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "agreements/v1/command_service.grpc.pb.h"
#include "agreements/v1/feed_service.grpc.pb.h"
#include "agreements/v1/query_service.grpc.pb.h"
#include "domain/decider.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "services/server.h"
#include "store/log_reader.h"
#include "tests/test_support.h"

namespace agreements {
namespace {

namespace v1 = ::agreements::v1;
using testing::BindingAgreement;
using testing::Day;
using testing::StateParty;
using testing::TempDir;

std::chrono::system_clock::time_point In(int seconds) {
  return std::chrono::system_clock::now() + std::chrono::seconds(seconds);
}

class FeedTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }

  void Start() {
    services::ServerOptions options = options_;
    options.listen = "127.0.0.1:0";
    options.data_dir = dir_.path();
    auto server = services::RegistryServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                   grpc::InsecureChannelCredentials());
    commands_ = v1::CommandService::NewStub(channel_);
    queries_ = v1::QueryService::NewStub(channel_);
    feeds_ = v1::FeedService::NewStub(channel_);
  }

  void Restart() {
    server_.reset();
    Start();
  }

  void RegisterParties() {
    for (const auto& [id, country] :
         {std::pair{"kz", "KZ"}, std::pair{"kr", "KR"}, std::pair{"us", "US"}}) {
      grpc::ClientContext context;
      context.set_deadline(In(10));
      v1::RegisterPartyResponse response;
      ASSERT_TRUE(commands_
                      ->RegisterParty(&context,
                                      StateParty(absl::StrCat("p-", id), id, country),
                                      &response)
                      .ok());
    }
  }

  // Records agreement `id` between kz and `other` in `sector`.
  // `summary_bytes` of summary text make the event that much larger.
  uint64_t Record(const std::string& id, const std::string& other,
                  const std::string& sector, size_t summary_bytes = 0) {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    v1::RecordAgreementResponse response;
    auto request = BindingAgreement(id, id, {"kz", other}, sector);
    request.mutable_agreement()->set_summary(std::string(summary_bytes, 's'));
    auto status = commands_->RecordAgreement(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.result().last_position();
  }

  uint64_t Apply(const std::string& id, v1::EventPayload change) {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    v1::ApplyAgreementChangeRequest request;
    request.mutable_context()->set_request_id(
        absl::StrCat("apply-", id, "-", ++apply_counter_));
    request.set_agreement_id(id);
    *request.mutable_change() = std::move(change);
    v1::ApplyAgreementChangeResponse response;
    auto status = commands_->ApplyAgreementChange(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.result().last_position();
  }

  static v1::EventPayload Classify(const std::string& sector) {
    v1::EventPayload change;
    auto* c = change.mutable_classification_changed()->add_classifications();
    c->set_scheme(v1::CLASSIFICATION_SCHEME_REGISTRY_SECTOR);
    c->set_code(sector);
    return change;
  }

  static v1::EventPayload Sign(const std::string& party) {
    v1::EventPayload change;
    change.mutable_participant_signed()->set_party_id(party);
    *change.mutable_participant_signed()->mutable_signature()->mutable_date() =
        Day(2009, 5, 13);
    change.mutable_participant_signed()->mutable_signature()->set_kind(
        v1::SIGNATURE_KIND_SIMPLE);
    return change;
  }

  uint64_t Head() {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    v1::ListSectorsResponse response;
    EXPECT_TRUE(
        queries_->ListSectors(&context, v1::ListSectorsRequest(), &response).ok());
    return response.position();
  }

  // The positions the filter must deliver, computed independently of the server's
  // tags: replay the log and test the filter against each agreement before and after.
  std::vector<uint64_t> ExpectedPositions(const v1::EventFilter& filter, uint64_t from,
                                          uint64_t to) {
    store::LogReader reader(server_->TEST_store());
    auto page = reader.ReadForward(1, 1000000);
    EXPECT_TRUE(page.ok());
    std::map<std::string, v1::Agreement> states;
    std::vector<uint64_t> out;
    auto any_of = [](const auto& values, const auto& wanted) {
      for (const auto& v : values) {
        for (const auto& w : wanted) {
          if (v == w) return true;
        }
      }
      return false;
    };
    for (const auto& stored : page->events) {
      v1::Event event;
      EXPECT_TRUE(event.ParseFromString(stored.bytes));
      const auto& envelope = event.envelope();
      bool matches = true;
      if (envelope.stream_type() == v1::STREAM_TYPE_AGREEMENT) {
        v1::Agreement before = states[envelope.stream_id()];
        domain::EvolveAgreement(states[envelope.stream_id()], event);
        const v1::Agreement& after = states[envelope.stream_id()];
        std::vector<std::string> sectors(before.sectors().begin(),
                                         before.sectors().end());
        sectors.insert(sectors.end(), after.sectors().begin(), after.sectors().end());
        std::vector<std::string> parties;
        for (const auto& p : before.participations()) parties.push_back(p.party_id());
        for (const auto& p : after.participations()) parties.push_back(p.party_id());
        if (!filter.sectors().empty()) matches &= any_of(sectors, filter.sectors());
        if (!filter.party_ids().empty()) matches &= any_of(parties, filter.party_ids());
        if (!filter.agreement_ids().empty()) {
          matches &= any_of(std::vector<std::string>{envelope.stream_id()},
                            filter.agreement_ids());
        }
      } else {
        if (!filter.sectors().empty() || !filter.agreement_ids().empty()) matches = false;
        if (!filter.party_ids().empty()) {
          matches &=
              any_of(std::vector<std::string>{envelope.stream_id()}, filter.party_ids());
        }
      }
      if (!filter.event_types().empty()) {
        matches &=
            any_of(std::vector<std::string>{envelope.event_type()}, filter.event_types());
      }
      if (matches && stored.position >= from && stored.position <= to) {
        out.push_back(stored.position);
      }
    }
    return out;
  }

  // Reads a Subscribe stream until a message covers `until` (or the deadline); returns
  // the event positions and records what else came.
  struct Received {
    std::vector<uint64_t> events;
    uint64_t covered = 0;
    int caught_up = 0;
    int fell_behind = 0;
    int checkpoints = 0;
    // `events` messages (max_events_per_message > 1) and the most events in one.
    int batches = 0;
    int largest_batch = 0;
    grpc::Status status;
  };
  Received Read(grpc::ClientReader<v1::SubscribeResponse>& reader, uint64_t until) {
    Received got;
    v1::SubscribeResponse message;
    while (got.covered < until && reader.Read(&message)) {
      if (message.has_event()) {
        EXPECT_GT(message.event().envelope().position(), got.covered)
            << "an event at or below a position already covered";
      }
      switch (message.kind_case()) {
        case v1::SubscribeResponse::kEvent:
          got.events.push_back(message.event().envelope().position());
          got.covered = message.event().envelope().position();
          break;
        case v1::SubscribeResponse::kCheckpoint:
          ++got.checkpoints;
          EXPECT_GE(message.checkpoint().position(), got.covered);
          got.covered = std::max(got.covered, message.checkpoint().position());
          break;
        case v1::SubscribeResponse::kCaughtUp:
          ++got.caught_up;
          got.covered = std::max(got.covered, message.caught_up().position());
          break;
        case v1::SubscribeResponse::kFellBehind:
          ++got.fell_behind;
          break;
        case v1::SubscribeResponse::kEvents:
          ++got.batches;
          got.largest_batch = std::max(got.largest_batch, message.events().events_size());
          for (const v1::Event& event : message.events().events()) {
            EXPECT_GT(event.envelope().position(), got.covered)
                << "an event at or below a position already covered";
            got.events.push_back(event.envelope().position());
            got.covered = event.envelope().position();
          }
          break;
        default:
          break;
      }
    }
    return got;
  }

  services::ServerOptions options_;
  TempDir dir_;
  std::unique_ptr<services::RegistryServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CommandService::Stub> commands_;
  std::unique_ptr<v1::QueryService::Stub> queries_;
  std::unique_ptr<v1::FeedService::Stub> feeds_;
  std::atomic<int> apply_counter_{0};
};

class SmallWindowFeedTest : public FeedTest {
 protected:
  void SetUp() override {
    options_.feed_window = 32;  // subscribers fall out of it and back into the log
    options_.feeds.tick = absl::Milliseconds(50);
    Start();
  }
};

TEST_F(SmallWindowFeedTest,
       ConcurrentWritersAndRandomSubscribersSeeExactlyTheFilteredLog) {
  RegisterParties();
  // More than the window (32): subscribers starting early catch up from the log first.
  for (int i = 0; i < 80; ++i) Record(absl::StrCat("seed-", i), "kr", "energy");
  const uint64_t seeded = Head();

  constexpr int kWriters = 3;
  constexpr int kPerWriter = 60;
  const std::vector<std::string> sectors = {"energy", "transport", "telecom"};
  std::vector<v1::EventFilter> filters(5);
  filters[1].add_sectors("transport");
  filters[2].add_party_ids("us");
  filters[3].add_event_types("classification_changed");
  filters[3].add_event_types("party_registered");
  filters[4].add_sectors("telecom");
  filters[4].add_party_ids("kr");

  std::mt19937 random(20091515);
  struct Subscriber {
    v1::EventFilter filter;
    uint64_t start;
    std::unique_ptr<grpc::ClientContext> context;
    std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader;
    Received got;
  };
  std::vector<Subscriber> subscribers(8);
  for (size_t i = 0; i < subscribers.size(); ++i) {
    auto& s = subscribers[i];
    s.filter = filters[i % filters.size()];
    s.start = 1 + random() % (seeded + 40);  // some start beyond the current head
    s.context = std::make_unique<grpc::ClientContext>();
    s.context->set_deadline(In(60));
    v1::SubscribeRequest request;
    request.set_from_position(s.start);
    *request.mutable_filter() = s.filter;
    request.set_checkpoint_every_events(7);
    request.set_checkpoint_interval_ms(200);
    s.reader = feeds_->Subscribe(s.context.get(), request);
  }

  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; ++i) {
        const std::string id = absl::StrCat("w", w, "-", i);
        Record(id, i % 2 ? "us" : "kr", sectors[(w + i) % 3]);
        if (i % 4 == 0) Apply(id, Classify(sectors[(w + i + 1) % 3]));
      }
    });
  }
  // Subscribers read while the writers write.
  std::vector<std::thread> readers;
  std::atomic<uint64_t> final_head{0};
  for (auto& s : subscribers) {
    readers.emplace_back([&, ptr = &s] {
      // Read until the final head is known and covered.
      while (true) {
        const uint64_t target = final_head.load();
        if (target != 0 && ptr->got.covered >= target) return;
        Received part = Read(*ptr->reader, target == 0 ? ptr->got.covered + 1 : target);
        ptr->got.events.insert(ptr->got.events.end(), part.events.begin(),
                               part.events.end());
        ptr->got.covered = std::max(ptr->got.covered, part.covered);
        ptr->got.caught_up += part.caught_up;
        ptr->got.fell_behind += part.fell_behind;
        ptr->got.checkpoints += part.checkpoints;
        if (target != 0 && ptr->got.covered >= target) return;
        if (part.covered == 0 && part.events.empty() && target != 0)
          return;  // stream ended
      }
    });
  }
  for (auto& writer : writers) writer.join();
  const uint64_t last = Head();
  final_head = last;
  // A reader may be waiting for position last + 1: one more event (or the checkpoint
  // after it) lets it see that the target is known.
  Record("final", "kr", "governance");
  for (auto& reader : readers) reader.join();

  bool catch_up_from_log = false;
  for (auto& s : subscribers) {
    s.context->TryCancel();
    std::vector<uint64_t> received;
    for (uint64_t p : s.got.events) {
      if (p <= last) received.push_back(p);
    }
    EXPECT_EQ(received, ExpectedPositions(s.filter, s.start, last))
        << "subscriber from " << s.start << " with filter "
        << s.filter.ShortDebugString();
    EXPECT_GE(s.got.covered, final_head.load());
    EXPECT_GE(s.got.caught_up, 1) << s.filter.ShortDebugString();
    if (s.start + 32 < seeded) catch_up_from_log = true;
  }
  EXPECT_TRUE(catch_up_from_log) << "no subscriber started behind the window";
}

TEST_F(SmallWindowFeedTest, AStalledSubscriberNeitherBlocksWritersNorLosesEvents) {
  RegisterParties();
  grpc::ClientContext context;
  context.set_deadline(In(120));
  v1::SubscribeRequest request;
  request.set_from_now(true);
  auto reader = feeds_->Subscribe(&context, request);
  v1::SubscribeResponse first;
  ASSERT_TRUE(reader->Read(&first));
  ASSERT_TRUE(first.has_caught_up());
  const uint64_t start = first.caught_up().position() + 1;

  // The subscriber reads nothing while 600 commands of ~8 KiB are committed: far more
  // than the window (32 events), one step (256 messages) and the transport's buffers, so
  // the server's writes to it stall. Every append is still answered.
  for (int i = 0; i < 600; ++i) {
    ASSERT_GT(Record(absl::StrCat("a", i), "kr", "energy", 8000), 0u);
  }
  // What the server holds for it is one step at most, not the 600 events.
  EXPECT_LE(server_->TEST_feeds()->TEST_max_queued_messages(), 257u);
  const uint64_t head = Head();
  Received got = Read(*reader, head);
  // Then it is live again: the caught-up marker follows.
  v1::SubscribeResponse message;
  while (got.caught_up == 0 && reader->Read(&message)) {
    if (message.has_caught_up()) ++got.caught_up;
    if (message.has_event()) got.events.push_back(message.event().envelope().position());
  }
  context.TryCancel();
  EXPECT_EQ(got.events, ExpectedPositions(v1::EventFilter(), start, head));
  EXPECT_GE(got.fell_behind, 1);  // it went back to the log rather than buffering
  EXPECT_GE(got.caught_up, 1);
}

TEST_F(FeedTest, ResumeAfterCancellationAndAfterRestartMissesAndRepeatsNothing) {
  RegisterParties();
  for (int i = 0; i < 30; ++i)
    Record(absl::StrCat("a", i), i % 2 ? "us" : "kr", "energy");
  v1::EventFilter filter;
  filter.add_party_ids("us");
  std::vector<uint64_t> all;
  uint64_t resume = 1;

  {  // Read a few events, then cancel.
    grpc::ClientContext context;
    context.set_deadline(In(30));
    v1::SubscribeRequest request;
    request.set_from_beginning(true);
    *request.mutable_filter() = filter;
    auto reader = feeds_->Subscribe(&context, request);
    v1::SubscribeResponse message;
    while (all.size() < 5 && reader->Read(&message)) {
      if (message.has_event()) all.push_back(message.event().envelope().position());
    }
    context.TryCancel();
    resume = all.back() + 1;
  }
  for (int i = 30; i < 40; ++i)
    Record(absl::StrCat("a", i), i % 2 ? "us" : "kr", "energy");
  Restart();
  for (int i = 40; i < 50; ++i)
    Record(absl::StrCat("a", i), i % 2 ? "us" : "kr", "energy");
  const uint64_t head = Head();
  {
    grpc::ClientContext context;
    context.set_deadline(In(30));
    v1::SubscribeRequest request;
    request.set_from_position(resume);
    *request.mutable_filter() = filter;
    auto reader = feeds_->Subscribe(&context, request);
    Received got = Read(*reader, head);
    context.TryCancel();
    all.insert(all.end(), got.events.begin(), got.events.end());
  }
  EXPECT_EQ(all, ExpectedPositions(filter, 1, head));

  // A filter that matches nothing new: resume from its checkpoint, not from an event.
  v1::EventFilter rare;
  rare.add_agreement_ids("a3");
  uint64_t checkpoint = 0;
  {
    grpc::ClientContext context;
    context.set_deadline(In(30));
    v1::SubscribeRequest request;
    request.set_from_beginning(true);
    *request.mutable_filter() = rare;
    request.set_checkpoint_every_events(10);
    auto reader = feeds_->Subscribe(&context, request);
    v1::SubscribeResponse message;
    while (checkpoint < 20 && reader->Read(&message)) {
      if (message.has_checkpoint()) checkpoint = message.checkpoint().position();
    }
    context.TryCancel();
  }
  ASSERT_GE(checkpoint, 20u);
  Apply("a3", Sign("kz"));
  const uint64_t signed_at = Head();
  grpc::ClientContext context;
  context.set_deadline(In(30));
  v1::SubscribeRequest request;
  request.set_from_position(checkpoint + 1);
  *request.mutable_filter() = rare;
  auto reader = feeds_->Subscribe(&context, request);
  Received rest = Read(*reader, signed_at);
  context.TryCancel();
  EXPECT_EQ(rest.events, ExpectedPositions(rare, checkpoint + 1, signed_at));
  EXPECT_EQ(rest.events.back(), signed_at);
}

TEST_F(FeedTest, ShutdownEndsOpenStreamsWithUnavailable) {
  RegisterParties();
  grpc::ClientContext context;
  context.set_deadline(In(30));
  v1::SubscribeRequest request;
  request.set_from_now(true);
  auto reader = feeds_->Subscribe(&context, request);
  v1::SubscribeResponse message;
  ASSERT_TRUE(reader->Read(&message));
  ASSERT_TRUE(message.has_caught_up());
  std::thread stopper([this] { server_->Shutdown(); });
  const auto before = std::chrono::steady_clock::now();
  while (reader->Read(&message)) {
  }
  const grpc::Status status = reader->Finish();
  stopper.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(5));
}

TEST_F(FeedTest, ShutdownEndsAStalledStreamPromptlyToo) {
  RegisterParties();
  for (int i = 0; i < 300; ++i) Record(absl::StrCat("a", i), "kr", "energy", 8000);
  grpc::ClientContext context;
  context.set_deadline(In(60));
  v1::SubscribeRequest request;
  request.set_from_beginning(true);
  auto reader = feeds_->Subscribe(&context, request);
  v1::SubscribeResponse message;
  ASSERT_TRUE(reader->Read(&message));  // then stop reading: ~2.4 MB stay unread
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto before = std::chrono::steady_clock::now();
  server_->Shutdown();  // must not wait for the shutdown grace (10 s)
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(5));
  while (reader->Read(&message)) {
  }
  EXPECT_FALSE(reader->Finish().ok());
}

TEST_F(FeedTest, TheSubscriptionLimitAndInvalidRequestsAreRefused) {
  server_.reset();
  options_.feeds.max_streams = 2;
  Start();
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>>> readers;
  v1::SubscribeRequest live;
  live.set_from_now(true);
  for (int i = 0; i < 2; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    contexts.back()->set_deadline(In(30));
    readers.push_back(feeds_->Subscribe(contexts.back().get(), live));
    v1::SubscribeResponse message;
    ASSERT_TRUE(readers.back()->Read(&message));  // admitted: caught up at once
  }
  {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    auto third = feeds_->Subscribe(&context, live);
    v1::SubscribeResponse message;
    EXPECT_FALSE(third->Read(&message));
    EXPECT_EQ(third->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  for (auto& context : contexts) context->TryCancel();
  for (auto& reader : readers) reader->Finish();
  {  // the slots are free again
    bool admitted = false;
    for (int attempt = 0; attempt < 50 && !admitted; ++attempt) {
      grpc::ClientContext context;
      context.set_deadline(In(10));
      auto again = feeds_->Subscribe(&context, live);
      v1::SubscribeResponse message;
      admitted = again->Read(&message);
      context.TryCancel();
      again->Finish();
      if (!admitted) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_TRUE(admitted);
  }

  auto refused = [this](const v1::SubscribeRequest& request) {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    auto reader = feeds_->Subscribe(&context, request);
    v1::SubscribeResponse message;
    EXPECT_FALSE(reader->Read(&message));
    return reader->Finish();
  };
  v1::SubscribeRequest bad_sector;
  bad_sector.mutable_filter()->add_sectors("atlantis");
  auto status = refused(bad_sector);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("filter.sectors[0]"), std::string::npos);
  v1::SubscribeRequest bad_interval;
  bad_interval.set_checkpoint_interval_ms(10);
  EXPECT_EQ(refused(bad_interval).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::SubscribeRequest zero;
  zero.set_from_position(0);
  EXPECT_EQ(refused(zero).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::SubscribeRequest too_many;
  for (int i = 0; i < 101; ++i)
    too_many.mutable_filter()->add_party_ids(absl::StrCat("p", i));
  EXPECT_EQ(refused(too_many).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::SubscribeRequest big_batches;
  big_batches.set_max_events_per_message(1001);
  status = refused(big_batches);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("max_events_per_message"), std::string::npos);
}

// Opt-in batches: catch-up from the log, the window and live hand-over, with writers
// appending meanwhile, deliver exactly the filtered log, in batches of at most the
// requested size; a subscriber that does not ask gets single events as before.
TEST_F(SmallWindowFeedTest, BatchedSubscribersSeeExactlyTheFilteredLog) {
  RegisterParties();
  // More than the window (32): the catch-up starts in the log.
  for (int i = 0; i < 120; ++i) {
    Record(absl::StrCat("seed-", i), i % 3 ? "kr" : "us", i % 2 ? "energy" : "transport");
  }
  std::vector<v1::EventFilter> filters(3);
  filters[1].add_sectors("transport");
  filters[2].add_party_ids("us");
  struct Subscriber {
    v1::EventFilter filter;
    uint32_t batch;
    std::unique_ptr<grpc::ClientContext> context;
    std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader;
  };
  std::vector<Subscriber> subscribers;
  for (uint32_t batch : {0u, 7u, 1000u}) {
    for (const auto& filter : filters) {
      Subscriber& s = subscribers.emplace_back();
      s.filter = filter;
      s.batch = batch;
      s.context = std::make_unique<grpc::ClientContext>();
      s.context->set_deadline(In(60));
      v1::SubscribeRequest request;
      request.set_from_beginning(true);
      *request.mutable_filter() = filter;
      request.set_max_events_per_message(batch);
      s.reader = feeds_->Subscribe(s.context.get(), request);
    }
  }
  std::thread writer([this] {
    for (int i = 0; i < 60; ++i) {
      Record(absl::StrCat("live-", i), i % 2 ? "us" : "kr",
             i % 3 ? "energy" : "transport");
    }
  });
  writer.join();
  const uint64_t last = Head();
  for (auto& s : subscribers) {
    Received got = Read(*s.reader, last);
    s.context->TryCancel();
    EXPECT_EQ(got.events, ExpectedPositions(s.filter, 1, last))
        << "batch " << s.batch << " filter " << s.filter.ShortDebugString();
    if (s.batch <= 1) {
      EXPECT_EQ(got.batches, 0);
    } else {
      // The catch-up fills batches, up to the size asked for.
      EXPECT_GT(got.largest_batch, 1) << s.filter.ShortDebugString();
      EXPECT_LE(got.largest_batch, static_cast<int>(s.batch));
    }
  }
}

TEST_F(SmallWindowFeedTest, TheLiveSectorViewEqualsTheQueryViewAtEveryQuietCheckpoint) {
  RegisterParties();
  for (int i = 0; i < 10; ++i) Record(absl::StrCat("e", i), "kr", "energy");
  grpc::ClientContext context;
  context.set_deadline(In(60));
  v1::WatchSectorRequest request;
  request.set_sector("energy");
  request.set_checkpoint_interval_ms(100);
  auto reader = feeds_->WatchSector(&context, request);
  std::map<std::string, v1::Agreement> view;
  uint64_t covered = 0;
  int snapshot_rows = 0;
  auto read_until = [&](uint64_t position) {
    v1::WatchSectorResponse message;
    while (covered < position && reader->Read(&message)) {
      switch (message.kind_case()) {
        case v1::WatchSectorResponse::kUpdate:
          snapshot_rows += message.update().snapshot();
          view[message.update().agreement().id()] = message.update().agreement();
          if (!message.update().snapshot()) covered = message.update().position();
          break;
        case v1::WatchSectorResponse::kRemoved:
          view.erase(message.removed().agreement_id());
          covered = message.removed().position();
          break;
        case v1::WatchSectorResponse::kCheckpoint:
          covered = std::max(covered, message.checkpoint().position());
          break;
        case v1::WatchSectorResponse::kCaughtUp:
          covered = std::max(covered, message.caught_up().position());
          break;
        default:
          break;
      }
    }
  };
  auto query_view = [&]() {
    std::map<std::string, v1::Agreement> out;
    v1::ListAgreementsRequest list;
    list.set_sector("energy");
    list.set_page_size(7);
    do {
      grpc::ClientContext ctx;
      ctx.set_deadline(In(10));
      v1::ListAgreementsResponse page;
      EXPECT_TRUE(queries_->ListAgreements(&ctx, list, &page).ok());
      for (const auto& a : page.agreements()) out[a.id()] = a;
      list.set_page_token(page.next_page_token());
    } while (!list.page_token().empty());
    return out;
  };
  auto expect_equal = [&](int round) {
    const auto expected = query_view();
    ASSERT_EQ(view.size(), expected.size()) << "round " << round;
    for (const auto& [id, agreement] : expected) {
      ASSERT_TRUE(view.count(id)) << id << " round " << round;
      EXPECT_EQ(view[id].SerializeAsString(), agreement.SerializeAsString())
          << id << " round " << round;
    }
  };
  read_until(Head());
  EXPECT_EQ(snapshot_rows, 10);
  expect_equal(0);
  for (int round = 1; round <= 3; ++round) {
    for (int i = 0; i < 15; ++i) {
      const std::string id = absl::StrCat("r", round, "-", i);
      Record(id, "us", i % 3 ? "energy" : "transport");
      if (i % 5 == 1) Apply(id, Sign("kz"));
      if (i % 5 == 2) Apply(id, Classify("telecom"));  // leaves the view
    }
    Apply(absl::StrCat("e", round), Classify("health"));  // a snapshot row leaves
    read_until(Head());
    expect_equal(round);
  }
  context.TryCancel();
}

TEST_F(FeedTest, AFilteredSectorViewKeepsCheckpointingAndResumes) {
  RegisterParties();
  for (int i = 0; i < 5; ++i) Record(absl::StrCat("e", i), "kr", "energy");
  grpc::ClientContext context;
  context.set_deadline(In(30));
  v1::WatchSectorRequest request;
  request.set_sector("energy");
  request.add_statuses(v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);
  request.set_checkpoint_every_events(3);
  auto reader = feeds_->WatchSector(&context, request);
  // Only drafts change: nothing enters the view, yet checkpoints move on to the head.
  for (int i = 5; i < 15; ++i) Record(absl::StrCat("e", i), "kr", "energy");
  const uint64_t head = Head();
  v1::WatchSectorResponse message;
  uint64_t covered = 0;
  int updates = 0;
  while (covered < head && reader->Read(&message)) {
    if (message.has_update()) ++updates;
    if (message.has_checkpoint())
      covered = std::max(covered, message.checkpoint().position());
    if (message.has_caught_up())
      covered = std::max(covered, message.caught_up().position());
  }
  context.TryCancel();
  EXPECT_EQ(updates, 0);
  EXPECT_GE(covered, head);

  // Resume after that position: exactly the later change, no snapshot.
  const uint64_t signed_at = Apply("e2", Sign("kz"));
  grpc::ClientContext resumed;
  resumed.set_deadline(In(30));
  request.set_resume_after(covered);
  auto again = feeds_->WatchSector(&resumed, request);
  ASSERT_TRUE(again->Read(&message));
  while (!message.has_update() && again->Read(&message)) {
  }
  ASSERT_TRUE(message.has_update());
  EXPECT_FALSE(message.update().snapshot());
  EXPECT_EQ(message.update().agreement().id(), "e2");
  EXPECT_EQ(message.update().position(), signed_at);
  EXPECT_EQ(message.update().agreement().status(),
            v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);
  resumed.TryCancel();

  grpc::ClientContext bad;
  bad.set_deadline(In(10));
  v1::WatchSectorRequest overflow;
  overflow.set_sector("energy");
  overflow.set_resume_after(UINT64_MAX);
  auto refused = feeds_->WatchSector(&bad, overflow);
  EXPECT_FALSE(refused->Read(&message));
  EXPECT_EQ(refused->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace agreements
