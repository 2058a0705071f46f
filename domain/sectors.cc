// The registry sector list and the classification -> sector mapping tables. The tables
// are the single source of docs/domain.md's "Sector mapping" section; keep both in step.
#include "domain/sectors.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "domain/sectors_internal.h"

namespace agreements::domain {
namespace {

// The registry's sectors in display order (sectors.h).
constexpr const char* kRegistrySectors[] = {"energy",
                                            "transport",
                                            "telecom",
                                            "construction",
                                            "finance",
                                            "agriculture",
                                            "industry",
                                            "health",
                                            "education",
                                            "environment",
                                            "trade_and_investment",
                                            "governance",
                                            "other"};

// OECD DAC 5-digit purpose codes: the longest matching prefix wins.
constexpr std::pair<const char*, const char*> kDacPrefixes[] = {
    {"11", "education"},              // 110-114 education
    {"12", "health"},                 // 120-123 health
    {"13", "health"},                 // 130 population policies, reproductive health
    {"14", "environment"},            // 140 water supply and sanitation
    {"151", "governance"},            // government and civil society
    {"152", "governance"},            // conflict, peace and security
    {"21", "transport"},              // 210 transport and storage
    {"22", "telecom"},                // 220 communications
    {"23", "energy"},                 // 230-236 energy
    {"24", "finance"},                // 240 banking and financial services
    {"25", "trade_and_investment"},   // 250 business and other services
    {"31", "agriculture"},            // 311-313 agriculture, forestry, fishing
    {"321", "industry"},              // industry
    {"322", "industry"},              // mineral resources and mining
    {"323", "construction"},          // 32310 construction
    {"331", "trade_and_investment"},  // trade policy and regulations
    {"41", "environment"},            // 410 general environment protection
    {"51", "finance"},                // 510 general budget support
    {"60", "finance"},                // 600 action relating to debt
};

// ISIC Rev. 4 divisions (two digits): divisions first..last belong to `section`.
struct DivisionRange {
  int first;
  int last;
  char section;
};
constexpr DivisionRange kIsicDivisions[] = {
    {1, 3, 'A'},   {5, 9, 'B'},   {10, 33, 'C'}, {35, 35, 'D'}, {36, 39, 'E'},
    {41, 43, 'F'}, {45, 47, 'G'}, {49, 53, 'H'}, {55, 56, 'I'}, {58, 63, 'J'},
    {64, 66, 'K'}, {68, 68, 'L'}, {69, 75, 'M'}, {77, 82, 'N'}, {84, 84, 'O'},
    {85, 85, 'P'}, {86, 88, 'Q'}, {90, 93, 'R'}, {94, 96, 'S'}, {97, 98, 'T'},
    {99, 99, 'U'},
};

// ISIC divisions whose sector differs from their section's.
constexpr std::pair<int, const char*> kIsicDivisionSectors[] = {
    {5, "energy"},   // mining of coal and lignite
    {6, "energy"},   // extraction of crude petroleum and natural gas
    {19, "energy"},  // coke and refined petroleum products
};

// ISIC Rev. 4 sections A-U.
constexpr std::pair<char, const char*> kIsicSectionSectors[] = {
    {'A', "agriculture"},           // agriculture, forestry and fishing
    {'B', "industry"},              // mining and quarrying
    {'C', "industry"},              // manufacturing
    {'D', "energy"},                // electricity, gas, steam and air conditioning
    {'E', "environment"},           // water supply, sewerage, waste management
    {'F', "construction"},          // construction
    {'G', "trade_and_investment"},  // wholesale and retail trade
    {'H', "transport"},             // transportation and storage
    {'I', "other"},                 // accommodation and food service
    {'J', "telecom"},               // information and communication (J61 telecom)
    {'K', "finance"},               // financial and insurance activities
    {'L', "other"},                 // real estate
    {'M', "other"},                 // professional, scientific and technical
    {'N', "other"},                 // administrative and support services
    {'O', "governance"},            // public administration and defence
    {'P', "education"},             // education
    {'Q', "health"},                // human health and social work
    {'R', "other"},                 // arts, entertainment and recreation
    {'S', "other"},                 // other service activities
    {'T', "other"},                 // households as employers
    {'U', "other"},                 // extraterritorial organizations
};

char SectionOfDivision(int division) {
  for (const DivisionRange& range : kIsicDivisions) {
    if (division >= range.first && division <= range.last) return range.section;
  }
  return '\0';
}

}  // namespace

const std::vector<std::string>& RegistrySectors() {
  static const auto* sectors = new std::vector<std::string>(std::begin(kRegistrySectors),
                                                            std::end(kRegistrySectors));
  return *sectors;
}

bool IsRegistrySector(absl::string_view code) {
  const std::vector<std::string>& sectors = RegistrySectors();
  return std::find(sectors.begin(), sectors.end(), code) != sectors.end();
}

bool IsDacCode(absl::string_view code) {
  return code.size() == 5 && std::all_of(code.begin(), code.end(), [](char c) {
           return absl::ascii_isdigit(static_cast<unsigned char>(c));
         });
}

bool ParseIsicCode(absl::string_view code, IsicCode* out) {
  IsicCode parsed;
  absl::string_view digits = code;
  if (!code.empty() && code[0] >= 'A' && code[0] <= 'U') {
    parsed.section = code[0];
    digits.remove_prefix(1);
  }
  if (!std::all_of(digits.begin(), digits.end(), [](char c) {
        return absl::ascii_isdigit(static_cast<unsigned char>(c));
      })) {
    return false;
  }
  if (digits.empty()) {
    if (parsed.section == '\0') return false;
  } else {
    if (digits.size() < 2 || digits.size() > 4) return false;
    parsed.division = (digits[0] - '0') * 10 + (digits[1] - '0');
    char section = SectionOfDivision(parsed.division);
    if (section == '\0') return false;
    if (parsed.section != '\0' && parsed.section != section) return false;
    parsed.section = section;
  }
  *out = parsed;
  return true;
}

std::string SectorOfDac(absl::string_view code) {
  size_t best_length = 0;
  const char* best = "other";
  for (const auto& [prefix, sector] : kDacPrefixes) {
    absl::string_view p(prefix);
    if (p.size() > best_length && absl::StartsWith(code, p)) {
      best_length = p.size();
      best = sector;
    }
  }
  return best;
}

std::string SectorOfIsic(const IsicCode& code) {
  for (const auto& [division, sector] : kIsicDivisionSectors) {
    if (division == code.division) return sector;
  }
  for (const auto& [section, sector] : kIsicSectionSectors) {
    if (section == code.section) return sector;
  }
  return "other";
}

std::vector<std::string> SectorsOf(
    const google::protobuf::RepeatedPtrField<agreements::v1::Classification>&
        classifications) {
  std::vector<std::string> sectors;
  for (const agreements::v1::Classification& c : classifications) {
    switch (c.scheme()) {
      case agreements::v1::CLASSIFICATION_SCHEME_REGISTRY_SECTOR:
        if (IsRegistrySector(c.code())) sectors.push_back(c.code());
        break;
      case agreements::v1::CLASSIFICATION_SCHEME_OECD_DAC:
        if (IsDacCode(c.code())) sectors.push_back(SectorOfDac(c.code()));
        break;
      case agreements::v1::CLASSIFICATION_SCHEME_ISIC: {
        IsicCode isic;
        if (ParseIsicCode(c.code(), &isic)) sectors.push_back(SectorOfIsic(isic));
        break;
      }
      default:
        break;
    }
  }
  std::sort(sectors.begin(), sectors.end());
  sectors.erase(std::unique(sectors.begin(), sectors.end()), sectors.end());
  return sectors;
}

}  // namespace agreements::domain
