#include "store/history.h"

#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "agreements/storage/v1/storage.pb.h"
#include "common/status_macros.h"
#include "domain/decider.h"
#include "google/protobuf/text_format.h"
#include "store/keys.h"

namespace agreements::store {
namespace {

namespace v1 = ::agreements::v1;
namespace sv1 = ::agreements::storage::v1;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

absl::StatusOr<v1::Event> ReadEvent(const Store* store, const rocksdb::Snapshot* snapshot,
                                    uint64_t position) {
  ASSIGN_OR_RETURN(std::string bytes,
                   store->Get(store->log(), LogKey(position), snapshot));
  v1::Event event;
  if (!event.ParseFromString(bytes)) {
    return absl::DataLossError(
        absl::StrCat("event at position ", position, " cannot be parsed"));
  }
  return event;
}

bool IsBookkeeping(const FieldDescriptor* field) {
  const std::string& name = field->name();
  return name == "revision" || name == "last_position" || name == "create_time" ||
         name == "update_time";
}

std::string Text(const Message& message, const FieldDescriptor* field, int index) {
  std::string out;
  google::protobuf::TextFormat::Printer printer;
  printer.SetSingleLineMode(true);
  printer.PrintFieldValueToString(message, field, index, &out);
  return out;
}

std::string FieldText(const Message& message, const FieldDescriptor* field) {
  const Reflection* reflection = message.GetReflection();
  if (!field->is_repeated()) {
    if (field->message_type() != nullptr && !reflection->HasField(message, field))
      return "";
    return Text(message, field, -1);
  }
  std::string out;
  for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
    out += (i == 0 ? "[" : ", ") + Text(message, field, i);
  }
  return out.empty() ? "" : out + "]";
}

// Appends the differing fields of two messages of the same type.
void Compare(
    const Message& before, const Message& after, const std::string& prefix, bool top,
    std::vector<std::pair<std::string, std::pair<std::string, std::string>>>& out) {
  const auto* descriptor = before.GetDescriptor();
  const Reflection* reflection = before.GetReflection();
  for (int f = 0; f < descriptor->field_count(); ++f) {
    const FieldDescriptor* field = descriptor->field(f);
    if (top && IsBookkeeping(field)) continue;
    const std::string path =
        prefix.empty() ? field->name() : prefix + "." + field->name();
    if (field->is_repeated()) {
      const int a = reflection->FieldSize(before, field);
      const int b = reflection->FieldSize(after, field);
      if (a == b && field->message_type() != nullptr) {
        for (int i = 0; i < a; ++i) {
          Compare(reflection->GetRepeatedMessage(before, field, i),
                  reflection->GetRepeatedMessage(after, field, i),
                  absl::StrCat(path, "[", i, "]"), false, out);
        }
        continue;
      }
      const std::string old_text = FieldText(before, field);
      const std::string new_text = FieldText(after, field);
      if (old_text != new_text) out.push_back({path, {old_text, new_text}});
      continue;
    }
    if (field->message_type() != nullptr && reflection->HasField(before, field) &&
        reflection->HasField(after, field)) {
      Compare(reflection->GetMessage(before, field), reflection->GetMessage(after, field),
              path, false, out);
      continue;
    }
    const std::string old_text = FieldText(before, field);
    const std::string new_text = FieldText(after, field);
    if (old_text != new_text) out.push_back({path, {old_text, new_text}});
  }
}

}  // namespace

absl::StatusOr<uint64_t> ResolveAsOf(const Store* store,
                                     const rocksdb::Snapshot* snapshot,
                                     const v1::AsOf& as_of) {
  // As-of reads list agreements from the views: they reach what the views reflect.
  ASSIGN_OR_RETURN(const uint64_t head, store->ReadApplied(snapshot));
  switch (as_of.point_case()) {
    case v1::AsOf::POINT_NOT_SET:
      return head;
    case v1::AsOf::kPosition:
      if (as_of.position() > head) {
        return absl::InvalidArgumentError(
            absl::StrCat("as_of.position: ", as_of.position(),
                         " is beyond the views' position ", head));
      }
      return as_of.position();
    case v1::AsOf::kRecordedAt:
      break;
  }
  const auto& time = as_of.recorded_at();
  // Year 1 to 9999, as google.protobuf.Timestamp allows; compared as (seconds, nanos).
  if (time.seconds() < -62135596800 || time.seconds() > 253402300799 ||
      time.nanos() < 0 || time.nanos() > 999999999) {
    return absl::InvalidArgumentError(
        "as_of.recorded_at: not a valid timestamp (years 1 to 9999)");
  }
  auto not_after = [&time](const google::protobuf::Timestamp& t) {
    return t.seconds() < time.seconds() ||
           (t.seconds() == time.seconds() && t.nanos() <= time.nanos());
  };
  // The last position whose recorded_at <= wanted; 0 if none.
  uint64_t low = 0, high = head;
  while (low < high) {
    const uint64_t mid = low + (high - low + 1) / 2;
    ASSIGN_OR_RETURN(v1::Event event, ReadEvent(store, snapshot, mid));
    if (not_after(event.envelope().recorded_at())) {
      low = mid;
    } else {
      high = mid - 1;
    }
  }
  return low;
}

absl::StatusOr<std::vector<v1::Event>> StreamHistory(const Store* store,
                                                     const rocksdb::Snapshot* snapshot,
                                                     v1::StreamType type,
                                                     const std::string& id,
                                                     uint64_t max_position) {
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  const std::string prefix = StreamPrefix(type, id);
  std::unique_ptr<rocksdb::Iterator> it(store->db()->NewIterator(read, store->streams()));
  std::vector<v1::Event> events;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    uint64_t position = 0;
    if (!DecodeU64(ToView(it->value()), position)) {
      return absl::DataLossError("stream index value is not 8 bytes");
    }
    if (position > max_position) break;  // revisions and positions grow together
    ASSIGN_OR_RETURN(v1::Event event, ReadEvent(store, snapshot, position));
    events.push_back(std::move(event));
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "reading a stream");
  return events;
}

std::vector<v1::FieldChange> DiffHistory(const std::vector<v1::Event>& history,
                                         uint64_t from_revision, uint64_t to_revision) {
  std::vector<v1::FieldChange> changes;
  v1::Agreement state;
  for (const v1::Event& event : history) {
    const v1::EventEnvelope& envelope = event.envelope();
    if (envelope.revision() > to_revision) break;
    v1::Agreement before = state;
    domain::EvolveAgreement(state, event);
    if (envelope.revision() <= from_revision) continue;
    std::vector<std::pair<std::string, std::pair<std::string, std::string>>> diffs;
    Compare(before, state, "", true, diffs);
    for (auto& [field, values] : diffs) {
      v1::FieldChange& change = changes.emplace_back();
      change.set_field(field);
      change.set_old_value(values.first);
      change.set_new_value(values.second);
      change.set_position(envelope.position());
      change.set_revision(envelope.revision());
      change.set_event_type(envelope.event_type());
      change.set_actor(envelope.actor());
      *change.mutable_recorded_at() = envelope.recorded_at();
      if (event.payload().has_record_corrected()) {
        change.set_corrects_position(
            event.payload().record_corrected().corrected_position());
      }
    }
  }
  return changes;
}

absl::StatusOr<std::vector<v1::Agreement>> SectorAsOf(const Store* store,
                                                      const rocksdb::Snapshot* snapshot,
                                                      const std::string& sector,
                                                      uint64_t position) {
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  std::set<std::string> candidates;
  std::unique_ptr<rocksdb::Iterator> tags(
      store->db()->NewIterator(read, store->event_tags()));
  std::unique_ptr<rocksdb::Iterator> log(store->db()->NewIterator(read, store->log()));
  for (tags->SeekToFirst(), log->SeekToFirst(); tags->Valid() && log->Valid();
       tags->Next(), log->Next()) {
    uint64_t at = 0;
    if (!DecodeU64(ToView(tags->key()), at)) return absl::DataLossError("bad tags key");
    if (at > position) break;
    sv1::EventTags parsed;
    if (!parsed.ParseFromArray(tags->value().data(),
                               static_cast<int>(tags->value().size()))) {
      return absl::DataLossError(
          absl::StrCat("tags of position ", at, " cannot be parsed"));
    }
    bool in_sector = false;
    for (const auto& s : parsed.sectors()) in_sector = in_sector || s == sector;
    if (!in_sector) continue;
    v1::Event event;
    if (!event.ParseFromArray(log->value().data(),
                              static_cast<int>(log->value().size()))) {
      return absl::DataLossError(
          absl::StrCat("event at position ", at, " cannot be parsed"));
    }
    candidates.insert(event.envelope().stream_id());
  }
  std::vector<v1::Agreement> agreements;
  for (const std::string& id : candidates) {
    ASSIGN_OR_RETURN(
        auto history,
        StreamHistory(store, snapshot, v1::STREAM_TYPE_AGREEMENT, id, position));
    v1::Agreement state;
    for (const v1::Event& event : history) domain::EvolveAgreement(state, event);
    for (const auto& s : state.sectors()) {
      if (s == sector) {
        agreements.push_back(std::move(state));
        break;
      }
    }
  }
  return agreements;
}

}  // namespace agreements::store
