#include "store/feed_cursor.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "store/committer.h"
#include "store/feed_hub.h"
#include "store/keys.h"
#include "store/rebuild.h"
#include "store/store_test_util.h"

namespace agreements::store {
namespace {

namespace v1 = ::agreements::v1;
using ::agreements::testing::TempDir;
using testing::RecordAgreementCommand;
using testing::RegisterStateCommand;
using testing::Request;
using testing::SignCommand;

class FeedCursorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(dir_.path(), StoreOptions());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    hub_ = std::make_unique<FeedHub>(/*capacity=*/8, /*max_bytes=*/1 << 20, 0);
    CommitterOptions options;
    options.feed_hub = hub_.get();
    auto committer = Committer::Start(store_.get(), options);
    ASSERT_TRUE(committer.ok()) << committer.status();
    committer_ = *std::move(committer);
    ASSERT_TRUE(committer_
                    ->Commit(Request("parties", {RegisterStateCommand("kz", "KZ"),
                                                 RegisterStateCommand("kr", "KR")}))
                    .ok());
  }

  void Record(const std::string& id, const std::string& sector) {
    auto outcome = committer_->Commit(
        Request(id, {RecordAgreementCommand(id, {"kz", "kr"}, {sector})}));
    ASSERT_TRUE(outcome.ok()) << outcome.status();
  }

  FeedCursor Cursor(v1::EventFilter filter, uint64_t start, uint64_t every = 1000) {
    auto compiled = FeedFilter::Compile(filter, "filter");
    EXPECT_TRUE(compiled.ok()) << compiled.status();
    FeedCursorOptions options;
    options.checkpoint_every_events = every;
    options.max_scan = 3;  // small pages exercise the paging
    return FeedCursor(store_.get(), hub_.get(), *std::move(compiled), start, options,
                      absl::Now());
  }

  // Drives the cursor until it is at the head; returns a compact transcript:
  // "e5" event, "c7" checkpoint, "u9" caught up, "b3" fell behind.
  std::vector<std::string> Drain(FeedCursor& cursor) {
    std::vector<std::string> out;
    for (int i = 0; i < 1000; ++i) {
      auto step = cursor.Next(absl::Now());
      EXPECT_TRUE(step.ok()) << step.status();
      if (!step.ok()) break;
      for (const auto& m : step->messages) {
        switch (m.kind_case()) {
          case v1::SubscribeResponse::kEvent:
            out.push_back(absl::StrCat("e", m.event().envelope().position()));
            break;
          case v1::SubscribeResponse::kCheckpoint:
            out.push_back(absl::StrCat("c", m.checkpoint().position()));
            break;
          case v1::SubscribeResponse::kCaughtUp:
            out.push_back(absl::StrCat("u", m.caught_up().position()));
            break;
          case v1::SubscribeResponse::kFellBehind:
            out.push_back(absl::StrCat("b", m.fell_behind().position()));
            break;
          default:
            break;
        }
      }
      if (step->at_head) break;
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<FeedHub> hub_;
  std::unique_ptr<Committer> committer_;
};

// Raw events are put into the message unparsed; on the wire they are the same bytes as
// a message with `event` set, and the stored bytes exactly.
TEST_F(FeedCursorTest, RawEventsSerializeLikeParsedOnes) {
  for (int i = 0; i < 12; ++i) Record(absl::StrCat("a", i), "energy");
  std::vector<std::string> parsed, raw;
  for (bool raw_events : {false, true}) {
    FeedCursorOptions options;
    options.raw_events = raw_events;
    auto compiled = FeedFilter::Compile(v1::EventFilter(), "filter");
    ASSERT_TRUE(compiled.ok());
    FeedCursor cursor(store_.get(), hub_.get(), *std::move(compiled), 1, options,
                      absl::Now());
    auto step = cursor.Next(absl::Now());
    ASSERT_TRUE(step.ok()) << step.status();
    for (const auto& message : step->messages) {
      (raw_events ? raw : parsed).push_back(message.SerializeAsString());
    }
  }
  ASSERT_EQ(parsed.size(), 14u);
  EXPECT_EQ(raw, parsed);
  v1::SubscribeResponse received;
  ASSERT_TRUE(received.ParseFromString(raw[13]));
  EXPECT_EQ(received.event().envelope().position(), 14u);
  auto stored = store_->Get(store_->log(), LogKey(14));
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(received.event().SerializeAsString(), *stored);
}

// With max_events_per_message > 1 every event comes in an `events` batch, raw or
// parsed alike, in order, and a batch never waits for more events to fill it.
TEST_F(FeedCursorTest, BatchesEventsWhenAskedTo) {
  for (int i = 0; i < 12; ++i) Record(absl::StrCat("a", i), "energy");
  for (bool raw_events : {false, true}) {
    FeedCursorOptions options;
    options.raw_events = raw_events;
    ASSERT_TRUE(BatchOptions(5, options).ok());
    auto compiled = FeedFilter::Compile(v1::EventFilter(), "filter");
    ASSERT_TRUE(compiled.ok());
    // 14 events (15 in the second round), read as one page from the log.
    FeedCursor cursor(store_.get(), hub_.get(), *std::move(compiled), 1, options,
                      absl::Now());
    std::vector<std::vector<uint64_t>> batches;
    for (int i = 0; i < 10 && !cursor.live(); ++i) {
      auto step = cursor.Next(absl::Now());
      ASSERT_TRUE(step.ok()) << step.status();
      for (const auto& message : step->messages) {
        v1::SubscribeResponse received;  // as a client sees it
        ASSERT_TRUE(received.ParseFromString(message.SerializeAsString()));
        if (received.has_caught_up()) continue;
        ASSERT_TRUE(received.has_events()) << received.ShortDebugString();
        std::vector<uint64_t>& batch = batches.emplace_back();
        for (const auto& event : received.events().events()) {
          batch.push_back(event.envelope().position());
          auto stored = store_->Get(store_->log(), LogKey(batch.back()));
          ASSERT_TRUE(stored.ok());
          EXPECT_EQ(event.SerializeAsString(), *stored);
        }
      }
    }
    std::vector<uint64_t> last = {11, 12, 13, 14};
    if (raw_events) last.push_back(15);
    EXPECT_EQ(batches, (std::vector<std::vector<uint64_t>>{
                           {1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}, last}))
        << "raw " << raw_events;
    Record(absl::StrCat("late", raw_events),
           "energy");  // a single live event: a batch of 1
    auto step = cursor.Next(absl::Now());
    ASSERT_TRUE(step.ok());
    ASSERT_EQ(step->messages.size(), 1u);
    v1::SubscribeResponse received;
    ASSERT_TRUE(received.ParseFromString(step->messages[0].SerializeAsString()));
    ASSERT_EQ(received.events().events_size(), 1);
    EXPECT_EQ(received.events().events(0).envelope().position(), 15u + raw_events);
  }
  // The byte budget of a batch: the first three events exactly, then at least one.
  for (size_t budget : {size_t{1}, size_t{0}}) {
    if (budget == 0) {
      for (uint64_t p = 1; p <= 3; ++p)
        budget += store_->Get(store_->log(), LogKey(p))->size();
    }
    FeedCursorOptions options;
    ASSERT_TRUE(BatchOptions(100, options).ok());
    options.max_batch_bytes = budget;
    auto compiled = FeedFilter::Compile(v1::EventFilter(), "filter");
    ASSERT_TRUE(compiled.ok());
    FeedCursor cursor(store_.get(), hub_.get(), *std::move(compiled), 1, options,
                      absl::Now());
    auto step = cursor.Next(absl::Now());
    ASSERT_TRUE(step.ok()) << step.status();
    ASSERT_GE(step->messages.size(), 2u);
    EXPECT_EQ(step->messages[0].events().events_size(), budget == 1 ? 1 : 3);
    EXPECT_EQ(step->messages[1].events().events(0).envelope().position(),
              budget == 1 ? 2u : 4u);
  }
  FeedCursorOptions options;
  EXPECT_TRUE(absl::IsInvalidArgument(BatchOptions(1001, options)));
  EXPECT_TRUE(BatchOptions(0, options).ok());
  EXPECT_EQ(options.max_events_per_message, 1u);
}

// A filtered batch holds the matching events only; a checkpoint ends it.
TEST_F(FeedCursorTest, BatchesHoldMatchingEventsAndCheckpointsEndThem) {
  for (int i = 0; i < 10; ++i) {
    Record(absl::StrCat("a", i), i <= 1 || i == 9 ? "telecom" : "energy");
  }
  // Positions: parties 1, 2; a0..a9 at 3..12; telecom: a0, a1, a9 = 3, 4, 12.
  v1::EventFilter filter;
  filter.add_sectors("telecom");
  auto compiled = FeedFilter::Compile(filter, "filter");
  ASSERT_TRUE(compiled.ok());
  FeedCursorOptions options;
  options.checkpoint_every_events = 5;
  options.max_scan = 100;
  ASSERT_TRUE(BatchOptions(10, options).ok());
  FeedCursor cursor(store_.get(), hub_.get(), *std::move(compiled), 1, options,
                    absl::Now());
  auto step = cursor.Next(absl::Now());
  ASSERT_TRUE(step.ok()) << step.status();
  std::vector<std::string> got;
  for (const auto& message : step->messages) {
    std::string batch;
    for (const auto& event : message.events().events()) {
      absl::StrAppend(&batch, batch.empty() ? "e" : ",", event.envelope().position());
    }
    got.push_back(message.has_checkpoint()
                      ? absl::StrCat("c", message.checkpoint().position())
                      : batch);
  }
  // 5..9 pass without a message: the checkpoint at 9 ends the batch of 3 and 4.
  EXPECT_EQ(got, (std::vector<std::string>{"e3,4", "c9", "e12"}));
}

// A log page reads the envelope fields as a full parse would, the tags only when asked,
// and stops at the count and byte bounds.
TEST_F(FeedCursorTest, ReadFeedItemsFillsTheRequestedParts) {
  for (int i = 0; i < 4; ++i) Record(absl::StrCat("a", i), i % 2 ? "energy" : "telecom");
  std::vector<FeedItem> all;
  ASSERT_TRUE(ReadFeedItems(*store_, 1, 100, 1 << 20, FeedItemParts(), all).ok());
  ASSERT_EQ(all.size(), 6u);
  for (const FeedItem& item : all) {
    v1::Event event;
    ASSERT_TRUE(event.ParseFromString(item.bytes));
    EXPECT_EQ(item.position, event.envelope().position());
    EXPECT_EQ(item.stream_type, event.envelope().stream_type());
    EXPECT_EQ(item.stream_id, event.envelope().stream_id());
    EXPECT_EQ(item.revision, event.envelope().revision());
    EXPECT_EQ(item.event_type, event.envelope().event_type());
  }
  EXPECT_EQ(all[2].stream_id, "a0");
  EXPECT_EQ(all[2].event_type, "agreement_recorded");
  EXPECT_EQ(std::vector<std::string>(all[2].tags.sectors().begin(),
                                     all[2].tags.sectors().end()),
            std::vector<std::string>{"telecom"});

  std::vector<FeedItem> bare;
  ASSERT_TRUE(
      ReadFeedItems(*store_, 3, 2, 1 << 20, FeedItemParts{false, false}, bare).ok());
  ASSERT_EQ(bare.size(), 2u);  // by count
  EXPECT_EQ(bare[0].position, 3u);
  EXPECT_EQ(bare[0].bytes, all[2].bytes);
  EXPECT_TRUE(bare[0].stream_id.empty());
  EXPECT_EQ(bare[0].tags.sectors_size(), 0);

  std::vector<FeedItem> bounded;
  ASSERT_TRUE(ReadFeedItems(*store_, 3, 100, all[2].bytes.size() + 1,
                            FeedItemParts{true, false}, bounded)
                  .ok());
  ASSERT_EQ(bounded.size(), 2u);  // by bytes: the second one passes the bound
  EXPECT_EQ(bounded[1].stream_id, "a1");

  std::vector<FeedItem> beyond;
  ASSERT_TRUE(ReadFeedItems(*store_, 7, 100, 1 << 20, FeedItemParts(), beyond).ok());
  EXPECT_TRUE(beyond.empty());
}

TEST_F(FeedCursorTest, CatchesUpFromTheLogThenGoesLive) {
  for (int i = 0; i < 12; ++i)
    Record(absl::StrCat("a", i), i % 3 ? "energy" : "transport");
  // 14 events; the hub window holds the last 8 (7..14): 1..6 come from the log.
  auto cursor = Cursor(v1::EventFilter(), 1);
  std::vector<std::string> expected;
  for (int p = 1; p <= 14; ++p) expected.push_back(absl::StrCat("e", p));
  expected.push_back("u14");
  EXPECT_EQ(Drain(cursor), expected);
  EXPECT_TRUE(cursor.live());
  Record("late", "energy");
  EXPECT_EQ(Drain(cursor), (std::vector<std::string>{"e15"}));
}

TEST_F(FeedCursorTest, FiltersAndCheckpointsPastNonMatchingEvents) {
  for (int i = 0; i < 6; ++i) Record(absl::StrCat("a", i), i == 4 ? "telecom" : "energy");
  v1::EventFilter filter;
  filter.add_sectors("telecom");
  auto cursor = Cursor(filter, 1, /*every=*/2);
  // Positions 1-8: parties (1, 2), a0..a5 at 3..8, a4 (telecom) at 7.
  EXPECT_EQ(Drain(cursor), (std::vector<std::string>{"c2", "c4", "c6", "e7", "u8"}));
}

TEST_F(FeedCursorTest, FallsBehindWhenTheWindowMovesOnAndLosesNothing) {
  Record("a0", "energy");
  auto cursor = Cursor(v1::EventFilter(), 1);
  EXPECT_EQ(Drain(cursor), (std::vector<std::string>{"e1", "e2", "e3", "u3"}));
  for (int i = 1; i <= 10; ++i) Record(absl::StrCat("a", i), "energy");  // 4..13
  std::vector<std::string> expected = {"b3"};
  for (int p = 4; p <= 13; ++p) expected.push_back(absl::StrCat("e", p));
  expected.push_back("u13");
  EXPECT_EQ(Drain(cursor), expected);
}

TEST_F(FeedCursorTest, MatchesAnAgreementLeavingTheSectorAndByParty) {
  Record("a0", "energy");
  v1::Command classify;
  classify.set_stream_type(v1::STREAM_TYPE_AGREEMENT);
  classify.set_stream_id("a0");
  auto* c =
      classify.mutable_change()->mutable_classification_changed()->add_classifications();
  c->set_scheme(v1::CLASSIFICATION_SCHEME_REGISTRY_SECTOR);
  c->set_code("transport");
  ASSERT_TRUE(committer_->Commit(Request("move", {classify})).ok());  // position 4
  ASSERT_TRUE(committer_->Commit(Request("sign", {SignCommand("a0", "kz")})).ok());  // 5
  v1::EventFilter energy;
  energy.add_sectors("energy");
  auto by_sector = Cursor(energy, 1);
  EXPECT_EQ(Drain(by_sector), (std::vector<std::string>{"e3", "e4", "u5"}));

  v1::EventFilter kz_signatures;
  kz_signatures.add_party_ids("kz");
  kz_signatures.add_event_types("participant_signed");
  auto by_party = Cursor(kz_signatures, 1);
  EXPECT_EQ(Drain(by_party), (std::vector<std::string>{"e5", "u5"}));

  auto report = RebuildViews(store_.get(), false);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->difference_count, 0u);
}

TEST_F(FeedCursorTest, StartBeyondTheHeadWaitsForIt) {
  auto cursor = Cursor(v1::EventFilter(), 5);
  EXPECT_TRUE(Drain(cursor).empty());
  EXPECT_FALSE(cursor.live());
  Record("a0", "energy");  // 3
  Record("a1", "energy");  // 4: the head reaches start - 1
  EXPECT_EQ(Drain(cursor), (std::vector<std::string>{"u4"}));
  Record("a2", "energy");
  EXPECT_EQ(Drain(cursor), (std::vector<std::string>{"e5"}));
}

TEST_F(FeedCursorTest, RejectsMalformedFilters) {
  v1::EventFilter filter;
  filter.add_sectors("atlantis");
  auto compiled = FeedFilter::Compile(filter, "filter");
  ASSERT_TRUE(absl::IsInvalidArgument(compiled.status()));
  EXPECT_NE(compiled.status().message().find("filter.sectors[0]"), std::string::npos);
  v1::EventFilter types;
  types.add_event_types("signed");
  EXPECT_TRUE(absl::IsInvalidArgument(FeedFilter::Compile(types, "filter").status()));
  v1::EventFilter many;
  for (int i = 0; i < 101; ++i) many.add_agreement_ids(absl::StrCat("a", i));
  EXPECT_TRUE(absl::IsInvalidArgument(FeedFilter::Compile(many, "filter").status()));
  FeedCursorOptions options;
  EXPECT_TRUE(absl::IsInvalidArgument(CheckpointOptions(0, 50, options)));
  EXPECT_TRUE(CheckpointOptions(10, 100, options).ok());
  EXPECT_EQ(options.checkpoint_every_events, 10u);
}

}  // namespace
}  // namespace agreements::store

namespace agreements::store {
namespace {

FeedItemPtr Item(uint64_t position, size_t bytes) {
  auto item = std::make_shared<FeedItem>();
  item->position = position;
  item->bytes.assign(bytes, 'x');
  return item;
}

TEST(FeedHubTest, TheWindowIsBoundedByCountAndBytes) {
  FeedHub hub(/*capacity=*/4, /*max_bytes=*/100, /*head=*/10);
  std::vector<FeedItemPtr> out;
  EXPECT_EQ(hub.Read(11, 10, out), FeedHub::Window::kOk);
  EXPECT_TRUE(out.empty());
  hub.Publish({Item(11, 10), Item(12, 10), Item(13, 10), Item(14, 10), Item(15, 10)});
  EXPECT_EQ(hub.head(), 15u);
  EXPECT_EQ(hub.Read(11, 10, out), FeedHub::Window::kBefore);  // by count: 12..15 kept
  ASSERT_EQ(hub.Read(12, 10, out), FeedHub::Window::kOk);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out.front()->position, 12u);
  hub.Publish({Item(16, 80)});  // 12 goes by count; 13..16 would be 110 bytes: 13 goes
  out.clear();
  EXPECT_EQ(hub.Read(13, 10, out), FeedHub::Window::kBefore);
  ASSERT_EQ(hub.Read(14, 10, out), FeedHub::Window::kOk);
  EXPECT_EQ(out.size(), 3u);     // 14, 15, 16: 100 bytes
  hub.Publish({Item(17, 500)});  // larger than the budget: only the newest stays
  out.clear();
  EXPECT_EQ(hub.Read(16, 10, out), FeedHub::Window::kBefore);
  ASSERT_EQ(hub.Read(17, 10, out), FeedHub::Window::kOk);
  EXPECT_EQ(out.size(), 1u);
}

}  // namespace
}  // namespace agreements::store
