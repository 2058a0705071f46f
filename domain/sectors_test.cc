// Sector list and the classification -> sector mapping table.
#include "domain/sectors.h"

#include <string>
#include <vector>

#include "domain/sectors_internal.h"
#include "gtest/gtest.h"

namespace agreements::domain {
namespace {

namespace v1 = ::agreements::v1;

// One row of the mapping table: a classification and its registry sector.
struct Mapping {
  v1::ClassificationScheme scheme;
  std::string code;
  std::string sector;
};

// Test names show the mapping, not the bytes of the case.
void PrintTo(const Mapping& m, std::ostream* os) {
  *os << v1::ClassificationScheme_Name(m.scheme) << ":" << m.code << " -> " << m.sector;
}

class SectorMappingTest : public ::testing::TestWithParam<Mapping> {};

TEST_P(SectorMappingTest, MapsToRegistrySector) {
  google::protobuf::RepeatedPtrField<v1::Classification> list;
  v1::Classification* c = list.Add();
  c->set_scheme(GetParam().scheme);
  c->set_code(GetParam().code);
  EXPECT_EQ(SectorsOf(list), std::vector<std::string>{GetParam().sector});
}

constexpr auto kDac = v1::CLASSIFICATION_SCHEME_OECD_DAC;
constexpr auto kIsic = v1::CLASSIFICATION_SCHEME_ISIC;
constexpr auto kRegistry = v1::CLASSIFICATION_SCHEME_REGISTRY_SECTOR;

INSTANTIATE_TEST_SUITE_P(
    Table, SectorMappingTest,
    ::testing::Values(
        Mapping{kDac, "21020", "transport"}, Mapping{kDac, "22040", "telecom"},
        Mapping{kDac, "23110", "energy"}, Mapping{kDac, "23230", "energy"},
        Mapping{kDac, "23630", "energy"}, Mapping{kDac, "32310", "construction"},
        Mapping{kDac, "24010", "finance"}, Mapping{kDac, "31120", "agriculture"},
        Mapping{kDac, "31310", "agriculture"}, Mapping{kDac, "32130", "industry"},
        Mapping{kDac, "32220", "industry"}, Mapping{kDac, "12220", "health"},
        Mapping{kDac, "13020", "health"}, Mapping{kDac, "11220", "education"},
        Mapping{kDac, "41010", "environment"}, Mapping{kDac, "14020", "environment"},
        Mapping{kDac, "33110", "trade_and_investment"},
        Mapping{kDac, "25010", "trade_and_investment"},
        Mapping{kDac, "15110", "governance"}, Mapping{kDac, "15210", "governance"},
        Mapping{kDac, "51010", "finance"}, Mapping{kDac, "60010", "finance"},
        Mapping{kDac, "16010", "other"}, Mapping{kDac, "33210", "other"},
        Mapping{kDac, "72010", "other"}, Mapping{kDac, "99810", "other"},
        Mapping{kIsic, "D3510", "energy"}, Mapping{kIsic, "D", "energy"},
        Mapping{kIsic, "3510", "energy"}, Mapping{kIsic, "H49", "transport"},
        Mapping{kIsic, "J61", "telecom"}, Mapping{kIsic, "6110", "telecom"},
        Mapping{kIsic, "F", "construction"}, Mapping{kIsic, "4220", "construction"},
        Mapping{kIsic, "K64", "finance"}, Mapping{kIsic, "A01", "agriculture"},
        Mapping{kIsic, "C", "industry"}, Mapping{kIsic, "C2410", "industry"},
        Mapping{kIsic, "C19", "energy"}, Mapping{kIsic, "B06", "energy"},
        Mapping{kIsic, "B07", "industry"}, Mapping{kIsic, "Q86", "health"},
        Mapping{kIsic, "P85", "education"}, Mapping{kIsic, "E36", "environment"},
        Mapping{kIsic, "G46", "trade_and_investment"},
        Mapping{kIsic, "O84", "governance"}, Mapping{kIsic, "I55", "other"},
        Mapping{kRegistry, "governance", "governance"},
        Mapping{kRegistry, "other", "other"}));

TEST(SectorsTest, RegistrySectorsInDisplayOrder) {
  EXPECT_EQ(RegistrySectors(),
            (std::vector<std::string>{"energy", "transport", "telecom", "construction",
                                      "finance", "agriculture", "industry", "health",
                                      "education", "environment", "trade_and_investment",
                                      "governance", "other"}));
  EXPECT_TRUE(IsRegistrySector("telecom"));
  EXPECT_FALSE(IsRegistrySector("Telecom"));
  EXPECT_FALSE(IsRegistrySector("mining"));
}

TEST(SectorsTest, SortedUniqueAndInvalidCodesIgnored) {
  google::protobuf::RepeatedPtrField<v1::Classification> list;
  auto add = [&list](v1::ClassificationScheme scheme, const std::string& code) {
    v1::Classification* c = list.Add();
    c->set_scheme(scheme);
    c->set_code(code);
  };
  add(kRegistry, "energy");
  add(kDac, "32310");
  add(kIsic, "D3510");
  add(kDac, "23230");
  add(kRegistry, "not-a-sector");
  add(kIsic, "Z1");
  add(v1::CLASSIFICATION_SCHEME_UNSPECIFIED, "energy");
  EXPECT_EQ(SectorsOf(list), (std::vector<std::string>{"construction", "energy"}));
  EXPECT_TRUE(SectorsOf({}).empty());
}

TEST(SectorsTest, IsicParsing) {
  IsicCode code;
  ASSERT_TRUE(ParseIsicCode("D3510", &code));
  EXPECT_EQ(code.section, 'D');
  EXPECT_EQ(code.division, 35);
  ASSERT_TRUE(ParseIsicCode("61", &code));
  EXPECT_EQ(code.section, 'J');
  for (const char* bad : {"", "d35", "D3", "D35101", "V", "34", "H35", "D-35", "4"}) {
    EXPECT_FALSE(ParseIsicCode(bad, &code)) << bad;
  }
  EXPECT_TRUE(IsDacCode("23230"));
  EXPECT_FALSE(IsDacCode("2323"));
  EXPECT_FALSE(IsDacCode("2323a"));
}

}  // namespace
}  // namespace agreements::domain
