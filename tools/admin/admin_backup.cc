// agreements-admin's backup commands: back up a running server, list, check and
// restore backups (docs/operations.md, "Backup and restore").
#include <cstdio>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/client.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "store/backup.h"
#include "store/keys.h"
#include "tools/admin/admin_commands.h"
#include "tools/admin/admin_internal.h"

namespace agreements::admin {
namespace {

using client::LoadConnectionOptionsFromEnv;
using client::RegistryClient;
using client::RegistryClientOptions;
namespace v1 = ::agreements::v1;

void PrintRecord(const store::BackupRecord& record) {
  std::printf(
      "backup %u: position %llu (views at %llu), %u files, %llu bytes, %s\n", record.id,
      static_cast<unsigned long long>(record.position),
      static_cast<unsigned long long>(record.applied_position), record.file_count,
      static_cast<unsigned long long>(record.size_bytes),
      absl::FormatTime(absl::RFC3339_sec, record.created, absl::UTCTimeZone()).c_str());
}

std::string ManifestField(const std::string& manifest_json, const std::string& name) {
  google::protobuf::Struct manifest;
  if (!google::protobuf::util::JsonStringToMessage(manifest_json, &manifest).ok()) {
    return "";
  }
  auto it = manifest.fields().find(name);
  return it == manifest.fields().end() ? "" : it->second.string_value();
}

}  // namespace

int Backup(const AdminArgs& args) {
  if (args.to.empty()) return Usage("backup: --to DIR is required");
  const std::string directory = std::filesystem::absolute(args.to).string();
  RegistryClientOptions options;
  options.target = args.server;
  options.call_timeout = absl::Seconds(args.timeout_s);
  if (absl::Status env = LoadConnectionOptionsFromEnv(options); !env.ok()) {
    return Fail(env, 1);
  }
  auto client = RegistryClient::Connect(options);
  if (!client.ok()) return Fail(client.status(), 2);
  v1::BackupRequest request;
  request.set_directory(directory);
  auto response = (*client)->Backup(request);
  if (!response.ok()) return Fail(response.status(), 2);
  std::printf(
      "backup %u in %s (on the server's machine): position %llu (views at %llu), %u "
      "files, %llu bytes of which %llu new, in %.1f s\n",
      response->backup_id(), directory.c_str(),
      static_cast<unsigned long long>(response->position()),
      static_cast<unsigned long long>(response->applied_position()),
      response->file_count(), static_cast<unsigned long long>(response->size_bytes()),
      static_cast<unsigned long long>(response->copied_bytes()),
      response->duration().seconds() + response->duration().nanos() / 1e9);
  return 0;
}

int ListBackupsCommand(const AdminArgs& args) {
  const std::string dir = !args.backup.empty() ? args.backup : args.from;
  if (dir.empty()) return Usage("list-backups: --backup DIR is required");
  auto records = store::ListBackups(dir);
  if (!records.ok()) return Fail(records.status(), 2);
  for (const auto& record : *records) PrintRecord(record);
  if (records->empty()) std::printf("no backup in %s\n", dir.c_str());
  return 0;
}

int VerifyBackup(const AdminArgs& args) {
  auto checked = store::VerifyBackupFiles(args.backup, args.backup_id);
  if (!checked.ok())
    return Fail(checked.status(), absl::IsDataLoss(checked.status()) ? 3 : 2);
  std::printf("backup %u: every file matches its size and checksum\n", checked->id);
  std::string key = args.verifier_key;
  if (key.empty() && !args.signing_key.empty()) {
    auto from_file = VerifierKeyOf(args, args.signing_key);
    if (!from_file.ok()) return Fail(from_file.status(), 2);
    key = *from_file;
  }
  if (key.empty()) {
    key = ManifestField(checked->manifest_json, "signing_verifier_key");
    std::printf(
        "checkpoints checked against the key named in the backup's manifest (give "
        "--verifier_key to check against a key you trust)\n");
  }
  std::error_code error;
  const std::string scratch =
      (std::filesystem::temp_directory_path() /
       absl::StrCat("agreements-verify-backup-", getpid(), "-", checked->id))
          .string();
  std::filesystem::remove_all(scratch, error);
  auto restored = store::RestoreBackup(args.backup, checked->id, scratch);
  if (!restored.ok()) {
    std::filesystem::remove_all(scratch, error);
    return Fail(restored.status(), absl::IsDataLoss(restored.status()) ? 3 : 2);
  }
  int code = 0;
  {
    auto store = OpenExisting(scratch);
    if (!store.ok()) {
      code = Fail(store.status(), 2);
    } else {
      code = VerifyStore(store->get(), key);
      if (code == 0)
        code = RebuildStore(store->get(), /*repair=*/false, /*replace=*/false);
    }
  }
  std::filesystem::remove_all(scratch, error);
  return code;
}

int Restore(const AdminArgs& args) {
  if (args.from.empty()) return Usage("restore: --from DIR is required");
  if (args.data_dir.empty()) return Usage("restore: --data_dir DIR is required");
  auto record = store::RestoreBackup(args.from, args.backup_id, args.data_dir);
  if (!record.ok())
    return Fail(record.status(), absl::IsDataLoss(record.status()) ? 3 : 2);
  PrintRecord(*record);
  std::printf("restored into %s\n", args.data_dir.c_str());
  if (args.new_node) {
    absl::Status forgotten = store::ForgetCheckpoints(args.data_dir);
    if (!forgotten.ok()) return Fail(forgotten, 2);
    std::printf(
        "a new cluster node: the backed-up node's signed checkpoints were removed; start "
        "it with its own --node_id and signing key, and it applies the log from the "
        "record the backup holds\n");
    return 0;
  }
  const std::string key_file = ManifestField(record->manifest_json, "signing_key_file");
  const std::string verifier =
      ManifestField(record->manifest_json, "signing_verifier_key");
  std::printf(
      "the checkpoint signing key is not in backups: start the server with the key that "
      "signed its checkpoints (--signing_key; it was %s, verifier key %s); the server "
      "refuses to start without it\n",
      key_file.c_str(), verifier.c_str());
  return 0;
}

int Migrate(const AdminArgs& args) {
  store::StoreOptions as_is;
  as_is.create_if_missing = false;
  as_is.schema = store::SchemaPolicy::kAsIs;
  std::string version;
  {
    auto store = store::Store::Open(args.data_dir, as_is);
    if (!store.ok()) return Fail(store.status(), 2);
    auto stored = (*store)->SchemaVersion();
    if (!stored.ok()) return Fail(stored.status(), 2);
    version = *stored;
    if (version == store::kSchemaVersion) {
      std::printf("%s is at schema version %s already: nothing to do\n",
                  args.data_dir.c_str(), version.c_str());
      return 0;
    }
    if (!args.no_backup) {
      const std::string dir =
          !args.to.empty() ? args.to : args.data_dir + "-backup-before-migration";
      store::BackupKeys keys;
      keys.page_token_key_file = args.data_dir + "/page_token.key";
      keys.signing_key_file =
          args.signing_key.empty() ? args.data_dir + "/checkpoint.key" : args.signing_key;
      auto key = VerifierKeyOf(args, keys.signing_key_file);
      if (key.ok()) keys.signing_verifier_key = *key;
      auto record = store::CreateBackup(store->get(), dir, keys);
      if (!record.ok()) return Fail(record.status(), 2);
      std::printf("backed up into %s first: backup %u at position %llu\n", dir.c_str(),
                  record->id, static_cast<unsigned long long>(record->position));
    }
  }
  std::printf("migrating %s from schema version %s to %s\n", args.data_dir.c_str(),
              version.c_str(), store::kSchemaVersion);
  const absl::Time start = absl::Now();
  store::StoreOptions migrate;
  migrate.create_if_missing = false;
  migrate.schema = store::SchemaPolicy::kMigrate;
  auto store = store::Store::Open(args.data_dir, migrate);
  if (!store.ok()) return Fail(store.status(), 2);
  std::printf("migrated in %.1f s\n", absl::ToDoubleSeconds(absl::Now() - start));
  return 0;
}

}  // namespace agreements::admin
