// Deterministic synthetic registry data for agreements-bench: a fixed set of parties
// (states, international organisations, state-owned enterprises and companies) and
// agreements of about a configurable serialized size between them.
//
// Everything is a pure function of (seed, index): agreement i is the same whichever
// scenario, thread or order asks for it, so a dataset can be extended later and any
// loaded agreement's id recomputed cheaply (AgreementId) for random reads.
#ifndef AGREEMENTS_CLIENTS_BENCH_DATAGEN_H_
#define AGREEMENTS_CLIENTS_BENCH_DATAGEN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "agreements/v1/agreement.pb.h"
#include "agreements/v1/events.pb.h"
#include "agreements/v1/party.pb.h"

namespace agreements::bench {

namespace v1 = ::agreements::v1;

// The registry's sector codes (the fixed list of domain/sectors.h; clients/ does not
// link domain/, so it is repeated here).
const std::vector<std::string>& RegistrySectorCodes();

// SplitMix64: a tiny, fast, well-mixed generator. Not thread-safe; one per use.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0.
  uint64_t Below(uint64_t n) { return Next() % n; }
  // Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo + 1)));
  }
  // True with probability percent/100.
  bool Percent(int percent) { return Below(100) < static_cast<uint64_t>(percent); }

 private:
  uint64_t state_;
};

// Generates parties and agreements. Immutable after construction: safe for concurrent
// use from multiple threads.
class DataGenerator {
 public:
  // `party_count` parties (at least 10); agreements aim at `agreement_bytes` serialized
  // bytes of their AgreementRecorded payload.
  DataGenerator(uint64_t seed, int party_count, int agreement_bytes);

  const std::vector<v1::Party>& parties() const { return parties_; }

  // The agreement with this index: id, designation, kind, nature, title, arity, place,
  // 2-4 participations, 1-3 registry sectors, 1-2 amounts, a document and a summary.
  v1::AgreementRecorded Agreement(int64_t index) const;
  // Its id, without generating the rest.
  std::string AgreementId(int64_t index) const;

  // A new document reference for change number `n` of agreement `agreement_id`
  // (unique url per n).
  v1::DocumentReference Document(const std::string& agreement_id, int64_t n) const;

 private:
  struct Skeleton;
  Skeleton MakeSkeleton(int64_t index, Rng& rng) const;
  uint64_t AgreementSeed(int64_t index) const;

  uint64_t seed_;
  int agreement_bytes_;
  std::vector<v1::Party> parties_;
  // Indexes into parties_ by kind; each group is non-empty.
  std::vector<int> states_;
  std::vector<int> organisations_;
  std::vector<int> companies_;
  // Per party: capital / seat city, and a currency.
  std::vector<std::string> city_;
  std::vector<std::string> currency_;
};

}  // namespace agreements::bench

#endif  // AGREEMENTS_CLIENTS_BENCH_DATAGEN_H_
