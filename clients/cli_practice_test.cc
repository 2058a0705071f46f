// End-to-end tests of the treaty-practice commands and flags of the `agreements` CLI
// against the real server (the CliTest fixture of cli_test_util.h): withdrawal clauses
// and rejoining, a party's agreements on a date, identifiers and lookup, registration
// with the UN Secretariat, reservations, depositaries, dates that contradict recorded
// ones, terms and their extension, former states and succession.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agreements/v1/audit_service.pb.h"
#include "agreements/v1/events.pb.h"
#include "agreements/v1/party.pb.h"
#include "agreements/v1/query_service.pb.h"
#include "clients/cli_test_util.h"
#include "gtest/gtest.h"

namespace agreements::cli_test {
namespace {

// Treaty practice on multilateral treaties among kz, kr and fr (and un-sg, a depositary
// that is no participant).
class PracticeCliTest : public CliTest {
 protected:
  void RegisterParties() {
    RegisterStates();
    CliOk({"party", "register", "--id", "fr", "--type", "state", "--country", "FR",
           "--name", "en:French Republic"});
    CliOk({"party", "register", "--id", "un-sg", "--type", "international_organization",
           "--name", "en:Secretary-General of the United Nations"});
  }

  // Records a multilateral convention among kz, kr and fr, negotiating, with `extra`
  // flags for record.
  void RecordConvention(const std::string& id, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"record",
                                     "--id",
                                     id,
                                     "--designation",
                                     "Convention",
                                     "--kind",
                                     "convention",
                                     "--nature",
                                     "binding_international",
                                     "--arity",
                                     "multilateral",
                                     "--title",
                                     absl::StrCat("en:Convention ", id),
                                     "--sector",
                                     "governance",
                                     "--party",
                                     "kz",
                                     "--party",
                                     "kr",
                                     "--party",
                                     "fr",
                                     "--initial-status",
                                     "negotiating"};
    args.insert(args.end(), extra.begin(), extra.end());
    CliOk(args);
  }

  // Adopted 2019-01-15, opened 2019-02-01, signed by all 2019-03-01, ratified by all
  // 2019-06-01, in force 2019-09-01.
  void BringIntoForce(const std::string& id) {
    CliOk({"adopt-text", id, "--date", "2019-01-15"});
    CliOk({"open-for-signature", id, "--date", "2019-02-01", "--place", "Vienna"});
    for (const char* party : {"kz", "kr", "fr"}) {
      CliOk({"sign", id, "--party", party, "--date", "2019-03-01"});
      CliOk({"consent", id, "--party", party, "--means", "ratification", "--date",
             "2019-06-01"});
    }
    CliOk({"enter-into-force", id, "--date", "2019-09-01"});
    ASSERT_EQ(GetAgreement(id).status(), v1::AGREEMENT_STATUS_IN_FORCE);
  }

  // The ids listed by `list ... -o json`.
  std::vector<std::string> ListedIds(std::vector<std::string> args) {
    args.insert(args.begin(), {"-o", "json", "--proto-json", "list"});
    const auto listed = ParseJsonOrDie<v1::ListAgreementsResponse>(CliOk(args));
    std::vector<std::string> ids;
    for (const v1::Agreement& a : listed.agreements()) ids.push_back(a.id());
    return ids;
  }
};

const v1::Participation& ParticipationOf(const v1::Agreement& agreement,
                                         const std::string& party) {
  for (const v1::Participation& p : agreement.participations()) {
    if (p.party_id() == party) return p;
  }
  ADD_FAILURE() << "no participant " << party << " in " << agreement.id();
  return v1::Participation::default_instance();
}

// The table rows that start with `first`, each split at runs of spaces (a cell that
// holds spaces comes out as several).
std::vector<std::vector<std::string>> RowsOf(const std::string& table,
                                             const std::string& first) {
  std::vector<std::vector<std::string>> rows;
  for (absl::string_view line : absl::StrSplit(table, '\n')) {
    std::vector<std::string> cells = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (!cells.empty() && cells[0] == first) rows.push_back(std::move(cells));
  }
  return rows;
}

// The first of them; empty when there is none.
std::vector<std::string> RowOf(const std::string& table, const std::string& first) {
  std::vector<std::vector<std::string>> rows = RowsOf(table, first);
  return rows.empty() ? std::vector<std::string>() : rows[0];
}

bool IsDay(const v1::Date& date, int year, int month, int day) {
  return date.year() == year && date.month() == month && date.day() == day &&
         date.precision() == v1::DATE_PRECISION_DAY;
}

// A withdrawal notified without its date takes effect under the treaty's clause; the
// state that left consents again and its earlier period is kept.
TEST_F(PracticeCliTest, WithdrawalUnderTheClauseAndRejoining) {
  RegisterParties();
  RecordConvention(
      "vclt", {"--withdrawal-notice", "1y:end_of_calendar_year", "--withdrawal-article",
               "art. 70", "--identifier", "UNTS:I-4739"});
  BringIntoForce("vclt");
  const v1::Agreement recorded = GetAgreement("vclt");
  EXPECT_EQ(recorded.withdrawal_clause().period().years(), 1);
  EXPECT_EQ(recorded.withdrawal_clause().counting(),
            v1::NOTICE_COUNTING_END_OF_CALENDAR_YEAR);
  EXPECT_EQ(recorded.withdrawal_clause().article(), "art. 70");
  ASSERT_EQ(recorded.identifiers_size(), 1);
  EXPECT_EQ(recorded.identifiers(0).scheme(), "UNTS");
  EXPECT_EQ(recorded.identifiers(0).value(), "I-4739");

  // Notified 2020-03-10: one year's notice expires in 2021, so it takes effect on 31
  // December 2021 (the year following that of the notice).
  CliOk({"withdraw", "vclt", "--party", "kr", "--date", "2020-03-10"});
  const v1::Participation pending = ParticipationOf(GetAgreement("vclt"), "kr");
  EXPECT_EQ(pending.status(), v1::PARTICIPATION_STATUS_WITHDRAWAL_PENDING);
  EXPECT_TRUE(IsDay(pending.withdrawal().takes_effect_on(), 2021, 12, 31))
      << pending.withdrawal().DebugString();
  EXPECT_EQ(pending.withdrawal().takes_effect_basis(),
            v1::EFFECTIVE_DATE_BASIS_TREATY_CLAUSE);
  const std::string shown = CliOk({"get", "vclt"});
  EXPECT_EQ(ShownValue(shown, "withdrawal clause"),
            "1y notice, end_of_calendar_year (art. 70)")
      << shown;
  EXPECT_EQ(ShownValue(shown, "identifiers"), "UNTS:I-4739") << shown;

  CliOk({"withdrawal-effective", "vclt", "--party", "kr", "--date", "2021-12-31"});
  EXPECT_EQ(ParticipationOf(GetAgreement("vclt"), "kr").status(),
            v1::PARTICIPATION_STATUS_FORMER_PARTY);
  CliOk({"consent", "vclt", "--party", "kr", "--means", "accession", "--date",
         "2022-06-01"});
  CliOk({"enter-into-force", "vclt", "--party", "kr", "--date", "2022-07-01"});
  const v1::Participation rejoined = ParticipationOf(GetAgreement("vclt"), "kr");
  EXPECT_EQ(rejoined.status(), v1::PARTICIPATION_STATUS_PARTY);
  EXPECT_TRUE(IsDay(rejoined.in_force_from(), 2022, 7, 1));
  ASSERT_EQ(rejoined.previous_periods_size(), 1);
  EXPECT_EQ(rejoined.previous_periods(0).status(), v1::PARTICIPATION_STATUS_FORMER_PARTY);
  EXPECT_TRUE(IsDay(rejoined.previous_periods(0).left_on(), 2021, 12, 31));
  const std::vector<std::string> row = RowOf(CliOk({"get", "vclt"}), "kr");
  ASSERT_GE(row.size(), 2u);
  EXPECT_EQ(row[row.size() - 2], "1") << "prev periods";  // then reservations: "-"

  // kr also signed a second convention, which is not in force.
  RecordConvention("later");
  CliOk({"adopt-text", "later", "--date", "2020-01-15"});
  CliOk({"sign", "later", "--party", "kr", "--date", "2020-05-01"});

  const auto on = [this](const std::string& date, std::vector<std::string> filters) {
    std::vector<std::string> args = {"-o",      "json", "--proto-json", "list",
                                     "--party", "kr",   "--on",         date};
    args.insert(args.end(), filters.begin(), filters.end());
    return ParseJsonOrDie<v1::ListPartyAgreementsOnResponse>(CliOk(args));
  };
  const auto in_force = on("2021-03-01", {"--party-status", "in_force"});
  ASSERT_EQ(in_force.agreements_size(), 1);
  EXPECT_EQ(in_force.agreements(0).agreement_id(), "vclt");
  EXPECT_TRUE(in_force.agreements(0).participant().in_force_for());
  EXPECT_EQ(in_force.agreements(0).participant().status(),
            v1::PARTICIPATION_STATUS_WITHDRAWAL_PENDING);
  EXPECT_EQ(in_force.total_count(), 1);
  EXPECT_EQ(on("2022-03-01", {"--party-status", "in_force"}).agreements_size(), 0);
  const auto withdrew = on("2022-03-01", {"--party-status", "withdrew"});
  ASSERT_EQ(withdrew.agreements_size(), 1);
  EXPECT_EQ(withdrew.agreements(0).participant().period(), 1);
  const auto again = on("2023-01-01", {"--party-status", "in_force"});
  ASSERT_EQ(again.agreements_size(), 1);
  EXPECT_EQ(again.agreements(0).participant().period(), 2);
  const auto paged = on("2021-03-01", {"--page-size", "1", "--all"});
  ASSERT_EQ(paged.agreements_size(), 2);
  EXPECT_EQ(paged.agreements(0).agreement_id(), "later");
  EXPECT_EQ(paged.agreements(0).participant().status(),
            v1::PARTICIPATION_STATUS_SIGNATORY);
  EXPECT_EQ(paged.total_count(), 2);

  const std::string table = CliOk(
      {"list", "--party", "kr", "--party-status", "in_force", "--on", "2021-03-01"});
  EXPECT_TRUE(absl::StrContains(table, "1 agreement\n")) << table;
  EXPECT_EQ(RowOf(table, "vclt"),
            (std::vector<std::string>{"vclt", "in_force", "withdrawal_pending", "yes",
                                      "no", "1", "-"}))
      << table;
  EXPECT_EQ(CliOk({"list", "--party", "kr", "--party-status", "in_force", "--on",
                   "2021-03-01", "--count", "-o", "jsonl"}),
            "{\"count\":1}\n");
  EXPECT_EQ(CliOk({"list", "--party", "kr", "--on", "2021-03-01", "--count"}), "2\n");
  // Now, without a date: the query service.
  EXPECT_EQ(ListedIds({"--party", "kr", "--party-status", "signed"}),
            std::vector<std::string>{"later"});
  EXPECT_EQ(ListedIds({"--party", "kr", "--party-status", "in_force"}),
            std::vector<std::string>{"vclt"});
  EXPECT_EQ(CliOk({"list", "--party", "kr", "--count", "--page-size", "1"}), "2\n");

  const auto found = ParseJsonOrDie<v1::LookupAgreementResponse>(
      CliOk({"lookup", "UNTS:I-4739", "-o", "json", "--proto-json"}));
  EXPECT_EQ(found.agreement().id(), "vclt");
  EXPECT_EQ(ShownValue(CliOk({"lookup", "UNTS:I-4739"}), "id"), "vclt");
  const ProcessResult missing = Cli({"lookup", "UNTS:I-1"});
  EXPECT_EQ(missing.exit_code, 3) << Describe({"lookup"}, missing);
  EXPECT_TRUE(absl::StartsWith(missing.err, "error: NOT_FOUND: ")) << missing.err;
}

// Registration clears the compliance list; reservations hold on the dates they are in
// effect; a depositary is found by its role, not as a participant.
TEST_F(PracticeCliTest, RegistrationReservationsAndDepositaries) {
  RegisterParties();
  RecordConvention("paris");
  BringIntoForce("paris");
  EXPECT_EQ(ListedIds({"--registration-due"}), std::vector<std::string>{"paris"});
  CliOk({"register-un", "paris", "--number", "I-54113", "--date", "2019-10-01",
         "--submitted-by", "un-sg"});
  CliOk({"record-publication", "paris", "--number", "I-54113", "--volume", "3156",
         "--page", "79"});
  EXPECT_TRUE(ListedIds({"--registration-due"}).empty());
  const v1::Agreement registered = GetAgreement("paris");
  ASSERT_EQ(registered.registrations_size(), 1);
  EXPECT_EQ(registered.registrations(0).kind(), v1::REGISTRATION_KIND_REGISTRATION);
  EXPECT_EQ(registered.registrations(0).unts_volume(), 3156);
  EXPECT_EQ(registered.registrations(0).unts_page(), 79);
  EXPECT_EQ(ParseJsonOrDie<v1::LookupAgreementResponse>(
                CliOk({"lookup", "UNTS:I-54113", "-o", "json", "--proto-json"}))
                .agreement()
                .id(),
            "paris");
  EXPECT_TRUE(absl::StrContains(CliOk({"get", "paris"}), "vol. 3156, p. 79"));

  CliOk({"reserve", "paris", "--party", "fr", "--id", "r1", "--kind", "reservation",
         "--text", "Article 66 does not bind it", "--article", "art. 66", "--date",
         "2019-06-01"});
  CliOk({"reserve", "paris", "--party", "kz", "--id", "o1", "--kind", "objection",
         "--objects-to", "fr:r1", "--date", "2019-07-01"});
  const std::string status =
      CliOk({"audit", "status-on", "paris", "--date", "2020-01-01"});
  EXPECT_EQ(ShownValue(status, "in force"), "yes") << status;
  EXPECT_EQ(RowOf(status, "fr"),
            (std::vector<std::string>{"fr", "party", "yes", "no", "1", "-"}))
      << status;
  EXPECT_TRUE(absl::StrContains(status, "Reservations in effect")) << status;
  // The participant's row, then its reservations.
  const auto fr_rows = RowsOf(status, "fr");
  ASSERT_EQ(fr_rows.size(), 2u) << status;
  EXPECT_EQ(fr_rows[1], (std::vector<std::string>{"fr", "r1", "reservation", "art.", "66",
                                                  "2019-06-01", "-"}));
  const auto kz_rows = RowsOf(status, "kz");
  ASSERT_EQ(kz_rows.size(), 2u) << status;
  EXPECT_EQ(kz_rows[1], (std::vector<std::string>{"kz", "o1", "objection", "-",
                                                  "2019-07-01", "fr:r1"}));

  CliOk({"withdraw-reservation", "paris", "--party", "fr", "--reservation", "r1",
         "--date", "2020-06-01"});
  const auto reservations_on = [this](const std::string& date) {
    const auto response = ParseJsonOrDie<v1::GetLegalStatusOnResponse>(CliOk(
        {"-o", "json", "--proto-json", "audit", "status-on", "paris", "--date", date}));
    std::vector<std::string> ids;
    for (const v1::ParticipantLegalStatus& p : response.participants()) {
      for (const v1::Reservation& r : p.reservations()) {
        ids.push_back(absl::StrCat(p.party_id(), ":", r.id()));
      }
    }
    return ids;
  };
  EXPECT_EQ(reservations_on("2020-01-01"), (std::vector<std::string>{"kz:o1", "fr:r1"}));
  EXPECT_EQ(reservations_on("2021-01-01"), std::vector<std::string>{"kz:o1"});

  CliOk({"designate-depositary", "paris", "--party", "un-sg", "--date", "2019-01-15",
         "--article", "art. 26"});
  CliOk({"depositary-notification", "paris", "--depositary", "un-sg", "--reference",
         "C.N.575.2019.TREATIES-XXVII.7.d", "--date", "2019-06-05", "--subject",
         "ratification by fr", "--party", "fr"});
  EXPECT_TRUE(ListedIds({"--party", "un-sg"}).empty());
  EXPECT_EQ(ListedIds({"--party", "un-sg", "--party-role", "depositary"}),
            std::vector<std::string>{"paris"});
  EXPECT_EQ(ListedIds({"--depositary", "un-sg"}), std::vector<std::string>{"paris"});
  const v1::Agreement with_depositary = GetAgreement("paris");
  ASSERT_EQ(with_depositary.depositaries_size(), 1);
  EXPECT_EQ(with_depositary.depositaries(0).article(), "art. 26");
  ASSERT_EQ(with_depositary.depositaries(0).notifications_size(), 1);
  EXPECT_EQ(with_depositary.depositaries(0).notifications(0).party_id(), "fr");
  EXPECT_EQ(RowOf(CliOk({"get", "paris"}), "un-sg"),
            (std::vector<std::string>{"un-sg", "2019-01-15", "art.", "26", "1"}));
}

// A date before one already recorded is refused, naming both, unless a source confirms
// it; the source is kept in the event.
TEST_F(PracticeCliTest, ContradictoryDatesNeedASource) {
  RegisterParties();
  RecordConvention("c1");
  CliOk({"adopt-text", "c1", "--date", "2019-01-15"});
  const ProcessResult refused =
      Cli({"sign", "c1", "--party", "kz", "--date", "2018-12-01"});
  EXPECT_EQ(refused.exit_code, 6) << Describe({"sign"}, refused);
  EXPECT_TRUE(absl::StartsWith(refused.err, "error: INVALID_ARGUMENT: ")) << refused.err;
  EXPECT_TRUE(absl::StrContains(refused.err, "2018-12-01")) << refused.err;
  EXPECT_TRUE(absl::StrContains(refused.err, "2019-01-15")) << refused.err;
  EXPECT_TRUE(absl::StrContains(refused.err, "dates_confirmed_by")) << refused.err;
  EXPECT_EQ(GetAgreement("c1").revision(), 2u);

  const ProcessResult empty = Cli({"sign", "c1", "--party", "kz", "--date", "2018-12-01",
                                   "--dates-confirmed-by", ""});
  EXPECT_EQ(empty.exit_code, 1) << Describe({"sign"}, empty);
  EXPECT_TRUE(absl::StrContains(empty.err, "--dates-confirmed-by")) << empty.err;

  CliOk({"sign", "c1", "--party", "kz", "--date", "2018-12-01", "--dates-confirmed-by",
         "UNTC, C.N.12.2019"});
  const v1::Agreement signed_early = GetAgreement("c1");
  EXPECT_EQ(signed_early.revision(), 3u);
  EXPECT_TRUE(IsDay(ParticipationOf(signed_early, "kz").signature().date(), 2018, 12, 1));
  const auto history = ParseJsonOrDie<v1::ListHistoryResponse>(
      CliOk({"-o", "json", "--proto-json", "audit", "history", "c1"}));
  ASSERT_EQ(history.events_size(), 3);
  EXPECT_EQ(history.events(2).payload().dates_confirmed_by(), "UNTC, C.N.12.2019");
}

// Provisional application under the treaty's clause: by a state that has not signed,
// ended by a notice whose effect the server derives, and by a declaration of
// non-participation that names the end.
TEST_F(PracticeCliTest, ProvisionalApplicationEndsByNotice) {
  RegisterParties();
  RecordConvention("pa", {"--pa-termination-notice", "60d",
                          "--pa-open-to-non-signatories", "--pa-article", "art. 45"});
  const v1::ProvisionalApplicationClause clause =
      GetAgreement("pa").provisional_application_clause();
  EXPECT_EQ(clause.termination_notice().period().days(), 60);
  EXPECT_EQ(clause.termination_notice().counting(), v1::NOTICE_COUNTING_AFTER_RECEIPT);
  EXPECT_TRUE(clause.open_to_non_signatories());
  EXPECT_EQ(clause.article(), "art. 45");
  // The value wraps after "non-signatories".
  const std::string shown = CliOk({"get", "pa"});
  EXPECT_EQ(ShownValue(shown, "provisional application clause"),
            "terminated by 60d notice, after_receipt; open to non-signatories")
      << shown;
  EXPECT_TRUE(absl::StrContains(shown, "non-signatories\n")) << shown;
  CliOk({"adopt-text", "pa", "--date", "2019-01-15"});
  CliOk({"sign", "pa", "--party", "kz", "--date", "2019-03-01"});
  CliOk({"provisional-apply", "pa", "--party", "kz", "--date", "2019-04-01"});
  CliOk({"provisional-apply", "pa", "--party", "kr", "--date", "2019-04-01"});
  EXPECT_EQ(ListedIds({"--party", "kr", "--party-status", "provisionally_applying"}),
            std::vector<std::string>{"pa"});
  const auto listed_on = [this](const std::string& flag) {
    std::vector<std::string> args = {"-o",     "json",      "--proto-json",
                                     "audit",  "in-force",  "governance",
                                     "--date", "2019-06-01"};
    if (!flag.empty()) args.push_back(flag);
    return ParseJsonOrDie<v1::ListInForceOnResponse>(CliOk(args)).agreements_size();
  };
  EXPECT_EQ(listed_on("--provisionally-applied"), 1);
  EXPECT_EQ(listed_on(""), 0);

  // 60 days' notice from 2019-10-01.
  CliOk(
      {"end-provisional-application", "pa", "--party", "kz", "--notified", "2019-10-01"});
  EXPECT_TRUE(
      IsDay(ParticipationOf(GetAgreement("pa"), "kz").provisional_application_ended_on(),
            2019, 11, 30));
  const auto history = ParseJsonOrDie<v1::ListHistoryResponse>(
      CliOk({"-o", "json", "--proto-json", "audit", "history", "pa"}));
  ASSERT_GT(history.events_size(), 0);
  const v1::ProvisionalApplicationTerminated& ended =
      history.events(history.events_size() - 1)
          .payload()
          .provisional_application_terminated();
  EXPECT_TRUE(IsDay(ended.notified_on(), 2019, 10, 1));
  EXPECT_EQ(ended.effective_date_basis(), v1::EFFECTIVE_DATE_BASIS_TREATY_CLAUSE);

  CliOk({"declare-non-participation", "pa", "--party", "kr", "--date", "2019-12-01",
         "--provisional-application-ends", "2019-12-31"});
  const v1::Participation kr = ParticipationOf(GetAgreement("pa"), "kr");
  EXPECT_EQ(kr.status(), v1::PARTICIPATION_STATUS_NOT_BECOMING_PARTY);
  EXPECT_TRUE(IsDay(kr.provisional_application_ended_on(), 2019, 12, 31));
  const auto applying_on = [this](const std::string& date) {
    return CliOk({"list", "--party", "kr", "--party-status", "provisionally_applying",
                  "--on", date, "--count"});
  };
  EXPECT_EQ(applying_on("2019-12-15"), "1\n");
  EXPECT_EQ(applying_on("2020-01-15"), "0\n");
}

// A term, its expiry due, its extension and its expiry; a former state and its
// successor.
TEST_F(PracticeCliTest, TermsFormerStatesAndSuccession) {
  RegisterParties();
  CliOk({"party", "register", "--id", "suhh", "--type", "state", "--former-country",
         "suhh", "--existed-until", "1991-12-25", "--name", "en:USSR"});
  CliOk({"party", "register", "--id", "ru", "--type", "state", "--country", "RU",
         "--existed-from", "1991-12-25", "--predecessor", "suhh:1991-12-25:continuation",
         "--name", "en:Russian Federation"});
  const v1::Party ussr =
      ParseJsonOrDie<v1::GetPartyResponse>(
          CliOk({"party", "get", "suhh", "-o", "json", "--proto-json"}))
          .party();
  EXPECT_EQ(ussr.former_country_code(), "SUHH");
  EXPECT_TRUE(ussr.country_code().empty());
  EXPECT_TRUE(IsDay(ussr.existed_until(), 1991, 12, 25));
  const v1::Party russia =
      ParseJsonOrDie<v1::GetPartyResponse>(
          CliOk({"party", "get", "ru", "-o", "json", "--proto-json"}))
          .party();
  ASSERT_EQ(russia.predecessors_size(), 1);
  EXPECT_EQ(russia.predecessors(0).party_id(), "suhh");
  EXPECT_EQ(russia.predecessors(0).kind(), v1::SUCCESSION_KIND_CONTINUATION);
  EXPECT_EQ(ShownValue(CliOk({"party", "get", "ru"}), "predecessor"),
            "suhh 1991-12-25 (continuation)");
  CliOk({"party", "update", "kz", "--existed-from", "1991-12-16"});
  const v1::Party kz = ParseJsonOrDie<v1::GetPartyResponse>(
                           CliOk({"party", "get", "kz", "-o", "json", "--proto-json"}))
                           .party();
  EXPECT_TRUE(IsDay(kz.existed_from(), 1991, 12, 16));
  EXPECT_EQ(kz.country_code(), "KZ");

  // A term that renews is only recorded here.
  RecordConvention("orbit", {"--term-expires", "2030-01-01", "--term-renews=5y",
                             "--term-max-renewals", "2"});
  const v1::Term renewing = GetAgreement("orbit").term();
  EXPECT_TRUE(IsDay(renewing.expires_on(), 2030, 1, 1));
  EXPECT_TRUE(renewing.renews_automatically());
  EXPECT_EQ(renewing.renewal_period().years(), 5);
  EXPECT_EQ(renewing.max_renewals(), 2);

  CliOk({"record",
         "--id",
         "space",
         "--designation",
         "Treaty",
         "--kind",
         "treaty",
         "--nature",
         "binding_international",
         "--arity",
         "multilateral",
         "--title",
         "en:Space",
         "--sector",
         "governance",
         "--party",
         "suhh",
         "--party",
         "ru",
         "--initial-status",
         "negotiating",
         "--term-duration",
         "10y",
         "--term-article",
         "art. XIV"});
  CliOk({"adopt-text", "space", "--date", "1980-01-01"});
  CliOk({"sign", "space", "--party", "suhh", "--date", "1980-03-01"});
  CliOk({"consent", "space", "--party", "suhh", "--means", "ratification", "--date",
         "1981-01-01"});
  CliOk({"enter-into-force", "space", "--date", "1982-01-01"});
  EXPECT_TRUE(IsDay(GetAgreement("space").expires_on(), 1992, 1, 1));
  CliOk({"notify-succession", "space", "--party", "ru", "--predecessor", "suhh",
         "--succession-date", "1991-12-25", "--notified", "1992-01-13"});

  // The term ran out on 1992-01-01 and nothing is recorded about it.
  std::string status = CliOk({"audit", "status-on", "space", "--date", "1993-06-01"});
  EXPECT_EQ(ShownValue(status, "in force"), "no") << status;
  EXPECT_TRUE(absl::StartsWith(ShownValue(status, "note"), "expiry_due")) << status;

  CliOk({"extend", "space", "--expires", "2010-01-01", "--agreed", "1991-06-01",
         "--basis", "exchange of notes"});
  const v1::Agreement extended = GetAgreement("space");
  EXPECT_TRUE(IsDay(extended.expires_on(), 2010, 1, 1));
  ASSERT_EQ(extended.extensions_size(), 1);
  EXPECT_EQ(extended.extensions(0).legal_basis(), "exchange of notes");
  status = CliOk({"audit", "status-on", "space", "--date", "1993-06-01"});
  EXPECT_EQ(ShownValue(status, "in force"), "yes") << status;
  EXPECT_EQ(ShownValue(status, "expires on"), "2010-01-01") << status;
  EXPECT_EQ(ShownValue(status, "note"), "") << status;
  EXPECT_EQ(RowOf(status, "ru"),
            (std::vector<std::string>{"ru", "party", "yes", "no", "1", "suhh"}))
      << status;

  CliOk({"expire", "space", "--date", "2010-01-01"});
  const v1::Agreement expired = GetAgreement("space");
  EXPECT_EQ(expired.status(), v1::AGREEMENT_STATUS_TERMINATED);
  EXPECT_EQ(expired.termination_ground(), v1::TERMINATION_GROUND_EXPIRY);

  CliOk({"add-identifier", "space", "CELEX:21967A0127(01)"});
  EXPECT_EQ(ParseJsonOrDie<v1::LookupAgreementResponse>(
                CliOk({"lookup", "CELEX:21967A0127(01)", "-o", "json", "--proto-json"}))
                .agreement()
                .id(),
            "space");
}

// An entry into force that binds only the participants it names; a treaty that admits no
// withdrawal; a state that ceased to exist without successors.
TEST_F(PracticeCliTest, BoundParticipantsNoWithdrawalAndCeasedStates) {
  RegisterParties();
  CliOk({"party", "register", "--id", "ddde", "--type", "state", "--former-country",
         "DDDE", "--existed-until", "1990-10-02", "--name",
         "en:German Democratic Republic"});
  RecordConvention("c1", {"--withdrawal-excluded"});
  CliOk({"add-participant", "c1", "--party", "ddde"});
  CliOk({"adopt-text", "c1", "--date", "1985-01-15"});
  CliOk({"open-for-signature", "c1", "--date", "1985-02-01"});
  for (const char* party : {"kz", "kr", "ddde"}) {
    CliOk({"consent", "c1", "--party", party, "--means", "accession", "--date",
           party == std::string("kz") ? "1992-06-01" : "1989-06-01"});
  }
  CliOk({"enter-into-force", "c1", "--date", "1993-01-01", "--bound", "kz", "--bound",
         "kr"});
  v1::Agreement c1 = GetAgreement("c1");
  EXPECT_EQ(ParticipationOf(c1, "kz").status(), v1::PARTICIPATION_STATUS_PARTY);
  EXPECT_EQ(ParticipationOf(c1, "ddde").status(), v1::PARTICIPATION_STATUS_CONTRACTING);
  CliOk({"participant-ceased", "c1", "--party", "ddde", "--date", "1990-10-03"});
  c1 = GetAgreement("c1");
  EXPECT_EQ(ParticipationOf(c1, "ddde").status(), v1::PARTICIPATION_STATUS_FORMER_PARTY);
  EXPECT_TRUE(IsDay(ParticipationOf(c1, "ddde").left_on(), 1990, 10, 3));

  const ProcessResult refused =
      Cli({"withdraw", "c1", "--party", "kz", "--date", "2000"});
  EXPECT_EQ(refused.exit_code, 5) << Describe({"withdraw"}, refused);
  EXPECT_TRUE(absl::StrContains(refused.err, "admits no withdrawal (VCLT 56(1))"))
      << refused.err;
  EXPECT_TRUE(c1.withdrawal_excluded());
}

// Flags the CLI refuses before anything is sent (exit status 1), naming the flag.
TEST(PracticeCliUsageTest, UsageErrorsNameTheFlag) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"list", "--party-status", "in_force"}, "--party-status"},
      {{"list", "--party", "kr", "--party-status", "ratified"}, "--party-status"},
      {{"list", "--party", "kr", "--party-status", "in_force", "--party-status",
        "provisionally_applying"},
       "--party-status"},
      {{"list", "--party", "kr", "--party-role", "guarantor"}, "--party-role"},
      {{"list", "--party", "kr", "--on", "2021", "--sector", "energy"}, "--sector"},
      {{"list", "--on", "2021"}, "--party"},
      {{"list", "--party", "kr", "--as-of", "0"}, "--as-of"},
      {{"list", "--count", "--page-token", "x"}, "--page-token"},
      {{"record", "--withdrawal-notice", "1x"}, "--withdrawal-notice"},
      {{"record", "--withdrawal-notice", "1y:sometime"}, "--withdrawal-notice"},
      {{"record", "--term-expires", "2030", "--term-duration", "5y"}, "--term-duration"},
      {{"record", "--term-renews=often"}, "--term-renews"},
      {{"record", "--identifier", "I-4739"}, "--identifier"},
      {{"party", "register", "--predecessor", "suhh:1991:merger"}, "--predecessor"},
      {{"reserve", "x", "--party", "fr", "--id", "o1", "--kind", "objection",
        "--objects-to", "fr", "--date", "2020"},
       "--objects-to"},
      {{"end-provisional-application", "x", "--party", "kz"}, "--date"},
      {{"lookup", "I-4739"}, "SCHEME:VALUE"},
      {{"enter-into-force", "x", "--date", "2020", "--party", "kz", "--bound", "kr"},
       "--bound"},
  };
  for (const auto& [args, flag] : cases) {
    // Nothing is sent: no server listens there.
    std::vector<std::string> argv = {kCliPath, "--server", "127.0.0.1:1"};
    argv.insert(argv.end(), args.begin(), args.end());
    const ProcessResult result = RunProcess(argv);
    EXPECT_EQ(result.exit_code, 1) << Describe(args, result);
    EXPECT_TRUE(absl::StrContains(result.err, flag)) << Describe(args, result);
  }
}

}  // namespace
}  // namespace agreements::cli_test
