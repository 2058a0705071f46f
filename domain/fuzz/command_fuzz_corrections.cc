// The builders of mode B that restate recorded values: record_corrected (agreement and
// party streams), party_registered and party_updated. A masked field gets a value
// derived from the current state and the bytes, valid or not.
#include <algorithm>
#include <string>
#include <vector>

#include "domain/fuzz/command_fuzz_decoder.h"
#include "domain/validation.h"
#include "domain/validation_internal.h"

namespace agreements::domain::fuzz {
namespace {

const char* Country(uint8_t b) {
  static constexpr const char* kCountries[] = {"KZ", "KR", "", "SU", "XK", "zz"};
  return kCountries[b % 6];
}

// Bits of `mask` (read little-endian from `bytes` bytes) select entries of `paths`.
std::vector<std::string> ReadMask(Decoder& d, const std::vector<std::string>& paths,
                                  int bytes) {
  uint32_t mask = 0;
  for (int i = 0; i < bytes; ++i) {
    const uint32_t b = d.Byte();
    mask |= b << (8 * i);
  }
  std::vector<std::string> chosen;
  for (size_t i = 0; i < paths.size() && i < 32; ++i) {
    if (mask >> i & 1) chosen.push_back(paths[i]);
  }
  return chosen;
}

void SetTitles(uint8_t b, google::protobuf::RepeatedPtrField<v1::LocalizedText>* list) {
  list->Clear();
  if (b % 3 == 1) return;
  SetText(list->Add(), "en", "Corrected title");
  if (b % 3 == 2) SetText(list->Add(), "ru", "\xD0\xA1\xD0\xBE\xD0\xB3\xD0\xBB");
}

void SetDocuments(uint8_t b, const v1::Agreement& current, v1::Agreement& values) {
  *values.mutable_documents() = current.documents();
  switch (b % 4) {
    case 1:
      values.clear_documents();
      break;
    case 2: {
      v1::DocumentReference* doc = values.add_documents();
      doc->set_url("https://example.org/annex.pdf");
      doc->set_sha256(std::string(64, 'e'));
      break;
    }
    case 3:
      values.mutable_documents()->MergeFrom(current.documents());
      break;
    default:
      break;
  }
}

void SetIdentifiers(uint8_t b, google::protobuf::RepeatedPtrField<v1::Identifier>* list) {
  list->Clear();
  if (b % 3 == 1) return;
  v1::Identifier* unts = list->Add();
  unts->set_scheme("UNTS");
  unts->set_value("I-54113");
  if (b % 3 == 2) {
    v1::Identifier* national = list->Add();
    national->set_scheme("GB-TS");
    national->set_value("12");
  }
}

// The current participations with one change: a role toggled, a signature dated, a
// consent dropped, the legacy depositary role, one participant fewer, a status moved
// (refused), a reservation's text.
void CorrectParticipations(Decoder& d, const v1::Agreement& current,
                           v1::Agreement& values) {
  auto& list = *values.mutable_participations();
  list = current.participations();
  const uint8_t op = d.Byte();
  const uint8_t who = d.Byte();
  if (list.empty()) return;
  v1::Participation& p = list[who % list.size()];
  switch (op % 8) {
    case 1: {
      auto& roles = *p.mutable_roles();
      auto party = std::find(roles.begin(), roles.end(), v1::PARTICIPANT_ROLE_PARTY);
      if (party != roles.end()) {
        *party = v1::PARTICIPANT_ROLE_WITNESS;
      } else {
        p.add_roles(v1::PARTICIPANT_ROLE_PARTY);
      }
      break;
    }
    case 2:
      if (p.signature().kind() == v1::SIGNATURE_KIND_UNSPECIFIED) {
        p.mutable_signature()->set_kind(v1::SIGNATURE_KIND_SIMPLE);
      }
      *p.mutable_signature()->mutable_date() = d.Date();
      break;
    case 3:
      p.clear_consent();
      break;
    case 4:
      p.add_roles(v1::PARTICIPANT_ROLE_DEPOSITARY);
      break;
    case 5:
      list.RemoveLast();
      break;
    case 6:
      p.set_status(v1::PARTICIPATION_STATUS_PARTY);
      break;
    case 7:
      if (p.reservations_size() > 0) p.mutable_reservations(0)->set_text("corrected");
      break;
    default:
      break;
  }
}

bool IsDatePath(const std::string& path) {
  const std::vector<std::string>& dates = internal::CorrectableDatePaths();
  return std::find(dates.begin(), dates.end(), path) != dates.end();
}

// The clauses and the term: bit 0 of the byte sets the clause (else it is cleared).
void SetClauseValue(Decoder& d, const std::string& path, v1::Agreement& values) {
  const uint8_t b = d.Byte();
  if (path == "withdrawal_clause") {
    if (b & 1) *values.mutable_withdrawal_clause() = ReadNoticeRule(d);
  } else if (path == "withdrawal_excluded") {
    values.set_withdrawal_excluded(b & 1);
  } else if (path == "provisional_application_clause") {
    v1::ProvisionalApplicationClause& clause =
        *values.mutable_provisional_application_clause();
    clause.set_open_to_non_signatories(b & 1);
    if (b & 2) *clause.mutable_termination_notice() = ReadNoticeRule(d);
  } else if (path == "term" && b != 0) {
    *values.mutable_term() = ReadTerm(d, b);
  }
}

void SetAgreementValue(Decoder& d, const std::string& path, const v1::Agreement& current,
                       v1::Agreement& values) {
  if (IsDatePath(path)) {
    const google::protobuf::FieldDescriptor* field =
        v1::Agreement::descriptor()->FindFieldByName(path);
    values.GetReflection()->MutableMessage(&values, field)->CopyFrom(d.Date());
  } else if (path == "designation") {
    values.set_designation(d.Text());
  } else if (path == "titles") {
    SetTitles(d.Byte(), values.mutable_titles());
  } else if (path == "place_of_conclusion") {
    values.set_place_of_conclusion(d.Text());
  } else if (path == "summary") {
    values.set_summary(d.Text());
  } else if (path == "arity") {
    values.set_arity(static_cast<v1::Arity>(d.Byte() % 3));
  } else if (path == "instrument_kind") {
    values.set_instrument_kind(static_cast<v1::InstrumentKind>(d.Byte() % 11));
  } else if (path == "classifications") {
    SetClassifications(d.Byte(), values.mutable_classifications());
  } else if (path == "documents") {
    SetDocuments(d.Byte(), current, values);
  } else if (path == "participations") {
    CorrectParticipations(d, current, values);
  } else if (path == "termination_ground") {
    values.set_termination_ground(static_cast<v1::TerminationGround>(d.Byte() % 7));
  } else if (path == "identifiers") {
    SetIdentifiers(d.Byte(), values.mutable_identifiers());
  } else {
    SetClauseValue(d, path, values);
  }
}

void SetPartyValue(Decoder& d, const std::string& path, v1::Party& values) {
  if (path == "names") {
    const uint8_t b = d.Byte();
    if (b % 3 != 1) SetText(values.add_names(), "en", "Renamed");
    if (b % 3 == 2) SetText(values.add_names(), "kk", "\xD0\x90\xD1\x82\xD1\x8B");
  } else if (path == "country_code") {
    values.set_country_code(Country(d.Byte()));
  } else if (path == "identifiers") {
    const uint8_t b = d.Byte();
    if (b % 3 == 1) return;
    v1::Identifier* lei = values.add_identifiers();
    lei->set_scheme("XI-LEI");
    lei->set_value(b % 3 == 0 ? "5493001KJTIIGC8Y1R12" : "ABC");
  } else if (path == "type") {
    values.set_type(static_cast<v1::PartyType>(d.Byte() % 9));
  } else if (path == "controlled_by") {
    values.set_controlled_by(d.OptionalParty());
  } else if (path == "former_country_code") {
    static constexpr const char* kCodes[] = {"", "SUHH", "XXXX"};
    values.set_former_country_code(kCodes[d.Byte() % 3]);
  } else if (path == "existed_from") {
    *values.mutable_existed_from() = d.Date();
  } else if (path == "existed_until") {
    *values.mutable_existed_until() = d.Date();
  } else if (path == "predecessors") {
    const uint8_t b = d.Byte();
    if (b & 0x80) return;
    v1::PartySuccession* s = values.add_predecessors();
    s->set_party_id(kParties[b % 8]);
    s->set_kind(v1::SUCCESSION_KIND_SEPARATION);
  }
}

// Reads a party and makes it the command's stream.
std::string ReadPartyStream(Decoder& d, v1::Command& c) {
  const std::string id = d.Party();
  c.set_stream_type(v1::STREAM_TYPE_PARTY);
  c.set_stream_id(id);
  return id;
}

void BuildPartyCorrection(Decoder& d, v1::Command& c) {
  const std::string id = ReadPartyStream(d, c);
  v1::RecordCorrected& rc = *c.mutable_change()->mutable_record_corrected();
  rc.set_corrected_position(ReadPosition(d, v1::STREAM_TYPE_PARTY, id));
  for (const std::string& path : ReadMask(d, CorrectablePartyPaths(), 2)) {
    rc.mutable_field_mask()->add_paths(path);
    SetPartyValue(d, path, *rc.mutable_party());
  }
}

}  // namespace

void BuildCorrection(Decoder& d, v1::Command& c) {
  if (d.flags & 0x10) {
    BuildPartyCorrection(d, c);
    return;
  }
  v1::RecordCorrected& rc = *c.mutable_change()->mutable_record_corrected();
  rc.set_corrected_position(ReadPosition(d, v1::STREAM_TYPE_AGREEMENT, d.stream));
  const v1::Agreement* state = d.registry.agreement(d.stream);
  const v1::Agreement current = state == nullptr ? v1::Agreement() : *state;
  for (const std::string& path : ReadMask(d, CorrectableAgreementPaths(), 3)) {
    rc.mutable_field_mask()->add_paths(path);
    SetAgreementValue(d, path, current, *rc.mutable_agreement());
  }
}

void BuildPartyRegistered(Decoder& d, v1::Command& c) {
  const std::string id = ReadPartyStream(d, c);
  v1::Party& p = *c.mutable_change()->mutable_party_registered()->mutable_party();
  p.set_type(static_cast<v1::PartyType>(d.Byte() % 9));
  p.set_country_code(Country(d.Byte()));
  SetText(p.add_names(), "en", "Party " + id);
  const uint8_t extras = d.Byte();
  if (extras & 1) p.set_controlled_by(d.OptionalParty());
  if (extras & 2) {
    p.clear_country_code();
    p.set_former_country_code("CSHH");
    *p.mutable_existed_until() = d.Date();
  }
  if (extras & 4) *p.mutable_existed_from() = d.Date();
  if (extras & 8) {
    v1::PartySuccession* s = p.add_predecessors();
    s->set_party_id(d.Party());
    s->set_kind(v1::SUCCESSION_KIND_DISSOLUTION);
  }
  if (extras & 16) {
    v1::Identifier* lei = p.add_identifiers();
    lei->set_scheme("XI-LEI");
    lei->set_value("5493001KJTIIGC8Y1R12");
  }
}

void BuildPartyUpdated(Decoder& d, v1::Command& c) {
  ReadPartyStream(d, c);
  v1::PartyUpdated& u = *c.mutable_change()->mutable_party_updated();
  for (const std::string& path : ReadMask(d, CorrectablePartyPaths(), 2)) {
    u.mutable_update_mask()->add_paths(path);
    SetPartyValue(d, path, *u.mutable_party());
  }
}

}  // namespace agreements::domain::fuzz
