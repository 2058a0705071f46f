// The compiled-in code tables and the BCP 47 / LEI syntax checks.
#include "domain/iso_codes.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace agreements::domain {
namespace {

// ISO 3166-3 codes of former countries (four letters: the old alpha-2 code and what it
// became), e.g. SUHH the USSR, CSHH Czechoslovakia, YUCS Yugoslavia, DDDE the German
// Democratic Republic, CSXX Serbia and Montenegro, YDYE Democratic Yemen.
constexpr const char* kFormerCountries[] = {
    "AIDJ", "ANHH", "BQAQ", "BUMM", "BYAA", "CSHH", "CSXX", "CTKI",
    "DDDE", "DYBJ", "FQHH", "FXFR", "GEHH", "HVBF", "JTUM", "MIUM",
    "NHVU", "NQAQ", "NTHH", "PCHH", "PUUM", "PZPA", "RHZW", "SKIN",
    "SUHH", "TPTL", "VDVN", "WKUM", "YDYE", "YUCS", "ZRCD"};

// ISO 3166-1 alpha-2, officially assigned codes (249), plus XK.
constexpr const char* kCountries[] = {
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW",
    "AX", "AZ", "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN",
    "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG",
    "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ",
    "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI",
    "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL",
    "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR",
    "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA",
    "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME",
    "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU",
    "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP",
    "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR",
    "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC", "SD",
    "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST", "SV",
    "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE",
    "VG", "VI", "VN", "VU", "WF", "WS", "XK", "YE", "YT", "ZA", "ZM", "ZW",
};

// ISO 4217 List One alphabetic codes in use, including both codes of a currency in a
// transition period (ANG/XCG, SLL/SLE, ZWL/ZWG); without XTS and XXX.
constexpr const char* kCurrencies[] = {
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD",
    "BDT", "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP",
    "BYN", "BZD", "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU",
    "CRC", "CUC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB",
    "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD",
    "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY",
    "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR",
    "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD",
    "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB",
    "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL", "SOS", "SRD",
    "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD",
    "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VES",
    "VND", "VUV", "WST", "XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XCG",
    "XDR", "XOF", "XPD", "XPF", "XPT", "XSU", "XUA", "YER", "ZAR", "ZMW", "ZWG", "ZWL",
};

std::vector<std::string> SortedTable(const char* const* begin, const char* const* end) {
  std::vector<std::string> table(begin, end);
  std::sort(table.begin(), table.end());
  return table;
}

bool InTable(const std::vector<std::string>& table, absl::string_view code) {
  return std::binary_search(
      table.begin(), table.end(), code,
      [](absl::string_view a, absl::string_view b) { return a < b; });
}

bool AllOf(absl::string_view s, bool (*pred)(unsigned char)) {
  return std::all_of(s.begin(), s.end(), [pred](char c) { return pred(c); });
}

bool IsAlpha(unsigned char c) { return absl::ascii_isalpha(c); }
bool IsDigit(unsigned char c) { return absl::ascii_isdigit(c); }
bool IsAlnum(unsigned char c) { return absl::ascii_isalnum(c); }

bool IsAlphaOfLength(absl::string_view s, size_t min, size_t max) {
  return s.size() >= min && s.size() <= max && AllOf(s, IsAlpha);
}

bool IsVariant(absl::string_view s) {
  if (!AllOf(s, IsAlnum)) return false;
  if (s.size() >= 5 && s.size() <= 8) return true;
  return s.size() == 4 && absl::ascii_isdigit(static_cast<unsigned char>(s[0]));
}

}  // namespace

const std::vector<std::string>& CountryCodes() {
  static const auto* table = new std::vector<std::string>(
      SortedTable(std::begin(kCountries), std::end(kCountries)));
  return *table;
}

const std::vector<std::string>& FormerCountryCodes() {
  static const auto* table = new std::vector<std::string>(
      SortedTable(std::begin(kFormerCountries), std::end(kFormerCountries)));
  return *table;
}

bool IsFormerCountryCode(absl::string_view code) {
  return code.size() == 4 && InTable(FormerCountryCodes(), code);
}

const std::vector<std::string>& CurrencyCodes() {
  static const auto* table = new std::vector<std::string>(
      SortedTable(std::begin(kCurrencies), std::end(kCurrencies)));
  return *table;
}

bool IsCountryCode(absl::string_view code) {
  return code.size() == 2 && InTable(CountryCodes(), code);
}

bool IsCurrencyCode(absl::string_view code) {
  return code.size() == 3 && InTable(CurrencyCodes(), code);
}

bool IsLanguageTag(absl::string_view tag) {
  if (tag.empty() || tag.size() > 64) return false;
  std::vector<std::string> subtags = absl::StrSplit(tag, '-');
  for (std::string& s : subtags) {
    if (s.empty() || s.size() > 8 || !AllOf(s, IsAlnum)) return false;
    absl::AsciiStrToLower(&s);
  }
  size_t i = 0;
  // Primary language: 2-3 letters (4-8 letter registered languages are not accepted).
  if (!IsAlphaOfLength(subtags[i], 2, 3)) return false;
  ++i;
  for (int extlangs = 0; i < subtags.size() && extlangs < 3 && subtags[i].size() == 3 &&
                         AllOf(subtags[i], IsAlpha);
       ++extlangs) {
    ++i;
  }
  if (i < subtags.size() && IsAlphaOfLength(subtags[i], 4, 4)) ++i;
  if (i < subtags.size() && (IsAlphaOfLength(subtags[i], 2, 2) ||
                             (subtags[i].size() == 3 && AllOf(subtags[i], IsDigit)))) {
    ++i;
  }
  std::vector<std::string> variants;
  while (i < subtags.size() && IsVariant(subtags[i])) {
    if (std::find(variants.begin(), variants.end(), subtags[i]) != variants.end()) {
      return false;
    }
    variants.push_back(subtags[i]);
    ++i;
  }
  std::string singletons;
  while (i < subtags.size() && subtags[i].size() == 1 && subtags[i] != "x") {
    if (singletons.find(subtags[i][0]) != std::string::npos) return false;
    singletons.push_back(subtags[i][0]);
    ++i;
    size_t start = i;
    while (i < subtags.size() && subtags[i].size() >= 2) ++i;
    if (i == start) return false;
  }
  if (i < subtags.size() && subtags[i] == "x") {
    ++i;
    if (i == subtags.size()) return false;
    i = subtags.size();  // Every remaining subtag is 1-8 alphanumerics (checked above).
  }
  return i == subtags.size();
}

bool IsLei(absl::string_view lei) {
  if (lei.size() != 20) return false;
  for (char c : lei) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c)) &&
        !absl::ascii_isupper(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  if (!absl::ascii_isdigit(static_cast<unsigned char>(lei[18])) ||
      !absl::ascii_isdigit(static_cast<unsigned char>(lei[19]))) {
    return false;
  }
  // ISO 7064 MOD 97-10: letters count as 10..35; the whole number mod 97 must be 1.
  uint32_t remainder = 0;
  for (char c : lei) {
    uint32_t value = absl::ascii_isdigit(static_cast<unsigned char>(c))
                         ? static_cast<uint32_t>(c - '0')
                         : static_cast<uint32_t>(c - 'A' + 10);
    remainder = (remainder * (value >= 10 ? 100 : 10) + value) % 97;
  }
  return remainder == 1;
}

}  // namespace agreements::domain
