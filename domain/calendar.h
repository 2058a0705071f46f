// Calendar arithmetic on legal dates of any precision: adding a period, and the date a
// notice takes effect under a treaty's own rule (withdrawal clauses, notice of the end of
// provisional application) or under the Vienna Convention's defaults. Pure functions;
// thread-safe.
//
// A date of MONTH or YEAR precision stands for every day of its month or year, so a
// result is computed for the first and the last of those days; the answer is the finest
// date that holds both (the same day: DAY; the same month: MONTH; the same year: YEAR;
// otherwise the YEAR of the later one, so that nothing is claimed to have happened
// before it certainly had).
#ifndef AGREEMENTS_DOMAIN_CALENDAR_H_
#define AGREEMENTS_DOMAIN_CALENDAR_H_

#include <string>

#include "agreements/v1/agreement.pb.h"
#include "agreements/v1/types.pb.h"

namespace agreements::domain {

// True when years, months and days are all zero.
bool IsZeroPeriod(const agreements::v1::CalendarPeriod& period);

// "1 year", "6 months", "1 year 2 months 3 days", "0 days".
std::string FormatPeriod(const agreements::v1::CalendarPeriod& period);

// `date` plus `period` (years, then months, then days). A day that does not exist in the
// target month becomes that month's last day (29 February 2024 + 1 year = 28 February
// 2025). `date` must be set and valid.
agreements::v1::Date AddPeriod(const agreements::v1::Date& date,
                               const agreements::v1::CalendarPeriod& period);

// The date a notice given on `notified_on` takes effect under `rule` (see NoticeCounting
// in agreement.proto). `entry_into_force` is the instrument's date of entry into force,
// used by NOTICE_COUNTING_ANNIVERSARY_OF_ENTRY_INTO_FORCE; when it is not known to the
// day, the anniversary rule counts as AFTER_RECEIPT. When `exact` is given, it tells
// whether the date returned stands for exactly the days the notice may take effect on
// (false when the date had to be widened, or the anniversary was not known): a caller
// that must not guess refuses to derive the date then.
agreements::v1::Date NoticeTakesEffect(const agreements::v1::Date& notified_on,
                                       const agreements::v1::NoticeRule& rule,
                                       const agreements::v1::Date& entry_into_force,
                                       bool* exact = nullptr);

// Twelve months after `notified_on`, the VCLT 56(2) notice of withdrawal from a treaty
// that says nothing of it (29 February -> 28 February).
agreements::v1::Date TwelveMonthsAfter(const agreements::v1::Date& notified_on);

// The expiry date of `agreement`'s term that applies on `on`: the last extension's
// expiry, else the term's date, else the entry into force plus the term's duration; then,
// for a term that renews automatically, renewed while it ends on or before `on` (up to
// max_renewals). Unset when the agreement has no term or its start is not known yet. With
// `on` unset, no renewal is counted.
agreements::v1::Date ExpiryOn(const agreements::v1::Agreement& agreement,
                              const agreements::v1::Date& on);

}  // namespace agreements::domain

#endif  // AGREEMENTS_DOMAIN_CALENDAR_H_
