// Test support for the domain tests: payload builders and TestRegistry, an in-memory
// stand-in for the committer (references -> context -> Decide -> positions -> Evolve).
// Not thread-safe; one per test.
#ifndef AGREEMENTS_DOMAIN_TEST_REGISTRY_H_
#define AGREEMENTS_DOMAIN_TEST_REGISTRY_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/decider.h"

namespace agreements::domain::testing {

v1::Date Day(int year, int month, int day);
v1::Date Month(int year, int month);
v1::Date Year(int year);

v1::Command AgreementCommand(const std::string& id, const v1::EventPayload& change);
v1::Command PartyCommand(const std::string& id, const v1::EventPayload& change);

// Payloads. Party ids may be empty where the payload allows it.
v1::EventPayload RecordPayload(v1::LegalNature nature, v1::Arity arity,
                               const std::vector<std::string>& participants,
                               v1::AgreementStatus initial = v1::AGREEMENT_STATUS_DRAFT);
v1::EventPayload RegisterPayload(v1::PartyType type, const std::string& country,
                                 const std::string& name);
v1::EventPayload TextAdopted(const v1::Date& date);
v1::EventPayload OpenedForSignature(const v1::Date& date);
v1::EventPayload ParticipantAdded(const std::string& party_id);
v1::EventPayload Signed(const std::string& party_id, v1::SignatureKind kind,
                        const v1::Date& date);
v1::EventPayload ConsentExpressed(const std::string& party_id, v1::ConsentMeans means,
                                  const v1::Date& deposit_date);
v1::EventPayload ProvisionalStarted(const std::string& party_id, const v1::Date& date);
v1::EventPayload ProvisionalTerminated(const std::string& party_id, const v1::Date& date);
v1::EventPayload EnteredIntoForce(const std::string& party_id, const v1::Date& date);
v1::EventPayload Suspended(const std::string& party_id, const v1::Date& date);
v1::EventPayload Resumed(const std::string& party_id, const v1::Date& date);
v1::EventPayload NonParticipationDeclared(const std::string& party_id,
                                          const v1::Date& date);
v1::EventPayload WithdrawalNotified(const std::string& party_id, const v1::Date& notified,
                                    const v1::Date& takes_effect);
v1::EventPayload WithdrawalRevoked(const std::string& party_id, const v1::Date& date);
v1::EventPayload WithdrawalTookEffect(const std::string& party_id, const v1::Date& date);
v1::EventPayload Terminated(v1::TerminationGround ground, const v1::Date& date,
                            const std::string& replaced_by = "");
v1::EventPayload Abandoned(const v1::Date& date);
v1::EventPayload AmendmentAdopted(const v1::Date& date, const std::string& summary);
v1::EventPayload ContractAmended(const v1::Date& date, const std::string& summary);
v1::EventPayload ClassificationChanged(
    const std::vector<std::pair<v1::ClassificationScheme, std::string>>& codes);
v1::EventPayload AmountRecorded(const std::string& id, const std::string& currency,
                                int64_t units);
v1::EventPayload AmountRevised(const std::string& id, const std::string& currency,
                               int64_t units);
v1::EventPayload DocumentAttached(const std::string& url, char hex_digit);
v1::EventPayload RelationLinked(v1::RelationType type, const std::string& target);
v1::EventPayload Reassessed(v1::LegalNature nature);
v1::EventPayload CameIntoEffect(const v1::Date& date);
v1::EventPayload Discontinued(const v1::Date& date);
v1::EventPayload ContractSigned(const v1::Date& date);
v1::EventPayload ContractActivated(const v1::Date& date);
v1::EventPayload ContractCompleted(const v1::Date& date);
v1::EventPayload ContractTerminated(const v1::Date& date);
v1::EventPayload ContractCancelled(const v1::Date& date);
v1::EventPayload Corrected(uint64_t position, const std::vector<std::string>& paths,
                           const v1::Agreement& values);
v1::EventPayload PartyCorrected(uint64_t position, const std::vector<std::string>& paths,
                                const v1::Party& values);

class TestRegistry {
 public:
  // Runs one command as the committer would; on success appends and applies the events
  // and returns them.
  absl::StatusOr<std::vector<v1::Event>> Run(const v1::Command& command);
  // Runs and records a test failure (with the command) when it does not succeed.
  void MustRun(const v1::Command& command);
  void MustRunAll(const std::string& agreement_id,
                  const std::vector<v1::EventPayload>& changes);

  // Decides without committing.
  absl::StatusOr<std::vector<v1::EventPayload>> Decide(const v1::Command& command) const;

  // Registers the parties kz, kr, jp (states) and kepco (company) once.
  void RegisterDefaultParties();

  // Records `id` with participants kz, kr and jp and drives it to `target` along the
  // canonical path of its lifecycle (docs/domain.md); fails the test when it cannot.
  // All three have role PARTY, except in a BILATERAL agreement, where jp is a WITNESS.
  void Reach(const std::string& id, v1::LegalNature nature, v1::Arity arity,
             v1::AgreementStatus target);

  const v1::Agreement& agreement(const std::string& id) const;
  const v1::Party& party(const std::string& id) const;
  const v1::Participation& participation(const std::string& agreement_id,
                                         const std::string& party_id) const;
  const std::vector<v1::Event>& log() const { return log_; }

  // The rules version written into new events (default: kRulesVersion); tests of stored
  // events decided under older rules set it lower.
  void set_rules_version(uint32_t version) { rules_version_ = version; }

 private:
  DecideContext ContextFor(const v1::Command& command) const;

  std::map<std::string, v1::Agreement> agreements_;
  std::map<std::string, v1::Party> parties_;
  std::vector<v1::Event> log_;
  uint32_t rules_version_ = kRulesVersion;
};

}  // namespace agreements::domain::testing

#endif  // AGREEMENTS_DOMAIN_TEST_REGISTRY_H_
