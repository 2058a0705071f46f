// Calendar arithmetic on legal dates: periods at every precision, and the counting rules
// of notices, checked against dates that depositaries actually recorded.
#include "domain/calendar.h"

#include <string>

#include "common/date_format.h"
#include "domain/test_registry.h"
#include "domain/validation.h"
#include "gtest/gtest.h"

namespace agreements::domain {
namespace {

using testing::Day;
using testing::Month;
using testing::Year;

v1::CalendarPeriod Period(int years, int months, int days) {
  v1::CalendarPeriod period;
  period.set_years(years);
  period.set_months(months);
  period.set_days(days);
  return period;
}

v1::NoticeRule Rule(const v1::CalendarPeriod& period, v1::NoticeCounting counting) {
  v1::NoticeRule rule;
  *rule.mutable_period() = period;
  rule.set_counting(counting);
  return rule;
}

std::string Text(const v1::Date& date) { return FormatDate(date); }

struct PeriodCase {
  v1::Date date;
  v1::CalendarPeriod period;
  std::string expected;
};

TEST(CalendarTest, AddPeriodAtEveryPrecision) {
  for (const PeriodCase& c : std::vector<PeriodCase>{
           {Day(2019, 11, 4), Period(1, 0, 0), "2020-11-04"},
           {Day(2024, 2, 29), Period(1, 0, 0), "2025-02-28"},
           {Day(2024, 1, 31), Period(0, 1, 0), "2024-02-29"},
           {Day(2023, 1, 31), Period(0, 1, 0), "2023-02-28"},
           {Day(2009, 8, 20), Period(0, 0, 60), "2009-10-19"},
           {Day(2021, 1, 20), Period(0, 0, 30), "2021-02-19"},
           {Day(2011, 2, 5), Period(10, 0, 0), "2021-02-05"},
           {Day(2019, 12, 31), Period(0, 0, 1), "2020-01-01"},
           // A month stays a month, a year a year, when the period has no days.
           {Month(2009, 5), Period(1, 0, 0), "2010-05"},
           {Month(2009, 12), Period(0, 1, 0), "2010-01"},
           {Year(2009), Period(2, 0, 0), "2011"},
           // Otherwise the finest date holding every possible result; across years,
           // the later year (nothing is claimed before it certainly happened).
           {Month(2009, 5), Period(0, 0, 10), "2009"},
           {Month(2009, 5), Period(0, 0, 1), "2009"},
           {Year(2009), Period(0, 6, 0), "2010"},
       }) {
    EXPECT_EQ(Text(AddPeriod(c.date, c.period)), c.expected)
        << Text(c.date) << " + " << FormatPeriod(c.period);
  }
}

TEST(CalendarTest, FormatsPeriods) {
  EXPECT_EQ(FormatPeriod(Period(1, 0, 0)), "1 year");
  EXPECT_EQ(FormatPeriod(Period(0, 6, 0)), "6 months");
  EXPECT_EQ(FormatPeriod(Period(1, 2, 3)), "1 year 2 months 3 days");
  EXPECT_EQ(FormatPeriod(Period(0, 0, 0)), "0 days");
  EXPECT_TRUE(IsZeroPeriod(Period(0, 0, 0)));
  EXPECT_FALSE(IsZeroPeriod(Period(0, 0, 1)));
}

TEST(CalendarTest, NoticeCountsAsTheTreatySays) {
  const v1::Date no_entry;
  // Paris Agreement art. 28(2): "upon expiry of one year from the date of receipt"; the
  // United States notified on 4 November 2019, effective 4 November 2020 (UNTC,
  // C.N.575.2019.TREATIES-XXVII.7.d).
  EXPECT_EQ(Text(NoticeTakesEffect(
                Day(2019, 11, 4),
                Rule(Period(1, 0, 0), v1::NOTICE_COUNTING_AFTER_RECEIPT), no_entry)),
            "2020-11-04");
  // UNESCO Constitution art. II(6): notice "shall take effect on 31 December of the year
  // following that during which the notice was given": United States notices of 28
  // December 1983 and 12 October 2017 took effect on 31 December 1984 and 2018.
  const v1::NoticeRule unesco =
      Rule(Period(1, 0, 0), v1::NOTICE_COUNTING_END_OF_CALENDAR_YEAR);
  EXPECT_EQ(Text(NoticeTakesEffect(Day(1983, 12, 28), unesco, no_entry)), "1984-12-31");
  EXPECT_EQ(Text(NoticeTakesEffect(Day(2017, 10, 12), unesco, no_entry)), "2018-12-31");
  EXPECT_EQ(Text(NoticeTakesEffect(Month(2025, 7), unesco, no_entry)), "2026-12-31")
      << "a notice known to the month still gives the day";
  // Energy Charter Treaty art. 47(2): Italy's notice of 31 December 2014 took effect on
  // 1 January 2016, the day after the year expired (Energy Charter Secretariat).
  EXPECT_EQ(Text(NoticeTakesEffect(
                Day(2014, 12, 31),
                Rule(Period(1, 0, 0), v1::NOTICE_COUNTING_DAY_AFTER_EXPIRY), no_entry)),
            "2016-01-01");
  // Council of Europe style: the first day of the month after six months.
  const v1::NoticeRule coe =
      Rule(Period(0, 6, 0), v1::NOTICE_COUNTING_FIRST_DAY_OF_FOLLOWING_MONTH);
  EXPECT_EQ(Text(NoticeTakesEffect(Day(2022, 3, 15), coe, no_entry)), "2022-10-01");
  EXPECT_EQ(Text(NoticeTakesEffect(Day(2022, 6, 30), coe, no_entry)), "2023-01-01");
  EXPECT_EQ(Text(NoticeTakesEffect(Month(2022, 3), coe, no_entry)), "2022-10-01");
  // On the anniversary of the entry into force (5 February) after six months' notice.
  const v1::NoticeRule anniversary =
      Rule(Period(0, 6, 0), v1::NOTICE_COUNTING_ANNIVERSARY_OF_ENTRY_INTO_FORCE);
  EXPECT_EQ(Text(NoticeTakesEffect(Day(2020, 3, 1), anniversary, Day(2011, 2, 5))),
            "2021-02-05");
  EXPECT_EQ(Text(NoticeTakesEffect(Day(2020, 8, 5), anniversary, Day(2011, 2, 5))),
            "2021-02-05");
  EXPECT_EQ(Text(NoticeTakesEffect(Day(2020, 8, 6), anniversary, Day(2011, 2, 5))),
            "2022-02-05");
  // Without an entry into force known to the day, the anniversary rule counts as after
  // receipt.
  EXPECT_EQ(Text(NoticeTakesEffect(Day(2020, 3, 1), anniversary, Year(2011))),
            "2020-09-01");
}

TEST(CalendarTest, TwelveMonthsOfTheViennaConvention) {
  EXPECT_EQ(Text(TwelveMonthsAfter(Day(2010, 3, 1))), "2011-03-01");
  EXPECT_EQ(Text(TwelveMonthsAfter(Day(2012, 2, 29))), "2013-02-28");
  EXPECT_EQ(Text(TwelveMonthsAfter(Month(2010, 3))), "2011-03");
  EXPECT_EQ(Text(TwelveMonthsAfter(Year(2010))), "2011");
}

TEST(CalendarTest, ExpiryFollowsTermExtensionsAndRenewals) {
  // New START: in force 5 February 2011 for ten years (art. XIV(2)), extended by
  // exchange of notes to 5 February 2026.
  v1::Agreement treaty;
  *treaty.mutable_entered_into_force_on() = Day(2011, 2, 5);
  *treaty.mutable_term()->mutable_duration() = Period(10, 0, 0);
  EXPECT_EQ(Text(ExpiryOn(treaty, v1::Date())), "2021-02-05");
  EXPECT_EQ(Text(ExpiryOn(treaty, Day(2024, 1, 1))), "2021-02-05")
      << "no renewal without renews_automatically";
  *treaty.add_extensions()->mutable_expires_on() = Day(2026, 2, 5);
  EXPECT_EQ(Text(ExpiryOn(treaty, v1::Date())), "2026-02-05");

  // Not in force yet: a duration has nothing to count from.
  v1::Agreement pending;
  *pending.mutable_term()->mutable_duration() = Period(5, 0, 0);
  EXPECT_FALSE(IsDateSet(ExpiryOn(pending, Day(2020, 1, 1))));

  // A memorandum for five years, renewed automatically for one year at a time, at most
  // three times.
  v1::Agreement mou;
  *mou.mutable_entered_into_force_on() = Day(2009, 5, 13);
  v1::Term& term = *mou.mutable_term();
  *term.mutable_duration() = Period(5, 0, 0);
  term.set_renews_automatically(true);
  *term.mutable_renewal_period() = Period(1, 0, 0);
  term.set_max_renewals(3);
  EXPECT_EQ(Text(ExpiryOn(mou, Day(2014, 5, 12))), "2014-05-13");
  EXPECT_EQ(Text(ExpiryOn(mou, Day(2014, 5, 13))), "2015-05-13");
  EXPECT_EQ(Text(ExpiryOn(mou, Day(2016, 6, 1))), "2017-05-13");
  EXPECT_EQ(Text(ExpiryOn(mou, Day(2030, 1, 1))), "2017-05-13") << "renewals exhausted";
  term.set_max_renewals(0);
  EXPECT_EQ(Text(ExpiryOn(mou, Day(2030, 1, 1))), "2030-05-13") << "without limit";
}

}  // namespace
}  // namespace agreements::domain
