#include "store/keys.h"

#include "absl/strings/ascii.h"

namespace agreements::store {

void AppendU64(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

void AppendU32(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

const char* FamilyName(Family family) {
  switch (family) {
    case Family::kDefault:
      return "default";  // rocksdb::kDefaultColumnFamilyName (a global, not usable here)
    case Family::kLog:
      return kCfLog;
    case Family::kStreams:
      return kCfStreams;
    case Family::kRequests:
      return kCfRequests;
    case Family::kAgreements:
      return kCfAgreements;
    case Family::kParties:
      return kCfParties;
    case Family::kAgreementIndex:
      return kCfAgreementIndex;
    case Family::kPartyIndex:
      return kCfPartyIndex;
    case Family::kSectorCounters:
      return kCfSectorCounters;
    case Family::kStatistics:
      return kCfStatistics;
    case Family::kEventTags:
      return kCfEventTags;
    case Family::kMerkle:
      return kCfMerkle;
    case Family::kCheckpoints:
      return kCfCheckpoints;
    case Family::kStreamMap:
      return kCfStreamMap;
    case Family::kCount:
      break;
  }
  return "";
}

std::string EncodeU64(uint64_t value) {
  std::string out;
  out.reserve(8);
  AppendU64(out, value);
  return out;
}

bool DecodeU64(absl::string_view in, uint64_t& value) {
  if (in.size() != 8) return false;
  value = 0;
  for (char c : in) value = (value << 8) | static_cast<uint8_t>(c);
  return true;
}

std::string StreamPrefix(agreements::v1::StreamType type, absl::string_view id) {
  std::string key;
  key.reserve(id.size() + 2);
  key.push_back(static_cast<char>(type));
  key.append(id.data(), id.size());
  key.push_back('\0');
  return key;
}

std::string StreamKey(agreements::v1::StreamType type, absl::string_view id,
                      uint64_t revision) {
  std::string key = StreamPrefix(type, id);
  AppendU64(key, revision);
  return key;
}

std::string EnumValue(int value) {
  std::string out;
  AppendU32(out, static_cast<uint32_t>(value));
  return out;
}

std::string IndexPrefix(char tag, absl::string_view value) {
  std::string key;
  key.reserve(value.size() + 2);
  key.push_back(tag);
  key.append(value.data(), value.size());
  key.push_back('\0');
  return key;
}

std::string IdentifierPrefix(absl::string_view scheme, absl::string_view value) {
  // Compared without regard to case: "UNTS:I-54113" and "unts:i-54113" are one
  // identifier.
  std::string key = IndexPrefix(kIndexIdentifier, absl::AsciiStrToUpper(scheme));
  key.append(absl::AsciiStrToUpper(value));
  key.push_back('\0');
  return key;
}

std::string ListPartition(char partition, absl::string_view sector) {
  std::string key = {kIndexList, partition};
  if (partition == kPartitionSector) {
    key.append(sector.data(), sector.size());
    key.push_back('\0');
  }
  return key;
}

std::string VisibilityPrefix(absl::string_view agreement_id) {
  return IndexPrefix(kIndexVisibility, agreement_id);
}

std::string VisibilityKey(absl::string_view agreement_id, int level,
                          absl::string_view joined_sectors) {
  std::string key = VisibilityPrefix(agreement_id);
  key.push_back(static_cast<char>(level));
  key.append(joined_sectors.data(), joined_sectors.size());
  return key;
}

std::string IndexPrefixEnum(char tag, int value) {
  return IndexPrefix(tag, EnumValue(value));
}

}  // namespace agreements::store
