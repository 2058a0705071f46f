#include "gateway/export_rows.h"

#include "gtest/gtest.h"

namespace agreements::gateway {
namespace {

namespace v1 = ::agreements::v1;

v1::Agreement Sample() {
  v1::Agreement agreement;
  agreement.set_id("kz-kr-2024");
  auto* title = agreement.add_titles();
  title->set_language("ru");
  title->set_text("Соглашение");
  title = agreement.add_titles();
  title->set_language("en");
  title->set_text("Agreement on \"Balkhash\", phase 1");
  agreement.set_status(v1::AGREEMENT_STATUS_IN_FORCE);
  agreement.add_sectors("energy");
  agreement.add_sectors("water");
  agreement.mutable_signed_on()->set_year(2024);
  agreement.mutable_signed_on()->set_month(5);
  agreement.mutable_signed_on()->set_precision(v1::DATE_PRECISION_MONTH);
  auto* amount = agreement.add_amounts();
  amount->set_type(v1::AMOUNT_TYPE_INVESTMENT);
  amount->mutable_value()->set_currency_code("USD");
  amount->mutable_value()->set_units(1500000);
  amount->mutable_value()->set_nanos(500000000);
  auto* participation = agreement.add_participations();
  participation->set_party_id("KZ");
  participation->add_roles(v1::PARTICIPANT_ROLE_PARTY);
  participation->set_status(v1::PARTICIPATION_STATUS_PARTY);
  agreement.add_participations()->set_party_id("KR");
  return agreement;
}

TEST(ExportRows, AgreementCsvQuotesAndShortNames) {
  const std::string header = ExportHeader(ExportRows::kAgreements, ExportFormat::kCsv);
  EXPECT_EQ(header.rfind("id,title,designation,instrument_kind,legal_nature,status,", 0),
            0u);
  const std::string line =
      AgreementLines(Sample(), ExportRows::kAgreements, ExportFormat::kCsv);
  EXPECT_EQ(
      line.rfind("kz-kr-2024,\"Agreement on \"\"Balkhash\"\", phase 1\",,,,in_force,", 0),
      0u);
  EXPECT_NE(line.find(",energy; water,"), std::string::npos);
  EXPECT_NE(line.find(",2024-05,"), std::string::npos);
  EXPECT_NE(line.find(",KZ; KR,USD 1500000.5 investment,public,"), std::string::npos);
  EXPECT_EQ(line.substr(line.size() - 2), "\r\n");
}

TEST(ExportRows, OneParticipationRowPerParticipant) {
  const std::string csv =
      AgreementLines(Sample(), ExportRows::kParticipations, ExportFormat::kCsv);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 2);
  const std::string jsonl =
      AgreementLines(Sample(), ExportRows::kParticipations, ExportFormat::kJsonLines);
  EXPECT_NE(jsonl.find("{\"agreement_id\":\"kz-kr-2024\""), std::string::npos);
  EXPECT_NE(jsonl.find("\"party_id\":\"KZ\",\"roles\":\"party\",\"status\":\"party\""),
            std::string::npos);
  EXPECT_TRUE(
      ExportHeader(ExportRows::kParticipations, ExportFormat::kJsonLines).empty());
}

TEST(ExportRows, AgreementJsonLinesAreProto3Json) {
  const std::string line =
      AgreementLines(Sample(), ExportRows::kAgreements, ExportFormat::kJsonLines);
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_NE(line.find("\"status\":\"AGREEMENT_STATUS_IN_FORCE\""), std::string::npos);
  EXPECT_NE(line.find("\"units\":\"1500000\""), std::string::npos);
}

}  // namespace
}  // namespace agreements::gateway
