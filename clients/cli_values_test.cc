#include "clients/cli_values.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
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

TEST(CalendarPeriodTest, YearsMonthsDaysInOrder) {
  const auto period = [](absl::string_view text) {
    absl::StatusOr<v1::CalendarPeriod> parsed =
        ParseCalendarPeriod("term-duration", text);
    EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status();
    return parsed.value_or(v1::CalendarPeriod());
  };
  EXPECT_EQ(period("1y").years(), 1);
  EXPECT_EQ(period("6m").months(), 6);
  EXPECT_EQ(period("60d").days(), 60);
  const v1::CalendarPeriod mixed = period("1y6m");
  EXPECT_EQ(mixed.years(), 1);
  EXPECT_EQ(mixed.months(), 6);
  EXPECT_EQ(mixed.days(), 0);
  const v1::CalendarPeriod all = period("2Y3M10D");
  EXPECT_EQ(all.years(), 2);
  EXPECT_EQ(all.months(), 3);
  EXPECT_EQ(all.days(), 10);
  EXPECT_EQ(period("0d").days(), 0);

  EXPECT_EQ(FormatCalendarPeriod(mixed), "1y6m");
  EXPECT_EQ(FormatCalendarPeriod(all), "2y3m10d");
  EXPECT_EQ(FormatCalendarPeriod(period("60d")), "60d");
  EXPECT_EQ(FormatCalendarPeriod(v1::CalendarPeriod()), "0d");
}

TEST(CalendarPeriodTest, RejectsMalformedPeriodsNamingTheFlag) {
  for (const char* text : {"", "1", "y", "1w", "1y1y", "6m1y", "1d2m", "-1y", "1.5y",
                           "1y 6m", "99999999999y", "P1Y"}) {
    const absl::StatusOr<v1::CalendarPeriod> period =
        ParseCalendarPeriod("term-duration", text);
    ASSERT_FALSE(period.ok()) << text;
    EXPECT_TRUE(IsLocalError(period.status())) << text;
    EXPECT_EQ(period.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_TRUE(absl::StartsWith(period.status().message(), "--term-duration: "))
        << period.status();
  }
  EXPECT_EQ(ParseCalendarPeriod("withdrawal-notice", "6m1y").status().message(),
            "--withdrawal-notice: \"6m1y\": each unit once, in the order y, m, d (a "
            "period is years, months and days in that order, e.g. 1y, 6m, 60d, 1y6m)");
}

TEST(NoticeRuleTest, PeriodAndCounting) {
  absl::StatusOr<v1::NoticeRule> plain = ParseNoticeRule("withdrawal-notice", "6m");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->period().months(), 6);
  EXPECT_EQ(plain->counting(), v1::NOTICE_COUNTING_AFTER_RECEIPT);

  absl::StatusOr<v1::NoticeRule> year =
      ParseNoticeRule("withdrawal-notice", "1y:end_of_calendar_year");
  ASSERT_TRUE(year.ok()) << year.status();
  EXPECT_EQ(year->period().years(), 1);
  EXPECT_EQ(year->counting(), v1::NOTICE_COUNTING_END_OF_CALENDAR_YEAR);

  absl::StatusOr<v1::NoticeRule> day_after =
      ParseNoticeRule("withdrawal-notice", "6m:Day-After-Expiry");
  ASSERT_TRUE(day_after.ok()) << day_after.status();
  EXPECT_EQ(day_after->counting(), v1::NOTICE_COUNTING_DAY_AFTER_EXPIRY);

  const absl::StatusOr<v1::NoticeRule> bad_counting =
      ParseNoticeRule("pa-termination-notice", "1y:whenever");
  ASSERT_FALSE(bad_counting.ok());
  EXPECT_TRUE(absl::StartsWith(bad_counting.status().message(),
                               "--pa-termination-notice: counting \"whenever\" is not "
                               "one of: after_receipt, "))
      << bad_counting.status();
  const absl::StatusOr<v1::NoticeRule> bad_period =
      ParseNoticeRule("pa-termination-notice", "year:after_receipt");
  ASSERT_FALSE(bad_period.ok());
  EXPECT_TRUE(
      absl::StartsWith(bad_period.status().message(), "--pa-termination-notice: "))
      << bad_period.status();
}

TEST(IdentifierTest, SchemeAndValue) {
  absl::StatusOr<v1::Identifier> unts = ParseIdentifier("UNTS:I-4739");
  ASSERT_TRUE(unts.ok()) << unts.status();
  EXPECT_EQ(unts->scheme(), "UNTS");
  EXPECT_EQ(unts->value(), "I-4739");
  absl::StatusOr<v1::Identifier> colon = ParseIdentifier("urn:lex:kz:2009");
  ASSERT_TRUE(colon.ok()) << colon.status();
  EXPECT_EQ(colon->scheme(), "urn");
  EXPECT_EQ(colon->value(), "lex:kz:2009");
  for (const char* text : {"UNTS", ":I-4739", "UNTS:", ""}) {
    const absl::StatusOr<v1::Identifier> bad = ParseIdentifier(text);
    ASSERT_FALSE(bad.ok()) << text;
    EXPECT_TRUE(IsLocalError(bad.status())) << text;
  }
}

TEST(PredecessorTest, IdDateAndKind) {
  absl::StatusOr<v1::PartySuccession> full =
      ParsePredecessor("predecessor", "suhh:1991-12-25:continuation");
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(full->party_id(), "suhh");
  EXPECT_EQ(full->date().day(), 25);
  EXPECT_EQ(full->kind(), v1::SUCCESSION_KIND_CONTINUATION);
  absl::StatusOr<v1::PartySuccession> bare = ParsePredecessor("predecessor", "cshh");
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_EQ(bare->party_id(), "cshh");
  EXPECT_EQ(bare->date().year(), 0);
  EXPECT_EQ(bare->kind(), v1::SUCCESSION_KIND_UNSPECIFIED);
  for (const char* text :
       {"", ":1991", "suhh:1991-13", "suhh:1991:merger", "a:1991:b:c"}) {
    const absl::StatusOr<v1::PartySuccession> bad = ParsePredecessor("predecessor", text);
    ASSERT_FALSE(bad.ok()) << text;
    EXPECT_TRUE(absl::StartsWith(bad.status().message(), "--predecessor: "))
        << bad.status();
  }
}

TEST(PartyStatusFilterTest, StatusesAliasesAndConditions) {
  const auto status = [](absl::string_view text) {
    absl::StatusOr<PartyStatusFilter> filter = ParsePartyStatusFilter(text);
    EXPECT_TRUE(filter.ok()) << text << ": " << filter.status();
    if (!filter.ok()) return v1::PARTICIPATION_STATUS_UNSPECIFIED;
    EXPECT_EQ(filter->condition, v1::PARTY_CONDITION_UNSPECIFIED) << text;
    return filter->status;
  };
  EXPECT_EQ(status("negotiating"), v1::PARTICIPATION_STATUS_NEGOTIATING);
  EXPECT_EQ(status("signatory"), v1::PARTICIPATION_STATUS_SIGNATORY);
  EXPECT_EQ(status("signed"), v1::PARTICIPATION_STATUS_SIGNATORY);
  EXPECT_EQ(status("signed_not_ratified"), v1::PARTICIPATION_STATUS_SIGNATORY);
  EXPECT_EQ(status("party"), v1::PARTICIPATION_STATUS_PARTY);
  EXPECT_EQ(status("withdrawal-pending"), v1::PARTICIPATION_STATUS_WITHDRAWAL_PENDING);
  EXPECT_EQ(status("withdrew"), v1::PARTICIPATION_STATUS_FORMER_PARTY);
  EXPECT_EQ(status("not_becoming_party"), v1::PARTICIPATION_STATUS_NOT_BECOMING_PARTY);

  absl::StatusOr<PartyStatusFilter> in_force = ParsePartyStatusFilter("in_force");
  ASSERT_TRUE(in_force.ok());
  EXPECT_EQ(in_force->condition, v1::PARTY_CONDITION_IN_FORCE_FOR);
  EXPECT_EQ(in_force->status, v1::PARTICIPATION_STATUS_UNSPECIFIED);
  absl::StatusOr<PartyStatusFilter> provisional =
      ParsePartyStatusFilter("provisionally_applying");
  ASSERT_TRUE(provisional.ok());
  EXPECT_EQ(provisional->condition, v1::PARTY_CONDITION_PROVISIONALLY_APPLYING);

  const absl::StatusOr<PartyStatusFilter> bad = ParsePartyStatusFilter("ratified");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(IsLocalError(bad.status()));
  EXPECT_TRUE(absl::StrContains(bad.status().message(), "in_force")) << bad.status();
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

TEST(CommandLineTest, OptionalValueOnlyInline) {
  absl::StatusOr<Invocation> bare = ParseCommandLine(
      {"record", "--term-renews", "--term-duration", "5y"}, GlobalFlags(), AllCommands());
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_TRUE(bare->args.Has("term-renews"));
  EXPECT_EQ(bare->args.Get("term-renews").value_or("?"), "");
  EXPECT_EQ(bare->args.Get("term-duration").value_or(""), "5y");

  absl::StatusOr<Invocation> inline_value =
      ParseCommandLine({"record", "--term-renews=2y"}, GlobalFlags(), AllCommands());
  ASSERT_TRUE(inline_value.ok()) << inline_value.status();
  EXPECT_EQ(inline_value->args.Get("term-renews").value_or(""), "2y");

  // The next argument is never taken for the value: here it is an argument that record
  // does not take.
  const absl::StatusOr<Invocation> next =
      ParseCommandLine({"record", "--term-renews", "2y"}, GlobalFlags(), AllCommands());
  ASSERT_FALSE(next.ok());
  EXPECT_TRUE(absl::StrContains(next.status().message(), "too many arguments"))
      << next.status();

  const absl::StatusOr<Invocation> help =
      ParseCommandLine({"help", "record"}, GlobalFlags(), AllCommands());
  ASSERT_TRUE(help.ok());
  ASSERT_NE(help->command, nullptr);
  EXPECT_TRUE(absl::StrContains(CommandHelp(*help->command, GlobalFlags()),
                                "--term-renews[=PERIOD]"));
}

TEST(CommandLineTest, EveryChangeCommandTakesDatesConfirmedBy) {
  int changes = 0;
  for (const CommandSpec& command : AllCommands()) {
    const bool is_change = std::any_of(
        command.flags.begin(), command.flags.end(),
        [](const FlagSpec& flag) { return flag.name == "expected-revision"; });
    if (!is_change || absl::StartsWith(command.path, "party ")) continue;
    ++changes;
    EXPECT_TRUE(std::any_of(
        command.flags.begin(), command.flags.end(),
        [](const FlagSpec& flag) { return flag.name == "dates-confirmed-by"; }))
        << command.path;
  }
  EXPECT_GT(changes, 40);
}

TEST(CommandLineTest, PracticeCommands) {
  absl::StatusOr<Invocation> identifier = ParseCommandLine(
      {"add-identifier", "t1", "CELEX:22016A1019(01)", "--dates-confirmed-by", "OJ"},
      GlobalFlags(), AllCommands());
  ASSERT_TRUE(identifier.ok()) << identifier.status();
  EXPECT_EQ(identifier->command->path, "add-identifier");
  EXPECT_EQ(identifier->args.positional(),
            (std::vector<std::string>{"t1", "CELEX:22016A1019(01)"}));
  EXPECT_FALSE(
      ParseCommandLine({"add-identifier", "t1"}, GlobalFlags(), AllCommands()).ok());

  absl::StatusOr<Invocation> reserve = ParseCommandLine(
      {"reserve", "t1", "--party", "kz", "--id", "r1", "--kind", "reservation",
       "--article", "art. 66", "--article", "annex II", "--date", "2020"},
      GlobalFlags(), AllCommands());
  ASSERT_TRUE(reserve.ok()) << reserve.status();
  EXPECT_EQ(reserve->args.GetAll("article"),
            (std::vector<std::string>{"art. 66", "annex II"}));

  for (const char* path :
       {"withdraw-reservation", "designate-depositary", "depositary-notification",
        "register-un", "record-publication", "extend", "expire", "notify-succession"}) {
    absl::StatusOr<Invocation> invocation =
        ParseCommandLine({path, "t1"}, GlobalFlags(), AllCommands());
    ASSERT_TRUE(invocation.ok()) << path << ": " << invocation.status();
    EXPECT_EQ(invocation->command->path, path);
  }
}

TEST(CommandLineTest, AliasesNameTheSameCommand) {
  absl::StatusOr<Invocation> invocation = ParseCommandLine(
      {"contract-signed", "x", "--date", "2009"}, GlobalFlags(), AllCommands());
  ASSERT_TRUE(invocation.ok()) << invocation.status();
  EXPECT_EQ(invocation->command->path, "contract-sign");
}

}  // namespace
}  // namespace agreements::cli
