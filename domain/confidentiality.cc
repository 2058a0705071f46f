#include "domain/confidentiality.h"

#include <algorithm>
#include <utility>

namespace agreements::domain {

namespace v1 = ::agreements::v1;

v1::Confidentiality LevelOf(const v1::Agreement& agreement) {
  return agreement.confidentiality() == v1::CONFIDENTIALITY_UNSPECIFIED
             ? v1::CONFIDENTIALITY_PUBLIC
             : agreement.confidentiality();
}

Clearance Clearance::PublicAnd(std::vector<std::string> sectors) {
  std::sort(sectors.begin(), sectors.end());
  sectors.erase(std::unique(sectors.begin(), sectors.end()), sectors.end());
  return Clearance{false, std::move(sectors)};
}

bool Clearance::SeesNonPublicIn(absl::string_view sector) const {
  return all || std::binary_search(sectors.begin(), sectors.end(), sector);
}

}  // namespace agreements::domain
