// Value checks of the domain core that other layers reuse (for instance a query service
// checking a date filter or an id in a request), and the allowlists of correctable and
// updatable fields. Pure functions; thread-safe.
//
// Errors are INVALID_ARGUMENT and start with the field path passed in, followed by the
// rule: "<path>: must be ...".
#ifndef AGREEMENTS_DOMAIN_VALIDATION_H_
#define AGREEMENTS_DOMAIN_VALIDATION_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "agreements/v1/types.pb.h"

namespace agreements::domain {

// A registry-local id of an agreement or a party: [a-z0-9][a-z0-9.-]{0,62}.
bool IsValidId(absl::string_view id);

// 64 lowercase hex digits.
bool IsSha256Hex(absl::string_view hex);

// An absolute URL: a scheme (a letter, then letters, digits, '+', '-', '.'), ':', and a
// non-empty rest without whitespace or control characters.
bool IsUrl(absl::string_view url);

// True when any field of the date is set (an unset date is all zero).
bool IsDateSet(const agreements::v1::Date& date);

// Checks a date that may be unset: year 1..9999 with its precision set; DAY needs a valid
// month and day (leap years included); MONTH needs day 0; YEAR needs month and day 0.
absl::Status ValidateDate(absl::string_view path, const agreements::v1::Date& date);

// Checks an amount that may be unset: ISO 4217 currency, |units| <= 10^15
// (kMaxMoneyUnits), |nanos| < 10^9, units and nanos of the same sign, not negative.
absl::Status ValidateMoney(absl::string_view path, const agreements::v1::Money& money);

// Compares two valid, set dates at the coarser of their precisions: "May 2009" equals
// "15 May 2009" and precedes "June 2009". Returns -1, 0 or 1.
int CompareDates(const agreements::v1::Date& a, const agreements::v1::Date& b);

// Field paths of Agreement that record_corrected may change on an agreement stream.
const std::vector<std::string>& CorrectableAgreementPaths();
// Field paths of Party that record_corrected and party_updated may change.
const std::vector<std::string>& CorrectablePartyPaths();

}  // namespace agreements::domain

#endif  // AGREEMENTS_DOMAIN_VALIDATION_H_
