// The decoder of mode B. Args of each kind, in reading order ("party?" is an optional
// party, "[x]" is read only when a bit of the preceding "which" byte says so):
//   1 agreement_recorded           nature, arity, members, witnesses, initial, clauses,
//                                  [withdrawal rule], [provisional rule], [term]
//   2 text_adopted                 date
//   3 opened_for_signature         date, place
//   4 participant_added            party, role
//   5 participant_signed           party, kind, date
//   6 consent_expressed            party, means, which, [act date] (bit 0),
//                                  [deposit date] (unless bit 1)
//   7 provisional_..._started      party?, date
//   8 provisional_..._terminated   party?, which, [effective date] (unless bit 1),
//                                  [notified date] (bit 0)
//   9 entered_into_force           party?, bound parties mask (bits 0-6; with a party
//                                  only when bit 7 is set), date
//  10 operation_suspended          party?, date
//  11 operation_resumed            party?, date
//  12 withdrawal_notified          party, which, notified date, [takes effect date]
//  13 withdrawal_revoked           party, date
//  14 withdrawal_took_effect       party, date
//  15 terminated                   ground, replacing agreement (none: bit 7), date
//  16 abandoned                    date
//  17 amendment_adopted            which, adopted date, [amending agreement] (bit 1),
//                                  [effective date] (bit 2); no summary with bit 0
//  18 classification_changed       code mask
//  19 amount_recorded              id, type, currency, units (2 bytes)
//  20 amount_revised               id, currency, units (2 bytes), which, [as_of]
//  21 document_attached            url, hex digit
//  22 relation_linked              type, target
//  23 record_corrected             position, mask (3 bytes), a value per masked path;
//                                  flags bit 4: party, position, mask (2 bytes), values
//  24 legal_nature_reassessed      nature
//  25..31 came_into_effect .. contract_cancelled: date (contract_signed: date, place)
//  32 contract_amended             as 17
//  33 non_participation_declared   party, which, date, [end of provisional application]
//  34 confidentiality_changed      level
//  35 reservation_made             party, kind, id, objected party?, [objected id], date
//  36 reservation_withdrawn        party, id, date
//  37 depositary_designated        party, which, [date]
//  38 depositary_notified          party, reference, concerned party?, date
//  39 registered_with_un           kind, number, submitting party?, date
//  40 party_registered             party, type, country, extras, [controller?], [until],
//                                  [from], [predecessor]
//  41 party_updated                party, mask (2 bytes), a value per masked path
//  42 publication_recorded         number, volume, page
//  43 extended                     which, [agreed date], expiry date, [extending
//  agreement] 44 expired                      date 45 succession_notified successor,
//  predecessor, succession date, notified date 46 identifier_added             scheme,
//  value 47 participant_ceased           party, date
#include "domain/fuzz/command_fuzz_program.h"

#include <algorithm>
#include <string>
#include <vector>

#include "domain/fuzz/command_fuzz_checks.h"
#include "domain/fuzz/command_fuzz_decoder.h"

namespace agreements::domain::fuzz {
namespace {

v1::EventPayload& Change(v1::Command& c) { return *c.mutable_change(); }

void ReadClauses(Decoder& d, uint8_t clauses, v1::Agreement& a) {
  if (clauses & 1) *a.mutable_withdrawal_clause() = ReadNoticeRule(d);
  if ((clauses & 3) == 2) a.set_withdrawal_excluded(true);
  if (clauses & 4) {
    a.mutable_provisional_application_clause()->set_open_to_non_signatories(true);
  }
  if (clauses & 8) {
    *a.mutable_provisional_application_clause()->mutable_termination_notice() =
        ReadNoticeRule(d);
  }
  if (clauses & 16) *a.mutable_term() = ReadTerm(d, d.Byte());
  if (clauses & 32) a.add_depositaries()->set_party_id("un");
  if (clauses & 64) a.set_confidentiality(v1::CONFIDENTIALITY_RESTRICTED);
  if (clauses & 128) SetClassifications(0x09, a.mutable_classifications());
}

void BuildRecorded(Decoder& d, v1::Command& c) {
  static constexpr v1::LegalNature kNatures[] = {
      v1::LEGAL_NATURE_BINDING_INTERNATIONAL, v1::LEGAL_NATURE_NON_BINDING_POLITICAL,
      v1::LEGAL_NATURE_BINDING_DOMESTIC_LAW,  v1::LEGAL_NATURE_MIXED,
      v1::LEGAL_NATURE_UNDETERMINED,          v1::LEGAL_NATURE_UNSPECIFIED};
  static constexpr v1::Arity kArities[] = {v1::ARITY_MULTILATERAL, v1::ARITY_BILATERAL,
                                           v1::ARITY_MULTILATERAL, v1::ARITY_BILATERAL,
                                           v1::ARITY_UNSPECIFIED};
  static constexpr v1::AgreementStatus kInitial[] = {
      v1::AGREEMENT_STATUS_DRAFT, v1::AGREEMENT_STATUS_NEGOTIATING,
      v1::AGREEMENT_STATUS_UNSPECIFIED, v1::AGREEMENT_STATUS_ADOPTED};
  v1::AgreementRecorded& r = *Change(c).mutable_agreement_recorded();
  v1::Agreement& a = *r.mutable_agreement();
  const v1::LegalNature nature = kNatures[d.Byte() % 6];
  a.set_legal_nature(nature);
  a.set_instrument_kind(nature == v1::LEGAL_NATURE_BINDING_DOMESTIC_LAW
                            ? v1::INSTRUMENT_KIND_CONTRACT
                        : nature == v1::LEGAL_NATURE_NON_BINDING_POLITICAL
                            ? v1::INSTRUMENT_KIND_JOINT_STATEMENT
                            : v1::INSTRUMENT_KIND_TREATY);
  a.set_arity(kArities[d.Byte() % 5]);
  a.set_designation("Agreement");
  SetText(a.add_titles(), "en", "Agreement on cooperation");
  const uint8_t members = d.Byte();
  const uint8_t witnesses = d.Byte();
  for (int i = 0; i < 8; ++i) {
    if ((members >> i & 1) == 0) continue;
    v1::Participation* p = a.add_participations();
    p->set_party_id(kParties[i]);
    p->add_roles(witnesses >> i & 1 ? v1::PARTICIPANT_ROLE_WITNESS
                                    : v1::PARTICIPANT_ROLE_PARTY);
  }
  r.set_initial_status(kInitial[d.Byte() % 4]);
  ReadClauses(d, d.Byte(), a);
}

void BuildTextAdopted(Decoder& d, v1::Command& c) {
  *Change(c).mutable_text_adopted()->mutable_date() = d.Date();
}

void BuildOpened(Decoder& d, v1::Command& c) {
  v1::OpenedForSignature& e = *Change(c).mutable_opened_for_signature();
  *e.mutable_date() = d.Date();
  e.set_place(d.Text());
}

void BuildParticipantAdded(Decoder& d, v1::Command& c) {
  v1::Participation& p = *Change(c).mutable_participant_added()->mutable_participation();
  p.set_party_id(d.Party());
  const int role = d.Byte() % 12;
  if (role != 0) p.add_roles(static_cast<v1::ParticipantRole>(role));
}

void BuildSigned(Decoder& d, v1::Command& c) {
  v1::ParticipantSigned& e = *Change(c).mutable_participant_signed();
  e.set_party_id(d.Party());
  e.mutable_signature()->set_kind(static_cast<v1::SignatureKind>(d.Byte() % 4));
  *e.mutable_signature()->mutable_date() = d.Date();
  e.mutable_signature()->set_place("Astana");
}

void BuildConsent(Decoder& d, v1::Command& c) {
  v1::ConsentExpressed& e = *Change(c).mutable_consent_expressed();
  e.set_party_id(d.Party());
  e.mutable_consent()->set_means(static_cast<v1::ConsentMeans>(d.Byte() % 7));
  const uint8_t which = d.Byte();
  if (which & 1) *e.mutable_consent()->mutable_act_date() = d.Date();
  if ((which & 2) == 0) *e.mutable_consent()->mutable_deposit_date() = d.Date();
}

void BuildProvisionalStarted(Decoder& d, v1::Command& c) {
  v1::ProvisionalApplicationStarted& e =
      *Change(c).mutable_provisional_application_started();
  e.set_party_id(d.OptionalParty());
  *e.mutable_effective_date() = d.Date();
}

void BuildProvisionalEnded(Decoder& d, v1::Command& c) {
  v1::ProvisionalApplicationTerminated& e =
      *Change(c).mutable_provisional_application_terminated();
  e.set_party_id(d.OptionalParty());
  const uint8_t which = d.Byte();
  if ((which & 2) == 0) *e.mutable_effective_date() = d.Date();
  if (which & 1) *e.mutable_notified_on() = d.Date();
}

void BuildEntryIntoForce(Decoder& d, v1::Command& c) {
  v1::EnteredIntoForce& e = *Change(c).mutable_entered_into_force();
  e.set_party_id(d.OptionalParty());
  const uint8_t bound = d.Byte();
  for (int i = 0; i < 7 && (e.party_id().empty() || bound & 0x80); ++i) {
    if (bound >> i & 1) e.add_bound_party_ids(kParties[i]);
  }
  *e.mutable_effective_date() = d.Date();
}

void BuildSuspended(Decoder& d, v1::Command& c) {
  v1::OperationSuspended& e = *Change(c).mutable_operation_suspended();
  e.set_party_id(d.OptionalParty());
  *e.mutable_effective_date() = d.Date();
}

void BuildResumed(Decoder& d, v1::Command& c) {
  v1::OperationResumed& e = *Change(c).mutable_operation_resumed();
  e.set_party_id(d.OptionalParty());
  *e.mutable_effective_date() = d.Date();
}

void BuildWithdrawalNotified(Decoder& d, v1::Command& c) {
  v1::WithdrawalNotified& e = *Change(c).mutable_withdrawal_notified();
  e.set_party_id(d.Party());
  const uint8_t which = d.Byte();
  *e.mutable_withdrawal()->mutable_notified_on() = d.Date();
  if (which & 1) *e.mutable_withdrawal()->mutable_takes_effect_on() = d.Date();
}

void BuildWithdrawalRevoked(Decoder& d, v1::Command& c) {
  v1::WithdrawalRevoked& e = *Change(c).mutable_withdrawal_revoked();
  e.set_party_id(d.Party());
  *e.mutable_date() = d.Date();
}

void BuildWithdrawalTookEffect(Decoder& d, v1::Command& c) {
  v1::WithdrawalTookEffect& e = *Change(c).mutable_withdrawal_took_effect();
  e.set_party_id(d.Party());
  *e.mutable_effective_date() = d.Date();
}

void BuildTerminated(Decoder& d, v1::Command& c) {
  v1::Terminated& e = *Change(c).mutable_terminated();
  e.set_ground(static_cast<v1::TerminationGround>(d.Byte() % 7));
  const uint8_t target = d.Byte();
  if ((target & 0x80) == 0) e.set_replaced_by_agreement_id(kAgreements[target % 4]);
  *e.mutable_effective_date() = d.Date();
}

void BuildAbandoned(Decoder& d, v1::Command& c) {
  *Change(c).mutable_abandoned()->mutable_date() = d.Date();
}

void ReadAmendment(Decoder& d, v1::Amendment& a) {
  const uint8_t which = d.Byte();
  *a.mutable_adopted_on() = d.Date();
  if ((which & 1) == 0) a.set_summary("Article 5 replaced");
  if (which & 2) a.set_amending_agreement_id(d.Target());
  if (which & 4) *a.mutable_effective_date() = d.Date();
}

void BuildAmendmentAdopted(Decoder& d, v1::Command& c) {
  ReadAmendment(d, *Change(c).mutable_amendment_adopted()->mutable_amendment());
}

void BuildContractAmended(Decoder& d, v1::Command& c) {
  ReadAmendment(d, *Change(c).mutable_contract_amended()->mutable_amendment());
}

void BuildClassificationChanged(Decoder& d, v1::Command& c) {
  SetClassifications(
      d.Byte(), Change(c).mutable_classification_changed()->mutable_classifications());
}

const char* AmountId(uint8_t b) {
  static constexpr const char* kIds[] = {"value", "financing", "loan"};
  return kIds[b % 3];
}

const char* Currency(uint8_t b) {
  static constexpr const char* kCurrencies[] = {"USD", "KZT", "KRW", "XTS"};
  return kCurrencies[b % 4];
}

void BuildAmountRecorded(Decoder& d, v1::Command& c) {
  v1::Amount& a = *Change(c).mutable_amount_recorded()->mutable_amount();
  a.set_id(AmountId(d.Byte()));
  a.set_type(static_cast<v1::AmountType>(d.Byte() % 8));
  a.mutable_value()->set_currency_code(Currency(d.Byte()));
  a.mutable_value()->set_units(int64_t{d.U16()} * 1000000);
}

void BuildAmountRevised(Decoder& d, v1::Command& c) {
  v1::AmountRevised& e = *Change(c).mutable_amount_revised();
  e.set_amount_id(AmountId(d.Byte()));
  e.mutable_value()->set_currency_code(Currency(d.Byte()));
  e.mutable_value()->set_units(int64_t{d.U16()} * 1000000);
  const uint8_t which = d.Byte();
  if (which & 1) *e.mutable_as_of() = d.Date();
  if (which & 2) e.set_description("revised estimate");
}

void BuildDocument(Decoder& d, v1::Command& c) {
  static constexpr const char* kUrls[] = {"https://example.org/text-en.pdf",
                                          "https://example.org/text-ru.pdf",
                                          "urn:isbn:0451450523", "not a url"};
  v1::DocumentReference& doc = *Change(c).mutable_document_attached()->mutable_document();
  doc.set_url(kUrls[d.Byte() % 4]);
  doc.set_sha256(std::string(64, "0123456789abcdefG"[d.Byte() % 17]));
  doc.set_language("en");
  doc.set_media_type("application/pdf");
}

void BuildRelation(Decoder& d, v1::Command& c) {
  v1::Relation& r = *Change(c).mutable_relation_linked()->mutable_relation();
  r.set_type(static_cast<v1::RelationType>(d.Byte() % 6));
  const uint8_t target = d.Byte() % 5;
  r.set_target_agreement_id(target == 4 ? d.stream : kAgreements[target]);
}

void BuildReassessed(Decoder& d, v1::Command& c) {
  Change(c).mutable_legal_nature_reassessed()->set_legal_nature(
      static_cast<v1::LegalNature>(d.Byte() % 6));
}

void BuildCameIntoEffect(Decoder& d, v1::Command& c) {
  *Change(c).mutable_came_into_effect()->mutable_effective_date() = d.Date();
}

void BuildDiscontinued(Decoder& d, v1::Command& c) {
  *Change(c).mutable_discontinued()->mutable_effective_date() = d.Date();
}

void BuildContractSigned(Decoder& d, v1::Command& c) {
  *Change(c).mutable_contract_signed()->mutable_date() = d.Date();
  Change(c).mutable_contract_signed()->set_place(d.Text());
}

void BuildContractActivated(Decoder& d, v1::Command& c) {
  *Change(c).mutable_contract_activated()->mutable_effective_date() = d.Date();
}

void BuildContractCompleted(Decoder& d, v1::Command& c) {
  *Change(c).mutable_contract_completed()->mutable_date() = d.Date();
}

void BuildContractTerminated(Decoder& d, v1::Command& c) {
  *Change(c).mutable_contract_terminated()->mutable_effective_date() = d.Date();
}

void BuildContractCancelled(Decoder& d, v1::Command& c) {
  *Change(c).mutable_contract_cancelled()->mutable_date() = d.Date();
}

void BuildNonParticipation(Decoder& d, v1::Command& c) {
  v1::NonParticipationDeclared& e = *Change(c).mutable_non_participation_declared();
  e.set_party_id(d.Party());
  const uint8_t which = d.Byte();
  *e.mutable_date() = d.Date();
  if (which & 1) *e.mutable_provisional_application_ends_on() = d.Date();
}

void BuildConfidentiality(Decoder& d, v1::Command& c) {
  Change(c).mutable_confidentiality_changed()->set_level(
      static_cast<v1::Confidentiality>(d.Byte() % 4));
}

const char* ReservationId(uint8_t b) {
  static constexpr const char* kIds[] = {"r1", "r2", "r3"};
  return kIds[b % 3];
}

void BuildReservation(Decoder& d, v1::Command& c) {
  v1::ReservationMade& e = *Change(c).mutable_reservation_made();
  e.set_party_id(d.Party());
  v1::Reservation& r = *e.mutable_reservation();
  r.set_kind(static_cast<v1::ReservationKind>(d.Byte() % 4));
  r.set_id(ReservationId(d.Byte()));
  r.set_objects_to_party_id(d.OptionalParty());
  if (!r.objects_to_party_id().empty()) {
    r.set_objects_to_reservation_id(ReservationId(d.Byte()));
    r.set_precludes_entry_into_force(true);
  }
  if (r.kind() != v1::RESERVATION_KIND_OBJECTION) {
    r.set_text("does not consider itself bound by art. 5");
  }
  r.add_articles("art. 5");
  *r.mutable_date() = d.Date();
}

void BuildReservationWithdrawn(Decoder& d, v1::Command& c) {
  v1::ReservationWithdrawn& e = *Change(c).mutable_reservation_withdrawn();
  e.set_party_id(d.Party());
  e.set_reservation_id(ReservationId(d.Byte()));
  *e.mutable_date() = d.Date();
}

void BuildDepositary(Decoder& d, v1::Command& c) {
  v1::Depositary& e = *Change(c).mutable_depositary_designated()->mutable_depositary();
  e.set_party_id(d.Party());
  e.set_article("art. 26");
  if (d.Byte() & 1) *e.mutable_designated_on() = d.Date();
}

void BuildNotified(Decoder& d, v1::Command& c) {
  static constexpr const char* kReferences[] = {"C.N.1.2009", "C.N.2.2009", "C.N.3.2009",
                                                ""};
  v1::DepositaryNotified& e = *Change(c).mutable_depositary_notified();
  e.set_depositary_id(d.Party());
  e.mutable_notification()->set_reference(kReferences[d.Byte() % 4]);
  e.mutable_notification()->set_party_id(d.OptionalParty());
  e.mutable_notification()->set_subject("ratification");
  *e.mutable_notification()->mutable_date() = d.Date();
}

const char* RegistrationNumber(uint8_t b) {
  static constexpr const char* kNumbers[] = {"I-54113", "I-1", "II-1234", ""};
  return kNumbers[b % 4];
}

void BuildRegistered(Decoder& d, v1::Command& c) {
  v1::Registration& r = *Change(c).mutable_registered_with_un()->mutable_registration();
  r.set_kind(static_cast<v1::RegistrationKind>(d.Byte() % 3));
  r.set_number(RegistrationNumber(d.Byte()));
  r.set_submitted_by(d.OptionalParty());
  *r.mutable_date() = d.Date();
}

void BuildPublication(Decoder& d, v1::Command& c) {
  v1::PublicationRecorded& e = *Change(c).mutable_publication_recorded();
  e.set_number(RegistrationNumber(d.Byte()));
  e.set_unts_volume(d.Byte() * 10);
  e.set_unts_page(d.Byte());
}

void BuildExtended(Decoder& d, v1::Command& c) {
  v1::Extension& e = *Change(c).mutable_extended()->mutable_extension();
  const uint8_t which = d.Byte();
  if (which & 1) *e.mutable_agreed_on() = d.Date();
  *e.mutable_expires_on() = d.Date();
  if (which & 2) e.set_extending_agreement_id(d.Target());
  e.set_legal_basis("exchange of notes");
}

void BuildExpired(Decoder& d, v1::Command& c) {
  *Change(c).mutable_expired()->mutable_effective_date() = d.Date();
}

void BuildSuccession(Decoder& d, v1::Command& c) {
  v1::SuccessionNotified& e = *Change(c).mutable_succession_notified();
  e.set_party_id(d.Party());
  e.set_predecessor_id(d.Party());
  *e.mutable_succession_date() = d.Date();
  *e.mutable_notified_on() = d.Date();
}

void BuildIdentifier(Decoder& d, v1::Command& c) {
  static constexpr const char* kSchemes[] = {"UNTS", "GB-TS", "XI-LEI", "bad scheme"};
  static constexpr const char* kValues[] = {"I-54113", "123", "5493001KJTIIGC8Y1R12", ""};
  v1::Identifier& i = *Change(c).mutable_identifier_added()->mutable_identifier();
  i.set_scheme(kSchemes[d.Byte() % 4]);
  i.set_value(kValues[d.Byte() % 4]);
}

void BuildCeased(Decoder& d, v1::Command& c) {
  v1::ParticipantCeased& e = *Change(c).mutable_participant_ceased();
  e.set_party_id(d.Party());
  *e.mutable_effective_date() = d.Date();
}

// By EventPayload field number.
constexpr Builder kBuilders[] = {
    nullptr,
    BuildRecorded,
    BuildTextAdopted,
    BuildOpened,
    BuildParticipantAdded,
    BuildSigned,
    BuildConsent,
    BuildProvisionalStarted,
    BuildProvisionalEnded,
    BuildEntryIntoForce,
    BuildSuspended,
    BuildResumed,
    BuildWithdrawalNotified,
    BuildWithdrawalRevoked,
    BuildWithdrawalTookEffect,
    BuildTerminated,
    BuildAbandoned,
    BuildAmendmentAdopted,
    BuildClassificationChanged,
    BuildAmountRecorded,
    BuildAmountRevised,
    BuildDocument,
    BuildRelation,
    BuildCorrection,
    BuildReassessed,
    BuildCameIntoEffect,
    BuildDiscontinued,
    BuildContractSigned,
    BuildContractActivated,
    BuildContractCompleted,
    BuildContractTerminated,
    BuildContractCancelled,
    BuildContractAmended,
    BuildNonParticipation,
    BuildConfidentiality,
    BuildReservation,
    BuildReservationWithdrawn,
    BuildDepositary,
    BuildNotified,
    BuildRegistered,
    BuildPartyRegistered,
    BuildPartyUpdated,
    BuildPublication,
    BuildExtended,
    BuildExpired,
    BuildSuccession,
    BuildIdentifier,
    BuildCeased,
};
constexpr int kKinds = sizeof(kBuilders) / sizeof(kBuilders[0]) - 1;

// Each builder yields the payload of its field number, even from no bytes.
void CheckBuilders(const Registry& registry) {
  for (int kind = 1; kind <= kKinds; ++kind) {
    ByteReader none(nullptr, 0);
    Dates dates(2009);
    Decoder d{none, dates, registry, "a1", 0};
    v1::Command command;
    kBuilders[kind](d, command);
    FUZZ_CHECK(command.change().kind_case() == kind, "the builder of kind ", kind,
               " built ", EventTypeName(command.change()));
  }
}

void ApplyFlags(uint8_t flags, v1::Command& command) {
  if (flags & 1) {
    command.mutable_change()->set_dates_confirmed_by(
        "UNTC, depositary notification C.N.123.1993");
  }
  if (flags & 2) command.set_reason("Recorded from the depositary's notification");
  if ((flags & kFlagChaos) != kFlagChaos) return;
  if (flags & 4) {
    command.set_stream_type(command.stream_type() == v1::STREAM_TYPE_PARTY
                                ? v1::STREAM_TYPE_AGREEMENT
                                : v1::STREAM_TYPE_PARTY);
  }
  if (flags & 8) command.clear_stream_id();
}

void RunOp(ByteReader& in, Dates& dates, Registry& registry) {
  const std::string stream = kAgreements[in.Byte() % 3];
  const int kind = 1 + in.Byte() % kKinds;
  const uint8_t flags = in.Byte();
  v1::Command command;
  command.set_stream_type(v1::STREAM_TYPE_AGREEMENT);
  command.set_stream_id(stream);
  Decoder d{in, dates, registry, stream, flags};
  kBuilders[kind](d, command);
  ApplyFlags(flags, command);
  registry.Run(command).IgnoreError();
}

}  // namespace

std::string ByteReader::Take(size_t n) {
  n = std::min(n, size_ - std::min(offset_, size_));
  std::string bytes(reinterpret_cast<const char*>(data_) + offset_, n);
  offset_ += n;
  return bytes;
}

void RunProgram(ByteReader& in, Registry& registry) {
  static const bool checked = (CheckBuilders(registry), true);
  (void)checked;
  const uint8_t start = in.Byte();
  Dates dates(start < 0xF0 ? 1980 + start % 40 : std::min(9985 + (start & 0x0F), 9999));
  for (int i = 0; i < kMaxOps && !in.empty(); ++i) RunOp(in, dates, registry);
  registry.CheckRebuild();
}

}  // namespace agreements::domain::fuzz
