// The one text form of a legal date, at its own precision: "2009-05-13" (DAY),
// "2009-05" (MONTH), "2009" (YEAR); "-" for an unset date. Used by error messages and by
// the CLI, so both say a date the same way and never invent a day.
#ifndef AGREEMENTS_COMMON_DATE_FORMAT_H_
#define AGREEMENTS_COMMON_DATE_FORMAT_H_

#include <string>

#include "agreements/v1/types.pb.h"

namespace agreements {

std::string FormatDate(const agreements::v1::Date& date);

}  // namespace agreements

#endif  // AGREEMENTS_COMMON_DATE_FORMAT_H_
