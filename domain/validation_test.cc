// ValidateCommand, rule by rule: each row breaks one rule of a valid command and expects
// INVALID_ARGUMENT naming the field path and the rule.
#include "domain/validation.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "domain/decider.h"
#include "domain/test_registry.h"
#include "gtest/gtest.h"

namespace agreements::domain {
namespace {

using namespace ::agreements::domain::testing;  // NOLINT: builders read as a table.
using Mutation = std::function<void(v1::Command&)>;

// A valid agreement_recorded command using every descriptive field.
v1::Command ValidRecord() {
  v1::Command command = AgreementCommand(
      "kz-kr-2009-js", RecordPayload(v1::LEGAL_NATURE_NON_BINDING_POLITICAL,
                                     v1::ARITY_BILATERAL, {"kz", "kr"}));
  v1::Agreement* a =
      command.mutable_change()->mutable_agreement_recorded()->mutable_agreement();
  a->set_id("kz-kr-2009-js");
  a->set_place_of_conclusion("Astana (Akorda)");
  a->set_summary("Readiness to strengthen the strategic partnership.");
  v1::LocalizedText* title = a->add_titles();
  title->set_language("ko-KR");
  title->set_text("Joint statement");
  v1::Classification* c = a->add_classifications();
  c->set_scheme(v1::CLASSIFICATION_SCHEME_REGISTRY_SECTOR);
  c->set_code("governance");
  c = a->add_classifications();
  c->set_scheme(v1::CLASSIFICATION_SCHEME_ISIC);
  c->set_code("D3510");
  v1::Amount* amount = a->add_amounts();
  amount->set_id("trade-2008");
  amount->set_type(v1::AMOUNT_TYPE_OTHER);
  amount->mutable_value()->set_currency_code("USD");
  amount->mutable_value()->set_units(750000000);
  amount->mutable_value()->set_nanos(500000000);
  *amount->mutable_as_of() = Year(2008);
  v1::Relation* relation = a->add_relations();
  relation->set_type(v1::RELATION_TYPE_FRAMEWORK_FOR);
  relation->set_target_agreement_id("balkhash-tpp");
  v1::DocumentReference* document = a->add_documents();
  document->set_url("https://example.org/statement.pdf");
  document->set_sha256(std::string(64, 'e'));
  document->set_media_type("application/pdf");
  document->set_language("ru");
  return command;
}

v1::Command ValidParty() {
  v1::Command command =
      PartyCommand("kepco", RegisterPayload(v1::PARTY_TYPE_COMPANY, "KR", "KEPCO"));
  v1::Identifier* lei = command.mutable_change()
                            ->mutable_party_registered()
                            ->mutable_party()
                            ->add_identifiers();
  lei->set_scheme("XI-LEI");
  lei->set_value("5493001KJTIIGC8Y1R12");
  return command;
}

v1::Agreement* Recorded(v1::Command& c) {
  return c.mutable_change()->mutable_agreement_recorded()->mutable_agreement();
}
v1::Party* Registered(v1::Command& c) {
  return c.mutable_change()->mutable_party_registered()->mutable_party();
}
// Replaces the change, keeping the stream.
Mutation Change(const v1::EventPayload& payload) {
  return [payload](v1::Command& c) { *c.mutable_change() = payload; };
}
v1::Date RawDate(int year, int month, int day, v1::DatePrecision precision) {
  v1::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  date.set_precision(precision);
  return date;
}

// One validation rule: a mutation of a valid command and the expected message substring.
struct Rule {
  std::string name;
  bool party_base;
  Mutation mutate;
  std::string message;
};

std::vector<Rule> Rules() {
  constexpr bool kAgreement = false;
  constexpr bool kParty = true;
  const std::string rec = "change.agreement_recorded.agreement.";
  return {
      // The command.
      {"change_unset", kAgreement, [](v1::Command& c) { c.clear_change(); },
       "change: must be set"},
      {"stream_type_unset", kAgreement, [](v1::Command& c) { c.clear_stream_type(); },
       "stream_type: must be set (not STREAM_TYPE_UNSPECIFIED)"},
      {"stream_type_mismatch", kAgreement,
       [](v1::Command& c) { c.set_stream_type(v1::STREAM_TYPE_PARTY); },
       "stream_type: must be STREAM_TYPE_AGREEMENT for agreement_recorded (got "
       "STREAM_TYPE_PARTY)"},
      {"party_on_agreement_stream", kParty,
       [](v1::Command& c) { c.set_stream_type(v1::STREAM_TYPE_AGREEMENT); },
       "stream_type: must be STREAM_TYPE_PARTY for party_registered"},
      {"stream_id_upper_case", kAgreement,
       [](v1::Command& c) { c.set_stream_id("KZ-1"); },
       "stream_id: must be a registry id"},
      {"stream_id_leading_dash", kAgreement,
       [](v1::Command& c) { c.set_stream_id("-kz"); },
       "stream_id: must be a registry id"},
      {"stream_id_too_long", kAgreement,
       [](v1::Command& c) { c.set_stream_id(std::string(64, 'a')); },
       "stream_id: must be a registry id"},
      {"stream_id_missing_for_change", kAgreement,
       [](v1::Command& c) {
         c.clear_stream_id();
         *c.mutable_change() = TextAdopted(Day(2009, 1, 1));
       },
       "stream_id: must be set for text_adopted"},
      {"payload_id_differs", kAgreement,
       [](v1::Command& c) { Recorded(c)->set_id("other"); },
       "change.agreement_recorded.agreement.id: must equal stream_id"},
      {"reason_too_long", kAgreement,
       [](v1::Command& c) { c.set_reason(std::string(2001, 'r')); },
       "reason: must be at most 2000 characters (got 2001)"},
      // Titles.
      {"no_titles", kAgreement, [](v1::Command& c) { Recorded(c)->clear_titles(); },
       rec + "titles: must have at least one entry"},
      {"title_language", kAgreement,
       [](v1::Command& c) { Recorded(c)->mutable_titles(0)->set_language("xx_"); },
       rec + "titles[0].language: must be a BCP 47 language tag (got \"xx_\")"},
      {"title_language_missing", kAgreement,
       [](v1::Command& c) { Recorded(c)->mutable_titles(1)->clear_language(); },
       rec + "titles[1].language: must be set"},
      {"title_text_empty", kAgreement,
       [](v1::Command& c) { Recorded(c)->mutable_titles(0)->clear_text(); },
       rec + "titles[0].text: must be set"},
      {"title_text_too_long", kAgreement,
       [](v1::Command& c) {
         Recorded(c)->mutable_titles(0)->set_text(std::string(1001, 't'));
       },
       rec + "titles[0].text: must be at most 1000 characters (got 1001)"},
      {"title_language_duplicate", kAgreement,
       [](v1::Command& c) { Recorded(c)->mutable_titles(1)->set_language("EN"); },
       rec + "titles[1].language: duplicate language (also titles[0])"},
      {"too_many_titles", kAgreement,
       [](v1::Command& c) {
         for (int i = 0; i < 19; ++i) *Recorded(c)->add_titles() = Recorded(c)->titles(0);
       },
       rec + "titles: must have at most 20 entries (got 21)"},
      {"designation_too_long", kAgreement,
       [](v1::Command& c) { Recorded(c)->set_designation(std::string(201, 'd')); },
       rec + "designation: must be at most 200 characters"},
      {"summary_too_long", kAgreement,
       [](v1::Command& c) { Recorded(c)->set_summary(std::string(10001, 's')); },
       rec + "summary: must be at most 10000 characters"},
      // Enums.
      {"instrument_kind_unset", kAgreement,
       [](v1::Command& c) { Recorded(c)->clear_instrument_kind(); },
       rec + "instrument_kind: must be set (not INSTRUMENT_KIND_UNSPECIFIED)"},
      {"legal_nature_unset", kAgreement,
       [](v1::Command& c) { Recorded(c)->clear_legal_nature(); },
       rec + "legal_nature: must be set (not LEGAL_NATURE_UNSPECIFIED)"},
      {"legal_nature_unknown", kAgreement,
       [](v1::Command& c) {
         Recorded(c)->set_legal_nature(static_cast<v1::LegalNature>(99));
       },
       rec + "legal_nature: must be a known LegalNature value (got 99)"},
      {"arity_unset", kAgreement, [](v1::Command& c) { Recorded(c)->clear_arity(); },
       rec + "arity: must be set (not ARITY_UNSPECIFIED)"},
      {"arity_unset_binding", kAgreement,
       [](v1::Command& c) {
         Recorded(c)->set_legal_nature(v1::LEGAL_NATURE_BINDING_INTERNATIONAL);
         Recorded(c)->clear_arity();
       },
       rec + "arity: must be set (not ARITY_UNSPECIFIED)"},
      {"arity_unset_contract", kAgreement,
       [](v1::Command& c) {
         Recorded(c)->set_legal_nature(v1::LEGAL_NATURE_BINDING_DOMESTIC_LAW);
         Recorded(c)->clear_arity();
       },
       rec + "arity: must be set (not ARITY_UNSPECIFIED)"},
      {"arity_unset_mixed", kAgreement,
       [](v1::Command& c) {
         Recorded(c)->set_legal_nature(v1::LEGAL_NATURE_MIXED);
         Recorded(c)->clear_arity();
       },
       rec + "arity: must be set (not ARITY_UNSPECIFIED)"},
      {"arity_unset_undetermined", kAgreement,
       [](v1::Command& c) {
         Recorded(c)->set_legal_nature(v1::LEGAL_NATURE_UNDETERMINED);
         Recorded(c)->clear_arity();
       },
       rec + "arity: must be set (not ARITY_UNSPECIFIED)"},
      {"bilateral_with_three_parties", kAgreement,
       [](v1::Command& c) {
         v1::Participation* p = Recorded(c)->add_participations();
         p->set_party_id("jp");
         p->add_roles(v1::PARTICIPANT_ROLE_WITNESS);
         p->add_roles(v1::PARTICIPANT_ROLE_PARTY);
       },
       rec + "arity: must not be ARITY_BILATERAL: 3 participations have role "
             "PARTICIPANT_ROLE_PARTY"},
      {"arity_unknown", kAgreement,
       [](v1::Command& c) { Recorded(c)->set_arity(static_cast<v1::Arity>(7)); },
       rec + "arity: must be a known Arity value (got 7)"},
      // Output-only fields.
      {"status_set", kAgreement,
       [](v1::Command& c) { Recorded(c)->set_status(v1::AGREEMENT_STATUS_IN_FORCE); },
       rec + "status: is output only"},
      {"sectors_set", kAgreement,
       [](v1::Command& c) { Recorded(c)->add_sectors("energy"); },
       rec + "sectors: is output only"},
      {"revision_set", kAgreement, [](v1::Command& c) { Recorded(c)->set_revision(3); },
       rec + "revision: is output only"},
      {"create_time_set", kAgreement,
       [](v1::Command& c) { Recorded(c)->mutable_create_time()->set_seconds(1); },
       rec + "create_time: is output only"},
      {"signed_on_set", kAgreement,
       [](v1::Command& c) { *Recorded(c)->mutable_signed_on() = Day(2009, 5, 13); },
       rec + "signed_on: is output only"},
      {"amendments_set", kAgreement,
       [](v1::Command& c) { Recorded(c)->add_amendments()->set_summary("x"); },
       rec + "amendments: is output only"},
      {"participation_status_set", kAgreement,
       [](v1::Command& c) {
         Recorded(c)->mutable_participations(0)->set_status(
             v1::PARTICIPATION_STATUS_PARTY);
       },
       rec + "participations[0].status: is output only"},
      {"initial_status_in_force", kAgreement,
       [](v1::Command& c) {
         c.mutable_change()->mutable_agreement_recorded()->set_initial_status(
             v1::AGREEMENT_STATUS_IN_FORCE);
       },
       "change.agreement_recorded.initial_status: must be AGREEMENT_STATUS_DRAFT or "
       "AGREEMENT_STATUS_NEGOTIATING"},
      {"initial_status_negotiating_non_binding", kAgreement,
       [](v1::Command& c) {
         c.mutable_change()->mutable_agreement_recorded()->set_initial_status(
             v1::AGREEMENT_STATUS_NEGOTIATING);
       },
       "initial_status: AGREEMENT_STATUS_NEGOTIATING applies only to the instrument "
       "lifecycle"},
      // Participations.
      {"participant_duplicate", kAgreement,
       [](v1::Command& c) { Recorded(c)->mutable_participations(1)->set_party_id("kz"); },
       rec + "participations[1].party_id: duplicate party_id (also participations[0])"},
      {"participant_bad_id", kAgreement,
       [](v1::Command& c) {
         Recorded(c)->mutable_participations(0)->set_party_id("K Z");
       },
       rec + "participations[0].party_id: must be a registry id"},
      {"participant_role_unset", kAgreement,
       [](v1::Command& c) {
         Recorded(c)->mutable_participations(0)->set_roles(
             0, v1::PARTICIPANT_ROLE_UNSPECIFIED);
       },
       rec + "participations[0].roles[0]: must be set"},
      {"too_many_participants", kAgreement,
       [](v1::Command& c) {
         for (int i = 0; i < 499; ++i) {
           Recorded(c)->add_participations()->set_party_id("p" + std::to_string(i));
         }
       },
       rec + "participations: must have at most 500 entries (got 501)"},
      // Classifications.
      {"registry_sector_unknown", kAgreement,
       [](v1::Command& c) {
         Recorded(c)->mutable_classifications(0)->set_code("mining");
       },
       rec + "classifications[0].code: must be a registry sector"},
      {"dac_code_short", kAgreement,
       [](v1::Command& c) {
         Recorded(c)->mutable_classifications(1)->set_scheme(
             v1::CLASSIFICATION_SCHEME_OECD_DAC);
         Recorded(c)->mutable_classifications(1)->set_code("2321");
       },
       rec + "classifications[1].code: must be a 5-digit OECD DAC purpose code (got "
             "\"2321\")"},
      {"isic_division_of_other_section", kAgreement,
       [](v1::Command& c) { Recorded(c)->mutable_classifications(1)->set_code("D49"); },
       rec + "classifications[1].code: must be an ISIC Rev. 4 code"},
      {"isic_unknown_division", kAgreement,
       [](v1::Command& c) { Recorded(c)->mutable_classifications(1)->set_code("0400"); },
       rec + "classifications[1].code: must be an ISIC Rev. 4 code"},
      {"classification_scheme_unset", kAgreement,
       [](v1::Command& c) { Recorded(c)->mutable_classifications(0)->clear_scheme(); },
       rec + "classifications[0].scheme: must be set"},
      {"classification_duplicate", kAgreement,
       [](v1::Command& c) {
         *Recorded(c)->add_classifications() = Recorded(c)->classifications(0);
       },
       rec + "classifications[2]: duplicate classification (also classifications[0])"},
      // Amounts.
      {"currency_lower_case", kAgreement,
       [](v1::Command& c) {
         Recorded(c)->mutable_amounts(0)->mutable_value()->set_currency_code("usd");
       },
       rec + "amounts[0].value.currency_code: must be an active ISO 4217 currency code "
             "(got "
             "\"usd\")"},
      {"currency_withdrawn", kAgreement,
       [](v1::Command& c) {
         Recorded(c)->mutable_amounts(0)->mutable_value()->set_currency_code("DEM");
       },
       rec + "amounts[0].value.currency_code: must be an active ISO 4217 currency code"},
      {"amount_negative", kAgreement,
       [](v1::Command& c) {
         Recorded(c)->mutable_amounts(0)->mutable_value()->set_units(-5);
         Recorded(c)->mutable_amounts(0)->mutable_value()->set_nanos(-1);
       },
       rec + "amounts[0].value: must not be negative"},
      {"amount_mixed_signs", kAgreement,
       [](v1::Command& c) {
         Recorded(c)->mutable_amounts(0)->mutable_value()->set_units(-5);
       },
       rec + "amounts[0].value: units and nanos must have the same sign"},
      {"amount_nanos_overflow", kAgreement,
       [](v1::Command& c) {
         Recorded(c)->mutable_amounts(0)->mutable_value()->set_nanos(1000000000);
       },
       rec + "amounts[0].value.nanos: must be within (-10^9, 10^9)"},
      {"amount_above_a_quadrillion", kAgreement,
       [](v1::Command& c) {
         Recorded(c)->mutable_amounts(0)->mutable_value()->set_units(1000000000000001);
       },
       rec + "amounts[0].value.units: at most 1000000000000000 units (got "
             "1000000000000001)"},
      {"amount_far_below_minus_a_quadrillion", kAgreement,
       [](v1::Command& c) {
         Recorded(c)->mutable_amounts(0)->mutable_value()->set_units(INT64_MIN);
         Recorded(c)->mutable_amounts(0)->mutable_value()->set_nanos(0);
       },
       rec + "amounts[0].value.units: at most 1000000000000000 units"},
      {"amount_revised_above_a_quadrillion", kAgreement,
       Change(AmountRevised("v", "USD", INT64_MAX)),
       "change.amount_revised.value.units: at most 1000000000000000 units"},
      {"amount_value_missing", kAgreement,
       [](v1::Command& c) { Recorded(c)->mutable_amounts(0)->clear_value(); },
       rec + "amounts[0].value: must be set"},
      {"amount_type_unset", kAgreement,
       [](v1::Command& c) { Recorded(c)->mutable_amounts(0)->clear_type(); },
       rec + "amounts[0].type: must be set"},
      {"amount_id_duplicate", kAgreement,
       [](v1::Command& c) { *Recorded(c)->add_amounts() = Recorded(c)->amounts(0); },
       rec + "amounts[1].id: duplicate amount id (also amounts[0])"},
      // Relations and documents.
      {"relation_to_itself", kAgreement,
       [](v1::Command& c) {
         Recorded(c)->mutable_relations(0)->set_target_agreement_id("kz-kr-2009-js");
       },
       rec + "relations[0].target_agreement_id: must not be the agreement itself"},
      {"relation_type_unset", kAgreement,
       [](v1::Command& c) { Recorded(c)->mutable_relations(0)->clear_type(); },
       rec + "relations[0].type: must be set"},
      {"sha256_upper_case", kAgreement,
       [](v1::Command& c) {
         Recorded(c)->mutable_documents(0)->set_sha256(std::string(64, 'E'));
       },
       rec + "documents[0].sha256: must be 64 lowercase hex digits"},
      {"sha256_short", kAgreement,
       [](v1::Command& c) { Recorded(c)->mutable_documents(0)->set_sha256("abc"); },
       rec + "documents[0].sha256: must be 64 lowercase hex digits (got 3 characters)"},
      {"url_without_scheme", kAgreement,
       [](v1::Command& c) {
         Recorded(c)->mutable_documents(0)->set_url("example.org/a.pdf");
       },
       rec + "documents[0].url: must be an absolute URL"},
      {"url_with_space", kAgreement,
       [](v1::Command& c) {
         Recorded(c)->mutable_documents(0)->set_url("https://example.org/a b.pdf");
       },
       rec + "documents[0].url: must be an absolute URL"},
      {"media_type_without_subtype", kAgreement,
       [](v1::Command& c) { Recorded(c)->mutable_documents(0)->set_media_type("pdf"); },
       rec + "documents[0].media_type: must be a media type"},
      {"too_many_documents", kAgreement,
       [](v1::Command& c) {
         for (int i = 0; i < 200; ++i) {
           v1::DocumentReference* d = Recorded(c)->add_documents();
           d->set_url("https://e.org/" + std::to_string(i));
           d->set_sha256(std::string(64, 'a'));
         }
       },
       rec + "documents: must have at most 200 entries (got 201)"},
      // Dates.
      {"not_a_leap_year", kAgreement, Change(TextAdopted(Day(2023, 2, 29))),
       "change.text_adopted.date.day: must be 1..28 for 2023-02 (got 29)"},
      {"century_not_leap", kAgreement, Change(TextAdopted(Day(1900, 2, 29))),
       "change.text_adopted.date.day: must be 1..28 for 1900-02"},
      {"day_31_in_april", kAgreement, Change(TextAdopted(Day(2009, 4, 31))),
       "change.text_adopted.date.day: must be 1..30 for 2009-04 (got 31)"},
      {"month_13", kAgreement, Change(TextAdopted(Day(2009, 13, 1))),
       "change.text_adopted.date.month: must be 1..12 with DATE_PRECISION_DAY (got 13)"},
      {"month_precision_with_day", kAgreement,
       Change(TextAdopted(RawDate(2009, 5, 15, v1::DATE_PRECISION_MONTH))),
       "change.text_adopted.date.day: must be 0 with DATE_PRECISION_MONTH (got 15)"},
      {"year_precision_with_month", kAgreement,
       Change(TextAdopted(RawDate(2009, 5, 0, v1::DATE_PRECISION_YEAR))),
       "change.text_adopted.date.month: must be 0 with DATE_PRECISION_YEAR (got 5)"},
      {"year_zero", kAgreement,
       Change(TextAdopted(RawDate(0, 5, 1, v1::DATE_PRECISION_DAY))),
       "change.text_adopted.date.year: must be 1..9999 (got 0)"},
      {"year_10000", kAgreement, Change(TextAdopted(Year(10000))),
       "change.text_adopted.date.year: must be 1..9999 (got 10000)"},
      {"precision_missing", kAgreement,
       Change(TextAdopted(RawDate(2009, 5, 1, v1::DATE_PRECISION_UNSPECIFIED))),
       "change.text_adopted.date.precision: must be set when the date is set"},
      {"precision_unknown", kAgreement,
       Change(TextAdopted(RawDate(2009, 5, 1, static_cast<v1::DatePrecision>(9)))),
       "change.text_adopted.date.precision: must be a known DatePrecision value (got 9)"},
      {"date_missing", kAgreement, Change(TextAdopted(v1::Date())),
       "change.text_adopted.date: must be set"},
      // Other payloads.
      {"signature_kind_unset", kAgreement,
       Change(Signed("kz", v1::SIGNATURE_KIND_UNSPECIFIED, Day(2009, 5, 13))),
       "change.participant_signed.signature.kind: must be set"},
      {"signature_party_missing", kAgreement,
       Change(Signed("", v1::SIGNATURE_KIND_SIMPLE, Day(2009, 5, 13))),
       "change.participant_signed.party_id: must be set"},
      {"consent_by_definitive_signature", kAgreement,
       Change(ConsentExpressed("kz", v1::CONSENT_MEANS_DEFINITIVE_SIGNATURE,
                               Day(2009, 5, 13))),
       "change.consent_expressed.consent.means: must not be "
       "CONSENT_MEANS_DEFINITIVE_SIGNATURE"},
      {"consent_without_dates", kAgreement,
       Change(ConsentExpressed("kz", v1::CONSENT_MEANS_RATIFICATION, v1::Date())),
       "change.consent_expressed.consent: act_date or deposit_date must be set"},
      {"withdrawal_effect_before_notice", kAgreement,
       Change(WithdrawalNotified("kz", Day(2020, 5, 1), Day(2020, 4, 1))),
       "change.withdrawal_notified.withdrawal.takes_effect_on: must not precede "
       "notified_on"},
      {"non_participation_without_party", kAgreement,
       Change(NonParticipationDeclared("", Day(2009, 5, 13))),
       "change.non_participation_declared.party_id: must be set"},
      {"non_participation_bad_party", kAgreement,
       Change(NonParticipationDeclared("JP", Day(2009, 5, 13))),
       "change.non_participation_declared.party_id: must be a registry id"},
      {"non_participation_without_date", kAgreement,
       Change(NonParticipationDeclared("jp", v1::Date())),
       "change.non_participation_declared.date: must be set"},
      {"non_participation_invalid_date", kAgreement,
       Change(NonParticipationDeclared("jp", Day(2009, 2, 30))),
       "change.non_participation_declared.date.day: must be 1..28 for 2009-02 (got 30)"},
      {"termination_ground_unset", kAgreement,
       Change(Terminated(v1::TERMINATION_GROUND_UNSPECIFIED, Day(2020, 1, 1))),
       "change.terminated.ground: must be set"},
      {"replaced_by_without_ground", kAgreement,
       Change(Terminated(v1::TERMINATION_GROUND_EXPIRY, Day(2020, 1, 1), "a2")),
       "change.terminated.replaced_by_agreement_id: must be empty unless ground is "
       "TERMINATION_GROUND_REPLACED_BY_LATER"},
      {"replaced_by_missing", kAgreement,
       Change(Terminated(v1::TERMINATION_GROUND_REPLACED_BY_LATER, Day(2020, 1, 1))),
       "change.terminated.replaced_by_agreement_id: must be set"},
      {"amendment_position_set", kAgreement,
       [](v1::Command& c) {
         *c.mutable_change() = AmendmentAdopted(Day(2010, 1, 1), "x");
         c.mutable_change()
             ->mutable_amendment_adopted()
             ->mutable_amendment()
             ->set_position(4);
       },
       "change.amendment_adopted.amendment.position: is output only"},
      {"amendment_without_summary", kAgreement,
       Change(ContractAmended(Day(2010, 1, 1), "")),
       "change.contract_amended.amendment.summary: must be set when "
       "amending_agreement_id is "
       "empty"},
      {"amendment_effective_before_adoption", kAgreement,
       [](v1::Command& c) {
         *c.mutable_change() = AmendmentAdopted(Day(2010, 1, 1), "x");
         *c.mutable_change()
              ->mutable_amendment_adopted()
              ->mutable_amendment()
              ->mutable_effective_date() = Year(2009);
       },
       "change.amendment_adopted.amendment.effective_date: must not precede adopted_on"},
      {"amount_revised_without_value", kAgreement, Change(AmountRevised("v", "", 0)),
       "change.amount_revised.value: must be set"},
      {"reassessed_unspecified", kAgreement,
       Change(Reassessed(v1::LEGAL_NATURE_UNSPECIFIED)),
       "change.legal_nature_reassessed.legal_nature: must be set"},
      {"correction_position_zero", kAgreement, Change(Corrected(0, {"summary"}, {})),
       "change.record_corrected.corrected_position: must be set"},
      {"correction_path_not_allowed", kAgreement, Change(Corrected(3, {"status"}, {})),
       "change.record_corrected.field_mask.paths[0]: must be one of"},
      {"correction_duplicate_path", kAgreement,
       Change(Corrected(3, {"summary", "summary"}, {})),
       "change.record_corrected.field_mask.paths[1]: duplicate path \"summary\""},
      {"correction_date_cleared", kAgreement, Change(Corrected(3, {"signed_on"}, {})),
       "change.record_corrected.agreement.signed_on: must be set"},
      {"correction_titles_empty", kAgreement, Change(Corrected(3, {"titles"}, {})),
       "change.record_corrected.agreement.titles: must have at least one entry"},
      {"correction_with_party_values", kAgreement,
       [](v1::Command& c) {
         *c.mutable_change() = Corrected(3, {"summary"}, {});
         c.mutable_change()->mutable_record_corrected()->mutable_party()->set_id("x");
       },
       "change.record_corrected.party: must be empty on an agreement stream"},
      // Parties.
      {"state_without_country", kParty,
       [](v1::Command& c) {
         Registered(c)->set_type(v1::PARTY_TYPE_STATE);
         Registered(c)->clear_country_code();
       },
       "change.party_registered.party.country_code: must be set"},
      {"country_lower_case", kParty,
       [](v1::Command& c) { Registered(c)->set_country_code("kr"); },
       "change.party_registered.party.country_code: must be an ISO 3166-1 alpha-2 "
       "country "
       "code in upper case (got \"kr\")"},
      {"country_unassigned", kParty,
       [](v1::Command& c) { Registered(c)->set_country_code("XX"); },
       "change.party_registered.party.country_code: must be an ISO 3166-1 alpha-2"},
      {"party_type_unset", kParty, [](v1::Command& c) { Registered(c)->clear_type(); },
       "change.party_registered.party.type: must be set (not PARTY_TYPE_UNSPECIFIED)"},
      {"party_without_names", kParty,
       [](v1::Command& c) { Registered(c)->clear_names(); },
       "change.party_registered.party.names: must have at least one entry"},
      {"party_name_language", kParty,
       [](v1::Command& c) { Registered(c)->mutable_names(0)->set_language("english"); },
       "change.party_registered.party.names[0].language: must be a BCP 47 language tag"},
      {"lei_check_digits", kParty,
       [](v1::Command& c) {
         Registered(c)->mutable_identifiers(0)->set_value("5493001KJTIIGC8Y1R13");
       },
       "change.party_registered.party.identifiers[0].value: must be an ISO 17442 LEI"},
      {"identifier_scheme_missing", kParty,
       [](v1::Command& c) { Registered(c)->mutable_identifiers(0)->clear_scheme(); },
       "change.party_registered.party.identifiers[0].scheme: must be set"},
      {"identifier_duplicate", kParty,
       [](v1::Command& c) {
         *Registered(c)->add_identifiers() = Registered(c)->identifiers(0);
       },
       "change.party_registered.party.identifiers[1]: duplicate identifier"},
      {"party_revision_set", kParty,
       [](v1::Command& c) { Registered(c)->set_revision(1); },
       "change.party_registered.party.revision: is output only"},
      {"party_controls_itself", kParty,
       [](v1::Command& c) { Registered(c)->set_controlled_by("kepco"); },
       "change.party_registered.party.controlled_by: must not be the party itself"},
      {"party_id_differs", kParty,
       [](v1::Command& c) { Registered(c)->set_id("samsung"); },
       "change.party_registered.party.id: must equal stream_id"},
      {"party_update_unmasked_field", kParty,
       [](v1::Command& c) {
         v1::EventPayload payload;
         payload.mutable_party_updated()->mutable_update_mask()->add_paths("names");
         v1::Party* party = payload.mutable_party_updated()->mutable_party();
         *party->add_names() = Registered(c)->names(0);
         party->set_type(v1::PARTY_TYPE_STATE);
         *c.mutable_change() = payload;
       },
       "change.party_updated.party.type: must be empty: the field mask does not name it"},
  };
}

// Test names and failure messages show the case name, not the bytes of the case.
void PrintTo(const Rule& c, std::ostream* os) { *os << c.name; }

class ValidationRuleTest : public ::testing::TestWithParam<Rule> {};

TEST_P(ValidationRuleTest, NamesFieldAndRule) {
  const Rule& rule = GetParam();
  v1::Command command = rule.party_base ? ValidParty() : ValidRecord();
  ASSERT_TRUE(ValidateCommand(command).ok()) << ValidateCommand(command);
  rule.mutate(command);
  absl::Status status = ValidateCommand(command);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_NE(status.message().find(rule.message), std::string::npos) << status.message();
}

INSTANTIATE_TEST_SUITE_P(Rules, ValidationRuleTest, ::testing::ValuesIn(Rules()),
                         [](const auto& info) { return info.param.name; });

// A mutation of a valid command that must stay valid.
struct Valid {
  std::string name;
  bool party_base;
  Mutation mutate;
};

std::vector<Valid> ValidCommands() {
  return {
      {"record", false, [](v1::Command&) {}},
      {"record_without_stream_id", false, [](v1::Command& c) { c.clear_stream_id(); }},
      {"record_without_any_id", false,
       [](v1::Command& c) {
         c.clear_stream_id();
         Recorded(c)->clear_id();
       }},
      {"party", true, [](v1::Command&) {}},
      {"party_without_stream_id", true, [](v1::Command& c) { c.clear_stream_id(); }},
      {"kosovo", true, [](v1::Command& c) { Registered(c)->set_country_code("XK"); }},
      {"organisation_without_country", true,
       [](v1::Command& c) {
         Registered(c)->set_type(v1::PARTY_TYPE_INTERNATIONAL_ORGANIZATION);
         Registered(c)->clear_country_code();
       }},
      {"leap_day", false, Change(TextAdopted(Day(2024, 2, 29)))},
      {"leap_century", false, Change(TextAdopted(Day(2000, 2, 29)))},
      {"month_precision", false, Change(TextAdopted(Month(2009, 5)))},
      {"year_precision", false, Change(TextAdopted(Year(1993)))},
      {"thousand_cyrillic_characters", false,
       [](v1::Command& c) {
         std::string text;
         for (int i = 0; i < 1000; ++i) text += "\xd0\x90";  // U+0410, two bytes each.
         Recorded(c)->mutable_titles(0)->set_text(text);
       }},
      {"script_region_tag", false,
       [](v1::Command& c) {
         Recorded(c)->mutable_titles(0)->set_language("zh-Hant-TW");
       }},
      {"isic_section_only", false,
       [](v1::Command& c) { Recorded(c)->mutable_classifications(1)->set_code("F"); }},
      {"isic_digits_only", false,
       [](v1::Command& c) { Recorded(c)->mutable_classifications(1)->set_code("4220"); }},
      {"withdrawal_without_effect_date", false,
       Change(WithdrawalNotified("kz", Day(2020, 5, 1), v1::Date()))},
      {"correction_of_party_names", true,
       [](v1::Command& c) {
         v1::Party values;
         *values.add_names() = Registered(c)->names(0);
         *c.mutable_change() = PartyCorrected(2, {"names"}, values);
       }},
      {"multilateral_with_three_parties", false,
       [](v1::Command& c) {
         Recorded(c)->set_arity(v1::ARITY_MULTILATERAL);
         v1::Participation* p = Recorded(c)->add_participations();
         p->set_party_id("jp");
         p->add_roles(v1::PARTICIPANT_ROLE_PARTY);
       }},
      {"bilateral_with_a_witness", false,
       [](v1::Command& c) {
         v1::Participation* p = Recorded(c)->add_participations();
         p->set_party_id("jp");
         p->add_roles(v1::PARTICIPANT_ROLE_WITNESS);
       }},
      {"amount_of_a_quadrillion", false,
       [](v1::Command& c) {
         Recorded(c)->mutable_amounts(0)->mutable_value()->set_units(1000000000000000);
         Recorded(c)->mutable_amounts(0)->mutable_value()->set_nanos(999999999);
       }},
      {"non_participation", false,
       Change(NonParticipationDeclared("jp", Month(2009, 5)))},
      {"replaced_by_later", false,
       Change(
           Terminated(v1::TERMINATION_GROUND_REPLACED_BY_LATER, Day(2020, 1, 1), "a2"))},
  };
}

// Test names and failure messages show the case name, not the bytes of the case.
void PrintTo(const Valid& c, std::ostream* os) { *os << c.name; }

class ValidCommandTest : public ::testing::TestWithParam<Valid> {};

TEST_P(ValidCommandTest, Passes) {
  const Valid& valid = GetParam();
  v1::Command command = valid.party_base ? ValidParty() : ValidRecord();
  valid.mutate(command);
  EXPECT_TRUE(ValidateCommand(command).ok()) << ValidateCommand(command);
}

INSTANTIATE_TEST_SUITE_P(Valid, ValidCommandTest, ::testing::ValuesIn(ValidCommands()),
                         [](const auto& info) { return info.param.name; });

TEST(ValueChecksTest, IdsUrlsAndHashes) {
  EXPECT_TRUE(IsValidId("kz-kr.2009"));
  EXPECT_TRUE(IsValidId("0"));
  EXPECT_TRUE(IsValidId(std::string(63, 'a')));
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId(".kz"));
  EXPECT_FALSE(IsValidId("kz_kr"));
  EXPECT_TRUE(IsUrl("urn:isbn:0451450523"));
  EXPECT_TRUE(IsUrl("https://treaties.un.org/doc"));
  EXPECT_FALSE(IsUrl("https:"));
  EXPECT_FALSE(IsUrl("1http://x"));
  EXPECT_TRUE(IsSha256Hex(std::string(64, '0')));
  EXPECT_FALSE(IsSha256Hex(std::string(63, '0')));
}

TEST(ValueChecksTest, MoneyIsBoundedByAQuadrillionUnits) {
  struct Case {
    int64_t units;
    int32_t nanos;
    bool ok;
  };
  for (const Case& c : std::vector<Case>{{0, 0, true},
                                         {4500000000, 0, true},
                                         {1000000000000000, 0, true},
                                         {1000000000000000, 999999999, true},
                                         {1000000000000001, 0, false},
                                         {-1000000000000001, 0, false},
                                         {INT64_MAX, 0, false},
                                         {INT64_MIN, 0, false}}) {
    v1::Money money;
    money.set_currency_code("USD");
    money.set_units(c.units);
    money.set_nanos(c.nanos);
    absl::Status status = ValidateMoney("filter.min", money);
    EXPECT_EQ(status.ok(), c.ok) << c.units << " " << status;
    if (!c.ok) {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_NE(status.message().find("filter.min.units: at most 1000000000000000 units"),
                std::string::npos)
          << status;
    }
  }
}

TEST(ValueChecksTest, CompareDatesAtCoarserPrecision) {
  EXPECT_EQ(CompareDates(Month(2009, 5), Day(2009, 5, 15)), 0);
  EXPECT_EQ(CompareDates(Month(2009, 5), Month(2009, 6)), -1);
  EXPECT_EQ(CompareDates(Day(2009, 5, 16), Day(2009, 5, 15)), 1);
  EXPECT_EQ(CompareDates(Year(2010), Day(2009, 12, 31)), 1);
}

}  // namespace
}  // namespace agreements::domain
