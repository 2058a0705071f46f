// record_corrected on agreement streams, and the corrected-event check shared with
// parties. A correction fixes recorded data; it never moves a lifecycle (docs/domain.md).
#include <algorithm>
#include <string>

#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "domain/decide_internal.h"
#include "domain/validation.h"
#include "domain/validation_internal.h"

namespace agreements::domain::internal {
namespace {

const char* StreamKind(v1::StreamType type) {
  return type == v1::STREAM_TYPE_PARTY ? "party" : "agreement";
}

bool IsDatePath(const std::string& path) {
  const std::vector<std::string>& dates = CorrectableDatePaths();
  return std::find(dates.begin(), dates.end(), path) != dates.end();
}

const v1::Date& DateAt(const v1::Agreement& agreement, const std::string& path) {
  const google::protobuf::FieldDescriptor* field =
      agreement.GetDescriptor()->FindFieldByName(path);
  return static_cast<const v1::Date&>(
      agreement.GetReflection()->GetMessage(agreement, field));
}

// What a correction may not change in a participation: its closed periods (history that
// valid-time answers are built on), its succession, and its reservations other than
// their text and articles.
std::string Frozen(const v1::Participation& p) {
  v1::Participation frozen;
  *frozen.mutable_previous_periods() = p.previous_periods();
  if (p.has_succession()) *frozen.mutable_succession() = p.succession();
  for (const v1::Reservation& r : p.reservations()) {
    v1::Reservation& kept = *frozen.add_reservations();
    kept = r;
    kept.clear_text();
    kept.clear_articles();
  }
  std::string bytes;
  frozen.SerializeToString(&bytes);
  return bytes;
}

// A corrected list of participations restates the same participants in the same order
// and statuses; only their details (roles, signature, consent, dates) change.
absl::Status CheckSameParticipants(const Decision& d, const v1::Agreement& values) {
  const std::string base = "change.record_corrected.agreement";
  if (values.participations_size() != d.state.participations_size()) {
    return Invalid(
        Field(base, "participations"),
        absl::StrFormat("must restate the %d participations of agreement %s in "
                        "order (got %d)",
                        d.state.participations_size(), d.id(),
                        values.participations_size()));
  }
  for (int i = 0; i < values.participations_size(); ++i) {
    const v1::Participation& before = d.state.participations(i);
    const v1::Participation& after = values.participations(i);
    if (before.party_id() != after.party_id() || before.status() != after.status()) {
      return Invalid(
          Element(base, "participations", i),
          absl::StrFormat("must keep party_id \"%s\" and status %s: a correction "
                          "does not move a lifecycle",
                          before.party_id(), ParticipationStatusName(before.status())));
    }
    if (Frozen(before) != Frozen(after)) {
      return Invalid(Element(base, "participations", i),
                     "must restate previous_periods, succession and reservations as "
                     "recorded (only the text and articles of a reservation may be "
                     "corrected)");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckCorrectedEvent(const v1::Command& command,
                                 const DecideContext& context) {
  const uint64_t position = command.change().record_corrected().corrected_position();
  if (!context.corrected_event.has_value() ||
      context.corrected_event->position() != position) {
    return absl::NotFoundError(
        absl::StrFormat("event at position %d not found", position));
  }
  const v1::EventEnvelope& envelope = *context.corrected_event;
  if (envelope.stream_type() != command.stream_type() ||
      envelope.stream_id() != command.stream_id()) {
    return Invalid(
        "change.record_corrected.corrected_position",
        absl::StrFormat("event %d belongs to %s %s, not to %s %s", position,
                        StreamKind(envelope.stream_type()), envelope.stream_id(),
                        StreamKind(command.stream_type()), command.stream_id()));
  }
  return absl::OkStatus();
}

absl::StatusOr<Events> DecideAgreementCorrection(const Decision& d) {
  RETURN_IF_ERROR(CheckCorrectedEvent(d.command, d.context));
  const v1::RecordCorrected& rc = d.change().record_corrected();
  for (const std::string& path : rc.field_mask().paths()) {
    if (IsDatePath(path) && !IsDateSet(DateAt(d.state, path))) {
      return Illegal(d, absl::StrFormat("%s is not set; a correction fixes recorded data "
                                        "and does not move the lifecycle",
                                        path));
    }
    if (path == "termination_ground" &&
        d.state.termination_ground() == v1::TERMINATION_GROUND_UNSPECIFIED) {
      return Illegal(
          d,
          "termination_ground is not set; a correction fixes recorded data and "
          "does not move the lifecycle");
    }
    if (path == "participations") {
      RETURN_IF_ERROR(CheckSameParticipants(d, rc.agreement()));
    }
  }
  v1::Agreement result = d.state;
  ApplyMask(rc.agreement(), rc.field_mask(), &result);
  if (result.termination_ground() == v1::TERMINATION_GROUND_DENUNCIATION_BILATERAL &&
      result.arity() != v1::ARITY_BILATERAL) {
    return Invalid(
        "change.record_corrected",
        "would leave termination ground DENUNCIATION_BILATERAL on an agreement "
        "that is not bilateral");
  }
  if (result.withdrawal_excluded() && result.has_withdrawal_clause()) {
    return Invalid("change.record_corrected",
                   "would leave both withdrawal_excluded and a withdrawal_clause");
  }
  const int parties = CountPartyRoles(result.participations());
  if (result.arity() == v1::ARITY_BILATERAL && parties > 2) {
    return Invalid("change.record_corrected",
                   absl::StrFormat("would leave ARITY_BILATERAL on an agreement with %d "
                                   "participants with role PARTICIPANT_ROLE_PARTY (a "
                                   "bilateral instrument has two)",
                                   parties));
  }
  RETURN_IF_ERROR(CheckTermInCalendar("change.record_corrected", result,
                                      result.entered_into_force_on()));
  return Emit(d);
}

}  // namespace agreements::domain::internal
