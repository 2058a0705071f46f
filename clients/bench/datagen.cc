#include "clients/bench/datagen.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace agreements::bench {
namespace {

struct StateRow {
  const char* code;      // ISO 3166-1 alpha-2.
  const char* name;      // Short name.
  const char* formal;    // As written in titles, after "the Government of".
  const char* capital;   // Place of conclusion.
  const char* currency;  // ISO 4217.
};

constexpr StateRow kStates[] = {
    {"KZ", "Kazakhstan", "the Republic of Kazakhstan", "Astana", "KZT"},
    {"KR", "Korea", "the Republic of Korea", "Seoul", "KRW"},
    {"JP", "Japan", "Japan", "Tokyo", "JPY"},
    {"CN", "China", "the People's Republic of China", "Beijing", "CNY"},
    {"IN", "India", "the Republic of India", "New Delhi", "INR"},
    {"DE", "Germany", "the Federal Republic of Germany", "Berlin", "EUR"},
    {"FR", "France", "the French Republic", "Paris", "EUR"},
    {"GB", "United Kingdom", "the United Kingdom of Great Britain and Northern Ireland",
     "London", "GBP"},
    {"US", "United States", "the United States of America", "Washington", "USD"},
    {"CA", "Canada", "Canada", "Ottawa", "CAD"},
    {"BR", "Brazil", "the Federative Republic of Brazil", "Brasilia", "BRL"},
    {"AR", "Argentina", "the Argentine Republic", "Buenos Aires", "ARS"},
    {"MX", "Mexico", "the United Mexican States", "Mexico City", "MXN"},
    {"CL", "Chile", "the Republic of Chile", "Santiago", "CLP"},
    {"PE", "Peru", "the Republic of Peru", "Lima", "PEN"},
    {"CO", "Colombia", "the Republic of Colombia", "Bogota", "COP"},
    {"ZA", "South Africa", "the Republic of South Africa", "Pretoria", "ZAR"},
    {"NG", "Nigeria", "the Federal Republic of Nigeria", "Abuja", "NGN"},
    {"EG", "Egypt", "the Arab Republic of Egypt", "Cairo", "EGP"},
    {"KE", "Kenya", "the Republic of Kenya", "Nairobi", "KES"},
    {"ET", "Ethiopia", "the Federal Democratic Republic of Ethiopia", "Addis Ababa",
     "ETB"},
    {"MA", "Morocco", "the Kingdom of Morocco", "Rabat", "MAD"},
    {"DZ", "Algeria", "the People's Democratic Republic of Algeria", "Algiers", "DZD"},
    {"TN", "Tunisia", "the Republic of Tunisia", "Tunis", "TND"},
    {"GH", "Ghana", "the Republic of Ghana", "Accra", "GHS"},
    {"SN", "Senegal", "the Republic of Senegal", "Dakar", "XOF"},
    {"TZ", "Tanzania", "the United Republic of Tanzania", "Dodoma", "TZS"},
    {"UG", "Uganda", "the Republic of Uganda", "Kampala", "UGX"},
    {"AO", "Angola", "the Republic of Angola", "Luanda", "AOA"},
    {"MZ", "Mozambique", "the Republic of Mozambique", "Maputo", "MZN"},
    {"RU", "Russia", "the Russian Federation", "Moscow", "RUB"},
    {"UA", "Ukraine", "Ukraine", "Kyiv", "UAH"},
    {"PL", "Poland", "the Republic of Poland", "Warsaw", "PLN"},
    {"CZ", "Czechia", "the Czech Republic", "Prague", "CZK"},
    {"HU", "Hungary", "Hungary", "Budapest", "HUF"},
    {"RO", "Romania", "Romania", "Bucharest", "RON"},
    {"BG", "Bulgaria", "the Republic of Bulgaria", "Sofia", "BGN"},
    {"GR", "Greece", "the Hellenic Republic", "Athens", "EUR"},
    {"IT", "Italy", "the Italian Republic", "Rome", "EUR"},
    {"ES", "Spain", "the Kingdom of Spain", "Madrid", "EUR"},
    {"PT", "Portugal", "the Portuguese Republic", "Lisbon", "EUR"},
    {"NL", "Netherlands", "the Kingdom of the Netherlands", "The Hague", "EUR"},
    {"BE", "Belgium", "the Kingdom of Belgium", "Brussels", "EUR"},
    {"AT", "Austria", "the Republic of Austria", "Vienna", "EUR"},
    {"CH", "Switzerland", "the Swiss Confederation", "Bern", "CHF"},
    {"SE", "Sweden", "the Kingdom of Sweden", "Stockholm", "SEK"},
    {"NO", "Norway", "the Kingdom of Norway", "Oslo", "NOK"},
    {"DK", "Denmark", "the Kingdom of Denmark", "Copenhagen", "DKK"},
    {"FI", "Finland", "the Republic of Finland", "Helsinki", "EUR"},
    {"IE", "Ireland", "Ireland", "Dublin", "EUR"},
    {"TR", "Turkiye", "the Republic of Turkiye", "Ankara", "TRY"},
    {"AZ", "Azerbaijan", "the Republic of Azerbaijan", "Baku", "AZN"},
    {"GE", "Georgia", "Georgia", "Tbilisi", "GEL"},
    {"AM", "Armenia", "the Republic of Armenia", "Yerevan", "AMD"},
    {"UZ", "Uzbekistan", "the Republic of Uzbekistan", "Tashkent", "UZS"},
    {"KG", "Kyrgyzstan", "the Kyrgyz Republic", "Bishkek", "KGS"},
    {"TJ", "Tajikistan", "the Republic of Tajikistan", "Dushanbe", "TJS"},
    {"TM", "Turkmenistan", "Turkmenistan", "Ashgabat", "TMT"},
    {"MN", "Mongolia", "Mongolia", "Ulaanbaatar", "MNT"},
    {"IR", "Iran", "the Islamic Republic of Iran", "Tehran", "IRR"},
    {"SA", "Saudi Arabia", "the Kingdom of Saudi Arabia", "Riyadh", "SAR"},
    {"AE", "United Arab Emirates", "the United Arab Emirates", "Abu Dhabi", "AED"},
    {"QA", "Qatar", "the State of Qatar", "Doha", "QAR"},
    {"KW", "Kuwait", "the State of Kuwait", "Kuwait City", "KWD"},
    {"OM", "Oman", "the Sultanate of Oman", "Muscat", "OMR"},
    {"JO", "Jordan", "the Hashemite Kingdom of Jordan", "Amman", "JOD"},
    {"IL", "Israel", "the State of Israel", "Jerusalem", "ILS"},
    {"PK", "Pakistan", "the Islamic Republic of Pakistan", "Islamabad", "PKR"},
    {"BD", "Bangladesh", "the People's Republic of Bangladesh", "Dhaka", "BDT"},
    {"LK", "Sri Lanka", "the Democratic Socialist Republic of Sri Lanka", "Colombo",
     "LKR"},
    {"NP", "Nepal", "Nepal", "Kathmandu", "NPR"},
    {"TH", "Thailand", "the Kingdom of Thailand", "Bangkok", "THB"},
    {"VN", "Viet Nam", "the Socialist Republic of Viet Nam", "Hanoi", "VND"},
    {"MY", "Malaysia", "Malaysia", "Kuala Lumpur", "MYR"},
    {"SG", "Singapore", "the Republic of Singapore", "Singapore", "SGD"},
    {"ID", "Indonesia", "the Republic of Indonesia", "Jakarta", "IDR"},
    {"PH", "Philippines", "the Republic of the Philippines", "Manila", "PHP"},
    {"KH", "Cambodia", "the Kingdom of Cambodia", "Phnom Penh", "KHR"},
    {"LA", "Lao PDR", "the Lao People's Democratic Republic", "Vientiane", "LAK"},
    {"MM", "Myanmar", "the Republic of the Union of Myanmar", "Nay Pyi Taw", "MMK"},
    {"AU", "Australia", "Australia", "Canberra", "AUD"},
    {"NZ", "New Zealand", "New Zealand", "Wellington", "NZD"},
    {"FJ", "Fiji", "the Republic of Fiji", "Suva", "FJD"},
    {"PG", "Papua New Guinea", "the Independent State of Papua New Guinea",
     "Port Moresby", "PGK"},
    {"CU", "Cuba", "the Republic of Cuba", "Havana", "CUP"},
    {"DO", "Dominican Republic", "the Dominican Republic", "Santo Domingo", "DOP"},
    {"PA", "Panama", "the Republic of Panama", "Panama City", "PAB"},
    {"CR", "Costa Rica", "the Republic of Costa Rica", "San Jose", "CRC"},
    {"UY", "Uruguay", "the Oriental Republic of Uruguay", "Montevideo", "UYU"},
    {"PY", "Paraguay", "the Republic of Paraguay", "Asuncion", "PYG"},
    {"BO", "Bolivia", "the Plurinational State of Bolivia", "La Paz", "BOB"},
    {"EC", "Ecuador", "the Republic of Ecuador", "Quito", "USD"},
    {"RS", "Serbia", "the Republic of Serbia", "Belgrade", "RSD"},
    {"HR", "Croatia", "the Republic of Croatia", "Zagreb", "EUR"},
    {"SI", "Slovenia", "the Republic of Slovenia", "Ljubljana", "EUR"},
    {"SK", "Slovakia", "the Slovak Republic", "Bratislava", "EUR"},
    {"LT", "Lithuania", "the Republic of Lithuania", "Vilnius", "EUR"},
    {"LV", "Latvia", "the Republic of Latvia", "Riga", "EUR"},
    {"EE", "Estonia", "the Republic of Estonia", "Tallinn", "EUR"},
    {"BY", "Belarus", "the Republic of Belarus", "Minsk", "BYN"},
    {"MD", "Moldova", "the Republic of Moldova", "Chisinau", "MDL"},
    {"IS", "Iceland", "Iceland", "Reykjavik", "ISK"},
    {"LU", "Luxembourg", "the Grand Duchy of Luxembourg", "Luxembourg", "EUR"},
    {"CY", "Cyprus", "the Republic of Cyprus", "Nicosia", "EUR"},
    {"MT", "Malta", "the Republic of Malta", "Valletta", "EUR"},
    {"RW", "Rwanda", "the Republic of Rwanda", "Kigali", "RWF"},
    {"ZM", "Zambia", "the Republic of Zambia", "Lusaka", "ZMW"},
    {"BW", "Botswana", "the Republic of Botswana", "Gaborone", "BWP"},
    {"NA", "Namibia", "the Republic of Namibia", "Windhoek", "NAD"},
    {"CI", "Cote d'Ivoire", "the Republic of Cote d'Ivoire", "Yamoussoukro", "XOF"},
    {"CM", "Cameroon", "the Republic of Cameroon", "Yaounde", "XAF"},
};

struct OrganisationRow {
  const char* id;
  const char* name;
  const char* seat;  // ISO 3166-1 alpha-2 of the seat.
  const char* city;
  v1::PartyType type;
};

constexpr OrganisationRow kOrganisations[] = {
    {"un", "United Nations", "US", "New York", v1::PARTY_TYPE_INTERNATIONAL_ORGANIZATION},
    {"ibrd", "International Bank for Reconstruction and Development", "US", "Washington",
     v1::PARTY_TYPE_FINANCIAL_INSTITUTION},
    {"imf", "International Monetary Fund", "US", "Washington",
     v1::PARTY_TYPE_FINANCIAL_INSTITUTION},
    {"adb", "Asian Development Bank", "PH", "Manila",
     v1::PARTY_TYPE_FINANCIAL_INSTITUTION},
    {"ebrd", "European Bank for Reconstruction and Development", "GB", "London",
     v1::PARTY_TYPE_FINANCIAL_INSTITUTION},
    {"eib", "European Investment Bank", "LU", "Luxembourg",
     v1::PARTY_TYPE_FINANCIAL_INSTITUTION},
    {"aiib", "Asian Infrastructure Investment Bank", "CN", "Beijing",
     v1::PARTY_TYPE_FINANCIAL_INSTITUTION},
    {"afdb", "African Development Bank", "CI", "Abidjan",
     v1::PARTY_TYPE_FINANCIAL_INSTITUTION},
    {"iaea", "International Atomic Energy Agency", "AT", "Vienna",
     v1::PARTY_TYPE_INTERNATIONAL_ORGANIZATION},
    {"wto", "World Trade Organization", "CH", "Geneva",
     v1::PARTY_TYPE_INTERNATIONAL_ORGANIZATION},
    {"who", "World Health Organization", "CH", "Geneva",
     v1::PARTY_TYPE_INTERNATIONAL_ORGANIZATION},
    {"fao", "Food and Agriculture Organization of the United Nations", "IT", "Rome",
     v1::PARTY_TYPE_INTERNATIONAL_ORGANIZATION},
    {"unesco", "United Nations Educational, Scientific and Cultural Organization", "FR",
     "Paris", v1::PARTY_TYPE_INTERNATIONAL_ORGANIZATION},
    {"itu", "International Telecommunication Union", "CH", "Geneva",
     v1::PARTY_TYPE_INTERNATIONAL_ORGANIZATION},
    {"undp", "United Nations Development Programme", "US", "New York",
     v1::PARTY_TYPE_INTERNATIONAL_ORGANIZATION},
    {"oecd", "Organisation for Economic Co-operation and Development", "FR", "Paris",
     v1::PARTY_TYPE_INTERNATIONAL_ORGANIZATION},
    {"irena", "International Renewable Energy Agency", "AE", "Abu Dhabi",
     v1::PARTY_TYPE_INTERNATIONAL_ORGANIZATION},
    {"isdb", "Islamic Development Bank", "SA", "Jeddah",
     v1::PARTY_TYPE_FINANCIAL_INSTITUTION},
    {"ndb", "New Development Bank", "CN", "Shanghai",
     v1::PARTY_TYPE_FINANCIAL_INSTITUTION},
    {"eadb", "Eurasian Development Bank", "KZ", "Almaty",
     v1::PARTY_TYPE_FINANCIAL_INSTITUTION},
};

// State-owned enterprises and companies generated per state.
struct CompanyKind {
  const char* suffix_id;
  const char* suffix_name;
  v1::PartyType type;
};

constexpr CompanyKind kCompanyKinds[] = {
    {"power", "National Power Company", v1::PARTY_TYPE_STATE_OWNED_ENTERPRISE},
    {"rail", "National Railways", v1::PARTY_TYPE_STATE_OWNED_ENTERPRISE},
    {"devbank", "Development Bank", v1::PARTY_TYPE_FINANCIAL_INSTITUTION},
    {"telecom", "Telecom", v1::PARTY_TYPE_COMPANY},
    {"build", "Construction Group", v1::PARTY_TYPE_COMPANY},
    {"oil", "Petroleum Corporation", v1::PARTY_TYPE_STATE_OWNED_ENTERPRISE},
    {"agro", "Agricultural Holding", v1::PARTY_TYPE_COMPANY},
    {"fund", "Sovereign Wealth Fund", v1::PARTY_TYPE_STATE_OWNED_ENTERPRISE},
};

constexpr const char* kSectors[] = {"energy",
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
// Short forms for ids ('_' is not allowed in ids).
constexpr const char* kSectorShort[] = {"energy", "transport", "telecom", "constr", "fin",
                                        "agri",   "ind",       "health",  "edu",    "env",
                                        "trade",  "gov",       "misc"};
// Relative frequency of each sector as the primary one.
constexpr int kSectorWeight[] = {20, 16, 10, 14, 8, 6, 6, 4, 4, 4, 5, 2, 1};
constexpr int kSectorCount = sizeof(kSectors) / sizeof(kSectors[0]);

// Title topics per sector, after "on ".
constexpr const char* kTopics[kSectorCount][4] = {
    {"Cooperation in the Field of Renewable Energy",
     "the Construction of a Thermal Power Station",
     "Cooperation in the Peaceful Uses of Nuclear Energy", "the Supply of Natural Gas"},
    {"International Road Transport", "Air Services", "Cooperation in Railway Transport",
     "Maritime Merchant Shipping"},
    {"Cooperation in Information and Communication Technologies",
     "the Deployment of a Fibre-Optic Backbone", "Satellite Communications",
     "Postal Services"},
    {"the Construction of a Highway", "Cooperation in Urban Development",
     "the Construction of Social Housing", "the Modernisation of a Seaport"},
    {"the Avoidance of Double Taxation", "a Concessional Loan",
     "Cooperation between Central Banks", "Financial Cooperation"},
    {"Cooperation in Agriculture", "Phytosanitary Measures",
     "Irrigation and Water Management", "Food Security"},
    {"Industrial Cooperation", "the Establishment of an Industrial Park",
     "Cooperation in Metallurgy", "Technical Regulation and Standards"},
    {"Cooperation in Public Health", "the Control of Communicable Diseases",
     "Medical Training", "Pharmaceutical Supplies"},
    {"Cooperation in Education and Science", "the Mutual Recognition of Diplomas",
     "Student Exchanges", "Vocational Training"},
    {"Environmental Protection", "Climate Change Mitigation",
     "the Protection of Transboundary Waters", "Forest Conservation"},
    {"the Promotion and Reciprocal Protection of Investments",
     "Trade and Economic Cooperation", "Customs Cooperation", "a Free Trade Area"},
    {"Cooperation in Public Administration", "Mutual Legal Assistance",
     "Cooperation in Statistics", "E-Government"},
    {"Cultural Cooperation", "Cooperation in Tourism", "Sports Cooperation",
     "Youth Exchanges"},
};

constexpr const char* kActivities[] = {
    "the exchange of experts and technical information",
    "joint feasibility studies",
    "the training of specialists",
    "the harmonisation of technical standards",
    "joint research and development projects",
    "the promotion of mutual investment",
    "the establishment of joint ventures",
    "the exchange of statistical data",
    "capacity building of the competent authorities",
    "the organisation of seminars and conferences",
    "the financing of priority projects",
    "the transfer of technology on mutually agreed terms",
};

constexpr const char* kSentences[] = {
    "The competent authorities shall designate coordinators responsible for the "
    "implementation of this instrument and shall meet at least once a year, "
    "alternately in the territory of each Party.",
    "A joint working group shall be established to prepare an action plan, monitor "
    "progress and submit annual reports to the Parties.",
    "Disputes concerning the interpretation or application of this instrument shall be "
    "settled amicably through consultations and negotiations.",
    "Each Party shall bear its own costs arising from the implementation of this "
    "instrument, unless otherwise agreed in writing.",
    "Information received under this instrument shall not be disclosed to third parties "
    "without the prior written consent of the Party that provided it.",
    "The instrument may be amended by mutual written consent of the Parties; amendments "
    "shall form an integral part of it.",
    "The project is expected to be completed within five years and to create several "
    "thousand jobs during construction and operation.",
    "Financing is to be provided by a combination of concessional loans, export credit "
    "and the equity of the participating enterprises.",
    "The Parties shall facilitate the issuance of visas and work permits to the "
    "personnel involved in the activities covered by this instrument.",
    "Nothing in this instrument shall affect the rights and obligations of the Parties "
    "under other international agreements to which they are parties.",
};

constexpr const char* kHex = "0123456789abcdef";

v1::Date Day(int year, int month, int day) {
  v1::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  date.set_precision(v1::DATE_PRECISION_DAY);
  return date;
}

std::string RandomHex(Rng& rng, int digits) {
  std::string out(digits, '0');
  uint64_t bits = 0;
  for (int i = 0; i < digits; ++i) {
    if (i % 16 == 0) bits = rng.Next();
    out[i] = kHex[bits & 0xf];
    bits >>= 4;
  }
  return out;
}

int PickSector(Rng& rng) {
  int total = 0;
  for (int w : kSectorWeight) total += w;
  int r = static_cast<int>(rng.Below(total));
  for (int s = 0; s < kSectorCount; ++s) {
    if (r < kSectorWeight[s]) return s;
    r -= kSectorWeight[s];
  }
  return kSectorCount - 1;
}

}  // namespace

const std::vector<std::string>& RegistrySectorCodes() {
  static const auto* codes =
      new std::vector<std::string>(std::begin(kSectors), std::end(kSectors));
  return *codes;
}

// The choices that decide an agreement's id.
struct DataGenerator::Skeleton {
  enum class Pattern { kStates, kContract, kMultilateral };
  Pattern pattern;
  std::vector<int> parties;  // Indexes into parties_.
  int sector;
  std::string id;
};

DataGenerator::DataGenerator(uint64_t seed, int party_count, int agreement_bytes)
    : seed_(seed), agreement_bytes_(agreement_bytes) {
  party_count = std::max(party_count, 10);
  const int state_rows = sizeof(kStates) / sizeof(kStates[0]);
  const int org_rows = sizeof(kOrganisations) / sizeof(kOrganisations[0]);
  const int n_states = std::min(state_rows, party_count * 3 / 5);
  const int n_orgs = std::min(org_rows, std::max(1, party_count / 10));
  // The state order is shuffled by the seed so different seeds use different states.
  std::vector<int> order(state_rows);
  for (int i = 0; i < state_rows; ++i) order[i] = i;
  Rng rng(seed ^ 0x5eedbeefULL);
  for (int i = state_rows - 1; i > 0; --i) std::swap(order[i], order[rng.Below(i + 1)]);

  auto add = [&](v1::Party party, std::string city, std::string currency) {
    parties_.push_back(std::move(party));
    city_.push_back(std::move(city));
    currency_.push_back(std::move(currency));
    return static_cast<int>(parties_.size()) - 1;
  };
  for (int k = 0; k < n_states; ++k) {
    const StateRow& row = kStates[order[k]];
    v1::Party party;
    std::string id = row.code;
    for (char& c : id) c = static_cast<char>(c - 'A' + 'a');
    party.set_id(id);
    party.set_type(v1::PARTY_TYPE_STATE);
    party.set_country_code(row.code);
    auto* name = party.add_names();
    name->set_language("en");
    name->set_text(row.name);
    states_.push_back(add(std::move(party), row.capital, row.currency));
  }
  for (int k = 0; k < n_orgs; ++k) {
    const OrganisationRow& row = kOrganisations[k];
    v1::Party party;
    party.set_id(row.id);
    party.set_type(row.type);
    party.set_country_code(row.seat);
    auto* name = party.add_names();
    name->set_language("en");
    name->set_text(row.name);
    organisations_.push_back(add(std::move(party), row.city, "USD"));
  }
  const int kinds = sizeof(kCompanyKinds) / sizeof(kCompanyKinds[0]);
  for (int k = 0; static_cast<int>(parties_.size()) < party_count; ++k) {
    const StateRow& row = kStates[order[k % n_states]];
    const CompanyKind& kind = kCompanyKinds[(k / n_states) % kinds];
    const v1::Party& state = parties_[states_[k % n_states]];
    v1::Party party;
    party.set_id(absl::StrCat(
        state.id(), "-", kind.suffix_id,
        k / (n_states * kinds) > 0 ? absl::StrCat("-", k / (n_states * kinds)) : ""));
    party.set_type(kind.type);
    party.set_country_code(row.code);
    auto* name = party.add_names();
    name->set_language("en");
    name->set_text(absl::StrCat(row.name, " ", kind.suffix_name));
    auto* identifier = party.add_identifiers();
    identifier->set_scheme(absl::StrCat(row.code, "-REG"));
    identifier->set_value(
        absl::StrFormat("%012d", static_cast<int>(rng.Below(1000000000))));
    if (kind.type == v1::PARTY_TYPE_STATE_OWNED_ENTERPRISE) {
      party.set_controlled_by(state.id());
    }
    companies_.push_back(add(std::move(party), row.capital, row.currency));
  }
}

uint64_t DataGenerator::AgreementSeed(int64_t index) const {
  Rng mix(seed_ * 0x100000001b3ULL + static_cast<uint64_t>(index));
  return mix.Next();
}

DataGenerator::Skeleton DataGenerator::MakeSkeleton(int64_t index, Rng& rng) const {
  Skeleton s;
  const uint64_t r = rng.Below(100);
  auto pick = [&](const std::vector<int>& group) {
    return group[rng.Below(group.size())];
  };
  auto pick_distinct = [&](const std::vector<int>& group) {
    for (;;) {
      int p = pick(group);
      if (std::find(s.parties.begin(), s.parties.end(), p) == s.parties.end()) return p;
    }
  };
  if (r < 60 || companies_.empty()) {
    s.pattern = Skeleton::Pattern::kStates;
    s.parties.push_back(pick(states_));
    s.parties.push_back(pick_distinct(states_));
  } else if (r < 80) {
    s.pattern = Skeleton::Pattern::kContract;
    s.parties.push_back(pick(states_));
    s.parties.push_back(pick(companies_));
  } else {
    s.pattern = Skeleton::Pattern::kMultilateral;
    const int n = static_cast<int>(rng.Between(3, 4));
    s.parties.push_back(pick(states_));
    while (static_cast<int>(s.parties.size()) < n - 1) {
      s.parties.push_back(pick_distinct(states_));
    }
    s.parties.push_back(pick(organisations_));
  }
  s.sector = PickSector(rng);
  const std::string& second = s.pattern == Skeleton::Pattern::kMultilateral
                                  ? std::string("multi")
                                  : parties_[s.parties[1]].id();
  s.id = absl::StrCat(parties_[s.parties[0]].id(), "-", second, "-",
                      kSectorShort[s.sector], "-", index);
  return s;
}

std::string DataGenerator::AgreementId(int64_t index) const {
  Rng rng(AgreementSeed(index));
  return MakeSkeleton(index, rng).id;
}

v1::AgreementRecorded DataGenerator::Agreement(int64_t index) const {
  Rng rng(AgreementSeed(index));
  const Skeleton s = MakeSkeleton(index, rng);
  v1::AgreementRecorded recorded;
  v1::Agreement* a = recorded.mutable_agreement();
  a->set_id(s.id);

  const char* designation = "Agreement";
  v1::InstrumentKind kind = v1::INSTRUMENT_KIND_AGREEMENT;
  v1::LegalNature nature = v1::LEGAL_NATURE_BINDING_INTERNATIONAL;
  const uint64_t d = rng.Below(100);
  switch (s.pattern) {
    case Skeleton::Pattern::kStates:
      if (d < 45) {
      } else if (d < 70) {
        designation = "Memorandum of Understanding";
        kind = v1::INSTRUMENT_KIND_MEMORANDUM_OF_UNDERSTANDING;
        nature = v1::LEGAL_NATURE_NON_BINDING_POLITICAL;
      } else if (d < 80) {
        designation = "Protocol";
        kind = v1::INSTRUMENT_KIND_PROTOCOL;
      } else if (d < 88) {
        designation = "Exchange of Notes";
        kind = v1::INSTRUMENT_KIND_EXCHANGE_OF_NOTES;
      } else if (d < 94) {
        designation = "Joint Statement";
        kind = v1::INSTRUMENT_KIND_JOINT_STATEMENT;
        nature = v1::LEGAL_NATURE_NON_BINDING_POLITICAL;
      } else {
        designation = "Treaty";
        kind = v1::INSTRUMENT_KIND_TREATY;
      }
      break;
    case Skeleton::Pattern::kContract:
      if (d < 70) {
        designation = "Contract";
        kind = v1::INSTRUMENT_KIND_CONTRACT;
        nature = v1::LEGAL_NATURE_BINDING_DOMESTIC_LAW;
      } else {
        designation = "Memorandum of Understanding";
        kind = v1::INSTRUMENT_KIND_MEMORANDUM_OF_UNDERSTANDING;
        nature = v1::LEGAL_NATURE_NON_BINDING_POLITICAL;
      }
      break;
    case Skeleton::Pattern::kMultilateral:
      if (d < 50) {
        designation = "Framework Agreement";
      } else if (d < 75) {
        designation = "Convention";
        kind = v1::INSTRUMENT_KIND_CONVENTION;
      } else {
        designation = "Declaration";
        kind = v1::INSTRUMENT_KIND_DECLARATION;
        nature = v1::LEGAL_NATURE_NON_BINDING_POLITICAL;
      }
      break;
  }
  a->set_designation(designation);
  a->set_instrument_kind(kind);
  a->set_legal_nature(nature);
  a->set_arity(s.pattern == Skeleton::Pattern::kMultilateral ? v1::ARITY_MULTILATERAL
                                                             : v1::ARITY_BILATERAL);

  // Title.
  const char* topic = kTopics[s.sector][rng.Below(4)];
  auto party_phrase = [&](int p) {
    const v1::Party& party = parties_[p];
    if (party.type() == v1::PARTY_TYPE_STATE) {
      for (const StateRow& row : kStates) {
        if (party.country_code() == row.code) {
          return absl::StrCat("the Government of ", row.formal);
        }
      }
    }
    return absl::StrCat("the ", party.names(0).text());
  };
  std::string title;
  if (s.pattern == Skeleton::Pattern::kMultilateral) {
    title = absl::StrCat(designation, " on ", topic, " among ");
    for (size_t k = 0; k < s.parties.size(); ++k) {
      if (k > 0) absl::StrAppend(&title, k + 1 == s.parties.size() ? " and " : ", ");
      absl::StrAppend(&title, party_phrase(s.parties[k]));
    }
  } else {
    title = absl::StrCat(designation, " between ", party_phrase(s.parties[0]), " and ",
                         party_phrase(s.parties[1]), " on ", topic);
  }
  auto* en = a->add_titles();
  en->set_language("en");
  en->set_text(title);
  a->set_place_of_conclusion(city_[s.parties[rng.Below(s.parties.size())]]);

  // Participations.
  for (size_t k = 0; k < s.parties.size(); ++k) {
    auto* p = a->add_participations();
    p->set_party_id(parties_[s.parties[k]].id());
    p->add_roles(v1::PARTICIPANT_ROLE_PARTY);
    if (s.pattern == Skeleton::Pattern::kContract) {
      p->add_roles(k == 0 ? v1::PARTICIPANT_ROLE_BUYER : v1::PARTICIPANT_ROLE_CONTRACTOR);
    } else if (s.pattern == Skeleton::Pattern::kMultilateral &&
               k + 1 == s.parties.size()) {
      // The last party of a multilateral treaty is also its depositary (recorded apart
      // from the participations, as the registry requires).
      a->add_depositaries()->set_party_id(parties_[s.parties[k]].id());
    }
  }

  // Sectors: the primary one and up to two more.
  std::vector<int> sectors = {s.sector};
  const int extra = static_cast<int>(rng.Below(3));
  for (int k = 0; k < extra; ++k) {
    const int other = PickSector(rng);
    if (std::find(sectors.begin(), sectors.end(), other) == sectors.end()) {
      sectors.push_back(other);
    }
  }
  for (int sector : sectors) {
    auto* c = a->add_classifications();
    c->set_scheme(v1::CLASSIFICATION_SCHEME_REGISTRY_SECTOR);
    c->set_code(kSectors[sector]);
  }

  // Amounts.
  const int year = static_cast<int>(rng.Between(1992, 2024));
  const int amounts = 1 + static_cast<int>(rng.Below(2));
  static constexpr struct {
    const char* id;
    v1::AmountType type;
    const char* description;
  } kAmounts[] = {
      {"estimated-value", v1::AMOUNT_TYPE_ESTIMATED_VALUE,
       "Estimated total value of the project as announced at signature"},
      {"financing", v1::AMOUNT_TYPE_FINANCING,
       "Financing committed by the parties and their financial institutions"},
      {"loan", v1::AMOUNT_TYPE_LOAN, "Concessional loan for the first phase"},
  };
  const uint64_t first_amount = rng.Below(3);
  for (int k = 0; k < amounts; ++k) {
    const auto& kind_row = kAmounts[(first_amount + k) % 3];
    auto* amount = a->add_amounts();
    amount->set_id(kind_row.id);
    amount->set_type(kind_row.type);
    amount->set_description(kind_row.description);
    const uint64_t c = rng.Below(10);
    amount->mutable_value()->set_currency_code(
        c < 5 ? "USD" : (c < 7 ? "EUR" : currency_[s.parties[0]]));
    // Log-uniform between 10^5 and 10^10 units.
    const double exponent = 5.0 + 5.0 * static_cast<double>(rng.Below(1000000)) / 1e6;
    amount->mutable_value()->set_units(static_cast<int64_t>(std::pow(10.0, exponent)));
    *amount->mutable_as_of() = Day(year, static_cast<int>(rng.Between(1, 12)),
                                   static_cast<int>(rng.Between(1, 28)));
  }

  // The signed text.
  auto* document = a->add_documents();
  document->set_title(absl::StrCat(designation, " (English text)"));
  document->set_language("en");
  document->set_media_type("application/pdf");
  document->set_url(
      absl::StrCat("https://treaties.example.org/", year, "/", s.id, "/en.pdf"));
  document->set_sha256(RandomHex(rng, 64));

  // Summary, grown to the target size.
  std::string summary =
      absl::StrCat("The Parties shall cooperate on ", topic, ", including ",
                   kActivities[rng.Below(std::size(kActivities))], ", ",
                   kActivities[rng.Below(std::size(kActivities))], " and ",
                   kActivities[rng.Below(std::size(kActivities))], ".");
  if (rng.Percent(30) && nature != v1::LEGAL_NATURE_NON_BINDING_POLITICAL &&
      nature != v1::LEGAL_NATURE_BINDING_DOMESTIC_LAW) {
    recorded.set_initial_status(v1::AGREEMENT_STATUS_NEGOTIATING);
  }
  const size_t base = recorded.ByteSizeLong();
  size_t next = rng.Below(std::size(kSentences));
  while (base + summary.size() + 4 < static_cast<size_t>(agreement_bytes_)) {
    absl::StrAppend(&summary, " ", kSentences[next]);
    next = (next + 1 + rng.Below(3)) % std::size(kSentences);
  }
  a->set_summary(std::move(summary));
  return recorded;
}

v1::DocumentReference DataGenerator::Document(const std::string& agreement_id,
                                              int64_t n) const {
  Rng rng(AgreementSeed(n) ^ 0xd0c5ULL);
  v1::DocumentReference document;
  static constexpr const char* kTitles[] = {"Implementing arrangement", "Annex",
                                            "Progress report",
                                            "Minutes of the joint "
                                            "working group"};
  document.set_title(kTitles[rng.Below(4)]);
  document.set_language("en");
  document.set_media_type("application/pdf");
  document.set_url(absl::StrCat("https://treaties.example.org/documents/", agreement_id,
                                "/", n, ".pdf"));
  document.set_sha256(RandomHex(rng, 64));
  return document;
}

}  // namespace agreements::bench
