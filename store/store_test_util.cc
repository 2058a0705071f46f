#include "store/store_test_util.h"

#include "absl/time/clock.h"

namespace agreements::store::testing {

namespace v1 = ::agreements::v1;

v1::Command RegisterStateCommand(const std::string& id, const std::string& country) {
  v1::Command command;
  command.set_stream_type(v1::STREAM_TYPE_PARTY);
  command.set_stream_id(id);
  v1::Party* party =
      command.mutable_change()->mutable_party_registered()->mutable_party();
  party->set_id(id);
  party->set_type(v1::PARTY_TYPE_STATE);
  party->set_country_code(country);
  v1::LocalizedText* name = party->add_names();
  name->set_language("en");
  name->set_text("State " + country);
  return command;
}

v1::Command RecordAgreementCommand(const std::string& id,
                                   const std::vector<std::string>& parties,
                                   const std::vector<std::string>& sectors) {
  v1::Command command;
  command.set_stream_type(v1::STREAM_TYPE_AGREEMENT);
  command.set_stream_id(id);
  v1::Agreement* agreement =
      command.mutable_change()->mutable_agreement_recorded()->mutable_agreement();
  agreement->set_id(id);
  agreement->set_designation("Agreement");
  agreement->set_instrument_kind(v1::INSTRUMENT_KIND_AGREEMENT);
  agreement->set_legal_nature(v1::LEGAL_NATURE_BINDING_INTERNATIONAL);
  agreement->set_arity(parties.size() > 2 ? v1::ARITY_MULTILATERAL : v1::ARITY_BILATERAL);
  v1::LocalizedText* title = agreement->add_titles();
  title->set_language("en");
  title->set_text("Agreement " + id);
  for (const auto& party : parties) {
    v1::Participation* participation = agreement->add_participations();
    participation->set_party_id(party);
    participation->add_roles(v1::PARTICIPANT_ROLE_PARTY);
  }
  for (const auto& sector : sectors) {
    v1::Classification* c = agreement->add_classifications();
    c->set_scheme(v1::CLASSIFICATION_SCHEME_REGISTRY_SECTOR);
    c->set_code(sector);
  }
  v1::Amount* amount = agreement->add_amounts();
  amount->set_id("estimated-value");
  amount->set_type(v1::AMOUNT_TYPE_ESTIMATED_VALUE);
  amount->mutable_value()->set_currency_code("USD");
  amount->mutable_value()->set_units(1000);
  amount->mutable_value()->set_nanos(500000000);
  return command;
}

v1::Command SignCommand(const std::string& agreement_id, const std::string& party_id) {
  v1::Command command;
  command.set_stream_type(v1::STREAM_TYPE_AGREEMENT);
  command.set_stream_id(agreement_id);
  auto* signed_ = command.mutable_change()->mutable_participant_signed();
  signed_->set_party_id(party_id);
  v1::Signature* signature = signed_->mutable_signature();
  signature->set_kind(v1::SIGNATURE_KIND_SIMPLE);
  signature->mutable_date()->set_year(2009);
  signature->mutable_date()->set_month(5);
  signature->mutable_date()->set_day(13);
  signature->mutable_date()->set_precision(v1::DATE_PRECISION_DAY);
  return command;
}

CommitRequest Request(const std::string& request_id, std::vector<v1::Command> commands) {
  CommitRequest request;
  request.request_id = request_id;
  request.commands = std::move(commands);
  request.actor = "test";
  return request;
}

bool WaitForViews(const Committer& committer) {
  return committer.projection()->WaitApplied(committer.committed_position(),
                                             absl::Now() + absl::Seconds(10));
}

}  // namespace agreements::store::testing
