// PeerSlowdown: slows down a peer address that keeps presenting bearer tokens the server
// does not know (docs/security.md, Limits per caller).
//
// A peer's failures are counted in a leaky bucket: each failure adds one (up to
// `failures`), each whole `window` without failure (after the last failure or the end
// of the slowdown) takes one away. At `failures` the peer is slowed down for `slowdown`;
// every further failure doubles the period, up to `max_slowdown`, and each whole
// `max_slowdown` without failure halves it again. So a peer that pauses between guesses
// still gets about one guess per window in the long run. While a peer is slowed down, a
// call from it that presents a token is refused at once, without looking the token up,
// unless that token succeeded from the same peer before: clients that were working go
// on working while someone at the same address guesses. Calls presenting no token (a
// client certificate, or nothing) guess nothing and are not tracked here.
//
// Memory is bounded: at most `max_peers` peers, each with at most `remembered_tokens`
// good tokens (64-bit keys); an entry is dropped once it has nothing left to enforce
// or remember. When the table is full, an entry that only remembers good tokens may
// make room (looked for at most once a second); failures and slowdowns are never
// evicted, and new addresses then share one overflow entry, slowed down like any.
//
// Thread-safe. Time is passed in, so tests need no clock.
#ifndef AGREEMENTS_SERVICES_PEER_SLOWDOWN_H_
#define AGREEMENTS_SERVICES_PEER_SLOWDOWN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace agreements::services {

struct PeerSlowdownOptions {
  // Failures after which a peer is slowed down; 0 turns the slowdown off.
  // Default: 10.
  int64_t failures = 10;
  // A failure counts with the earlier ones when it comes within this time of the last
  // failure or of the end of the last slowdown.
  // Default: 1 min.
  absl::Duration window = absl::Minutes(1);
  // The first slowdown; each further failure doubles it.
  // Default: 1 s.
  absl::Duration slowdown = absl::Seconds(1);
  // The longest slowdown.
  // Default: 5 min.
  absl::Duration max_slowdown = absl::Minutes(5);
  // Good tokens remembered per peer (the most recent ones).
  // Default: 16.
  size_t remembered_tokens = 16;
  // How long a peer's good tokens are remembered after its last success.
  // Default: 1 h.
  absl::Duration remember_for = absl::Hours(1);
  // Most peers tracked at once; beyond, new peers share one overflow entry.
  // Default: 10000.
  size_t max_peers = 10000;
};

// What PeerSlowdown has done, for GetSecurityStatus.
struct PeerSlowdownCounts {
  int64_t tracked_peers = 0;
  int64_t slowed_peers = 0;
  int64_t slowdowns = 0;
  int64_t slowed_calls = 0;
};

class PeerSlowdown {
 public:
  explicit PeerSlowdown(PeerSlowdownOptions options);

  PeerSlowdown(const PeerSlowdown&) = delete;
  PeerSlowdown& operator=(const PeerSlowdown&) = delete;

  const PeerSlowdownOptions& options() const { return options_; }
  bool enabled() const { return options_.failures > 0; }

  // Whether a call from `peer` presenting the token `token_key` may be checked at `now`:
  // nullopt, or how long the peer stays slowed down (the call is counted as slowed).
  std::optional<absl::Duration> Admit(absl::string_view peer, uint64_t token_key,
                                      absl::Time now);
  // A token presented from `peer` was not accepted.
  void Failed(absl::string_view peer, absl::Time now);
  // The token `token_key` was accepted from `peer`: it is not slowed from there.
  void Succeeded(absl::string_view peer, uint64_t token_key, absl::Time now);

  PeerSlowdownCounts counts(absl::Time now);

 private:
  struct Peer {
    int64_t failures = 0;
    // Slowdowns in the current run of failures.
    int slowdowns = 0;
    absl::Time last_failure = absl::InfinitePast();
    absl::Time slowed_until = absl::InfinitePast();
    absl::Time last_success = absl::InfinitePast();
    // Most recent last.
    std::vector<uint64_t> good_tokens;
  };

  // When the entry has nothing left to enforce or remember.
  absl::Time ExpiresAt(const Peer& peer) const;
  // Takes away what quiet time since the last failure or slowdown leaked.
  void Leak(Peer& peer, absl::Time now) const;
  bool Full() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Duration SlowdownAfter(int slowdowns) const;
  // The peer's entry, made room for when new.
  Peer& EntryLocked(absl::string_view peer, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SweepLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const PeerSlowdownOptions options_;

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Peer> peers_ ABSL_GUARDED_BY(mu_);
  absl::Time next_sweep_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Time next_eviction_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  // The peers a full table could not take.
  Peer overflow_ ABSL_GUARDED_BY(mu_);
  int64_t slowdowns_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t slowed_calls_ ABSL_GUARDED_BY(mu_) = 0;
};

// The address a gRPC peer string is tracked under: "ipv4:10.1.2.3:5000" -> "10.1.2.3";
// IPv6 by its /64 network, which one host usually holds whole
// ("ipv6:[2001:db8:1:2::7]:5000" -> "2001:db8:1:2::/64"), except IPv4-mapped addresses,
// which are IPv4 ("ipv6:[::ffff:10.1.2.3]:5000" -> "10.1.2.3"); anything else as given.
std::string PeerAddress(absl::string_view peer);

}  // namespace agreements::services

#endif  // AGREEMENTS_SERVICES_PEER_SLOWDOWN_H_
