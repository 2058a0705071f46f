// StateCache: what the committer needs to decide the next command while the views lag
// behind the log. It holds the latest state of the streams the committer wrote (and of
// some it read), with the position of their last event and that event's leaf hash, and
// the identifier claims and releases the views may not show yet.
//
// Invariant: every stream and identifier changed by an event the projection has not
// applied is here (Evict drops only what the views reflect), so a stream missing here
// is current in its view. Only the committer writes streams, so a state here is the
// latest one for as long as the committer runs.
//
// Not thread-safe: the committer's thread.
#ifndef AGREEMENTS_STORE_STATE_CACHE_H_
#define AGREEMENTS_STORE_STATE_CACHE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "agreements/v1/agreement.pb.h"
#include "agreements/v1/party.pb.h"
#include "common/merkle.h"

namespace agreements::store {

class StateCache {
 public:
  struct Entry {
    // The stream's state (null when it has no event yet).
    std::shared_ptr<const agreements::v1::Agreement> agreement;
    std::shared_ptr<const agreements::v1::Party> party;
    // The position of its last event when the committer wrote it; 0 for a state read
    // from a current view.
    uint64_t position = 0;
    // The leaf hash of its last event, when known.
    std::optional<merkle::Hash> head_hash;
  };

  // At most `max_entries` streams whose views are current are kept (more are dropped,
  // never one the views have not reached).
  explicit StateCache(size_t max_entries) : max_entries_(max_entries) {}

  const Entry* FindAgreement(const std::string& id) const {
    return Find(agreements_, id);
  }
  const Entry* FindParty(const std::string& id) const { return Find(parties_, id); }
  void PutAgreement(const std::string& id, Entry entry) {
    agreements_[id] = std::move(entry);
  }
  void PutParty(const std::string& id, Entry entry) { parties_[id] = std::move(entry); }

  // The agreement holding an identifier (by IdentifierPrefix) after an event the views
  // may not reflect: its id, "" when released, nullopt when the views know best.
  std::optional<std::string> IdentifierOwner(const std::string& prefix) const {
    auto it = identifiers_.find(prefix);
    if (it == identifiers_.end()) return std::nullopt;
    return it->second.first;
  }
  void SetIdentifierOwner(const std::string& prefix, std::string owner,
                          uint64_t position) {
    identifiers_[prefix] = {std::move(owner), position};
  }

  // Drops what the views reflect at `applied`: every identifier entry, and streams when
  // there are more than the limit.
  void Evict(uint64_t applied) {
    for (auto it = identifiers_.begin(); it != identifiers_.end();) {
      it = it->second.second <= applied ? identifiers_.erase(it) : std::next(it);
    }
    if (agreements_.size() + parties_.size() <= max_entries_) return;
    for (auto* streams : {&agreements_, &parties_}) {
      for (auto it = streams->begin(); it != streams->end();) {
        it = it->second.position <= applied ? streams->erase(it) : std::next(it);
      }
    }
  }

  void Clear() {
    agreements_.clear();
    parties_.clear();
    identifiers_.clear();
  }
  size_t size() const { return agreements_.size() + parties_.size(); }

 private:
  using Streams = std::unordered_map<std::string, Entry>;
  static const Entry* Find(const Streams& streams, const std::string& id) {
    auto it = streams.find(id);
    return it == streams.end() ? nullptr : &it->second;
  }

  const size_t max_entries_;
  Streams agreements_;
  Streams parties_;
  std::unordered_map<std::string, std::pair<std::string, uint64_t>> identifiers_;
};

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_STATE_CACHE_H_
