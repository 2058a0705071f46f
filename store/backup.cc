#include "store/backup.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "rocksdb/utilities/backup_engine.h"
#include "rocksdb/utilities/checkpoint.h"
#include "store/keys.h"

namespace agreements::store {
namespace {

namespace fs = std::filesystem;

constexpr char kStagingName[] = "backup-staging";
constexpr char kManifestName[] = "manifest.json";
constexpr char kPageTokenKeyName[] = "page_token.key";

uint64_t TreeBytes(const std::string& dir) {
  std::error_code error;
  uint64_t total = 0;
  for (auto it = fs::recursive_directory_iterator(dir, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_regular_file(error)) total += it->file_size(error);
  }
  return total;
}

std::string OwnDir(const std::string& dir, uint32_t id) {
  return absl::StrCat(dir, "/agreements/", id);
}

absl::StatusOr<std::unique_ptr<rocksdb::BackupEngine>> OpenEngine(
    const std::string& dir) {
  rocksdb::BackupEngineOptions options(dir);
  options.share_table_files = true;
  options.share_files_with_checksum = true;
  options.sync = true;
  rocksdb::BackupEngine* engine = nullptr;
  rocksdb::IOStatus s =
      rocksdb::BackupEngine::Open(rocksdb::Env::Default(), options, &engine);
  if (!s.ok()) return FromRocksStatus(s, absl::StrCat("opening the backups in ", dir));
  return std::unique_ptr<rocksdb::BackupEngine>(engine);
}

absl::StatusOr<std::unique_ptr<rocksdb::BackupEngineReadOnly>> OpenReadOnly(
    const std::string& dir) {
  if (!fs::is_directory(dir)) {
    return absl::NotFoundError(absl::StrCat("backup directory ", dir, " does not exist"));
  }
  rocksdb::BackupEngineOptions options(dir);
  rocksdb::BackupEngineReadOnly* engine = nullptr;
  rocksdb::IOStatus s =
      rocksdb::BackupEngineReadOnly::Open(rocksdb::Env::Default(), options, &engine);
  if (!s.ok()) return FromRocksStatus(s, absl::StrCat("opening the backups in ", dir));
  return std::unique_ptr<rocksdb::BackupEngineReadOnly>(engine);
}

std::string ManifestJson(uint64_t position, uint64_t applied, const std::string& schema,
                         absl::Time created, const BackupKeys& keys,
                         bool has_page_token_key) {
  google::protobuf::Struct manifest;
  auto& f = *manifest.mutable_fields();
  f["format"].set_string_value("agreements-backup/1");
  f["position"].set_number_value(static_cast<double>(position));
  f["applied_position"].set_number_value(static_cast<double>(applied));
  f["schema_version"].set_string_value(schema);
  f["created"].set_string_value(
      absl::FormatTime(absl::RFC3339_sec, created, absl::UTCTimeZone()));
  f["server_version"].set_string_value(keys.server_version);
  f["signing_key_file"].set_string_value(keys.signing_key_file);
  f["signing_verifier_key"].set_string_value(keys.signing_verifier_key);
  f["signing_key_included"].set_bool_value(false);
  f["page_token_key_included"].set_bool_value(has_page_token_key);
  std::string json;
  google::protobuf::util::JsonPrintOptions print;
  print.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(manifest, &json, print);
  return json;
}

absl::Status WriteFile(const std::string& path, const std::string& content,
                       fs::perms perms) {
  {
    std::ofstream out(path, std::ios::trunc);
    out << content;
    out.flush();
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  }
  std::error_code error;
  fs::permissions(path, perms, error);
  return absl::OkStatus();
}

// The checkpoint of the live store, opened on its own: its head is the backup's
// position (nothing writes to it).
struct Staged {
  std::string path;
  std::unique_ptr<Store> store;
  uint64_t head = 0;
  uint64_t applied = 0;
  std::string schema;
};

absl::StatusOr<Staged> Stage(Store* live) {
  Staged staged;
  staged.path = absl::StrCat(live->path(), "/", kStagingName);
  std::error_code error;
  fs::remove_all(staged.path, error);  // a crashed earlier backup's
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(live->db(), &raw);
  if (!s.ok()) return FromRocksStatus(s, "starting a checkpoint for the backup");
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // 0: flush the memtables first, so the checkpoint carries little log to replay.
  s = checkpoint->CreateCheckpoint(staged.path, /*log_size_for_flush=*/0);
  if (!s.ok()) return FromRocksStatus(s, "taking a checkpoint for the backup");
  StoreOptions options;
  options.create_if_missing = false;
  options.schema = SchemaPolicy::kAsIs;  // a copy, as it is (also before a migration)
  ASSIGN_OR_RETURN(staged.store, Store::Open(staged.path, options));
  ASSIGN_OR_RETURN(staged.head, staged.store->ReadHead());
  ASSIGN_OR_RETURN(staged.applied, staged.store->ReadApplied());
  ASSIGN_OR_RETURN(staged.schema, staged.store->SchemaVersion());
  return staged;
}

BackupRecord FromInfo(const rocksdb::BackupInfo& info) {
  BackupRecord record;
  record.id = info.backup_id;
  record.created = absl::FromUnixSeconds(info.timestamp);
  record.size_bytes = info.size;
  record.file_count = info.number_files;
  record.manifest_json = info.app_metadata;
  google::protobuf::Struct manifest;
  if (google::protobuf::util::JsonStringToMessage(info.app_metadata, &manifest).ok()) {
    const auto& f = manifest.fields();
    if (auto it = f.find("position"); it != f.end()) {
      record.position = static_cast<uint64_t>(it->second.number_value());
    }
    if (auto it = f.find("applied_position"); it != f.end()) {
      record.applied_position = static_cast<uint64_t>(it->second.number_value());
    }
  }
  return record;
}

absl::StatusOr<rocksdb::BackupInfo> Find(rocksdb::BackupEngineReadOnly& engine,
                                         uint32_t id, const std::string& dir) {
  std::vector<rocksdb::BackupInfo> infos;
  engine.GetBackupInfo(&infos);
  if (infos.empty()) return absl::NotFoundError(absl::StrCat("no backup in ", dir));
  if (id == 0) return infos.back();
  for (const auto& info : infos) {
    if (info.backup_id == id) return info;
  }
  return absl::NotFoundError(absl::StrCat("no backup ", id, " in ", dir));
}

}  // namespace

absl::StatusOr<BackupRecord> CreateBackup(Store* store, const std::string& dir,
                                          const BackupKeys& keys) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create the backup directory ", dir, ": ", error.message()));
  }
  const uint64_t bytes_before = TreeBytes(dir);
  ASSIGN_OR_RETURN(Staged staged, Stage(store));
  const bool has_page_token_key =
      !keys.page_token_key_file.empty() && fs::exists(keys.page_token_key_file);
  const absl::Time created = absl::Now();
  const std::string manifest = ManifestJson(staged.head, staged.applied, staged.schema,
                                            created, keys, has_page_token_key);
  ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::BackupEngine> engine, OpenEngine(dir));
  rocksdb::BackupID id = 0;
  rocksdb::CreateBackupOptions create;
  create.flush_before_backup = true;
  rocksdb::IOStatus s =
      engine->CreateNewBackupWithMetadata(create, staged.store->db(), manifest, &id);
  staged.store.reset();
  fs::remove_all(staged.path, error);
  if (!s.ok()) return FromRocksStatus(s, absl::StrCat("backing up into ", dir));
  const std::string own = OwnDir(dir, id);
  fs::create_directories(own, error);
  RETURN_IF_ERROR(WriteFile(own + "/" + kManifestName, manifest,
                            fs::perms::owner_read | fs::perms::owner_write));
  if (has_page_token_key) {
    fs::copy_file(keys.page_token_key_file, own + "/" + kPageTokenKeyName,
                  fs::copy_options::overwrite_existing, error);
    if (error) {
      return absl::InternalError(
          absl::StrCat("cannot copy the page-token key: ", error.message()));
    }
    fs::permissions(own + "/" + kPageTokenKeyName,
                    fs::perms::owner_read | fs::perms::owner_write, error);
  }
  rocksdb::BackupInfo info;
  rocksdb::Status got = engine->GetBackupInfo(id, &info);
  if (!got.ok()) return FromRocksStatus(got, "reading the new backup's record");
  BackupRecord record = FromInfo(info);
  record.created = created;
  record.copied_bytes = TreeBytes(dir) - std::min(bytes_before, TreeBytes(dir));
  return record;
}

absl::StatusOr<std::vector<BackupRecord>> ListBackups(const std::string& dir) {
  ASSIGN_OR_RETURN(auto engine, OpenReadOnly(dir));
  std::vector<rocksdb::BackupInfo> infos;
  engine->GetBackupInfo(&infos);
  std::vector<BackupRecord> records;
  for (const auto& info : infos) records.push_back(FromInfo(info));
  return records;
}

absl::StatusOr<BackupRecord> VerifyBackupFiles(const std::string& dir, uint32_t id) {
  ASSIGN_OR_RETURN(auto engine, OpenReadOnly(dir));
  ASSIGN_OR_RETURN(rocksdb::BackupInfo info, Find(*engine, id, dir));
  rocksdb::IOStatus s =
      engine->VerifyBackup(info.backup_id, /*verify_with_checksum=*/true);
  if (!s.ok()) {
    return absl::DataLossError(
        absl::StrCat("backup ", info.backup_id, " in ", dir, ": ", s.ToString()));
  }
  return FromInfo(info);
}

absl::StatusOr<BackupRecord> RestoreBackup(const std::string& dir, uint32_t id,
                                           const std::string& data_dir) {
  std::error_code error;
  if (fs::exists(data_dir) && !fs::is_empty(data_dir, error)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data_dir: ", data_dir, " is not empty; restore into a new directory"));
  }
  ASSIGN_OR_RETURN(auto engine, OpenReadOnly(dir));
  ASSIGN_OR_RETURN(rocksdb::BackupInfo info, Find(*engine, id, dir));
  BackupRecord record = FromInfo(info);
  fs::create_directories(data_dir, error);
  rocksdb::IOStatus s = engine->RestoreDBFromBackup(rocksdb::RestoreOptions(),
                                                    info.backup_id, data_dir, data_dir);
  if (!s.ok()) return FromRocksStatus(s, absl::StrCat("restoring into ", data_dir));
  const std::string key = OwnDir(dir, info.backup_id) + "/" + kPageTokenKeyName;
  if (fs::exists(key)) {
    fs::copy_file(key, data_dir + "/" + kPageTokenKeyName,
                  fs::copy_options::overwrite_existing, error);
    if (error) {
      return absl::InternalError(
          absl::StrCat("cannot restore the page-token key: ", error.message()));
    }
    fs::permissions(data_dir + "/" + kPageTokenKeyName,
                    fs::perms::owner_read | fs::perms::owner_write, error);
  }
  StoreOptions options;
  options.create_if_missing = false;
  options.schema = SchemaPolicy::kAsIs;  // a backup taken before a migration stays old
  ASSIGN_OR_RETURN(std::unique_ptr<Store> restored, Store::Open(data_dir, options));
  ASSIGN_OR_RETURN(uint64_t head, restored->ReadHead());
  if (head != record.position) {
    return absl::DataLossError(absl::StrCat("the restored store's head is ", head,
                                            "; the backup's manifest says ",
                                            record.position));
  }
  return record;
}

absl::Status ForgetCheckpoints(const std::string& data_dir) {
  StoreOptions options;
  options.create_if_missing = false;
  ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(data_dir, options));
  rocksdb::WriteBatch batch;
  std::unique_ptr<rocksdb::Iterator> it(
      store->db()->NewIterator(rocksdb::ReadOptions(), store->checkpoints()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    batch.Delete(store->checkpoints(), it->key());
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "reading checkpoints");
  rocksdb::WriteOptions write;
  write.sync = true;
  return FromRocksStatus(store->db()->Write(write, &batch), "removing checkpoints");
}

}  // namespace agreements::store
