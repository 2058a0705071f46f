#include "domain/fuzz/command_fuzz_checks.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/error_info.h"
#include "domain/lifecycle_internal.h"
#include "domain/limits.h"
#include "domain/sectors.h"
#include "domain/validation.h"
#include "domain/validation_internal.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/message_differencer.h"

namespace agreements::domain::fuzz {
namespace {

using internal::Lifecycle;

std::string& CurrentCommand() {
  static std::string* command = new std::string();
  return *command;
}

bool IsDecideCode(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
      return true;
    default:
      return false;
  }
}

bool StatusInLifecycle(v1::LegalNature nature, v1::AgreementStatus status) {
  using S = v1::AgreementStatus;
  auto in = [status](std::initializer_list<S> statuses) {
    for (S s : statuses) {
      if (s == status) return true;
    }
    return false;
  };
  switch (internal::LifecycleOf(nature)) {
    case Lifecycle::kInstrument:
      return status >= v1::AGREEMENT_STATUS_DRAFT &&
             status <= v1::AGREEMENT_STATUS_NEVER_IN_FORCE;
    case Lifecycle::kNonBinding:
      return in({v1::AGREEMENT_STATUS_DRAFT, v1::AGREEMENT_STATUS_SIGNED,
                 v1::AGREEMENT_STATUS_IN_EFFECT, v1::AGREEMENT_STATUS_DISCONTINUED});
    case Lifecycle::kContract:
      return in({v1::AGREEMENT_STATUS_DRAFT, v1::AGREEMENT_STATUS_SIGNED,
                 v1::AGREEMENT_STATUS_ACTIVE, v1::AGREEMENT_STATUS_COMPLETED,
                 v1::AGREEMENT_STATUS_TERMINATED_EARLY, v1::AGREEMENT_STATUS_CANCELLED});
  }
  return false;
}

// "<what>: <size> entries, the limit is <max>" when over the limit, or "".
std::string Over(int size, int max, const char* what) {
  if (size <= max) return "";
  return absl::StrCat(what, ": ", size, " entries, the limit is ", max);
}

// The first key of `list` seen twice, as "<what>: duplicate <key>", or "".
template <typename List, typename KeyOf>
std::string Duplicate(const List& list, KeyOf key_of, const char* what) {
  std::set<std::string> seen;
  for (const auto& element : list) {
    std::string key = key_of(element);
    if (!seen.insert(key).second) return absl::StrCat(what, ": duplicate ", key);
  }
  return "";
}

void WalkDates(const google::protobuf::Message& message, const std::string& path,
               std::string* violation) {
  if (!violation->empty()) return;
  if (message.GetDescriptor() == v1::Date::descriptor()) {
    absl::Status status = ValidateDate(path, static_cast<const v1::Date&>(message));
    if (!status.ok()) *violation = std::string(status.message());
    return;
  }
  const google::protobuf::Reflection* reflection = message.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const google::protobuf::FieldDescriptor* field : fields) {
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const std::string field_path = absl::StrCat(path, ".", field->name());
    if (!field->is_repeated()) {
      WalkDates(reflection->GetMessage(message, field), field_path, violation);
      continue;
    }
    for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
      WalkDates(reflection->GetRepeatedMessage(message, field, i),
                absl::StrCat(field_path, "[", i, "]"), violation);
    }
  }
}

std::string ParticipationViolation(const v1::Participation& p) {
  const std::string who = absl::StrCat("participant ", p.party_id(), ": ");
  if (p.party_id().empty()) return "a participation without party_id";
  if (!v1::ParticipationStatus_IsValid(p.status()) ||
      p.status() == v1::PARTICIPATION_STATUS_UNSPECIFIED) {
    return absl::StrCat(who, "status ", p.status());
  }
  std::string v = Over(p.previous_periods_size(), kMaxPeriods, "previous_periods");
  if (v.empty()) v = Over(p.reservations_size(), kMaxReservations, "reservations");
  if (v.empty()) {
    v = Duplicate(
        p.reservations(), [](const v1::Reservation& r) { return r.id(); },
        "reservations");
  }
  return v.empty() ? "" : who + v;
}

// The limits and the unique keys of the lists of an agreement.
std::string ListViolation(const v1::Agreement& a) {
  std::vector<std::string> found = {
      Over(a.participations_size(), kMaxParticipations, "participations"),
      Duplicate(
          a.participations(), [](const v1::Participation& p) { return p.party_id(); },
          "participations"),
      Over(a.amounts_size(), kMaxAmounts, "amounts"),
      Duplicate(
          a.amounts(), [](const v1::Amount& x) { return x.id(); }, "amounts"),
      Over(a.documents_size(), kMaxDocuments, "documents"),
      Duplicate(
          a.documents(),
          [](const v1::DocumentReference& d) { return d.url() + " " + d.sha256(); },
          "documents"),
      Over(a.relations_size(), kMaxRelations, "relations"),
      Duplicate(
          a.relations(),
          [](const v1::Relation& r) {
            return absl::StrCat(r.type(), " ", r.target_agreement_id());
          },
          "relations"),
      Over(a.amendments_size(), kMaxAmendments, "amendments"),
      Over(a.classifications_size(), kMaxClassifications, "classifications"),
      Duplicate(
          a.classifications(),
          [](const v1::Classification& c) {
            return absl::StrCat(c.scheme(), ":", c.code());
          },
          "classifications"),
      Over(a.identifiers_size(), kMaxIdentifiers, "identifiers"),
      Duplicate(
          a.identifiers(),
          [](const v1::Identifier& i) { return i.scheme() + ":" + i.value(); },
          "identifiers"),
      Over(a.depositaries_size(), kMaxDepositaries, "depositaries"),
      Duplicate(
          a.depositaries(), [](const v1::Depositary& d) { return d.party_id(); },
          "depositaries"),
      Duplicate(
          a.registrations(),
          [](const v1::Registration& r) { return absl::StrCat(r.kind()); },
          "registrations (kind)"),
      Over(a.extensions_size(), kMaxExtensions, "extensions"),
  };
  int notifications = 0;
  for (const v1::Depositary& d : a.depositaries()) {
    notifications += d.notifications_size();
    found.push_back(Duplicate(
        d.notifications(),
        [](const v1::DepositaryNotification& n) { return n.reference(); },
        "depositary notifications"));
  }
  found.push_back(Over(notifications, kMaxNotifications, "depositary notifications"));
  for (const v1::Participation& p : a.participations()) {
    found.push_back(ParticipationViolation(p));
  }
  for (std::string& v : found) {
    if (!v.empty()) return v;
  }
  return "";
}

// Outside the contract lifecycle, the first signature or consent ends the statuses
// before signature (DRAFT .. OPEN_FOR_SIGNATURE): no participant in them is a signatory
// or bound. (One may have declared it will not become a party, or have ceased to exist:
// FORMER_PARTY.)
std::string UnsignedViolation(const v1::Agreement& a) {
  if (internal::LifecycleOf(a.legal_nature()) == Lifecycle::kContract ||
      !internal::IsBeforeSignature(a.status())) {
    return "";
  }
  for (const v1::Participation& p : a.participations()) {
    if (p.status() == v1::PARTICIPATION_STATUS_SIGNATORY ||
        p.status() == v1::PARTICIPATION_STATUS_CONTRACTING ||
        p.status() == v1::PARTICIPATION_STATUS_PARTY ||
        p.status() == v1::PARTICIPATION_STATUS_WITHDRAWAL_PENDING ||
        p.status() == v1::PARTICIPATION_STATUS_SUSPENDED) {
      return absl::StrCat("status ", v1::AgreementStatus_Name(a.status()),
                          " with participant ", p.party_id(), " ",
                          v1::ParticipationStatus_Name(p.status()));
    }
  }
  return "";
}

// The status, the termination ground and suspension agree, and the dates the status
// rests on are recorded.
std::string LifecycleViolation(const v1::Agreement& a) {
  const v1::AgreementStatus s = a.status();
  if (!v1::LegalNature_IsValid(a.legal_nature()) ||
      a.legal_nature() == v1::LEGAL_NATURE_UNSPECIFIED) {
    return absl::StrCat("legal_nature ", a.legal_nature());
  }
  if (!StatusInLifecycle(a.legal_nature(), s)) {
    return absl::StrCat("status ", v1::AgreementStatus_Name(s), " under legal nature ",
                        v1::LegalNature_Name(a.legal_nature()));
  }
  const bool terminated = s == v1::AGREEMENT_STATUS_TERMINATED;
  if (terminated != (a.termination_ground() != v1::TERMINATION_GROUND_UNSPECIFIED)) {
    return absl::StrCat("status ", v1::AgreementStatus_Name(s),
                        " with termination_ground ", a.termination_ground());
  }
  if (a.termination_ground() == v1::TERMINATION_GROUND_DENUNCIATION_BILATERAL &&
      a.arity() != v1::ARITY_BILATERAL) {
    return "termination ground DENUNCIATION_BILATERAL on an agreement not bilateral";
  }
  const bool suspended = s == v1::AGREEMENT_STATUS_SUSPENDED;
  if (suspended != (a.status_before_suspension() != v1::AGREEMENT_STATUS_UNSPECIFIED)) {
    return absl::StrCat("status ", v1::AgreementStatus_Name(s),
                        " with status_before_suspension ", a.status_before_suspension());
  }
  if (a.withdrawal_excluded() && a.has_withdrawal_clause()) {
    return "withdrawal_excluded with a withdrawal_clause";
  }
  if (a.arity() == v1::ARITY_BILATERAL &&
      internal::CountPartyRoles(a.participations()) > 2) {
    return "a bilateral agreement with more than two participants with role PARTY";
  }
  const bool entered =
      s == v1::AGREEMENT_STATUS_IN_FORCE || suspended || terminated ||
      s == v1::AGREEMENT_STATUS_IN_EFFECT || s == v1::AGREEMENT_STATUS_ACTIVE ||
      s == v1::AGREEMENT_STATUS_COMPLETED || s == v1::AGREEMENT_STATUS_TERMINATED_EARLY;
  if (entered && !IsDateSet(a.entered_into_force_on())) {
    return absl::StrCat("status ", v1::AgreementStatus_Name(s),
                        " without entered_into_force_on");
  }
  if (internal::IsTerminal(s) && !IsDateSet(a.ended_on())) {
    return absl::StrCat("status ", v1::AgreementStatus_Name(s), " without ended_on");
  }
  if (s == v1::AGREEMENT_STATUS_ADOPTED && !IsDateSet(a.adopted_on())) {
    return "status ADOPTED without adopted_on";
  }
  return UnsignedViolation(a);
}

// What depositary_designated may remove: a legacy participation whose only role is
// DEPOSITARY and that recorded nothing.
bool LegacyDepositaryOnly(const v1::Participation& p) {
  const bool only_depositary =
      !p.roles().empty() && std::all_of(p.roles().begin(), p.roles().end(), [](int role) {
        return role == v1::PARTICIPANT_ROLE_DEPOSITARY;
      });
  return only_depositary && p.status() == v1::PARTICIPATION_STATUS_NEGOTIATING &&
         !p.has_signature() && !p.has_consent() &&
         !IsDateSet(p.provisionally_applied_from()) && p.previous_periods().empty();
}

std::string StatusesMoved(const v1::Agreement& before, const v1::Agreement& after) {
  if (before.status() != after.status()) {
    return absl::StrCat("a correction moved the status from ",
                        v1::AgreementStatus_Name(before.status()), " to ",
                        v1::AgreementStatus_Name(after.status()));
  }
  if (before.participations_size() != after.participations_size()) {
    return "a correction changed the number of participations";
  }
  for (int i = 0; i < before.participations_size(); ++i) {
    const v1::Participation& b = before.participations(i);
    const v1::Participation& a = after.participations(i);
    if (b.party_id() != a.party_id() || b.status() != a.status()) {
      return absl::StrCat("a correction moved participant ", b.party_id(), " from ",
                          v1::ParticipationStatus_Name(b.status()), " to ", a.party_id(),
                          " ", v1::ParticipationStatus_Name(a.status()));
    }
  }
  return "";
}

// PROVISIONALLY_APPLIED rests on a participant that applies the instrument
// provisionally: ending it for the last one returns the instrument to
// SIGNED_NOT_IN_FORCE.
bool AppliedByNobody(const v1::Agreement& a) {
  if (a.status() != v1::AGREEMENT_STATUS_PROVISIONALLY_APPLIED) return false;
  return std::none_of(a.participations().begin(), a.participations().end(),
                      internal::AppliesProvisionally);
}

}  // namespace

std::string TransitionViolation(const v1::Agreement& before, const v1::Agreement& after,
                                const v1::EventPayload& payload) {
  if (payload.has_agreement_recorded()) return "";
  if (before.legal_nature() != after.legal_nature() &&
      !payload.has_legal_nature_reassessed()) {
    return "the legal nature changed without legal_nature_reassessed";
  }
  if (payload.has_record_corrected()) return StatusesMoved(before, after);
  if (!AppliedByNobody(before) && AppliedByNobody(after)) {
    return "PROVISIONALLY_APPLIED, and no participant applies it provisionally";
  }
  for (const v1::Participation& p : before.participations()) {
    if (internal::FindParticipation(after, p.party_id()) != nullptr) continue;
    if (!payload.has_depositary_designated() || !LegacyDepositaryOnly(p)) {
      return absl::StrCat("participant ", p.party_id(), " (",
                          v1::ParticipationStatus_Name(p.status()), ") disappeared with ",
                          payload.ShortDebugString());
    }
  }
  return "";
}

void Fail(const char* file, int line, const char* condition, const std::string& details) {
  std::fprintf(stderr,
               "command_fuzz: property violated at %s:%d: %s\n  %s\n  while running: "
               "%s\n",
               file, line, condition, details.c_str(), CurrentCommand().c_str());
  std::fflush(stderr);
  std::abort();
}

void SetCurrentCommand(const v1::Command& command) {
  CurrentCommand() = command.ShortDebugString();
}

std::string SerializeDeterministic(const google::protobuf::Message& message) {
  std::string bytes(message.ByteSizeLong(), '\0');
  google::protobuf::io::ArrayOutputStream stream(bytes.data(),
                                                 static_cast<int>(bytes.size()));
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  message.SerializeWithCachedSizes(&coded);
  return bytes;
}

bool IsRepresentable(const google::protobuf::Message& message) {
  std::unique_ptr<google::protobuf::Message> parsed(message.New());
  return parsed->ParseFromString(SerializeDeterministic(message));
}

void CheckRoundTrip(const google::protobuf::Message& message, const char* what) {
  const std::string bytes = SerializeDeterministic(message);
  std::unique_ptr<google::protobuf::Message> parsed(message.New());
  FUZZ_CHECK(parsed->ParseFromString(bytes), what,
             " does not parse back: ", message.ShortDebugString());
  FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(message, *parsed), what,
             " parses back different: ", message.ShortDebugString(), " became ",
             parsed->ShortDebugString());
  FUZZ_CHECK(SerializeDeterministic(*parsed) == bytes, what,
             " serializes differently after parsing: ", message.ShortDebugString());
}

void CheckValidationStatus(const absl::Status& status) {
  if (status.ok()) return;
  FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument,
             "ValidateCommand answered ", status.ToString());
  const std::string field = errors::FieldOfMessage(status.message());
  FUZZ_CHECK(!field.empty(), "the message names no field: ", status.message());
  const errors::Details details = errors::DetailsOf(status);
  FUZZ_CHECK(!details.field_violations.empty(), "no field violation in the details of ",
             status.message());
  FUZZ_CHECK(details.field_violations[0].first == field, "the field violation names ",
             details.field_violations[0].first, ", the message ", status.message());
}

void CheckDecideStatus(const absl::Status& status) {
  if (status.ok()) return;
  FUZZ_CHECK(IsDecideCode(status.code()), "Decide answered ", status.ToString());
  if (status.code() != absl::StatusCode::kInvalidArgument) return;
  FUZZ_CHECK(!errors::FieldOfMessage(status.message()).empty(),
             "the INVALID_ARGUMENT names no field: ", status.message());
}

std::string InvalidDateIn(const google::protobuf::Message& message) {
  std::string violation;
  WalkDates(message, message.GetDescriptor()->name(), &violation);
  return violation;
}

std::string AgreementViolation(const v1::Agreement& state) {
  std::string v = LifecycleViolation(state);
  if (v.empty()) v = ListViolation(state);
  if (v.empty()) {
    std::vector<std::string> sectors = SectorsOf(state.classifications());
    if (std::vector<std::string>(state.sectors().begin(), state.sectors().end()) !=
        sectors) {
      v = "sectors not derived from the classifications";
    }
  }
  if (v.empty()) v = InvalidDateIn(state);
  return v;
}

std::string PartyViolation(const v1::Party& state) {
  v1::Party descriptive = state;
  descriptive.clear_revision();
  descriptive.clear_last_position();
  descriptive.clear_create_time();
  descriptive.clear_update_time();
  absl::Status status = internal::CheckParty("party", descriptive, state.id());
  if (!status.ok()) return std::string(status.message());
  return InvalidDateIn(state);
}

}  // namespace agreements::domain::fuzz
