#include "domain/fuzz/command_fuzz_registry.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "domain/fuzz/command_fuzz_checks.h"
#include "google/protobuf/util/message_differencer.h"

namespace agreements::domain::fuzz {
namespace {

// Ids of the form "a-<digits>" / "p-<digits>" are reserved for ids servers assigned.
bool IsReserved(const std::string& id, char prefix) {
  if (id.size() < 3 || id[0] != prefix || id[1] != '-') return false;
  for (size_t i = 2; i < id.size(); ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(id[i]))) return false;
  }
  return true;
}

// The committer's id assignment (store/committer.cc): a creation whose payload has no
// id takes the stream id, else an id of the server's. False for a reserved id, which
// the committer refuses before deciding.
bool AssignIds(v1::Command& command) {
  v1::EventPayload& change = *command.mutable_change();
  std::string* id = nullptr;
  char prefix = 0;
  if (change.has_agreement_recorded()) {
    id = change.mutable_agreement_recorded()->mutable_agreement()->mutable_id();
    prefix = 'a';
  } else if (change.has_party_registered()) {
    id = change.mutable_party_registered()->mutable_party()->mutable_id();
    prefix = 'p';
  }
  if (id == nullptr) return true;
  if (id->empty()) *id = command.stream_id();
  if (id->empty()) {
    *id = absl::StrCat(std::string(1, prefix), "-fuzzassigned");
  } else if (IsReserved(*id, prefix)) {
    return false;
  }
  command.set_stream_id(*id);
  return true;
}

void EvolveState(v1::Agreement& state, const v1::Event& event) {
  EvolveAgreement(state, event);
}
void EvolveState(v1::Party& state, const v1::Event& event) { EvolveParty(state, event); }
std::string ViolationOf(const v1::Agreement& state) { return AgreementViolation(state); }
std::string ViolationOf(const v1::Party& state) { return PartyViolation(state); }

std::string AgreementStream(const std::string& id) { return "agreements/" + id; }
std::string PartyStream(const std::string& id) { return "parties/" + id; }

template <typename State>
const State* Find(const std::map<std::string, State>& states, const std::string& id) {
  auto it = states.find(id);
  return it == states.end() ? nullptr : &it->second;
}

}  // namespace

Registry::Registry() : trace_(std::getenv("AGREEMENTS_FUZZ_TRACE") != nullptr) {}

absl::Status Registry::Run(v1::Command command) {
  if (observer_) observer_(command);
  SetCurrentCommand(command);
  // A message with invalid UTF-8 in a string field does not survive the transport: the
  // server never sees it. Only commands a client can send are run.
  if (!IsRepresentable(command)) return absl::InvalidArgumentError("not representable");
  CheckRoundTrip(command, "the command");
  absl::Status status = ValidateCommand(command);
  CheckValidationStatus(status);
  if (status.ok() && !AssignIds(command)) {
    status = absl::InvalidArgumentError("reserved id");
  }
  if (!status.ok()) {
    Trace(command, status);
    return status;
  }
  SetCurrentCommand(command);
  absl::StatusOr<std::vector<v1::EventPayload>> payloads = Decide(command);
  CheckDecideStatus(payloads.status());
  status = payloads.status();
  if (status.ok()) {
    FUZZ_CHECK(!payloads->empty(), "Decide accepted the command with no event");
    FUZZ_CHECK(EventTypeName(payloads->front()) == EventTypeName(command.change()),
               "the first event is ", EventTypeName(payloads->front()));
    Commit(command, *payloads);
  }
  Trace(command, status);
  return status;
}

void Registry::Adopt(const v1::Agreement& state) {
  agreements_[state.id()] = state;
  adopted_.insert(AgreementStream(state.id()));
}

void Registry::Adopt(const v1::Party& state) {
  parties_[state.id()] = state;
  adopted_.insert(PartyStream(state.id()));
}

DecideContext Registry::ContextFor(const v1::Command& command) const {
  DecideContext context;
  const References refs = ReferencesOf(command);
  for (const std::string& id : refs.party_ids) {
    if (const v1::Party* p = party(id)) context.parties.emplace(id, *p);
  }
  for (const std::string& id : refs.agreement_ids) {
    if (const v1::Agreement* a = agreement(id)) context.agreements.emplace(id, *a);
  }
  const uint64_t position = refs.corrected_position;
  if (position >= 1 && position <= log_.size()) {
    context.corrected_event = log_[position - 1].envelope();
  }
  // An adopted stream's earlier events are not in the log: a position it claims to
  // have reached names one of its own events.
  if (position > log_.size() && position <= AdoptedLastPosition(command)) {
    v1::EventEnvelope envelope;
    envelope.set_position(position);
    envelope.set_stream_type(command.stream_type());
    envelope.set_stream_id(command.stream_id());
    context.corrected_event = envelope;
  }
  return context;
}

uint64_t Registry::AdoptedLastPosition(const v1::Command& command) const {
  const std::string& id = command.stream_id();
  if (command.stream_type() == v1::STREAM_TYPE_PARTY) {
    const v1::Party* state = party(id);
    return adopted_.count(PartyStream(id)) != 0 && state != nullptr
               ? state->last_position()
               : 0;
  }
  const v1::Agreement* state = agreement(id);
  return adopted_.count(AgreementStream(id)) != 0 && state != nullptr
             ? state->last_position()
             : 0;
}

absl::StatusOr<std::vector<v1::EventPayload>> Registry::Decide(
    const v1::Command& command) const {
  const DecideContext context = ContextFor(command);
  if (command.stream_type() == v1::STREAM_TYPE_PARTY) {
    return DecideParty(party(command.stream_id()), command, context);
  }
  return DecideAgreement(agreement(command.stream_id()), command, context);
}

v1::Event Registry::MakeEvent(const v1::Command& command, const v1::EventPayload& payload,
                              uint64_t revision) const {
  v1::Event event;
  v1::EventEnvelope& envelope = *event.mutable_envelope();
  envelope.set_position(log_.size() + 1);
  envelope.set_stream_type(command.stream_type());
  envelope.set_stream_id(command.stream_id());
  envelope.set_revision(revision);
  envelope.set_event_type(EventTypeName(payload));
  envelope.set_rules_version(kRulesVersion);
  envelope.mutable_recorded_at()->set_seconds(1700000000 +
                                              static_cast<int64_t>(log_.size()));
  envelope.set_actor("fuzz");
  envelope.set_request_id(absl::StrCat("fuzz-", log_.size() + 1));
  envelope.set_reason(command.reason());
  *event.mutable_payload() = payload;
  return event;
}

template <typename State>
void Registry::Apply(State& state, const v1::Command& command,
                     const std::vector<v1::EventPayload>& payloads, bool checked) {
  const State before = state;
  for (const v1::EventPayload& payload : payloads) {
    const std::string dates = InvalidDateIn(payload);
    FUZZ_CHECK(dates.empty(), "a decided event holds an invalid date: ", dates,
               "\n  event: ", payload.ShortDebugString());
    const v1::Event event = MakeEvent(command, payload, state.revision() + 1);
    CheckRoundTrip(event, "a decided event");
    // Property 1: the event evolves into a state that still has every property.
    EvolveState(state, event);
    std::string violation = EnvelopeViolation(state, event.envelope());
    if (violation.empty() && checked) violation = ViolationOf(state);
    FUZZ_CHECK(violation.empty(), "the state after ", event.envelope().event_type(), ": ",
               violation, "\n  event: ", payload.ShortDebugString(),
               "\n  state: ", state.ShortDebugString());
    CheckRoundTrip(state, "an evolved state");
    log_.push_back(event);
  }
  // The events of one command are one step: what it may change is checked on the state
  // after the last.
  const std::string transition =
      checked ? TransitionViolation(before, state, payloads.front()) : "";
  FUZZ_CHECK(transition.empty(), "the command changed what it may not: ", transition,
             "\n  before: ", before.ShortDebugString(),
             "\n  after: ", state.ShortDebugString());
}

void Registry::Commit(const v1::Command& command,
                      const std::vector<v1::EventPayload>& payloads) {
  const std::string& id = command.stream_id();
  if (command.stream_type() == v1::STREAM_TYPE_PARTY) {
    const v1::Party* existing = party(id);
    v1::Party state = existing == nullptr ? v1::Party() : *existing;
    const bool checked =
        adopted_.count(PartyStream(id)) == 0 || PartyViolation(state).empty();
    Apply(state, command, payloads, checked);
    parties_[id] = std::move(state);
    return;
  }
  const v1::Agreement* existing = agreement(id);
  v1::Agreement state = existing == nullptr ? v1::Agreement() : *existing;
  const bool checked =
      adopted_.count(AgreementStream(id)) == 0 || AgreementViolation(state).empty();
  Apply(state, command, payloads, checked);
  agreements_[id] = std::move(state);
}

void Registry::CheckRebuild() const {
  std::map<std::string, v1::Agreement> agreements;
  std::map<std::string, v1::Party> parties;
  for (const v1::Event& stored : log_) {
    v1::Event event;
    FUZZ_CHECK(event.ParseFromString(SerializeDeterministic(stored)),
               "a stored event does not parse");
    const std::string& id = event.envelope().stream_id();
    if (event.envelope().stream_type() == v1::STREAM_TYPE_PARTY) {
      if (adopted_.count(PartyStream(id)) == 0) EvolveParty(parties[id], event);
    } else if (adopted_.count(AgreementStream(id)) == 0) {
      EvolveAgreement(agreements[id], event);
    }
  }
  auto same = [](const google::protobuf::Message& a, const google::protobuf::Message& b) {
    return google::protobuf::util::MessageDifferencer::Equals(a, b) &&
           SerializeDeterministic(a) == SerializeDeterministic(b);
  };
  for (const auto& [id, rebuilt] : agreements) {
    FUZZ_CHECK(same(rebuilt, agreements_.at(id)), "agreement ", id,
               " rebuilt from the log differs: ", rebuilt.ShortDebugString());
  }
  for (const auto& [id, rebuilt] : parties) {
    FUZZ_CHECK(same(rebuilt, parties_.at(id)), "party ", id,
               " rebuilt from the log differs: ", rebuilt.ShortDebugString());
  }
}

const v1::Agreement* Registry::agreement(const std::string& id) const {
  return Find(agreements_, id);
}

const v1::Party* Registry::party(const std::string& id) const {
  return Find(parties_, id);
}

std::vector<uint64_t> Registry::PositionsOf(v1::StreamType type,
                                            const std::string& id) const {
  std::vector<uint64_t> positions;
  for (const v1::Event& event : log_) {
    if (event.envelope().stream_type() == type && event.envelope().stream_id() == id) {
      positions.push_back(event.envelope().position());
    }
  }
  return positions;
}

void Registry::Trace(const v1::Command& command, const absl::Status& status) const {
  if (!trace_) return;
  std::string outcome = status.ok() ? "ok" : status.ToString();
  if (status.ok() && command.stream_type() == v1::STREAM_TYPE_AGREEMENT) {
    outcome = absl::StrCat(
        "ok -> ", v1::AgreementStatus_Name(agreements_.at(command.stream_id()).status()));
  }
  std::fprintf(stderr, "  %-10s %-14s %-34s %s\n",
               command.stream_type() == v1::STREAM_TYPE_PARTY ? "party" : "agreement",
               command.stream_id().c_str(), EventTypeName(command.change()).c_str(),
               outcome.c_str());
}

}  // namespace agreements::domain::fuzz
