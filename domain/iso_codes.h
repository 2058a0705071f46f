// Code tables and syntax checks for the standard codes the registry accepts: ISO 3166-1
// alpha-2 countries, ISO 4217 currencies, BCP 47 language tags and ISO 17442 LEIs.
// The tables are compiled in (static, immutable); every function is thread-safe.
#ifndef AGREEMENTS_DOMAIN_ISO_CODES_H_
#define AGREEMENTS_DOMAIN_ISO_CODES_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace agreements::domain {

// True for an officially assigned ISO 3166-1 alpha-2 code in upper case ("KZ", "KR"), and
// for "XK" (Kosovo; user-assigned, see docs/domain.md).
bool IsCountryCode(absl::string_view code);

// True for an ISO 3166-3 code of a former country, in upper case ("SUHH" the USSR,
// "CSHH" Czechoslovakia, "YUCS" Yugoslavia, "DDDE" the German Democratic Republic).
bool IsFormerCountryCode(absl::string_view code);

// True for an active ISO 4217 alphabetic code in upper case ("USD", "KZT"), except XTS
// (testing) and XXX (no currency).
bool IsCurrencyCode(absl::string_view code);

// Syntactic check of a BCP 47 (RFC 5646) language tag, case-insensitive: language (2-3
// letters, up to three extlang subtags), optional script (4 letters), region (2 letters
// or 3 digits), variants (5-8 alphanumerics, or a digit and 3 alphanumerics, no repeats),
// extensions (a singleton and 2-8 alphanumerics each, no repeated singleton) and private
// use ("x-" and 1-8 alphanumerics each). Subtags are not checked against the IANA
// registry.
bool IsLanguageTag(absl::string_view tag);

// True for a Legal Entity Identifier: 20 characters [0-9A-Z] whose ISO 7064 MOD 97-10
// check digits (the last two) are correct.
bool IsLei(absl::string_view lei);

// The tables, sorted; for tests and documentation.
const std::vector<std::string>& CountryCodes();
const std::vector<std::string>& FormerCountryCodes();
const std::vector<std::string>& CurrencyCodes();

}  // namespace agreements::domain

#endif  // AGREEMENTS_DOMAIN_ISO_CODES_H_
