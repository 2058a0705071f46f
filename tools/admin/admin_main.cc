// agreements-admin: maintenance of a registry (docs/operations.md).
//
//   agreements-admin rebuild --data_dir DIR [--repair | --replace]
//     Offline (the server stopped): recomputes every view from the log and compares it
//     with the stored views; exit code 3 when they differ (with --repair, rewritten).
//     --replace writes every derived family anew beside the stored one and swaps it in.
//   agreements-admin verify --data_dir DIR [--signing_key FILE | --verifier_key KEY]
//   agreements-admin verify --backup DIR [--backup_id N] [--verifier_key KEY]
//     Recomputes the Merkle tree from the stored events and checks it against the
//     stored tree and every signed checkpoint; on a backup, first every file's checksum,
//     then verify and a rebuild check on a restored copy.
//   agreements-admin backup --server HOST:PORT --to DIR
//     Online: the running server backs itself up into DIR (on its machine);
//     incremental. Connection: AGREEMENTS_TLS_CA, AGREEMENTS_TOKEN, ... (as the CLI).
//   agreements-admin list-backups --backup DIR
//   agreements-admin restore --from DIR [--backup_id N] --data_dir NEW_DIR
//   agreements-admin migrate --data_dir DIR [--to BACKUP_DIR | --no_backup]
//     Offline: backs the directory up (default DIR-backup-before-migration), then
//     migrates it to this build's schema, with progress.
//
// Exit codes: 0 success, 1 usage, 2 cannot read or reach, 3 a check found damage.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "common/flags_usage.h"
#include "common/log.h"
#include "tools/admin/admin_commands.h"
#include "tools/admin/admin_internal.h"

ABSL_FLAG(std::string, data_dir, "./data", "the registry's data directory");
ABSL_FLAG(bool, repair, false, "rebuild: rewrite the views that differ");
ABSL_FLAG(bool, replace, false,
          "rebuild: write every derived family anew and swap it in, without comparing");
ABSL_FLAG(std::string, signing_key, "",
          "verify: the checkpoint signing key file (default: <data_dir>/checkpoint.key)");
ABSL_FLAG(std::string, verifier_key, "", "verify: the verifier key (note format)");
ABSL_FLAG(std::string, server, "127.0.0.1:50051", "backup: the server (HOST:PORT)");
ABSL_FLAG(std::string, to, "",
          "backup: the backup directory on the server's machine; migrate: where to back "
          "up first (default: <data_dir>-backup-before-migration)");
ABSL_FLAG(std::string, from, "", "restore: the backup directory");
ABSL_FLAG(std::string, backup, "", "verify, list-backups: the backup directory");
ABSL_FLAG(uint32_t, backup_id, 0, "restore, verify: the backup's number (0: the latest)");
ABSL_FLAG(int64_t, timeout_s, 3600, "backup: the longest wait for the server, seconds");
ABSL_FLAG(bool, no_backup, false, "migrate: do not back up first");
ABSL_FLAG(
    bool, new_node, false,
    "restore: the copy starts another cluster node (docs/cluster.md): the "
    "checkpoints the backed-up node signed are removed, the new node signs its own");

namespace agreements::admin {

constexpr char kUsage[] =
    "agreements-admin COMMAND [flags]; commands:\n"
    "  rebuild --data_dir DIR [--repair | --replace]\n"
    "  verify --data_dir DIR [--signing_key FILE | --verifier_key KEY]\n"
    "  verify --backup DIR [--backup_id N] [--verifier_key KEY]\n"
    "  backup --server HOST:PORT --to DIR\n"
    "  list-backups --backup DIR\n"
    "  restore --from DIR [--backup_id N] --data_dir NEW_DIR [--new_node]\n"
    "  migrate --data_dir DIR [--to BACKUP_DIR | --no_backup]";

int Usage(const std::string& problem) {
  std::fprintf(stderr, "agreements-admin: %s\nusage: %s\n", problem.c_str(), kUsage);
  return 1;
}

}  // namespace agreements::admin

int main(int argc, char** argv) {
  using namespace agreements::admin;
  agreements::ConfigureFlagsUsage("agreements-admin", kUsage, {"tools/admin/"});
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  // Progress the store logs (a migration) as readable lines on stderr.
  agreements::logging::Configure(agreements::logging::Format::kText,
                                 agreements::logging::Level::kInfo);
  if (rest.size() != 2) return Usage("expected one command");
  AdminArgs args;
  args.data_dir = absl::GetFlag(FLAGS_data_dir);
  args.repair = absl::GetFlag(FLAGS_repair);
  args.replace = absl::GetFlag(FLAGS_replace);
  args.signing_key = absl::GetFlag(FLAGS_signing_key);
  args.verifier_key = absl::GetFlag(FLAGS_verifier_key);
  args.server = absl::GetFlag(FLAGS_server);
  args.to = absl::GetFlag(FLAGS_to);
  args.from = absl::GetFlag(FLAGS_from);
  args.backup = absl::GetFlag(FLAGS_backup);
  args.backup_id = absl::GetFlag(FLAGS_backup_id);
  args.timeout_s = absl::GetFlag(FLAGS_timeout_s);
  args.no_backup = absl::GetFlag(FLAGS_no_backup);
  args.new_node = absl::GetFlag(FLAGS_new_node);
  const std::string command = rest[1];
  if (command == "rebuild") return Rebuild(args);
  if (command == "verify") return Verify(args);
  if (command == "backup") return Backup(args);
  if (command == "list-backups") return ListBackupsCommand(args);
  if (command == "restore") return Restore(args);
  if (command == "migrate") return Migrate(args);
  return Usage("unknown command \"" + command + "\"");
}
