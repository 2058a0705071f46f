#include "services/peer_slowdown.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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
    const size_t close = peer.rfind(']');
    if (absl::StartsWith(peer, "[") && close != absl::string_view::npos) {
      return Ipv6Address(peer.substr(1, close - 1));
    }
  }
  return std::string(peer);
}

PeerSlowdown::PeerSlowdown(PeerSlowdownOptions options) : options_(options) {}

absl::Time PeerSlowdown::ExpiresAt(const Peer& peer) const {
  // The run of failures lasts a window past the last failure or the end of the
  // slowdown; good tokens last remember_for past the last success.
  return std::max({peer.last_failure + options_.window,
                   peer.slowed_until + options_.window,
                   peer.last_success + options_.remember_for});
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
  if (it == peers_.end() || it->second.slowed_until <= now) return std::nullopt;
  const std::vector<uint64_t>& good = it->second.good_tokens;
  if (std::find(good.begin(), good.end(), token_key) != good.end()) return std::nullopt;
  ++slowed_calls_;
  return it->second.slowed_until - now;
}

void PeerSlowdown::Failed(absl::string_view peer, absl::Time now) {
  if (!enabled()) return;
  absl::MutexLock lock(&mu_);
  Peer& entry = EntryLocked(peer, now);
  if (now - std::max(entry.last_failure, entry.slowed_until) > options_.window) {
    entry.failures = 0;
    entry.slowdowns = 0;
  }
  entry.last_failure = now;
  ++entry.failures;
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

PeerSlowdown::Peer& PeerSlowdown::EntryLocked(absl::string_view peer, absl::Time now) {
  SweepLocked(now);
  auto it = peers_.find(peer);
  if (it != peers_.end()) return it->second;
  if (peers_.size() >= std::max<size_t>(options_.max_peers, 1)) {
    next_sweep_ = absl::InfinitePast();
    SweepLocked(now);
  }
  if (peers_.size() >= std::max<size_t>(options_.max_peers, 1)) {
    auto first = std::min_element(peers_.begin(), peers_.end(),
                                  [this](const auto& a, const auto& b) {
                                    return ExpiresAt(a.second) < ExpiresAt(b.second);
                                  });
    peers_.erase(first);
  }
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
  counts.slowdowns = slowdowns_;
  counts.slowed_calls = slowed_calls_;
  return counts;
}

}  // namespace agreements::services
