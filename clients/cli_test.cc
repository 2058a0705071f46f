// End-to-end tests of the `agreements` CLI against the real server binary: each test
// starts build/bin/agreements-server on a free port with a fresh data directory, runs the
// CLI as a subprocess and checks its output, exit status and the server's answers. The
// feed commands (watch, watch-sector) are tested in cli_watch_test.cc. SecureCliTest
// starts the server with TLS, client certificates, tokens and a policy, and checks the
// CLI's connection flags and their environment variables against it.
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agreements/v1/command_service.pb.h"
#include "agreements/v1/query_service.pb.h"
#include "clients/cli_test_util.h"
#include "common/scoped_env.h"
#include "gtest/gtest.h"
#include "security/policy.h"
#include "tests/test_certs.h"

namespace agreements::cli_test {
namespace {

using ::agreements::testing::ScopedEnv;

TEST_F(CliTest, ServerAnnouncesItsAddress) {
  EXPECT_TRUE(
      absl::StrContains(ReadWholeFile(log_path_),
                        absl::StrCat("agreements-server listening on ", address_)))
      << ReadWholeFile(log_path_);
}

TEST_F(CliTest, PartyRegisterGetRoundTrip) {
  const std::string out =
      CliOk({"party", "register", "--id", "kz", "--type", "state", "--country", "kz",
             "--name", "en:Republic of Kazakhstan", "--name", "ru:Республика Казахстан"});
  EXPECT_TRUE(absl::StrContains(out, "committed")) << out;

  const v1::Party party = ParseJsonOrDie<v1::GetPartyResponse>(
                              CliOk({"party", "get", "kz", "-o", "json", "--proto-json"}))
                              .party();
  EXPECT_EQ(party.id(), "kz");
  EXPECT_EQ(party.type(), v1::PARTY_TYPE_STATE);
  EXPECT_EQ(party.country_code(), "KZ");
  ASSERT_EQ(party.names_size(), 2);
  EXPECT_EQ(party.names(1).text(), "Республика Казахстан");
  EXPECT_EQ(party.revision(), 1u);

  const std::string table = CliOk({"party", "get", "kz"});
  EXPECT_TRUE(absl::StrContains(table, "Republic of Kazakhstan")) << table;
  const std::string list = CliOk({"party", "list", "--type", "state"});
  EXPECT_TRUE(absl::StrContains(list, "kz")) << list;

  CliOk({"party", "update", "kz", "--name", "en:Kazakhstan", "--expected-revision", "1"});
  const v1::Party updated =
      ParseJsonOrDie<v1::GetPartyResponse>(
          CliOk({"party", "get", "kz", "-o", "json", "--proto-json"}))
          .party();
  EXPECT_EQ(updated.revision(), 2u);
  ASSERT_EQ(updated.names_size(), 1);
  EXPECT_EQ(updated.names(0).text(), "Kazakhstan");
  EXPECT_EQ(updated.country_code(), "KZ");
}

TEST_F(CliTest, RecordSignGetShowsTheNewStatus) {
  RegisterStates();
  RecordBilateral("kz-kr-energy-2009", "energy");
  EXPECT_EQ(GetAgreement("kz-kr-energy-2009").status(), v1::AGREEMENT_STATUS_DRAFT);

  const std::string out =
      CliOk({"sign", "kz-kr-energy-2009", "--party", "kz", "--date", "2009-05-13",
             "--kind", "simple", "--expected-revision", "1"});
  EXPECT_TRUE(absl::StrContains(out, "signed_not_in_force")) << out;

  const v1::Agreement agreement = GetAgreement("kz-kr-energy-2009");
  EXPECT_EQ(agreement.status(), v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);
  EXPECT_EQ(agreement.signed_on().year(), 2009);
  EXPECT_EQ(agreement.signed_on().month(), 5);
  EXPECT_EQ(agreement.signed_on().day(), 13);
  EXPECT_EQ(agreement.signed_on().precision(), v1::DATE_PRECISION_DAY);
  ASSERT_EQ(agreement.participations_size(), 2);
  for (const v1::Participation& p : agreement.participations()) {
    EXPECT_EQ(p.status(), p.party_id() == "kz" ? v1::PARTICIPATION_STATUS_SIGNATORY
                                               : v1::PARTICIPATION_STATUS_NEGOTIATING)
        << p.party_id();
  }
  const std::string table = CliOk({"get", "kz-kr-energy-2009"});
  EXPECT_TRUE(absl::StrContains(table, "signed_not_in_force")) << table;
  EXPECT_TRUE(absl::StrContains(table, "2009-05-13")) << table;
}

TEST_F(CliTest, BilateralTreatyReachesInForce) {
  RegisterStates();
  RecordBilateral("kz-kr-transport-2010", "transport");
  for (const char* party : {"kz", "kr"}) {
    CliOk({"sign", "kz-kr-transport-2010", "--party", party, "--date", "2010-03-01"});
    CliOk({"consent", "kz-kr-transport-2010", "--party", party, "--means", "ratification",
           "--date", "2010-09"});
  }
  CliOk({"enter-into-force", "kz-kr-transport-2010", "--date", "2010-10-01"});
  const v1::Agreement agreement = GetAgreement("kz-kr-transport-2010");
  EXPECT_EQ(agreement.status(), v1::AGREEMENT_STATUS_IN_FORCE);
  EXPECT_EQ(agreement.entered_into_force_on().precision(), v1::DATE_PRECISION_DAY);
  for (const v1::Participation& p : agreement.participations()) {
    EXPECT_EQ(p.status(), v1::PARTICIPATION_STATUS_PARTY) << p.party_id();
    EXPECT_EQ(p.consent().means(), v1::CONSENT_MEANS_RATIFICATION);
  }
  CliOk(
      {"terminate", "kz-kr-transport-2010", "--ground", "by_consent", "--date", "2015"});
  EXPECT_EQ(GetAgreement("kz-kr-transport-2010").status(),
            v1::AGREEMENT_STATUS_TERMINATED);
}

TEST_F(CliTest, SignatoryDeclaresItWillNotBecomeAParty) {
  RegisterStates();
  RecordBilateral("kz-kr-culture-2011", "education");
  CliOk({"sign", "kz-kr-culture-2011", "--party", "kr", "--date", "2011-04-02"});
  const std::string out = CliOk({"declare-non-participation", "kz-kr-culture-2011",
                                 "--party", "kr", "--date", "2012-01"});
  EXPECT_TRUE(absl::StrContains(out, "signed_not_in_force")) << out;
  const v1::Agreement agreement = GetAgreement("kz-kr-culture-2011");
  for (const v1::Participation& p : agreement.participations()) {
    if (p.party_id() == "kr") {
      EXPECT_EQ(p.status(), v1::PARTICIPATION_STATUS_NOT_BECOMING_PARTY);
    }
  }
}

TEST_F(CliTest, ListFiltersBySector) {
  RegisterStates();
  RecordBilateral("a-energy", "energy");
  RecordBilateral("b-transport", "transport");
  const std::string table = CliOk({"list", "--sector", "energy"});
  EXPECT_TRUE(absl::StrContains(table, "a-energy")) << table;
  EXPECT_FALSE(absl::StrContains(table, "b-transport")) << table;

  const auto listed = ParseJsonOrDie<v1::ListAgreementsResponse>(
      CliOk({"list", "--sector", "energy", "--all", "--page-size", "1", "-o", "json",
             "--proto-json"}));
  ASSERT_EQ(listed.agreements_size(), 1);
  EXPECT_EQ(listed.agreements(0).id(), "a-energy");
  EXPECT_TRUE(listed.next_page_token().empty());

  const auto all = ParseJsonOrDie<v1::ListAgreementsResponse>(
      CliOk({"list", "--all", "--page-size", "1", "-o", "json", "--proto-json"}));
  EXPECT_EQ(all.agreements_size(), 2);
}

// Returns request id -> "result positions" from the table output of `load`.
std::map<std::string, std::pair<std::string, std::string>> LoadRows(
    const std::string& out) {
  std::map<std::string, std::pair<std::string, std::string>> rows;
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    const std::vector<std::string> fields =
        absl::StrSplit(line, ' ', absl::SkipWhitespace());
    if (fields.size() == 4 && (fields[2] == "committed" || fields[2] == "replayed")) {
      rows[fields[1]] = {fields[2], fields[3]};
    }
  }
  return rows;
}

TEST_F(CliTest, LoadingTheDemoTwiceAddsNothing) {
  const auto first = LoadRows(CliOk({"load", kDemoPath}));
  ASSERT_FALSE(first.empty());
  for (const auto& [request_id, row] : first) {
    EXPECT_TRUE(absl::StartsWith(request_id, "demo-2009-")) << request_id;
    EXPECT_EQ(row.first, "committed") << request_id;
  }
  const std::string sectors_before = CliOk({"sectors", "-o", "json", "--proto-json"});

  const auto second = LoadRows(CliOk({"load", kDemoPath}));
  ASSERT_EQ(second.size(), first.size());
  for (const auto& [request_id, row] : second) {
    EXPECT_EQ(row.first, "replayed") << request_id;
    EXPECT_EQ(row.second, first.at(request_id).second) << request_id;
  }
  const std::string sectors_after = CliOk({"sectors", "-o", "json", "--proto-json"});
  const auto before = ParseJsonOrDie<v1::ListSectorsResponse>(sectors_before);
  const auto after = ParseJsonOrDie<v1::ListSectorsResponse>(sectors_after);
  ASSERT_EQ(before.sectors_size(), after.sectors_size());
  std::map<std::string, int64_t> counts;
  for (int i = 0; i < before.sectors_size(); ++i) {
    EXPECT_EQ(before.sectors(i).sector(), after.sectors(i).sector());
    EXPECT_EQ(before.sectors(i).agreement_count(), after.sectors(i).agreement_count());
    counts[before.sectors(i).sector()] = before.sectors(i).agreement_count();
  }
  EXPECT_EQ(before.position(), after.position());
  EXPECT_EQ(counts["energy"], 2);  // Balkhash and the energy memorandum
  EXPECT_EQ(counts["construction"], 2);
  EXPECT_EQ(counts["transport"], 1);
  EXPECT_EQ(counts["telecom"], 1);
  EXPECT_EQ(counts["governance"], 1);
  EXPECT_EQ(counts["trade_and_investment"], 1);

  const v1::Agreement statement = GetAgreement("kz-kr-joint-statement-2009");
  EXPECT_EQ(statement.status(), v1::AGREEMENT_STATUS_IN_EFFECT);
  EXPECT_EQ(statement.signed_on().precision(), v1::DATE_PRECISION_MONTH);
  EXPECT_EQ(statement.legal_nature(), v1::LEGAL_NATURE_NON_BINDING_POLITICAL);

  const v1::Agreement balkhash = GetAgreement("balkhash-tpp-2009");
  ASSERT_EQ(balkhash.amounts_size(), 1);
  EXPECT_EQ(balkhash.amounts(0).value().currency_code(), "USD");
  EXPECT_EQ(balkhash.amounts(0).value().units(), 4500000000);
  ASSERT_EQ(balkhash.relations_size(), 1);
  EXPECT_EQ(balkhash.relations(0).target_agreement_id(), "kz-kr-joint-statement-2009");
  EXPECT_EQ(balkhash.participations_size(), 3);

  const auto summary = ParseJsonOrDie<v1::GetSectorSummaryResponse>(
      CliOk({"summary", "energy", "-o", "json", "--proto-json"}));
  EXPECT_EQ(summary.summary().agreement_count(), 2);
  const std::string table = CliOk({"summary", "energy"});
  EXPECT_TRUE(absl::StrContains(table, "USD 4,500,000,000")) << table;
}

TEST_F(CliTest, SearchOrderAndStatisticsOnTheDemo) {
  CliOk({"load", kDemoPath});
  const auto found = ParseJsonOrDie<v1::ListAgreementsResponse>(
      CliOk({"list", "--search", "Balkhash power", "-o", "json", "--proto-json"}));
  ASSERT_EQ(found.agreements_size(), 1);
  EXPECT_EQ(found.agreements(0).id(), "balkhash-tpp-2009");
  const auto ordered = ParseJsonOrDie<v1::ListAgreementsResponse>(
      CliOk({"list", "--sector", "energy", "--order-by", "signed_on desc", "-o", "json",
             "--proto-json"}));
  ASSERT_EQ(ordered.agreements_size(), 2);
  EXPECT_EQ(ordered.agreements(0).id(), "kz-kr-forum-2009-energy");  // unsigned last
  const std::string table = CliOk({"stats", "--sector", "telecom", "--by", "month"});
  EXPECT_TRUE(absl::StrContains(table, "2009-05")) << table;
  const auto stats = ParseJsonOrDie<v1::GetStatisticsResponse>(
      CliOk({"stats", "--party", "samsung", "-o", "json", "--proto-json"}));
  EXPECT_EQ(stats.sectors_size(), 13);
  const ProcessResult bad = Cli({"list", "--order-by", "colour"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(bad.err, "order_by")) << bad.err;
}

// One line of a load file: registering party `id` with request id `request_id`.
std::string PartyLine(const std::string& request_id, const std::string& id,
                      const std::string& country) {
  return absl::StrCat(
      R"({"context":{"requestId":")", request_id,
      R"("},"commands":[{"streamType":"STREAM_TYPE_PARTY","change":{"partyRegistered":)",
      R"({"party":{"id":")", id, R"(","type":"PARTY_TYPE_STATE","countryCode":")",
      country, R"(","names":[{"language":"en","text":"State )", id, R"("}]}}}}]})", "\n");
}

// Lines 2 (a bad country code) and 5 (a party that exists) fail.
std::string LoadFileWithBadLines() {
  return PartyLine("t-1", "kz", "KZ") + PartyLine("t-2", "qq", "QQQ") +
         PartyLine("t-3", "kr", "KR") + "\n" + PartyLine("t-5", "kz", "KZ");
}

TEST_F(CliTest, LoadContinuesAfterFailedLinesWhenAsked) {
  const std::string path = WriteTempFile("bad.jsonl", LoadFileWithBadLines());
  ProcessResult result =
      Cli({"load", path, "--continue-on-error", "--progress", "always"});
  EXPECT_EQ(result.exit_code, 6) << Describe({"load"}, result);
  const auto rows = LoadRows(result.out);
  EXPECT_EQ(rows.at("t-1").first, "committed");
  EXPECT_EQ(rows.at("t-3").first, "committed");
  EXPECT_TRUE(absl::StrContains(result.out, "t-2")) << result.out;
  EXPECT_TRUE(absl::StrContains(result.out, "failed     INVALID_ARGUMENT")) << result.out;
  EXPECT_TRUE(absl::StrContains(result.out, "failed     ALREADY_EXISTS")) << result.out;
  EXPECT_TRUE(
      absl::StrContains(result.out, "4 requests: 2 committed, 0 replayed, 2 failed\n"))
      << result.out;
  EXPECT_TRUE(absl::StrContains(
      result.err, absl::StrCat(path, ":2 (request t-2): INVALID_ARGUMENT: ")))
      << result.err;
  EXPECT_TRUE(absl::StrContains(result.err,
                                absl::StrCat(path, ":5 (request t-5): ALREADY_EXISTS: ")))
      << result.err;
  EXPECT_TRUE(absl::StrContains(result.err, "load: 4/4 requests (100%)")) << result.err;
  EXPECT_TRUE(absl::StrContains(
      result.err,
      absl::StrCat("error: INVALID_ARGUMENT: ", path,
                   ": 2 of 4 requests failed (the first: ", path, ":2 (request t-2))")))
      << result.err;
  EXPECT_TRUE(absl::StrContains(CliOk({"party", "get", "kr"}), "State kr"));

  // As JSON, one object per line, the failed ones with their error.
  result = Cli({"load", path, "--continue-on-error", "-o", "json"});
  EXPECT_EQ(result.exit_code, 6) << Describe({"load -o json"}, result);
  EXPECT_TRUE(absl::StrContains(
      result.out, R"({"line":2,"requestId":"t-2","error":{"code":"INVALID_ARGUMENT")"))
      << result.out;
  EXPECT_TRUE(absl::StrContains(result.out, R"("line":3,"requestId":"t-3","response")"))
      << result.out;
  EXPECT_FALSE(absl::StrContains(result.err, "load: "))
      << "no progress by default off a terminal";
}

TEST_F(CliTest, LoadStopsAtTheFirstFailedLine) {
  const std::string path = WriteTempFile("bad.jsonl", LoadFileWithBadLines());
  const ProcessResult result = Cli({"load", path});
  EXPECT_EQ(result.exit_code, 6) << Describe({"load"}, result);
  // Lines already sent when line 2 failed are still answered (and a failure among
  // them reported); the load's error names the first failed line.
  EXPECT_TRUE(absl::StrContains(
      result.err, absl::StrCat("error: INVALID_ARGUMENT: ", path, ":2 (request t-2): ")))
      << result.err;
  const auto rows = LoadRows(result.out);
  EXPECT_EQ(rows.at("t-1").first, "committed");
  EXPECT_TRUE(absl::StrContains(result.out, "4 requests: ")) << result.out;
}

TEST_F(CliTest, ErrorsPrintTheGrpcCodeAndExitNonZero) {
  ProcessResult result = Cli({"get", "no-such-agreement"});
  EXPECT_EQ(result.exit_code, 3) << Describe({"get"}, result);
  EXPECT_TRUE(absl::StartsWith(result.err, "error: NOT_FOUND: ")) << result.err;

  result = Cli({"party", "register", "--id", "nowhere", "--type", "state", "--country",
                "QQQ", "--name", "en:Nowhere"});
  EXPECT_EQ(result.exit_code, 6) << Describe({"party register"}, result);
  EXPECT_TRUE(absl::StartsWith(result.err, "error: INVALID_ARGUMENT: ")) << result.err;
  EXPECT_TRUE(absl::StrContains(result.err, "country_code")) << result.err;

  result = Cli({"get"});
  EXPECT_EQ(result.exit_code, 1) << Describe({"get"}, result);
  EXPECT_TRUE(absl::StartsWith(result.err, "error: INVALID_ARGUMENT: ")) << result.err;
  result = Cli({"sign", "x", "--party", "kz", "--date", "2009-13"});
  EXPECT_EQ(result.exit_code, 1) << Describe({"sign"}, result);

  result = RunProcess({kCliPath, "--server", absl::StrCat("127.0.0.1:", FreePort()),
                       "--timeout", "1s", "sectors"});
  EXPECT_EQ(result.exit_code, 8) << Describe({"sectors (no server)"}, result);
  EXPECT_TRUE(absl::StartsWith(result.err, "error: UNAVAILABLE: ") ||
              absl::StartsWith(result.err, "error: DEADLINE_EXCEEDED: "))
      << result.err;
}

TEST_F(CliTest, StaleExpectedRevisionIsAborted) {
  RegisterStates();
  RecordBilateral("kz-kr-health-2011", "health");
  const ProcessResult result = Cli({"sign", "kz-kr-health-2011", "--party", "kz",
                                    "--date", "2011", "--expected-revision", "5"});
  EXPECT_EQ(result.exit_code, 5) << Describe({"sign"}, result);
  EXPECT_TRUE(absl::StartsWith(result.err, "error: ABORTED: ")) << result.err;
  EXPECT_EQ(GetAgreement("kz-kr-health-2011").revision(), 1u);
}

TEST_F(CliTest, SameRequestIdIsReplayed) {
  RegisterStates();
  const std::vector<std::string> record = {"--request-id",
                                           "test-record-1",
                                           "-o",
                                           "json",
                                           "--proto-json",
                                           "record",
                                           "--id",
                                           "kz-kr-edu-2012",
                                           "--designation",
                                           "Memorandum of Understanding",
                                           "--kind",
                                           "memorandum_of_understanding",
                                           "--nature",
                                           "non_binding_political",
                                           "--arity",
                                           "bilateral",
                                           "--title",
                                           "en:Education memorandum",
                                           "--sector",
                                           "education",
                                           "--party",
                                           "kz",
                                           "--party",
                                           "kr"};
  const auto first = ParseJsonOrDie<v1::RecordAgreementResponse>(CliOk(record));
  const auto second = ParseJsonOrDie<v1::RecordAgreementResponse>(CliOk(record));
  EXPECT_FALSE(first.result().replayed());
  EXPECT_TRUE(second.result().replayed());
  EXPECT_EQ(first.result().first_position(), second.result().first_position());
  EXPECT_EQ(GetAgreement("kz-kr-edu-2012").revision(), 1u);
}

TEST_F(CliTest, ApplyAndDataCommandsReachEveryPayloadKind) {
  RegisterStates();
  RecordBilateral("kz-kr-telecom-2013", "telecom");
  const std::string change = WriteTempFile(
      "change.json",
      R"({"documentAttached": {"document": {"title": "Signed text", "language": "en",
          "mediaType": "application/pdf", "url": "https://example.org/signed.pdf",
          "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}}})");
  CliOk({"apply", "kz-kr-telecom-2013", "-f", change});
  const std::string copy = WriteTempFile("text.txt", "the agreed text\n");
  CliOk({"attach-document", "kz-kr-telecom-2013", "--title", "Russian text", "--language",
         "ru", "--url", "https://example.org/ru.txt", "--hash-file", copy});
  CliOk({"record-amount", "kz-kr-telecom-2013", "--amount-id", "financing", "--type",
         "financing", "--currency", "USD", "--value", "1000000.50", "--as-of", "2013"});
  CliOk({"revise-amount", "kz-kr-telecom-2013", "--amount-id", "financing", "--currency",
         "USD", "--value", "2000000"});
  CliOk({"classify", "kz-kr-telecom-2013", "--sector", "telecom", "--sector",
         "construction"});
  const v1::Agreement agreement = GetAgreement("kz-kr-telecom-2013");
  ASSERT_EQ(agreement.documents_size(), 2);
  EXPECT_EQ(agreement.documents(1).sha256().size(), 64u);
  ASSERT_EQ(agreement.amounts_size(), 1);
  EXPECT_EQ(agreement.amounts(0).value().units(), 2000000);
  EXPECT_EQ(agreement.sectors_size(), 2);
  EXPECT_EQ(agreement.revision(), 6u);

  const std::string bad = WriteTempFile("bad.json", R"({"noSuchChange": {}})");
  const ProcessResult result = Cli({"apply", "kz-kr-telecom-2013", "-f", bad});
  EXPECT_EQ(result.exit_code, 1) << Describe({"apply"}, result);
}

TEST_F(CliTest, ConfidentialityIsRecordedShownAndChanged) {
  RegisterStates();
  CliOk({"record",
         "--id",
         "kz-kr-defence-2014",
         "--designation",
         "Agreement",
         "--kind",
         "agreement",
         "--nature",
         "binding_international",
         "--arity",
         "bilateral",
         "--title",
         "en:Defence cooperation",
         "--sector",
         "governance",
         "--party",
         "kz",
         "--party",
         "kr",
         "--confidentiality=restricted"});
  EXPECT_EQ(GetAgreement("kz-kr-defence-2014").confidentiality(),
            v1::CONFIDENTIALITY_RESTRICTED);
  std::string shown = CliOk({"get", "kz-kr-defence-2014"});
  EXPECT_EQ(ShownValue(shown, "confidentiality"), "restricted") << shown;

  const std::string out = CliOk({"change-confidentiality", "kz-kr-defence-2014",
                                 "--level", "public", "--expected-revision", "1"});
  EXPECT_TRUE(absl::StrContains(out, "committed")) << out;
  const v1::Agreement changed = GetAgreement("kz-kr-defence-2014");
  EXPECT_EQ(changed.confidentiality(), v1::CONFIDENTIALITY_PUBLIC);
  EXPECT_EQ(changed.revision(), 2u);
  shown = CliOk({"get", "kz-kr-defence-2014"});
  EXPECT_EQ(ShownValue(shown, "confidentiality"), "public") << shown;

  // The same level again is refused and appends nothing.
  const ProcessResult again =
      Cli({"change-confidentiality", "kz-kr-defence-2014", "--level", "public"});
  EXPECT_EQ(again.exit_code, 5) << Describe({"change-confidentiality"}, again);
  EXPECT_TRUE(absl::StartsWith(again.err, "error: FAILED_PRECONDITION: ")) << again.err;
  EXPECT_TRUE(absl::StrContains(again.err, "kz-kr-defence-2014")) << again.err;
  EXPECT_EQ(GetAgreement("kz-kr-defence-2014").revision(), 2u);

  // A level that does not exist is the CLI's usage error; nothing is sent.
  const ProcessResult unknown =
      Cli({"change-confidentiality", "kz-kr-defence-2014", "--level", "secret"});
  EXPECT_EQ(unknown.exit_code, 1) << Describe({"change-confidentiality"}, unknown);
  EXPECT_TRUE(absl::StrContains(unknown.err, "--level")) << unknown.err;
}

TEST_F(CliTest, SecurityStatusShowsTheLimitsPerCaller) {
  // The server's defaults (docs/security.md, Limits per caller).
  const std::string out = CliOk({"security-status"});
  const std::map<std::string, std::string> expected = {
      {"feed streams", "0 open of 1000"},
      {"streams per principal", "100 (admins exempt)"},
      {"reserved streams", "50 (for admins and auditors)"},
      {"streams refused", "0"},
      {"streams revoked", "0"},
      {"rate limit", "200 calls/s per principal, bursts of 400 (admins exempt)"},
      {"rate-limited calls", "0"},
      {"token failures", "10 slow an address down (window 1m)"},
      {"slowdown", "1s, doubling up to 5m"},
      {"slowed down", "0 addresses now, 0 slowdowns, 0 calls refused unchecked"},
  };
  for (const auto& [key, value] : expected) {
    EXPECT_EQ(ShownValue(out, key), value) << key << "\n" << out;
  }
}

constexpr char kAliceSan[] = "spiffe://registry/alice";
constexpr char kAuditorToken[] = "tok-auditor-cli-3f9a1c";
constexpr char kReaderToken[] = "tok-reader-cli-8d2e7b";
constexpr char kRegistrarToken[] = "tok-registrar-cli-5c4b0a";

// The server with security on: TLS with a certificate for localhost and 127.0.0.1,
// client certificates from the same test CA verified when presented (optional), a
// policy granting alice's certificate registrar:energy, and a token file with an
// auditor, a reader and a registrar. Certificates are generated for each test.
class SecureCliTest : public CliTest {
 protected:
  void ConfigureServer() override {
    using agreements::testing::CertUsage;
    const absl::StatusOr<agreements::testing::CertAndKey> ca =
        agreements::testing::MakeCa("CLI Test CA");
    ASSERT_TRUE(ca.ok()) << ca.status();
    agreements::testing::LeafOptions server_options;
    server_options.common_name = "registry";
    server_options.sans = {"DNS:localhost", "IP:127.0.0.1"};
    server_options.usage = CertUsage::kServer;
    const auto server = agreements::testing::MakeLeaf(*ca, server_options);
    ASSERT_TRUE(server.ok()) << server.status();
    agreements::testing::LeafOptions alice_options;
    alice_options.common_name = "Alice Registrar";
    alice_options.sans = {absl::StrCat("URI:", kAliceSan)};
    alice_options.usage = CertUsage::kClient;
    const auto alice = agreements::testing::MakeLeaf(*ca, alice_options);
    ASSERT_TRUE(alice.ok()) << alice.status();

    ca_path_ = WritePem("ca.pem", ca->cert_pem);
    alice_cert_path_ = WritePem("alice.pem", alice->cert_pem);
    alice_key_path_ = WritePem("alice.key", alice->key_pem);
    const std::string tokens = absl::StrCat(
        "sha256:", security::TokenDigest(kAuditorToken), " auditor-1 auditor\n",
        "sha256:", security::TokenDigest(kReaderToken), " reader-1 reader\n",
        "sha256:", security::TokenDigest(kRegistrarToken), " registrar-1 registrar\n");
    server_flags_ = {
        absl::StrCat("--tls_cert=", WritePem("server.pem", server->cert_pem)),
        absl::StrCat("--tls_key=", WritePem("server.key", server->key_pem)),
        absl::StrCat("--tls_client_ca=", ca_path_),
        "--tls_client_auth=optional",
        absl::StrCat("--tokens=", WritePem("tokens", tokens)),
        absl::StrCat("--policy=",
                     WritePem("policy", absl::StrCat(kAliceSan, " registrar:energy\n")))};
    probe_flags_ = {"--tls-ca", ca_path_};
  }

  // Writes `text` to the test's directory with mode 0600; returns the path.
  std::string WritePem(const std::string& name, const std::string& text) {
    const std::string path = absl::StrCat(temp_dir_, "/", name);
    const absl::Status status = agreements::testing::WritePem(path, text);
    EXPECT_TRUE(status.ok()) << status;
    return path;
  }

  std::string ca_path_;
  std::string alice_cert_path_;
  std::string alice_key_path_;
};

TEST_F(SecureCliTest, ClientCertificateAuthenticatesWhoAmI) {
  const std::vector<std::string> whoami = {"--tls-ca",       ca_path_,    "--tls-cert",
                                           alice_cert_path_, "--tls-key", alice_key_path_,
                                           "whoami"};
  std::string out = CliOk(whoami);
  EXPECT_EQ(ShownValue(out, "principal"), kAliceSan) << out;
  EXPECT_EQ(ShownValue(out, "method"), "client_certificate") << out;
  EXPECT_EQ(ShownValue(out, "roles"), "registrar (energy)") << out;

  // The certificate names localhost too; --tls-server-name verifies that name instead.
  std::vector<std::string> named = {"--tls-server-name", "localhost"};
  named.insert(named.end(), whoami.begin(), whoami.end());
  out = CliOk(named);
  EXPECT_EQ(ShownValue(out, "principal"), kAliceSan) << out;

  // Plaintext against the TLS port fails the connection.
  ProcessResult result = Cli({"whoami"});
  EXPECT_NE(result.exit_code, 0) << Describe({"whoami (plaintext)"}, result);
  EXPECT_TRUE(absl::StartsWith(result.err, "error: UNAVAILABLE: ")) << result.err;
  EXPECT_FALSE(absl::StrContains(result.out, kAliceSan)) << result.out;

  // The client certificate without --tls-ca: TLS with the system roots, which do not
  // trust the test CA.
  result = Cli({"--tls-cert", alice_cert_path_, "--tls-key", alice_key_path_, "whoami"});
  EXPECT_NE(result.exit_code, 0) << Describe({"whoami (no --tls-ca)"}, result);
  EXPECT_TRUE(absl::StrContains(result.err, "error: UNAVAILABLE: ")) << result.err;
  EXPECT_FALSE(absl::StrContains(result.out, kAliceSan)) << result.out;

  // A server name the certificate does not carry fails verification.
  result = Cli({"--tls-server-name", "other.example", "--tls-ca", ca_path_, "whoami"});
  EXPECT_NE(result.exit_code, 0) << Describe({"whoami (wrong server name)"}, result);
  EXPECT_TRUE(absl::StrContains(result.err, "other.example")) << result.err;
}

TEST_F(SecureCliTest, TokenOverTlsFromTheEnvironment) {
  const std::string token_file = WritePem("auditor.token", kAuditorToken);
  const ScopedEnv ca("AGREEMENTS_TLS_CA", ca_path_);
  const ScopedEnv token("AGREEMENTS_TOKEN_FILE", token_file);

  const std::string out = CliOk({"whoami"});
  EXPECT_EQ(ShownValue(out, "principal"), "auditor-1") << out;
  EXPECT_EQ(ShownValue(out, "method"), "bearer_token") << out;
  EXPECT_EQ(ShownValue(out, "roles"), "auditor") << out;

  const ProcessResult status = Cli({"security-status"});
  EXPECT_EQ(status.exit_code, 7) << Describe({"security-status"}, status);
  EXPECT_TRUE(absl::StartsWith(status.err, "error: PERMISSION_DENIED: ")) << status.err;
  EXPECT_TRUE(absl::StrContains(status.err, "missing permission security.read"))
      << status.err;
}

TEST_F(SecureCliTest, ReaderTokenCannotRecord) {
  const std::vector<std::string> registrar = {"--tls-ca", ca_path_, "--token",
                                              kRegistrarToken};
  const std::vector<std::string> reader = {"--tls-ca", ca_path_, "--token-file",
                                           WritePem("reader.token", kReaderToken)};
  const auto as = [](std::vector<std::string> credentials,
                     const std::vector<std::string>& command) {
    credentials.insert(credentials.end(), command.begin(), command.end());
    return credentials;
  };
  for (const auto& [id, country] : {std::pair<const char*, const char*>{"kz", "KZ"},
                                    std::pair<const char*, const char*>{"kr", "KR"}}) {
    CliOk(as(registrar, {"party", "register", "--id", id, "--type", "state", "--country",
                         country, "--name", absl::StrCat("en:", country)}));
  }
  const std::vector<std::string> record = {"record",
                                           "--id",
                                           "kz-kr-energy-2009",
                                           "--designation",
                                           "Agreement",
                                           "--kind",
                                           "agreement",
                                           "--nature",
                                           "binding_international",
                                           "--arity",
                                           "bilateral",
                                           "--title",
                                           "en:Energy agreement",
                                           "--sector",
                                           "energy",
                                           "--party",
                                           "kz",
                                           "--party",
                                           "kr"};

  const ProcessResult denied = Cli(as(reader, record));
  EXPECT_EQ(denied.exit_code, 7) << Describe(record, denied);
  EXPECT_TRUE(absl::StartsWith(denied.err, "error: PERMISSION_DENIED: ")) << denied.err;
  EXPECT_TRUE(absl::StrContains(denied.err, "missing permission agreements.write"))
      << denied.err;
  const ProcessResult missing = Cli(as(reader, {"get", "kz-kr-energy-2009"}));
  EXPECT_EQ(missing.exit_code, 3) << Describe({"get"}, missing);
  EXPECT_TRUE(absl::StartsWith(missing.err, "error: NOT_FOUND: ")) << missing.err;

  // The same command with the registrar's token is committed, and the reader sees it.
  CliOk(as(registrar, record));
  const std::string shown = CliOk(as(reader, {"get", "kz-kr-energy-2009"}));
  EXPECT_TRUE(absl::StrContains(shown, "kz-kr-energy-2009")) << shown;
}

TEST(CliHelpTest, HelpListsCommands) {
  const ProcessResult result = RunProcess({kCliPath, "--help"});
  EXPECT_EQ(result.exit_code, 0);
  for (const char* command :
       {"record", "sign", "consent", "enter-into-force", "terminate", "party register",
        "load", "summary", "apply", "change-confidentiality", "watch", "watch-sector"}) {
    EXPECT_TRUE(absl::StrContains(result.out, command)) << command;
  }
  const ProcessResult sign = RunProcess({kCliPath, "help", "sign"});
  EXPECT_EQ(sign.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(sign.out, "--expected-revision")) << sign.out;
}

}  // namespace
}  // namespace agreements::cli_test

namespace agreements::cli_test {
namespace {

// The online rebuild of a view: a new copy is swapped in while the server serves, the
// views then equal a rebuild from the log (checked offline after a stop), and the new
// generation is the one a restarted server reads.
TEST_F(CliTest, RebuildViewSwapsInANewCopyWhileTheServerServes) {
  RegisterStates();
  for (int i = 0; i < 5; ++i) RecordBilateral(absl::StrCat("rv-", i), "energy");

  const std::string out = CliOk({"rebuild-view", "agreements"});
  EXPECT_EQ(ShownValue(out, "families replaced"), "agreements, agreement_index") << out;
  EXPECT_EQ(ShownValue(out, "events replayed"), "7") << out;
  EXPECT_EQ(GetAgreement("rv-3").id(), "rv-3");
  RecordBilateral("rv-after", "energy");
  EXPECT_EQ(GetAgreement("rv-after").revision(), 1u);
  EXPECT_TRUE(absl::StrContains(CliOk({"list", "--sector", "energy"}), "rv-after"));

  const ProcessResult refused = Cli({"rebuild-view", "log"});
  EXPECT_EQ(refused.exit_code, 6) << Describe({"rebuild-view", "log"}, refused);
  EXPECT_TRUE(absl::StrContains(refused.err, "INVALID_ARGUMENT")) << refused.err;
  EXPECT_TRUE(absl::StrContains(refused.err, "family")) << refused.err;

  ASSERT_EQ(StopServer(SIGTERM), 0);
  const ProcessResult check =
      RunProcess({AGREEMENTS_ADMIN_PATH, "rebuild", "--data_dir", data_dir_});
  EXPECT_EQ(check.exit_code, 0) << Describe({"agreements-admin", "rebuild"}, check);
  EXPECT_TRUE(absl::StrContains(check.out, ": 0 differences")) << check.out;
  StartServer();
  EXPECT_EQ(GetAgreement("rv-after").id(), "rv-after");
}

}  // namespace
}  // namespace agreements::cli_test
