#include "store/rebuild.h"

#include <algorithm>
#include <memory>
#include <unordered_map>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "domain/decider.h"
#include "rocksdb/write_batch.h"
#include "store/applier.h"
#include "store/keys.h"

namespace agreements::store {
namespace {

namespace v1 = ::agreements::v1;

std::string Printable(const std::string& key) {
  for (unsigned char c : key) {
    if (c < 0x20 || c > 0x7e) return absl::StrCat("0x", absl::BytesToHexString(key));
  }
  return key;
}

// The repairs of a rebuild, written in batches of about kRepairBatchBytes so that a
// rebuild that rewrites a whole family (a migration) needs no more memory than that.
// Partial repairs are harmless: the comparison reads one snapshot, and an interrupted
// repair (or migration, whose schema version is written last) is simply run again.
class RepairWriter {
 public:
  static constexpr size_t kRepairBatchBytes = 64 << 20;

  explicit RepairWriter(Store* store) : store_(store) {}

  void Put(rocksdb::ColumnFamilyHandle* cf, const rocksdb::Slice& key,
           const rocksdb::Slice& value) {
    batch_.Put(cf, key, value);
    Wrote();
  }
  void Delete(rocksdb::ColumnFamilyHandle* cf, const rocksdb::Slice& key) {
    batch_.Delete(cf, key);
    Wrote();
  }
  // Writes what is left (synced, which also makes the earlier batches durable); the
  // first error of any batch. True in `wrote` when anything was repaired.
  absl::Status Finish(bool& wrote) {
    if (batch_.Count() > 0) Write(/*sync=*/true);
    wrote = count_ > 0;
    return status_;
  }

 private:
  void Wrote() {
    ++count_;
    if (batch_.GetDataSize() >= kRepairBatchBytes) Write(/*sync=*/false);
  }
  void Write(bool sync) {
    if (!status_.ok()) return;
    rocksdb::WriteOptions write;
    write.sync = sync;
    status_ =
        FromRocksStatus(store_->db()->Write(write, &batch_), "writing repaired views");
    batch_.Clear();
  }

  Store* const store_;
  rocksdb::WriteBatch batch_;
  uint64_t count_ = 0;
  absl::Status status_;
};

// Compares the expected contents of one family, given in strictly increasing key order,
// with the stored family, walking both once (no copy of either in memory).
class FamilyComparer {
 public:
  FamilyComparer(Store* store, const rocksdb::Snapshot* snapshot,
                 rocksdb::ColumnFamilyHandle* cf, bool repair, RepairWriter& fixes,
                 RebuildReport& report)
      : store_(store),
        cf_(cf),
        name_(cf->GetName()),
        // A stored Merkle node that differs means the log or the tree was changed: a
        // repair must not make the tree agree with a tampered log (agreements-admin
        // verify checks against the signed checkpoints).
        tree_(cf == store->merkle()),
        repair_(repair),
        fixes_(fixes),
        report_(report) {
    rocksdb::ReadOptions read;
    read.snapshot = snapshot;
    read.readahead_size = 2 << 20;
    read.fill_cache = false;
    it_.reset(store->db()->NewIterator(read, cf));
    it_->SeekToFirst();
  }

  // The next expected key (greater than the one before) and its value.
  void Add(absl::string_view key, absl::string_view value) {
    while (it_->Valid() &&
           it_->key().compare(rocksdb::Slice(key.data(), key.size())) < 0) {
      ++report_.keys_compared;
      Note(it_->key().ToString(), "stored but not produced by the log");
      if (repair_) fixes_.Delete(cf_, it_->key());
      it_->Next();
    }
    ++report_.keys_compared;
    if (!it_->Valid() || it_->key() != rocksdb::Slice(key.data(), key.size())) {
      Note(std::string(key), "missing from the stored views");
      if (repair_) fixes_.Put(cf_, ToSlice(key), ToSlice(value));
      return;
    }
    if (it_->value() != rocksdb::Slice(value.data(), value.size())) {
      Note(std::string(key), tree_
                                 ? "stored Merkle node differs from the log (run verify; "
                                   "not repaired)"
                                 : "stored value differs from the rebuild");
      if (repair_ && !tree_) fixes_.Put(cf_, ToSlice(key), ToSlice(value));
    }
    it_->Next();
  }

  // Every stored key after the last expected one is extra.
  absl::Status Finish() {
    for (; it_->Valid(); it_->Next()) {
      ++report_.keys_compared;
      Note(it_->key().ToString(), "stored but not produced by the log");
      if (repair_) fixes_.Delete(cf_, it_->key());
    }
    return FromRocksStatus(it_->status(), "scanning stored views");
  }

 private:
  static rocksdb::Slice ToSlice(absl::string_view s) {
    return rocksdb::Slice(s.data(), s.size());
  }
  void Note(const std::string& key, const char* what) {
    ++report_.difference_count;
    if (report_.differences.size() < kMaxListedDifferences) {
      report_.differences.push_back(absl::StrCat(name_, "/", Printable(key), ": ", what));
    }
  }

  Store* const store_;
  rocksdb::ColumnFamilyHandle* const cf_;
  const std::string name_;
  const bool tree_;
  const bool repair_;
  RepairWriter& fixes_;
  RebuildReport& report_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

// Collects what the appliers write, per family, to compare it once the log is replayed:
// sorted by key, the last write of a key wins, and deleted keys are dropped (a rebuild
// starts from nothing).
class CollectingSink : public ViewSink {
 public:
  void Put(Family family, absl::string_view key, absl::string_view value) override {
    entries_[static_cast<int>(family)].push_back(
        {std::string(key), std::string(value), false});
  }
  void Delete(Family family, absl::string_view key) override {
    entries_[static_cast<int>(family)].push_back({std::string(key), std::string(), true});
  }

  // Compares one family's final contents with the stored family, then frees them.
  absl::Status Compare(Family family, FamilyComparer& comparer) {
    std::vector<Entry>& entries = entries_[static_cast<int>(family)];
    std::stable_sort(entries.begin(), entries.end(),
                     [](const Entry& a, const Entry& b) { return a.key < b.key; });
    for (size_t i = 0; i < entries.size(); ++i) {
      if (i + 1 < entries.size() && entries[i + 1].key == entries[i].key) continue;
      if (!entries[i].deleted) comparer.Add(entries[i].key, entries[i].value);
    }
    std::vector<Entry>().swap(entries);
    return comparer.Finish();
  }

 private:
  struct Entry {
    std::string key;
    std::string value;
    bool deleted;
  };
  std::vector<Entry> entries_[kFamilyCount];
};

// Replays the log into the appliers: the record stage up to the head, the view stage up
// to the applied position. Checks that positions and revisions follow each other.
class Replayer {
 public:
  Replayer(std::vector<std::unique_ptr<Applier>> appliers, uint64_t applied)
      : appliers_(std::move(appliers)), applied_(applied) {}

  absl::Status Add(uint64_t position, absl::string_view bytes, RebuildReport& report) {
    if (position != report.head + 1) {
      return absl::DataLossError(absl::StrCat("the log has a gap: position ", position,
                                              " follows ", report.head));
    }
    auto event = std::make_shared<v1::Event>();
    if (!event->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return absl::DataLossError(
          absl::StrCat("event at position ", position, " cannot be parsed"));
    }
    const v1::EventEnvelope& envelope = event->envelope();
    if (envelope.position() != position) {
      return absl::DataLossError(absl::StrCat("event stored at position ", position,
                                              " names position ", envelope.position()));
    }
    Change change;
    change.event = event.get();
    change.bytes = bytes;
    change.leaf_hash = merkle::LeafHash(bytes);
    RETURN_IF_ERROR(Fold(*event, change));
    for (auto& applier : appliers_) {
      if (applier->stage() == ApplierStage::kView && position > applied_) continue;
      RETURN_IF_ERROR(applier->Apply(change, sink_));
    }
    report.head = position;
    ++report.events;
    return absl::OkStatus();
  }

  absl::Status Finish() {
    for (auto& applier : appliers_) RETURN_IF_ERROR(applier->Flush(sink_));
    return absl::OkStatus();
  }

  // The families the appliers wrote.
  std::vector<Family> families() const {
    std::vector<Family> families;
    for (const auto& applier : appliers_) {
      for (Family family : applier->families()) families.push_back(family);
    }
    return families;
  }
  CollectingSink& sink() { return sink_; }

 private:
  template <typename State>
  static absl::Status Next(
      std::unordered_map<std::string, std::shared_ptr<const State>>& states,
      const v1::Event& event, std::shared_ptr<const State>& before,
      std::shared_ptr<const State>& after, void (*evolve)(State&, const v1::Event&)) {
    const v1::EventEnvelope& envelope = event.envelope();
    std::shared_ptr<const State>& state = states[envelope.stream_id()];
    const uint64_t revision = state == nullptr ? 0 : state->revision();
    if (envelope.revision() != revision + 1) {
      return absl::DataLossError(absl::StrCat(
          "event at position ", envelope.position(), " is revision ", envelope.revision(),
          " of ", envelope.stream_id(), ", which is at revision ", revision,
          " (an event recorded twice or missing)"));
    }
    auto next =
        state == nullptr ? std::make_shared<State>() : std::make_shared<State>(*state);
    evolve(*next, event);
    before = state;
    after = next;
    state = std::move(next);
    return absl::OkStatus();
  }

  absl::Status Fold(const v1::Event& event, Change& change) {
    if (event.envelope().stream_type() == v1::STREAM_TYPE_PARTY) {
      return Next<v1::Party>(parties_, event, change.party_before, change.party_after,
                             &domain::EvolveParty);
    }
    return Next<v1::Agreement>(agreements_, event, change.agreement_before,
                               change.agreement_after, &domain::EvolveAgreement);
  }

  std::vector<std::unique_ptr<Applier>> appliers_;
  const uint64_t applied_;
  CollectingSink sink_;
  std::unordered_map<std::string, std::shared_ptr<const v1::Agreement>> agreements_;
  std::unordered_map<std::string, std::shared_ptr<const v1::Party>> parties_;
};

}  // namespace

absl::StatusOr<RebuildReport> RebuildViews(Store* store, bool repair) {
  ScopedSnapshot snapshot(store->db());
  RebuildReport report;
  ASSIGN_OR_RETURN(const uint64_t stored_head, store->ReadHead(snapshot.get()));
  ASSIGN_OR_RETURN(report.applied, store->ReadApplied(snapshot.get()));
  ASSIGN_OR_RETURN(auto appliers, MakeAppliers(ApplierContext()));
  Replayer replayer(std::move(appliers), report.applied);

  rocksdb::ReadOptions read;
  read.snapshot = snapshot.get();
  read.readahead_size = 2 << 20;
  read.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(store->db()->NewIterator(read, store->log()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t position = 0;
    if (!DecodeU64(ToView(it->key()), position)) {
      return absl::DataLossError("log key is not 8 bytes");
    }
    RETURN_IF_ERROR(replayer.Add(position, ToView(it->value()), report));
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "reading the log");
  it.reset();
  RETURN_IF_ERROR(replayer.Finish());

  RepairWriter fixes(store);
  for (Family family : replayer.families()) {
    FamilyComparer comparer(store, snapshot.get(), store->handle(family), repair, fixes,
                            report);
    RETURN_IF_ERROR(replayer.sink().Compare(family, comparer));
  }
  if (stored_head != report.head) {
    ++report.difference_count;
    report.differences.push_back(absl::StrCat("meta/head: stored ", stored_head,
                                              ", the log ends at ", report.head));
    if (repair) fixes.Put(store->meta(), kMetaHead, EncodeU64(report.head));
  }
  if (report.applied > report.head) {
    ++report.difference_count;
    report.differences.push_back(absl::StrCat("meta/applied: stored ", report.applied,
                                              ", the log ends at ", report.head));
  }
  if (repair) {
    bool wrote = false;
    RETURN_IF_ERROR(fixes.Finish(wrote));
    report.repaired = wrote;
  }
  return report;
}

}  // namespace agreements::store
