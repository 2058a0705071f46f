// Table-driven tests of the three agreement lifecycles and of the participation
// lifecycle: every allowed transition, and the forbidden ones that matter.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "domain/decider.h"
#include "domain/test_constants.h"
#include "domain/test_registry.h"
#include "gtest/gtest.h"

namespace agreements::domain {
namespace {

using namespace ::agreements::domain::testing;  // NOLINT: builders read as a table.

const v1::Date kDate = Day(2016, 7, 1);

// One allowed transition: from a status reached canonically, a change, the status after.
struct Transition {
  std::string name;
  v1::LegalNature nature;
  v1::AgreementStatus from;
  v1::EventPayload change;
  v1::AgreementStatus to;
};

std::vector<Transition> AllowedTransitions() {
  return {
      // Instrument lifecycle.
      {"adopt_text", kBinding, kNegotiating, TextAdopted(kDate), kAdopted},
      {"open_for_signature", kBinding, kAdopted, OpenedForSignature(kDate), kOpen},
      {"first_signature_from_draft", kBinding, kDraft, Signed("kz", kSimple, kDate),
       kSignedNotInForce},
      {"first_signature_from_negotiating", kBinding, kNegotiating,
       Signed("kz", kSimple, kDate), kSignedNotInForce},
      {"first_signature_from_adopted", kBinding, kAdopted, Signed("kz", kSimple, kDate),
       kSignedNotInForce},
      {"first_signature_when_open", kBinding, kOpen, Signed("kz", kDefinitive, kDate),
       kSignedNotInForce},
      {"later_signature", kBinding, kSignedNotInForce, Signed("jp", kSimple, kDate),
       kSignedNotInForce},
      // Consent without a signature concludes the instrument like a first signature.
      {"first_accession_when_open", kBinding, kOpen,
       ConsentExpressed("kz", v1::CONSENT_MEANS_ACCESSION, kDate), kSignedNotInForce},
      {"first_acceptance_when_open", kBinding, kOpen,
       ConsentExpressed("kz", v1::CONSENT_MEANS_ACCEPTANCE, kDate), kSignedNotInForce},
      {"first_approval_when_open", kBinding, kOpen,
       ConsentExpressed("kz", v1::CONSENT_MEANS_APPROVAL, kDate), kSignedNotInForce},
      {"first_succession_when_open", kBinding, kOpen,
       ConsentExpressed("kz", v1::CONSENT_MEANS_SUCCESSION, kDate), kSignedNotInForce},
      {"later_accession", kBinding, kSignedNotInForce,
       ConsentExpressed("jp", v1::CONSENT_MEANS_ACCESSION, kDate), kSignedNotInForce},
      {"accession_when_provisionally_applied", kBinding, kProvisional,
       ConsentExpressed("jp", v1::CONSENT_MEANS_ACCESSION, kDate), kProvisional},
      // VCLT 18(a): a declaration not to become a party leaves the instrument as it is.
      {"non_participation_when_negotiating", kBinding, kNegotiating,
       NonParticipationDeclared("jp", kDate), kNegotiating},
      {"non_participation_when_open", kBinding, kOpen,
       NonParticipationDeclared("jp", kDate), kOpen},
      {"non_participation_when_signed", kBinding, kSignedNotInForce,
       NonParticipationDeclared("jp", kDate), kSignedNotInForce},
      {"non_participation_when_in_force", kBinding, kInForce,
       NonParticipationDeclared("jp", kDate), kInForce},
      {"non_participation_when_suspended", kMixed, kSuspended,
       NonParticipationDeclared("jp", kDate), kSuspended},
      {"signature_of_treaty_in_force", kBinding, kInForce, Signed("jp", kSimple, kDate),
       kInForce},
      {"provisional_application", kBinding, kSignedNotInForce,
       ProvisionalStarted("", kDate), kProvisional},
      {"provisional_application_by_one_party", kBinding, kSignedNotInForce,
       ProvisionalStarted("kz", kDate), kProvisional},
      {"provisional_application_ends", kBinding, kProvisional,
       ProvisionalTerminated("", kDate), kSignedNotInForce},
      {"entry_into_force", kBinding, kSignedNotInForce, EnteredIntoForce("", kDate),
       kInForce},
      {"entry_into_force_after_provisional", kBinding, kProvisional,
       EnteredIntoForce("", kDate), kInForce},
      {"suspension", kBinding, kInForce, Suspended("", kDate), kSuspended},
      {"resumption", kBinding, kSuspended, Resumed("", kDate), kInForce},
      {"termination_in_force", kBinding, kInForce,
       Terminated(v1::TERMINATION_GROUND_EXPIRY, kDate), kTerminated},
      {"termination_suspended", kBinding, kSuspended,
       Terminated(v1::TERMINATION_GROUND_MATERIAL_BREACH, kDate), kTerminated},
      {"abandon_open", kBinding, kOpen, Abandoned(kDate), kNeverInForce},
      {"abandon_signed", kBinding, kSignedNotInForce, Abandoned(kDate), kNeverInForce},
      {"amend_in_force", kBinding, kInForce, AmendmentAdopted(kDate, "Article 5 amended"),
       kInForce},
      {"mixed_enters_into_force", kMixed, kSignedNotInForce, EnteredIntoForce("", kDate),
       kInForce},
      {"undetermined_is_signed", kUndetermined, kDraft, Signed("kz", kSimple, kDate),
       kSignedNotInForce},
      // Terminal instruments accept documents, relations and corrections only.
      {"document_on_terminated", kBinding, kTerminated,
       DocumentAttached("https://example.org/t.pdf", 'a'), kTerminated},
      {"document_on_never_in_force", kBinding, kNeverInForce,
       DocumentAttached("https://example.org/t.pdf", 'b'), kNeverInForce},
      // Non-binding lifecycle.
      {"mou_signed", kNonBinding, kDraft, Signed("kz", kSimple, kDate), kSigned},
      {"mou_later_signature", kNonBinding, kSigned, Signed("jp", kSimple, kDate),
       kSigned},
      {"mou_comes_into_effect", kNonBinding, kSigned, CameIntoEffect(kDate), kInEffect},
      {"mou_discontinued", kNonBinding, kInEffect, Discontinued(kDate), kDiscontinued},
      {"mou_discontinued_before_effect", kNonBinding, kSigned, Discontinued(kDate),
       kDiscontinued},
      {"mou_amended", kNonBinding, kInEffect, AmendmentAdopted(kDate, "Annex added"),
       kInEffect},
      // Contract lifecycle.
      {"contract_party_signature", kContract, kDraft, Signed("kz", kSimple, kDate),
       kDraft},
      {"contract_signed", kContract, kDraft, ContractSigned(kDate), kSigned},
      {"contract_activated", kContract, kSigned, ContractActivated(kDate), kActive},
      {"contract_completed", kContract, kActive, ContractCompleted(kDate), kCompleted},
      {"contract_terminated_early", kContract, kActive, ContractTerminated(kDate),
       kTerminatedEarly},
      {"contract_cancelled_draft", kContract, kDraft, ContractCancelled(kDate),
       kCancelled},
      {"contract_cancelled_signed", kContract, kSigned, ContractCancelled(kDate),
       kCancelled},
      {"contract_amended", kContract, kActive, ContractAmended(kDate, "Price revised"),
       kActive},
      {"contract_amount_revised", kContract, kActive,
       AmountRevised("contract-value", "USD", 5000000000), kActive},
      {"completed_contract_final_amount", kContract, kCompleted,
       AmountRevised("contract-value", "USD", 4800000000), kCompleted},
      // Legal-nature reassessment moves between lifecycles before force or effect.
      {"mou_reassessed_binding", kNonBinding, kSigned, Reassessed(kBinding),
       kSignedNotInForce},
      {"mou_in_effect_reassessed_binding", kNonBinding, kInEffect, Reassessed(kBinding),
       kSignedNotInForce},
      {"draft_reassessed_non_binding", kBinding, kNegotiating, Reassessed(kNonBinding),
       kDraft},
      {"undetermined_reassessed_binding", kUndetermined, kInForce, Reassessed(kBinding),
       kInForce},
      {"contract_reassessed_binding", kContract, kSigned, Reassessed(kBinding),
       kSignedNotInForce},
  };
}

// Test names and failure messages show the case name, not the bytes of the case.
void PrintTo(const Transition& c, std::ostream* os) { *os << c.name; }

class AllowedTransitionTest : public ::testing::TestWithParam<Transition> {};

TEST_P(AllowedTransitionTest, ReachesExpectedStatus) {
  const Transition& t = GetParam();
  TestRegistry registry;
  registry.Reach("a1", t.nature, kMultilateral, t.from);
  const uint64_t revision = registry.agreement("a1").revision();
  absl::StatusOr<std::vector<v1::Event>> events =
      registry.Run(AgreementCommand("a1", t.change));
  ASSERT_TRUE(events.ok()) << events.status();
  EXPECT_EQ(registry.agreement("a1").status(), t.to)
      << v1::AgreementStatus_Name(registry.agreement("a1").status());
  EXPECT_EQ(registry.agreement("a1").revision(), revision + events->size());
}

INSTANTIATE_TEST_SUITE_P(Lifecycles, AllowedTransitionTest,
                         ::testing::ValuesIn(AllowedTransitions()),
                         [](const auto& info) { return info.param.name; });

// One forbidden change: the error code and a substring of its message.
struct Forbidden {
  std::string name;
  v1::LegalNature nature;
  v1::AgreementStatus from;
  v1::EventPayload change;
  absl::StatusCode code;
  std::string message;
};

std::vector<Forbidden> ForbiddenTransitions() {
  const auto kFailed = absl::StatusCode::kFailedPrecondition;
  return {
      {"enter_into_force_when_terminated", kBinding, kTerminated,
       EnteredIntoForce("", kDate), kFailed,
       "agreement a1 is TERMINATED: cannot enter into force"},
      {"sign_terminated_treaty", kBinding, kTerminated, Signed("jp", kSimple, kDate),
       kFailed, "agreement a1 is TERMINATED: cannot record a signature"},
      {"add_participant_to_never_in_force", kBinding, kNeverInForce,
       ParticipantAdded("kepco"), kFailed,
       "agreement a1 is NEVER_IN_FORCE: cannot add a participant"},
      {"classify_terminated", kBinding, kTerminated,
       ClassificationChanged({{v1::CLASSIFICATION_SCHEME_REGISTRY_SECTOR, "energy"}}),
       kFailed, "is TERMINATED: cannot change classifications"},
      {"ratify_non_binding_mou", kNonBinding, kSigned,
       ConsentExpressed("kz", v1::CONSENT_MEANS_RATIFICATION, kDate), kFailed,
       "agreement a1 is SIGNED: cannot record consent to be bound: its legal nature "
       "NON_BINDING_POLITICAL follows the non-binding lifecycle; record "
       "legal_nature_reassessed first"},
      {"mou_enters_into_force", kNonBinding, kSigned, EnteredIntoForce("", kDate),
       kFailed, "cannot enter into force: its legal nature NON_BINDING_POLITICAL"},
      {"mou_provisional_application", kNonBinding, kSigned, ProvisionalStarted("", kDate),
       kFailed, "cannot start provisional application"},
      {"mou_definitive_signature", kNonBinding, kDraft, Signed("kz", kDefinitive, kDate),
       kFailed, "a definitive signature expresses consent to be bound"},
      {"mou_terminated", kNonBinding, kInEffect,
       Terminated(v1::TERMINATION_GROUND_BY_CONSENT, kDate), kFailed,
       "record discontinued"},
      {"discontinue_draft_mou", kNonBinding, kDraft, Discontinued(kDate), kFailed,
       "agreement a1 is DRAFT: cannot be discontinued"},
      {"mou_amount_after_discontinued", kNonBinding, kDiscontinued,
       AmountRecorded("grant", "USD", 10), kFailed,
       "is DISCONTINUED: cannot record an amount"},
      {"adopt_text_from_draft", kBinding, kDraft, TextAdopted(kDate), kFailed,
       "agreement a1 is DRAFT: cannot adopt the text"},
      {"open_before_adoption", kBinding, kNegotiating, OpenedForSignature(kDate), kFailed,
       "is NEGOTIATING: cannot open for signature"},
      {"enter_into_force_from_draft", kBinding, kDraft, EnteredIntoForce("", kDate),
       kFailed, "agreement a1 is DRAFT: cannot enter into force"},
      {"enter_into_force_twice", kBinding, kInForce, EnteredIntoForce("", kDate), kFailed,
       "is IN_FORCE: cannot enter into force"},
      {"provisional_when_in_force", kBinding, kInForce, ProvisionalStarted("", kDate),
       kFailed, "is IN_FORCE: cannot start provisional application"},
      {"suspend_not_in_force", kBinding, kSignedNotInForce, Suspended("", kDate), kFailed,
       "is SIGNED_NOT_IN_FORCE: cannot suspend operation"},
      {"resume_not_suspended", kBinding, kInForce, Resumed("", kDate), kFailed,
       "is IN_FORCE: cannot resume operation"},
      {"terminate_not_in_force", kBinding, kSignedNotInForce,
       Terminated(v1::TERMINATION_GROUND_BY_CONSENT, kDate), kFailed,
       "is SIGNED_NOT_IN_FORCE: cannot terminate"},
      {"abandon_in_force", kBinding, kInForce, Abandoned(kDate), kFailed,
       "is IN_FORCE: cannot be abandoned"},
      {"denunciation_of_multilateral", kBinding, kInForce,
       Terminated(v1::TERMINATION_GROUND_DENUNCIATION_BILATERAL, kDate), kFailed,
       "VCLT 55"},
      {"withdrawal_before_force", kBinding, kSignedNotInForce,
       WithdrawalNotified("kz", kDate, kDate), kFailed,
       "is SIGNED_NOT_IN_FORCE: cannot notify a withdrawal"},
      {"withdraw_as_non_party", kBinding, kInForce,
       WithdrawalNotified("jp", kDate, kDate), kFailed,
       "party jp in agreement a1 is NEGOTIATING: cannot notify a withdrawal"},
      {"revoke_without_withdrawal", kBinding, kInForce, WithdrawalRevoked("kz", kDate),
       kFailed, "party kz in agreement a1 is PARTY: cannot revoke a withdrawal"},
      {"ratify_without_signature", kBinding, kInForce,
       ConsentExpressed("jp", v1::CONSENT_MEANS_RATIFICATION, kDate), kFailed,
       "party jp in agreement a1 is NEGOTIATING: cannot record consent to be bound: "
       "ratification follows a signature"},
      {"consent_twice", kBinding, kSignedNotInForce,
       ConsentExpressed("kz", v1::CONSENT_MEANS_ACCEPTANCE, kDate), kFailed,
       "party kz in agreement a1 is CONTRACTING"},
      {"sign_twice", kBinding, kSignedNotInForce, Signed("kz", kSimple, kDate), kFailed,
       "it has already signed"},
      {"consent_before_opening", kBinding, kNegotiating,
       ConsentExpressed("kz", v1::CONSENT_MEANS_ACCESSION, kDate), kFailed,
       "is NEGOTIATING: cannot record consent to be bound: consent without a signature "
       "needs a text open for signature"},
      {"consent_in_draft", kBinding, kDraft,
       ConsentExpressed("kz", v1::CONSENT_MEANS_ACCEPTANCE, kDate), kFailed,
       "is DRAFT: cannot record consent to be bound"},
      {"consent_when_adopted", kBinding, kAdopted,
       ConsentExpressed("kz", v1::CONSENT_MEANS_APPROVAL, kDate), kFailed,
       "is ADOPTED: cannot record consent to be bound"},
      {"consent_when_suspended", kBinding, kSuspended,
       ConsentExpressed("jp", v1::CONSENT_MEANS_ACCESSION, kDate), kFailed,
       "is SUSPENDED: cannot record consent to be bound"},
      {"non_participation_of_contracting", kBinding, kSignedNotInForce,
       NonParticipationDeclared("kz", kDate), kFailed,
       "party kz in agreement a1 is CONTRACTING: cannot declare that it will not become "
       "a party: only a NEGOTIATING or SIGNATORY participant"},
      {"non_participation_of_party", kBinding, kInForce,
       NonParticipationDeclared("kr", kDate), kFailed,
       "party kr in agreement a1 is PARTY: cannot declare that it will not become a "
       "party"},
      {"non_participation_of_non_participant", kBinding, kDraft,
       NonParticipationDeclared("kepco", kDate), kFailed,
       "party kepco is not a participant of agreement a1"},
      {"non_participation_when_terminated", kBinding, kTerminated,
       NonParticipationDeclared("jp", kDate), kFailed,
       "agreement a1 is TERMINATED: cannot declare that it will not become a party"},
      {"non_participation_when_never_in_force", kBinding, kNeverInForce,
       NonParticipationDeclared("jp", kDate), kFailed,
       "agreement a1 is NEVER_IN_FORCE: cannot declare"},
      {"non_participation_in_mou", kNonBinding, kSigned,
       NonParticipationDeclared("jp", kDate), kFailed,
       "its legal nature NON_BINDING_POLITICAL follows the non-binding lifecycle; only "
       "a treaty binds a signatory before entry into force (VCLT 18)"},
      {"non_participation_in_contract", kContract, kDraft,
       NonParticipationDeclared("jp", kDate), kFailed,
       "its legal nature BINDING_DOMESTIC_LAW follows the contract lifecycle"},
      {"enter_into_force_for_non_contracting", kBinding, kInForce,
       EnteredIntoForce("jp", kDate), kFailed,
       "party jp in agreement a1 is NEGOTIATING: cannot enter into force"},
      {"enter_into_force_for_party_before_instrument", kBinding, kSignedNotInForce,
       EnteredIntoForce("kz", kDate), kFailed, "only once it is IN_FORCE"},
      {"amend_draft_treaty", kBinding, kDraft, AmendmentAdopted(kDate, "x"), kFailed,
       "is DRAFT: cannot adopt an amendment"},
      {"treaty_contract_signed", kBinding, kDraft, ContractSigned(kDate), kFailed,
       "follows the instrument lifecycle; record participant_signed"},
      {"treaty_came_into_effect", kBinding, kSignedNotInForce, CameIntoEffect(kDate),
       kFailed, "record entered_into_force"},
      {"contract_completed_before_activated", kContract, kSigned,
       ContractCompleted(kDate), kFailed,
       "agreement a1 is SIGNED: cannot complete the contract"},
      {"contract_activated_unsigned", kContract, kDraft, ContractActivated(kDate),
       kFailed, "is DRAFT: cannot activate the contract"},
      {"contract_cancelled_when_active", kContract, kActive, ContractCancelled(kDate),
       kFailed, "is ACTIVE: cannot cancel the contract"},
      {"contract_ratified", kContract, kSigned,
       ConsentExpressed("kz", v1::CONSENT_MEANS_RATIFICATION, kDate), kFailed,
       "BINDING_DOMESTIC_LAW follows the contract lifecycle"},
      {"contract_amendment_adopted", kContract, kActive, AmendmentAdopted(kDate, "x"),
       kFailed, "record contract_amended"},
      {"amend_completed_contract", kContract, kCompleted, ContractAmended(kDate, "x"),
       kFailed, "is COMPLETED: cannot amend the contract"},
      {"cancelled_contract_amount", kContract, kCancelled,
       AmountRevised("contract-value", "USD", 1), kFailed,
       "is CANCELLED: cannot revise an amount"},
      {"reassess_to_same", kBinding, kDraft, Reassessed(kBinding), kFailed,
       "the legal nature is already BINDING_INTERNATIONAL"},
      {"reassess_treaty_in_force_non_binding", kBinding, kInForce,
       Reassessed(kNonBinding), kFailed,
       "has no counterpart in the lifecycle of NON_BINDING_POLITICAL"},
      {"reassess_with_consent_given", kBinding, kSignedNotInForce,
       Reassessed(kNonBinding), kFailed,
       "party kz in agreement a1 is CONTRACTING: cannot reassess the legal nature"},
      {"reassess_terminated", kBinding, kTerminated, Reassessed(kMixed), kFailed,
       "is TERMINATED: cannot reassess the legal nature"},
  };
}

// Test names and failure messages show the case name, not the bytes of the case.
void PrintTo(const Forbidden& c, std::ostream* os) { *os << c.name; }

class ForbiddenTransitionTest : public ::testing::TestWithParam<Forbidden> {};

TEST_P(ForbiddenTransitionTest, IsRejectedAndChangesNothing) {
  const Forbidden& f = GetParam();
  TestRegistry registry;
  registry.Reach("a1", f.nature, kMultilateral, f.from);
  const std::string before = registry.agreement("a1").SerializeAsString();
  absl::StatusOr<std::vector<v1::Event>> events =
      registry.Run(AgreementCommand("a1", f.change));
  ASSERT_FALSE(events.ok());
  EXPECT_EQ(events.status().code(), f.code) << events.status();
  EXPECT_NE(events.status().message().find(f.message), std::string::npos)
      << events.status().message();
  EXPECT_EQ(registry.agreement("a1").SerializeAsString(), before);
}

INSTANTIATE_TEST_SUITE_P(Lifecycles, ForbiddenTransitionTest,
                         ::testing::ValuesIn(ForbiddenTransitions()),
                         [](const auto& info) { return info.param.name; });

// One row of the participation lifecycle: one participant's status after a sequence of
// changes on a multilateral treaty.
struct ParticipantStep {
  std::string name;
  v1::AgreementStatus from;
  std::vector<v1::EventPayload> changes;
  std::string party_id;
  v1::ParticipationStatus expected;
};

std::vector<ParticipantStep> ParticipantSteps() {
  using PS = v1::ParticipationStatus;
  const PS kNegotiatingP = v1::PARTICIPATION_STATUS_NEGOTIATING;
  const PS kSignatory = v1::PARTICIPATION_STATUS_SIGNATORY;
  const PS kContracting = v1::PARTICIPATION_STATUS_CONTRACTING;
  const PS kParty = v1::PARTICIPATION_STATUS_PARTY;
  const PS kPending = v1::PARTICIPATION_STATUS_WITHDRAWAL_PENDING;
  const PS kFormer = v1::PARTICIPATION_STATUS_FORMER_PARTY;
  const PS kSuspendedP = v1::PARTICIPATION_STATUS_SUSPENDED;
  const PS kNotBecomingParty = v1::PARTICIPATION_STATUS_NOT_BECOMING_PARTY;
  const v1::Date later = Day(2017, 1, 1);
  return {
      {"added", kDraft, {}, "jp", kNegotiatingP},
      {"simple_signature", kDraft, {Signed("jp", kSimple, kDate)}, "jp", kSignatory},
      {"ad_referendum_signature",
       kDraft,
       {Signed("jp", v1::SIGNATURE_KIND_AD_REFERENDUM, kDate)},
       "jp",
       kSignatory},
      {"definitive_signature",
       kDraft,
       {Signed("jp", kDefinitive, kDate)},
       "jp",
       kContracting},
      {"ratification",
       kDraft,
       {Signed("jp", kSimple, kDate),
        ConsentExpressed("jp", v1::CONSENT_MEANS_RATIFICATION, later)},
       "jp",
       kContracting},
      {"accession_when_open",
       kOpen,
       {ConsentExpressed("jp", v1::CONSENT_MEANS_ACCESSION, later)},
       "jp",
       kContracting},
      {"negotiator_declares_not_becoming_party",
       kNegotiating,
       {NonParticipationDeclared("jp", later)},
       "jp",
       kNotBecomingParty},
      {"signatory_declares_not_becoming_party",
       kDraft,
       {Signed("jp", kSimple, kDate), NonParticipationDeclared("jp", later)},
       "jp",
       kNotBecomingParty},
      {"not_becoming_party_stays_on_entry_into_force",
       kSignedNotInForce,
       {Signed("jp", kSimple, kDate), NonParticipationDeclared("jp", kDate),
        EnteredIntoForce("", later)},
       "jp",
       kNotBecomingParty},
      {"not_becoming_party_stays_on_termination",
       kInForce,
       {NonParticipationDeclared("jp", kDate),
        Terminated(v1::TERMINATION_GROUND_BY_CONSENT, later)},
       "jp",
       kNotBecomingParty},
      {"accession_to_treaty_in_force",
       kInForce,
       {ConsentExpressed("jp", v1::CONSENT_MEANS_ACCESSION, later)},
       "jp",
       kContracting},
      {"in_force_for_all_contracting",
       kSignedNotInForce,
       {EnteredIntoForce("", later)},
       "kr",
       kParty},
      {"signatory_not_party_on_entry_into_force",
       kSignedNotInForce,
       {Signed("jp", kSimple, kDate), EnteredIntoForce("", later)},
       "jp",
       kSignatory},
      {"in_force_for_one_party",
       kInForce,
       {ConsentExpressed("jp", v1::CONSENT_MEANS_ACCESSION, later),
        EnteredIntoForce("jp", Day(2017, 2, 1))},
       "jp",
       kParty},
      {"withdrawal_notified",
       kInForce,
       {WithdrawalNotified("kz", later, Day(2018, 1, 1))},
       "kz",
       kPending},
      {"withdrawal_revoked",
       kInForce,
       {WithdrawalNotified("kz", later, Day(2018, 1, 1)),
        WithdrawalRevoked("kz", Day(2017, 6, 1))},
       "kz",
       kParty},
      {"withdrawal_took_effect",
       kInForce,
       {WithdrawalNotified("kz", later, Day(2018, 1, 1)),
        WithdrawalTookEffect("kz", Day(2018, 1, 1))},
       "kz",
       kFormer},
      {"suspended_for_one_party", kInForce, {Suspended("kr", later)}, "kr", kSuspendedP},
      {"resumed_for_one_party",
       kInForce,
       {Suspended("kr", later), Resumed("kr", Day(2018, 1, 1))},
       "kr",
       kParty},
      {"termination_ends_every_party",
       kInForce,
       {Terminated(v1::TERMINATION_GROUND_BY_CONSENT, later)},
       "kr",
       kFormer},
  };
}

// Test names and failure messages show the case name, not the bytes of the case.
void PrintTo(const ParticipantStep& c, std::ostream* os) { *os << c.name; }

class ParticipantStepTest : public ::testing::TestWithParam<ParticipantStep> {};

TEST_P(ParticipantStepTest, ReachesExpectedParticipationStatus) {
  const ParticipantStep& s = GetParam();
  TestRegistry registry;
  registry.Reach("a1", kBinding, kMultilateral, s.from);
  registry.MustRunAll("a1", s.changes);
  EXPECT_EQ(registry.participation("a1", s.party_id).status(), s.expected)
      << v1::ParticipationStatus_Name(registry.participation("a1", s.party_id).status());
}

INSTANTIATE_TEST_SUITE_P(Participations, ParticipantStepTest,
                         ::testing::ValuesIn(ParticipantSteps()),
                         [](const auto& info) { return info.param.name; });

// Open for signature, then consent without signature by both sides of a bilateral treaty
// (or two of a multilateral one), then entry into force.
struct ConsentPath {
  std::string name;
  v1::Arity arity;
  v1::ConsentMeans means;
};

// Test names and failure messages show the case name, not the bytes of the case.
void PrintTo(const ConsentPath& c, std::ostream* os) { *os << c.name; }

class ConsentWithoutSignatureTest : public ::testing::TestWithParam<ConsentPath> {};

TEST_P(ConsentWithoutSignatureTest, OpenThenTwoConsentsThenInForce) {
  const ConsentPath& c = GetParam();
  TestRegistry registry;
  registry.Reach("a1", kBinding, c.arity, kOpen);
  registry.MustRun(AgreementCommand("a1", ConsentExpressed("kz", c.means, kDate)));
  EXPECT_EQ(registry.agreement("a1").status(), kSignedNotInForce);
  EXPECT_FALSE(registry.agreement("a1").has_signed_on()) << "nobody signed";
  if (c.arity == kBilateral) {
    absl::StatusOr<std::vector<v1::Event>> early =
        registry.Run(AgreementCommand("a1", EnteredIntoForce("", kDate)));
    ASSERT_FALSE(early.ok());
    EXPECT_NE(early.status().message().find("needs 2 CONTRACTING participants (has 1)"),
              std::string::npos)
        << early.status();
  }
  registry.MustRun(
      AgreementCommand("a1", ConsentExpressed("kr", c.means, Day(2016, 8, 1))));
  EXPECT_EQ(registry.agreement("a1").status(), kSignedNotInForce);
  registry.MustRun(AgreementCommand("a1", EnteredIntoForce("", Day(2016, 9, 1))));
  const v1::Agreement& a = registry.agreement("a1");
  EXPECT_EQ(a.status(), kInForce);
  EXPECT_EQ(a.entered_into_force_on().month(), 9);
  for (const char* party : {"kz", "kr"}) {
    EXPECT_EQ(registry.participation("a1", party).status(),
              v1::PARTICIPATION_STATUS_PARTY)
        << party;
    EXPECT_EQ(registry.participation("a1", party).consent().means(), c.means) << party;
  }
  EXPECT_EQ(registry.participation("a1", "jp").status(),
            v1::PARTICIPATION_STATUS_NEGOTIATING);
}

INSTANTIATE_TEST_SUITE_P(
    Consent, ConsentWithoutSignatureTest,
    ::testing::ValuesIn(std::vector<ConsentPath>{
        {"bilateral_accession", kBilateral, v1::CONSENT_MEANS_ACCESSION},
        {"bilateral_acceptance", kBilateral, v1::CONSENT_MEANS_ACCEPTANCE},
        {"bilateral_approval", kBilateral, v1::CONSENT_MEANS_APPROVAL},
        {"multilateral_accession", kMultilateral, v1::CONSENT_MEANS_ACCESSION},
    }),
    [](const auto& info) { return info.param.name; });

// After a declaration not to become a party (VCLT 18(a)) the participant cannot declare
// again, nor apply the treaty provisionally, nor sign a second time.
struct AfterDeclaration {
  std::string name;
  bool signed_first;
  v1::EventPayload change;
  std::string why;
};

// Test names and failure messages show the case name, not the bytes of the case.
void PrintTo(const AfterDeclaration& c, std::ostream* os) { *os << c.name; }

class AfterNonParticipationTest : public ::testing::TestWithParam<AfterDeclaration> {};

TEST_P(AfterNonParticipationTest, IsFailedPrecondition) {
  const AfterDeclaration& a = GetParam();
  TestRegistry registry;
  registry.Reach("a1", kBinding, kMultilateral, kSignedNotInForce);
  if (a.signed_first)
    registry.MustRun(AgreementCommand("a1", Signed("jp", kSimple, kDate)));
  registry.MustRun(AgreementCommand("a1", NonParticipationDeclared("jp", kDate)));
  const std::string before = registry.agreement("a1").SerializeAsString();
  absl::StatusOr<std::vector<v1::Event>> result =
      registry.Run(AgreementCommand("a1", a.change));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition)
      << result.status();
  EXPECT_NE(result.status().message().find("party jp in agreement a1 is "
                                           "NOT_BECOMING_PARTY: cannot "),
            std::string::npos)
      << result.status();
  EXPECT_NE(result.status().message().find(a.why), std::string::npos) << result.status();
  EXPECT_EQ(registry.agreement("a1").SerializeAsString(), before);
}

INSTANTIATE_TEST_SUITE_P(
    Participations, AfterNonParticipationTest,
    ::testing::ValuesIn(std::vector<AfterDeclaration>{
        {"signature_again", true, Signed("jp", kSimple, kDate),
         "it has already signed; it reverses its declaration (VCLT 18) by expressing "
         "consent"},
        {"provisional_application", true, ProvisionalStarted("jp", kDate),
         "only a SIGNATORY or CONTRACTING participant"},
        {"second_declaration", true, NonParticipationDeclared("jp", kDate),
         "it has already declared it"},
    }),
    [](const auto& info) { return info.param.name; });

// VCLT 18 lets a state reverse its declaration: a later signature (when it had not
// signed) or consent starts a new period of the participation; the closed period keeps
// the declaration.
struct Reversal {
  std::string name;
  bool signed_first;
  v1::EventPayload change;
  v1::ParticipationStatus after;
};

void PrintTo(const Reversal& c, std::ostream* os) { *os << c.name; }

class ReversedDeclarationTest : public ::testing::TestWithParam<Reversal> {};

TEST_P(ReversedDeclarationTest, StartsANewPeriod) {
  const Reversal& r = GetParam();
  TestRegistry registry;
  registry.Reach("a1", kBinding, kMultilateral, kSignedNotInForce);
  if (r.signed_first)
    registry.MustRun(AgreementCommand("a1", Signed("jp", kSimple, kDate)));
  registry.MustRun(AgreementCommand("a1", NonParticipationDeclared("jp", kDate)));
  registry.MustRun(AgreementCommand("a1", r.change));
  const v1::Participation& jp = registry.participation("a1", "jp");
  EXPECT_EQ(jp.status(), r.after);
  ASSERT_EQ(jp.previous_periods_size(), 1);
  EXPECT_EQ(jp.previous_periods(0).status(), v1::PARTICIPATION_STATUS_NOT_BECOMING_PARTY);
  EXPECT_EQ(jp.previous_periods(0).non_participation_declared_on().month(), 7);
  EXPECT_FALSE(jp.has_non_participation_declared_on());
}

INSTANTIATE_TEST_SUITE_P(
    Participations, ReversedDeclarationTest,
    ::testing::ValuesIn(std::vector<Reversal>{
        {"simple_signature", false, Signed("jp", kSimple, Day(2017, 1, 1)),
         v1::PARTICIPATION_STATUS_SIGNATORY},
        {"definitive_signature", false, Signed("jp", kDefinitive, Day(2017, 1, 1)),
         v1::PARTICIPATION_STATUS_CONTRACTING},
        {"ratification", true,
         ConsentExpressed("jp", v1::CONSENT_MEANS_RATIFICATION, Day(2017, 1, 1)),
         v1::PARTICIPATION_STATUS_CONTRACTING},
        {"accession", false,
         ConsentExpressed("jp", v1::CONSENT_MEANS_ACCESSION, Day(2017, 1, 1)),
         v1::PARTICIPATION_STATUS_CONTRACTING},
        {"acceptance", true,
         ConsentExpressed("jp", v1::CONSENT_MEANS_ACCEPTANCE, Day(2017, 1, 1)),
         v1::PARTICIPATION_STATUS_CONTRACTING},
    }),
    [](const auto& info) { return info.param.name; });

TEST(NonParticipationTest, ReversalCannotPrecedeTheDeclaration) {
  TestRegistry registry;
  registry.Reach("a1", kBinding, kMultilateral, kSignedNotInForce);
  registry.MustRun(AgreementCommand("a1", NonParticipationDeclared("jp", kDate)));
  absl::StatusOr<std::vector<v1::Event>> result = registry.Run(AgreementCommand(
      "a1", ConsentExpressed("jp", v1::CONSENT_MEANS_ACCESSION, Day(2016, 6, 1))));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(),
            "change.consent_expressed.consent.deposit_date: 2016-06-01 is before its "
            "declaration that it would not become a party (2016-07-01); if a source "
            "confirms both dates, name it in dates_confirmed_by");
}

TEST(NonParticipationTest, ProvisionalApplicationRunsUntilTheNoticeEnds) {
  TestRegistry registry;
  registry.Reach("a1", kBinding, kMultilateral, kSignedNotInForce);
  registry.MustRunAll(
      "a1", {Signed("jp", kSimple, kDate), ProvisionalStarted("jp", Day(2016, 8, 1))});
  ASSERT_EQ(registry.agreement("a1").status(), kProvisional);
  absl::StatusOr<std::vector<v1::Event>> events = registry.Run(
      AgreementCommand("a1", NonParticipationDeclared("jp", Day(2017, 1, 1))));
  ASSERT_TRUE(events.ok()) << events.status();
  // The end is an event of its own, on the declaration's date (VCLT 25(2), the treaty
  // having no clause of its own).
  ASSERT_EQ(events->size(), 2u);
  const v1::ProvisionalApplicationTerminated& ended =
      (*events)[1].payload().provisional_application_terminated();
  EXPECT_EQ(ended.party_id(), "jp");
  EXPECT_EQ(ended.effective_date().year(), 2017);
  EXPECT_EQ(ended.effective_date_basis(), v1::EFFECTIVE_DATE_BASIS_VCLT_DEFAULT);
  EXPECT_EQ(registry.agreement("a1").status(), kSignedNotInForce);
  const v1::Participation& jp = registry.participation("a1", "jp");
  EXPECT_EQ(jp.status(), v1::PARTICIPATION_STATUS_NOT_BECOMING_PARTY);
  EXPECT_EQ(jp.provisionally_applied_from().month(), 8) << "the period stays on record";
  EXPECT_EQ(jp.provisional_application_ended_on().year(), 2017);
  EXPECT_EQ(jp.non_participation_declared_on().year(), 2017);
  EXPECT_EQ(jp.signature().date().month(), 7) << "the signature stays on record";
}

TEST(NonParticipationTest, UnderRulesVersion1EndedProvisionalApplicationAtOnce) {
  TestRegistry registry;
  registry.set_rules_version(0);
  registry.Reach("a1", kBinding, kMultilateral, kSignedNotInForce);
  registry.MustRunAll(
      "a1", {Signed("jp", kSimple, kDate), ProvisionalStarted("jp", Day(2016, 8, 1))});
  registry.MustRun(
      AgreementCommand("a1", NonParticipationDeclared("jp", Day(2017, 1, 1))));
  // The log of an older store holds the declaration alone: it evolves as it did.
  v1::Agreement replayed;
  for (const v1::Event& event : registry.log()) {
    if (event.envelope().stream_id() != "a1") continue;
    if (event.payload().has_provisional_application_terminated()) continue;
    EvolveAgreement(replayed, event);
  }
  EXPECT_EQ(replayed.status(), kSignedNotInForce);
  EXPECT_FALSE(replayed.has_provisionally_applied_from());
  const v1::Participation& jp = replayed.participations(2);
  EXPECT_EQ(jp.status(), v1::PARTICIPATION_STATUS_NOT_BECOMING_PARTY);
  EXPECT_FALSE(jp.has_provisionally_applied_from());
  EXPECT_FALSE(jp.has_non_participation_declared_on());
}

TEST(NonParticipationTest, OthersKeepApplyingProvisionally) {
  TestRegistry registry;
  registry.Reach("a1", kBinding, kMultilateral, kSignedNotInForce);
  registry.MustRunAll(
      "a1", {Signed("jp", kSimple, kDate), ProvisionalStarted("", Day(2016, 8, 1)),
             NonParticipationDeclared("jp", Day(2017, 1, 1))});
  EXPECT_EQ(registry.agreement("a1").status(), kProvisional);
  EXPECT_TRUE(registry.participation("a1", "kz").has_provisionally_applied_from());
  EXPECT_FALSE(registry.participation("a1", "kz").has_provisional_application_ended_on());
  EXPECT_TRUE(registry.participation("a1", "jp").has_provisional_application_ended_on());
}

TEST(NonParticipationTest, DoesNotBlockLeavingTheInstrumentLifecycle) {
  TestRegistry registry;
  registry.Reach("a1", kBinding, kMultilateral, kNegotiating);
  registry.MustRunAll("a1",
                      {NonParticipationDeclared("jp", kDate), Reassessed(kNonBinding)});
  EXPECT_EQ(registry.agreement("a1").status(), kDraft);
}

}  // namespace
}  // namespace agreements::domain
