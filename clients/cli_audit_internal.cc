#include "clients/cli_audit_internal.h"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "clients/cli_values.h"
#include "common/status_macros.h"
#include "google/protobuf/util/time_util.h"

namespace agreements::cli {
namespace {

// A usage error when `key` is not a well-formed verifier key. The parsing (and the key
// id check) is note::VerifyCheckpoint's: on an empty note it reports a malformed key
// before it looks at the note.
absl::Status CheckVerifierKey(const std::string& key, absl::string_view source) {
  const absl::StatusOr<note::Checkpoint> probe = note::VerifyCheckpoint("", key);
  if (probe.status().code() == absl::StatusCode::kInvalidArgument &&
      absl::StartsWith(probe.status().message(), "verifier key")) {
    return UsageError(absl::StrCat(source, ": ", probe.status().message(),
                                   " (e.g. agreements-registry+1a2b3c4d+AW5h...)"));
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<FlagSpec> VerifierKeyFlagSpecs() {
  return {{"key", "VERIFIER_KEY",
           "the pinned verifier key, <name>+<id>+<base64 key> (default: "
           "$AGREEMENTS_VERIFIER_KEY)"},
          {"key-file", "FILE", "read the verifier key from FILE"}};
}

absl::StatusOr<std::optional<std::string>> VerifierKeyFlag(const ParsedArgs& args) {
  std::optional<std::string> key = args.Get("key");
  std::string source = "--key";
  if (std::optional<std::string> path = args.Get("key-file")) {
    if (key.has_value()) return UsageError("give --key or --key-file, not both");
    ASSIGN_OR_RETURN(std::string content, ReadFile(*path));
    for (absl::string_view line : absl::StrSplit(content, '\n')) {
      line = absl::StripAsciiWhitespace(line);
      if (!line.empty()) {
        key = std::string(line);
        break;
      }
    }
    if (!key.has_value())
      return UsageError(absl::StrCat("--key-file: ", *path, " is empty"));
    source = absl::StrCat("--key-file ", *path);
  } else if (!key.has_value()) {
    const char* env = std::getenv(kVerifierKeyEnv);
    if (env == nullptr || *env == '\0') return std::optional<std::string>();
    key = std::string(absl::StripAsciiWhitespace(env));
    source = kVerifierKeyEnv;
  }
  RETURN_IF_ERROR(CheckVerifierKey(*key, source));
  return key;
}

absl::StatusOr<std::string> RequiredVerifierKey(const ParsedArgs& args,
                                                absl::string_view command) {
  ASSIGN_OR_RETURN(std::optional<std::string> key, VerifierKeyFlag(args));
  if (!key.has_value()) {
    return UsageError(absl::StrCat(
        command, " needs the verifier key: --key, --key-file or $", kVerifierKeyEnv,
        " (get it from a trusted channel; 'agreements audit checkpoint' shows the key "
        "the server claims)"));
  }
  return *key;
}

absl::StatusOr<note::Checkpoint> VerifyCheckpointResponse(
    const v1::GetCheckpointResponse& response, const std::string& verifier_key) {
  absl::StatusOr<note::Checkpoint> checkpoint =
      note::VerifyCheckpoint(response.note(), verifier_key);
  if (!checkpoint.ok()) {
    return VerificationError(
        absl::StrCat("checkpoint signature: ", checkpoint.status().message()));
  }
  if (checkpoint->size != response.tree_size() ||
      HashBytes(checkpoint->root) != response.root_hash()) {
    return VerificationError(absl::StrCat(
        "checkpoint: the response says size ", response.tree_size(), " root ",
        Base64(response.root_hash()), " but the signed note says size ", checkpoint->size,
        " root ", Base64(checkpoint->root)));
  }
  return checkpoint;
}

std::string KeyName(const std::string& verifier_key) {
  return std::string(verifier_key.substr(0, verifier_key.find('+')));
}

std::string HashBytes(const merkle::Hash& hash) {
  return std::string(reinterpret_cast<const char*>(hash.data()), hash.size());
}

std::string Base64(absl::string_view bytes) { return absl::Base64Escape(bytes); }

std::string Base64(const merkle::Hash& hash) { return Base64(HashBytes(hash)); }

absl::StatusOr<v1::AsOf> AsOfFlag(const ParsedArgs& args) {
  v1::AsOf as_of;
  std::optional<std::string> text = args.Get("as-of");
  if (!text.has_value()) return as_of;
  if (!text->empty() && std::all_of(text->begin(), text->end(), absl::ascii_isdigit)) {
    ASSIGN_OR_RETURN(uint64_t position, ParseUint64("as-of", *text));
    if (position == 0) return UsageError("--as-of: positions start at 1");
    as_of.set_position(position);
    return as_of;
  }
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, *text, &time, &error)) {
    return UsageError(absl::StrCat("--as-of: \"", *text,
                                   "\" is neither a position nor an RFC 3339 time "
                                   "(e.g. 2026-01-31T12:00:00Z)"));
  }
  *as_of.mutable_recorded_at() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(time));
  return as_of;
}

FlagSpec AsOfFlagSpec() {
  return {"as-of", "POSITION|TIME",
          "as recorded at a global position or an RFC 3339 time (default: now)"};
}

absl::StatusOr<absl::Duration> PositiveDurationFlag(const ParsedArgs& args,
                                                    const std::string& name,
                                                    absl::Duration fallback) {
  std::optional<std::string> text = args.Get(name);
  if (!text.has_value()) return fallback;
  absl::Duration value;
  if (!absl::ParseDuration(*text, &value) || value <= absl::ZeroDuration()) {
    return UsageError(absl::StrCat("--", name, ": \"", *text,
                                   "\" is not a positive duration (e.g. 500ms, 10s)"));
  }
  return value;
}

}  // namespace agreements::cli
