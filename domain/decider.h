// The domain core of the registry: pure functions over protobuf values.
//
//   Decide(state, command, context) -> events or an error
//   Evolve(state, event)            -> state
//
// No gRPC, no RocksDB. Every function here is a pure function of its arguments and is
// safe to call from any thread. The committer (store/) loads the state and the context,
// calls Decide, assigns positions and revisions, and calls Evolve on the committed
// events.
#ifndef AGREEMENTS_DOMAIN_DECIDER_H_
#define AGREEMENTS_DOMAIN_DECIDER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agreements/v1/agreement.pb.h"
#include "agreements/v1/events.pb.h"
#include "agreements/v1/party.pb.h"

namespace agreements::domain {

namespace v1 = ::agreements::v1;

// The version of the rules Decide applies, written by the committer into every event's
// envelope (EventEnvelope.rules_version). Evolve applies each event under the rules it
// was decided with: version 2 keeps the dates provisional application ended, records
// declarations of non-participation and the opening for signature, and ends
// provisional application on entry into force; version 3 keeps a participation without
// roles when its party is designated depositary (docs/domain.md, "Rules versions").
// Events recorded before version 2 carry no version and evolve as they always did.
inline constexpr uint32_t kRulesVersion = 3;

// What a command refers to besides its own stream. The committer loads these before
// calling Decide, so that Decide stays pure.
struct References {
  // Parties named by the command (participants, controlled_by ...).
  std::vector<std::string> party_ids;
  // Other agreements named by the command (relation targets, replaced_by ...).
  std::vector<std::string> agreement_ids;
  // Global position named by a correction; 0 when none.
  uint64_t corrected_position = 0;
};

References ReferencesOf(const v1::Command& command);

// The loaded references. A referenced id that does not exist is absent from the maps.
struct DecideContext {
  absl::flat_hash_map<std::string, v1::Party> parties;
  absl::flat_hash_map<std::string, v1::Agreement> agreements;
  // Envelope of the event at References::corrected_position, if it exists.
  std::optional<v1::EventEnvelope> corrected_event;
};

// Checks a command on its own, without any state: required fields, formats (ids, ISO
// 3166-1 alpha-2 countries, ISO 4217 currencies, BCP 47 language tags, calendar dates
// with precision, SHA-256 hex), non-negative amounts and size limits (see limits.h).
// Errors are INVALID_ARGUMENT and name the field path and the rule, e.g.
// "change.agreement_recorded.agreement.titles[0].language: must be a BCP 47 language
// tag".
absl::Status ValidateCommand(const v1::Command& command);

// Decides the events for a command on an agreement stream. `state` is nullptr when the
// agreement does not exist. The command's stream_id is set (the committer assigns ids
// before calling). Errors:
//   NOT_FOUND            the agreement (for a change) or a referenced
//   party/agreement/event ALREADY_EXISTS       agreement_recorded for an existing id
//   FAILED_PRECONDITION  an illegal transition; the message names the current status and
//                        the attempted action, e.g. "agreement x is TERMINATED: cannot
//                        enter into force"
//   INVALID_ARGUMENT     a rule that depends on state (unknown amount id, duplicate
//                        participant, wrong stream for a correction ...)
// The returned payloads are in order; most commands yield one, some yield more (e.g. a
// withdrawal taking effect in a bilateral treaty also terminates it).
absl::StatusOr<std::vector<v1::EventPayload>> DecideAgreement(
    const v1::Agreement* state, const v1::Command& command, const DecideContext& context);

// The same for party streams (party_registered, party_updated, record_corrected).
absl::StatusOr<std::vector<v1::EventPayload>> DecideParty(const v1::Party* state,
                                                          const v1::Command& command,
                                                          const DecideContext& context);

// Applies one committed event (envelope complete) to the state. `state` is a default
// message before the first event of the stream. Never fails: events in the log were
// decided; an event that does not apply (unknown payload) only advances revision,
// last_position and update_time.
void EvolveAgreement(v1::Agreement& state, const v1::Event& event);
void EvolveParty(v1::Party& state, const v1::Event& event);

// The payload's oneof field name, e.g. "participant_signed" ("" when unset).
std::string EventTypeName(const v1::EventPayload& payload);

}  // namespace agreements::domain

#endif  // AGREEMENTS_DOMAIN_DECIDER_H_
