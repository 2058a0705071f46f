// Audit commands that check the verifiable log (docs/audit.md) with a pinned verifier
// key: `audit checkpoint` (a signed checkpoint) and `audit prove` (an event's inclusion
// proof against a verified checkpoint). `audit follow` is in cli_audit_follow.cc,
// `audit export` and `audit verify` (offline bundles) in cli_audit_bundle.cc.
// Verification uses common/signed_note.h and common/merkle.h and trusts nothing the
// server says about itself: the note is checked with the pinned key, the event bytes are
// hashed here and the proof must lead to the signed root.
#include <algorithm>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "agreements/v1/audit_service.pb.h"
#include "agreements/v1/events.pb.h"
#include "clients/cli_audit_internal.h"
#include "clients/cli_commands.h"
#include "clients/cli_values.h"
#include "common/merkle.h"
#include "common/signed_note.h"
#include "common/status_macros.h"

namespace agreements::cli {
namespace {

// How often `audit prove --wait` asks for a newer checkpoint.
constexpr absl::Duration kCheckpointPollInterval = absl::Milliseconds(200);

// --size N: 0 (the latest checkpoint) when absent.
absl::StatusOr<uint64_t> SizeFlag(const ParsedArgs& args) {
  std::optional<std::string> text = args.Get("size");
  if (!text.has_value()) return 0;
  ASSIGN_OR_RETURN(uint64_t size, ParseUint64("size", *text));
  if (size == 0) return UsageError("--size: a checkpoint size is at least 1");
  return size;
}

// The checkpoint at `size` (0: the latest), verified with `key`; a checkpoint asked for
// by size must be of that size.
absl::StatusOr<std::pair<v1::GetCheckpointResponse, note::Checkpoint>> VerifiedCheckpoint(
    const client::RegistryClient& client, uint64_t size, const std::string& key) {
  v1::GetCheckpointRequest request;
  request.set_tree_size(size);
  ASSIGN_OR_RETURN(v1::GetCheckpointResponse response, client.GetCheckpoint(request));
  ASSIGN_OR_RETURN(note::Checkpoint checkpoint, VerifyCheckpointResponse(response, key));
  if (size != 0 && checkpoint.size != size) {
    return VerificationError(absl::StrCat("checkpoint: asked for size ", size,
                                          ", got a signed checkpoint of size ",
                                          checkpoint.size));
  }
  return std::make_pair(std::move(response), std::move(checkpoint));
}

absl::Status RunCheckpoint(Env& env) {
  ASSIGN_OR_RETURN(const uint64_t size, SizeFlag(env.args()));
  ASSIGN_OR_RETURN(std::optional<std::string> key, VerifierKeyFlag(env.args()));
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  if (!key.has_value()) {
    v1::GetCheckpointRequest request;
    request.set_tree_size(size);
    ASSIGN_OR_RETURN(v1::GetCheckpointResponse response, client->GetCheckpoint(request));
    std::cerr << "warning: the checkpoint was NOT verified: no verifier key was given "
                 "(--key, --key-file or $"
              << kVerifierKeyEnv
              << "). The verifier key below is what the server claims; pin it only if "
                 "it matches the key published through a trusted channel.\n";
    env.Print(response, [&] {
      env.out() << "origin: " << response.note().substr(0, response.note().find('\n'))
                << "\nsize: " << response.tree_size()
                << "\nroot: " << Base64(response.root_hash())
                << "\nsignature: NOT VERIFIED (no verifier key given)"
                << "\nverifier key (unverified): " << response.verifier_key() << "\n";
    });
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(auto verified, VerifiedCheckpoint(*client, size, *key));
  const note::Checkpoint& checkpoint = verified.second;
  env.Print(verified.first, [&] {
    env.out() << "origin: " << checkpoint.origin << "\nsize: " << checkpoint.size
              << "\nroot: " << Base64(checkpoint.root) << "\nsignature: verified by "
              << KeyName(*key) << "\n";
  });
  return absl::OkStatus();
}

// The latest verified checkpoint, waiting up to `wait` for one that covers `position`.
absl::StatusOr<std::pair<v1::GetCheckpointResponse, note::Checkpoint>>
LatestCheckpointCovering(const client::RegistryClient& client, const std::string& key,
                         uint64_t position, absl::Duration wait) {
  const absl::Time deadline = absl::Now() + wait;
  while (true) {
    ASSIGN_OR_RETURN(auto verified, VerifiedCheckpoint(client, 0, key));
    if (verified.second.size >= position || absl::Now() >= deadline) return verified;
    absl::SleepFor(std::min(kCheckpointPollInterval, deadline - absl::Now()));
  }
}

// Checks `proof` (the answer for `position` at the checkpoint's size) against the
// checkpoint's root, hashing the event bytes here; returns the event they hold.
absl::StatusOr<v1::Event> VerifyInclusion(const v1::GetInclusionProofResponse& proof,
                                          uint64_t position,
                                          const note::Checkpoint& checkpoint) {
  if (proof.position() != position || proof.tree_size() != checkpoint.size) {
    return VerificationError(
        absl::StrCat("inclusion: asked for position ", position, " at tree size ",
                     checkpoint.size, ", the server answered for position ",
                     proof.position(), " at tree size ", proof.tree_size()));
  }
  const merkle::Hash leaf = merkle::LeafHash(proof.event());
  const std::vector<std::string> hashes(proof.proof().begin(), proof.proof().end());
  const absl::Status status = merkle::VerifyInclusionBytes(
      position - 1, checkpoint.size, HashBytes(leaf), hashes, HashBytes(checkpoint.root));
  if (!status.ok()) {
    return VerificationError(absl::StrCat(
        "inclusion: the event bytes returned for position ", position,
        " and their proof do not lead to the signed root of tree size ", checkpoint.size,
        " (", absl::StatusCodeToString(status.code()), ": ", status.message(), ")"));
  }
  v1::Event event;
  if (!event.ParseFromString(proof.event())) {
    return VerificationError(absl::StrCat("inclusion: the leaf at position ", position,
                                          " is in the tree but is not an Event"));
  }
  if (event.envelope().position() != position) {
    return VerificationError(absl::StrCat("inclusion: the leaf at position ", position,
                                          " holds the event of position ",
                                          event.envelope().position()));
  }
  return event;
}

absl::Status RunProve(Env& env) {
  const ParsedArgs& args = env.args();
  const std::string& text = args.positional()[0];
  const absl::StatusOr<uint64_t> position_or = ParseUint64("position", text);
  if (!position_or.ok() || *position_or == 0) {
    return UsageError(
        absl::StrCat("POSITION: \"", text, "\" is not a position (1, 2, ...)"));
  }
  const uint64_t position = *position_or;
  ASSIGN_OR_RETURN(const uint64_t size, SizeFlag(args));
  ASSIGN_OR_RETURN(const absl::Duration wait,
                   PositiveDurationFlag(args, "wait", absl::Nanoseconds(1)));
  if (size != 0 && args.Has("wait")) return UsageError("give --size or --wait, not both");
  ASSIGN_OR_RETURN(const std::string key, RequiredVerifierKey(args, "audit prove"));
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  std::pair<v1::GetCheckpointResponse, note::Checkpoint> verified;
  if (size != 0) {
    ASSIGN_OR_RETURN(verified, VerifiedCheckpoint(*client, size, key));
  } else {
    ASSIGN_OR_RETURN(verified, LatestCheckpointCovering(*client, key, position, wait));
  }
  const note::Checkpoint& checkpoint = verified.second;
  v1::GetInclusionProofRequest request;
  request.set_position(position);
  request.set_tree_size(checkpoint.size);
  ASSIGN_OR_RETURN(v1::GetInclusionProofResponse proof,
                   client->GetInclusionProof(request));
  ASSIGN_OR_RETURN(v1::Event event, VerifyInclusion(proof, position, checkpoint));
  env.Print(proof, [&] {
    const v1::EventEnvelope& e = event.envelope();
    env.out() << "position: " << e.position() << "\nstream: " << EnumName(e.stream_type())
              << "/" << e.stream_id() << "\nrevision: " << e.revision()
              << "\nevent: " << e.event_type()
              << "\nleaf hash: " << Base64(merkle::LeafHash(proof.event()))
              << "\ncheckpoint: " << checkpoint.origin << " size " << checkpoint.size
              << " root " << Base64(checkpoint.root) << ", signature verified by "
              << KeyName(key) << "\ninclusion: verified at tree size " << checkpoint.size
              << "\n";
  });
  return absl::OkStatus();
}

}  // namespace

std::vector<CommandSpec> AuditCommands() {
  std::vector<CommandSpec> commands;
  CommandSpec checkpoint;
  checkpoint.path = "audit checkpoint";
  checkpoint.summary = "fetch a signed checkpoint of the log and verify its signature";
  checkpoint.details =
      "Fetches the latest checkpoint (or the one published at --size N) and verifies\n"
      "the note's signature with the pinned verifier key. Prints origin, size, root\n"
      "(base64) and \"signature: verified by NAME\"; a signature that does not verify\n"
      "exits 4 with \"error: DATA_LOSS: ...\". Without a key it prints the checkpoint "
      "and\n"
      "the verifier key the server claims, with a warning that nothing was verified\n"
      "(exit 0). -o json: the GetCheckpointResponse.";
  checkpoint.flags = {{"size", "N", "the checkpoint published at tree size N"}};
  for (FlagSpec& flag : VerifierKeyFlagSpecs()) checkpoint.flags.push_back(flag);
  checkpoint.run = RunCheckpoint;
  commands.push_back(std::move(checkpoint));

  CommandSpec prove;
  prove.path = "audit prove";
  prove.args_usage = "POSITION";
  prove.min_args = prove.max_args = 1;
  prove.summary = "prove that the event at POSITION is in the signed log";
  prove.details =
      "Verifies the checkpoint (the latest, or the one at --size N) with the pinned\n"
      "key, fetches the event's exact stored bytes and inclusion proof at that size,\n"
      "hashes the bytes here and checks the proof against the signed root. Prints the\n"
      "event (position, stream, revision, type) and \"inclusion: verified at tree size\n"
      "N\"; any failure exits 4 with the reason. A position newer than the latest\n"
      "checkpoint is refused by the server (exit 2) unless --wait gives the next\n"
      "checkpoint time to cover it. -o json: the GetInclusionProofResponse.";
  prove.flags = {
      {"size", "N", "prove against the checkpoint published at tree size N"},
      {"wait", "DURATION", "wait up to DURATION for a checkpoint that covers POSITION"}};
  for (FlagSpec& flag : VerifierKeyFlagSpecs()) prove.flags.push_back(flag);
  prove.run = RunProve;
  commands.push_back(std::move(prove));

  commands.push_back(AuditFollowCommand());
  for (CommandSpec& command : AuditBundleCommands())
    commands.push_back(std::move(command));
  for (CommandSpec& command : AuditHistoryCommands())
    commands.push_back(std::move(command));
  return commands;
}

}  // namespace agreements::cli
