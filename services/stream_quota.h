// StreamQuota: which feed streams (Subscribe and WatchSector together) may open
// (docs/security.md, Limits per caller). At most `max_streams` are open at once; of
// those, `reserved_streams` slots are kept for callers holding audit.read (admins,
// auditors), so that readers who take every other slot cannot lock them out; and one
// principal holds at most `max_streams_per_principal` (callers with the admin role are
// exempt). Refusals are RESOURCE_EXHAUSTED naming the limit, and are counted per limit.
//
// Not thread-safe: FeedDispatcher calls it under its own lock.
#ifndef AGREEMENTS_SERVICES_STREAM_QUOTA_H_
#define AGREEMENTS_SERVICES_STREAM_QUOTA_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "agreements/v1/security_service.pb.h"
#include "services/access_control.h"

namespace agreements::services {

class StreamQuota {
 public:
  // The limit that refused a stream.
  enum class Limit { kNone, kPerPrincipal, kReserved, kTotal };

  // A `reserved_streams` larger than `max_streams` reserves every slot;
  // `max_streams_per_principal` 0 means no limit per principal.
  StreamQuota(size_t max_streams, size_t max_streams_per_principal,
              size_t reserved_streams);

  // Takes a slot for a stream of `caller`, or RESOURCE_EXHAUSTED naming the limit.
  absl::Status Admit(const Caller& caller);
  // Gives back the slot of a stream admitted for `caller`.
  void Release(const Caller& caller);

  size_t open() const { return open_; }
  // Fills the limits, the open streams and the refusals (not revoked_stream_count).
  void Describe(agreements::v1::StreamLimitStatus& status) const;

 private:
  // The limit that refuses a stream of `caller`, if any.
  Limit RefusingLimit(const Caller& caller) const;
  absl::Status Refusal(Limit limit, const Caller& caller) const;
  absl::Status Describe(Limit limit, const Caller& caller) const;

  const size_t max_streams_;
  const size_t per_principal_;
  const size_t reserved_;
  size_t open_ = 0;
  // Open streams of each principal that has any.
  absl::flat_hash_map<std::string, size_t> by_principal_;
  std::map<std::string, int64_t> refusals_;
};

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_STREAM_QUOTA_H_
