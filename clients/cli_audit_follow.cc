// `agreements audit follow`: a monitor of the verifiable log. It keeps the last verified
// checkpoint (the signed note) in a state file; on every poll it verifies the latest
// checkpoint's signature with the pinned key and, when the log grew, the consistency
// proof between the kept checkpoint and the new one. A proof that fails, a second root
// for a size already verified or a log that shrank is a rewritten history: an ALERT line
// and exit status 4.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agreements/v1/audit_service.pb.h"
#include "clients/cli_audit_internal.h"
#include "clients/cli_commands.h"
#include "clients/cli_signal.h"
#include "clients/cli_values.h"
#include "clients/feed_resume.h"
#include "common/merkle.h"
#include "common/signed_note.h"
#include "common/status_macros.h"

namespace agreements::cli {
namespace {

constexpr char kStateDirEnv[] = "AGREEMENTS_STATE_DIR";
constexpr char kStateFileName[] = "checkpoint";
constexpr absl::Duration kDefaultInterval = absl::Seconds(10);
// Retries after UNAVAILABLE or DEADLINE_EXCEEDED: 100 ms doubling to 10 s, jittered.
constexpr absl::Duration kRetryInitial = absl::Milliseconds(100);
constexpr absl::Duration kRetryMax = absl::Seconds(10);
constexpr double kRetryJitter = 0.2;

// --state, else $AGREEMENTS_STATE_DIR/checkpoint, else ~/.agreements/checkpoint.
absl::StatusOr<std::string> StatePath(const ParsedArgs& args) {
  if (std::optional<std::string> path = args.Get("state")) return *path;
  if (const char* dir = std::getenv(kStateDirEnv); dir != nullptr && *dir != '\0') {
    return absl::StrCat(dir, "/", kStateFileName);
  }
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') {
    return UsageError(
        absl::StrCat("audit follow: no $HOME; give --state FILE or $", kStateDirEnv));
  }
  return absl::StrCat(home, "/.agreements/", kStateFileName);
}

// The file that holds the last verified checkpoint: the signed note as the server sent
// it. Used by one thread.
class StateFile {
 public:
  explicit StateFile(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }

  // The kept checkpoint, its signature checked again with `key`; nullopt when the file
  // does not exist. A note that does not verify is a VerificationError.
  absl::StatusOr<std::optional<note::Checkpoint>> Load(const std::string& key) const {
    std::error_code error;
    if (!std::filesystem::exists(path_, error)) {
      return std::optional<note::Checkpoint>();
    }
    ASSIGN_OR_RETURN(std::string content, ReadFile(path_));
    absl::StatusOr<note::Checkpoint> kept = note::VerifyCheckpoint(content, key);
    if (!kept.ok()) {
      return VerificationError(absl::StrCat(
          "state file ", path_,
          ": the kept checkpoint does not verify with the pinned key (",
          kept.status().message(),
          "): it was changed, or kept for another key or log (remove it to start over)"));
    }
    return std::optional<note::Checkpoint>(*std::move(kept));
  }

  // Replaces the file's content with `note` atomically (a temporary file, fsync, rename),
  // creating the directory when needed.
  absl::Status Store(const std::string& note) const {
    return WriteFileAtomically(path_, note);
  }

 private:
  const std::string path_;
};

// One monitor run. Run() is called by one thread; Stop() from any thread.
class Follower {
 public:
  Follower(std::ostream& out, const client::RegistryClient& client, std::string key,
           StateFile state, uint64_t limit, absl::Duration interval)
      : out_(out),
        client_(client),
        key_(std::move(key)),
        state_(std::move(state)),
        limit_(limit),
        interval_(interval) {}

  // Polls until Stop(), --limit new checkpoints, an error or an alert.
  absl::Status Run() {
    absl::StatusOr<std::optional<note::Checkpoint>> kept = state_.Load(key_);
    if (!kept.ok()) {
      return IsVerificationError(kept.status()) ? Alert(kept.status()) : kept.status();
    }
    kept_ = *std::move(kept);
    if (kept_.has_value()) {
      std::cerr << "agreements: following from checkpoint " << kept_->size << " kept in "
                << state_.path() << std::endl;
    } else {
      std::cerr << "agreements: no checkpoint kept in " << state_.path()
                << " yet: the first one verified is trusted on first use" << std::endl;
    }
    client::Backoff backoff(kRetryInitial, kRetryMax, kRetryJitter);
    bool retrying = false;
    while (!stopped()) {
      const absl::Status status = Poll();
      absl::Duration pause = interval_;
      if (status.ok()) {
        if (retrying) std::cerr << "agreements: reconnected" << std::endl;
        retrying = false;
        backoff.Reset();
        if (limit_ > 0 && verified_ >= limit_) return absl::OkStatus();
      } else if (IsVerificationError(status)) {
        return Alert(status);
      } else if (client::IsResumable(status) ||
                 status.code() == absl::StatusCode::kDeadlineExceeded) {
        // As the feeds do (feed_resume.h): a call this loop never cancels itself that
        // ends CANCELLED was cut by a server going down or handing its port over.
        retrying = true;
        pause = backoff.Next();
        std::cerr << "agreements: " << absl::StatusCodeToString(status.code()) << ": "
                  << status.message() << "; retrying in "
                  << absl::FormatDuration(absl::Trunc(pause, absl::Milliseconds(1)))
                  << std::endl;
      } else {
        return status;
      }
      Sleep(pause);
    }
    return absl::OkStatus();
  }

  void Stop() {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
  }

 private:
  bool stopped() {
    absl::MutexLock lock(&mu_);
    return stopped_;
  }

  void Sleep(absl::Duration pause) {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stopped_), pause);
  }

  absl::Status Alert(const absl::Status& status) {
    out_ << "ALERT: " << status.message() << std::endl;
    return status;
  }

  // One poll: the latest checkpoint, verified and proven consistent with the kept one.
  absl::Status Poll() {
    ASSIGN_OR_RETURN(v1::GetCheckpointResponse response,
                     client_.GetCheckpoint(v1::GetCheckpointRequest()));
    ASSIGN_OR_RETURN(note::Checkpoint latest, VerifyCheckpointResponse(response, key_));
    if (!kept_.has_value()) {
      return Keep(response.note(), latest,
                  absl::StrCat("first seen; kept in ", state_.path()));
    }
    const note::Checkpoint& kept = *kept_;
    if (latest.origin != kept.origin) {
      return VerificationError(absl::StrCat("the server's checkpoint is of the log \"",
                                            latest.origin, "\", the one kept in ",
                                            state_.path(), " of \"", kept.origin, "\""));
    }
    if (latest.size < kept.size) {
      return VerificationError(
          absl::StrCat("the latest checkpoint has size ", latest.size,
                       ", less than the verified checkpoint of size ", kept.size,
                       ": the log was rolled back or forked"));
    }
    if (latest.size == kept.size) {
      if (latest.root == kept.root) return absl::OkStatus();
      return VerificationError(
          absl::StrCat("two signed checkpoints of size ", kept.size,
                       " with different roots (verified ", Base64(kept.root), ", now ",
                       Base64(latest.root), "): the log's history was rewritten"));
    }
    // The empty tree is a prefix of every tree: nothing to prove from size 0.
    if (kept.size > 0) {
      v1::GetConsistencyProofRequest request;
      request.set_first_size(kept.size);
      request.set_second_size(latest.size);
      ASSIGN_OR_RETURN(v1::GetConsistencyProofResponse proof,
                       client_.GetConsistencyProof(request));
      const std::vector<std::string> hashes(proof.proof().begin(), proof.proof().end());
      absl::Status status = absl::OkStatus();
      if (proof.first_size() != kept.size || proof.second_size() != latest.size) {
        status = absl::InvalidArgumentError(absl::StrCat(
            "the proof is for sizes ", proof.first_size(), " and ", proof.second_size()));
      } else {
        status = merkle::VerifyConsistencyBytes(
            kept.size, latest.size, HashBytes(kept.root), HashBytes(latest.root), hashes);
      }
      if (!status.ok()) {
        return VerificationError(absl::StrCat(
            "checkpoint ", latest.size,
            " is not consistent with the verified checkpoint ", kept.size, " (root ",
            Base64(kept.root), "): the log's history was rewritten (",
            absl::StatusCodeToString(status.code()), ": ", status.message(), ")"));
      }
    }
    return Keep(response.note(), latest, absl::StrCat("consistent with ", kept.size));
  }

  absl::Status Keep(const std::string& signed_note, note::Checkpoint checkpoint,
                    const std::string& why) {
    RETURN_IF_ERROR(state_.Store(signed_note));
    out_ << "checkpoint " << checkpoint.size << " verified (" << why << ")" << std::endl;
    kept_ = std::move(checkpoint);
    ++verified_;
    return absl::OkStatus();
  }

  std::ostream& out_;
  const client::RegistryClient& client_;
  const std::string key_;
  const StateFile state_;
  const uint64_t limit_;
  const absl::Duration interval_;
  std::optional<note::Checkpoint> kept_;
  uint64_t verified_ = 0;
  absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

absl::Status RunFollow(Env& env) {
  const ParsedArgs& args = env.args();
  ASSIGN_OR_RETURN(const std::string key, RequiredVerifierKey(args, "audit follow"));
  ASSIGN_OR_RETURN(const std::string path, StatePath(args));
  ASSIGN_OR_RETURN(const absl::Duration interval,
                   PositiveDurationFlag(args, "interval", kDefaultInterval));
  uint64_t limit = 0;
  if (std::optional<std::string> text = args.Get("limit")) {
    absl::StatusOr<uint64_t> parsed = ParseUint64("limit", *text);
    if (!parsed.ok() || *parsed == 0) {
      return UsageError(absl::StrCat("--limit: \"", *text, "\" is not a positive count"));
    }
    limit = *parsed;
  }
  ASSIGN_OR_RETURN(const client::RegistryClient* client, env.Client());
  Follower follower(env.out(), *client, key, StateFile(path), limit, interval);
  SignalStopper stopper([&follower] { follower.Stop(); });
  return follower.Run();
}

}  // namespace

CommandSpec AuditFollowCommand() {
  CommandSpec follow;
  follow.path = "audit follow";
  follow.summary = "monitor the log: verify every new checkpoint against the last one";
  follow.details =
      "Keeps the last verified checkpoint (the signed note) in a state file. Every\n"
      "--interval it fetches the latest checkpoint, verifies its signature with the\n"
      "pinned key and, when the log grew, the consistency proof from the kept "
      "checkpoint\n"
      "to the new one; then prints \"checkpoint N verified (consistent with M)\" and "
      "keeps\n"
      "N. The first checkpoint, with no state file yet, is trusted on first use. A\n"
      "signature or proof that fails, another root for a size already verified or a\n"
      "smaller log prints \"ALERT: <reason>\" and exits 4. UNAVAILABLE and\n"
      "DEADLINE_EXCEEDED are retried (100ms doubling to 10s); other errors exit 2.\n"
      "Stops with exit status 0 on SIGINT/SIGTERM or after --limit new checkpoints.";
  follow.flags = {{"state", "FILE",
                   "the state file (default: $AGREEMENTS_STATE_DIR/checkpoint, else "
                   "~/.agreements/checkpoint)"},
                  {"interval", "DURATION", "time between polls (default: 10s)"},
                  {"limit", "N", "exit after N newly verified checkpoints"}};
  for (FlagSpec& flag : VerifierKeyFlagSpecs()) follow.flags.push_back(flag);
  follow.run = RunFollow;
  return follow;
}

}  // namespace agreements::cli
