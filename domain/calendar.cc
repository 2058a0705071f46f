#include "domain/calendar.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "domain/validation.h"

namespace agreements::domain {
namespace {

namespace v1 = ::agreements::v1;

// A calendar day in the proleptic Gregorian calendar.
struct Civil {
  int64_t year = 0;
  int month = 1;
  int day = 1;
};

bool IsLeap(int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

// Days since 1 March of year 0, counted in 400-year eras (146097 days each).
int64_t DayNumber(const Civil& c) {
  const int64_t y = c.month <= 2 ? c.year - 1 : c.year;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t year_of_era = y - era * 400;
  const int64_t month_from_march = (c.month + 9) % 12;
  const int64_t day_of_year = (153 * month_from_march + 2) / 5 + c.day - 1;
  const int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era;
}

Civil FromDayNumber(int64_t n) {
  const int64_t era = (n >= 0 ? n : n - 146096) / 146097;
  const int64_t day_of_era = n - era * 146097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t month_from_march = (5 * day_of_year + 2) / 153;
  Civil c;
  c.day = static_cast<int>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  c.month = static_cast<int>(month_from_march < 10 ? month_from_march + 3
                                                   : month_from_march - 9);
  c.year = year_of_era + era * 400 + (c.month <= 2 ? 1 : 0);
  return c;
}

// The first and the last day a date stands for.
std::pair<Civil, Civil> Bounds(const v1::Date& date) {
  const bool unspecified = date.precision() == v1::DATE_PRECISION_UNSPECIFIED;
  if (date.precision() == v1::DATE_PRECISION_YEAR || (unspecified && date.month() == 0)) {
    return {Civil{date.year(), 1, 1}, Civil{date.year(), 12, 31}};
  }
  if (date.precision() == v1::DATE_PRECISION_MONTH || (unspecified && date.day() == 0)) {
    return {Civil{date.year(), date.month(), 1},
            Civil{date.year(), date.month(), DaysInMonth(date.year(), date.month())}};
  }
  const Civil day{date.year(), date.month(), date.day()};
  return {day, day};
}

v1::Date DayDate(const Civil& c) {
  v1::Date date;
  date.set_year(static_cast<int32_t>(c.year));
  date.set_month(c.month);
  date.set_day(c.day);
  date.set_precision(v1::DATE_PRECISION_DAY);
  return date;
}

bool SameDay(const Civil& a, const Civil& b) {
  return a.year == b.year && a.month == b.month && a.day == b.day;
}

// Whether `date` stands for exactly the days first..last.
bool Exactly(const v1::Date& date, const Civil& first, const Civil& last) {
  const auto [from, to] = Bounds(date);
  return SameDay(from, first) && SameDay(to, last);
}

// The finest date that holds both days (see calendar.h).
v1::Date Holding(const Civil& first, const Civil& last) {
  v1::Date date;
  if (first.year == last.year && first.month == last.month && first.day == last.day) {
    return DayDate(first);
  }
  date.set_year(static_cast<int32_t>(last.year));
  if (first.year == last.year && first.month == last.month) {
    date.set_month(first.month);
    date.set_precision(v1::DATE_PRECISION_MONTH);
  } else {
    date.set_precision(v1::DATE_PRECISION_YEAR);
  }
  return date;
}

// Applies a day function to both bounds of a date; *exact as in NoticeTakesEffect.
v1::Date OnBounds(const v1::Date& date, const std::function<Civil(const Civil&)>& f,
                  bool* exact = nullptr) {
  const auto [first, last] = Bounds(date);
  const Civil from = f(first);
  const Civil to = f(last);
  v1::Date result = Holding(from, to);
  if (exact != nullptr) *exact = Exactly(result, from, to);
  return result;
}

Civil Add(const Civil& c, const v1::CalendarPeriod& period) {
  int64_t months =
      c.year * 12 + (c.month - 1) + int64_t{period.years()} * 12 + period.months();
  Civil out;
  out.year = months / 12;
  out.month = static_cast<int>(months % 12) + 1;
  out.day = std::min(c.day, DaysInMonth(out.year, out.month));
  if (period.days() != 0) out = FromDayNumber(DayNumber(out) + period.days());
  return out;
}

bool Before(const Civil& a, const Civil& b) { return DayNumber(a) < DayNumber(b); }

// The first anniversary of `anchor` on or after `from`.
Civil AnniversaryOnOrAfter(const Civil& anchor, const Civil& from) {
  for (int64_t year = std::max(anchor.year, from.year);; ++year) {
    Civil candidate{year, anchor.month,
                    std::min(anchor.day, DaysInMonth(year, anchor.month))};
    if (!Before(candidate, from)) return candidate;
  }
}

}  // namespace

bool IsZeroPeriod(const v1::CalendarPeriod& period) {
  return period.years() == 0 && period.months() == 0 && period.days() == 0;
}

std::string FormatPeriod(const v1::CalendarPeriod& period) {
  std::vector<std::string> parts;
  auto add = [&parts](int value, const char* unit) {
    if (value != 0)
      absl::StrAppend(&parts.emplace_back(), value, " ", unit, value == 1 ? "" : "s");
  };
  add(period.years(), "year");
  add(period.months(), "month");
  add(period.days(), "day");
  return parts.empty() ? "0 days" : absl::StrJoin(parts, " ");
}

v1::Date AddPeriod(const v1::Date& date, const v1::CalendarPeriod& period) {
  return OnBounds(date, [&period](const Civil& c) { return Add(c, period); });
}

v1::Date NoticeTakesEffect(const v1::Date& notified_on, const v1::NoticeRule& rule,
                           const v1::Date& entry_into_force, bool* exact) {
  const v1::CalendarPeriod& period = rule.period();
  switch (rule.counting()) {
    case v1::NOTICE_COUNTING_FIRST_DAY_OF_FOLLOWING_MONTH:
      return OnBounds(
          notified_on,
          [&period](const Civil& c) {
            Civil expiry = Add(c, period);
            return expiry.month == 12 ? Civil{expiry.year + 1, 1, 1}
                                      : Civil{expiry.year, expiry.month + 1, 1};
          },
          exact);
    case v1::NOTICE_COUNTING_DAY_AFTER_EXPIRY:
      return OnBounds(
          notified_on,
          [&period](const Civil& c) {
            return FromDayNumber(DayNumber(Add(c, period)) + 1);
          },
          exact);
    case v1::NOTICE_COUNTING_END_OF_CALENDAR_YEAR:
      return OnBounds(
          notified_on,
          [&period](const Civil& c) {
            return Civil{Add(c, period).year, 12, 31};
          },
          exact);
    case v1::NOTICE_COUNTING_ANNIVERSARY_OF_ENTRY_INTO_FORCE:
      if (IsDateSet(entry_into_force) &&
          entry_into_force.precision() == v1::DATE_PRECISION_DAY) {
        const Civil anchor{entry_into_force.year(), entry_into_force.month(),
                           entry_into_force.day()};
        return OnBounds(
            notified_on,
            [&period, &anchor](const Civil& c) {
              return AnniversaryOnOrAfter(anchor, Add(c, period));
            },
            exact);
      }
      if (exact != nullptr) *exact = false;
      return AddPeriod(notified_on, period);
    default:
      return OnBounds(
          notified_on, [&period](const Civil& c) { return Add(c, period); }, exact);
  }
}

v1::Date TwelveMonthsAfter(const v1::Date& notified_on) {
  v1::CalendarPeriod year;
  year.set_years(1);
  return AddPeriod(notified_on, year);
}

v1::Date ExpiryOn(const v1::Agreement& agreement, const v1::Date& on) {
  const v1::Term& term = agreement.term();
  v1::Date expiry;
  if (agreement.extensions_size() > 0) {
    expiry = agreement.extensions(agreement.extensions_size() - 1).expires_on();
  } else if (IsDateSet(term.expires_on())) {
    expiry = term.expires_on();
  } else if (!IsZeroPeriod(term.duration()) &&
             IsDateSet(agreement.entered_into_force_on())) {
    expiry = AddPeriod(agreement.entered_into_force_on(), term.duration());
  } else {
    return v1::Date();
  }
  if (!term.renews_automatically() || !IsDateSet(on)) return expiry;
  const v1::CalendarPeriod& renewal =
      IsZeroPeriod(term.renewal_period()) ? term.duration() : term.renewal_period();
  if (IsZeroPeriod(renewal)) return expiry;
  // Renew while the current term ends on or before the first day asked about.
  const Civil asked = Bounds(on).first;
  for (int renewals = 0; term.max_renewals() == 0 || renewals < term.max_renewals();
       ++renewals) {
    if (Before(asked, Bounds(expiry).second) || renewals > 100000) break;
    expiry = AddPeriod(expiry, renewal);
  }
  return expiry;
}

}  // namespace agreements::domain
