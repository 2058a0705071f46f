// Treaty practice through the API, on a real server (127.0.0.1, port 0) over a real
// RocksDB: identifiers unique across the registry and looked up, depositaries apart from
// participants, a participant's own status in lists (now, on a legal date, as recorded
// at a position), registration compliance, answers on a date with their notes, and a
// store written before these rules existed, read and rebuilt byte for byte.
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "agreements/v1/audit_service.grpc.pb.h"
#include "agreements/v1/command_service.grpc.pb.h"
#include "agreements/v1/query_service.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "services/server.h"
#include "store/backup.h"
#include "store/rebuild.h"
#include "store/store.h"
#include "tests/test_support.h"

namespace agreements {
namespace {

namespace v1 = ::agreements::v1;
using testing::Day;
using testing::TempDir;

v1::Date Year(int year) {
  v1::Date date;
  date.set_year(year);
  date.set_precision(v1::DATE_PRECISION_YEAR);
  return date;
}

class TreatyPracticeTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(dir_.path()); }

  void Start(const std::string& data_dir, bool migrate = false) {
    services::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = data_dir;
    if (migrate) options.store.schema = store::SchemaPolicy::kMigrate;
    auto server = services::RegistryServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                   grpc::InsecureChannelCredentials());
    commands_ = v1::CommandService::NewStub(channel_);
    queries_ = v1::QueryService::NewStub(channel_);
    audit_ = v1::AuditService::NewStub(channel_);
  }

  void Stop() {
    commands_.reset();
    queries_.reset();
    audit_.reset();
    channel_.reset();
    server_.reset();
  }

  std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return context;
  }

  grpc::Status RegisterState(const std::string& id, const std::string& country) {
    v1::RegisterPartyResponse response;
    return commands_->RegisterParty(
        Context().get(), testing::StateParty("party-" + id, id, country), &response);
  }

  grpc::Status RecordTreaty(const std::string& id,
                            const std::vector<std::string>& parties,
                            const std::string& identifier = "") {
    v1::RecordAgreementRequest request;
    request.mutable_context()->set_request_id("record-" + id);
    v1::Agreement& a = *request.mutable_agreement();
    a.set_id(id);
    a.set_instrument_kind(v1::INSTRUMENT_KIND_CONVENTION);
    a.set_legal_nature(v1::LEGAL_NATURE_BINDING_INTERNATIONAL);
    a.set_arity(v1::ARITY_MULTILATERAL);
    v1::LocalizedText& title = *a.add_titles();
    title.set_language("en");
    title.set_text("Convention " + id);
    v1::Classification& c = *a.add_classifications();
    c.set_scheme(v1::CLASSIFICATION_SCHEME_REGISTRY_SECTOR);
    c.set_code("energy");
    for (const std::string& party : parties) {
      v1::Participation& p = *a.add_participations();
      p.set_party_id(party);
      p.add_roles(v1::PARTICIPANT_ROLE_PARTY);
    }
    if (!identifier.empty()) {
      std::pair<std::string, std::string> parts = absl::StrSplit(identifier, ':');
      v1::Identifier& i = *a.add_identifiers();
      i.set_scheme(parts.first);
      i.set_value(parts.second);
    }
    *a.mutable_withdrawal_clause()->mutable_period() = [] {
      v1::CalendarPeriod year;
      year.set_years(1);
      return year;
    }();
    v1::RecordAgreementResponse response;
    return commands_->RecordAgreement(Context().get(), request, &response);
  }

  grpc::Status Apply(const std::string& id, v1::EventPayload change) {
    v1::ApplyAgreementChangeRequest request;
    request.mutable_context()->set_request_id(absl::StrCat("change-", ++requests_));
    request.set_agreement_id(id);
    *request.mutable_change() = std::move(change);
    v1::ApplyAgreementChangeResponse response;
    return commands_->ApplyAgreementChange(Context().get(), request, &response);
  }

  void MustApply(const std::string& id, v1::EventPayload change) {
    grpc::Status status = Apply(id, change);
    ASSERT_TRUE(status.ok()) << status.error_message() << "\n"
                             << change.ShortDebugString();
  }

  static v1::EventPayload Signed(const std::string& party, const v1::Date& date) {
    v1::EventPayload p;
    p.mutable_participant_signed()->set_party_id(party);
    p.mutable_participant_signed()->mutable_signature()->set_kind(
        v1::SIGNATURE_KIND_SIMPLE);
    *p.mutable_participant_signed()->mutable_signature()->mutable_date() = date;
    return p;
  }
  static v1::EventPayload Consent(const std::string& party, v1::ConsentMeans means,
                                  const v1::Date& date) {
    v1::EventPayload p;
    p.mutable_consent_expressed()->set_party_id(party);
    p.mutable_consent_expressed()->mutable_consent()->set_means(means);
    *p.mutable_consent_expressed()->mutable_consent()->mutable_deposit_date() = date;
    return p;
  }
  static v1::EventPayload InForce(const std::string& party, const v1::Date& date) {
    v1::EventPayload p;
    p.mutable_entered_into_force()->set_party_id(party);
    *p.mutable_entered_into_force()->mutable_effective_date() = date;
    return p;
  }
  static v1::EventPayload Withdraw(const std::string& party, const v1::Date& date) {
    v1::EventPayload p;
    p.mutable_withdrawal_notified()->set_party_id(party);
    *p.mutable_withdrawal_notified()->mutable_withdrawal()->mutable_notified_on() = date;
    return p;
  }
  static v1::EventPayload Left(const std::string& party, const v1::Date& date) {
    v1::EventPayload p;
    p.mutable_withdrawal_took_effect()->set_party_id(party);
    *p.mutable_withdrawal_took_effect()->mutable_effective_date() = date;
    return p;
  }
  static v1::EventPayload Depositary(const std::string& party) {
    v1::EventPayload p;
    p.mutable_depositary_designated()->mutable_depositary()->set_party_id(party);
    return p;
  }
  static v1::EventPayload Registered(const std::string& number, const v1::Date& date) {
    v1::EventPayload p;
    v1::Registration& r = *p.mutable_registered_with_un()->mutable_registration();
    r.set_kind(v1::REGISTRATION_KIND_REGISTRATION);
    r.set_number(number);
    *r.mutable_date() = date;
    return p;
  }

  // t1: kz and kr parties since 1995; kr withdrew (effective 2003) and rejoined (2010);
  // jp signed only; pt its depositary.
  void RecordHistory() {
    for (const auto& [id, country] : std::vector<std::pair<std::string, std::string>>{
             {"kz", "KZ"}, {"kr", "KR"}, {"jp", "JP"}, {"pt", "PT"}}) {
      ASSERT_TRUE(RegisterState(id, country).ok());
    }
    ASSERT_TRUE(RecordTreaty("t1", {"kz", "kr", "jp"}, "UNTS:I-99001").ok());
    MustApply("t1", Depositary("pt"));
    MustApply("t1", Signed("kz", Day(1994, 12, 17)));
    MustApply("t1", Signed("kr", Day(1994, 12, 17)));
    MustApply("t1", Signed("jp", Day(1994, 12, 17)));
    MustApply("t1", Consent("kz", v1::CONSENT_MEANS_RATIFICATION, Day(1995, 2, 1)));
    MustApply("t1", Consent("kr", v1::CONSENT_MEANS_RATIFICATION, Day(1995, 3, 1)));
    MustApply("t1", InForce("", Day(1995, 6, 1)));
    MustApply("t1", Withdraw("kr", Day(2002, 1, 15)));
    MustApply("t1", Left("kr", Day(2003, 1, 15)));
    MustApply("t1", Consent("kr", v1::CONSENT_MEANS_ACCESSION, Day(2010, 5, 1)));
    MustApply("t1", InForce("kr", Day(2010, 6, 1)));
  }

  std::vector<std::string> ListIds(v1::ListAgreementsRequest request) {
    v1::ListAgreementsResponse response;
    grpc::Status status = queries_->ListAgreements(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> ids;
    for (const auto& a : response.agreements()) ids.push_back(a.id());
    return ids;
  }

  TempDir dir_;
  std::unique_ptr<services::RegistryServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CommandService::Stub> commands_;
  std::unique_ptr<v1::QueryService::Stub> queries_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
  int requests_ = 0;
};

TEST_F(TreatyPracticeTest, IdentifiersAreUniqueAcrossTheRegistryAndLookedUp) {
  RecordHistory();
  ASSERT_TRUE(RegisterState("fr", "FR").ok());
  grpc::Status taken = RecordTreaty("t2", {"fr"}, "UNTS:I-99001");
  EXPECT_EQ(taken.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(taken.error_message(),
            "identifier UNTS:I-99001 is already recorded for another agreement");
  EXPECT_EQ(RecordTreaty("t2", {"fr"}, "unts:i-99001").error_code(),
            grpc::StatusCode::ALREADY_EXISTS)
      << "identifiers are compared without regard to case";
  ASSERT_TRUE(RecordTreaty("t2", {"fr"}).ok()) << "nothing of the refused request stayed";
  // A registration number is an identifier of the scheme UNTS.
  grpc::Status twice = Apply("t2", [] {
    v1::EventPayload p;
    p.mutable_identifier_added()->mutable_identifier()->set_scheme("UNTS");
    p.mutable_identifier_added()->mutable_identifier()->set_value("I-99001");
    return p;
  }());
  EXPECT_EQ(twice.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  MustApply("t1", Registered("I-99001", Day(1996, 1, 10)));

  v1::LookupAgreementRequest lookup;
  lookup.mutable_identifier()->set_scheme("UNTS");
  lookup.mutable_identifier()->set_value("I-99001");
  v1::LookupAgreementResponse found;
  ASSERT_TRUE(queries_->LookupAgreement(Context().get(), lookup, &found).ok());
  EXPECT_EQ(found.agreement().id(), "t1");
  lookup.mutable_identifier()->set_value("I-1");
  grpc::Status missing = queries_->LookupAgreement(Context().get(), lookup, &found);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(missing.error_message(), "no agreement has identifier UNTS:I-1");
  lookup.mutable_identifier()->clear_scheme();
  EXPECT_EQ(queries_->LookupAgreement(Context().get(), lookup, &found).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(TreatyPracticeTest, ListsByAParticipantsOwnStatusAndByDepositary) {
  RecordHistory();
  v1::ListAgreementsRequest request;
  request.set_party_id("jp");
  request.add_party_statuses(v1::PARTICIPATION_STATUS_SIGNATORY);
  EXPECT_EQ(ListIds(request), std::vector<std::string>{"t1"}) << "signed, not ratified";
  request.set_party_id("kr");
  EXPECT_TRUE(ListIds(request).empty());
  request.clear_party_statuses();
  request.set_party_condition(v1::PARTY_CONDITION_IN_FORCE_FOR);
  EXPECT_EQ(ListIds(request), std::vector<std::string>{"t1"});
  request.set_party_id("jp");
  EXPECT_TRUE(ListIds(request).empty());
  // A depositary is not a participant.
  v1::ListAgreementsRequest by_party;
  by_party.set_party_id("pt");
  EXPECT_TRUE(ListIds(by_party).empty());
  v1::ListAgreementsRequest by_depositary;
  by_depositary.set_depositary_id("pt");
  EXPECT_EQ(ListIds(by_depositary), std::vector<std::string>{"t1"});
  // Standing filters need a participant.
  v1::ListAgreementsRequest orphan;
  orphan.set_party_condition(v1::PARTY_CONDITION_IN_FORCE_FOR);
  v1::ListAgreementsResponse response;
  grpc::Status status = queries_->ListAgreements(Context().get(), orphan, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(
      status.error_message(),
      "party_id: required with party_statuses or party_condition (whose standing?)");
}

TEST_F(TreatyPracticeTest, RegistrationDueIsTheComplianceList) {
  RecordHistory();
  v1::ListAgreementsRequest due;
  due.set_registration_due(true);
  EXPECT_EQ(ListIds(due), std::vector<std::string>{"t1"});
  MustApply("t1", Registered("I-99001", Day(1996, 1, 10)));
  EXPECT_TRUE(ListIds(due).empty());
}

TEST_F(TreatyPracticeTest, AParticipantsStatusOnADateAndAsRecordedThen) {
  RecordHistory();
  v1::ListPartyAgreementsOnRequest request;
  request.set_party_id("kr");
  request.set_party_condition(v1::PARTY_CONDITION_IN_FORCE_FOR);
  *request.mutable_date() = Day(2005, 1, 1);
  v1::ListPartyAgreementsOnResponse response;
  ASSERT_TRUE(audit_->ListPartyAgreementsOn(Context().get(), request, &response).ok());
  EXPECT_EQ(response.total_count(), 0) << "kr had left in 2003";
  *request.mutable_date() = Day(2011, 1, 1);
  ASSERT_TRUE(audit_->ListPartyAgreementsOn(Context().get(), request, &response).ok());
  ASSERT_EQ(response.total_count(), 1);
  ASSERT_EQ(response.agreements_size(), 1);
  const v1::PartyAgreementStatus& t1 = response.agreements(0);
  EXPECT_EQ(t1.agreement_id(), "t1");
  EXPECT_EQ(t1.participant().status(), v1::PARTICIPATION_STATUS_PARTY);
  EXPECT_EQ(t1.participant().period(), 2);
  EXPECT_TRUE(t1.participant().in_force_for());

  // As recorded before kr rejoined (transaction time) it was a former party even for
  // 2011.
  v1::GetAgreementResponse now;
  v1::GetAgreementRequest get;
  get.set_agreement_id("t1");
  ASSERT_TRUE(queries_->GetAgreement(Context().get(), get, &now).ok());
  request.mutable_as_of()->set_position(now.agreement().last_position() - 2);
  ASSERT_TRUE(audit_->ListPartyAgreementsOn(Context().get(), request, &response).ok());
  EXPECT_EQ(response.total_count(), 0);
  request.clear_party_condition();
  request.add_party_statuses(v1::PARTICIPATION_STATUS_FORMER_PARTY);
  ASSERT_TRUE(audit_->ListPartyAgreementsOn(Context().get(), request, &response).ok());
  EXPECT_EQ(response.total_count(), 1);
  EXPECT_EQ(response.position(), now.agreement().last_position() - 2);
  // Without a date: the status as recorded.
  request.clear_date();
  request.clear_as_of();
  request.clear_party_statuses();
  ASSERT_TRUE(audit_->ListPartyAgreementsOn(Context().get(), request, &response).ok());
  ASSERT_EQ(response.agreements_size(), 1);
  EXPECT_EQ(response.agreements(0).participant().status(),
            v1::PARTICIPATION_STATUS_PARTY);
  // The depositary is in none of them.
  request.set_party_id("pt");
  ASSERT_TRUE(audit_->ListPartyAgreementsOn(Context().get(), request, &response).ok());
  EXPECT_EQ(response.total_count(), 0);
  request.set_party_id("nobody");
  grpc::Status unknown =
      audit_->ListPartyAgreementsOn(Context().get(), request, &response);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(unknown.error_message(), "party \"nobody\" not found");
}

TEST_F(TreatyPracticeTest, StatusOnADateSaysWhatTheRecordLags) {
  RecordHistory();
  MustApply("t1", Withdraw("kz", Day(2020, 3, 1)));
  v1::GetLegalStatusOnRequest request;
  request.set_agreement_id("t1");
  *request.mutable_date() = Day(2022, 1, 1);
  v1::GetLegalStatusOnResponse response;
  ASSERT_TRUE(audit_->GetLegalStatusOn(Context().get(), request, &response).ok());
  EXPECT_TRUE(response.in_force());
  EXPECT_FALSE(response.provisionally_applied());
  ASSERT_EQ(response.notes_size(), 1);
  EXPECT_EQ(response.notes(0).kind(), v1::STATUS_NOTE_KIND_WITHDRAWAL_DUE);
  EXPECT_EQ(response.notes(0).text(),
            "withdrawal of kz due on 2021-03-01, not yet recorded");
  std::vector<std::string> participants;
  for (const auto& p : response.participants()) {
    participants.push_back(
        absl::StrCat(p.party_id(), "=", p.in_force_for() ? "in" : "out"));
  }
  EXPECT_EQ(absl::StrJoin(participants, " "), "kz=out kr=in jp=out")
      << "the depositary is not listed";
}

TEST_F(TreatyPracticeTest, ContradictoryDatesAreRefusedThroughTheApi) {
  RecordHistory();
  grpc::Status status = Apply("t1", InForce("jp", Day(1990, 1, 1)));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << "jp has not consented: " << status.error_message();
  MustApply("t1", Consent("jp", v1::CONSENT_MEANS_RATIFICATION, Day(2001, 1, 1)));
  status = Apply("t1", InForce("jp", Year(2000)));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(
      status.error_message(),
      "change.entered_into_force.effective_date: 2000 is before its consent "
      "(2001-01-01); if a source confirms both dates, name it in dates_confirmed_by");
  v1::EventPayload confirmed = InForce("jp", Year(2000));
  confirmed.set_dates_confirmed_by("depositary notification (test)");
  MustApply("t1", confirmed);
}

TEST_F(TreatyPracticeTest, RebuildReproducesTheNewViews) {
  RecordHistory();
  MustApply("t1", Registered("I-99001", Day(1996, 1, 10)));
  const std::string path = dir_.path();
  Stop();
  store::StoreOptions options;
  auto store = store::Store::Open(path, options);
  ASSERT_TRUE(store.ok()) << store.status();
  auto report = store::RebuildViews(store->get(), /*repair=*/false);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->difference_count, 0u) << absl::StrJoin(report->differences, "\n");
}

// A data directory written by the build before treaty practice (schema 5, events without
// a rules version), made by tests/testdata/make-v5-store.sh.
class MigrationTest : public TreatyPracticeTest {
 protected:
  void SetUp() override {
    const std::string command = absl::StrCat("tar -C ", fixture_.path(), " -xzf ",
                                             AGREEMENTS_TESTDATA_DIR, "/v5-store.tar.gz");
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    data_ = fixture_.path() + "/data";
  }

  uint64_t Rebuild() {
    store::StoreOptions options;
    options.schema = store::SchemaPolicy::kMigrate;
    auto store = store::Store::Open(data_, options);
    EXPECT_TRUE(store.ok()) << store.status();
    if (!store.ok()) return ~uint64_t{0};
    auto report = store::RebuildViews(store->get(), /*repair=*/false);
    EXPECT_TRUE(report.ok()) << report.status();
    if (!report.ok()) return ~uint64_t{0};
    EXPECT_GT(report->events, 40u);
    for (const std::string& difference : report->differences) ADD_FAILURE() << difference;
    return report->difference_count;
  }

  TempDir fixture_;
  std::string data_;
};

TEST_F(MigrationTest, OldEventsEvolveToTheSameViews) { EXPECT_EQ(Rebuild(), 0u); }

TEST_F(MigrationTest, AServerRefusesAnOldSchemaUntilMigrated) {
  services::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = data_;
  auto refused = services::RegistryServer::Start(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status())) << refused.status();
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "agreements-admin migrate"))
      << refused.status();
  // The refusal changed nothing: the admin tool backs up, then migrates.
  const std::string backup = fixture_.path() + "/before";
  const testing::CommandResult migrated = testing::RunCommand(absl::StrCat(
      AGREEMENTS_ADMIN_BIN, " migrate --data_dir=", data_, " --to=", backup));
  const std::string& output = migrated.output;
  ASSERT_EQ(migrated.exit_code, 0) << output;
  EXPECT_TRUE(absl::StrContains(output, "backed up into " + backup)) << output;
  EXPECT_TRUE(absl::StrContains(output, "from schema version 5 to 8")) << output;
  // The backup holds the old store as it was.
  auto listed = store::ListBackups(backup);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_TRUE(
      absl::StrContains(listed->front().manifest_json, "\"schema_version\": \"5\""))
      << listed->front().manifest_json;
  Start(data_);  // current now: no --migrate needed
  Stop();
  EXPECT_EQ(Rebuild(), 0u);
}

TEST_F(MigrationTest, OldHistoriesGiveTheSameAnswers) {
  Start(data_, /*migrate=*/true);
  std::ifstream expected(std::string(AGREEMENTS_TESTDATA_DIR) + "/v5-store.expected");
  std::string line;
  int lines = 0;
  while (std::getline(expected, line)) {
    std::vector<std::string> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
    ASSERT_GE(words.size(), 3u) << line;
    v1::GetLegalStatusOnRequest request;
    request.set_agreement_id(words[0]);
    std::vector<std::string> date = absl::StrSplit(words[1], '-');
    v1::Date& d = *request.mutable_date();
    d.set_year(std::stoi(date[0]));
    d.set_precision(v1::DATE_PRECISION_YEAR);
    if (date.size() > 1) {
      d.set_month(std::stoi(date[1]));
      d.set_precision(v1::DATE_PRECISION_MONTH);
    }
    if (date.size() > 2) {
      d.set_day(std::stoi(date[2]));
      d.set_precision(v1::DATE_PRECISION_DAY);
    }
    v1::GetLegalStatusOnResponse response;
    ASSERT_TRUE(audit_->GetLegalStatusOn(Context().get(), request, &response).ok());
    std::vector<std::string> answer = {response.agreement_id(), words[1],
                                       v1::AgreementStatus_Name(response.status())};
    for (const auto& p : response.participants()) {
      answer.push_back(p.party_id() + "=" + v1::ParticipationStatus_Name(p.status()));
    }
    if (response.uncertain()) answer.push_back("uncertain");
    // The one deliberate change: a participant that is only a depositary (pt) is no
    // longer listed as NEGOTIATING.
    std::vector<std::string> wanted;
    for (const std::string& word : words) {
      if (word != "pt=PARTICIPATION_STATUS_NEGOTIATING") wanted.push_back(word);
    }
    EXPECT_EQ(absl::StrJoin(answer, " "), absl::StrJoin(wanted, " "));
    ++lines;
  }
  EXPECT_EQ(lines, 8);
}

TEST_F(MigrationTest, NewEventsOnAnOldStoreKeepTheRebuildExact) {
  Start(data_, /*migrate=*/true);
  // The legacy depositary participant moves apart; the treaty is registered.
  MustApply("fixture-ect", Depositary("pt"));
  v1::ListAgreementsRequest by_party;
  by_party.set_party_id("pt");
  EXPECT_TRUE(ListIds(by_party).empty());
  v1::ListAgreementsRequest by_depositary;
  by_depositary.set_depositary_id("pt");
  EXPECT_EQ(ListIds(by_depositary), std::vector<std::string>{"fixture-ect"});
  MustApply("fixture-ect", Registered("I-99002", Day(1999, 1, 1)));
  Stop();
  EXPECT_EQ(Rebuild(), 0u);
}

}  // namespace
}  // namespace agreements
