// Text forms of proto values shared by every front end that takes them from people (the
// CLI's flags, the HTTP API's query parameters): legal dates at their precision and enum
// values by their short names ("in_force" for AGREEMENT_STATUS_IN_FORCE). Errors are
// INVALID_ARGUMENT and say what is expected.
#ifndef AGREEMENTS_COMMON_PROTO_VALUES_H_
#define AGREEMENTS_COMMON_PROTO_VALUES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agreements/v1/types.pb.h"
#include "google/protobuf/descriptor.h"

namespace agreements {

// "2009", "2009-05" or "2009-05-13", with the precision of the form; the day must exist.
absl::StatusOr<agreements::v1::Date> ParseDate(absl::string_view text);

// "AGREEMENT_STATUS_" for AgreementStatus: the name of the zero value without
// "UNSPECIFIED" ("" when the zero value is named otherwise).
std::string EnumPrefix(const google::protobuf::EnumDescriptor& type);
// A value by its short name in any case, with '-' for '_' ("in-force"), or by its full
// name; never the zero value.
absl::StatusOr<int> ParseEnumValue(const google::protobuf::EnumDescriptor& type,
                                   absl::string_view text);
// "in_force" for AGREEMENT_STATUS_IN_FORCE; "-" for the zero value.
std::string EnumShortName(const google::protobuf::EnumDescriptor& type, int value);
// "one of: draft, negotiating, ...".
std::string EnumChoices(const google::protobuf::EnumDescriptor& type);

}  // namespace agreements

#endif  // AGREEMENTS_COMMON_PROTO_VALUES_H_
