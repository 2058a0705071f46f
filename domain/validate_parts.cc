// Validators of the composite parts of agreements and parties: titles, classifications,
// documents, amounts, relations, amendments, participations, parties, corrections.
#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "domain/iso_codes.h"
#include "domain/limits.h"
#include "domain/sectors.h"
#include "domain/sectors_internal.h"
#include "domain/validation.h"
#include "domain/validation_internal.h"

namespace agreements::domain::internal {
namespace {

constexpr char kOutputOnly[] = "is output only: must be empty (events set it)";

absl::Status CheckCount(absl::string_view path, int count, int max) {
  if (count > max) {
    return Invalid(path,
                   absl::StrFormat("must have at most %d entries (got %d)", max, count));
  }
  return absl::OkStatus();
}

absl::Status Duplicate(absl::string_view path, absl::string_view what,
                       absl::string_view name, int other) {
  return Invalid(path, absl::StrFormat("duplicate %s (also %s[%d])", what, name, other));
}

bool IsTokenChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::string_view("!#$%&'*+-.^_`|~").find(c) != absl::string_view::npos;
}

// "type/subtype" with RFC 9110 token characters; parameters after ';' are not checked.
bool IsMediaType(absl::string_view media_type) {
  absl::string_view essence = media_type.substr(0, media_type.find(';'));
  essence = absl::StripTrailingAsciiWhitespace(essence);
  size_t slash = essence.find('/');
  if (slash == absl::string_view::npos || slash == 0 || slash + 1 == essence.size()) {
    return false;
  }
  return std::all_of(essence.begin(), essence.begin() + slash, IsTokenChar) &&
         std::all_of(essence.begin() + slash + 1, essence.end(), IsTokenChar);
}

bool IsIdentifierScheme(absl::string_view scheme) {
  return std::all_of(scheme.begin(), scheme.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
           c == '.';
  });
}

absl::Status CheckClassification(absl::string_view path, const v1::Classification& c) {
  RETURN_IF_ERROR(CheckEnum(Field(path, "scheme"), c.scheme(),
                            v1::ClassificationScheme_descriptor(), Presence::kRequired));
  const std::string code_path = Field(path, "code");
  if (c.code().empty()) return Invalid(code_path, "must be set");
  switch (c.scheme()) {
    case v1::CLASSIFICATION_SCHEME_REGISTRY_SECTOR:
      if (!IsRegistrySector(c.code())) {
        return Invalid(code_path, absl::StrCat("must be a registry sector (",
                                               absl::StrJoin(RegistrySectors(), ", "),
                                               ") (got ", Quote(c.code()), ")"));
      }
      break;
    case v1::CLASSIFICATION_SCHEME_OECD_DAC:
      if (!IsDacCode(c.code())) {
        return Invalid(code_path,
                       absl::StrCat("must be a 5-digit OECD DAC purpose code (got ",
                                    Quote(c.code()), ")"));
      }
      break;
    default: {
      IsicCode isic;
      if (!ParseIsicCode(c.code(), &isic)) {
        return Invalid(code_path,
                       absl::StrCat("must be an ISIC Rev. 4 code: a section letter A-U "
                                    "and/or 2-4 digits starting with a division of that "
                                    "section (got ",
                                    Quote(c.code()), ")"));
      }
      break;
    }
  }
  return absl::OkStatus();
}

absl::Status CheckController(absl::string_view path, absl::string_view controlled_by,
                             absl::string_view party_id) {
  RETURN_IF_ERROR(CheckId(path, controlled_by, Presence::kOptional));
  if (!controlled_by.empty() && controlled_by == party_id) {
    return Invalid(path, "must not be the party itself");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckIdentifier(absl::string_view path, const v1::Identifier& identifier) {
  const std::string scheme_path = Field(path, "scheme");
  RETURN_IF_ERROR(CheckText(scheme_path, identifier.scheme(), kMaxIdentifierSchemeChars,
                            Presence::kRequired));
  if (!IsIdentifierScheme(identifier.scheme())) {
    return Invalid(scheme_path,
                   "must be an org-id.guide style list code: letters, digits, "
                   "'-', '_' and '.'");
  }
  const std::string value_path = Field(path, "value");
  RETURN_IF_ERROR(CheckText(value_path, identifier.value(), kMaxIdentifierValueChars,
                            Presence::kRequired));
  if (std::any_of(identifier.value().begin(), identifier.value().end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
      })) {
    return Invalid(value_path, "must not contain control characters");
  }
  if (identifier.scheme() == "XI-LEI" && !IsLei(identifier.value())) {
    return Invalid(value_path,
                   "must be an ISO 17442 LEI: 20 characters [0-9A-Z] with valid "
                   "MOD 97-10 check digits");
  }
  return absl::OkStatus();
}

absl::Status CheckIdentifiers(
    absl::string_view base,
    const google::protobuf::RepeatedPtrField<v1::Identifier>& list) {
  RETURN_IF_ERROR(CheckCount(Field(base, "identifiers"), list.size(), kMaxIdentifiers));
  for (int i = 0; i < list.size(); ++i) {
    const std::string path = Element(base, "identifiers", i);
    RETURN_IF_ERROR(CheckIdentifier(path, list[i]));
    for (int j = 0; j < i; ++j) {
      if (list[j].scheme() == list[i].scheme() && list[j].value() == list[i].value()) {
        return Duplicate(path, "identifier", "identifiers", j);
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckLocalizedTexts(
    absl::string_view base, absl::string_view name,
    const google::protobuf::RepeatedPtrField<v1::LocalizedText>& texts, int max_count) {
  if (texts.empty()) return Invalid(Field(base, name), "must have at least one entry");
  RETURN_IF_ERROR(CheckCount(Field(base, name), texts.size(), max_count));
  for (int i = 0; i < texts.size(); ++i) {
    const std::string path = Element(base, name, i);
    RETURN_IF_ERROR(
        CheckLanguage(Field(path, "language"), texts[i].language(), Presence::kRequired));
    RETURN_IF_ERROR(CheckText(Field(path, "text"), texts[i].text(), kMaxTitleChars,
                              Presence::kRequired));
    for (int j = 0; j < i; ++j) {
      if (absl::EqualsIgnoreCase(texts[j].language(), texts[i].language())) {
        return Duplicate(Field(path, "language"), "language", name, j);
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckClassifications(
    absl::string_view base, absl::string_view name,
    const google::protobuf::RepeatedPtrField<v1::Classification>& list) {
  RETURN_IF_ERROR(CheckCount(Field(base, name), list.size(), kMaxClassifications));
  for (int i = 0; i < list.size(); ++i) {
    const std::string path = Element(base, name, i);
    RETURN_IF_ERROR(CheckClassification(path, list[i]));
    for (int j = 0; j < i; ++j) {
      if (list[j].scheme() == list[i].scheme() && list[j].code() == list[i].code()) {
        return Duplicate(path, "classification", name, j);
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckDocument(absl::string_view path,
                           const v1::DocumentReference& document) {
  RETURN_IF_ERROR(CheckText(Field(path, "title"), document.title(),
                            kMaxDocumentTitleChars, Presence::kOptional));
  RETURN_IF_ERROR(
      CheckLanguage(Field(path, "language"), document.language(), Presence::kOptional));
  if (!document.media_type().empty() &&
      (document.media_type().size() > kMaxMediaTypeChars ||
       !IsMediaType(document.media_type()))) {
    return Invalid(Field(path, "media_type"), "must be a media type \"type/subtype\"");
  }
  const std::string url_path = Field(path, "url");
  if (document.url().empty()) return Invalid(url_path, "must be set");
  if (document.url().size() > kMaxUrlChars || !IsUrl(document.url())) {
    return Invalid(url_path,
                   absl::StrFormat("must be an absolute URL with a scheme, at most "
                                   "%d characters, without whitespace",
                                   kMaxUrlChars));
  }
  const std::string sha_path = Field(path, "sha256");
  if (document.sha256().empty()) return Invalid(sha_path, "must be set");
  if (!IsSha256Hex(document.sha256())) {
    return Invalid(sha_path, absl::StrFormat("must be 64 lowercase hex digits (got %d "
                                             "characters)",
                                             document.sha256().size()));
  }
  return absl::OkStatus();
}

absl::Status CheckDocuments(
    absl::string_view base, absl::string_view name,
    const google::protobuf::RepeatedPtrField<v1::DocumentReference>& list) {
  RETURN_IF_ERROR(CheckCount(Field(base, name), list.size(), kMaxDocuments));
  for (int i = 0; i < list.size(); ++i) {
    const std::string path = Element(base, name, i);
    RETURN_IF_ERROR(CheckDocument(path, list[i]));
    for (int j = 0; j < i; ++j) {
      if (list[j].sha256() == list[i].sha256() && list[j].url() == list[i].url()) {
        return Duplicate(path, "document (same url and sha256)", name, j);
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckAmount(absl::string_view path, const v1::Amount& amount) {
  RETURN_IF_ERROR(CheckId(Field(path, "id"), amount.id(), Presence::kRequired));
  RETURN_IF_ERROR(CheckEnum(Field(path, "type"), amount.type(),
                            v1::AmountType_descriptor(), Presence::kRequired));
  RETURN_IF_ERROR(CheckMoney(Field(path, "value"), amount.value(), Presence::kRequired));
  RETURN_IF_ERROR(CheckText(Field(path, "description"), amount.description(),
                            kMaxReasonChars, Presence::kOptional));
  return CheckDate(Field(path, "as_of"), amount.as_of(), Presence::kOptional);
}

absl::Status CheckRelation(absl::string_view path, const v1::Relation& relation) {
  RETURN_IF_ERROR(CheckEnum(Field(path, "type"), relation.type(),
                            v1::RelationType_descriptor(), Presence::kRequired));
  RETURN_IF_ERROR(CheckId(Field(path, "target_agreement_id"),
                          relation.target_agreement_id(), Presence::kRequired));
  return CheckText(Field(path, "note"), relation.note(), kMaxReasonChars,
                   Presence::kOptional);
}

absl::Status CheckAmendment(absl::string_view path, const v1::Amendment& amendment) {
  RETURN_IF_ERROR(
      CheckDate(Field(path, "adopted_on"), amendment.adopted_on(), Presence::kRequired));
  RETURN_IF_ERROR(CheckDate(Field(path, "effective_date"), amendment.effective_date(),
                            Presence::kOptional));
  if (IsDateSet(amendment.effective_date()) &&
      CompareDates(amendment.effective_date(), amendment.adopted_on()) < 0) {
    return Invalid(Field(path, "effective_date"), "must not precede adopted_on");
  }
  RETURN_IF_ERROR(CheckText(Field(path, "summary"), amendment.summary(), kMaxSummaryChars,
                            Presence::kOptional));
  RETURN_IF_ERROR(CheckId(Field(path, "amending_agreement_id"),
                          amendment.amending_agreement_id(), Presence::kOptional));
  if (amendment.summary().empty() && amendment.amending_agreement_id().empty()) {
    return Invalid(Field(path, "summary"),
                   "must be set when amending_agreement_id is empty");
  }
  if (amendment.position() != 0) {
    return Invalid(Field(path, "position"), kOutputOnly);
  }
  return absl::OkStatus();
}

absl::Status CheckSignature(absl::string_view path, const v1::Signature& signature) {
  RETURN_IF_ERROR(CheckDate(Field(path, "date"), signature.date(), Presence::kRequired));
  RETURN_IF_ERROR(CheckEnum(Field(path, "kind"), signature.kind(),
                            v1::SignatureKind_descriptor(), Presence::kRequired));
  RETURN_IF_ERROR(CheckText(Field(path, "place"), signature.place(), kMaxPlaceChars,
                            Presence::kOptional));
  RETURN_IF_ERROR(CheckText(Field(path, "signatory_name"), signature.signatory_name(),
                            kMaxSignatoryChars, Presence::kOptional));
  return CheckText(Field(path, "signatory_title"), signature.signatory_title(),
                   kMaxSignatoryChars, Presence::kOptional);
}

absl::Status CheckConsent(absl::string_view path, const v1::Consent& consent) {
  RETURN_IF_ERROR(CheckEnum(Field(path, "means"), consent.means(),
                            v1::ConsentMeans_descriptor(), Presence::kRequired));
  RETURN_IF_ERROR(
      CheckDate(Field(path, "act_date"), consent.act_date(), Presence::kOptional));
  RETURN_IF_ERROR(CheckDate(Field(path, "deposit_date"), consent.deposit_date(),
                            Presence::kOptional));
  if (!IsDateSet(consent.act_date()) && !IsDateSet(consent.deposit_date())) {
    return Invalid(path, "act_date or deposit_date must be set");
  }
  return absl::OkStatus();
}

absl::Status CheckWithdrawal(absl::string_view path, const v1::Withdrawal& withdrawal) {
  RETURN_IF_ERROR(CheckDate(Field(path, "notified_on"), withdrawal.notified_on(),
                            Presence::kRequired));
  RETURN_IF_ERROR(CheckDate(Field(path, "takes_effect_on"), withdrawal.takes_effect_on(),
                            Presence::kOptional));
  if (IsDateSet(withdrawal.takes_effect_on()) &&
      CompareDates(withdrawal.takes_effect_on(), withdrawal.notified_on()) < 0) {
    return Invalid(Field(path, "takes_effect_on"), "must not precede notified_on");
  }
  return absl::OkStatus();
}

absl::Status CheckParticipation(absl::string_view path, const v1::Participation& p,
                                ParticipationForm form) {
  RETURN_IF_ERROR(CheckId(Field(path, "party_id"), p.party_id(), Presence::kRequired));
  for (int i = 0; i < p.roles_size(); ++i) {
    const std::string role_path = Element(path, "roles", i);
    RETURN_IF_ERROR(CheckEnum(role_path, p.roles(i), v1::ParticipantRole_descriptor(),
                              Presence::kRequired));
    for (int j = 0; j < i; ++j) {
      if (p.roles(j) == p.roles(i)) return Duplicate(role_path, "role", "roles", j);
    }
  }
  if (form == ParticipationForm::kNew) {
    for (int i = 0; i < p.roles_size(); ++i) {
      if (p.roles(i) == v1::PARTICIPANT_ROLE_DEPOSITARY) {
        return Invalid(Element(path, "roles", i),
                       "must not be PARTICIPANT_ROLE_DEPOSITARY: a depositary has "
                       "functions, not a status under the treaty (VCLT 76-77); record it "
                       "with depositary_designated");
      }
    }
    return CheckUnset(p, path,
                      {"status", "signature", "consent", "in_force_from", "withdrawal",
                       "left_on", "provisionally_applied_from", "previous_periods",
                       "provisional_application_ended_on",
                       "non_participation_declared_on", "succession", "reservations"},
                      kOutputOnly);
  }
  RETURN_IF_ERROR(CheckEnum(Field(path, "status"), p.status(),
                            v1::ParticipationStatus_descriptor(), Presence::kRequired));
  if (p.has_signature())
    RETURN_IF_ERROR(CheckSignature(Field(path, "signature"), p.signature()));
  if (p.has_consent()) RETURN_IF_ERROR(CheckConsent(Field(path, "consent"), p.consent()));
  if (p.has_withdrawal()) {
    RETURN_IF_ERROR(CheckWithdrawal(Field(path, "withdrawal"), p.withdrawal()));
  }
  RETURN_IF_ERROR(
      CheckDate(Field(path, "in_force_from"), p.in_force_from(), Presence::kOptional));
  RETURN_IF_ERROR(CheckDate(Field(path, "left_on"), p.left_on(), Presence::kOptional));
  return CheckDate(Field(path, "provisionally_applied_from"),
                   p.provisionally_applied_from(), Presence::kOptional);
}

absl::Status CheckParticipations(
    absl::string_view base, absl::string_view name,
    const google::protobuf::RepeatedPtrField<v1::Participation>& list,
    ParticipationForm form) {
  RETURN_IF_ERROR(CheckCount(Field(base, name), list.size(), kMaxParticipations));
  for (int i = 0; i < list.size(); ++i) {
    const std::string path = Element(base, name, i);
    RETURN_IF_ERROR(CheckParticipation(path, list[i], form));
    for (int j = 0; j < i; ++j) {
      if (list[j].party_id() == list[i].party_id()) {
        return Duplicate(Field(path, "party_id"), "party_id", name, j);
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckParty(absl::string_view path, const v1::Party& party,
                        absl::string_view party_id) {
  RETURN_IF_ERROR(CheckUnset(party, path,
                             {"revision", "last_position", "create_time", "update_time"},
                             kOutputOnly));
  RETURN_IF_ERROR(CheckEnum(Field(path, "type"), party.type(), v1::PartyType_descriptor(),
                            Presence::kRequired));
  RETURN_IF_ERROR(CheckLocalizedTexts(path, "names", party.names(), kMaxNames));
  RETURN_IF_ERROR(CheckFormerState(path, party));
  RETURN_IF_ERROR(CheckCountry(
      Field(path, "country_code"), party.country_code(),
      party.type() == v1::PARTY_TYPE_STATE && party.former_country_code().empty()
          ? Presence::kRequired
          : Presence::kOptional));
  RETURN_IF_ERROR(CheckIdentifiers(path, party.identifiers()));
  RETURN_IF_ERROR(CheckPredecessors(path, party.predecessors(), party_id));
  return CheckController(Field(path, "controlled_by"), party.controlled_by(), party_id);
}

absl::Status CheckPartyChange(absl::string_view path, const v1::Party& values,
                              const google::protobuf::FieldMask& mask,
                              absl::string_view party_id) {
  for (const std::string& name : mask.paths()) {
    const std::string field_path = Field(path, name);
    if (name == "names") {
      RETURN_IF_ERROR(CheckLocalizedTexts(path, name, values.names(), kMaxNames));
    } else if (name == "country_code") {
      RETURN_IF_ERROR(
          CheckCountry(field_path, values.country_code(), Presence::kOptional));
    } else if (name == "identifiers") {
      RETURN_IF_ERROR(CheckIdentifiers(path, values.identifiers()));
    } else if (name == "type") {
      RETURN_IF_ERROR(CheckEnum(field_path, values.type(), v1::PartyType_descriptor(),
                                Presence::kRequired));
    } else if (name == "controlled_by") {
      RETURN_IF_ERROR(CheckController(field_path, values.controlled_by(), party_id));
    } else if (name == "former_country_code" && !values.former_country_code().empty()) {
      RETURN_IF_ERROR(CheckFormerCountry(field_path, values.former_country_code()));
    } else if (name == "existed_from" || name == "existed_until") {
      RETURN_IF_ERROR(CheckDate(
          field_path,
          name == "existed_from" ? values.existed_from() : values.existed_until(),
          Presence::kOptional));
    } else if (name == "predecessors") {
      RETURN_IF_ERROR(CheckPredecessors(path, values.predecessors(), party_id));
    }
  }
  return CheckOnlyMasked(values, path, mask, {"id"});
}

const std::vector<std::string>& CorrectableDatePaths() {
  static const auto* paths = new std::vector<std::string>{"adopted_on",
                                                          "signed_on",
                                                          "provisionally_applied_from",
                                                          "entered_into_force_on",
                                                          "ended_on",
                                                          "opened_for_signature_on"};
  return *paths;
}

absl::Status CheckAgreementCorrection(absl::string_view path, const v1::Agreement& values,
                                      const google::protobuf::FieldMask& mask) {
  const google::protobuf::Descriptor* descriptor = values.GetDescriptor();
  const google::protobuf::Reflection* reflection = values.GetReflection();
  const std::vector<std::string>& dates = CorrectableDatePaths();
  for (const std::string& name : mask.paths()) {
    const std::string field_path = Field(path, name);
    if (std::find(dates.begin(), dates.end(), name) != dates.end()) {
      const auto& date = static_cast<const v1::Date&>(
          reflection->GetMessage(values, descriptor->FindFieldByName(name)));
      RETURN_IF_ERROR(CheckDate(field_path, date, Presence::kRequired));
    } else if (name == "designation") {
      RETURN_IF_ERROR(CheckText(field_path, values.designation(), kMaxDesignationChars,
                                Presence::kOptional));
    } else if (name == "titles") {
      RETURN_IF_ERROR(CheckLocalizedTexts(path, name, values.titles(), kMaxTitles));
    } else if (name == "place_of_conclusion") {
      RETURN_IF_ERROR(CheckText(field_path, values.place_of_conclusion(), kMaxPlaceChars,
                                Presence::kOptional));
    } else if (name == "summary") {
      RETURN_IF_ERROR(
          CheckText(field_path, values.summary(), kMaxSummaryChars, Presence::kOptional));
    } else if (name == "arity") {
      RETURN_IF_ERROR(CheckEnum(field_path, values.arity(), v1::Arity_descriptor(),
                                Presence::kRequired));
    } else if (name == "instrument_kind") {
      RETURN_IF_ERROR(CheckEnum(field_path, values.instrument_kind(),
                                v1::InstrumentKind_descriptor(), Presence::kRequired));
    } else if (name == "termination_ground") {
      RETURN_IF_ERROR(CheckEnum(field_path, values.termination_ground(),
                                v1::TerminationGround_descriptor(), Presence::kRequired));
    } else if (name == "classifications") {
      RETURN_IF_ERROR(CheckClassifications(path, name, values.classifications()));
    } else if (name == "documents") {
      RETURN_IF_ERROR(CheckDocuments(path, name, values.documents()));
    } else if (name == "participations") {
      RETURN_IF_ERROR(CheckParticipations(path, name, values.participations(),
                                          ParticipationForm::kFull));
    } else if (name == "identifiers") {
      RETURN_IF_ERROR(CheckIdentifiers(path, values.identifiers()));
    } else if (name == "withdrawal_clause" && values.has_withdrawal_clause()) {
      RETURN_IF_ERROR(CheckNoticeRule(field_path, values.withdrawal_clause()));
    } else if (name == "provisional_application_clause") {
      RETURN_IF_ERROR(CheckProvisionalApplicationClause(
          field_path, values.provisional_application_clause()));
    } else if (name == "term" && values.has_term()) {
      RETURN_IF_ERROR(CheckTerm(field_path, values.term()));
    }
  }
  return CheckOnlyMasked(values, path, mask, {"id"});
}

}  // namespace agreements::domain::internal
