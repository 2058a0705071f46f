// Confidentiality of instruments and the clearance of a reader (docs/security.md): which
// instruments a caller may see in views, lists, summaries and feeds. Pure values.
#ifndef AGREEMENTS_DOMAIN_CONFIDENTIALITY_H_
#define AGREEMENTS_DOMAIN_CONFIDENTIALITY_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "agreements/v1/agreement.pb.h"

namespace agreements::domain {

// The agreement's level, UNSPECIFIED read as PUBLIC.
agreements::v1::Confidentiality LevelOf(const agreements::v1::Agreement& agreement);

// Whether a level (a Confidentiality number, 0 included) is public.
inline bool IsPublicLevel(int level) {
  return level <= agreements::v1::CONFIDENTIALITY_PUBLIC;
}

// Which non-public instruments a caller may see. Public instruments are visible to all.
struct Clearance {
  // Every instrument (admins, auditors, registrars without a sector limit).
  static Clearance All() { return Clearance{true, {}}; }
  // Public instruments, and non-public ones with a sector in `sectors` (registrars
  // limited to sectors; readers with none).
  static Clearance PublicAnd(std::vector<std::string> sectors);

  // Whether an instrument of `level` with these sectors is visible: public, or one of
  // its sectors is cleared.
  template <typename Sectors>
  bool Sees(int level, const Sectors& instrument_sectors) const {
    if (all || IsPublicLevel(level)) return true;
    for (const auto& sector : instrument_sectors) {
      if (SeesNonPublicIn(sector)) return true;
    }
    return false;
  }
  bool Sees(const agreements::v1::Agreement& agreement) const {
    return Sees(LevelOf(agreement), agreement.sectors());
  }
  // Whether non-public instruments count in the views of `sector` (its lists,
  // summaries and watches).
  bool SeesNonPublicIn(absl::string_view sector) const;
  // Whether the agreement appears in the views of `sector` (it is in that sector).
  bool SeesInSector(const agreements::v1::Agreement& agreement,
                    absl::string_view sector) const {
    return IsPublicLevel(LevelOf(agreement)) || SeesNonPublicIn(sector);
  }

  bool all = true;
  // Sorted, unique.
  std::vector<std::string> sectors;
};

}  // namespace agreements::domain

#endif  // AGREEMENTS_DOMAIN_CONFIDENTIALITY_H_
