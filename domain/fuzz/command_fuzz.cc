// Fuzz target domain_command_fuzz: ValidateCommand, Decide and Evolve on arbitrary
// commands and states, run as the committer runs them (command_fuzz_registry.h).
//
// The first byte of an input picks the mode:
//   even  mode A: a big-endian 2-byte length n, n bytes of a serialized
//         agreements.v1.Command, and optionally the rest: a serialized Agreement (or
//         Party, for a party stream), the stream's current state. The command runs on
//         the registry of World() with that state in place.
//   odd   mode B: a program of structured commands (command_fuzz_program.h) run in
//         order on a copy of ProgramStart(), so that deep rules are reached.
//
// Properties (command_fuzz_checks.h), each an abort naming what failed:
//   1. when ValidateCommand passes and Decide returns events, each event evolved into
//      the state leaves a state with the invariants of AgreementViolation /
//      PartyViolation, and the command as a whole changes only what TransitionViolation
//      allows (a state given in mode A is held to them only when it had them); decided
//      events hold valid dates only; the first event is the command's kind;
//   2. every INVALID_ARGUMENT of ValidateCommand names a field, in its message and in its
//      details; Decide answers only the codes decider.h lists, and its INVALID_ARGUMENT
//      messages start with a field path;
//   3. commands, events and evolved states round-trip through serialization, and in
//      mode B every stream rebuilt from the stored bytes equals its state;
//   4. no crash, no sanitizer report.
//
// Environment: AGREEMENTS_FUZZ_TRACE=1 prints each command and its outcome;
// AGREEMENTS_FUZZ_WRITE_SEEDS=<dir> (with AGREEMENTS_FUZZ_DEMO=<jsonl>, the demo data)
// writes the seed corpus to <dir> and exits (command_fuzz_seeds.cc).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "domain/fuzz/command_fuzz_checks.h"
#include "domain/fuzz/command_fuzz_program.h"
#include "domain/fuzz/command_fuzz_registry.h"
#include "domain/fuzz/command_fuzz_seeds.h"
#include "domain/fuzz/command_fuzz_world.h"
#include "google/protobuf/stubs/logging.h"

namespace agreements::domain::fuzz {
namespace {

// A state made from fuzz bytes is run only when the registry could hold it: its dates
// are valid and the parties it names exist (parties are never deleted, and Decide looks
// up the parties of participants it finds).
bool Plausible(const v1::Agreement& state, const Registry& registry) {
  if (!InvalidDateIn(state).empty()) return false;
  for (const v1::Participation& p : state.participations()) {
    if (registry.party(p.party_id()) == nullptr) return false;
  }
  for (const v1::Depositary& d : state.depositaries()) {
    if (registry.party(d.party_id()) == nullptr) return false;
  }
  return true;
}

// Puts the state in `bytes` in place for the command's stream. False when the bytes are
// no state the registry could hold for it.
bool AdoptState(const std::string& bytes, const v1::Command& command,
                Registry& registry) {
  if (command.stream_id().empty()) return false;
  if (command.stream_type() == v1::STREAM_TYPE_PARTY) {
    v1::Party state;
    if (!state.ParseFromString(bytes)) return false;
    state.set_id(command.stream_id());
    if (!PartyViolation(state).empty()) return false;
    registry.Adopt(state);
    return true;
  }
  v1::Agreement state;
  if (!state.ParseFromString(bytes)) return false;
  state.set_id(command.stream_id());
  if (!Plausible(state, registry)) return false;
  registry.Adopt(state);
  return true;
}

void RunSerialized(ByteReader& in) {
  const uint16_t length = in.U16();
  const std::string command_bytes = in.Take(length);
  const std::string state_bytes = in.Rest();
  v1::Command command;
  if (!command.ParseFromString(command_bytes)) return;
  Registry registry = World();
  if (!state_bytes.empty() && !AdoptState(state_bytes, command, registry)) return;
  registry.Run(command).IgnoreError();
}

}  // namespace
}  // namespace agreements::domain::fuzz

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  // Parsing fuzz bytes logs every string with invalid UTF-8; such inputs are only
  // skipped (property violations print through Fail).
  google::protobuf::SetLogHandler(nullptr);
  if (const char* dir = std::getenv("AGREEMENTS_FUZZ_WRITE_SEEDS")) {
    const char* demo = std::getenv("AGREEMENTS_FUZZ_DEMO");
    std::exit(agreements::domain::fuzz::WriteSeeds(dir, demo == nullptr ? "" : demo));
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace agreements::domain::fuzz;  // NOLINT(build/namespaces)
  if (size == 0) return 0;
  ByteReader in(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    RunSerialized(in);
    return 0;
  }
  Registry registry = ProgramStart();
  RunProgram(in, registry);
  return 0;
}
