// DecideParty: registration, updates and corrections of parties.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "domain/decide_internal.h"
#include "domain/decider.h"
#include "domain/validation_internal.h"

namespace agreements::domain {
namespace {

using internal::Invalid;
using internal::PartyExists;
using internal::PartyNotFound;

// controlled_by names an existing party other than this one, and does not close a cycle
// of length two (the controller is not controlled by this party). Longer cycles are not
// detected: only the named party is loaded.
absl::Status CheckController(absl::string_view path, const std::string& party_id,
                             const std::string& controlled_by,
                             const DecideContext& context) {
  if (controlled_by.empty()) return absl::OkStatus();
  auto it = context.parties.find(controlled_by);
  if (it == context.parties.end()) {
    return PartyNotFound(controlled_by, path);
  }
  if (it->second.controlled_by() == party_id) {
    return Invalid(path,
                   absl::StrFormat("party %s is controlled by %s: control cannot be "
                                   "circular",
                                   controlled_by, party_id));
  }
  return absl::OkStatus();
}

// Every predecessor names an existing party.
absl::Status CheckPredecessorsExist(
    absl::string_view base,
    const google::protobuf::RepeatedPtrField<v1::PartySuccession>& predecessors,
    const DecideContext& context) {
  for (int i = 0; i < predecessors.size(); ++i) {
    if (!context.parties.contains(predecessors[i].party_id())) {
      return PartyNotFound(predecessors[i].party_id(),
                           absl::StrFormat("%s.predecessors[%d]", base, i));
    }
  }
  return absl::OkStatus();
}

// Applies an update or correction to a copy of the state and checks the result as a
// whole (a STATE needs a country, whichever field changed).
absl::StatusOr<std::vector<v1::EventPayload>> DecideChange(
    const v1::Party& state, const v1::Command& command, const DecideContext& context,
    const std::string& base, const v1::Party& values,
    const google::protobuf::FieldMask& mask) {
  v1::Party result = state;
  internal::ApplyMask(values, mask, &result);
  result.clear_revision();
  result.clear_last_position();
  result.clear_create_time();
  result.clear_update_time();
  absl::Status status = internal::CheckParty(base, result, command.stream_id());
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(status.message(), " (checked on the party after the change)"));
  }
  for (const std::string& path : mask.paths()) {
    if (path == "controlled_by") {
      RETURN_IF_ERROR(CheckController(absl::StrCat(base, ".controlled_by"),
                                      command.stream_id(), values.controlled_by(),
                                      context));
    }
    if (path == "predecessors") {
      RETURN_IF_ERROR(CheckPredecessorsExist(base, values.predecessors(), context));
    }
  }
  return std::vector<v1::EventPayload>{command.change()};
}

}  // namespace

absl::StatusOr<std::vector<v1::EventPayload>> DecideParty(const v1::Party* state,
                                                          const v1::Command& command,
                                                          const DecideContext& context) {
  RETURN_IF_ERROR(ValidateCommand(command));
  if (command.stream_type() != v1::STREAM_TYPE_PARTY) {
    return Invalid("stream_type",
                   absl::StrCat("must be STREAM_TYPE_PARTY for a party (got ",
                                v1::StreamType_Name(command.stream_type()), ")"));
  }
  if (command.stream_id().empty()) {
    return Invalid("stream_id",
                   "must be set before deciding (ids are assigned by the committer)");
  }
  const std::string& id = command.stream_id();
  const v1::EventPayload& change = command.change();
  if (change.has_party_registered()) {
    if (state != nullptr) {
      return PartyExists(id);
    }
    const v1::Party& party = change.party_registered().party();
    RETURN_IF_ERROR(CheckController("change.party_registered.party.controlled_by", id,
                                    party.controlled_by(), context));
    RETURN_IF_ERROR(CheckPredecessorsExist("change.party_registered.party",
                                           party.predecessors(), context));
    std::vector<v1::EventPayload> events{change};
    events[0].mutable_party_registered()->mutable_party()->set_id(id);
    return events;
  }
  if (state == nullptr) return PartyNotFound(id);
  if (change.has_party_updated()) {
    return DecideChange(*state, command, context, "change.party_updated.party",
                        change.party_updated().party(),
                        change.party_updated().update_mask());
  }
  // Validation admits only party_registered, party_updated and record_corrected here.
  RETURN_IF_ERROR(internal::CheckCorrectedEvent(command, context));
  return DecideChange(*state, command, context, "change.record_corrected.party",
                      change.record_corrected().party(),
                      change.record_corrected().field_mask());
}

}  // namespace agreements::domain
