#include "store/family_build.h"

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "rocksdb/sst_file_writer.h"

namespace agreements::store {
namespace {

rocksdb::Slice ToSlice(absl::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

// Writes one family's contents into SST files under `dir`, a new file whenever one
// reaches kBuildFileBytes.
class FileSeries {
 public:
  FileSeries(const rocksdb::Options& options, rocksdb::ColumnFamilyHandle* handle,
             std::string dir)
      : options_(options), handle_(handle), dir_(std::move(dir)) {}

  void Add(absl::string_view key, absl::string_view value) {
    if (!status_.ok()) return;
    if (writer_ == nullptr) Open();
    if (!status_.ok()) return;
    status_ = writer_->Put(ToSlice(key), ToSlice(value));
    ++keys_;
    if (status_.ok() && writer_->FileSize() >= kBuildFileBytes) Close();
  }

  absl::StatusOr<std::vector<std::string>> Finish() {
    if (writer_ != nullptr) Close();
    RETURN_IF_ERROR(FromRocksStatus(status_, absl::StrCat("writing ", dir_)));
    return files_;
  }
  uint64_t keys() const { return keys_; }

 private:
  void Open() {
    writer_ = std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(), options_,
                                                       handle_);
    files_.push_back(absl::StrCat(dir_, "/", files_.size(), ".sst"));
    status_ = writer_->Open(files_.back());
  }
  void Close() {
    if (status_.ok()) status_ = writer_->Finish();
    writer_.reset();
  }

  const rocksdb::Options options_;
  rocksdb::ColumnFamilyHandle* const handle_;
  const std::string dir_;
  std::unique_ptr<rocksdb::SstFileWriter> writer_;
  std::vector<std::string> files_;
  rocksdb::Status status_;
  uint64_t keys_ = 0;
};

// Builds one family: a new column family, its files, their ingestion.
absl::Status BuildOne(Store* store, CollectingSink& sink, BuiltFamily& built) {
  ASSIGN_OR_RETURN(built.handle, store->CreateBeside(built.family));
  const std::string dir =
      absl::StrCat(store->path(), "/rebuild-", built.handle->GetName());
  std::error_code error;
  std::filesystem::remove_all(dir, error);
  if (!std::filesystem::create_directories(dir, error)) {
    return absl::InternalError(absl::StrCat("creating ", dir, ": ", error.message()));
  }
  FileSeries files(store->FamilyOptions(built.family), built.handle, dir);
  sink.Drain(built.family, [&files](absl::string_view key, absl::string_view value) {
    files.Add(key, value);
  });
  auto written = files.Finish();
  absl::Status status = written.status();
  if (status.ok() && !written->empty()) {
    rocksdb::IngestExternalFileOptions ingest;
    ingest.move_files = true;
    // The family is new and empty: its files go to the last level with sequence number
    // zero, visible to every snapshot (no reader can see it before the swap).
    ingest.snapshot_consistency = false;
    status =
        FromRocksStatus(store->db()->IngestExternalFile(built.handle, *written, ingest),
                        absl::StrCat("ingesting the rebuilt ", built.handle->GetName()));
  }
  built.keys = files.keys();
  built.files = written.ok() ? written->size() : 0;
  std::filesystem::remove_all(dir, error);
  return status;
}

}  // namespace

absl::StatusOr<std::vector<BuiltFamily>> BuildBeside(
    Store* store, CollectingSink& sink, const std::vector<Family>& families) {
  std::vector<BuiltFamily> built(families.size());
  std::vector<absl::Status> statuses(families.size());
  for (size_t i = 0; i < families.size(); ++i) built[i].family = families[i];
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < built.size(); i = next++) {
      statuses[i] = BuildOne(store, sink, built[i]);
    }
  };
  std::thread helper(work);
  work();
  helper.join();
  absl::Status failed;
  for (const absl::Status& status : statuses) failed.Update(status);
  if (!failed.ok()) {
    for (const BuiltFamily& family : built) {
      if (family.handle != nullptr) store->DropBeside(family.handle);
    }
    return failed;
  }
  return built;
}

std::vector<std::pair<Family, rocksdb::ColumnFamilyHandle*>> SwapList(
    const std::vector<BuiltFamily>& built) {
  std::vector<std::pair<Family, rocksdb::ColumnFamilyHandle*>> list;
  for (const BuiltFamily& family : built) list.emplace_back(family.family, family.handle);
  return list;
}

}  // namespace agreements::store
