// Lifecycle facts shared by the deciders and Evolve: which lifecycle a legal nature
// follows, terminal statuses, the status mapping on a legal-nature reassessment, the
// phrases of error messages and participation lookups. Not API. Pure; thread-safe.
#ifndef AGREEMENTS_DOMAIN_LIFECYCLE_INTERNAL_H_
#define AGREEMENTS_DOMAIN_LIFECYCLE_INTERNAL_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "agreements/v1/agreement.pb.h"
#include "agreements/v1/events.pb.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/repeated_field.h"

namespace agreements::domain::internal {

namespace v1 = ::agreements::v1;

// The three lifecycles of docs/domain.md.
enum class Lifecycle {
  // BINDING_INTERNATIONAL, MIXED, UNDETERMINED (and UNSPECIFIED, which never validates).
  kInstrument,
  // NON_BINDING_POLITICAL.
  kNonBinding,
  // BINDING_DOMESTIC_LAW.
  kContract,
};

Lifecycle LifecycleOf(v1::LegalNature nature);

// TERMINATED, NEVER_IN_FORCE, DISCONTINUED, COMPLETED, TERMINATED_EARLY, CANCELLED.
bool IsTerminal(v1::AgreementStatus status);

// Enum value names without their prefix: "TERMINATED", "CONTRACTING", "MIXED".
std::string StatusName(v1::AgreementStatus status);
std::string ParticipationStatusName(v1::ParticipationStatus status);
std::string NatureName(v1::LegalNature nature);

// The status an agreement in `status` takes when its legal nature changes from `from` to
// `to`; nullopt when the change is not allowed from that status. Within one lifecycle the
// status stays; across lifecycles only statuses before entry into force (or effect) map:
// DRAFT / NEGOTIATING / ADOPTED / OPEN_FOR_SIGNATURE -> DRAFT, SIGNED_NOT_IN_FORCE <->
// SIGNED, and IN_EFFECT -> SIGNED_NOT_IN_FORCE (political effect is not entry into
// force).
std::optional<v1::AgreementStatus> StatusAfterReassessment(v1::LegalNature from,
                                                           v1::AgreementStatus status,
                                                           v1::LegalNature to);

// The stream type a payload belongs to; UNSPECIFIED for record_corrected (both kinds).
v1::StreamType StreamTypeOf(v1::EventPayload::KindCase kind);

// The events of treaty practice that do not move the instrument's lifecycle:
// reservation_made .. participant_ceased (expired, which ends it, included). One list for
// the validator and the decider.
bool IsPracticeEvent(v1::EventPayload::KindCase kind);

// What the command attempts, for "cannot <action>" messages: "enter into force".
std::string ActionOf(v1::EventPayload::KindCase kind);

// The participation of `party_id`, or nullptr.
const v1::Participation* FindParticipation(const v1::Agreement& agreement,
                                           absl::string_view party_id);
v1::Participation* MutableParticipation(v1::Agreement& agreement,
                                        absl::string_view party_id);

// The participations that have role PARTICIPANT_ROLE_PARTY (party ids are unique within
// an agreement, so this is the number of distinct parties). A BILATERAL agreement has at
// most two.
int CountPartyRoles(
    const google::protobuf::RepeatedPtrField<v1::Participation>& participations);

// DRAFT, NEGOTIATING, ADOPTED, OPEN_FOR_SIGNATURE: the instrument statuses the first
// signature or consent to be bound moves to SIGNED_NOT_IN_FORCE.
bool IsBeforeSignature(v1::AgreementStatus status);

// A participant not (yet) bound whose provisional application has started and not
// ended: NEGOTIATING (a non-signatory the treaty allows), SIGNATORY, CONTRACTING, or
// NOT_BECOMING_PARTY until its notice takes effect (rules version 2). Under rules
// version 1 an ended provisional application cleared the start date instead.
bool AppliesProvisionally(const v1::Participation& participation);

// Copies the fields named by `mask` from `source` into `target`, replacing (not merging)
// repeated and message fields; a field unset in `source` is cleared in `target`. Both
// messages are of the same type. The same function serves Decide (to check the result of
// a change) and Evolve (to apply it), so both see the same result.
void ApplyMask(const google::protobuf::Message& source,
               const google::protobuf::FieldMask& mask,
               google::protobuf::Message* target);

}  // namespace agreements::domain::internal

#endif  // AGREEMENTS_DOMAIN_LIFECYCLE_INTERNAL_H_
