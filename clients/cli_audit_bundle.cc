// Offline audit bundles (docs/audit.md; proto/agreements/v1/audit_bundle.proto):
// `audit export` fetches one stream's completeness proof and each event's inclusion
// proof at the same signed checkpoint and writes them to one file; `audit verify` checks
// such a file with the pinned verifier key and no server: the checkpoint's signature,
// the stream's leaf in the stream-head map, the per-stream hash chain (nothing left out,
// inserted, changed or withheld) and each event's inclusion in the signed log tree.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agreements/v1/audit_bundle.pb.h"
#include "agreements/v1/audit_service.pb.h"
#include "agreements/v1/events.pb.h"
#include "clients/cli_audit_internal.h"
#include "clients/cli_commands.h"
#include "clients/cli_values.h"
#include "common/audit_bundle.h"
#include "common/status_macros.h"

namespace agreements::cli {
namespace {

// "agreement/ID" or "party/ID".
std::string StreamName(const v1::AuditBundle& bundle) {
  return absl::StrCat(EnumName(bundle.stream_type()), "/", bundle.stream_id());
}

// Every check of `audit verify` (common/audit_bundle.h); the first failure is a
// VerificationError naming what failed.
absl::Status VerifyBundle(const v1::AuditBundle& bundle, const std::string& key) {
  const absl::Status verified = audit::VerifyBundle(bundle, key);
  return verified.ok() ? verified : VerificationError(verified.message());
}

// Writes `bytes` to `path` through a temporary file renamed into place.
absl::Status WriteBundleFile(const std::string& path, const std::string& bytes) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      std::remove(temp.c_str());
      return LocalError(absl::UnavailableError(absl::StrCat(path, ": cannot write")));
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    return LocalError(absl::UnavailableError(absl::StrCat(path, ": cannot write")));
  }
  return absl::OkStatus();
}

absl::Status RunExport(Env& env) {
  const ParsedArgs& args = env.args();
  uint64_t size = 0;
  if (std::optional<std::string> text = args.Get("size")) {
    ASSIGN_OR_RETURN(size, ParseUint64("size", *text));
    if (size == 0) return UsageError("--size: a checkpoint size is at least 1");
  }
  const std::optional<std::string> out_path = args.Get("out");
  if (!out_path.has_value() || out_path->empty()) {
    return UsageError("audit export needs --out FILE");
  }
  ASSIGN_OR_RETURN(const std::optional<std::string> key, VerifierKeyFlag(args));
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());

  v1::GetCompletenessProofRequest request;
  request.set_stream_type(args.Has("party") ? v1::STREAM_TYPE_PARTY
                                            : v1::STREAM_TYPE_AGREEMENT);
  request.set_stream_id(args.positional()[0]);
  request.set_tree_size(size);
  ASSIGN_OR_RETURN(v1::GetCompletenessProofResponse completeness,
                   client->GetCompletenessProof(request));

  v1::AuditBundle bundle;
  bundle.set_format(audit::kBundleFormat);
  bundle.set_stream_type(request.stream_type());
  bundle.set_stream_id(request.stream_id());
  bundle.set_checkpoint_note(completeness.checkpoint_note());
  bundle.set_tree_size(completeness.tree_size());
  bundle.set_map_leaf(completeness.map_leaf());
  bundle.set_map_index(completeness.map_index());
  *bundle.mutable_map_proof() = completeness.map_proof();
  for (int i = 0; i < completeness.events_size(); ++i) {
    const std::string& bytes = completeness.events(i);
    v1::Event event;
    if (!event.ParseFromString(bytes) || event.envelope().position() == 0) {
      return VerificationError(
          absl::StrCat("events[", i, "]: the server sent bytes that are not an event"));
    }
    v1::GetInclusionProofRequest inclusion_request;
    inclusion_request.set_position(event.envelope().position());
    inclusion_request.set_tree_size(completeness.tree_size());
    ASSIGN_OR_RETURN(v1::GetInclusionProofResponse inclusion,
                     client->GetInclusionProof(inclusion_request));
    bundle.add_events(bytes);
    *bundle.add_inclusion_proofs()->mutable_hashes() = inclusion.proof();
  }
  if (key.has_value()) RETURN_IF_ERROR(VerifyBundle(bundle, *key));
  RETURN_IF_ERROR(WriteBundleFile(*out_path, bundle.SerializeAsString()));
  if (!key.has_value()) {
    std::cerr << "warning: the bundle was NOT verified before writing: no verifier key "
                 "was given (--key, --key-file or $"
              << kVerifierKeyEnv << ")\n";
  }
  env.out() << "exported: " << bundle.events_size() << " events of " << StreamName(bundle)
            << " up to tree size " << bundle.tree_size() << " to " << *out_path
            << (key.has_value() ? absl::StrCat(" (verified by ", KeyName(*key), ")")
                                : std::string(" (not verified)"))
            << "\n";
  return absl::OkStatus();
}

absl::Status RunVerify(Env& env) {
  const ParsedArgs& args = env.args();
  ASSIGN_OR_RETURN(const std::string key, RequiredVerifierKey(args, "audit verify"));
  const std::string& path = args.positional()[0];
  ASSIGN_OR_RETURN(const std::string bytes, ReadFile(path));
  v1::AuditBundle bundle;
  if (!bundle.ParseFromString(bytes)) {
    return VerificationError(absl::StrCat(path, ": not an audit bundle"));
  }
  RETURN_IF_ERROR(VerifyBundle(bundle, key));
  env.out() << "verified: " << bundle.events_size() << " events of " << StreamName(bundle)
            << " complete up to tree size " << bundle.tree_size()
            << ", each included in the signed log\n";
  return absl::OkStatus();
}

}  // namespace

std::vector<CommandSpec> AuditBundleCommands() {
  std::vector<CommandSpec> commands;
  CommandSpec export_command;
  export_command.path = "audit export";
  export_command.args_usage = "ID";
  export_command.min_args = export_command.max_args = 1;
  export_command.summary = "write an offline audit bundle of an agreement (or --party)";
  export_command.details =
      "Fetches the stream's completeness proof at the latest checkpoint (or the one\n"
      "at --size N) and each event's inclusion proof at that size, and writes them with\n"
      "the signed checkpoint to FILE (AuditBundle, binary protobuf, format\n"
      "\"agreements-audit-bundle/1\"). With a verifier key the bundle is verified first\n"
      "(as by audit verify) and nothing is written if it fails (exit 4). Prints one\n"
      "line: events, tree size, file.";
  export_command.flags = {{"party", "", "ID is a party"},
                          {"size", "N", "the checkpoint published at tree size N"},
                          {"out", "FILE", "where to write the bundle (required)"}};
  for (FlagSpec& flag : VerifierKeyFlagSpecs()) export_command.flags.push_back(flag);
  export_command.run = RunExport;
  commands.push_back(std::move(export_command));

  CommandSpec verify;
  verify.path = "audit verify";
  verify.args_usage = "FILE";
  verify.min_args = verify.max_args = 1;
  verify.summary = "verify an offline audit bundle with the pinned key (no server)";
  verify.details =
      "Checks the bundle written by audit export, without contacting any server: the\n"
      "format, the checkpoint's signature by the pinned key, the stream's leaf in the\n"
      "stream-head map, the hash chain of the events (none left out, inserted, changed\n"
      "or withheld) and each event's inclusion proof against the signed root. Prints\n"
      "\"verified: N events of STREAM complete up to tree size S, each included in the\n"
      "signed log\"; any failure exits 4 naming what failed. The key is required.";
  verify.flags = VerifierKeyFlagSpecs();
  verify.run = RunVerify;
  commands.push_back(std::move(verify));
  return commands;
}

}  // namespace agreements::cli
