// Registry: an in-memory stand-in for the committer (store/committer.cc) for the command
// fuzzer. It runs a command the way the committer does (ValidateCommand, id assignment,
// references loaded into a DecideContext, Decide, envelopes, Evolve of each event) and
// checks the fuzzer's properties at every step (command_fuzz_checks.h). Owns its states
// and its log; not thread-safe; one per fuzz input.
#ifndef AGREEMENTS_DOMAIN_FUZZ_COMMAND_FUZZ_REGISTRY_H_
#define AGREEMENTS_DOMAIN_FUZZ_COMMAND_FUZZ_REGISTRY_H_

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "domain/decider.h"

namespace agreements::domain::fuzz {

class Registry {
 public:
  // With AGREEMENTS_FUZZ_TRACE set, prints each command and its outcome to stderr
  // (for writing seeds).
  Registry();

  // Runs one command. On success appends and applies its events. Returns the status the
  // committer would answer with (validation or Decide). Aborts on a violated property.
  absl::Status Run(v1::Command command);

  // Puts `state` in place as the current state of its stream, as if its events had been
  // committed earlier. Its events are not in the log: CheckRebuild skips the stream, and
  // the properties of the states it leads to are checked only when `state` has them
  // itself (a state made from fuzz bytes need not be one Evolve could produce).
  void Adopt(const v1::Agreement& state);
  void Adopt(const v1::Party& state);

  // Property 3 for the whole log: each stream rebuilt by evolving the stored bytes of its
  // events equals its current state, byte for byte.
  void CheckRebuild() const;

  // nullptr when the stream does not exist.
  const v1::Agreement* agreement(const std::string& id) const;
  const v1::Party* party(const std::string& id) const;
  // Positions of the events of one stream, in order.
  std::vector<uint64_t> PositionsOf(v1::StreamType type, const std::string& id) const;
  const std::vector<v1::Event>& log() const { return log_; }

  // Called with each command before it runs (the seed writer records the states
  // commands meet).
  void set_observer(std::function<void(const v1::Command&)> observer) {
    observer_ = std::move(observer);
  }

 private:
  DecideContext ContextFor(const v1::Command& command) const;
  // The last position of the command's stream when Adopt put it in place, else 0.
  uint64_t AdoptedLastPosition(const v1::Command& command) const;
  absl::StatusOr<std::vector<v1::EventPayload>> Decide(const v1::Command& command) const;
  v1::Event MakeEvent(const v1::Command& command, const v1::EventPayload& payload,
                      uint64_t revision) const;
  void Commit(const v1::Command& command, const std::vector<v1::EventPayload>& payloads);
  template <typename State>
  void Apply(State& state, const v1::Command& command,
             const std::vector<v1::EventPayload>& payloads, bool checked);
  void Trace(const v1::Command& command, const absl::Status& status) const;

  std::map<std::string, v1::Agreement> agreements_;
  std::map<std::string, v1::Party> parties_;
  // Streams put in place by Adopt: "agreements/<id>", "parties/<id>".
  std::set<std::string> adopted_;
  std::vector<v1::Event> log_;
  bool trace_ = false;
  std::function<void(const v1::Command&)> observer_;
};

}  // namespace agreements::domain::fuzz

#endif  // AGREEMENTS_DOMAIN_FUZZ_COMMAND_FUZZ_REGISTRY_H_
