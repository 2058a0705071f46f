// Write commands of treaty practice that leave the instrument's lifecycle where it is:
// reservations, declarations and objections (VCLT 19-23), depositaries and their
// notifications (VCLT 76-77), registration with the UN Secretariat and publication in
// the UNTS (UN Charter art. 102), extensions and expiry of a term, succession of states
// (1978 Vienna Convention) and scheme-qualified identifiers. Each builds one
// EventPayload (proto/agreements/v1/events.proto) and sends it like every change.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/cli_change_internal.h"
#include "clients/cli_commands.h"
#include "clients/cli_values.h"
#include "common/status_macros.h"

namespace agreements::cli {
namespace {

using internal::Change;
using internal::DateFlagSpec;
using internal::PartyFlagSpec;

// The value of an optional whole-number flag; 0 when absent.
absl::StatusOr<int32_t> OptionalInt32(const ParsedArgs& args, const std::string& name) {
  std::optional<std::string> text = args.Get(name);
  if (!text.has_value()) return 0;
  return ParseInt32(name, *text);
}

absl::StatusOr<v1::EventPayload> BuildReservation(const ParsedArgs& args) {
  v1::EventPayload payload;
  v1::ReservationMade* change = payload.mutable_reservation_made();
  ASSIGN_OR_RETURN(*change->mutable_party_id(), RequiredFlag(args, "party"));
  v1::Reservation* r = change->mutable_reservation();
  ASSIGN_OR_RETURN(*r->mutable_id(), RequiredFlag(args, "id"));
  ASSIGN_OR_RETURN(auto kind, RequiredEnumFlag<v1::ReservationKind>(args, "kind"));
  r->set_kind(kind);
  r->set_text(args.Get("text").value_or(""));
  for (const std::string& article : args.GetAll("article")) r->add_articles(article);
  ASSIGN_OR_RETURN(*r->mutable_date(), RequiredDateFlag(args, "date"));
  if (std::optional<std::string> target = args.Get("objects-to")) {
    const size_t colon = target->find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == target->size()) {
      return UsageError(absl::StrCat("--objects-to: \"", *target,
                                     "\": expected PARTY:RESERVATION_ID, e.g. fr:r1"));
    }
    r->set_objects_to_party_id(target->substr(0, colon));
    r->set_objects_to_reservation_id(target->substr(colon + 1));
  }
  r->set_precludes_entry_into_force(args.Has("precludes-entry-into-force"));
  return payload;
}

absl::StatusOr<v1::EventPayload> BuildReservationWithdrawn(const ParsedArgs& args) {
  v1::EventPayload payload;
  v1::ReservationWithdrawn* change = payload.mutable_reservation_withdrawn();
  ASSIGN_OR_RETURN(*change->mutable_party_id(), RequiredFlag(args, "party"));
  ASSIGN_OR_RETURN(*change->mutable_reservation_id(), RequiredFlag(args, "reservation"));
  ASSIGN_OR_RETURN(*change->mutable_date(), RequiredDateFlag(args, "date"));
  return payload;
}

absl::StatusOr<v1::EventPayload> BuildDepositary(const ParsedArgs& args) {
  v1::EventPayload payload;
  v1::Depositary* depositary =
      payload.mutable_depositary_designated()->mutable_depositary();
  ASSIGN_OR_RETURN(*depositary->mutable_party_id(), RequiredFlag(args, "party"));
  ASSIGN_OR_RETURN(auto date, DateFlag(args, "date"));
  if (date.has_value()) *depositary->mutable_designated_on() = *date;
  depositary->set_article(args.Get("article").value_or(""));
  return payload;
}

absl::StatusOr<v1::EventPayload> BuildNotification(const ParsedArgs& args) {
  v1::EventPayload payload;
  v1::DepositaryNotified* change = payload.mutable_depositary_notified();
  ASSIGN_OR_RETURN(*change->mutable_depositary_id(), RequiredFlag(args, "depositary"));
  v1::DepositaryNotification* n = change->mutable_notification();
  ASSIGN_OR_RETURN(*n->mutable_reference(), RequiredFlag(args, "reference"));
  ASSIGN_OR_RETURN(*n->mutable_date(), RequiredDateFlag(args, "date"));
  n->set_subject(args.Get("subject").value_or(""));
  n->set_party_id(args.Get("party").value_or(""));
  return payload;
}

absl::StatusOr<v1::EventPayload> BuildRegistration(const ParsedArgs& args) {
  v1::EventPayload payload;
  v1::Registration* r = payload.mutable_registered_with_un()->mutable_registration();
  ASSIGN_OR_RETURN(*r->mutable_number(), RequiredFlag(args, "number"));
  ASSIGN_OR_RETURN(*r->mutable_date(), RequiredDateFlag(args, "date"));
  ASSIGN_OR_RETURN(auto kind, EnumFlag<v1::RegistrationKind>(args, "kind"));
  r->set_kind(kind.value_or(v1::REGISTRATION_KIND_REGISTRATION));
  ASSIGN_OR_RETURN(int32_t volume, OptionalInt32(args, "volume"));
  r->set_unts_volume(volume);
  ASSIGN_OR_RETURN(int32_t page, OptionalInt32(args, "page"));
  r->set_unts_page(page);
  r->set_submitted_by(args.Get("submitted-by").value_or(""));
  return payload;
}

absl::StatusOr<v1::EventPayload> BuildPublication(const ParsedArgs& args) {
  v1::EventPayload payload;
  v1::PublicationRecorded* change = payload.mutable_publication_recorded();
  ASSIGN_OR_RETURN(*change->mutable_number(), RequiredFlag(args, "number"));
  ASSIGN_OR_RETURN(std::string volume, RequiredFlag(args, "volume"));
  ASSIGN_OR_RETURN(int32_t unts_volume, ParseInt32("volume", volume));
  change->set_unts_volume(unts_volume);
  ASSIGN_OR_RETURN(int32_t page, OptionalInt32(args, "page"));
  change->set_unts_page(page);
  return payload;
}

absl::StatusOr<v1::EventPayload> BuildExtension(const ParsedArgs& args) {
  v1::EventPayload payload;
  v1::Extension* e = payload.mutable_extended()->mutable_extension();
  ASSIGN_OR_RETURN(*e->mutable_expires_on(), RequiredDateFlag(args, "expires"));
  ASSIGN_OR_RETURN(auto agreed, DateFlag(args, "agreed"));
  if (agreed.has_value()) *e->mutable_agreed_on() = *agreed;
  e->set_legal_basis(args.Get("basis").value_or(""));
  e->set_extending_agreement_id(args.Get("extending-agreement").value_or(""));
  return payload;
}

absl::StatusOr<v1::EventPayload> BuildExpiry(const ParsedArgs& args) {
  v1::EventPayload payload;
  ASSIGN_OR_RETURN(*payload.mutable_expired()->mutable_effective_date(),
                   RequiredDateFlag(args, "date"));
  return payload;
}

absl::StatusOr<v1::EventPayload> BuildSuccession(const ParsedArgs& args) {
  v1::EventPayload payload;
  v1::SuccessionNotified* change = payload.mutable_succession_notified();
  ASSIGN_OR_RETURN(*change->mutable_party_id(), RequiredFlag(args, "party"));
  ASSIGN_OR_RETURN(*change->mutable_predecessor_id(), RequiredFlag(args, "predecessor"));
  ASSIGN_OR_RETURN(*change->mutable_succession_date(),
                   RequiredDateFlag(args, "succession-date"));
  ASSIGN_OR_RETURN(*change->mutable_notified_on(), RequiredDateFlag(args, "notified"));
  return payload;
}

absl::StatusOr<v1::EventPayload> BuildCeased(const ParsedArgs& args) {
  v1::EventPayload payload;
  v1::ParticipantCeased* change = payload.mutable_participant_ceased();
  ASSIGN_OR_RETURN(*change->mutable_party_id(), RequiredFlag(args, "party"));
  ASSIGN_OR_RETURN(*change->mutable_effective_date(), RequiredDateFlag(args, "date"));
  return payload;
}

// The identifier is the second positional argument.
absl::StatusOr<v1::EventPayload> BuildIdentifier(const ParsedArgs& args) {
  v1::EventPayload payload;
  ASSIGN_OR_RETURN(*payload.mutable_identifier_added()->mutable_identifier(),
                   ParseIdentifier(args.positional()[1]));
  return payload;
}

std::vector<CommandSpec> ReservationAndDepositaryCommands() {
  std::vector<CommandSpec> commands;
  commands.push_back(Change(
      "reserve", "a participant formulated a reservation, declaration or objection",
      {PartyFlagSpec("who formulated it (required)"),
       {"id", "ID", "its id, unique within the participant, e.g. r1 (required)"},
       EnumFlagSpec<v1::ReservationKind>(
           {"kind", "KIND", "reservation, declaration or objection (required)"}),
       {"text", "TEXT", "its text (required but for objections)"},
       {"article", "TEXT", "an article concerned, e.g. \"art. 66\"", true},
       DateFlagSpec("when it was formulated (required)"),
       {"objects-to", "PARTY:RESERVATION_ID",
        "objections: the reservation objected to, e.g. fr:r1 (required for them)"},
       {"precludes-entry-into-force", "",
        "objections: the objecting state opposes the treaty's entry into force between "
        "itself and the reserving state (VCLT 20(4)(b))"}},
      BuildReservation,
      "Formulated on signature, on consent to be bound or later; the server refuses\n"
      "one from a participant that has done neither."));
  commands.push_back(Change(
      "withdraw-reservation", "a participant withdrew a reservation (VCLT 22)",
      {PartyFlagSpec("whose reservation (required)"),
       {"reservation", "ID", "the reservation, declaration or objection (required)"},
       DateFlagSpec("date of the withdrawal (required)")},
      BuildReservationWithdrawn));
  commands.push_back(Change(
      "designate-depositary",
      "a depositary was designated (or its functions transferred)",
      {PartyFlagSpec("the depositary (required); it is not a participant"),
       DateFlagSpec("when it was designated"),
       {"article", "TEXT", "where the treaty designates it, e.g. \"art. 26\""}},
      BuildDepositary,
      "A depositary has functions, not a status under the treaty (VCLT 76-77): list\n"
      "its agreements with 'list --party ID --party-role depositary'."));
  commands.push_back(Change(
      "depositary-notification", "a depositary made a notification (VCLT 77(1)(e))",
      {{"depositary", "ID", "the depositary that notified (required)"},
       {"reference", "REF",
        "its reference, e.g. C.N.575.2019.TREATIES-XXVII.7.d (required)"},
       DateFlagSpec("date of the notification (required)"),
       {"subject", "TEXT", "what it notifies, e.g. \"ratification by kz\""},
       PartyFlagSpec("the participant it concerns")},
      BuildNotification));
  return commands;
}

std::vector<CommandSpec> RegistrationTermAndSuccessionCommands() {
  std::vector<CommandSpec> commands;
  commands.push_back(Change(
      "register-un", "registered (or filed and recorded) with the UN Secretariat",
      {{"number", "N", "the Secretariat's number, e.g. I-54113 (required)"},
       DateFlagSpec("date of registration (required)"),
       EnumFlagSpec<v1::RegistrationKind>(
           {"kind", "KIND", "registration (default) or filing_and_recording"}),
       {"volume", "V", "UNTS volume, when published"},
       {"page", "P", "UNTS page, when published"},
       {"submitted-by", "ID", "the party that submitted it"}},
      BuildRegistration,
      "Once in force or applied provisionally (UN Charter art. 102). The number then\n"
      "finds the agreement: 'lookup UNTS:I-54113'."));
  commands.push_back(Change("record-publication",
                            "a registration was published in the UN Treaty Series",
                            {{"number", "N", "the registration's number (required)"},
                             {"volume", "V", "UNTS volume (required)"},
                             {"page", "P", "UNTS page"}},
                            BuildPublication));
  commands.push_back(Change(
      "extend", "the term was extended",
      {{"expires", "DATE", "the new expiry date (required)"},
       {"agreed", "DATE", "when the extension was agreed"},
       {"basis", "TEXT", "its legal basis, e.g. \"art. XIV(2); exchange of notes\""},
       {"extending-agreement", "ID", "the extending instrument, when registered here"}},
      BuildExtension));
  commands.push_back(Change(
      "expire", "the instrument reached the end of its term",
      {DateFlagSpec("date it expired (required)")}, BuildExpiry,
      "A treaty ends terminated (ground expiry), a non-binding instrument discontinued,\n"
      "a contract completed."));
  commands.push_back(Change(
      "notify-succession", "a successor state notified its succession (1978 Convention)",
      {PartyFlagSpec("the successor, already a participant with nothing recorded "
                     "(required)"),
       {"predecessor", "ID", "the predecessor participant (required)"},
       {"succession-date", "DATE", "date of the succession of states (required)"},
       {"notified", "DATE", "date of the notification (required)"}},
      BuildSuccession));
  commands.push_back(Change(
      "participant-ceased",
      "a participant that is a state ceased to exist: its participation ends",
      {PartyFlagSpec("the state that ceased to exist (required)"),
       DateFlagSpec("the first day it no longer existed (required)")},
      BuildCeased,
      "Its party record must have existed_until. notify-succession adds it by itself\n"
      "for a predecessor that ceased to exist; record it alone for a state whose\n"
      "treaties lapsed without successors."));
  CommandSpec identifier = Change(
      "add-identifier", "assign a scheme-qualified identifier, e.g. CELEX:22016A1019(01)",
      {}, BuildIdentifier,
      "Each SCHEME:VALUE names at most one agreement; 'lookup SCHEME:VALUE' finds it.");
  identifier.args_usage = "ID SCHEME:VALUE";
  identifier.min_args = identifier.max_args = 2;
  commands.push_back(std::move(identifier));
  return commands;
}

}  // namespace

std::vector<CommandSpec> PracticeCommands() {
  std::vector<CommandSpec> commands = ReservationAndDepositaryCommands();
  for (CommandSpec& command : RegistrationTermAndSuccessionCommands()) {
    commands.push_back(std::move(command));
  }
  return commands;
}

}  // namespace agreements::cli
