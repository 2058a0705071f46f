#include "store/rebuild.h"

#include <map>
#include <memory>
#include <unordered_map>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "domain/decider.h"
#include "rocksdb/write_batch.h"
#include "store/keys.h"
#include "store/merkle_tree.h"
#include "store/projector.h"
#include "store/stream_map.h"

namespace agreements::store {
namespace {

namespace v1 = ::agreements::v1;

using KeyValues = std::map<std::string, std::string>;

// The views as the log says they must be, per column family.
struct ExpectedViews {
  KeyValues streams, agreements, parties, agreement_index, party_index, sector_counters,
      event_tags, merkle, stream_map;
};

std::string Printable(const std::string& key) {
  for (unsigned char c : key) {
    if (c < 0x20 || c > 0x7e) return absl::StrCat("0x", absl::BytesToHexString(key));
  }
  return key;
}

absl::Status Compare(Store* store, const rocksdb::Snapshot* snapshot,
                     rocksdb::ColumnFamilyHandle* cf, const char* name,
                     const KeyValues& expected, bool repair, rocksdb::WriteBatch& fixes,
                     RebuildReport& report) {
  auto note = [&](const std::string& key, const char* what) {
    ++report.difference_count;
    if (report.differences.size() < kMaxListedDifferences) {
      report.differences.push_back(absl::StrCat(name, "/", Printable(key), ": ", what));
    }
  };
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(store->db()->NewIterator(read, cf));
  it->SeekToFirst();
  auto want = expected.begin();
  while (it->Valid() || want != expected.end()) {
    ++report.keys_compared;
    const int order = !it->Valid()             ? 1
                      : want == expected.end() ? -1
                                               : it->key().compare(want->first);
    if (order < 0) {
      note(it->key().ToString(), "stored but not produced by the log");
      if (repair) fixes.Delete(cf, it->key());
      it->Next();
    } else if (order > 0) {
      note(want->first, "missing from the stored views");
      if (repair) fixes.Put(cf, want->first, want->second);
      ++want;
    } else {
      if (it->value() != rocksdb::Slice(want->second)) {
        // A stored Merkle node that differs means the log or the tree was changed: a
        // repair must not make the tree agree with a tampered log (agreements-admin
        // verify checks against the signed checkpoints).
        const bool tree = cf == store->merkle();
        note(want->first, tree ? "stored Merkle node differs from the log (run verify; "
                                 "not repaired)"
                               : "stored value differs from the rebuild");
        if (repair && !tree) fixes.Put(cf, want->first, want->second);
      }
      it->Next();
      ++want;
    }
  }
  return FromRocksStatus(it->status(), "scanning stored views");
}

}  // namespace

absl::StatusOr<RebuildReport> RebuildViews(Store* store, bool repair) {
  ScopedSnapshot snapshot(store->db());
  RebuildReport report;
  std::map<std::string, v1::Agreement> agreements;
  std::map<std::string, v1::Party> parties;
  ExpectedViews expected;

  auto appender = MerkleAppender::Start(store, 0);
  if (!appender.ok()) return appender.status();
  // The stream-head map: one leaf per stream in creation order.
  std::vector<std::string> map_leaves;
  std::unordered_map<std::string, size_t> map_index;
  rocksdb::ReadOptions read;
  read.snapshot = snapshot.get();
  std::unique_ptr<rocksdb::Iterator> it(store->db()->NewIterator(read, store->log()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t position = 0;
    if (!DecodeU64(ToView(it->key()), position)) {
      return absl::DataLossError("log key is not 8 bytes");
    }
    if (position != report.head + 1) {
      return absl::DataLossError(absl::StrCat("the log has a gap: position ", position,
                                              " follows ", report.head));
    }
    v1::Event event;
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
    expected.event_tags[LogKey(position)] = SerializeDeterministic(tagger.Build());
    const merkle::Hash leaf_hash = merkle::LeafHash(ToView(it->value()));
    appender->Append(leaf_hash);
    {
      const std::string prefix =
          StreamPrefix(envelope.stream_type(), envelope.stream_id());
      auto [entry, created] = map_index.emplace(prefix, map_leaves.size());
      if (created) map_leaves.emplace_back();
      map_leaves[entry->second] = StreamMapLeaf(
          envelope.stream_type(), envelope.stream_id(), envelope.revision(), leaf_hash);
    }
    for (const auto& [key, hash] : appender->TakeAdded()) {
      expected.merkle[key] =
          std::string(reinterpret_cast<const char*>(hash.data()), hash.size());
    }
    expected.streams[StreamKey(envelope.stream_type(), envelope.stream_id(),
                               envelope.revision())] = EncodeU64(position);
    report.head = position;
    ++report.events;
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "reading the log");

  expected.stream_map = StreamMapContents(map_leaves);
  SectorCounterMap counters;
  for (const auto& [id, agreement] : agreements) {
    expected.agreements[id] = SerializeDeterministic(agreement);
    for (auto& key : AgreementIndexKeys(agreement)) expected.agreement_index[key] = "";
    ApplyContribution(agreement, +1, counters);
  }
  for (const auto& [id, party] : parties) {
    expected.parties[id] = SerializeDeterministic(party);
    for (auto& key : PartyIndexKeys(party)) expected.party_index[key] = "";
  }
  for (const auto& [sector, c] : counters) {
    if (!CountersEmpty(c)) expected.sector_counters[sector] = SerializeDeterministic(c);
  }

  rocksdb::WriteBatch fixes;
  const std::pair<rocksdb::ColumnFamilyHandle*, const KeyValues*> families[] = {
      {store->streams(), &expected.streams},
      {store->agreements(), &expected.agreements},
      {store->parties(), &expected.parties},
      {store->agreement_index(), &expected.agreement_index},
      {store->party_index(), &expected.party_index},
      {store->sector_counters(), &expected.sector_counters},
      {store->event_tags(), &expected.event_tags},
      {store->merkle(), &expected.merkle},
      {store->stream_map(), &expected.stream_map},
  };
  for (const auto& [cf, want] : families) {
    absl::Status s = Compare(store, snapshot.get(), cf, cf->GetName().c_str(), *want,
                             repair, fixes, report);
    if (!s.ok()) return s;
  }
  auto head = store->ReadHead(snapshot.get());
  if (!head.ok()) return head.status();
  if (*head != report.head) {
    ++report.difference_count;
    report.differences.push_back(
        absl::StrCat("meta/head: stored ", *head, ", the log ends at ", report.head));
    if (repair) fixes.Put(store->meta(), kMetaHead, EncodeU64(report.head));
  }
  if (repair && fixes.Count() > 0) {
    rocksdb::WriteOptions write;
    write.sync = true;
    rocksdb::Status s = store->db()->Write(write, &fixes);
    if (!s.ok()) return FromRocksStatus(s, "writing repaired views");
    report.repaired = true;
  }
  return report;
}

}  // namespace agreements::store
