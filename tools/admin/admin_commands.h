// The commands of agreements-admin. Each returns the process's exit code: 0 success,
// 1 usage, 2 the store, backup or server cannot be read or reached, 3 a check found a
// difference or damage.
#ifndef AGREEMENTS_TOOLS_ADMIN_ADMIN_COMMANDS_H_
#define AGREEMENTS_TOOLS_ADMIN_ADMIN_COMMANDS_H_

#include <cstdint>
#include <string>

namespace agreements::admin {

struct AdminArgs {
  std::string data_dir;
  bool repair = false;
  bool replace = false;
  std::string signing_key;
  std::string verifier_key;
  std::string server;
  std::string to;
  std::string from;
  std::string backup;
  uint32_t backup_id = 0;
  bool no_backup = false;
  int64_t timeout_s = 3600;
  bool new_node = false;
};

// Offline, on a stopped server's data directory.
int Rebuild(const AdminArgs& args);
int Verify(const AdminArgs& args);
// A backup directory: list, check (checksums, then verify and rebuild a restored copy),
// restore.
int ListBackupsCommand(const AdminArgs& args);
int VerifyBackup(const AdminArgs& args);
int Restore(const AdminArgs& args);
// Offline: backs up (unless no_backup) and migrates a data directory to this build's
// schema.
int Migrate(const AdminArgs& args);
// Online, through the server's AdminService.
int Backup(const AdminArgs& args);

}  // namespace agreements::admin

#endif  // AGREEMENTS_TOOLS_ADMIN_ADMIN_COMMANDS_H_
