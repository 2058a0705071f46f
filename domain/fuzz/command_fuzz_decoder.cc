#include "domain/fuzz/command_fuzz_decoder.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace agreements::domain::fuzz {
namespace {

v1::Date DayOf(const absl::CivilDay& day) {
  return MakeDate(day.year(), day.month(), day.day(), v1::DATE_PRECISION_DAY);
}

}  // namespace

v1::Date MakeDate(int64_t year, int month, int day, v1::DatePrecision precision) {
  v1::Date date;
  date.set_year(static_cast<int32_t>(year));
  date.set_month(month);
  date.set_day(day);
  date.set_precision(precision);
  return date;
}

void Dates::Advance(absl::CivilDay to) {
  cursor_ = std::min(to, absl::CivilDay(9999, 12, 31));
}

v1::Date Dates::Read(ByteReader& in) {
  const uint8_t b = in.Byte();
  if (b < kDateLeap) {
    Advance(cursor_ + b);
    return DayOf(cursor_);
  }
  if (b < kDateMonth) {
    Advance(cursor_ + (b - kDateLeap + 1) * 61);
    return DayOf(cursor_);
  }
  switch (b) {
    case kDateMonth:
      return MakeDate(cursor_.year(), cursor_.month(), 0, v1::DATE_PRECISION_MONTH);
    case kDateYear:
      return MakeDate(cursor_.year(), 0, 0, v1::DATE_PRECISION_YEAR);
    case kDateEarlier:
      return DayOf(cursor_ - in.Byte());
    case kDateUnset:
      return v1::Date();
    case kDateYear9999:
      return DayOf(absl::CivilDay(9999, 12, 1 + in.Byte() % 31));
    case kDateYearOne:
      return DayOf(absl::CivilDay(1, 1, 1));
    case kDateRaw: {
      const int64_t year = 2000 + static_cast<int8_t>(in.Byte());
      const int month = in.Byte() % 16;
      const int day = in.Byte() % 33;
      return MakeDate(year, month, day, static_cast<v1::DatePrecision>(in.Byte() % 5));
    }
    case kDateYearsLater:
      Advance(absl::CivilDay(cursor_.year() + in.Byte(), cursor_.month(), cursor_.day()));
      return DayOf(cursor_);
    default:
      return DayOf(cursor_);
  }
}

std::string Decoder::Text() {
  switch (in.Byte() % 8) {
    case 0:
      return "";
    case 1:
      return "Astana";
    case 2:
      return "Agreement on cooperation";
    case 3:
      return std::string(2100, 'x');
    case 4:
      return "\xD0\xA1\xD0\xB5\xD1\x83\xD0\xBB / \xEC\x84\x9C\xEC\x9A\xB8";
    case 5:
      return "line\x01break";
    case 6:
      return "  ";
    default:
      return "art. 5";
  }
}

void SetText(v1::LocalizedText* text, const char* language, const std::string& value) {
  text->set_language(language);
  text->set_text(value);
}

v1::NoticeRule ReadNoticeRule(Decoder& d) {
  v1::NoticeRule rule;
  rule.set_counting(static_cast<v1::NoticeCounting>(d.Byte() % 6));
  const uint8_t p = d.Byte();
  rule.mutable_period()->set_years(p >> 6);
  rule.mutable_period()->set_months((p >> 2) & 0xF);
  rule.mutable_period()->set_days((p & 3) * 15);
  rule.set_article("art. 20");
  return rule;
}

v1::Term ReadTerm(Decoder& d, uint8_t t) {
  v1::Term term;
  if (t & 1) {
    *term.mutable_expires_on() = d.Date();
  } else {
    term.mutable_duration()->set_years((t >> 1) & 0xF);
  }
  term.set_renews_automatically(t & 0x20);
  if (t & 0x40) term.set_max_renewals(2);
  if (t & 0x80) term.mutable_renewal_period()->set_years(1);
  return term;
}

void SetClassifications(uint8_t mask,
                        google::protobuf::RepeatedPtrField<v1::Classification>* list) {
  using S = v1::ClassificationScheme;
  static constexpr std::pair<S, const char*> kCodes[] = {
      {v1::CLASSIFICATION_SCHEME_REGISTRY_SECTOR, "energy"},
      {v1::CLASSIFICATION_SCHEME_REGISTRY_SECTOR, "transport"},
      {v1::CLASSIFICATION_SCHEME_REGISTRY_SECTOR, "telecom"},
      {v1::CLASSIFICATION_SCHEME_REGISTRY_SECTOR, "construction"},
      {v1::CLASSIFICATION_SCHEME_OECD_DAC, "23210"},
      {v1::CLASSIFICATION_SCHEME_ISIC, "D35"},
      {v1::CLASSIFICATION_SCHEME_REGISTRY_SECTOR, "governance"},
      {v1::CLASSIFICATION_SCHEME_UNSPECIFIED, "bogus"},
  };
  list->Clear();
  for (int i = 0; i < 8; ++i) {
    if ((mask >> i & 1) == 0) continue;
    v1::Classification* c = list->Add();
    c->set_scheme(kCodes[i].first);
    c->set_code(kCodes[i].second);
  }
}

uint64_t ReadPosition(Decoder& d, v1::StreamType type, const std::string& id) {
  const uint8_t b = d.Byte();
  if (b == 0xFF) return 0;
  const size_t logged = d.registry.log().size();
  if (b & 0x80) return logged == 0 ? b : (b & 0x7F) % logged + 1;
  const std::vector<uint64_t> own = d.registry.PositionsOf(type, id);
  return own.empty() ? uint64_t{b} + 1 : own[b % own.size()];
}

}  // namespace agreements::domain::fuzz
