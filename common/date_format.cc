#include "common/date_format.h"

#include "absl/strings/str_format.h"

namespace agreements {

std::string FormatDate(const agreements::v1::Date& date) {
  if (date.year() == 0) return "-";
  switch (date.precision()) {
    case agreements::v1::DATE_PRECISION_YEAR:
      return absl::StrFormat("%04d", date.year());
    case agreements::v1::DATE_PRECISION_MONTH:
      return absl::StrFormat("%04d-%02d", date.year(), date.month());
    default:
      return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
  }
}

}  // namespace agreements
