// Online backups of a store and their restore (docs/operations.md, "Backup and
// restore").
//
// A backup is a consistent copy at one position: a RocksDB checkpoint of the live store
// (hard links plus the write-ahead log's tail, taken while writes go on) is opened on
// its own, its head read, and it is copied into the backup directory by RocksDB's
// BackupEngine, which shares unchanged SST files with the earlier backups there (so a
// second backup copies only what changed) and keeps a checksum of every file. Every
// commit group is one atomic write, so the copy holds a prefix of the log: every event
// acknowledged before the backup started, and its views up to their applied position
// (a server started on a restore brings them up to the head).
//
// Beside RocksDB's files, each backup keeps under agreements/<id>/ a manifest
// (manifest.json: position, applied position, schema version, time, the server's
// version, the keys) and the page-token key. The checkpoint signing key is named in the
// manifest (its file and its verifier key) but never copied: it is kept outside the
// data directory and restored by the operator.
#ifndef AGREEMENTS_STORE_BACKUP_H_
#define AGREEMENTS_STORE_BACKUP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "store/store.h"

namespace agreements::store {

struct BackupKeys {
  // The page-token key file to copy into the backup ("" or missing: none).
  std::string page_token_key_file;
  // The signing key's file and its verifier key (note format), named in the manifest.
  std::string signing_key_file;
  std::string signing_verifier_key;
  // The server's version text for the manifest.
  std::string server_version;
};

struct BackupRecord {
  uint32_t id = 0;
  uint64_t position = 0;          // the log's head in the backup
  uint64_t applied_position = 0;  // the views' position in the backup
  absl::Time created;
  uint64_t size_bytes = 0;    // every file of this backup
  uint64_t copied_bytes = 0;  // files this backup added to the directory
  uint32_t file_count = 0;
  std::string manifest_json;
};

// Backs up `store` (open, serving) into `dir` (created when missing). One backup of a
// store at a time (the staging checkpoint has a fixed place in the data directory).
absl::StatusOr<BackupRecord> CreateBackup(Store* store, const std::string& dir,
                                          const BackupKeys& keys);

// The backups in `dir`, oldest first.
absl::StatusOr<std::vector<BackupRecord>> ListBackups(const std::string& dir);

// Checks every file of backup `id` (0: the latest) against its recorded size and
// checksum.
absl::StatusOr<BackupRecord> VerifyBackupFiles(const std::string& dir, uint32_t id);

// Restores backup `id` (0: the latest) into `data_dir`, which must not exist or be
// empty; copies the page-token key beside it. Checks that the restored store opens and
// holds the manifest's position. The signing key is not restored (see above).
absl::StatusOr<BackupRecord> RestoreBackup(const std::string& dir, uint32_t id,
                                           const std::string& data_dir);

// Removes every signed checkpoint from a stopped data directory (a restored copy that
// starts another cluster node, which signs with its own key: docs/cluster.md).
absl::Status ForgetCheckpoints(const std::string& data_dir);

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_BACKUP_H_
