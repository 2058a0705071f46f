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
#include "store/keys.h"
#include "store/merkle_tree.h"
#include "store/projector.h"
#include "store/stream_map.h"

namespace agreements::store {
namespace {

namespace v1 = ::agreements::v1;

using KeyValue = std::pair<std::string, std::string>;

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

// Sorts key-value pairs made out of order, then compares them.
absl::Status CompareSorted(std::vector<KeyValue>& expected, FamilyComparer& comparer) {
  std::sort(expected.begin(), expected.end(),
            [](const KeyValue& a, const KeyValue& b) { return a.first < b.first; });
  // Two values for one key: the log holds an event twice (a stream revision at two
  // positions); no repair can choose.
  auto twice = std::adjacent_find(
      expected.begin(), expected.end(),
      [](const KeyValue& a, const KeyValue& b) { return a.first == b.first; });
  if (twice != expected.end()) {
    return absl::DataLossError(absl::StrCat("the log produces ", Printable(twice->first),
                                            " twice (an event recorded twice)"));
  }
  for (const auto& [key, value] : expected) comparer.Add(key, value);
  std::vector<KeyValue>().swap(expected);
  return comparer.Finish();
}

// Keys of an index family (empty values), sorted and unique, then compared.
absl::Status CompareKeys(std::vector<std::string>& keys, FamilyComparer& comparer) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  for (const auto& key : keys) comparer.Add(key, "");
  std::vector<std::string>().swap(keys);
  return comparer.Finish();
}

// Views of streams held in memory during the replay, compared in id order.
template <typename State>
absl::Status CompareStates(const std::unordered_map<std::string, State>& states,
                           FamilyComparer& comparer, std::vector<std::string>& index_keys,
                           std::vector<std::string> (*keys_of)(const State&)) {
  std::vector<const std::pair<const std::string, State>*> sorted;
  sorted.reserve(states.size());
  for (const auto& entry : states) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  for (const auto* entry : sorted) {
    comparer.Add(entry->first, SerializeDeterministic(entry->second));
    for (auto& key : keys_of(entry->second)) index_keys.push_back(std::move(key));
  }
  return comparer.Finish();
}

}  // namespace

absl::StatusOr<RebuildReport> RebuildViews(Store* store, bool repair) {
  ScopedSnapshot snapshot(store->db());
  RebuildReport report;
  RepairWriter fixes(store);
  auto comparer = [&](rocksdb::ColumnFamilyHandle* cf) {
    return FamilyComparer(store, snapshot.get(), cf, repair, fixes, report);
  };
  std::unordered_map<std::string, v1::Agreement> agreements;
  std::unordered_map<std::string, v1::Party> parties;
  std::vector<KeyValue> streams, merkle_nodes;
  // event_tags are produced in key (position) order: compared during the replay.
  FamilyComparer tags = comparer(store->event_tags());

  MerkleAppender appender = MerkleAppender::Empty();
  // The stream-head map: one leaf per stream in creation order.
  std::vector<std::string> map_leaves;
  std::unordered_map<std::string, size_t> map_index;

  rocksdb::ReadOptions read;
  read.snapshot = snapshot.get();
  read.readahead_size = 2 << 20;
  read.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(store->db()->NewIterator(read, store->log()));
  v1::Event event;  // reused: parsing into it keeps its allocations
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t position = 0;
    if (!DecodeU64(ToView(it->key()), position)) {
      return absl::DataLossError("log key is not 8 bytes");
    }
    if (position != report.head + 1) {
      return absl::DataLossError(absl::StrCat("the log has a gap: position ", position,
                                              " follows ", report.head));
    }
    if (!event.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(
          absl::StrCat("event at position ", position, " cannot be parsed"));
    }
    const v1::EventEnvelope& envelope = event.envelope();
    if (envelope.position() != position) {
      return absl::DataLossError(absl::StrCat("event stored at position ", position,
                                              " names position ", envelope.position()));
    }
    EventTagger tagger;
    if (envelope.stream_type() == v1::STREAM_TYPE_PARTY) {
      domain::EvolveParty(parties[envelope.stream_id()], event);
      tagger.AddParty(envelope.stream_id());
    } else {
      v1::Agreement& agreement = agreements[envelope.stream_id()];
      if (envelope.revision() > 1) tagger.Add(agreement);
      domain::EvolveAgreement(agreement, event);
      tagger.Add(agreement);
    }
    const std::string key = LogKey(position);
    tags.Add(key, SerializeDeterministic(tagger.Build()));
    const merkle::Hash leaf_hash = merkle::LeafHash(ToView(it->value()));
    appender.Append(leaf_hash);
    for (const auto& [node, hash] : appender.TakeAdded()) {
      merkle_nodes.emplace_back(
          node, std::string(reinterpret_cast<const char*>(hash.data()), hash.size()));
    }
    {
      std::string prefix = StreamPrefix(envelope.stream_type(), envelope.stream_id());
      auto [entry, created] = map_index.emplace(prefix, map_leaves.size());
      if (created) map_leaves.emplace_back();
      map_leaves[entry->second] = StreamMapLeaf(
          envelope.stream_type(), envelope.stream_id(), envelope.revision(), leaf_hash);
      AppendU64(prefix, envelope.revision());
      streams.emplace_back(std::move(prefix), key);
    }
    report.head = position;
    ++report.events;
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "reading the log");
  it.reset();
  RETURN_IF_ERROR(tags.Finish());
  decltype(map_index)().swap(map_index);

  {
    FamilyComparer cmp = comparer(store->streams());
    RETURN_IF_ERROR(CompareSorted(streams, cmp));
  }
  {
    FamilyComparer cmp = comparer(store->merkle());
    RETURN_IF_ERROR(CompareSorted(merkle_nodes, cmp));
  }
  {
    std::vector<KeyValue> contents = StreamMapContents(map_leaves);
    decltype(map_leaves)().swap(map_leaves);
    FamilyComparer cmp = comparer(store->stream_map());
    RETURN_IF_ERROR(CompareSorted(contents, cmp));
  }
  SectorCounterMap counters;
  for (const auto& [id, agreement] : agreements)
    ApplyContribution(agreement, +1, counters);
  {
    std::vector<std::string> index_keys;
    FamilyComparer cmp = comparer(store->agreements());
    RETURN_IF_ERROR(CompareStates(agreements, cmp, index_keys, &AgreementIndexKeys));
    decltype(agreements)().swap(agreements);
    FamilyComparer index = comparer(store->agreement_index());
    RETURN_IF_ERROR(CompareKeys(index_keys, index));
  }
  {
    std::vector<std::string> index_keys;
    FamilyComparer cmp = comparer(store->parties());
    RETURN_IF_ERROR(CompareStates(parties, cmp, index_keys, &PartyIndexKeys));
    FamilyComparer index = comparer(store->party_index());
    RETURN_IF_ERROR(CompareKeys(index_keys, index));
  }
  {
    FamilyComparer cmp = comparer(store->sector_counters());
    for (const auto& [sector, c] : counters) {
      for (const auto& [key, value] : SectorCounterEntries(sector, c))
        cmp.Add(key, value);
    }
    RETURN_IF_ERROR(cmp.Finish());
  }

  auto head = store->ReadHead(snapshot.get());
  if (!head.ok()) return head.status();
  if (*head != report.head) {
    ++report.difference_count;
    report.differences.push_back(
        absl::StrCat("meta/head: stored ", *head, ", the log ends at ", report.head));
    if (repair) fixes.Put(store->meta(), kMetaHead, EncodeU64(report.head));
  }
  if (repair) {
    bool wrote = false;
    RETURN_IF_ERROR(fixes.Finish(wrote));
    report.repaired = wrote;
  }
  return report;
}

}  // namespace agreements::store
