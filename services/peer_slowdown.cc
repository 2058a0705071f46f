#include "services/peer_slowdown.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"

namespace agreements::services {
namespace {

// Doubling stops here: 2^20 times the first slowdown is beyond any useful maximum.
constexpr int kMaxDoublings = 20;

std::string Ipv6Address(absl::string_view host) {
  in6_addr address;
  if (inet_pton(AF_INET6, std::string(host).c_str(), &address) != 1) {
    return std::string(host);
  }
  char text[INET6_ADDRSTRLEN];
  if (IN6_IS_ADDR_V4MAPPED(&address)) {
    in_addr v4;
    std::memcpy(&v4, &address.s6_addr[12], sizeof(v4));
    return inet_ntop(AF_INET, &v4, text, sizeof(text)) != nullptr ? std::string(text)
                                                                  : std::string(host);
  }
  std::memset(&address.s6_addr[8], 0, 8);
  if (inet_ntop(AF_INET6, &address, text, sizeof(text)) == nullptr) {
    return std::string(host);
  }
  return absl::StrCat(text, "/64");
}

}  // namespace

std::string PeerAddress(absl::string_view peer) {
  if (absl::ConsumePrefix(&peer, "ipv4:")) {
    return std::string(peer.substr(0, peer.rfind(':')));
  }
  if (absl::ConsumePrefix(&peer, "ipv6:")) {
    // gRPC writes "[host]:port"; a URI form may percent-encode the brackets.
    const std::string text = absl::StrReplaceAll(
        peer, {{"%5B", "["}, {"%5D", "]"}, {"%5b", "["}, {"%5d", "]"}});
    const size_t close = text.rfind(']');
    if (absl::StartsWith(text, "[") && close != std::string::npos) {
      return Ipv6Address(absl::string_view(text).substr(1, close - 1));
    }
    // Never the port: each connection would be a new address.
    return std::string(absl::string_view(text).substr(0, text.rfind(':')));
  }
  return std::string(peer);
}

PeerSlowdown::PeerSlowdown(PeerSlowdownOptions options) : options_(options) {}

absl::Time PeerSlowdown::ExpiresAt(const Peer& peer) const {
  // Failures leak one per window and slowdowns one per max_slowdown after the last
  // failure or the end of the slowdown; good tokens last remember_for past the last
  // success.
  const absl::Time since = std::max(peer.last_failure, peer.slowed_until);
  return std::max({since + options_.window * peer.failures,
                   since + options_.max_slowdown * peer.slowdowns,
                   peer.last_success + options_.remember_for});
}

void PeerSlowdown::Leak(Peer& peer, absl::Time now) const {
  const absl::Time since = std::max(peer.last_failure, peer.slowed_until);
  if (now <= since) return;
  absl::Duration rest;
  const int64_t windows = absl::IDivDuration(now - since, options_.window, &rest);
  const int64_t calm = absl::IDivDuration(now - since, options_.max_slowdown, &rest);
  peer.failures = std::max<int64_t>(0, peer.failures - windows);
  peer.slowdowns = static_cast<int>(std::max<int64_t>(0, peer.slowdowns - calm));
}

absl::Duration PeerSlowdown::SlowdownAfter(int slowdowns) const {
  absl::Duration period = options_.slowdown;
  for (int i = 0; i < std::min(slowdowns, kMaxDoublings); ++i) {
    period *= 2;
    if (period >= options_.max_slowdown) break;
  }
  return std::min(period, options_.max_slowdown);
}

std::optional<absl::Duration> PeerSlowdown::Admit(absl::string_view peer,
                                                  uint64_t token_key, absl::Time now) {
  if (!enabled()) return std::nullopt;
  absl::MutexLock lock(&mu_);
  auto it = peers_.find(peer);
  // An address the full table could not take shares the overflow entry's slowdown.
  const Peer* entry = it != peers_.end() ? &it->second : Full() ? &overflow_ : nullptr;
  if (entry == nullptr || entry->slowed_until <= now) return std::nullopt;
  const std::vector<uint64_t>& good = entry->good_tokens;
  if (std::find(good.begin(), good.end(), token_key) != good.end()) return std::nullopt;
  ++slowed_calls_;
  return entry->slowed_until - now;
}

void PeerSlowdown::Failed(absl::string_view peer, absl::Time now) {
  if (!enabled()) return;
  absl::MutexLock lock(&mu_);
  Peer& entry = EntryLocked(peer, now);
  // A count that leaks rather than resets: an address pausing between guesses gets
  // about one guess per window, not a fresh run of them.
  Leak(entry, now);
  entry.last_failure = now;
  entry.failures = std::min(entry.failures + 1, options_.failures);
  if (entry.failures < options_.failures) return;
  entry.slowed_until = now + SlowdownAfter(entry.slowdowns);
  ++entry.slowdowns;
  ++slowdowns_;
}

void PeerSlowdown::Succeeded(absl::string_view peer, uint64_t token_key, absl::Time now) {
  if (!enabled() || options_.remembered_tokens == 0) return;
  absl::MutexLock lock(&mu_);
  Peer& entry = EntryLocked(peer, now);
  entry.last_success = now;
  std::vector<uint64_t>& good = entry.good_tokens;
  auto it = std::find(good.begin(), good.end(), token_key);
  if (it != good.end()) {
    std::rotate(it, it + 1, good.end());  // most recent last
    return;
  }
  if (good.size() >= options_.remembered_tokens) good.erase(good.begin());
  good.push_back(token_key);
}

bool PeerSlowdown::Full() const {
  return peers_.size() >= std::max<size_t>(options_.max_peers, 1);
}

PeerSlowdown::Peer& PeerSlowdown::EntryLocked(absl::string_view peer, absl::Time now) {
  SweepLocked(now);
  auto it = peers_.find(peer);
  if (it != peers_.end()) return it->second;
  if (Full() && now >= next_eviction_) {
    // At most once a second: a flood of new addresses cannot make every call scan.
    next_eviction_ = now + absl::Seconds(1);
    next_sweep_ = absl::InfinitePast();
    SweepLocked(now);
    // Only an entry that merely remembers good tokens may make room: one that counts
    // failures or is slowed down stays, so an attacker cannot evict its own record.
    auto victim = peers_.end();
    for (auto entry = peers_.begin(); entry != peers_.end(); ++entry) {
      if (entry->second.failures > 0 || entry->second.slowed_until > now) continue;
      if (victim == peers_.end() ||
          entry->second.last_success < victim->second.last_success) {
        victim = entry;
      }
    }
    if (Full() && victim != peers_.end()) peers_.erase(victim);
  }
  if (Full()) return overflow_;
  return peers_[peer];
}

void PeerSlowdown::SweepLocked(absl::Time now) {
  if (now < next_sweep_) return;
  next_sweep_ = now + std::min(options_.window, absl::Minutes(1));
  absl::erase_if(peers_,
                 [&](const auto& entry) { return ExpiresAt(entry.second) <= now; });
}

PeerSlowdownCounts PeerSlowdown::counts(absl::Time now) {
  absl::MutexLock lock(&mu_);
  next_sweep_ = absl::InfinitePast();
  SweepLocked(now);
  PeerSlowdownCounts counts;
  counts.tracked_peers = static_cast<int64_t>(peers_.size());
  for (const auto& [address, entry] : peers_) {
    if (entry.slowed_until > now) ++counts.slowed_peers;
  }
  if (overflow_.slowed_until > now) ++counts.slowed_peers;
  counts.slowdowns = slowdowns_;
  counts.slowed_calls = slowed_calls_;
  return counts;
}

}  // namespace agreements::services
