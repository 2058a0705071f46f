#include "store/committer.h"

#include <openssl/rand.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/error_info.h"
#include "common/merkle.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "domain/confidentiality.h"
#include "domain/decider.h"
#include "domain/sectors.h"
#include "google/protobuf/util/time_util.h"
#include "rocksdb/write_batch.h"
#include "store/committer_group.h"
#include "store/feed_hub.h"
#include "store/keys.h"
#include "store/projector.h"
#include "store/state_copy.h"
#include "store/view_reader.h"

namespace agreements::store {
namespace {

using google::protobuf::util::TimeUtil;

constexpr size_t kMaxRequestIdLength = 128;

absl::Status ValidateRequestId(const std::string& id) {
  if (id.empty()) return absl::InvalidArgumentError("request_id: required");
  if (id.size() > kMaxRequestIdLength) {
    return absl::InvalidArgumentError("request_id: at most 128 characters");
  }
  for (char c : id) {
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError(
          "request_id: only printable ASCII characters without spaces");
    }
  }
  return absl::OkStatus();
}

// True for ids of the form "<prefix>-<digits>", which only the server assigns.
bool IsReservedId(const std::string& id, char prefix) {
  if (id.size() < 3 || id[0] != prefix || id[1] != '-') return false;
  for (size_t i = 2; i < id.size(); ++i) {
    if (id[i] < '0' || id[i] > '9') return false;
  }
  return true;
}

// "<prefix>-" and 16 characters of [a-z2-7]: 80 random bits, so that an id tells nothing
// about when it was assigned or how many ids came before (docs/security.md).
std::string ServerAssignedId(char prefix) {
  constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  unsigned char random[16];
  if (RAND_bytes(random, sizeof(random)) != 1) {
    // The OpenSSL generator does not fail once seeded; stop rather than reuse an id.
    std::abort();
  }
  std::string id = {prefix, '-'};
  for (unsigned char byte : random) id.push_back(kAlphabet[byte % 32]);
  return id;
}

std::string Fingerprint(const CommitRequest& request) {
  Sha256 hasher;
  std::string length;
  for (const auto& command : request.commands) {
    const std::string bytes = SerializeDeterministic(command);
    length.clear();
    AppendU64(length, bytes.size());
    hasher.Update(length);
    hasher.Update(bytes);
  }
  hasher.Update(request.reason);
  const Sha256Digest digest = hasher.Finish();
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

// The checks that need no state, done on the caller's thread before the request is
// queued (the committer thread is the bottleneck of the registry).
absl::Status CheckRequest(const CommitRequest& request, const CommitterOptions& options) {
  RETURN_IF_ERROR(ValidateRequestId(request.request_id));
  if (request.commands.empty()) {
    return absl::InvalidArgumentError("commands: at least one command is required");
  }
  if (request.commands.size() > options.max_commands_per_request) {
    return absl::InvalidArgumentError(absl::StrCat(
        "commands: at most ", options.max_commands_per_request, " commands per request"));
  }
  for (size_t i = 0; i < request.commands.size(); ++i) {
    absl::Status status = domain::ValidateCommand(request.commands[i]);
    if (!status.ok()) {
      if (request.commands.size() == 1) return status;
      return errors::Nested(status, absl::StrCat("commands[", i, "]"));
    }
  }
  return absl::OkStatus();
}

std::string StreamName(v1::StreamType type, const std::string& id) {
  return absl::StrCat(type == v1::STREAM_TYPE_PARTY ? "parties/" : "agreements/", id);
}

// A request limited to some sectors may touch an agreement only when every sector the
// agreement has, before and after the change, is one of them (checked on each state).
absl::Status CheckWritableSectors(const std::vector<std::string>& writable,
                                  const std::string& id, const v1::Agreement& state) {
  const std::string allowed =
      writable.empty() ? "no sector" : absl::StrJoin(writable, ", ");
  if (!domain::Clearance::PublicAnd(writable).Sees(state)) {
    // The caller may not see this agreement: the refusal names none of its sectors.
    return absl::PermissionDeniedError(
        absl::StrCat("missing permission agreements.write for agreement ", id,
                     ": it is not in the sectors the caller may write (", allowed, ")"));
  }
  if (state.sectors().empty() && writable.size() < domain::RegistrySectors().size()) {
    return absl::PermissionDeniedError(
        absl::StrCat("missing permission agreements.write for agreement ", id,
                     ": it has no sector, and the caller may write only in ",
                     writable.empty() ? "no sector" : absl::StrJoin(writable, ", ")));
  }
  for (const std::string& sector : state.sectors()) {
    if (std::find(writable.begin(), writable.end(), sector) == writable.end()) {
      return absl::PermissionDeniedError(
          absl::StrCat("missing permission agreements.write in sector ", sector,
                       " (agreement ", id, "): the caller may write only in ",
                       writable.empty() ? "no sector" : absl::StrJoin(writable, ", ")));
    }
  }
  return absl::OkStatus();
}

// ABORTED "expected_revision: <why>", reason WRONG_EXPECTED_REVISION with the stream, its
// current revision and what was expected, and a REVISION precondition failure.
absl::Status WrongRevision(const std::string& stream, uint64_t current,
                           const std::string& expected, const std::string& why) {
  absl::Status status =
      errors::WithReason(absl::AbortedError(absl::StrCat("expected_revision: ", why)),
                         errors::kWrongExpectedRevision,
                         {{"stream", stream},
                          {"current_revision", absl::StrCat(current)},
                          {"expected_revision", expected}});
  return errors::WithPrecondition(std::move(status), "REVISION", stream, why);
}

absl::Status CheckExpectedRevision(const v1::ExpectedRevision& expected,
                                   v1::StreamType type, const std::string& id,
                                   uint64_t current) {
  const std::string name = StreamName(type, id);
  if ((expected.kind_case() == v1::ExpectedRevision::kAny && !expected.any()) ||
      (expected.kind_case() == v1::ExpectedRevision::kNoStream &&
       !expected.no_stream()) ||
      (expected.kind_case() == v1::ExpectedRevision::kStreamExists &&
       !expected.stream_exists())) {
    return absl::InvalidArgumentError(
        "expected_revision: any, no_stream and stream_exists must be true when set");
  }
  switch (expected.kind_case()) {
    case v1::ExpectedRevision::KIND_NOT_SET:
    case v1::ExpectedRevision::kAny:
      return absl::OkStatus();
    case v1::ExpectedRevision::kNoStream:
      if (current == 0) return absl::OkStatus();
      return WrongRevision(
          name, current, "no stream",
          absl::StrCat(name, " exists at revision ", current, "; expected no stream"));
    case v1::ExpectedRevision::kStreamExists:
      if (current > 0) return absl::OkStatus();
      return WrongRevision(name, current, "an existing stream",
                           absl::StrCat(name,
                                        " does not exist (revision 0); expected an "
                                        "existing stream"));
    case v1::ExpectedRevision::kExact:
      if (current == expected.exact()) return absl::OkStatus();
      return WrongRevision(name, current, absl::StrCat(expected.exact()),
                           absl::StrCat(name, " is at revision ", current, "; expected ",
                                        expected.exact()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Committer::Group::AgreementPtr> Committer::Group::LoadAgreement(
    const Scope& scope, const std::string& id) {
  if (auto it = scope.agreements.find(id); it != scope.agreements.end())
    return it->second;
  if (auto it = agreements_.find(id); it != agreements_.end()) return it->second;
  if (const StateCache::Entry* kept = states_.FindAgreement(id)) return kept->agreement;
  // Not kept: the view reflects every event of the stream (StateCache's invariant).
  auto bytes = store_->Get(store_->agreements(), id);
  AgreementPtr state;
  if (bytes.ok()) {
    auto parsed = std::make_shared<v1::Agreement>();
    if (!parsed->ParseFromString(*bytes)) {
      return absl::DataLossError(absl::StrCat("agreement view of ", id, " is corrupt"));
    }
    state = std::move(parsed);
  } else if (!absl::IsNotFound(bytes.status())) {
    return bytes.status();
  }
  if (state != nullptr)
    states_.PutAgreement(id, StateCache::Entry{state, nullptr, 0, {}});
  return state;
}

absl::StatusOr<Committer::Group::PartyPtr> Committer::Group::LoadParty(
    const Scope& scope, const std::string& id) {
  if (auto it = scope.parties.find(id); it != scope.parties.end()) return it->second;
  if (auto it = parties_.find(id); it != parties_.end()) return it->second;
  if (const StateCache::Entry* kept = states_.FindParty(id)) return kept->party;
  auto bytes = store_->Get(store_->parties(), id);
  PartyPtr state;
  if (bytes.ok()) {
    auto parsed = std::make_shared<v1::Party>();
    if (!parsed->ParseFromString(*bytes)) {
      return absl::DataLossError(absl::StrCat("party view of ", id, " is corrupt"));
    }
    state = std::move(parsed);
  } else if (!absl::IsNotFound(bytes.status())) {
    return bytes.status();
  }
  if (state != nullptr) states_.PutParty(id, StateCache::Entry{nullptr, state, 0, {}});
  return state;
}

absl::StatusOr<std::optional<v1::EventEnvelope>> Committer::Group::LoadEnvelope(
    const Scope& scope, uint64_t position) {
  for (const auto& staged : scope.events) {
    if (staged.event->envelope().position() == position) return staged.event->envelope();
  }
  if (auto it = envelopes_.find(position); it != envelopes_.end()) return it->second;
  auto bytes = store_->Get(store_->log(), LogKey(position));
  if (absl::IsNotFound(bytes.status())) return std::optional<v1::EventEnvelope>();
  if (!bytes.ok()) return bytes.status();
  v1::Event event;
  if (!event.ParseFromString(*bytes)) {
    return absl::DataLossError(
        absl::StrCat("event at position ", position, " is corrupt"));
  }
  return std::optional<v1::EventEnvelope>(event.envelope());
}

absl::StatusOr<std::optional<sv1::RequestRecord>> Committer::Group::LoadRequest(
    const std::string& id) {
  if (auto it = requests_.find(id); it != requests_.end()) return it->second;
  auto bytes = store_->Get(store_->requests(), id);
  if (absl::IsNotFound(bytes.status())) return std::optional<sv1::RequestRecord>();
  if (!bytes.ok()) return bytes.status();
  sv1::RequestRecord record;
  if (!record.ParseFromString(*bytes)) {
    return absl::DataLossError(absl::StrCat("request record ", id, " is corrupt"));
  }
  return std::optional<sv1::RequestRecord>(record);
}

absl::StatusOr<std::string> Committer::Group::IdentifierOwner(
    const Scope& scope, const std::string& prefix, const v1::Identifier& identifier) {
  if (auto it = scope.identifiers.find(prefix); it != scope.identifiers.end()) {
    return it->second;
  }
  if (auto it = identifiers_.find(prefix); it != identifiers_.end()) {
    return it->second.first;
  }
  if (std::optional<std::string> kept = states_.IdentifierOwner(prefix)) return *kept;
  auto found = FindIdentifierOwner(store_, nullptr, identifier);
  if (absl::IsNotFound(found.status())) return std::string();
  return found;
}

absl::Status Committer::Group::ClaimIdentifiers(Scope& scope, const std::string& id,
                                                const AgreementPtr& before,
                                                const v1::Agreement& after) {
  std::set<std::string> had;
  if (before != nullptr) {
    for (const auto& identifier : UniqueIdentifiersOf(*before)) {
      had.insert(IdentifierPrefix(identifier.scheme(), identifier.value()));
    }
  }
  std::set<std::string> has;
  for (const auto& identifier : UniqueIdentifiersOf(after)) {
    const std::string prefix = IdentifierPrefix(identifier.scheme(), identifier.value());
    has.insert(prefix);
    if (had.count(prefix)) continue;
    ASSIGN_OR_RETURN(std::string owner, IdentifierOwner(scope, prefix, identifier));
    if (!owner.empty() && owner != id) {
      return absl::AlreadyExistsError(
          absl::StrCat("identifier ", identifier.scheme(), ":", identifier.value(),
                       " is already recorded for another agreement"));
    }
    scope.identifiers[prefix] = id;
  }
  for (const std::string& prefix : had) {
    if (!has.count(prefix)) scope.identifiers[prefix] = "";
  }
  return absl::OkStatus();
}

absl::StatusOr<merkle::Hash> Committer::Group::LastHash(const Scope& scope,
                                                        v1::StreamType type,
                                                        const std::string& id,
                                                        uint64_t revision) {
  const auto key = std::make_pair(type, id);
  if (auto it = scope.last_hash.find(key); it != scope.last_hash.end()) return it->second;
  if (auto it = last_hash_.find(key); it != last_hash_.end()) return it->second;
  const StateCache::Entry* kept =
      type == v1::STREAM_TYPE_PARTY ? states_.FindParty(id) : states_.FindAgreement(id);
  if (kept != nullptr && kept->head_hash.has_value()) return *kept->head_hash;
  ASSIGN_OR_RETURN(std::string position,
                   store_->Get(store_->streams(), StreamKey(type, id, revision)));
  uint64_t at = 0;
  if (!DecodeU64(position, at))
    return absl::DataLossError("stream index value is not 8 bytes");
  ASSIGN_OR_RETURN(std::string bytes, store_->Get(store_->log(), LogKey(at)));
  return merkle::LeafHash(bytes);
}

absl::Status Committer::Group::ApplyCommand(const CommitRequest& request,
                                            v1::Command command, Scope& scope) {
  const v1::StreamType type = command.stream_type();
  v1::EventPayload& change = *command.mutable_change();

  // Creation commands may leave the id to the server: a random one (ServerAssignedId).
  // Ids of the form "a-<number>" / "p-<number>", which servers assigned before, stay
  // reserved.
  std::string* payload_id = nullptr;
  char reserved_prefix = 0;
  if (change.has_agreement_recorded()) {
    payload_id = change.mutable_agreement_recorded()->mutable_agreement()->mutable_id();
    reserved_prefix = 'a';
  } else if (change.has_party_registered()) {
    payload_id = change.mutable_party_registered()->mutable_party()->mutable_id();
    reserved_prefix = 'p';
  }
  if (payload_id != nullptr) {
    if (payload_id->empty()) *payload_id = command.stream_id();
    if (payload_id->empty()) {
      *payload_id = ServerAssignedId(reserved_prefix);
    } else if (IsReservedId(*payload_id, reserved_prefix)) {
      return absl::InvalidArgumentError(
          absl::StrCat(reserved_prefix == 'a' ? "change.agreement_recorded.agreement.id"
                                              : "change.party_registered.party.id",
                       ": ids of the form ", std::string(1, reserved_prefix),
                       "-<number> are reserved for ids assigned by the server (got \"",
                       *payload_id, "\")"));
    }
    command.set_stream_id(*payload_id);
  }
  const std::string& id = command.stream_id();

  // The stream's current state.
  AgreementPtr agreement;
  PartyPtr party;
  uint64_t revision = 0;
  if (type == v1::STREAM_TYPE_AGREEMENT) {
    ASSIGN_OR_RETURN(agreement, LoadAgreement(scope, id));
    if (agreement) revision = agreement->revision();
  } else {
    ASSIGN_OR_RETURN(party, LoadParty(scope, id));
    if (party) revision = party->revision();
  }
  // Before anything else about the agreement: a caller outside its sectors learns
  // nothing of its state from the errors.
  if (agreement != nullptr && request.writable_sectors.has_value()) {
    RETURN_IF_ERROR(CheckWritableSectors(*request.writable_sectors, id, *agreement));
  }
  RETURN_IF_ERROR(CheckExpectedRevision(command.expected_revision(), type, id, revision));

  // Everything the command refers to, so that Decide stays pure.
  const domain::References refs = domain::ReferencesOf(command);
  domain::DecideContext context;
  for (const auto& party_id : refs.party_ids) {
    ASSIGN_OR_RETURN(PartyPtr referenced, LoadParty(scope, party_id));
    if (referenced) context.parties.emplace(party_id, *referenced);
  }
  for (const auto& agreement_id : refs.agreement_ids) {
    ASSIGN_OR_RETURN(AgreementPtr referenced, LoadAgreement(scope, agreement_id));
    if (referenced) context.agreements.emplace(agreement_id, *referenced);
  }
  if (refs.corrected_position != 0) {
    ASSIGN_OR_RETURN(context.corrected_event,
                     LoadEnvelope(scope, refs.corrected_position));
    // A caller limited to sectors learns nothing of other streams from a position: an
    // event of another stream is as absent as a position beyond the log.
    if (request.writable_sectors.has_value() && context.corrected_event.has_value() &&
        (context.corrected_event->stream_type() != type ||
         context.corrected_event->stream_id() != id)) {
      context.corrected_event.reset();
    }
  }

  std::vector<v1::EventPayload> payloads;
  if (type == v1::STREAM_TYPE_AGREEMENT) {
    ASSIGN_OR_RETURN(payloads,
                     domain::DecideAgreement(agreement.get(), command, context));
  } else {
    ASSIGN_OR_RETURN(payloads, domain::DecideParty(party.get(), command, context));
  }

  const AgreementPtr before_command = agreement;
  std::optional<merkle::Hash> previous;
  if (revision > 0) {
    ASSIGN_OR_RETURN(previous, LastHash(scope, type, id, revision));
  }
  for (auto& payload : payloads) {
    RETURN_IF_ERROR(StageEvent(request, command, std::move(payload), ++revision, previous,
                               agreement, party, scope));
  }
  if (type == v1::STREAM_TYPE_AGREEMENT && agreement != nullptr) {
    if (request.writable_sectors.has_value()) {
      RETURN_IF_ERROR(CheckWritableSectors(*request.writable_sectors, id, *agreement));
    }
    RETURN_IF_ERROR(ClaimIdentifiers(scope, id, before_command, *agreement));
  }
  const auto key = std::make_pair(type, id);
  if (std::find(scope.touched.begin(), scope.touched.end(), key) == scope.touched.end()) {
    scope.touched.push_back(key);
  }
  if (previous.has_value()) scope.last_hash[key] = *previous;
  if (type == v1::STREAM_TYPE_AGREEMENT) {
    scope.agreements[id] = std::move(agreement);
  } else {
    scope.parties[id] = std::move(party);
  }
  return absl::OkStatus();
}

absl::Status Committer::Group::StageEvent(const CommitRequest& request,
                                          const v1::Command& command,
                                          v1::EventPayload payload, uint64_t revision,
                                          std::optional<merkle::Hash>& previous,
                                          AgreementPtr& agreement, PartyPtr& party,
                                          Scope& scope) {
  StagedEvent staged;
  staged.event = std::make_shared<v1::Event>();
  v1::EventEnvelope& envelope = *staged.event->mutable_envelope();
  envelope.set_position(scope.next_position);
  envelope.set_stream_type(command.stream_type());
  envelope.set_stream_id(command.stream_id());
  envelope.set_revision(revision);
  envelope.set_event_type(domain::EventTypeName(payload));
  envelope.set_rules_version(domain::kRulesVersion);
  *envelope.mutable_recorded_at() = recorded_at_;
  envelope.set_actor(request.actor);
  envelope.set_actor_authenticated(request.actor_authenticated);
  envelope.set_request_id(request.request_id);
  envelope.set_correlation_id(request.correlation_id);
  envelope.set_causation_id(request.causation_id);
  envelope.set_reason(command.reason().empty() ? request.reason : command.reason());
  if (previous.has_value()) {
    envelope.set_previous_event_hash(
        std::string(reinterpret_cast<const char*>(previous->data()), previous->size()));
  }
  *staged.event->mutable_payload() = std::move(payload);
  staged.bytes = SerializeDeterministic(*staged.event);
  if (staged.bytes.size() > options_.max_event_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("change: the event would be ", staged.bytes.size(),
                     " bytes; the limit is ", options_.max_event_bytes));
  }
  // Each event gets a state of its own: the projection and the feed see the stream as
  // it was after every event, and earlier states stay shared and unchanged.
  if (command.stream_type() == v1::STREAM_TYPE_AGREEMENT) {
    auto next = NextState(agreement.get());
    domain::EvolveAgreement(*next, *staged.event);
    staged.agreement_before = std::move(agreement);
    agreement = std::move(next);
    staged.agreement_after = agreement;
  } else {
    auto next = NextState(party.get());
    domain::EvolveParty(*next, *staged.event);
    staged.party_before = std::move(party);
    party = std::move(next);
    staged.party_after = party;
  }
  staged.tags =
      EventTagsOf(staged.agreement_before.get(), staged.agreement_after.get(), envelope);
  staged.leaf_hash = merkle::LeafHash(staged.bytes);
  previous = staged.leaf_hash;
  ++scope.next_position;
  scope.events.push_back(std::move(staged));
  return absl::OkStatus();
}

absl::StatusOr<CommitOutcome> Committer::Group::Replay(const sv1::RequestRecord& record) {
  CommitOutcome outcome;
  outcome.result = record.result();
  outcome.result.set_replayed(true);
  Scope empty;
  for (const auto& stream : record.result().streams()) {
    if (stream.stream_type() == v1::STREAM_TYPE_AGREEMENT) {
      ASSIGN_OR_RETURN(AgreementPtr state, LoadAgreement(empty, stream.stream_id()));
      if (state) outcome.agreements.push_back(std::move(state));
    } else {
      ASSIGN_OR_RETURN(PartyPtr state, LoadParty(empty, stream.stream_id()));
      if (state) outcome.parties.push_back(std::move(state));
    }
  }
  return outcome;
}

absl::Status Committer::Group::ProjectEvents(
    Scope& scope, std::map<StreamRef, v1::StreamResult*>* by_stream) {
  for (auto& staged : scope.events) {
    const v1::EventEnvelope& envelope = staged.event->envelope();
    batch_.Put(store_->log(), LogKey(envelope.position()), staged.bytes);
    Change change;
    change.event = staged.event.get();
    change.bytes = staged.bytes;
    change.leaf_hash = staged.leaf_hash;
    change.agreement_before = staged.agreement_before;
    change.agreement_after = staged.agreement_after;
    change.party_before = staged.party_before;
    change.party_after = staged.party_after;
    change.tags = &staged.tags;
    // The record stage only adds to the batch: it cannot fail once validation passed.
    for (const auto& applier : appliers_) RETURN_IF_ERROR(applier->Apply(change, sink_));
    auto item = std::make_shared<FeedItem>();
    item->position = envelope.position();
    item->bytes = std::move(staged.bytes);
    item->stream_type = envelope.stream_type();
    item->stream_id = envelope.stream_id();
    item->revision = envelope.revision();
    item->event_type = envelope.event_type();
    item->tags = std::move(staged.tags);
    if (by_stream != nullptr) {
      v1::StreamResult* stream =
          (*by_stream)[{envelope.stream_type(), envelope.stream_id()}];
      stream->set_revision(envelope.revision());
      stream->add_positions(envelope.position());
    }
    envelopes_[envelope.position()] = envelope;
    last_position_[{envelope.stream_type(), envelope.stream_id()}] = envelope.position();
    committed_.push_back(CommittedEvent{item, std::move(staged.event), staged.leaf_hash,
                                        std::move(staged.agreement_after),
                                        std::move(staged.party_after)});
    feed_items_.push_back(std::move(item));
  }
  for (const auto& [type, id] : scope.touched) {
    if (type == v1::STREAM_TYPE_AGREEMENT) {
      agreements_[id] = scope.agreements[id];
    } else {
      parties_[id] = scope.parties[id];
    }
  }
  for (const auto& [key, hash] : scope.last_hash) last_hash_[key] = hash;
  for (auto& [prefix, owner] : scope.identifiers) {
    identifiers_[prefix] = {std::move(owner), scope.next_position - 1};
  }
  next_position_ = scope.next_position;
  dirty_ = true;
  return absl::OkStatus();
}

absl::Status Committer::Group::Project(const CommitRequest& request,
                                       const std::string& fingerprint, Scope& scope,
                                       CommitOutcome& outcome) {
  v1::CommitResult& result = outcome.result;
  std::map<StreamRef, v1::StreamResult*> by_stream;
  for (const auto& key : scope.touched) {
    v1::StreamResult* stream = result.add_streams();
    stream->set_stream_type(key.first);
    stream->set_stream_id(key.second);
    by_stream[key] = stream;
  }
  const size_t events = scope.events.size();
  RETURN_IF_ERROR(ProjectEvents(scope, &by_stream));
  if (events > 0) {
    result.set_first_position(committed_[committed_.size() - events].item->position);
    result.set_last_position(committed_.back().item->position);
  }
  for (const auto& [type, id] : scope.touched) {
    if (type == v1::STREAM_TYPE_AGREEMENT) {
      outcome.agreements.push_back(scope.agreements[id]);
    } else {
      outcome.parties.push_back(scope.parties[id]);
    }
  }
  sv1::RequestRecord record;
  record.set_fingerprint(fingerprint);
  *record.mutable_result() = result;
  batch_.Put(store_->requests(), request.request_id, SerializeDeterministic(record));
  requests_[request.request_id] = std::move(record);
  return absl::OkStatus();
}

absl::Status Committer::Group::StageRecorded(const std::string& bytes, Scope& scope) {
  StagedEvent staged;
  staged.event = std::make_shared<v1::Event>();
  if (!staged.event->ParseFromString(bytes)) {
    return absl::DataLossError(absl::StrCat("the log's event at position ",
                                            scope.next_position, " does not parse"));
  }
  const v1::EventEnvelope& envelope = staged.event->envelope();
  if (envelope.position() != scope.next_position) {
    return absl::DataLossError(absl::StrCat("the log holds position ",
                                            envelope.position(), " where position ",
                                            scope.next_position, " should follow"));
  }
  const std::string& id = envelope.stream_id();
  const auto key = std::make_pair(envelope.stream_type(), id);
  uint64_t revision = 0;
  if (envelope.stream_type() == v1::STREAM_TYPE_AGREEMENT) {
    ASSIGN_OR_RETURN(AgreementPtr before, LoadAgreement(scope, id));
    if (before) revision = before->revision();
    auto next = NextState(before.get());
    domain::EvolveAgreement(*next, *staged.event);
    RETURN_IF_ERROR(ClaimIdentifiers(scope, id, before, *next));
    staged.agreement_before = std::move(before);
    staged.agreement_after = next;
    scope.agreements[id] = std::move(next);
  } else {
    ASSIGN_OR_RETURN(PartyPtr before, LoadParty(scope, id));
    if (before) revision = before->revision();
    auto next = NextState(before.get());
    domain::EvolveParty(*next, *staged.event);
    staged.party_before = std::move(before);
    staged.party_after = next;
    scope.parties[id] = std::move(next);
  }
  if (envelope.revision() != revision + 1) {
    return absl::DataLossError(absl::StrCat(
        "the log's event at position ", envelope.position(), " is revision ",
        envelope.revision(), " of ", id, ", which is at revision ", revision, " here"));
  }
  staged.tags =
      EventTagsOf(staged.agreement_before.get(), staged.agreement_after.get(), envelope);
  staged.bytes = bytes;
  staged.leaf_hash = merkle::LeafHash(staged.bytes);
  scope.last_hash[key] = staged.leaf_hash;
  if (std::find(scope.touched.begin(), scope.touched.end(), key) == scope.touched.end()) {
    scope.touched.push_back(key);
  }
  ++scope.next_position;
  scope.events.push_back(std::move(staged));
  return absl::OkStatus();
}

absl::Status Committer::Group::AddRecorded(const sv1::LogRecord& record) {
  Scope scope;
  scope.next_position = next_position_;
  for (const std::string& bytes : record.events()) {
    absl::Status staged = StageRecorded(bytes, scope);
    if (!staged.ok()) {
      return absl::DataLossError(
          absl::StrCat("log record ", record.index(), ": ", staged.message()));
    }
  }
  RETURN_IF_ERROR(ProjectEvents(scope, nullptr));
  for (const auto& request : record.requests()) {
    batch_.Put(store_->requests(), request.request_id(),
               SerializeDeterministic(request.record()));
    requests_[request.request_id()] = request.record();
  }
  return absl::OkStatus();
}

void Committer::Group::FillRecord(sv1::LogRecord& record) const {
  for (const auto& committed : committed_) record.add_events(committed.item->bytes);
  if (!committed_.empty()) {
    record.set_first_position(committed_.front().item->position);
    record.set_count(committed_.size());
  }
  for (const auto& [id, result] : requests_) {
    sv1::RecordedRequest* request = record.add_requests();
    request->set_request_id(id);
    *request->mutable_record() = result;
  }
}

void Committer::Group::KeepStates() {
  for (const auto& [key, position] : last_position_) {
    StateCache::Entry entry;
    entry.position = position;
    if (auto hash = last_hash_.find(key); hash != last_hash_.end()) {
      entry.head_hash = hash->second;
    }
    if (key.first == v1::STREAM_TYPE_AGREEMENT) {
      entry.agreement = agreements_[key.second];
      states_.PutAgreement(key.second, std::move(entry));
    } else {
      entry.party = parties_[key.second];
      states_.PutParty(key.second, std::move(entry));
    }
  }
  for (auto& [prefix, claim] : identifiers_) {
    states_.SetIdentifierOwner(prefix, std::move(claim.first), claim.second);
  }
}

absl::StatusOr<CommitOutcome> Committer::Group::Add(const CommitRequest& request,
                                                    const std::string& fingerprint) {
  ASSIGN_OR_RETURN(auto previous, LoadRequest(request.request_id));
  if (previous) {
    if (previous->fingerprint() != fingerprint) {
      return errors::WithReason(
          errors::InvalidField(
              "request_id", absl::StrCat("\"", request.request_id,
                                         "\" was already used for a different request; "
                                         "use a new request id")),
          errors::kDuplicateRequestId, {{"request_id", request.request_id}});
    }
    ASSIGN_OR_RETURN(CommitOutcome replayed, Replay(*previous));
    // A replay shows the agreements' current state: only to a caller that may write them.
    if (request.writable_sectors.has_value()) {
      for (const AgreementPtr& agreement : replayed.agreements) {
        RETURN_IF_ERROR(
            CheckWritableSectors(*request.writable_sectors, agreement->id(), *agreement));
      }
    }
    return replayed;
  }

  Scope scope;
  scope.next_position = next_position_;
  for (size_t i = 0; i < request.commands.size(); ++i) {
    absl::Status status = ApplyCommand(request, request.commands[i], scope);
    if (!status.ok()) {
      if (request.commands.size() == 1) return status;
      return errors::Nested(status, absl::StrCat("commands[", i, "]"));
    }
  }
  CommitOutcome outcome;
  RETURN_IF_ERROR(Project(request, fingerprint, scope, outcome));
  return outcome;
}

absl::StatusOr<rocksdb::WriteBatch*> Committer::Group::Finish() {
  for (const auto& applier : appliers_) RETURN_IF_ERROR(applier->Flush(sink_));
  batch_.Put(store_->meta(), kMetaHead, EncodeU64(next_position_ - 1));
  return &batch_;
}

Committer::Committer(Store* store, CommitterOptions options)
    : store_(store), options_(std::move(options)), states_(options_.max_cached_states) {}

absl::StatusOr<std::unique_ptr<Committer>> Committer::Start(Store* store,
                                                            CommitterOptions options) {
  if (!options.clock) options.clock = [] { return absl::Now(); };
  std::unique_ptr<Committer> committer(new Committer(store, std::move(options)));
  committer->log_ = committer->options_.log;
  if (committer->log_ == nullptr) {
    committer->owned_log_ =
        std::make_unique<EmbeddedLog>(store, committer->options_.sync);
    committer->log_ = committer->owned_log_.get();
  }
  committer->projection_ = committer->options_.projection;
  if (committer->projection_ == nullptr) {
    ASSIGN_OR_RETURN(committer->owned_projection_,
                     Projection::Start(store, committer->options_.projection_options));
    committer->projection_ = committer->owned_projection_.get();
  }
  RETURN_IF_ERROR(committer->LoadHead());
  if (committer->projection_->applied() != committer->next_position_ - 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("the projection is at position ", committer->projection_->applied(),
                     " but the log's head is ", committer->next_position_ - 1,
                     "; the committer starts only on current views"));
  }
  ASSIGN_OR_RETURN(committer->record_appliers_,
                   MakeAppliers(ApplierContext{store, committer->next_position_ - 1},
                                ApplierStage::kRecord));
  committer->responder_ = std::thread([c = committer.get()] { c->Respond(); });
  committer->thread_ = std::thread([c = committer.get()] { c->Run(); });
  return committer;
}

absl::Status Committer::LoadHead() {
  ASSIGN_OR_RETURN(uint64_t head, store_->ReadHead());
  next_position_ = head + 1;
  if (head > 0) {
    ASSIGN_OR_RETURN(std::string bytes, store_->Get(store_->log(), LogKey(head)));
    v1::Event last;
    if (!last.ParseFromString(bytes)) {
      return absl::DataLossError(absl::StrCat("event at position ", head, " is corrupt"));
    }
    last_recorded_at_ = absl::FromUnixNanos(
        TimeUtil::TimestampToNanoseconds(last.envelope().recorded_at()));
  }
  uint64_t index = 0, term = 0;
  auto mark = store_->Get(store_->meta(), kMetaRecord);
  if (mark.ok() && !DecodeRecordMark(*mark, index, term)) {
    return absl::DataLossError("meta/record is not 16 bytes");
  }
  if (!mark.ok() && !absl::IsNotFound(mark.status())) return mark.status();
  if (log_->replicated() && head > 0 && index == 0) {
    return absl::FailedPreconditionError(
        "the data directory holds events but no record of a replicated log: a cluster "
        "node starts from an empty directory or from another node's backup");
  }
  absl::MutexLock lock(&mu_);
  committed_position_ = head;
  record_index_ = index;
  record_term_ = term;
  if (log_->replicated()) {
    writer_ = false;
    not_writer_ = absl::UnavailableError(
        "this node is a replica and no writer is known yet; retry shortly");
  }
  return absl::OkStatus();
}

Committer::~Committer() { Shutdown(); }

void Committer::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  absl::MutexLock join_lock(&join_mu_);
  if (thread_.joinable()) thread_.join();
  {
    absl::MutexLock lock(&answers_mu_);
    answers_stopping_ = true;
  }
  if (responder_.joinable()) responder_.join();
  if (owned_projection_ != nullptr) owned_projection_->Shutdown();
}

size_t Committer::RequestBytes(const CommitRequest& request) {
  size_t bytes = request.request_id.size() + request.reason.size();
  for (const auto& command : request.commands) bytes += command.ByteSizeLong();
  return bytes;
}

void Committer::Submit(CommitRequest request, CommitCallback done) {
  // Unknown fields would be kept forever in the immutable log: drop them first.
  for (auto& command : request.commands) command.DiscardUnknownFields();
  if (absl::Status checked = CheckRequest(request, options_); !checked.ok()) {
    done(checked);
    return;
  }
  std::string fingerprint = Fingerprint(request);
  const size_t bytes = RequestBytes(request);
  absl::Status refused;
  {
    absl::MutexLock lock(&mu_);
    if (!failure_.ok()) {
      refused = failure_;
    } else if (!writer_) {
      refused = not_writer_;
    } else if (stopping_) {
      refused = absl::UnavailableError("the registry is shutting down");
    } else if (queue_.size() >= options_.max_pending_requests ||
               queued_bytes_ + bytes > options_.max_pending_bytes) {
      refused = absl::ResourceExhaustedError(
          "too many commands waiting to be committed; retry with backoff");
    } else {
      queued_bytes_ += bytes;
      queue_.push_back(
          Pending{std::move(request), std::move(done), bytes, std::move(fingerprint)});
      return;
    }
  }
  done(refused);
}

absl::StatusOr<CommitOutcome> Committer::Commit(CommitRequest request) {
  absl::Mutex mu;
  bool done = false;
  absl::StatusOr<CommitOutcome> answer;
  Submit(std::move(request), [&](absl::StatusOr<CommitOutcome> outcome) {
    absl::MutexLock lock(&mu);
    answer = std::move(outcome);
    done = true;
  });
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(&done));
  return answer;
}

uint64_t Committer::committed_position() const {
  absl::MutexLock lock(&mu_);
  return committed_position_;
}

size_t Committer::queued() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

bool Committer::WaitForPosition(uint64_t position, absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  auto reached = [this, position]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return committed_position_ >= position;
  };
  return mu_.AwaitWithDeadline(absl::Condition(&reached), deadline);
}

void Committer::Run() {
  while (true) {
    std::vector<Pending> group;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || !queue_.empty() || !tasks_.empty();
      };
      mu_.Await(absl::Condition(&ready));
      if (!tasks_.empty()) {
        std::function<void()> task = std::move(tasks_.front());
        tasks_.pop_front();
        mu_.Unlock();
        task();
        mu_.Lock();
        continue;
      }
      if (queue_.empty()) return;  // stopping, and everything queued is answered
      size_t group_bytes = 0;
      group.reserve(std::min(queue_.size(), options_.max_group_requests));
      while (!queue_.empty() && group.size() < options_.max_group_requests &&
             (group.empty() ||
              group_bytes + queue_.front().bytes <= options_.max_group_bytes)) {
        group_bytes += queue_.front().bytes;
        queued_bytes_ -= queue_.front().bytes;
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (options_.TEST_before_group) options_.TEST_before_group();
    CommitGroup(group);
  }
}

void Committer::Answer(std::vector<Pending>& pending,
                       std::vector<absl::StatusOr<CommitOutcome>> answers) {
  Answers group{std::move(pending), std::move(answers)};
  absl::MutexLock lock(&answers_mu_);
  answers_.push_back(std::move(group));
}

void Committer::Fail(std::vector<Pending>& pending, const absl::Status& status) {
  Answer(pending, std::vector<absl::StatusOr<CommitOutcome>>(pending.size(), status));
}

void Committer::CommitGroup(std::vector<Pending>& pending) {
  absl::Status refused;
  uint64_t record_index = 0, record_term = 0;
  {
    absl::MutexLock lock(&mu_);
    refused = !failure_.ok() ? failure_ : (writer_ ? absl::OkStatus() : not_writer_);
    record_index = record_index_;
    record_term = record_term_;
  }
  if (!refused.ok()) {
    Fail(pending, refused);
    return;
  }
  states_.Evict(projection_->applied());
  const absl::Time recorded_at = std::max(options_.clock(), last_recorded_at_);
  Group group(store_, options_, next_position_, recorded_at, record_appliers_, states_);
  std::vector<absl::StatusOr<CommitOutcome>> answers;
  answers.reserve(pending.size());
  for (const auto& p : pending) answers.push_back(group.Add(p.request, p.fingerprint));

  if (!group.dirty()) {
    // Nothing new to write: every request failed validation or replays a durable result.
    Answer(pending, std::move(answers));
    return;
  }
  absl::StatusOr<rocksdb::WriteBatch*> batch = group.Finish();
  sv1::LogRecord record;
  if (batch.ok() && log_->replicated()) {
    record.set_index(record_index + 1);
    record.set_term(record_term);
    group.FillRecord(record);
    (*batch)->Put(store_->meta(), kMetaRecord,
                  EncodeRecordMark(record.index(), record.term()));
  }
  rocksdb::Status injected =
      options_.TEST_write_status ? options_.TEST_write_status() : rocksdb::Status::OK();
  const absl::Time write_start = absl::Now();
  AppendResult appended;
  if (!batch.ok()) {
    appended =
        AppendResult::Failed(AppendResult::Kind::kLocalWriteFailed, batch.status());
  } else if (!injected.ok()) {
    appended = AppendResult::Failed(AppendResult::Kind::kLocalWriteFailed,
                                    FromRocksStatus(injected, "writing the log"));
  } else {
    appended = log_->Append(log_->replicated() ? &record : nullptr, **batch);
  }
  const absl::Duration write_time = absl::Now() - write_start;
  switch (appended.kind) {
    case AppendResult::Kind::kDurable:
      break;
    case AppendResult::Kind::kFenced:
      LoseWriterRole(appended.status);
      Fail(pending, absl::UnavailableError(absl::StrCat(
                        "this node lost the writer role before the commands were "
                        "committed (",
                        appended.status.message(),
                        "); nothing of them was recorded: retry at the writer")));
      return;
    case AppendResult::Kind::kNotWritten:
      Fail(pending,
           absl::UnavailableError(absl::StrCat(
               "the log of record did not take the commands (", appended.status.message(),
               "); nothing of them was recorded: retry with backoff")));
      return;
    case AppendResult::Kind::kUnknown:
      LoseWriterRole(appended.status);
      Fail(pending, errors::WithReason(
                        absl::UnavailableError(absl::StrCat(
                            "the log of record could not be reached to commit the "
                            "commands (",
                            appended.status.message(),
                            "); their outcome is unknown: retry with the same request "
                            "ids")),
                        errors::kOutcomeUnknown));
      return;
    case AppendResult::Kind::kLocalWriteFailed: {
      // The batch may or may not be in the WAL: its positions cannot be reused. Stop
      // committing until a restart re-reads the head from the store.
      const absl::Status failure = errors::WithReason(
          absl::UnavailableError(absl::StrCat(
              "the store refused a write (", appended.status.message(),
              "); the outcome of commands in flight is unknown: restart the server and "
              "retry with the same request ids")),
          errors::kOutcomeUnknown);
      Stop(failure);
      Fail(pending, failure);
      return;
    }
  }
  if (log_->replicated()) {
    absl::MutexLock lock(&mu_);
    record_index_ = record.index();
  }
  if (options_.on_group_written) {
    options_.on_group_written(pending.size(), group.next_position() - next_position_,
                              write_time);
  }
  last_recorded_at_ = recorded_at;
  Published(group, (*batch)->Count());
  // The answers (building and sending each RPC's response) run on the responder thread,
  // so that the committer goes on with the next group.
  Answer(pending, std::move(answers));
  // May wait while the views lag too far behind: the next group waits with it.
  projection_->Enqueue(group.TakeCommitted());
}

void Committer::Published(Group& group, uint64_t keys) {
  group.KeepStates();
  next_position_ = group.next_position();
  {
    absl::MutexLock lock(&mu_);
    committed_position_ = next_position_ - 1;
    ++groups_written_;
    last_group_keys_ = keys;
  }
  if (options_.feed_hub != nullptr) options_.feed_hub->Publish(group.TakeFeedItems());
}

void Committer::Stop(const absl::Status& status) {
  {
    absl::MutexLock lock(&mu_);
    if (!failure_.ok()) return;
    failure_ = status;
  }
  if (options_.on_write_failure) options_.on_write_failure(status);
}

void Committer::Respond() {
  while (true) {
    Answers batch;
    {
      absl::MutexLock lock(&answers_mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(answers_mu_) {
        return answers_stopping_ || !answers_.empty();
      };
      answers_mu_.Await(absl::Condition(&ready));
      if (answers_.empty()) return;  // stopping, and every answer is given
      batch = std::move(answers_.front());
      answers_.pop_front();
    }
    for (size_t i = 0; i < batch.pending.size(); ++i) {
      batch.pending[i].done(std::move(batch.answers[i]));
    }
  }
}

uint64_t Committer::TEST_groups_written() const {
  absl::MutexLock lock(&mu_);
  return groups_written_;
}

uint64_t Committer::TEST_last_group_keys() const {
  absl::MutexLock lock(&mu_);
  return last_group_keys_;
}

}  // namespace agreements::store
