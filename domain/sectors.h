// Registry sectors and the mapping table from classifications to sectors.
#ifndef AGREEMENTS_DOMAIN_SECTORS_H_
#define AGREEMENTS_DOMAIN_SECTORS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "agreements/v1/types.pb.h"
#include "google/protobuf/repeated_field.h"

namespace agreements::domain {

// The registry's sector codes in display order: energy, transport, telecom, construction,
// finance, agriculture, industry, health, education, environment, trade_and_investment,
// governance, other.
const std::vector<std::string>& RegistrySectors();

bool IsRegistrySector(absl::string_view code);

// Sorted, unique registry sectors of a set of classifications: REGISTRY_SECTOR codes map
// to themselves; OECD DAC and ISIC codes map by the prefix table in docs/domain.md.
std::vector<std::string> SectorsOf(
    const google::protobuf::RepeatedPtrField<agreements::v1::Classification>&
        classifications);

}  // namespace agreements::domain

#endif  // AGREEMENTS_DOMAIN_SECTORS_H_
