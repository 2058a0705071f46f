// TestRegistry and the payload builders of the domain tests.
#include "domain/test_registry.h"

#include <utility>

#include "gtest/gtest.h"

namespace agreements::domain::testing {
namespace {

v1::Date MakeDate(int year, int month, int day, v1::DatePrecision precision) {
  v1::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  date.set_precision(precision);
  return date;
}

// The steps after agreement_recorded that lead to `target` (see Reach).
std::vector<v1::EventPayload> PathTo(v1::LegalNature nature, v1::AgreementStatus target) {
  using S = v1::AgreementStatus;
  std::vector<v1::EventPayload> steps;
  auto path = [&](S s) { steps = PathTo(nature, s); };
  if (nature == v1::LEGAL_NATURE_NON_BINDING_POLITICAL) {
    switch (target) {
      case v1::AGREEMENT_STATUS_SIGNED:
        steps = {Signed("kz", v1::SIGNATURE_KIND_SIMPLE, Day(2009, 5, 13)),
                 Signed("kr", v1::SIGNATURE_KIND_SIMPLE, Day(2009, 5, 13))};
        break;
      case v1::AGREEMENT_STATUS_IN_EFFECT:
        path(v1::AGREEMENT_STATUS_SIGNED);
        steps.push_back(CameIntoEffect(Day(2009, 5, 13)));
        break;
      case v1::AGREEMENT_STATUS_DISCONTINUED:
        path(v1::AGREEMENT_STATUS_IN_EFFECT);
        steps.push_back(Discontinued(Day(2014, 1, 1)));
        break;
      default:
        break;
    }
    return steps;
  }
  if (nature == v1::LEGAL_NATURE_BINDING_DOMESTIC_LAW) {
    steps = {AmountRecorded("contract-value", "USD", 4500000000)};
    switch (target) {
      case v1::AGREEMENT_STATUS_SIGNED:
        steps.push_back(ContractSigned(Day(2009, 5, 14)));
        break;
      case v1::AGREEMENT_STATUS_ACTIVE:
        path(v1::AGREEMENT_STATUS_SIGNED);
        steps.push_back(ContractActivated(Day(2010, 1, 1)));
        break;
      case v1::AGREEMENT_STATUS_COMPLETED:
        path(v1::AGREEMENT_STATUS_ACTIVE);
        steps.push_back(ContractCompleted(Day(2015, 1, 1)));
        break;
      case v1::AGREEMENT_STATUS_TERMINATED_EARLY:
        path(v1::AGREEMENT_STATUS_ACTIVE);
        steps.push_back(ContractTerminated(Day(2012, 1, 1)));
        break;
      case v1::AGREEMENT_STATUS_CANCELLED:
        steps.push_back(ContractCancelled(Day(2009, 12, 1)));
        break;
      default:
        break;
    }
    return steps;
  }
  switch (target) {
    case v1::AGREEMENT_STATUS_ADOPTED:
      steps = {TextAdopted(Day(2009, 3, 1))};
      break;
    case v1::AGREEMENT_STATUS_OPEN_FOR_SIGNATURE:
      path(v1::AGREEMENT_STATUS_ADOPTED);
      steps.push_back(OpenedForSignature(Day(2009, 4, 1)));
      break;
    case v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE:
      steps = {Signed("kz", v1::SIGNATURE_KIND_DEFINITIVE, Day(2009, 5, 13)),
               Signed("kr", v1::SIGNATURE_KIND_DEFINITIVE, Day(2009, 5, 13))};
      break;
    case v1::AGREEMENT_STATUS_PROVISIONALLY_APPLIED:
      path(v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);
      steps.push_back(ProvisionalStarted("", Day(2009, 5, 20)));
      break;
    case v1::AGREEMENT_STATUS_IN_FORCE:
      path(v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);
      steps.push_back(EnteredIntoForce("", Day(2009, 6, 1)));
      break;
    case v1::AGREEMENT_STATUS_SUSPENDED:
      path(v1::AGREEMENT_STATUS_IN_FORCE);
      steps.push_back(Suspended("", Day(2011, 1, 1)));
      break;
    case v1::AGREEMENT_STATUS_TERMINATED:
      path(v1::AGREEMENT_STATUS_IN_FORCE);
      steps.push_back(Terminated(v1::TERMINATION_GROUND_BY_CONSENT, Day(2015, 1, 1)));
      break;
    case v1::AGREEMENT_STATUS_NEVER_IN_FORCE:
      path(v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);
      steps.push_back(Abandoned(Day(2012, 1, 1)));
      break;
    default:
      break;
  }
  return steps;
}

}  // namespace

v1::Date Day(int year, int month, int day) {
  return MakeDate(year, month, day, v1::DATE_PRECISION_DAY);
}
v1::Date Month(int year, int month) {
  return MakeDate(year, month, 0, v1::DATE_PRECISION_MONTH);
}
v1::Date Year(int year) { return MakeDate(year, 0, 0, v1::DATE_PRECISION_YEAR); }

v1::Command AgreementCommand(const std::string& id, const v1::EventPayload& change) {
  v1::Command command;
  command.set_stream_type(v1::STREAM_TYPE_AGREEMENT);
  command.set_stream_id(id);
  *command.mutable_change() = change;
  return command;
}

v1::Command PartyCommand(const std::string& id, const v1::EventPayload& change) {
  v1::Command command = AgreementCommand(id, change);
  command.set_stream_type(v1::STREAM_TYPE_PARTY);
  return command;
}

v1::EventPayload RecordPayload(v1::LegalNature nature, v1::Arity arity,
                               const std::vector<std::string>& participants,
                               v1::AgreementStatus initial) {
  v1::EventPayload payload;
  v1::AgreementRecorded* recorded = payload.mutable_agreement_recorded();
  v1::Agreement* a = recorded->mutable_agreement();
  a->set_designation("Agreement");
  a->set_instrument_kind(nature == v1::LEGAL_NATURE_BINDING_DOMESTIC_LAW
                             ? v1::INSTRUMENT_KIND_CONTRACT
                             : v1::INSTRUMENT_KIND_AGREEMENT);
  a->set_legal_nature(nature);
  a->set_arity(arity);
  v1::LocalizedText* title = a->add_titles();
  title->set_language("en");
  title->set_text("Agreement on cooperation");
  for (const std::string& party : participants) {
    v1::Participation* p = a->add_participations();
    p->set_party_id(party);
    p->add_roles(v1::PARTICIPANT_ROLE_PARTY);
  }
  recorded->set_initial_status(initial);
  return payload;
}

v1::EventPayload RegisterPayload(v1::PartyType type, const std::string& country,
                                 const std::string& name) {
  v1::EventPayload payload;
  v1::Party* party = payload.mutable_party_registered()->mutable_party();
  party->set_type(type);
  party->set_country_code(country);
  v1::LocalizedText* text = party->add_names();
  text->set_language("en");
  text->set_text(name);
  return payload;
}

v1::EventPayload TextAdopted(const v1::Date& date) {
  v1::EventPayload p;
  *p.mutable_text_adopted()->mutable_date() = date;
  return p;
}
v1::EventPayload OpenedForSignature(const v1::Date& date) {
  v1::EventPayload p;
  *p.mutable_opened_for_signature()->mutable_date() = date;
  return p;
}
v1::EventPayload ParticipantAdded(const std::string& party_id) {
  v1::EventPayload p;
  p.mutable_participant_added()->mutable_participation()->set_party_id(party_id);
  return p;
}
v1::EventPayload Signed(const std::string& party_id, v1::SignatureKind kind,
                        const v1::Date& date) {
  v1::EventPayload p;
  p.mutable_participant_signed()->set_party_id(party_id);
  p.mutable_participant_signed()->mutable_signature()->set_kind(kind);
  *p.mutable_participant_signed()->mutable_signature()->mutable_date() = date;
  return p;
}
v1::EventPayload ConsentExpressed(const std::string& party_id, v1::ConsentMeans means,
                                  const v1::Date& deposit_date) {
  v1::EventPayload p;
  p.mutable_consent_expressed()->set_party_id(party_id);
  p.mutable_consent_expressed()->mutable_consent()->set_means(means);
  *p.mutable_consent_expressed()->mutable_consent()->mutable_deposit_date() =
      deposit_date;
  return p;
}
v1::EventPayload ProvisionalStarted(const std::string& party_id, const v1::Date& date) {
  v1::EventPayload p;
  p.mutable_provisional_application_started()->set_party_id(party_id);
  *p.mutable_provisional_application_started()->mutable_effective_date() = date;
  return p;
}
v1::EventPayload ProvisionalTerminated(const std::string& party_id,
                                       const v1::Date& date) {
  v1::EventPayload p;
  p.mutable_provisional_application_terminated()->set_party_id(party_id);
  *p.mutable_provisional_application_terminated()->mutable_effective_date() = date;
  return p;
}
v1::EventPayload EnteredIntoForce(const std::string& party_id, const v1::Date& date) {
  v1::EventPayload p;
  p.mutable_entered_into_force()->set_party_id(party_id);
  *p.mutable_entered_into_force()->mutable_effective_date() = date;
  return p;
}
v1::EventPayload Suspended(const std::string& party_id, const v1::Date& date) {
  v1::EventPayload p;
  p.mutable_operation_suspended()->set_party_id(party_id);
  *p.mutable_operation_suspended()->mutable_effective_date() = date;
  return p;
}
v1::EventPayload Resumed(const std::string& party_id, const v1::Date& date) {
  v1::EventPayload p;
  p.mutable_operation_resumed()->set_party_id(party_id);
  *p.mutable_operation_resumed()->mutable_effective_date() = date;
  return p;
}
v1::EventPayload NonParticipationDeclared(const std::string& party_id,
                                          const v1::Date& date) {
  v1::EventPayload p;
  p.mutable_non_participation_declared()->set_party_id(party_id);
  *p.mutable_non_participation_declared()->mutable_date() = date;
  return p;
}
v1::EventPayload WithdrawalNotified(const std::string& party_id, const v1::Date& notified,
                                    const v1::Date& takes_effect) {
  v1::EventPayload p;
  p.mutable_withdrawal_notified()->set_party_id(party_id);
  *p.mutable_withdrawal_notified()->mutable_withdrawal()->mutable_notified_on() =
      notified;
  if (takes_effect.year() != 0) {
    *p.mutable_withdrawal_notified()->mutable_withdrawal()->mutable_takes_effect_on() =
        takes_effect;
  }
  return p;
}
v1::EventPayload WithdrawalRevoked(const std::string& party_id, const v1::Date& date) {
  v1::EventPayload p;
  p.mutable_withdrawal_revoked()->set_party_id(party_id);
  *p.mutable_withdrawal_revoked()->mutable_date() = date;
  return p;
}
v1::EventPayload WithdrawalTookEffect(const std::string& party_id, const v1::Date& date) {
  v1::EventPayload p;
  p.mutable_withdrawal_took_effect()->set_party_id(party_id);
  *p.mutable_withdrawal_took_effect()->mutable_effective_date() = date;
  return p;
}
v1::EventPayload Terminated(v1::TerminationGround ground, const v1::Date& date,
                            const std::string& replaced_by) {
  v1::EventPayload p;
  p.mutable_terminated()->set_ground(ground);
  *p.mutable_terminated()->mutable_effective_date() = date;
  p.mutable_terminated()->set_replaced_by_agreement_id(replaced_by);
  return p;
}
v1::EventPayload Abandoned(const v1::Date& date) {
  v1::EventPayload p;
  *p.mutable_abandoned()->mutable_date() = date;
  return p;
}
v1::EventPayload AmendmentAdopted(const v1::Date& date, const std::string& summary) {
  v1::EventPayload p;
  *p.mutable_amendment_adopted()->mutable_amendment()->mutable_adopted_on() = date;
  p.mutable_amendment_adopted()->mutable_amendment()->set_summary(summary);
  return p;
}
v1::EventPayload ContractAmended(const v1::Date& date, const std::string& summary) {
  v1::EventPayload p;
  *p.mutable_contract_amended()->mutable_amendment()->mutable_adopted_on() = date;
  p.mutable_contract_amended()->mutable_amendment()->set_summary(summary);
  return p;
}
v1::EventPayload ClassificationChanged(
    const std::vector<std::pair<v1::ClassificationScheme, std::string>>& codes) {
  v1::EventPayload p;
  for (const auto& [scheme, code] : codes) {
    v1::Classification* c = p.mutable_classification_changed()->add_classifications();
    c->set_scheme(scheme);
    c->set_code(code);
  }
  return p;
}
v1::EventPayload AmountRecorded(const std::string& id, const std::string& currency,
                                int64_t units) {
  v1::EventPayload p;
  v1::Amount* amount = p.mutable_amount_recorded()->mutable_amount();
  amount->set_id(id);
  amount->set_type(v1::AMOUNT_TYPE_CONTRACT_VALUE);
  amount->mutable_value()->set_currency_code(currency);
  amount->mutable_value()->set_units(units);
  return p;
}
v1::EventPayload AmountRevised(const std::string& id, const std::string& currency,
                               int64_t units) {
  v1::EventPayload p;
  p.mutable_amount_revised()->set_amount_id(id);
  p.mutable_amount_revised()->mutable_value()->set_currency_code(currency);
  p.mutable_amount_revised()->mutable_value()->set_units(units);
  return p;
}
v1::EventPayload DocumentAttached(const std::string& url, char hex_digit) {
  v1::EventPayload p;
  p.mutable_document_attached()->mutable_document()->set_url(url);
  p.mutable_document_attached()->mutable_document()->set_sha256(
      std::string(64, hex_digit));
  return p;
}
v1::EventPayload RelationLinked(v1::RelationType type, const std::string& target) {
  v1::EventPayload p;
  p.mutable_relation_linked()->mutable_relation()->set_type(type);
  p.mutable_relation_linked()->mutable_relation()->set_target_agreement_id(target);
  return p;
}
v1::EventPayload Reassessed(v1::LegalNature nature) {
  v1::EventPayload p;
  p.mutable_legal_nature_reassessed()->set_legal_nature(nature);
  return p;
}
v1::EventPayload CameIntoEffect(const v1::Date& date) {
  v1::EventPayload p;
  *p.mutable_came_into_effect()->mutable_effective_date() = date;
  return p;
}
v1::EventPayload Discontinued(const v1::Date& date) {
  v1::EventPayload p;
  *p.mutable_discontinued()->mutable_effective_date() = date;
  return p;
}
v1::EventPayload ContractSigned(const v1::Date& date) {
  v1::EventPayload p;
  *p.mutable_contract_signed()->mutable_date() = date;
  return p;
}
v1::EventPayload ContractActivated(const v1::Date& date) {
  v1::EventPayload p;
  *p.mutable_contract_activated()->mutable_effective_date() = date;
  return p;
}
v1::EventPayload ContractCompleted(const v1::Date& date) {
  v1::EventPayload p;
  *p.mutable_contract_completed()->mutable_date() = date;
  return p;
}
v1::EventPayload ContractTerminated(const v1::Date& date) {
  v1::EventPayload p;
  *p.mutable_contract_terminated()->mutable_effective_date() = date;
  return p;
}
v1::EventPayload ContractCancelled(const v1::Date& date) {
  v1::EventPayload p;
  *p.mutable_contract_cancelled()->mutable_date() = date;
  return p;
}
v1::EventPayload Corrected(uint64_t position, const std::vector<std::string>& paths,
                           const v1::Agreement& values) {
  v1::EventPayload p;
  p.mutable_record_corrected()->set_corrected_position(position);
  for (const std::string& path : paths) {
    p.mutable_record_corrected()->mutable_field_mask()->add_paths(path);
  }
  *p.mutable_record_corrected()->mutable_agreement() = values;
  return p;
}
v1::EventPayload PartyCorrected(uint64_t position, const std::vector<std::string>& paths,
                                const v1::Party& values) {
  v1::EventPayload p;
  p.mutable_record_corrected()->set_corrected_position(position);
  for (const std::string& path : paths) {
    p.mutable_record_corrected()->mutable_field_mask()->add_paths(path);
  }
  *p.mutable_record_corrected()->mutable_party() = values;
  return p;
}

DecideContext TestRegistry::ContextFor(const v1::Command& command) const {
  DecideContext context;
  References refs = ReferencesOf(command);
  for (const std::string& id : refs.party_ids) {
    auto it = parties_.find(id);
    if (it != parties_.end()) context.parties.emplace(id, it->second);
  }
  for (const std::string& id : refs.agreement_ids) {
    auto it = agreements_.find(id);
    if (it != agreements_.end()) context.agreements.emplace(id, it->second);
  }
  if (refs.corrected_position >= 1 && refs.corrected_position <= log_.size()) {
    context.corrected_event = log_[refs.corrected_position - 1].envelope();
  }
  return context;
}

absl::StatusOr<std::vector<v1::EventPayload>> TestRegistry::Decide(
    const v1::Command& command) const {
  DecideContext context = ContextFor(command);
  if (command.stream_type() == v1::STREAM_TYPE_PARTY) {
    auto it = parties_.find(command.stream_id());
    return DecideParty(it == parties_.end() ? nullptr : &it->second, command, context);
  }
  auto it = agreements_.find(command.stream_id());
  return DecideAgreement(it == agreements_.end() ? nullptr : &it->second, command,
                         context);
}

absl::StatusOr<std::vector<v1::Event>> TestRegistry::Run(const v1::Command& command) {
  absl::StatusOr<std::vector<v1::EventPayload>> payloads = Decide(command);
  if (!payloads.ok()) return payloads.status();
  const bool party = command.stream_type() == v1::STREAM_TYPE_PARTY;
  std::vector<v1::Event> events;
  for (const v1::EventPayload& payload : *payloads) {
    v1::Event event;
    v1::EventEnvelope* envelope = event.mutable_envelope();
    envelope->set_position(log_.size() + 1);
    envelope->set_stream_type(command.stream_type());
    envelope->set_stream_id(command.stream_id());
    envelope->set_event_type(EventTypeName(payload));
    envelope->set_rules_version(rules_version_);
    envelope->mutable_recorded_at()->set_seconds(1700000000 +
                                                 static_cast<int64_t>(log_.size()));
    *event.mutable_payload() = payload;
    if (party) {
      v1::Party& state = parties_[command.stream_id()];
      envelope->set_revision(state.revision() + 1);
      EvolveParty(state, event);
    } else {
      v1::Agreement& state = agreements_[command.stream_id()];
      envelope->set_revision(state.revision() + 1);
      EvolveAgreement(state, event);
    }
    log_.push_back(event);
    events.push_back(event);
  }
  return events;
}

void TestRegistry::MustRun(const v1::Command& command) {
  absl::StatusOr<std::vector<v1::Event>> result = Run(command);
  ASSERT_TRUE(result.ok()) << result.status()
                           << "\ncommand: " << command.ShortDebugString();
}

void TestRegistry::MustRunAll(const std::string& agreement_id,
                              const std::vector<v1::EventPayload>& changes) {
  for (const v1::EventPayload& change : changes) {
    MustRun(AgreementCommand(agreement_id, change));
  }
}

void TestRegistry::RegisterDefaultParties() {
  if (parties_.count("kz") != 0) return;
  MustRun(PartyCommand("kz", RegisterPayload(v1::PARTY_TYPE_STATE, "KZ", "Kazakhstan")));
  MustRun(PartyCommand("kr", RegisterPayload(v1::PARTY_TYPE_STATE, "KR", "Korea")));
  MustRun(PartyCommand("jp", RegisterPayload(v1::PARTY_TYPE_STATE, "JP", "Japan")));
  MustRun(PartyCommand("kepco", RegisterPayload(v1::PARTY_TYPE_COMPANY, "KR", "KEPCO")));
}

void TestRegistry::Reach(const std::string& id, v1::LegalNature nature, v1::Arity arity,
                         v1::AgreementStatus target) {
  RegisterDefaultParties();
  const v1::AgreementStatus initial =
      target == v1::AGREEMENT_STATUS_NEGOTIATING ||
              target == v1::AGREEMENT_STATUS_ADOPTED ||
              target == v1::AGREEMENT_STATUS_OPEN_FOR_SIGNATURE
          ? v1::AGREEMENT_STATUS_NEGOTIATING
          : v1::AGREEMENT_STATUS_DRAFT;
  v1::EventPayload record = RecordPayload(nature, arity, {"kz", "kr", "jp"}, initial);
  if (arity == v1::ARITY_BILATERAL) {
    v1::Participation* jp =
        record.mutable_agreement_recorded()->mutable_agreement()->mutable_participations(
            2);
    jp->set_roles(0, v1::PARTICIPANT_ROLE_WITNESS);
  }
  MustRun(AgreementCommand(id, record));
  MustRunAll(id, PathTo(nature, target));
  ASSERT_EQ(agreement(id).status(), target)
      << "no canonical path to " << v1::AgreementStatus_Name(target);
}

const v1::Agreement& TestRegistry::agreement(const std::string& id) const {
  static const v1::Agreement* const kEmpty = new v1::Agreement();
  auto it = agreements_.find(id);
  return it == agreements_.end() ? *kEmpty : it->second;
}

const v1::Party& TestRegistry::party(const std::string& id) const {
  static const v1::Party* const kEmpty = new v1::Party();
  auto it = parties_.find(id);
  return it == parties_.end() ? *kEmpty : it->second;
}

const v1::Participation& TestRegistry::participation(const std::string& agreement_id,
                                                     const std::string& party_id) const {
  static const v1::Participation* const kEmpty = new v1::Participation();
  for (const v1::Participation& p : agreement(agreement_id).participations()) {
    if (p.party_id() == party_id) return p;
  }
  return *kEmpty;
}

}  // namespace agreements::domain::testing
