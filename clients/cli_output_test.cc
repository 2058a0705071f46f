// Tests of the CLI's output forms (friendly JSON, proto JSON, jsonl records, YAML), its
// JSON reader, "did you mean", the exit code of each class of error and the error text
// with the server's details (no server).
#include "clients/cli_output.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "agreements/v1/agreement.pb.h"
#include "agreements/v1/feed_service.pb.h"
#include "agreements/v1/query_service.pb.h"
#include "clients/cli_commands.h"
#include "clients/cli_errors.h"
#include "clients/cli_flags.h"
#include "clients/cli_json.h"
#include "clients/cli_suggest.h"
#include "clients/error_details.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace agreements::cli {
namespace {

v1::Agreement SampleAgreement() {
  v1::Agreement a;
  a.set_id("kz-kr-air-2010");
  a.set_status(v1::AGREEMENT_STATUS_IN_FORCE);
  a.set_instrument_kind(v1::INSTRUMENT_KIND_MEMORANDUM_OF_UNDERSTANDING);
  a.mutable_signed_on()->set_year(2010);
  a.mutable_signed_on()->set_month(3);
  a.mutable_signed_on()->set_day(2);
  a.mutable_signed_on()->set_precision(v1::DATE_PRECISION_DAY);
  a.mutable_adopted_on()->set_year(2010);
  a.mutable_adopted_on()->set_precision(v1::DATE_PRECISION_YEAR);
  a.mutable_entered_into_force_on();  // present but empty: not shown
  a.set_revision(12345678901234ULL);
  v1::Amount* amount = a.add_amounts();
  amount->set_id("value");
  amount->mutable_value()->set_currency_code("USD");
  amount->mutable_value()->set_units(4500000000);
  a.add_sectors("transport");
  a.mutable_create_time()->set_seconds(1262304000);  // 2010-01-01
  return a;
}

TEST(FriendlyJsonTest, DatesEnumsMoneyAndNumbersAsText) {
  const JsonValue value = MessageToValue(SampleAgreement(), JsonStyle::kFriendly);
  EXPECT_EQ(
      WriteJson(value, /*pretty=*/false),
      R"({"id":"kz-kr-air-2010","instrumentKind":"memorandum_of_understanding",)"
      R"("sectors":["transport"],"amounts":[{"id":"value","value":"USD 4500000000"}],)"
      R"("status":"in_force","adoptedOn":"2010","signedOn":"2010-03-02",)"
      R"("revision":12345678901234,"createTime":"2010-01-01T00:00:00Z"})")
      << WriteJson(value, true);
}

TEST(FriendlyJsonTest, ProtoStyleKeepsTheProto3Mapping) {
  const std::string json =
      WriteJson(MessageToValue(SampleAgreement(), JsonStyle::kProto), false);
  EXPECT_TRUE(absl::StrContains(json, R"("status":"AGREEMENT_STATUS_IN_FORCE")")) << json;
  EXPECT_TRUE(absl::StrContains(json, R"("revision":"12345678901234")")) << json;
  EXPECT_TRUE(absl::StrContains(json, R"("signedOn":{"year":2010,"month":3,"day":2,)"))
      << json;
}

TEST(FriendlyJsonTest, MoneyText) {
  v1::Money money;
  money.set_currency_code("EUR");
  money.set_units(12);
  money.set_nanos(750000000);
  EXPECT_EQ(MoneyText(money), "EUR 12.75");
  money.set_units(-3);
  money.set_nanos(-500000000);
  EXPECT_EQ(MoneyText(money), "EUR -3.50");
  money.set_currency_code("");
  money.set_units(0);
  money.set_nanos(-5);
  EXPECT_EQ(MoneyText(money), "-0.000000005");
}

TEST(RenderTest, JsonlPrintsOneRecordPerLine) {
  v1::ListAgreementsResponse response;
  *response.add_agreements() = SampleAgreement();
  response.add_agreements()->set_id("second");
  response.set_next_page_token("tok");
  EXPECT_EQ(RecordsField(*response.GetDescriptor())->name(), "agreements");
  const std::string jsonl =
      RenderResponse(response, OutputFormat::kJsonl, JsonStyle::kFriendly);
  const std::vector<std::string> lines = absl::StrSplit(jsonl, '\n');
  ASSERT_EQ(lines.size(), 3u) << jsonl;  // two records and the final ""
  EXPECT_TRUE(absl::StartsWith(lines[0], R"({"id":"kz-kr-air-2010",)")) << jsonl;
  EXPECT_EQ(lines[1], R"({"id":"second"})");
  // A response without one list of records is one line.
  v1::GetAgreementResponse one;
  *one.mutable_agreement() = SampleAgreement();
  EXPECT_EQ(RecordsField(*one.GetDescriptor()), nullptr);
  const std::string single =
      RenderResponse(one, OutputFormat::kJsonl, JsonStyle::kFriendly);
  EXPECT_EQ(std::count(single.begin(), single.end(), '\n'), 1) << single;
  // json is one indented document holding everything.
  const std::string json =
      RenderResponse(response, OutputFormat::kJson, JsonStyle::kFriendly);
  EXPECT_TRUE(absl::StartsWith(json, "{\n  \"agreements\": [\n    {\n")) << json;
  EXPECT_TRUE(absl::StrContains(json, "\"nextPageToken\": \"tok\"")) << json;
}

TEST(YamlTest, ReadableBlockStyle) {
  v1::ListAgreementsResponse response;
  *response.add_agreements() = SampleAgreement();
  response.mutable_agreements(0)->add_sectors("energy: oil");
  const std::string yaml =
      RenderResponse(response, OutputFormat::kYaml, JsonStyle::kFriendly);
  EXPECT_EQ(yaml,
            "agreements:\n"
            "  - id: kz-kr-air-2010\n"
            "    instrumentKind: memorandum_of_understanding\n"
            "    sectors:\n"
            "      - transport\n"
            "      - \"energy: oil\"\n"
            "    amounts:\n"
            "      - id: value\n"
            "        value: USD 4500000000\n"
            "    status: in_force\n"
            "    adoptedOn: \"2010\"\n"
            "    signedOn: \"2010-03-02\"\n"
            "    revision: 12345678901234\n"
            "    createTime: \"2010-01-01T00:00:00Z\"\n");
}

TEST(YamlTest, ScalarsThatWouldChangeMeaningAreQuoted) {
  JsonValue value = JsonValue::Object();
  for (const char* text : {"yes", "No", "null", "~", "-", "12", "-3", "#x", "a: b", "",
                           " lead", "tab\there", "en:Title", "plain text"}) {
    value.Set(text, JsonValue::String(text));
  }
  value.Set("empty", JsonValue::Array());
  value.Set("nested", JsonValue::Object());
  EXPECT_EQ(WriteYaml(value),
            "\"yes\": \"yes\"\n\"No\": \"No\"\n\"null\": \"null\"\n\"~\": \"~\"\n"
            "\"-\": \"-\"\n\"12\": \"12\"\n\"-3\": \"-3\"\n\"#x\": \"#x\"\n"
            "\"a: b\": \"a: b\"\n\"\": \"\"\n\" lead\": \" lead\"\n"
            "\"tab\\there\": \"tab\\there\"\nen:Title: en:Title\n"
            "plain text: plain text\nempty: []\nnested: {}\n");
  EXPECT_EQ(RenderStreamItem(JsonValue::String("x"), OutputFormat::kYaml), "---\nx\n");
}

TEST(JsonReaderTest, ParsesWhatItWritesAndReportsErrors) {
  const std::string text =
      R"({"a": [1, -2.5e3, true, false, null], "b": {"c": "\u00e9\ud83d\ude00\n\"x\""}})";
  absl::StatusOr<JsonValue> value = ParseJsonValue(text);
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(WriteJson(*value, false),
            "{\"a\":[1,-2.5e3,true,false,null],\"b\":{\"c\":\"\xc3\xa9\xf0\x9f\x98\x80\\n"
            "\\\"x\\\"\"}}");
  for (const char* bad :
       {"", "{", "[1,]", "{\"a\" 1}", "\"open", "tru", "1 2", "{'a':1}", "\"\\q\""}) {
    EXPECT_FALSE(ParseJsonValue(bad).ok()) << bad;
  }
}

TEST(SuggestTest, EditDistanceCountsTranspositionsOnce) {
  EXPECT_EQ(EditDistance("lsit", "list"), 1u);
  EXPECT_EQ(EditDistance("staus", "status"), 1u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(ClosestMatch("lsit", {"get", "list", "lookup"}), "list");
  EXPECT_EQ(ClosestMatch("whomai", {"whoami", "watch"}), "whoami");
  EXPECT_EQ(ClosestMatch("xyz", {"get", "list"}), std::nullopt);
  EXPECT_EQ(ClosestMatch("list", {"list", "lists"}), std::nullopt);  // exact
  EXPECT_EQ(ClosestMatch("g", {"get"}), std::nullopt);               // too short
}

TEST(DidYouMeanTest, UnknownCommandsAndFlagsSuggestTheClosest) {
  const auto parse = [](std::vector<std::string> argv) {
    return ParseCommandLine(argv, GlobalFlags(), AllCommands()).status();
  };
  absl::Status status = parse({"lsit"});
  EXPECT_EQ(status.message(), "unknown command \"lsit\"; did you mean \"list\"?");
  EXPECT_EQ(ExitCodeFor(status), kExitUsage);
  EXPECT_EQ(parse({"party", "lsit"}).message(),
            "unknown command \"party lsit\"; did you mean \"party list\"?");
  EXPECT_EQ(parse({"list", "--stauts", "x"}).message(),
            "unknown flag --stauts for \"list\"; did you mean --status?");
  EXPECT_EQ(parse({"--sevrer", "x", "sectors"}).message(),
            "unknown flag --sevrer; did you mean --server?");
  EXPECT_TRUE(absl::StrContains(parse({"frobnicate"}).message(),
                                "unknown command \"frobnicate\" (run 'agreements help"))
      << parse({"frobnicate"});
}

TEST(DidYouMeanTest, AGroupWithoutItsSubcommandIsIncomplete) {
  absl::StatusOr<Invocation> party =
      ParseCommandLine({"party"}, GlobalFlags(), AllCommands());
  ASSERT_TRUE(party.ok()) << party.status();
  EXPECT_TRUE(party->incomplete);
  EXPECT_EQ(party->group, "party");
  const std::string usage = GroupUsage(AllCommands(), "party");
  EXPECT_TRUE(absl::StrContains(usage, "  party register")) << usage;
  EXPECT_TRUE(absl::StrContains(usage, "  party list")) << usage;
  absl::StatusOr<Invocation> help =
      ParseCommandLine({"help", "party"}, GlobalFlags(), AllCommands());
  ASSERT_TRUE(help.ok());
  EXPECT_FALSE(help->incomplete);
  EXPECT_TRUE(help->help);
}

TEST(ExitCodeTest, OneCodePerClassOfError) {
  EXPECT_EQ(ExitCodeFor(absl::OkStatus()), kExitOk);
  EXPECT_EQ(ExitCodeFor(UsageError("bad flag")), 1);
  EXPECT_EQ(ExitCodeFor(LocalError(absl::UnavailableError("local"))), 1);
  EXPECT_EQ(ExitCodeFor(absl::InternalError("x")), 2);
  EXPECT_EQ(ExitCodeFor(absl::DataLossError("x")), 2);
  EXPECT_EQ(ExitCodeFor(absl::NotFoundError("x")), 3);
  EXPECT_EQ(ExitCodeFor(VerificationError("x")), 4);
  EXPECT_EQ(ExitCodeFor(absl::FailedPreconditionError("x")), 5);
  EXPECT_EQ(ExitCodeFor(absl::AbortedError("x")), 5);
  EXPECT_EQ(ExitCodeFor(absl::AlreadyExistsError("x")), 5);
  EXPECT_EQ(ExitCodeFor(absl::InvalidArgumentError("x")), 6);
  EXPECT_EQ(ExitCodeFor(absl::OutOfRangeError("x")), 6);
  EXPECT_EQ(ExitCodeFor(absl::PermissionDeniedError("x")), 7);
  EXPECT_EQ(ExitCodeFor(absl::UnauthenticatedError("x")), 7);
  EXPECT_EQ(ExitCodeFor(absl::UnavailableError("x")), 8);
  EXPECT_EQ(ExitCodeFor(absl::DeadlineExceededError("x")), 8);
  EXPECT_EQ(ExitCodeFor(absl::ResourceExhaustedError("x")), 8);
}

TEST(ErrorTextTest, TheServersDetailsFollowTheErrorLine) {
  google::rpc::Status details;
  google::rpc::ErrorInfo info;
  info.set_reason("WRONG_EXPECTED_REVISION");
  (*info.mutable_metadata())["current_revision"] = "4";
  details.add_details()->PackFrom(info);
  google::rpc::BadRequest bad;
  auto* violation = bad.add_field_violations();
  violation->set_field("command.x.y");
  violation->set_description("rule");
  details.add_details()->PackFrom(bad);
  absl::Status status = absl::AbortedError("expected revision 3");
  status.SetPayload(client::kStatusDetailsTypeUrl,
                    absl::Cord(details.SerializeAsString()));
  EXPECT_EQ(ErrorText(status, "h:1"),
            "error: ABORTED: expected revision 3\n"
            "reason: WRONG_EXPECTED_REVISION\n"
            "  current_revision: 4\n"
            "  field command.x.y: rule\n");
  EXPECT_EQ(ErrorText(absl::UnavailableError("down"), "h:1"),
            "error: UNAVAILABLE: server h:1: down\n");
  EXPECT_EQ(ErrorText(UsageError("bad"), "h:1"), "error: INVALID_ARGUMENT: bad\n");
}

TEST(OutputFormatTest, EveryFormatByName) {
  for (const std::string& name : OutputFormatNames()) {
    EXPECT_TRUE(ParseOutputFormat(name).ok()) << name;
  }
  EXPECT_EQ(*ParseOutputFormat("jsonl"), OutputFormat::kJsonl);
  absl::StatusOr<OutputFormat> bad = ParseOutputFormat("xml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(ExitCodeFor(bad.status()), kExitUsage);
  EXPECT_TRUE(
      absl::StrContains(bad.status().message(), "table, wide, json, jsonl, yaml"));
}

}  // namespace
}  // namespace agreements::cli
