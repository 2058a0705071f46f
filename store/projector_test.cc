#include "store/projector.h"

#include <functional>
#include <vector>

#include "gtest/gtest.h"
#include "store/keys.h"
#include "store/view_reader.h"

namespace agreements::store {
namespace {

namespace v1 = ::agreements::v1;

v1::Money Usd(int64_t units, int32_t nanos) {
  v1::Money m;
  m.set_currency_code("USD");
  m.set_units(units);
  m.set_nanos(nanos);
  return m;
}

TEST(ProjectorTest, MoneyArithmeticCarries) {
  auto sum = AddMoney(Usd(1, 600000000), Usd(2, 700000000), +1);
  EXPECT_EQ(sum.units(), 4);
  EXPECT_EQ(sum.nanos(), 300000000);
  auto diff = AddMoney(Usd(1, 0), Usd(2, 500000000), -1);
  EXPECT_EQ(diff.units(), -1);
  EXPECT_EQ(diff.nanos(), -500000000);
  auto back = AddMoney(diff, Usd(2, 500000000), +1);
  EXPECT_EQ(back.units(), 1);
  EXPECT_EQ(back.nanos(), 0);
}

TEST(ProjectorTest, ContributionsCancelToEmpty) {
  v1::Agreement a;
  a.set_id("a1");
  a.set_status(v1::AGREEMENT_STATUS_IN_FORCE);
  a.set_instrument_kind(v1::INSTRUMENT_KIND_AGREEMENT);
  a.add_sectors("energy");
  a.add_sectors("construction");
  a.add_participations()->set_party_id("kz");
  a.add_participations()->set_party_id("kr");
  auto* amount = a.add_amounts();
  amount->set_type(v1::AMOUNT_TYPE_ESTIMATED_VALUE);
  *amount->mutable_value() = Usd(4500000000, 0);
  SectorCounterMap counters;
  ApplyContribution(a, +1, counters);
  ASSERT_EQ(counters.size(), 2u);
  EXPECT_EQ(counters["energy"].agreement_count(), 1);
  EXPECT_EQ(counters["energy"].party_counts().at("kz"), 1);
  EXPECT_EQ(counters["energy"].amount_totals().at("USD/1").total().units(), 4500000000);
  ApplyContribution(a, -1, counters);
  EXPECT_TRUE(CountersEmpty(counters["energy"]));
  EXPECT_TRUE(CountersEmpty(counters["construction"]));
}

TEST(ProjectorTest, IndexKeysCoverSectorsStatusKindAndParties) {
  v1::Agreement a;
  a.set_id("a1");
  a.add_sectors("energy");
  a.add_participations()->set_party_id("kz");
  a.add_participations()->set_party_id("kz");
  // Public: every, sector, status, kind, party, the eight sort orders (no title or
  // summary: no text-search term); and the visibility entry.
  const std::vector<std::string> keys = AgreementIndexKeys(a);
  EXPECT_EQ(keys.size(), 6u + 8u);
  for (const std::string& key : keys) {
    EXPECT_TRUE(key.rfind(ListPartition(kPartitionPublic), 0) == 0 ||
                key.rfind(VisibilityPrefix("a1"), 0) == 0)
        << key;
  }
}

TEST(ProjectorTest, NonPublicEntriesAreKeptApartPerSector) {
  v1::Agreement a;
  a.set_id("c1");
  a.add_sectors("energy");
  a.add_sectors("telecom");
  a.set_confidentiality(v1::CONFIDENTIALITY_CONFIDENTIAL);
  const std::vector<std::string> keys = AgreementIndexKeys(a);
  size_t non_public = 0, energy = 0, telecom = 0;
  for (const std::string& key : keys) {
    EXPECT_NE(key.rfind(ListPartition(kPartitionPublic), 0), 0u) << key;
    non_public += key.rfind(ListPartition(kPartitionNonPublic), 0) == 0;
    energy += key.rfind(ListPartition(kPartitionSector, "energy"), 0) == 0;
    telecom += key.rfind(ListPartition(kPartitionSector, "telecom"), 0) == 0;
  }
  // Every, two sectors, status, kind and the eight sort orders: in each of the three
  // partitions.
  EXPECT_EQ(non_public, 5u + 8u);
  EXPECT_EQ(energy, 5u + 8u);
  EXPECT_EQ(telecom, 5u + 8u);
  EXPECT_EQ(keys.size(), 3 * (5u + 8u) + 1u);
}

// The views skip recomputing index keys and counters when SameListingInputs holds, so
// it must be false whenever either could differ, and true for a change of neither.
TEST(ProjectorTest, SameListingInputsSeesEveryInputOfTheKeysAndCounters) {
  v1::Agreement base;
  base.set_id("a1");
  base.set_status(v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);
  base.set_instrument_kind(v1::INSTRUMENT_KIND_AGREEMENT);
  base.add_sectors("energy");
  base.add_participations()->set_party_id("kz");
  base.add_depositaries()->set_party_id("un");
  auto* identifier = base.add_identifiers();
  identifier->set_scheme("KR-TS");
  identifier->set_value("7");
  base.add_registrations()->set_number("I-1");
  auto* amount = base.add_amounts();
  amount->set_type(v1::AMOUNT_TYPE_LOAN);
  *amount->mutable_value() = Usd(5, 0);

  v1::Agreement same = base;
  same.mutable_participations(0)->set_status(v1::PARTICIPATION_STATUS_PARTY);
  same.set_place_of_conclusion("a place changes no key and no counter");
  EXPECT_TRUE(SameListingInputs(base, same));
  EXPECT_EQ(AgreementIndexKeys(base), AgreementIndexKeys(same));

  std::vector<std::function<void(v1::Agreement&)>> changes = {
      [](v1::Agreement& a) { a.set_status(v1::AGREEMENT_STATUS_IN_FORCE); },
      [](v1::Agreement& a) { a.set_instrument_kind(v1::INSTRUMENT_KIND_TREATY); },
      [](v1::Agreement& a) { a.set_confidentiality(v1::CONFIDENTIALITY_RESTRICTED); },
      [](v1::Agreement& a) { a.add_sectors("transport"); },
      [](v1::Agreement& a) { a.set_sectors(0, "health"); },
      [](v1::Agreement& a) { a.add_participations()->set_party_id("kr"); },
      [](v1::Agreement& a) { a.mutable_participations(0)->set_party_id("kr"); },
      [](v1::Agreement& a) { a.mutable_depositaries(0)->set_party_id("kz"); },
      [](v1::Agreement& a) { a.mutable_identifiers(0)->set_value("8"); },
      [](v1::Agreement& a) { a.mutable_identifiers(0)->set_scheme("CELEX"); },
      [](v1::Agreement& a) { a.add_registrations()->set_number("I-2"); },
      [](v1::Agreement& a) { a.mutable_amounts(0)->mutable_value()->set_units(6); },
      [](v1::Agreement& a) { a.mutable_amounts(0)->mutable_value()->set_nanos(1); },
      [](v1::Agreement& a) {
        a.mutable_amounts(0)->mutable_value()->set_currency_code("EUR");
      },
      // Text search, sort orders and statistics.
      [](v1::Agreement& a) { a.set_summary("a new summary"); },
      [](v1::Agreement& a) { a.add_titles()->set_text("Title"); },
      [](v1::Agreement& a) { a.mutable_signed_on()->set_year(2009); },
      [](v1::Agreement& a) { a.mutable_entered_into_force_on()->set_year(2010); },
      [](v1::Agreement& a) { a.mutable_ended_on()->set_year(2020); },
      [](v1::Agreement& a) { a.mutable_create_time()->set_seconds(1); },
      [](v1::Agreement& a) { a.mutable_amounts(0)->set_type(v1::AMOUNT_TYPE_GRANT); },
  };
  for (size_t i = 0; i < changes.size(); ++i) {
    v1::Agreement changed = base;
    changes[i](changed);
    EXPECT_FALSE(SameListingInputs(base, changed)) << "change " << i;
  }
}

TEST(ProjectorTest, DateWithinUsesPrecision) {
  v1::Date may2009;
  may2009.set_year(2009);
  may2009.set_month(5);
  v1::Date from;
  from.set_year(2009);
  from.set_month(5);
  from.set_day(1);
  v1::Date to;
  to.set_year(2009);
  EXPECT_TRUE(DateWithin(may2009, from, to));
  from.set_day(2);
  EXPECT_FALSE(DateWithin(may2009, from, to));
  EXPECT_FALSE(DateWithin(v1::Date(), from, to));
  EXPECT_TRUE(DateWithin(v1::Date(), v1::Date(), v1::Date()));
}

}  // namespace
}  // namespace agreements::store
