// Classification code parsing and the per-scheme sector lookups behind SectorsOf. Not
// API: used by validation and by tests. Pure functions; thread-safe.
#ifndef AGREEMENTS_DOMAIN_SECTORS_INTERNAL_H_
#define AGREEMENTS_DOMAIN_SECTORS_INTERNAL_H_

#include <string>

#include "absl/strings/string_view.h"

namespace agreements::domain {

// True for a 5-digit OECD DAC purpose code ("23210").
bool IsDacCode(absl::string_view code);

// An ISIC Rev. 4 code: a section letter (A-U), a division (01-99) or both.
struct IsicCode {
  char section = '\0';
  // 0 when only the section was given.
  int division = 0;
};

// Accepts "D", "D35", "D351", "D3510", "35", "351", "3510": an upper-case section letter,
// 2-4 digits of which the first two are an ISIC Rev. 4 division, or a letter followed by
// digits of a division of that section. Returns false otherwise.
bool ParseIsicCode(absl::string_view code, IsicCode* out);

// The registry sector of a valid code ("other" when no row matches).
std::string SectorOfDac(absl::string_view code);
std::string SectorOfIsic(const IsicCode& code);

}  // namespace agreements::domain

#endif  // AGREEMENTS_DOMAIN_SECTORS_INTERNAL_H_
