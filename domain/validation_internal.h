// Field-level validators behind ValidateCommand, also used by the deciders to check the
// result of a party update or correction. Not API. Pure functions; thread-safe.
//
// Every validator takes the path of the value it checks ("change.amount_recorded.amount")
// and returns INVALID_ARGUMENT "<path>[.<field>]: <rule>" for the first violation.
#ifndef AGREEMENTS_DOMAIN_VALIDATION_INTERNAL_H_
#define AGREEMENTS_DOMAIN_VALIDATION_INTERNAL_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "agreements/v1/agreement.pb.h"
#include "agreements/v1/events.pb.h"
#include "agreements/v1/party.pb.h"
#include "agreements/v1/types.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/repeated_field.h"

namespace agreements::domain {
namespace v1 = ::agreements::v1;
}  // namespace agreements::domain

namespace agreements::domain::internal {

enum class Presence { kOptional, kRequired };

// "base.name" and "base.name[index]".
std::string Field(absl::string_view base, absl::string_view name);
std::string Element(absl::string_view base, absl::string_view name, int index);

// A user value for an error message: quoted, C-escaped, cut after 80 bytes.
std::string Quote(absl::string_view value);

// INVALID_ARGUMENT "<path>: <rule>", with reason INVALID_FIELD and the path as a
// google.rpc.BadRequest field violation (common/error_info.h).
absl::Status Invalid(absl::string_view path, absl::string_view rule);

// NOT_FOUND "party <id> not found[ (<path>)]", reason PARTY_NOT_FOUND; likewise for
// agreements. The metadata names the id and, when given, the request field.
absl::Status PartyNotFound(absl::string_view id, absl::string_view path = "");
absl::Status AgreementNotFound(absl::string_view id, absl::string_view path = "");
// ALREADY_EXISTS "<kind> <id> already exists", reason <KIND>_ALREADY_EXISTS.
absl::Status PartyExists(absl::string_view id);
absl::Status AgreementExists(absl::string_view id);

// Number of code points of a UTF-8 string.
size_t Utf8Length(absl::string_view text);

absl::Status CheckId(absl::string_view path, absl::string_view id, Presence presence);
absl::Status CheckText(absl::string_view path, absl::string_view text, size_t max_chars,
                       Presence presence);
absl::Status CheckLanguage(absl::string_view path, absl::string_view tag,
                           Presence presence);
absl::Status CheckCountry(absl::string_view path, absl::string_view code,
                          Presence presence);
absl::Status CheckDate(absl::string_view path, const agreements::v1::Date& date,
                       Presence presence);
absl::Status CheckMoney(absl::string_view path, const agreements::v1::Money& money,
                        Presence presence);
// A known value of the enum; with kRequired also not its zero (UNSPECIFIED) value.
absl::Status CheckEnum(absl::string_view path, int value,
                       const google::protobuf::EnumDescriptor* type, Presence presence);

// Titles or names: 1..max_count entries, each a BCP 47 language (unique in the list) and
// a non-empty text of at most kMaxTitleChars.
absl::Status CheckLocalizedTexts(
    absl::string_view base, absl::string_view name,
    const google::protobuf::RepeatedPtrField<agreements::v1::LocalizedText>& texts,
    int max_count);

absl::Status CheckClassifications(
    absl::string_view base, absl::string_view name,
    const google::protobuf::RepeatedPtrField<agreements::v1::Classification>& list);
absl::Status CheckDocument(absl::string_view path,
                           const agreements::v1::DocumentReference& document);
absl::Status CheckDocuments(
    absl::string_view base, absl::string_view name,
    const google::protobuf::RepeatedPtrField<agreements::v1::DocumentReference>& list);
absl::Status CheckAmount(absl::string_view path, const agreements::v1::Amount& amount);
absl::Status CheckRelation(absl::string_view path,
                           const agreements::v1::Relation& relation);
absl::Status CheckAmendment(absl::string_view path,
                            const agreements::v1::Amendment& amendment);
absl::Status CheckSignature(absl::string_view path,
                            const agreements::v1::Signature& signature);
absl::Status CheckConsent(absl::string_view path, const agreements::v1::Consent& consent);
absl::Status CheckWithdrawal(absl::string_view path,
                             const agreements::v1::Withdrawal& withdrawal);

// A participation as a command introduces it (party_id and roles; the lifecycle fields
// empty), or in full as a correction restates it.
enum class ParticipationForm { kNew, kFull };
absl::Status CheckParticipation(absl::string_view path,
                                const agreements::v1::Participation& participation,
                                ParticipationForm form);
absl::Status CheckParticipations(
    absl::string_view base, absl::string_view name,
    const google::protobuf::RepeatedPtrField<agreements::v1::Participation>& list,
    ParticipationForm form);

// The descriptive fields of a party: type, names, country (required for STATE),
// identifiers, controlled_by (not the party itself). Output-only fields must be empty.
absl::Status CheckParty(absl::string_view path, const agreements::v1::Party& party,
                        absl::string_view party_id);

// The masked fields of a party update or correction (`party_id` is the stream's id).
absl::Status CheckPartyChange(absl::string_view path, const agreements::v1::Party& values,
                              const google::protobuf::FieldMask& mask,
                              absl::string_view party_id);

// Fails when one of the named fields of `message` is set: "<path>.<field>: <rule>".
absl::Status CheckUnset(const google::protobuf::Message& message, absl::string_view path,
                        const std::vector<std::string>& fields, absl::string_view rule);

// Fails when a field of `message` that is neither in `mask` nor in `also_allowed` is set.
absl::Status CheckOnlyMasked(const google::protobuf::Message& message,
                             absl::string_view path,
                             const google::protobuf::FieldMask& mask,
                             const std::vector<std::string>& also_allowed);

// The mask is non-empty, has at most kMaxMaskPaths paths, no repeats, and every path is
// in `allowed`.
absl::Status CheckMaskPaths(absl::string_view path,
                            const google::protobuf::FieldMask& mask,
                            const std::vector<std::string>& allowed);

// The new values of a correction of an agreement, for the paths in `mask`.
absl::Status CheckAgreementCorrection(absl::string_view path,
                                      const agreements::v1::Agreement& values,
                                      const google::protobuf::FieldMask& mask);

// Identifiers of a party or an agreement: scheme (org-id.guide style list code) and
// value set, no control characters, LEIs checked, pairs unique; at most kMaxIdentifiers.
absl::Status CheckIdentifier(absl::string_view path,
                             const agreements::v1::Identifier& identifier);
absl::Status CheckIdentifiers(
    absl::string_view base,
    const google::protobuf::RepeatedPtrField<agreements::v1::Identifier>& list);

// Treaty practice (validate_practice.cc).
absl::Status CheckCalendarPeriod(absl::string_view path,
                                 const agreements::v1::CalendarPeriod& period,
                                 Presence presence);
absl::Status CheckNoticeRule(absl::string_view path,
                             const agreements::v1::NoticeRule& rule);
absl::Status CheckProvisionalApplicationClause(
    absl::string_view path, const agreements::v1::ProvisionalApplicationClause& clause);
absl::Status CheckTerm(absl::string_view path, const agreements::v1::Term& term);
absl::Status CheckDepositary(absl::string_view path,
                             const agreements::v1::Depositary& depositary);
absl::Status CheckDepositaries(
    absl::string_view base,
    const google::protobuf::RepeatedPtrField<agreements::v1::Depositary>& list);
absl::Status CheckDepositaryNotification(
    absl::string_view path, const agreements::v1::DepositaryNotification& notification);
absl::Status CheckReservation(absl::string_view path,
                              const agreements::v1::Reservation& reservation);
absl::Status CheckRegistration(absl::string_view path,
                               const agreements::v1::Registration& registration);
absl::Status CheckExtension(absl::string_view path,
                            const agreements::v1::Extension& extension);
// A former state: an ISO 3166-3 code, type STATE, no alpha-2 code, existed_until set;
// existence dates in order for every party.
absl::Status CheckFormerCountry(absl::string_view path, absl::string_view code);
absl::Status CheckFormerState(absl::string_view path, const agreements::v1::Party& party);
absl::Status CheckPredecessors(
    absl::string_view base,
    const google::protobuf::RepeatedPtrField<agreements::v1::PartySuccession>& list,
    absl::string_view party_id);
// The payloads of the treaty-practice events (reservation_made ... identifier_added);
// `self` is the command's stream id.
absl::Status CheckPracticePayload(absl::string_view base,
                                  const agreements::v1::EventPayload& change,
                                  absl::string_view self);

// The lifecycle dates that record_corrected may change (a subset of
// CorrectableAgreementPaths()).
const std::vector<std::string>& CorrectableDatePaths();

}  // namespace agreements::domain::internal

#endif  // AGREEMENTS_DOMAIN_VALIDATION_INTERNAL_H_
