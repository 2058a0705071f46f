// The properties the command fuzzer (command_fuzz.cc) checks, and the CHECK that aborts
// when one is violated, printing the property and the command being run so that both
// libFuzzer and the replay driver report it. Test-only; not thread-safe (the command
// being run is kept in one global, as a fuzz target runs one input at a time).
#ifndef AGREEMENTS_DOMAIN_FUZZ_COMMAND_FUZZ_CHECKS_H_
#define AGREEMENTS_DOMAIN_FUZZ_COMMAND_FUZZ_CHECKS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "agreements/v1/agreement.pb.h"
#include "agreements/v1/events.pb.h"
#include "agreements/v1/party.pb.h"
#include "google/protobuf/message.h"

namespace agreements::domain::fuzz {

namespace v1 = ::agreements::v1;

// Prints "command_fuzz: property violated: ..." with the command being run, and aborts.
[[noreturn]] void Fail(const char* file, int line, const char* condition,
                       const std::string& details);

// The command being run, printed by Fail; cleared with an empty command.
void SetCurrentCommand(const v1::Command& command);

#define FUZZ_CHECK(condition, ...)                                     \
  do {                                                                 \
    if (!(condition)) {                                                \
      ::agreements::domain::fuzz::Fail(__FILE__, __LINE__, #condition, \
                                       ::absl::StrCat(__VA_ARGS__));   \
    }                                                                  \
  } while (false)

// The bytes the committer stores for a message (store/store.cc SerializeDeterministic,
// which the domain may not link).
std::string SerializeDeterministic(const google::protobuf::Message& message);

// Property 3: `message` serializes (deterministically) and parses back to an equal
// message that serializes to the same bytes. `what` names it in a failure.
void CheckRoundTrip(const google::protobuf::Message& message, const char* what);

// Whether `message` survives serialization and parsing (a message holding invalid UTF-8
// in a string field does not: such a command never reaches the domain).
bool IsRepresentable(const google::protobuf::Message& message);

// Property 2: ValidateCommand answers OK or INVALID_ARGUMENT, and an INVALID_ARGUMENT
// names the field: the message starts with "<field path>: " and the details carry that
// field as their first field violation.
void CheckValidationStatus(const absl::Status& status);

// Decide answers OK or one of the codes decider.h lists; an INVALID_ARGUMENT message
// starts with a field path (the server derives the field violation from it).
void CheckDecideStatus(const absl::Status& status);

// Every Date held anywhere in `message` is unset or a valid date (ValidateDate). Returns
// the first violation, or "".
std::string InvalidDateIn(const google::protobuf::Message& message);

// What must hold of any agreement state Evolve produces from decided events: a status of
// its lifecycle, with the dates and the termination ground it rests on, and no signed
// participant while it is before signature (but for contracts); the per-agreement
// limits; unique ids in its lists; derived fields in step; valid dates. Returns the first
// violation, or "".
std::string AgreementViolation(const v1::Agreement& state);

// The same for a party: its descriptive fields pass the party checks, its dates are
// valid.
std::string PartyViolation(const v1::Party& state);

// What a command (its events, from `before` to `after`; `payload` is the first) may
// change in an agreement (docs/domain.md): the legal nature changes only by
// legal_nature_reassessed; a correction moves no status, the agreement's or a
// participant's; a participation disappears only when a depositary is designated and it
// is a legacy depositary-only participation that recorded nothing (no signature, consent,
// provisional application or earlier period); a command other than a correction does not
// leave the instrument PROVISIONALLY_APPLIED with no participant applying it. Returns
// the first violation, or "".
std::string TransitionViolation(const v1::Agreement& before, const v1::Agreement& after,
                                const v1::EventPayload& payload);
inline std::string TransitionViolation(const v1::Party&, const v1::Party&,
                                       const v1::EventPayload&) {
  return "";
}

// The state after Evolve of `event` records the event: id, revision, last position.
template <typename State>
std::string EnvelopeViolation(const State& state, const v1::EventEnvelope& envelope) {
  if (state.id() != envelope.stream_id()) {
    return absl::StrCat("id is \"", state.id(), "\", the stream is \"",
                        envelope.stream_id(), "\"");
  }
  if (state.revision() != envelope.revision() ||
      state.last_position() != envelope.position()) {
    return absl::StrCat("revision ", state.revision(), " / last_position ",
                        state.last_position(), " after the event at revision ",
                        envelope.revision(), " / position ", envelope.position());
  }
  return "";
}

}  // namespace agreements::domain::fuzz

#endif  // AGREEMENTS_DOMAIN_FUZZ_COMMAND_FUZZ_CHECKS_H_
