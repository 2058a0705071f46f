// ISO 3166-1, ISO 4217, BCP 47 and LEI checks.
#include "domain/iso_codes.h"

#include <string>

#include "gtest/gtest.h"

namespace agreements::domain {
namespace {

TEST(IsoCodesTest, CountryTableIsComplete) {
  // 249 officially assigned codes plus XK.
  EXPECT_EQ(CountryCodes().size(), 250u);
  for (const char* code :
       {"KZ", "KR", "KP", "US", "GB", "SS", "BQ", "CW", "SX", "AQ", "XK"}) {
    EXPECT_TRUE(IsCountryCode(code)) << code;
  }
  for (const char* code : {"kz", "UK", "EU", "XX", "YU", "CS", "AN", "K", "KAZ", ""}) {
    EXPECT_FALSE(IsCountryCode(code)) << code;
  }
}

TEST(IsoCodesTest, CurrencyTableHasActiveCodes) {
  for (const char* code :
       {"USD", "KZT", "KRW", "EUR", "XDR", "VES", "ZWG", "SLE", "XCG"}) {
    EXPECT_TRUE(IsCurrencyCode(code)) << code;
  }
  for (const char* code : {"usd", "DEM", "HRK", "RUR", "XXX", "XTS", "US", ""}) {
    EXPECT_FALSE(IsCurrencyCode(code)) << code;
  }
}

TEST(IsoCodesTest, LanguageTags) {
  for (const char* tag :
       {"en", "kk", "KO", "ru-KZ", "zh-Hant-TW", "sr-Latn-RS", "es-419", "de-CH-1996",
        "sl-rozaj-biske", "en-US-x-twain", "zh-yue-HK", "en-a-bbb-x-a-ccc", "kk-Cyrl"}) {
    EXPECT_TRUE(IsLanguageTag(tag)) << tag;
  }
  for (const char* tag :
       {"", "xx_", "e", "english", "en-", "-en", "en--US", "en-US-US", "de-1996-1996",
        "en-a-bbb-a-ccc", "en-x", "en-a", "x-private", "en-123456789", "en US"}) {
    EXPECT_FALSE(IsLanguageTag(tag)) << tag;
  }
}

TEST(IsoCodesTest, LeiCheckDigits) {
  EXPECT_TRUE(IsLei("5493001KJTIIGC8Y1R12"));
  EXPECT_TRUE(IsLei("529900T8BM49AURSDO55"));
  EXPECT_FALSE(IsLei("5493001KJTIIGC8Y1R13"));
  EXPECT_FALSE(IsLei("5493001kjtiigc8y1r12"));
  EXPECT_FALSE(IsLei("5493001KJTIIGC8Y1R1"));
  EXPECT_FALSE(IsLei("5493001KJTIIGC8Y1RAB"));
}

}  // namespace
}  // namespace agreements::domain
