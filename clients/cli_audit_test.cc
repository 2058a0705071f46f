// End-to-end tests of the audit commands against the real server: `audit checkpoint`
// verifies the signed note with the pinned key (from --key, --key-file or the
// environment), `audit prove` verifies events' inclusion proofs, and `audit follow`
// verifies each new checkpoint against the kept one and raises an ALERT (exit 4) for a
// rewritten history; the history, diff, as-of and valid-time commands print what the
// AuditService answers. The verifier key is computed from the server's key file
// (<data_dir>/checkpoint.key). `audit export` writes an offline bundle that `audit
// verify` checks with the server stopped, and names each tampering. Every wait is
// bounded.
#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "agreements/v1/audit_bundle.pb.h"
#include "agreements/v1/audit_service.pb.h"
#include "clients/cli_test_util.h"
#include "common/signed_note.h"
#include "gtest/gtest.h"

namespace agreements::cli_test {
namespace {

// The server publishes a checkpoint every 1000 events or 1 s after an append.
constexpr absl::Duration kCheckpointWait = absl::Seconds(30);
constexpr char kOrigin[] = "agreements-registry";

class AuditCliTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (HasFatalFailure()) return;
    absl::StatusOr<note::NoteSigner> signer =
        note::NoteSigner::Load(data_dir_ + "/checkpoint.key");
    ASSERT_TRUE(signer.ok()) << signer.status();
    signer_.emplace(*std::move(signer));
    key_ = signer_->VerifierKey();
    other_key_ =
        note::NoteSigner::FromSeed(kOrigin, std::string(32, '\x07'))->VerifierKey();
  }

  // Parties kz, kr (positions 1, 2), then `count` agreements; returns the last position.
  uint64_t RecordSome(int count) {
    RegisterStates();
    for (int i = 0; i < count; ++i) {
      RecordBilateral(absl::StrCat("a", i), "energy");
    }
    return 2 + count;
  }

  // The latest checkpoint, verified by the CLI.
  v1::GetCheckpointResponse Latest() {
    return ParseJsonOrDie<v1::GetCheckpointResponse>(
        CliOk({"-o", "json", "--proto-json", "audit", "checkpoint", "--key", key_}));
  }

  // Waits (bounded) until the latest checkpoint covers `size` events.
  v1::GetCheckpointResponse CheckpointAtLeast(uint64_t size) {
    v1::GetCheckpointResponse latest;
    EXPECT_TRUE(WaitUntil(
        [&] {
          latest = Latest();
          return latest.tree_size() >= size;
        },
        kCheckpointWait))
        << "no checkpoint of size " << size << "; latest " << latest.tree_size();
    return latest;
  }

  // A note signed with the server's own key for `size` and `root`: what a server that
  // rewrote its history could sign.
  std::string SignedNote(uint64_t size, const merkle::Hash& root) {
    note::Checkpoint checkpoint;
    checkpoint.origin = kOrigin;
    checkpoint.size = size;
    checkpoint.root = root;
    absl::StatusOr<std::string> signed_note =
        signer_->Sign(note::CheckpointBody(checkpoint));
    EXPECT_TRUE(signed_note.ok()) << signed_note.status();
    return signed_note.value_or("");
  }

  static merkle::Hash RootOf(const v1::GetCheckpointResponse& response) {
    merkle::Hash root{};
    EXPECT_EQ(response.root_hash().size(), root.size());
    std::copy(response.root_hash().begin(), response.root_hash().end(),
              reinterpret_cast<char*>(root.data()));
    return root;
  }

  std::vector<std::string> Follow(const std::string& state, const std::string& limit) {
    return {"audit", "follow",     "--state", state,     "--key",
            key_,    "--interval", "100ms",   "--limit", limit};
  }

  std::optional<note::NoteSigner> signer_;
  std::string key_;
  std::string other_key_;
};

// The "checkpoint N verified (consistent with M)" lines of a follow output, as {N, M}.
std::vector<std::pair<uint64_t, uint64_t>> ConsistentLines(const std::string& out) {
  std::vector<std::pair<uint64_t, uint64_t>> found;
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    std::vector<std::string> words = absl::StrSplit(line, ' ');
    uint64_t size = 0;
    uint64_t previous = 0;
    if (words.size() == 6 && words[0] == "checkpoint" && words[2] == "verified" &&
        words[3] == "(consistent" && absl::SimpleAtoi(words[1], &size) &&
        absl::SimpleAtoi(absl::StripSuffix(words[5], ")"), &previous)) {
      found.emplace_back(size, previous);
    }
  }
  return found;
}

TEST_F(AuditCliTest, CheckpointVerifiesWithThePinnedKey) {
  const uint64_t head = RecordSome(2);
  const v1::GetCheckpointResponse latest = CheckpointAtLeast(head);
  const std::string size = absl::StrCat(latest.tree_size());
  const std::string root = absl::Base64Escape(latest.root_hash());
  const std::string expected =
      absl::StrCat("origin: ", kOrigin, "\nsize: ", size, "\nroot: ", root,
                   "\nsignature: verified by ", kOrigin, "\n");
  EXPECT_EQ(CliOk({"audit", "checkpoint", "--key", key_}), expected);
  EXPECT_EQ(CliOk({"audit", "checkpoint", "--size", size, "--key", key_}), expected);
  const std::string key_file = WriteTempFile("verifier.key", key_ + "\n");
  EXPECT_EQ(CliOk({"audit", "checkpoint", "--key-file", key_file}), expected);
  setenv("AGREEMENTS_VERIFIER_KEY", key_.c_str(), 1);
  const ProcessResult from_env = Cli({"audit", "checkpoint"});
  const ProcessResult overridden = Cli({"audit", "checkpoint", "--key", other_key_});
  unsetenv("AGREEMENTS_VERIFIER_KEY");
  EXPECT_EQ(from_env.exit_code, 0) << Describe({"checkpoint (env)"}, from_env);
  EXPECT_EQ(from_env.out, expected);
  EXPECT_EQ(overridden.exit_code, 4) << Describe({"checkpoint --key"}, overridden);

  // Without a key: the server's claimed key, and a warning.
  const ProcessResult unverified = Cli({"audit", "checkpoint"});
  EXPECT_EQ(unverified.exit_code, 0) << Describe({"checkpoint"}, unverified);
  EXPECT_TRUE(absl::StrContains(unverified.out, "signature: NOT VERIFIED"))
      << unverified.out;
  EXPECT_TRUE(absl::StrContains(unverified.out, "verifier key (unverified): " + key_))
      << unverified.out;
  EXPECT_TRUE(
      absl::StrContains(unverified.err, "warning: the checkpoint was NOT verified"))
      << unverified.err;

  // Another key: DATA_LOSS, exit 4.
  const ProcessResult wrong = Cli({"audit", "checkpoint", "--key", other_key_});
  EXPECT_EQ(wrong.exit_code, 4) << Describe({"checkpoint --key other"}, wrong);
  EXPECT_TRUE(absl::StartsWith(wrong.err, "error: DATA_LOSS: checkpoint signature"))
      << wrong.err;
  EXPECT_EQ(wrong.out, "");

  // A malformed key is a usage error; a size never published is NOT_FOUND.
  const ProcessResult malformed = Cli({"audit", "checkpoint", "--key", "not-a-key"});
  EXPECT_EQ(malformed.exit_code, 1) << Describe({"checkpoint --key bad"}, malformed);
  const ProcessResult missing =
      Cli({"audit", "checkpoint", "--size", "999999", "--key", key_});
  EXPECT_EQ(missing.exit_code, 3) << Describe({"checkpoint --size"}, missing);
  EXPECT_TRUE(absl::StartsWith(missing.err, "error: NOT_FOUND")) << missing.err;
}

TEST_F(AuditCliTest, ProveVerifiesInclusionAndFailsWithAnotherKey) {
  const uint64_t head = RecordSome(3);
  const v1::GetCheckpointResponse latest = CheckpointAtLeast(head);
  const std::string size = absl::StrCat(latest.tree_size());
  for (uint64_t position : {uint64_t{1}, uint64_t{3}, head}) {
    const std::string out =
        CliOk({"audit", "prove", absl::StrCat(position), "--key", key_});
    EXPECT_TRUE(absl::StartsWith(out, absl::StrCat("position: ", position, "\n"))) << out;
    EXPECT_TRUE(absl::StrContains(out, "inclusion: verified at tree size " + size))
        << out;
  }
  const std::string third = CliOk({"audit", "prove", "3", "--size", size, "--key", key_});
  EXPECT_TRUE(absl::StrContains(third,
                                "position: 3\nstream: agreement/a0\nrevision: 1\n"
                                "event: agreement_recorded\n"))
      << third;
  const std::string first = CliOk({"audit", "prove", "1", "--key", key_});
  EXPECT_TRUE(absl::StrContains(first,
                                "stream: party/kz\nrevision: 1\n"
                                "event: party_registered\n"))
      << first;

  // A position recorded a moment ago: --wait for the checkpoint that covers it.
  RecordBilateral("late", "energy");
  const std::string late = absl::StrCat(head + 1);
  const std::string waited =
      CliOk({"audit", "prove", late, "--wait", "30s", "--key", key_});
  EXPECT_TRUE(absl::StrContains(waited, "stream: agreement/late")) << waited;
  EXPECT_TRUE(absl::StrContains(waited, "inclusion: verified at tree size")) << waited;

  const ProcessResult wrong = Cli({"audit", "prove", "3", "--key", other_key_});
  EXPECT_EQ(wrong.exit_code, 4) << Describe({"prove --key other"}, wrong);
  EXPECT_TRUE(absl::StartsWith(wrong.err, "error: DATA_LOSS: ")) << wrong.err;
  EXPECT_EQ(wrong.out, "");

  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"audit", "prove", "3"},  // no key
           {"audit", "prove", "0", "--key", key_},
           {"audit", "prove", "x", "--key", key_},
           {"audit", "prove", "3", "--size", "0", "--key", key_}}) {
    const ProcessResult result = Cli(args);
    EXPECT_EQ(result.exit_code, 1) << Describe(args, result);
  }
  const ProcessResult beyond = Cli({"audit", "prove", "1000", "--key", key_});
  EXPECT_EQ(beyond.exit_code, 6) << Describe({"prove 1000"}, beyond);
  EXPECT_TRUE(absl::StartsWith(beyond.err, "error: INVALID_ARGUMENT: position"))
      << beyond.err;
}

TEST_F(AuditCliTest, FollowVerifiesEachNewCheckpoint) {
  CheckpointAtLeast(RecordSome(1));
  const std::string state = temp_dir_ + "/state/checkpoint";  // the directory is created
  const std::string first = CliOk(Follow(state, "1"));
  EXPECT_TRUE(absl::StartsWith(first, "checkpoint ")) << first;
  EXPECT_TRUE(absl::StrContains(first, "verified (first seen; kept in " + state))
      << first;
  ASSERT_TRUE(std::filesystem::exists(state));

  Background follow = SpawnCli("follow", Follow(state, "2"));
  int recorded = 0;
  EXPECT_TRUE(WaitUntil(
      [&] {
        if (WaitFor(follow.pid, absl::ZeroDuration()) != -1) return true;
        RecordBilateral(absl::StrCat("f", recorded++), "energy");
        absl::SleepFor(absl::Milliseconds(300));
        return false;
      },
      absl::Seconds(60)))
      << follow.out() << follow.err();
  const std::string out = follow.out();
  const auto lines = ConsistentLines(out);
  ASSERT_EQ(lines.size(), 2u) << out << follow.err();
  EXPECT_LT(lines[0].second, lines[0].first);
  EXPECT_EQ(lines[1].second, lines[0].first);
  EXPECT_LT(lines[1].second, lines[1].first);
  EXPECT_FALSE(absl::StrContains(out, "ALERT")) << out;

  // The state file holds the last verified note.
  absl::StatusOr<note::Checkpoint> kept =
      note::VerifyCheckpoint(ReadWholeFile(state), key_);
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->size, lines[1].first);

  // SIGINT stops a follow cleanly.
  Background waiting = SpawnCli("waiting", Follow(state, "100"));
  EXPECT_TRUE(WaitUntil(
      [&] { return absl::StrContains(waiting.err(), "following from checkpoint"); },
      absl::Seconds(30)))
      << waiting.err();
  kill(waiting.pid, SIGINT);
  EXPECT_EQ(WaitForExit(waiting, absl::Seconds(10)), 0) << waiting.err();
  EXPECT_FALSE(absl::StrContains(waiting.out(), "ALERT")) << waiting.out();
}

TEST_F(AuditCliTest, FollowRetriesWhileTheServerIsDown) {
  CheckpointAtLeast(RecordSome(1));
  const std::string state = temp_dir_ + "/checkpoint";
  Background follow = SpawnCli("follow", Follow(state, "2"));
  EXPECT_TRUE(WaitUntil([&] { return absl::StrContains(follow.out(), "first seen"); },
                        absl::Seconds(30)))
      << follow.out() << follow.err();
  EXPECT_EQ(StopServer(SIGKILL), 128 + SIGKILL);
  EXPECT_TRUE(WaitUntil([&] { return absl::StrContains(follow.err(), "retrying in"); },
                        absl::Seconds(30)))
      << follow.err();
  StartServer();
  RecordBilateral("after-restart", "energy");
  EXPECT_EQ(WaitForExit(follow), 0) << follow.out() << follow.err();
  EXPECT_EQ(ConsistentLines(follow.out()).size(), 1u) << follow.out();
  EXPECT_TRUE(absl::StrContains(follow.err(), "agreements: reconnected")) << follow.err();
}

TEST_F(AuditCliTest, FollowAlertsOnARewrittenHistory) {
  const v1::GetCheckpointResponse latest = CheckpointAtLeast(RecordSome(3));
  merkle::Hash other_root = RootOf(latest);
  other_root[0] ^= 1;
  const std::string state = temp_dir_ + "/checkpoint";

  // A second root, signed with the server's key, for the size the server has now.
  std::ofstream(state) << SignedNote(latest.tree_size(), other_root);
  ProcessResult result = Cli(Follow(state, "1"));
  EXPECT_EQ(result.exit_code, 4) << Describe({"follow (fork)"}, result);
  EXPECT_TRUE(absl::StartsWith(
      result.out,
      absl::StrCat("ALERT: two signed checkpoints of size ", latest.tree_size())))
      << result.out;
  EXPECT_TRUE(absl::StrContains(result.err, "\nerror: DATA_LOSS: two signed"))
      << result.err;

  // A kept checkpoint larger than the log: a rollback.
  std::ofstream(state) << SignedNote(latest.tree_size() + 100, RootOf(latest));
  result = Cli(Follow(state, "1"));
  EXPECT_EQ(result.exit_code, 4) << Describe({"follow (rollback)"}, result);
  EXPECT_TRUE(absl::StrContains(result.out, "ALERT: the latest checkpoint has size"))
      << result.out;

  // The kept checkpoint's root differs from the log's at that size: once the log grows,
  // the consistency proof fails.
  const std::string forged = SignedNote(latest.tree_size(), other_root);
  std::ofstream(state) << forged;
  RecordBilateral("later", "energy");
  const v1::GetCheckpointResponse grown = CheckpointAtLeast(latest.tree_size() + 1);
  result = Cli(Follow(state, "1"));
  EXPECT_EQ(result.exit_code, 4) << Describe({"follow (rewritten)"}, result);
  EXPECT_TRUE(absl::StartsWith(
      result.out, absl::StrCat("ALERT: checkpoint ", grown.tree_size(),
                               " is not consistent with the verified checkpoint ",
                               latest.tree_size())))
      << result.out;
  EXPECT_TRUE(absl::StrContains(result.err, "\nerror: DATA_LOSS: checkpoint "))
      << result.err;
  EXPECT_EQ(ReadWholeFile(state), forged);  // an alert keeps the state as it was

  // A state file changed by hand no longer verifies with the key.
  std::string tampered = ReadWholeFile(state);
  const std::string good_root = absl::Base64Escape(latest.root_hash());
  const std::string bad_root = absl::Base64Escape(
      std::string(reinterpret_cast<const char*>(other_root.data()), other_root.size()));
  tampered.replace(tampered.find(bad_root), bad_root.size(), good_root);
  std::ofstream(state) << tampered;
  result = Cli(Follow(state, "1"));
  EXPECT_EQ(result.exit_code, 4) << Describe({"follow (tampered state)"}, result);
  EXPECT_TRUE(absl::StartsWith(result.out, "ALERT: state file " + state)) << result.out;
}

TEST_F(AuditCliTest, HistoryDiffAsOfAndLegalStatusOnADate) {
  RegisterStates();
  RecordBilateral("t1", "energy");                                            // 3
  CliOk({"--reason", "state visit", "sign", "t1", "--party", "kz", "--date",  // 4
         "2009-05-13"});
  CliOk({"sign", "t1", "--party", "kr", "--date", "2009-05-13"});  // 5
  CliOk({"consent", "t1", "--party", "kz", "--means", "ratification", "--date",
         "2010-01-10"});  // 6
  CliOk({"consent", "t1", "--party", "kr", "--means", "ratification", "--date",
         "2010-02-01"});                                      // 7
  CliOk({"enter-into-force", "t1", "--date", "2010-03-01"});  // 8

  const auto history = ParseJsonOrDie<v1::ListHistoryResponse>(
      CliOk({"-o", "json", "--proto-json", "audit", "history", "t1"}));
  ASSERT_EQ(history.events_size(), 6);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(history.events(i).envelope().position(), 3u + i);
    EXPECT_EQ(history.events(i).envelope().revision(), 1u + i);
  }
  EXPECT_EQ(history.events(1).envelope().reason(), "state visit");
  EXPECT_EQ(history.events(5).envelope().event_type(), "entered_into_force");
  const std::string page = CliOk({"audit", "history", "t1", "--page-size", "2"});
  EXPECT_TRUE(absl::StrContains(page, "(more: --page-token ")) << page;
  EXPECT_EQ(ParseJsonOrDie<v1::ListHistoryResponse>(
                CliOk({"-o", "json", "--proto-json", "audit", "history", "t1",
                       "--page-size", "2", "--all"}))
                .events_size(),
            6);
  EXPECT_EQ(
      ParseJsonOrDie<v1::ListHistoryResponse>(
          CliOk({"-o", "json", "--proto-json", "audit", "history", "kz", "--party"}))
          .events_size(),
      1);

  const auto diff = ParseJsonOrDie<v1::DiffRevisionsResponse>(CliOk(
      {"-o", "json", "--proto-json", "audit", "diff", "t1", "--from", "1", "--to", "2"}));
  bool status_changed = false;
  for (const v1::FieldChange& change : diff.changes()) {
    EXPECT_EQ(change.position(), 4u);
    if (change.field() == "status") {
      status_changed = true;
      EXPECT_TRUE(absl::StrContains(change.new_value(), "SIGNED_NOT_IN_FORCE"))
          << change.new_value();
    }
  }
  EXPECT_TRUE(status_changed) << diff.DebugString();

  const auto as_of = ParseJsonOrDie<v1::GetAgreementAsOfResponse>(
      CliOk({"-o", "json", "--proto-json", "audit", "get", "t1", "--as-of", "4"}));
  EXPECT_EQ(as_of.position(), 4u);
  EXPECT_EQ(as_of.agreement().revision(), 2u);
  EXPECT_EQ(as_of.agreement().status(), v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE);
  const auto sector = ParseJsonOrDie<v1::ListSectorAsOfResponse>(
      CliOk({"-o", "json", "--proto-json", "audit", "sector", "energy", "--as-of", "3"}));
  ASSERT_EQ(sector.agreements_size(), 1);
  EXPECT_EQ(sector.agreements(0).status(), v1::AGREEMENT_STATUS_DRAFT);
  EXPECT_EQ(
      ParseJsonOrDie<v1::GetPartyAsOfResponse>(
          CliOk({"-o", "json", "--proto-json", "audit", "party", "kz", "--as-of", "1"}))
          .party()
          .id(),
      "kz");

  // Valid time, and both axes.
  const std::string in_force_table =
      CliOk({"audit", "status-on", "t1", "--date", "2010-06"});
  EXPECT_EQ(ShownValue(in_force_table, "status"), "in_force") << in_force_table;
  EXPECT_EQ(ShownValue(in_force_table, "in force"), "yes") << in_force_table;
  const std::string signed_table =
      CliOk({"audit", "status-on", "t1", "--date", "2009-12-01"});
  EXPECT_EQ(ShownValue(signed_table, "status"), "signed_not_in_force") << signed_table;
  EXPECT_EQ(ShownValue(signed_table, "in force"), "no") << signed_table;
  const auto believed = ParseJsonOrDie<v1::GetLegalStatusOnResponse>(
      CliOk({"-o", "json", "--proto-json", "audit", "status-on", "t1", "--date",
             "2010-06", "--as-of", "7"}));
  EXPECT_EQ(believed.position(), 7u);
  EXPECT_NE(believed.status(), v1::AGREEMENT_STATUS_IN_FORCE);
  const auto in_force = ParseJsonOrDie<v1::ListInForceOnResponse>(CliOk(
      {"-o", "json", "--proto-json", "audit", "in-force", "energy", "--date", "2011"}));
  ASSERT_EQ(in_force.agreements_size(), 1);
  EXPECT_EQ(in_force.agreements(0).id(), "t1");
  EXPECT_EQ(ParseJsonOrDie<v1::ListInForceOnResponse>(
                CliOk({"-o", "json", "--proto-json", "audit", "in-force", "energy",
                       "--date", "2009"}))
                .agreements_size(),
            0);

  const ProcessResult unknown = Cli({"audit", "history", "nope"});
  EXPECT_EQ(unknown.exit_code, 3) << Describe({"history nope"}, unknown);
  EXPECT_TRUE(absl::StartsWith(unknown.err, "error: NOT_FOUND")) << unknown.err;
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"audit", "get", "t1", "--as-of", "yesterday"},
           {"audit", "get", "t1", "--as-of", "0"},
           {"audit", "status-on", "t1"},
           {"audit", "in-force", "energy", "--date", "2011-13"}}) {
    const ProcessResult result = Cli(args);
    EXPECT_EQ(result.exit_code, 1) << Describe(args, result);
  }
}

// `audit export` writes a bundle that `audit verify` checks with no server; every
// tampering with it is caught and named.
TEST_F(AuditCliTest, ExportedBundleVerifiesOfflineAndTamperingIsNamed) {
  RegisterStates();
  RecordBilateral("t1", "energy");                                            // 3
  CliOk({"--reason", "state visit", "sign", "t1", "--party", "kz", "--date",  // 4
         "2009-05-13"});
  CliOk({"sign", "t1", "--party", "kr", "--date", "2009-05-13"});  // 5
  CliOk({"consent", "t1", "--party", "kz", "--means", "ratification", "--date",
         "2010-01-10"});  // 6
  const uint64_t size = CheckpointAtLeast(6).tree_size();
  const std::string path = temp_dir_ + "/t1.bundle";
  const std::string exported =
      CliOk({"audit", "export", "t1", "--out", path, "--key", key_});
  EXPECT_TRUE(absl::StrContains(
      exported,
      absl::StrCat("exported: 4 events of agreement/t1 up to tree size ", size)))
      << exported;
  const std::string party_path = temp_dir_ + "/kz.bundle";
  CliOk({"audit", "export", "kz", "--party", "--size", absl::StrCat(size), "--out",
         party_path});
  const std::string refused = temp_dir_ + "/refused.bundle";
  const ProcessResult wrong_key =
      Cli({"audit", "export", "t1", "--out", refused, "--key", other_key_});
  EXPECT_EQ(wrong_key.exit_code, 4) << Describe({"export --key other"}, wrong_key);
  EXPECT_FALSE(std::filesystem::exists(refused));
  EXPECT_EQ(Cli({"audit", "export", "t1"}).exit_code, 1);  // no --out

  // No server from here on.
  EXPECT_EQ(StopServer(SIGTERM), 0);
  EXPECT_EQ(CliOk({"audit", "verify", path, "--key", key_}),
            absl::StrCat("verified: 4 events of agreement/t1 complete up to tree size ",
                         size, ", each included in the signed log\n"));
  EXPECT_TRUE(absl::StartsWith(
      CliOk({"audit", "verify", party_path, "--key-file", WriteTempFile("key", key_)}),
      "verified: 1 events of party/kz complete"));
  EXPECT_EQ(Cli({"audit", "verify", path}).exit_code, 1);  // no key

  v1::AuditBundle original;
  ASSERT_TRUE(original.ParseFromString(ReadWholeFile(path)));
  ASSERT_EQ(original.events_size(), 4);
  ASSERT_EQ(original.inclusion_proofs_size(), 4);
  ASSERT_GT(original.inclusion_proofs(1).hashes_size(), 0);
  int tampered = 0;
  // Verifies a changed copy of the bundle: exit 4 with `expected` in the error.
  const auto expect_caught = [&](const std::function<void(v1::AuditBundle&)>& change,
                                 const std::string& expected, const std::string& key) {
    v1::AuditBundle bundle = original;
    change(bundle);
    const std::string file = WriteTempFile(
        absl::StrCat("tampered", ++tampered, ".bundle"), bundle.SerializeAsString());
    const ProcessResult result = Cli({"audit", "verify", file, "--key", key});
    EXPECT_EQ(result.exit_code, 4) << expected << "\n" << Describe({"verify"}, result);
    EXPECT_TRUE(absl::StrContains(result.err, expected)) << result.err;
  };
  expect_caught(
      [](v1::AuditBundle& b) {
        std::string& event = *b.mutable_events(1);
        const size_t at = event.find("state visit");
        ASSERT_NE(at, std::string::npos);
        event[at + 9] = '1';  // "state vis1t"
      },
      "events[2]: does not chain to the previous event", key_);
  expect_caught(
      [](v1::AuditBundle& b) {
        b.mutable_events()->RemoveLast();
        b.mutable_inclusion_proofs()->RemoveLast();
      },
      "the map says revision 4 but 3 events were given", key_);
  expect_caught(
      [](v1::AuditBundle& b) {
        std::string& hash = *b.mutable_inclusion_proofs(1)->mutable_hashes(0);
        hash[0] = static_cast<char>(hash[0] ^ 1);
      },
      "events[1] (position 4): inclusion proof does not lead to the checkpoint root",
      key_);
  expect_caught(
      [&](v1::AuditBundle& b) {
        const std::string at = absl::StrCat("\n", size, "\n");
        std::string& text = *b.mutable_checkpoint_note();
        const size_t found = text.find(at);
        ASSERT_NE(found, std::string::npos) << text;
        text.replace(found, at.size(), absl::StrCat("\n", size + 1, "\n"));
      },
      "checkpoint: no valid signature", key_);
  expect_caught(
      [&](v1::AuditBundle& b) {
        const std::string& text = b.checkpoint_note();
        absl::StatusOr<note::NoteSigner> nobody =
            note::NoteSigner::FromSeed(kOrigin, std::string(32, '\x07'));
        ASSERT_TRUE(nobody.ok());
        absl::StatusOr<std::string> other =
            nobody->Sign(text.substr(0, text.find("\n\n") + 1));
        ASSERT_TRUE(other.ok()) << other.status();
        b.set_checkpoint_note(*other);
      },
      "checkpoint: no valid signature", key_);
  expect_caught([](v1::AuditBundle&) {}, "checkpoint: no valid signature", other_key_);
  expect_caught([](v1::AuditBundle& b) { b.set_format("agreements-audit-bundle/0"); },
                "format: ", key_);
  expect_caught([](v1::AuditBundle& b) { b.set_stream_id("t2"); },
                "map leaf: it is not this stream's leaf", key_);
}

}  // namespace
}  // namespace agreements::cli_test
