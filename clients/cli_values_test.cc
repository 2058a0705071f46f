#include "clients/cli_values.h"

#include <string>
#include <vector>

#include "clients/cli_commands.h"
#include "clients/cli_flags.h"
#include "common/date_format.h"
#include "gtest/gtest.h"

namespace agreements::cli {
namespace {

TEST(ParseDateTest, PrecisionFollowsTheNumberOfParts) {
  absl::StatusOr<v1::Date> year = ParseDate("2009");
  ASSERT_TRUE(year.ok()) << year.status();
  EXPECT_EQ(year->year(), 2009);
  EXPECT_EQ(year->month(), 0);
  EXPECT_EQ(year->precision(), v1::DATE_PRECISION_YEAR);

  absl::StatusOr<v1::Date> month = ParseDate("2009-05");
  ASSERT_TRUE(month.ok()) << month.status();
  EXPECT_EQ(month->month(), 5);
  EXPECT_EQ(month->day(), 0);
  EXPECT_EQ(month->precision(), v1::DATE_PRECISION_MONTH);

  absl::StatusOr<v1::Date> day = ParseDate("2009-05-13");
  ASSERT_TRUE(day.ok()) << day.status();
  EXPECT_EQ(day->day(), 13);
  EXPECT_EQ(day->precision(), v1::DATE_PRECISION_DAY);
  EXPECT_EQ(FormatDate(*day), "2009-05-13");
  EXPECT_EQ(FormatDate(*month), "2009-05");
  EXPECT_EQ(FormatDate(*year), "2009");
  EXPECT_EQ(FormatDate(v1::Date()), "-");
}

TEST(ParseDateTest, RejectsImpossibleDatesAsUsageErrors) {
  for (const char* text :
       {"2009-02-29", "2008-13", "2009-5", "09", "2009-05-13-1", "", "x"}) {
    absl::StatusOr<v1::Date> date = ParseDate(text);
    EXPECT_FALSE(date.ok()) << text;
    EXPECT_TRUE(IsLocalError(date.status())) << text;
  }
  EXPECT_TRUE(ParseDate("2008-02-29").ok());
}

TEST(EnumTest, ShortLowercaseAndFullNames) {
  EXPECT_EQ(ParseEnum<v1::ConsentMeans>("ratification").value(),
            v1::CONSENT_MEANS_RATIFICATION);
  EXPECT_EQ(ParseEnum<v1::InstrumentKind>("memorandum_of_understanding").value(),
            v1::INSTRUMENT_KIND_MEMORANDUM_OF_UNDERSTANDING);
  EXPECT_EQ(ParseEnum<v1::AgreementStatus>("in-force").value(),
            v1::AGREEMENT_STATUS_IN_FORCE);
  EXPECT_EQ(ParseEnum<v1::AgreementStatus>("AGREEMENT_STATUS_IN_FORCE").value(),
            v1::AGREEMENT_STATUS_IN_FORCE);
  EXPECT_FALSE(ParseEnum<v1::AgreementStatus>("unspecified").ok());
  EXPECT_FALSE(ParseEnum<v1::AgreementStatus>("nonsense").ok());
  EXPECT_EQ(EnumName(v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE), "signed_not_in_force");
  EXPECT_EQ(EnumName(v1::AGREEMENT_STATUS_UNSPECIFIED), "-");
}

TEST(EnumTest, ConfidentialityLevels) {
  EXPECT_EQ(ParseEnum<v1::Confidentiality>("public").value(), v1::CONFIDENTIALITY_PUBLIC);
  EXPECT_EQ(ParseEnum<v1::Confidentiality>("restricted").value(),
            v1::CONFIDENTIALITY_RESTRICTED);
  EXPECT_EQ(ParseEnum<v1::Confidentiality>("Confidential").value(),
            v1::CONFIDENTIALITY_CONFIDENTIAL);
  EXPECT_EQ(ParseEnum<v1::Confidentiality>("CONFIDENTIALITY_RESTRICTED").value(),
            v1::CONFIDENTIALITY_RESTRICTED);
  const absl::StatusOr<v1::Confidentiality> secret =
      ParseEnum<v1::Confidentiality>("secret");
  ASSERT_FALSE(secret.ok());
  EXPECT_TRUE(IsLocalError(secret.status()));
  EXPECT_EQ(secret.status().message(),
            "\"secret\" is not one of: public, restricted, confidential");
  EXPECT_FALSE(ParseEnum<v1::Confidentiality>("unspecified").ok());

  EXPECT_EQ(ConfidentialityName(v1::CONFIDENTIALITY_UNSPECIFIED), "public");
  EXPECT_EQ(ConfidentialityName(v1::CONFIDENTIALITY_PUBLIC), "public");
  EXPECT_EQ(ConfidentialityName(v1::CONFIDENTIALITY_RESTRICTED), "restricted");
  EXPECT_EQ(ConfidentialityName(v1::CONFIDENTIALITY_CONFIDENTIAL), "confidential");
}

TEST(MoneyTest, UnitsAndNanosNeverAFloat) {
  absl::StatusOr<v1::Money> money = ParseMoney("usd", "4500000000");
  ASSERT_TRUE(money.ok()) << money.status();
  EXPECT_EQ(money->currency_code(), "USD");
  EXPECT_EQ(money->units(), 4500000000);
  EXPECT_EQ(money->nanos(), 0);
  EXPECT_EQ(FormatMoney(*money), "USD 4,500,000,000");

  money = ParseMoney("EUR", "-12.75");
  ASSERT_TRUE(money.ok()) << money.status();
  EXPECT_EQ(money->units(), -12);
  EXPECT_EQ(money->nanos(), -750000000);
  EXPECT_EQ(FormatMoney(*money), "EUR -12.75");

  EXPECT_FALSE(ParseMoney("USD", "1e9").ok());
  EXPECT_FALSE(ParseMoney("USD", "1.0000000001").ok());
}

TEST(ParticipantTest, RolesDefaultToParty) {
  absl::StatusOr<v1::Participation> plain = ParseParticipant("kz");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->party_id(), "kz");
  ASSERT_EQ(plain->roles_size(), 1);
  EXPECT_EQ(plain->roles(0), v1::PARTICIPANT_ROLE_PARTY);

  absl::StatusOr<v1::Participation> roles = ParseParticipant("kepco:party,contractor");
  ASSERT_TRUE(roles.ok());
  ASSERT_EQ(roles->roles_size(), 2);
  EXPECT_EQ(roles->roles(1), v1::PARTICIPANT_ROLE_CONTRACTOR);
}

TEST(CommandLineTest, GlobalFlagsAnywhereAndSubcommands) {
  absl::StatusOr<Invocation> invocation =
      ParseCommandLine({"--server", "h:1", "party", "get", "kz", "-o", "json"},
                       GlobalFlags(), AllCommands());
  ASSERT_TRUE(invocation.ok()) << invocation.status();
  ASSERT_NE(invocation->command, nullptr);
  EXPECT_EQ(invocation->command->path, "party get");
  EXPECT_EQ(invocation->args.Get("server").value_or(""), "h:1");
  EXPECT_EQ(invocation->args.Get("output").value_or(""), "json");
  EXPECT_EQ(invocation->args.positional(), std::vector<std::string>{"kz"});
}

TEST(CommandLineTest, RepeatedAndInlineValues) {
  absl::StatusOr<Invocation> invocation = ParseCommandLine(
      {"record", "--title=en:A", "--title", "ru:Б", "--sector", "energy"}, GlobalFlags(),
      AllCommands());
  ASSERT_TRUE(invocation.ok()) << invocation.status();
  EXPECT_EQ(invocation->args.GetAll("title"), (std::vector<std::string>{"en:A", "ru:Б"}));
}

TEST(CommandLineTest, ConfidentialityFlags) {
  absl::StatusOr<Invocation> record =
      ParseCommandLine({"record", "--id", "x", "--confidentiality=restricted"},
                       GlobalFlags(), AllCommands());
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->args.Get("confidentiality").value_or(""), "restricted");

  absl::StatusOr<Invocation> change = ParseCommandLine(
      {"change-confidentiality", "x", "--level", "public", "--expected-revision", "2"},
      GlobalFlags(), AllCommands());
  ASSERT_TRUE(change.ok()) << change.status();
  ASSERT_NE(change->command, nullptr);
  EXPECT_EQ(change->command->path, "change-confidentiality");
  EXPECT_EQ(change->args.positional(), std::vector<std::string>{"x"});
  EXPECT_EQ(change->args.Get("level").value_or(""), "public");
}

TEST(CommandLineTest, UsageErrors) {
  for (const std::vector<std::string>& argv : std::vector<std::vector<std::string>>{
           {"frobnicate"},
           {"get"},
           {"get", "a", "b"},
           {"get", "a", "--nope"},
           {"sign", "a", "--date"},
           {"party"},
           {"change-confidentiality"},
           {"change-confidentiality", "a", "public"},
           {"list", "--sector", "energy", "--sector", "transport"}}) {
    absl::StatusOr<Invocation> invocation =
        ParseCommandLine(argv, GlobalFlags(), AllCommands());
    EXPECT_FALSE(invocation.ok()) << argv[0];
    EXPECT_TRUE(IsLocalError(invocation.status())) << argv[0];
  }
}

TEST(CommandLineTest, HelpForms) {
  for (const std::vector<std::string>& argv :
       std::vector<std::vector<std::string>>{{},
                                             {"--help"},
                                             {"help"},
                                             {"help", "sign"},
                                             {"sign", "--help"},
                                             {"party", "-h"}}) {
    absl::StatusOr<Invocation> invocation =
        ParseCommandLine(argv, GlobalFlags(), AllCommands());
    ASSERT_TRUE(invocation.ok()) << invocation.status();
    EXPECT_TRUE(invocation->help);
  }
  absl::StatusOr<Invocation> sign =
      ParseCommandLine({"help", "sign"}, GlobalFlags(), AllCommands());
  ASSERT_TRUE(sign.ok());
  ASSERT_NE(sign->command, nullptr);
  EXPECT_NE(CommandHelp(*sign->command, GlobalFlags()).find("--expected-revision"),
            std::string::npos);
}

TEST(CommandLineTest, AliasesNameTheSameCommand) {
  absl::StatusOr<Invocation> invocation = ParseCommandLine(
      {"contract-signed", "x", "--date", "2009"}, GlobalFlags(), AllCommands());
  ASSERT_TRUE(invocation.ok()) << invocation.status();
  EXPECT_EQ(invocation->command->path, "contract-sign");
}

}  // namespace
}  // namespace agreements::cli
