#include "domain/fuzz/command_fuzz_world.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "domain/fuzz/command_fuzz_checks.h"
#include "domain/fuzz/command_fuzz_decoder.h"

namespace agreements::domain::fuzz {
namespace {

v1::Command Registration(const std::string& id, v1::PartyType type,
                         const std::string& country, const std::string& name) {
  v1::Command command;
  command.set_stream_type(v1::STREAM_TYPE_PARTY);
  command.set_stream_id(id);
  v1::Party& party =
      *command.mutable_change()->mutable_party_registered()->mutable_party();
  party.set_type(type);
  party.set_country_code(country);
  SetText(party.add_names(), "en", name);
  return command;
}

}  // namespace

void SetUpWorld(Registry& registry) {
  std::vector<v1::Command> commands = {
      Registration("kz", v1::PARTY_TYPE_STATE, "KZ", "Republic of Kazakhstan"),
      Registration("kr", v1::PARTY_TYPE_STATE, "KR", "Republic of Korea"),
      Registration("jp", v1::PARTY_TYPE_STATE, "JP", "Japan"),
      Registration("kepco", v1::PARTY_TYPE_STATE_OWNED_ENTERPRISE, "KR", "KEPCO"),
      Registration("suhh", v1::PARTY_TYPE_STATE, "", "USSR"),
      Registration("ru", v1::PARTY_TYPE_STATE, "RU", "Russian Federation"),
      Registration("un", v1::PARTY_TYPE_INTERNATIONAL_ORGANIZATION, "", "United Nations"),
  };
  commands[3]
      .mutable_change()
      ->mutable_party_registered()
      ->mutable_party()
      ->set_controlled_by("kr");
  v1::Party& ussr =
      *commands[4].mutable_change()->mutable_party_registered()->mutable_party();
  ussr.set_former_country_code("SUHH");
  *ussr.mutable_existed_from() = MakeDate(1922, 12, 30, v1::DATE_PRECISION_DAY);
  *ussr.mutable_existed_until() = MakeDate(1991, 12, 25, v1::DATE_PRECISION_DAY);
  v1::Party& russia =
      *commands[5].mutable_change()->mutable_party_registered()->mutable_party();
  v1::PartySuccession& predecessor = *russia.add_predecessors();
  predecessor.set_party_id("suhh");
  *predecessor.mutable_date() = MakeDate(1991, 12, 26, v1::DATE_PRECISION_DAY);
  predecessor.set_kind(v1::SUCCESSION_KIND_CONTINUATION);
  for (const v1::Command& command : commands) {
    absl::Status status = registry.Run(command);
    FUZZ_CHECK(status.ok(), "the world is not set up: ", status.ToString());
  }
}

const Registry& ProgramStart() {
  static const Registry* const start = [] {
    auto* registry = new Registry();
    SetUpWorld(*registry);
    return registry;
  }();
  return *start;
}

const Registry& World() {
  static const Registry* const world = [] {
    auto* registry = new Registry(ProgramStart());
    std::vector<v1::Command> commands = {
        Registration("samruk-energy", v1::PARTY_TYPE_STATE_OWNED_ENTERPRISE, "KZ",
                     "Samruk-Energy"),
        Registration("samsung", v1::PARTY_TYPE_COMPANY, "KR", "Samsung"),
        Registration("kz-forum-business", v1::PARTY_TYPE_OTHER, "KZ", "Business (KZ)"),
        Registration("kr-forum-business", v1::PARTY_TYPE_OTHER, "KR", "Business (KR)"),
    };
    for (const char* id : {"a2", "a3"}) {
      v1::Command& record = commands.emplace_back();
      record.set_stream_type(v1::STREAM_TYPE_AGREEMENT);
      record.set_stream_id(id);
      v1::Agreement& a =
          *record.mutable_change()->mutable_agreement_recorded()->mutable_agreement();
      a.set_instrument_kind(v1::INSTRUMENT_KIND_TREATY);
      a.set_legal_nature(v1::LEGAL_NATURE_BINDING_INTERNATIONAL);
      a.set_arity(v1::ARITY_MULTILATERAL);
      SetText(a.add_titles(), "en", "Framework treaty");
      for (const char* party : {"kz", "kr"}) {
        v1::Participation* p = a.add_participations();
        p->set_party_id(party);
        p->add_roles(v1::PARTICIPANT_ROLE_PARTY);
      }
    }
    for (const v1::Command& command : commands) {
      absl::Status status = registry->Run(command);
      FUZZ_CHECK(status.ok(), "the world is not set up: ", status.ToString());
    }
    return registry;
  }();
  return *world;
}

}  // namespace agreements::domain::fuzz
