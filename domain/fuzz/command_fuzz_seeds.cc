#include "domain/fuzz/command_fuzz_seeds.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agreements/v1/command_service.pb.h"
#include "domain/fuzz/command_fuzz_program.h"
#include "domain/fuzz/command_fuzz_registry.h"
#include "domain/fuzz/command_fuzz_world.h"
#include "google/protobuf/util/json_util.h"

namespace agreements::domain::fuzz {
namespace {

using P = v1::EventPayload;

// Argument bytes of the programs (command_fuzz_program.cc lists what each kind reads).
constexpr uint8_t kA1 = 0, kA2 = 1;
constexpr uint8_t kKz = 0, kKr = 1, kJp = 2, kKepco = 3, kSuhh = 4, kRu = 5, kUn = 6,
                  kP8 = 7, kNone = 0x80;
constexpr uint8_t kBinding = 0, kNonBinding = 1, kDomestic = 2;
constexpr uint8_t kMulti = 0, kBi = 1;
constexpr uint8_t kDraft = 0, kNegotiating = 1;
constexpr uint8_t kSimple = 1, kDefinitive = 3;
constexpr uint8_t kRatification = 1, kAcceptance = 2, kAccession = 4;
constexpr uint8_t kDeposit = 0;       // consent_expressed: only the deposit date
constexpr uint8_t kYearLater = 0xE5;  // six leaps of 61 days

// A mode-B input, op by op.
class Program {
 public:
  // `year`: 1980..2019, or 9985..9999.
  Program(std::string name, int year) : name_(std::move(name)) {
    bytes_ = {1, static_cast<char>(year < 9985 ? year - 1980 : 0xF0 + year - 9985)};
  }
  Program& Op(uint8_t stream, int kind, std::initializer_list<uint8_t> args,
              uint8_t flags = 0) {
    bytes_ += static_cast<char>(stream);
    bytes_ += static_cast<char>(kind - 1);
    bytes_ += static_cast<char>(flags);
    for (uint8_t b : args) bytes_ += static_cast<char>(b);
    return *this;
  }
  // Records a1 with kz, kr and jp (role PARTY; jp a WITNESS in a bilateral one), then
  // the clauses' arguments.
  Program& Record(uint8_t nature, uint8_t arity, uint8_t initial, uint8_t clauses = 0,
                  std::initializer_list<uint8_t> clause_args = {}) {
    Op(kA1, P::kAgreementRecorded,
       {nature, arity, 0x07, static_cast<uint8_t>(arity == kBi ? 0x04 : 0), initial,
        clauses});
    for (uint8_t b : clause_args) bytes_ += static_cast<char>(b);
    return *this;
  }
  Program& SignBoth(uint8_t kind) {
    return Op(kA1, P::kParticipantSigned, {kKz, kind, 132})
        .Op(kA1, P::kParticipantSigned, {kKr, kind, 0});
  }
  Program& InForce() {
    return SignBoth(kDefinitive).Op(kA1, P::kEnteredIntoForce, {kNone, 0, 19});
  }
  const std::string& name() const { return name_; }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string name_;
  std::string bytes_;
};

std::vector<Program> InstrumentPrograms() {
  std::vector<Program> p;
  p.emplace_back("adopted", 2009)
      .Record(kBinding, kMulti, kNegotiating)
      .Op(kA1, P::kTextAdopted, {59});
  p.emplace_back("open-for-signature", 2009)
      .Record(kBinding, kMulti, kNegotiating)
      .Op(kA1, P::kTextAdopted, {59})
      .Op(kA1, P::kOpenedForSignature, {31, 1});
  p.emplace_back("signed-not-in-force", 2009)
      .Record(kBinding, kMulti, kDraft)
      .SignBoth(kDefinitive);
  p.emplace_back("provisionally-applied", 2009)
      .Record(kBinding, kMulti, kDraft)
      .SignBoth(kDefinitive)
      .Op(kA1, P::kProvisionalApplicationStarted, {kNone, 7})
      .Op(kA1, P::kProvisionalApplicationTerminated, {kNone, 0, 30});
  p.emplace_back("in-force", 2009).Record(kBinding, kMulti, kDraft).InForce();
  p.emplace_back("suspended", 2009)
      .Record(kBinding, kMulti, kDraft)
      .InForce()
      .Op(kA1, P::kOperationSuspended, {kNone, 0xE9})
      .Op(kA1, P::kOperationResumed, {kNone, 90})
      .Op(kA1, P::kOperationSuspended, {kKz, 5})
      .Op(kA1, P::kOperationResumed, {kKz, 5});
  p.emplace_back("terminated", 2009)
      .Record(kBinding, kMulti, kDraft)
      .InForce()
      .Op(kA1, P::kTerminated, {2, kNone, 0xEF});
  p.emplace_back("never-in-force", 2009)
      .Record(kBinding, kMulti, kDraft)
      .SignBoth(kDefinitive)
      .Op(kA1, P::kAbandoned, {0xEF});
  p.emplace_back("bilateral-denounced", 2009)
      .Record(kBinding, kBi, kDraft)
      .InForce()
      .Op(kA1, P::kWithdrawalNotified, {kKz, 0, 100})
      .Op(kA1, P::kWithdrawalTookEffect, {kKz, kYearLater});
  return p;
}

std::vector<Program> OtherLifecyclePrograms() {
  std::vector<Program> p;
  p.emplace_back("non-binding-discontinued", 2009)
      .Record(kNonBinding, kBi, kDraft)
      .SignBoth(kSimple)
      .Op(kA1, P::kCameIntoEffect, {0})
      .Op(kA1, P::kAmendmentAdopted, {0, 40})
      .Op(kA1, P::kDiscontinued, {0xEF});
  p.emplace_back("non-binding-reassessed", 2009)
      .Record(kNonBinding, kBi, kDraft)
      .SignBoth(kSimple)
      .Op(kA1, P::kCameIntoEffect, {0})
      .Op(kA1, P::kLegalNatureReassessed, {1})
      .Op(kA1, P::kConsentExpressed, {kKz, kRatification, kDeposit, 60})
      .Op(kA1, P::kConsentExpressed, {kKr, kRatification, kDeposit, 10})
      .Op(kA1, P::kEnteredIntoForce, {kNone, 0, 30});
  p.emplace_back("contract-completed", 2009)
      .Record(kDomestic, kMulti, kDraft)
      .Op(kA1, P::kAmountRecorded, {0, 2, 0, 0x11, 0x94})
      .Op(kA1, P::kParticipantSigned, {kKz, kSimple, 120})
      .Op(kA1, P::kContractSigned, {13, 1})
      .Op(kA1, P::kContractAmended, {0, 30})
      .Op(kA1, P::kContractActivated, {0xE3})
      .Op(kA1, P::kAmountRevised, {0, 0, 0x13, 0x88, 3, 20})
      .Op(kA1, P::kContractCompleted, {0xEF});
  p.emplace_back("contract-terminated-early", 2009)
      .Record(kDomestic, kMulti, kDraft)
      .Op(kA1, P::kContractSigned, {133, 1})
      .Op(kA1, P::kContractActivated, {0xE3})
      .Op(kA1, P::kContractTerminated, {0xE9})
      .Op(kA1, P::kAmountRecorded, {1, 3, 1, 0x00, 0x10});
  p.emplace_back("contract-cancelled", 2009)
      .Record(kDomestic, kMulti, kDraft)
      .Op(kA1, P::kContractSigned, {133, 1})
      .Op(kA1, P::kContractCancelled, {200});
  return p;
}

std::vector<Program> ParticipationPrograms() {
  std::vector<Program> p;
  p.emplace_back("ratified-withdrawn-rejoined", 2009)
      .Record(kBinding, kMulti, kNegotiating)
      .Op(kA1, P::kTextAdopted, {30})
      .Op(kA1, P::kOpenedForSignature, {30, 1})
      .SignBoth(kSimple)
      .Op(kA1, P::kConsentExpressed, {kKz, kRatification, kDeposit, 60})
      .Op(kA1, P::kConsentExpressed, {kKr, kRatification, kDeposit, 10})
      .Op(kA1, P::kConsentExpressed, {kJp, kAccession, kDeposit, 10})
      .Op(kA1, P::kEnteredIntoForce, {kNone, 0x03, 30})
      .Op(kA1, P::kEnteredIntoForce, {kJp, 0, 10})
      .Op(kA1, P::kWithdrawalNotified, {kJp, 1, 100, 0xE5})
      .Op(kA1, P::kWithdrawalRevoked, {kJp, kDateEarlier, 200})
      .Op(kA1, P::kWithdrawalNotified, {kJp, 0, 100})
      .Op(kA1, P::kWithdrawalTookEffect, {kJp, kYearLater})
      .Op(kA1, P::kConsentExpressed, {kJp, kAcceptance, kDeposit, 100})
      .Op(kA1, P::kEnteredIntoForce, {kJp, 0, 30});
  p.emplace_back("provisional-non-signatory", 2009)
      .Record(kBinding, kMulti, kNegotiating, 0x0C, {1, 0x10})
      .Op(kA1, P::kTextAdopted, {30})
      .Op(kA1, P::kOpenedForSignature, {30, 1})
      .Op(kA1, P::kProvisionalApplicationStarted, {kJp, 10})
      .Op(kA1, P::kParticipantSigned, {kKz, kSimple, 10})
      .Op(kA1, P::kProvisionalApplicationStarted, {kKz, 10})
      .Op(kA1, P::kNonParticipationDeclared, {kJp, 0, 30})
      .Op(kA1, P::kProvisionalApplicationTerminated, {kKz, 3, 30})
      .Op(kA1, P::kParticipantSigned, {kJp, kSimple, 30})
      .Op(kA1, P::kNonParticipationDeclared, {kKr, 0, 3});
  p.emplace_back("withdrawal-clause", 2009)
      .Record(kBinding, kMulti, kDraft, 0x01, {4, 0x40})
      .InForce()
      .Op(kA1, P::kWithdrawalNotified, {kKz, 0, 0xE4})
      .Op(kA1, P::kWithdrawalNotified, {kKr, 1, 0, 40});
  p.emplace_back("withdrawal-excluded", 2009)
      .Record(kBinding, kMulti, kDraft, 0x02)
      .InForce()
      .Op(kA1, P::kWithdrawalNotified, {kKz, 0, 0xE4});
  p.emplace_back("dates-confirmed", 2009)
      .Record(kBinding, kMulti, kNegotiating)
      .Op(kA1, P::kTextAdopted, {100})
      .Op(kA1, P::kParticipantSigned, {kKz, kDefinitive, kDateEarlier, 30})
      .Op(kA1, P::kParticipantSigned, {kKr, kDefinitive, kDateEarlier, 30}, 0x01)
      .Op(kA1, P::kParticipantSigned, {kJp, kDefinitive, kDateMonth})
      .Op(kA1, P::kEnteredIntoForce, {kNone, 0, kDateYear});
  return p;
}

std::vector<Program> PracticePrograms() {
  std::vector<Program> p;
  p.emplace_back("reservations", 2009)
      .Record(kBinding, kMulti, kDraft)
      .SignBoth(kSimple)
      .Op(kA1, P::kReservationMade, {kKz, 1, 0, kNone, 0})
      .Op(kA1, P::kReservationMade, {kKr, 3, 1, kKz, 0, 20})
      .Op(kA1, P::kReservationMade, {kKr, 2, 2, kNone, 5})
      .Op(kA1, P::kReservationWithdrawn, {kKz, 0, 30})
      .Op(kA1, P::kConsentExpressed, {kKz, kRatification, kDeposit, 60})
      .Op(kA1, P::kEnteredIntoForce, {kNone, 0, 30});
  p.emplace_back("depositary", 2009)
      .Record(kBinding, kMulti, kDraft, 0x20)
      .Op(kA1, P::kDepositaryDesignated, {kJp, 1, 10})
      .Op(kA1, P::kParticipantSigned, {kKz, kSimple, 20})
      .Op(kA1, P::kDepositaryNotified, {kUn, 0, kKz, 5})
      .Op(kA1, P::kDepositaryNotified, {kUn, 0, kKr, 5})
      .Op(kA1, P::kDepositaryNotified, {kJp, 1, kNone, 5});
  p.emplace_back("registered", 2009)
      .Record(kBinding, kMulti, kDraft)
      .InForce()
      .Op(kA1, P::kRegisteredWithUn, {1, 0, kKz, 40})
      .Op(kA1, P::kPublicationRecorded, {0, 10, 5})
      .Op(kA1, P::kIdentifierAdded, {0, 0})
      .Op(kA1, P::kIdentifierAdded, {1, 1})
      .Op(kA1, P::kRegisteredWithUn, {2, 2, kNone, 40});
  p.emplace_back("term-extended-expired", 2009)
      .Record(kBinding, kMulti, kDraft, 0x10, {0x0A})
      .InForce()
      .Op(kA1, P::kExtended, {1, 0xEF, kDateYearsLater, 8})
      .Op(kA1, P::kExpired, {kDateYearsLater, 1});
  p.emplace_back("renewing-term", 2009)
      .Record(kBinding, kMulti, kDraft, 0x10, {0xE2})
      .InForce()
      .Op(kA1, P::kExtended, {1, kDateYearsLater, 3, kDateYearsLater, 2})
      .Op(kA1, P::kExpired, {kDateYearsLater, 1});
  p.emplace_back("succession", 1985)
      .Op(kA1, P::kAgreementRecorded, {kBinding, kMulti, 0x32, 0, kDraft, 0})
      .Op(kA1, P::kParticipantSigned, {kSuhh, kDefinitive, 30})
      .Op(kA1, P::kParticipantSigned, {kKr, kDefinitive, 30})
      .Op(kA1, P::kEnteredIntoForce, {kNone, 0, 30})
      .Op(kA1, P::kReservationMade, {kSuhh, 1, 0, kNone, 5})
      .Op(kA1, P::kSuccessionNotified,
          {kRu, kSuhh, kDateRaw, 0xF7, 12, 26, 1, kDateRaw, 0xF7, 12, 30, 1});
  // Regression: the USSR ceased while applying the treaty provisionally, alone; the
  // treaty stayed PROVISIONALLY_APPLIED with nobody applying it.
  p.emplace_back("ceased", 1985)
      .Op(kA1, P::kAgreementRecorded, {kBinding, kMulti, 0x12, 0, kDraft, 0})
      .Op(kA1, P::kParticipantSigned, {kSuhh, kSimple, 30})
      .Op(kA1, P::kProvisionalApplicationStarted, {kSuhh, 30})
      .Op(kA1, P::kParticipantCeased, {kSuhh, kDateRaw, 0xF7, 12, 26, 1});
  return p;
}

std::vector<Program> DataPrograms() {
  std::vector<Program> p;
  p.emplace_back("data", 2009)
      .Op(kA2, P::kAgreementRecorded, {kBinding, kMulti, 0x03, 0, kDraft, 0})
      .Record(kBinding, kMulti, kDraft, 0xC0)
      .Op(kA1, P::kAmountRecorded, {0, 1, 0, 0x11, 0x94})
      .Op(kA1, P::kAmountRevised, {0, 0, 0x13, 0x88, 1, 20})
      .Op(kA1, P::kDocumentAttached, {0, 1})
      .Op(kA1, P::kDocumentAttached, {0, 1})
      .Op(kA1, P::kRelationLinked, {1, 1})
      .Op(kA1, P::kClassificationChanged, {0x3F})
      .Op(kA1, P::kConfidentialityChanged, {3})
      .SignBoth(kSimple)
      .Op(kA1, P::kAmendmentAdopted, {3, 30, 1})
      .Op(kA1, P::kParticipantAdded, {kKepco, 11})
      .Op(kA1, P::kParticipantAdded, {kP8, 1});
  p.emplace_back("corrections", 2009)
      .Record(kBinding, kMulti, kDraft)
      .InForce()
      .Op(kA1, P::kRecordCorrected, {0, 0x03, 0x04, 0x00, 1, 0, 0})
      .Op(kA1, P::kRecordCorrected, {1, 0x00, 0x11, 0x00, 2, 0, 5, 3})
      .Op(kA1, P::kRecordCorrected, {2, 0x00, 0x00, 0x1E, 1, 0, 0x40, 0, 1, 0x0A})
      .Op(kA1, P::kRecordCorrected, {0, 0x10, 0x00, 0x01, 2, 2}, 0x01)
      .Op(kA1, P::kRecordCorrected, {kKz, 0, 0x01, 0x00, 0}, 0x10);
  // Regression: a DRAFT contract that kz, kr and jp had signed was reassessed into a
  // treaty that stayed DRAFT with three signatories, which no command could move on.
  p.emplace_back("reassessed-signed-contract", 2009)
      .Record(kDomestic, kMulti, kDraft)
      .Op(kA1, P::kParticipantSigned, {kKz, kSimple, 30})
      .Op(kA1, P::kParticipantSigned, {kKr, kSimple, 0})
      .Op(kA1, P::kParticipantSigned, {kJp, kSimple, 0})
      .Op(kA1, P::kLegalNatureReassessed, {1})
      .Op(kA1, P::kContractSigned, {0, 1})
      .Op(kA1, P::kLegalNatureReassessed, {1})
      .Op(kA1, P::kConsentExpressed, {kKz, kRatification, kDeposit, 10});
  // Regression (found by the fuzzer): a contract signed as a whole, reassessed into a
  // treaty without signatories, was applied provisionally "as a whole" by nobody.
  p.emplace_back("provisional-by-nobody", 2009)
      .Record(kDomestic, kMulti, kDraft)
      .Op(kA1, P::kContractSigned, {30, 1})
      .Op(kA1, P::kLegalNatureReassessed, {1})
      .Op(kA1, P::kProvisionalApplicationStarted, {kNone, 10})
      .Op(kA1, P::kParticipantSigned, {kKz, kSimple, 0})
      .Op(kA1, P::kProvisionalApplicationStarted, {kNone, 10});
  // Regression: a correction gave kepco, a signatory, only the legacy depositary role;
  // designating kepco then erased its participation and signature.
  p.emplace_back("depositary-legacy-role", 2009)
      .Record(kBinding, kMulti, kDraft)
      .Op(kA1, P::kParticipantAdded, {kKepco, 0})
      .Op(kA1, P::kParticipantSigned, {kKepco, kSimple, 30})
      .Op(kA1, P::kRecordCorrected, {0, 0x00, 0x01, 0x00, 4, 3})
      .Op(kA1, P::kDepositaryDesignated, {kKepco, 0});
  // Regression (found by the fuzzer): kepco, added without roles, signed; designating it
  // as depositary erased its participation, which never had the depositary role.
  p.emplace_back("depositary-roleless-participant", 2009)
      .Record(kBinding, kMulti, kDraft)
      .Op(kA1, P::kParticipantAdded, {kKepco, 0})
      .Op(kA1, P::kParticipantSigned, {kKepco, kSimple, 30})
      .Op(kA1, P::kDepositaryDesignated, {kKepco, 0})
      .Op(kA1, P::kParticipantAdded, {kUn, 0})
      .Op(kA1, P::kDepositaryDesignated, {kUn, 0});
  p.emplace_back("parties", 2009)
      .Op(kA1, P::kPartyRegistered, {kP8, 5, 1, 0x11, kKr})
      .Op(kA1, P::kPartyUpdated, {kP8, 0x03, 0x00, 0, 0})
      .Op(kA1, P::kPartyUpdated, {kP8, 0x10, 0x00, kKepco})
      .Op(kA1, P::kRecordCorrected, {kP8, 0, 0x01, 0x01, 2, 0x05}, 0x10)
      .Op(kA1, P::kPartyRegistered,
          {kP8, 1, 2, 0x0E, kDateRaw, 0xEA, 1, 1, 1, 0xF5, kSuhh});
  return p;
}

// Dates the registry would derive after 31 December 9999 (regressions: each was
// recorded, holding a date of year 10000, before the deciders refused them).
std::vector<Program> CalendarEndPrograms() {
  std::vector<Program> p;
  p.emplace_back("calendar-end-withdrawal", 9999)
      .Record(kBinding, kMulti, kDraft)
      .InForce()
      .Op(kA1, P::kWithdrawalNotified, {kKz, 0, kDateYear9999, 5});
  p.emplace_back("calendar-end-withdrawal-clause", 9999)
      .Record(kBinding, kMulti, kDraft, 0x01, {4, 0x40})
      .InForce()
      .Op(kA1, P::kWithdrawalNotified, {kKz, 0, kDateYear9999, 5});
  p.emplace_back("calendar-end-provisional", 9999)
      .Record(kBinding, kMulti, kDraft, 0x08, {0, 0x40})
      .Op(kA1, P::kParticipantSigned, {kKz, kSimple, 128})
      .Op(kA1, P::kParticipantSigned, {kJp, kSimple, 0})
      .Op(kA1, P::kProvisionalApplicationStarted, {kKz, 0})
      .Op(kA1, P::kProvisionalApplicationStarted, {kJp, 0})
      .Op(kA1, P::kProvisionalApplicationTerminated, {kKz, 3, kDateYear9999, 20})
      .Op(kA1, P::kNonParticipationDeclared, {kJp, 0, kDateYear9999, 20});
  p.emplace_back("calendar-end-term", 9999)
      .Record(kBinding, kMulti, kDraft)
      .InForce()
      .Op(kA1, P::kRecordCorrected, {0, 0x00, 0x00, 0x10, 0x02})
      .Op(kA2, P::kAgreementRecorded, {kBinding, kMulti, 0x03, 0, kDraft, 0x10, 0x02})
      .Op(kA2, P::kParticipantSigned, {kKz, kDefinitive, 0})
      .Op(kA2, P::kParticipantSigned, {kKr, kDefinitive, 0})
      .Op(kA2, P::kEnteredIntoForce, {kNone, 0, 0});
  p.emplace_back("calendar-end-contract", 9999)
      .Record(kDomestic, kMulti, kDraft, 0x10, {0x02})
      .Op(kA1, P::kContractSigned, {128, 1})
      .Op(kA1, P::kContractActivated, {5})
      .Op(kA2, P::kAgreementRecorded, {kNonBinding, kMulti, 0x03, 0, kDraft, 0x10, 0x02})
      .Op(kA2, P::kParticipantSigned, {kKz, kSimple, 0})
      .Op(kA2, P::kCameIntoEffect, {5});
  p.emplace_back("calendar-end-succession", 9999)
      .Op(kA1, P::kPartyRegistered, {kP8, 1, 2, 0x02, kDateYear9999, 30})
      .Op(kA1, P::kAgreementRecorded, {kBinding, kMulti, 0x83, 0, kDraft, 0})
      .Op(kA1, P::kParticipantSigned, {kP8, kDefinitive, 128})
      .Op(kA1, P::kParticipantSigned, {kKz, kDefinitive, 0})
      .Op(kA1, P::kEnteredIntoForce, {kNone, 0, 0})
      .Op(kA1, P::kSuccessionNotified, {kKr, kP8, 0, 5});
  return p;
}

bool WriteFile(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

// Mode A: the command, and the state of its stream, if it has one.
std::string SerializedInput(const v1::Command& command, const Registry& registry) {
  std::string bytes;
  command.SerializeToString(&bytes);
  std::string input = {0, static_cast<char>(bytes.size() >> 8),
                       static_cast<char>(bytes.size() & 0xFF)};
  input += bytes;
  if (command.stream_type() == v1::STREAM_TYPE_PARTY) {
    if (const v1::Party* party = registry.party(command.stream_id())) {
      input += party->SerializeAsString();
    }
  } else if (const v1::Agreement* agreement = registry.agreement(command.stream_id())) {
    input += agreement->SerializeAsString();
  }
  return input;
}

// Writes each program (mode B) and, through the registry's observer, each command it
// runs with the state it met (mode A), once per kind of command and status met.
bool WritePrograms(const std::filesystem::path& dir, int* count) {
  std::vector<Program> programs;
  for (auto make : {InstrumentPrograms, OtherLifecyclePrograms, ParticipationPrograms,
                    PracticePrograms, DataPrograms, CalendarEndPrograms}) {
    for (Program& program : make()) programs.push_back(std::move(program));
  }
  std::set<std::string> met;
  bool ok = true;
  for (const Program& program : programs) {
    ok &= WriteFile(dir / ("b-" + program.name()), program.bytes());
    ++*count;
    Registry registry = ProgramStart();
    int index = 0;
    registry.set_observer([&](const v1::Command& command) {
      const v1::Agreement* state = registry.agreement(command.stream_id());
      const std::string key = absl::StrCat(command.change().kind_case(), "/",
                                           state == nullptr ? -1 : state->status());
      if (!met.insert(key).second) return;
      ok &= WriteFile(dir / absl::StrFormat("a-%s-%02d", program.name(), index++),
                      SerializedInput(command, registry));
      ++*count;
    });
    ByteReader in(reinterpret_cast<const uint8_t*>(program.bytes().data()) + 1,
                  program.bytes().size() - 1);
    RunProgram(in, registry);
  }
  return ok;
}

// Mode A: each command of the demo data, run in order on the world of mode A, with the
// state it met.
bool WriteDemo(const std::filesystem::path& dir, const std::string& demo_path,
               int* count) {
  std::ifstream in(demo_path);
  if (!in) {
    std::fprintf(stderr, "command_fuzz: cannot read %s\n", demo_path.c_str());
    return false;
  }
  Registry registry = World();
  bool ok = true;
  int index = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    v1::ExecuteBatchRequest request;
    if (!google::protobuf::util::JsonStringToMessage(line, &request).ok()) {
      std::fprintf(stderr, "command_fuzz: %s: not an ExecuteBatchRequest: %s\n",
                   demo_path.c_str(), line.substr(0, 80).c_str());
      return false;
    }
    for (const v1::Command& command : request.commands()) {
      ok &= WriteFile(dir / absl::StrFormat("a-demo-%02d", index++),
                      SerializedInput(command, registry));
      ++*count;
      registry.Run(command).IgnoreError();
    }
  }
  return ok;
}

}  // namespace

int WriteSeeds(const std::string& dir, const std::string& demo_path) {
  std::filesystem::create_directories(dir);
  int count = 0;
  bool ok = WritePrograms(dir, &count);
  if (!demo_path.empty()) ok &= WriteDemo(dir, demo_path, &count);
  std::fprintf(stderr, "command_fuzz: wrote %d seeds to %s\n", count, dir.c_str());
  return ok ? 0 : 1;
}

}  // namespace agreements::domain::fuzz
