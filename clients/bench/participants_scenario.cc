// participants: the cost of one event as a function of the agreement's size (issue 13:
// appending to an agreement with 200 participants must reach at least 0.8 of the rate
// of appending to one with 2).
//
// On a server of its own: config.participants_agreements "small" agreements (bilateral,
// two states) and as many "large" conventions with config.large_participants
// participations (the generator's first parties: states, organisations, then companies),
// loaded by ExecuteBatch. Both are generated agreements with only the participations,
// designation, kind, arity and title replaced (and no depositary), so that they differ
// in size alone. Then append's single-event load (config.in_flight outstanding, no
// expected revision) of document_attached changes, each to a random agreement of one
// set: config.warmup_count to each set unmeasured, then config.append_count measured to
// the small set, then as many to the large set. Before each measured run the bench
// waits until the views have caught up with the log, so that one run's projection work
// does not weigh on the next; how long that took after each run is reported
// (`*_views_catch_up_ms`).
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "clients/bench/append_load.h"
#include "clients/bench/bench.h"

namespace agreements::bench {
namespace {

constexpr int kSmallParticipants = 2;
// The domain's limit of participations per agreement (domain/limits.h; clients/ does
// not link domain/).
constexpr int kMaxParticipations = 500;
// Most documents an agreement may hold is 200 (domain/limits.h), one of them generated:
// the changes of a run (warm-up and measured) must average at most this many per
// agreement, so that the random spread stays far from the limit.
constexpr int64_t kMostChangesPerAgreement = 100;
// Longest wait for the views to reach the log's head before a measured run.
constexpr absl::Duration kCatchUpTimeout = absl::Seconds(120);

// FNV-1a: a stable spread of agreement ids over pairs of states.
uint64_t Fnv1a(const std::string& text) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (const unsigned char c : text) hash = (hash ^ c) * 0x100000001b3ULL;
  return hash;
}

std::vector<std::string> StateIds(const DataGenerator& generator) {
  std::vector<std::string> states;
  for (const v1::Party& party : generator.parties()) {
    if (party.type() == v1::PARTY_TYPE_STATE) states.push_back(party.id());
  }
  return states;
}

// What makes a generated agreement small or large: its participations (each a
// PARTY), and the designation, kind, arity and title that go with their number.
void SetParticipants(v1::Agreement& agreement, const std::vector<std::string>& parties) {
  const bool bilateral = parties.size() == 2;
  agreement.set_designation(bilateral ? "Agreement" : "Convention");
  agreement.set_instrument_kind(bilateral ? v1::INSTRUMENT_KIND_AGREEMENT
                                          : v1::INSTRUMENT_KIND_CONVENTION);
  agreement.set_legal_nature(v1::LEGAL_NATURE_BINDING_INTERNATIONAL);
  agreement.set_arity(bilateral ? v1::ARITY_BILATERAL : v1::ARITY_MULTILATERAL);
  agreement.clear_titles();
  auto* title = agreement.add_titles();
  title->set_language("en");
  title->set_text(absl::StrCat(agreement.designation(), " among ", parties.size(),
                               " parties (", agreement.id(), ")"));
  agreement.clear_depositaries();
  agreement.clear_participations();
  for (const std::string& party : parties) {
    auto* participation = agreement.add_participations();
    participation->set_party_id(party);
    participation->add_roles(v1::PARTICIPANT_ROLE_PARTY);
  }
}

// Two distinct states, chosen by the agreement's id. `states` must outlive the shaper
// and hold at least two ids.
AgreementShaper SmallShaper(const std::vector<std::string>& states) {
  return [&states](v1::AgreementRecorded& recorded) {
    const uint64_t hash = Fnv1a(recorded.agreement().id());
    const size_t first = hash % states.size();
    const size_t second =
        (first + 1 + (hash >> 32) % (states.size() - 1)) % states.size();
    SetParticipants(*recorded.mutable_agreement(), {states[first], states[second]});
  };
}

// The same `parties` in every large agreement. `parties` must outlive the shaper.
AgreementShaper LargeShaper(const std::vector<std::string>& parties) {
  return [&parties](v1::AgreementRecorded& recorded) {
    SetParticipants(*recorded.mutable_agreement(), parties);
  };
}

// Loads `count` agreements shaped by `shape`; returns their ids.
absl::StatusOr<std::vector<std::string>> LoadSet(Dataset& dataset, int64_t count,
                                                 const std::string& name,
                                                 const AgreementShaper& shape,
                                                 Report& report) {
  const int64_t first = dataset.next_agreement();
  absl::StatusOr<Report> loaded =
      LoadAgreements(dataset, first + count, absl::StrCat("participants-", name), shape);
  if (!loaded.ok()) return loaded.status();
  report.Add(name + "_load_seconds", loaded->Get("seconds", 0));
  std::vector<std::string> ids;
  ids.reserve(count);
  for (int64_t index = first; index < first + count; ++index) {
    ids.push_back(dataset.generator().AgreementId(index));
  }
  return ids;
}

// Reads `id` with the default consistency, which waits until the views reach the log's
// head as it was when the read arrived (the server answers UNAVAILABLE after 10 s:
// then the bench asks again, for at most kCatchUpTimeout).
absl::StatusOr<v1::Agreement> ReadCaughtUp(Dataset& dataset, const std::string& id) {
  const absl::Time until = absl::Now() + kCatchUpTimeout;
  for (;;) {
    v1::GetAgreementRequest request;
    request.set_agreement_id(id);
    v1::GetAgreementResponse response;
    grpc::ClientContext context;
    dataset.Prepare(context);
    const grpc::Status status =
        dataset.queries()->GetAgreement(&context, request, &response);
    if (status.ok()) return std::move(*response.mutable_agreement());
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE || absl::Now() > until) {
      return absl::Status(
          static_cast<absl::StatusCode>(status.error_code()),
          absl::StrCat("GetAgreement ", id, ": ", status.error_message()));
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
}

// Checks that the first agreement of a set has `participants` participations, and adds
// its serialized size as recorded (<name>_agreement_bytes).
absl::Status CheckSet(Dataset& dataset, const std::vector<std::string>& ids,
                      int participants, const std::string& name, Report& report) {
  absl::StatusOr<v1::Agreement> agreement = ReadCaughtUp(dataset, ids.front());
  if (!agreement.ok()) return agreement.status();
  if (agreement->participations_size() != participants) {
    return absl::InternalError(
        absl::StrFormat("%s has %d participations, not %d", ids.front(),
                        agreement->participations_size(), participants));
  }
  report.AddInt(name + "_agreement_bytes",
                static_cast<int64_t>(agreement->ByteSizeLong()));
  return absl::OkStatus();
}

// `count` document_attached changes, each to a random agreement of `targets`, with
// append's load (config.in_flight outstanding).
AppendLoadResult ApplyChanges(Dataset& dataset, const std::vector<std::string>& targets,
                              int64_t count) {
  const BenchConfig& config = dataset.config();
  AppendMix mix;
  // Reserved only to number the changes' documents (unique urls).
  mix.first_agreement = dataset.ReserveAgreements(count);
  mix.change_targets = &targets;
  mix.change_percent = 100;
  AppendLoadOptions options;
  options.count = count;
  options.in_flight = config.in_flight;
  options.timeout = config.scenario_timeout;
  return RunAppendLoad(options, RegistryAppendIssuer(dataset, mix));
}

// One measured run against a set: waits for the views first, then the load, then how
// long the views took to catch up with it. Adds <name>_events_per_s,
// <name>_latency_p50/p99/p999/max_ms, <name>_count, <name>_seconds and
// <name>_views_catch_up_ms.
absl::StatusOr<AppendLoadResult> MeasureSet(Dataset& dataset,
                                            const std::vector<std::string>& targets,
                                            const std::string& name, Report& report) {
  if (absl::StatusOr<v1::Agreement> ready = ReadCaughtUp(dataset, targets.front());
      !ready.ok()) {
    return ready.status();
  }
  const AppendLoadResult result =
      ApplyChanges(dataset, targets, dataset.config().append_count);
  const int64_t load_end = NowNanos();
  absl::StatusOr<v1::Agreement> after = ReadCaughtUp(dataset, targets.front());
  if (!after.ok()) return after.status();
  report.Add(name + "_events_per_s", result.events_per_s);
  report.AddLatency(name + "_latency", result.latency, /*p999=*/true, /*max=*/true);
  report.AddInt(name + "_count", result.events);
  report.Add(name + "_seconds", absl::ToDoubleSeconds(result.loop.elapsed));
  report.Add(name + "_views_catch_up_ms", (NowNanos() - load_end) / 1e6);
  return result;
}

// The failures of both runs, as one closed loop's.
ClosedLoopResult Merge(const ClosedLoopResult& a, const ClosedLoopResult& b) {
  ClosedLoopResult merged;
  merged.completed = a.completed + b.completed;
  merged.failed = a.failed + b.failed;
  merged.first_error = a.first_error.empty() ? b.first_error : a.first_error;
  merged.stopped_early = a.stopped_early || b.stopped_early;
  return merged;
}

absl::Status CheckSizes(const BenchConfig& config, const DataGenerator& generator) {
  const int parties = static_cast<int>(generator.parties().size());
  if (config.large_participants <= kSmallParticipants ||
      config.large_participants > std::min(parties, kMaxParticipations)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "--large_participants must be 3..%d (at most --parties, %d, and the domain's "
        "limit of %d)",
        std::min(parties, kMaxParticipations), parties, kMaxParticipations));
  }
  const int64_t changes = config.warmup_count + config.append_count;
  if (changes > kMostChangesPerAgreement * config.participants_agreements) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "--participants_agreements must be at least %d: --warmup_count + "
        "--append_count changes to each set, at most %d per agreement on average (an "
        "agreement holds at most 200 documents)",
        (changes + kMostChangesPerAgreement - 1) / kMostChangesPerAgreement,
        kMostChangesPerAgreement));
  }
  return absl::OkStatus();
}

// Loads both sets, checks them and warms both up.
absl::Status Setup(Dataset& dataset, const std::vector<std::string>& large_parties,
                   std::vector<std::string>& small, std::vector<std::string>& large,
                   Report& report) {
  const BenchConfig& config = dataset.config();
  const std::vector<std::string> states = StateIds(dataset.generator());
  absl::StatusOr<std::vector<std::string>> ids = LoadSet(
      dataset, config.participants_agreements, "small", SmallShaper(states), report);
  if (!ids.ok()) return ids.status();
  small = *std::move(ids);
  ids = LoadSet(dataset, config.participants_agreements, "large",
                LargeShaper(large_parties), report);
  if (!ids.ok()) return ids.status();
  large = *std::move(ids);
  if (absl::Status s = CheckSet(dataset, small, kSmallParticipants, "small", report);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckSet(dataset, large, config.large_participants, "large", report);
      !s.ok()) {
    return s;
  }
  for (const std::vector<std::string>* targets : {&small, &large}) {
    const AppendLoadResult warm = ApplyChanges(dataset, *targets, config.warmup_count);
    if (warm.loop.failed > 0) {
      return absl::InternalError(absl::StrCat("warm-up failed: ", warm.loop.first_error));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Report> RunParticipants(const BenchConfig& config,
                                       const DataGenerator& generator) {
  if (absl::Status s = CheckSizes(config, generator); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<Dataset>> created =
      Dataset::Create(config, generator, "participants");
  if (!created.ok()) return created.status();
  Dataset& dataset = **created;
  std::vector<std::string> large_parties;
  for (int k = 0; k < config.large_participants; ++k) {
    large_parties.push_back(generator.parties()[k].id());
  }
  Report report("participants");
  report.AddInt("small_participants", kSmallParticipants);
  report.AddInt("large_participants", config.large_participants);
  report.AddInt("agreements_per_size", config.participants_agreements);
  std::vector<std::string> small, large;
  if (absl::Status s = Setup(dataset, large_parties, small, large, report); !s.ok()) {
    return s;
  }
  absl::StatusOr<AppendLoadResult> small_run =
      MeasureSet(dataset, small, "small", report);
  if (!small_run.ok()) return small_run.status();
  absl::StatusOr<AppendLoadResult> large_run =
      MeasureSet(dataset, large, "large", report);
  if (!large_run.ok()) return large_run.status();
  if (small_run->events_per_s > 0) {
    report.Add("ratio", large_run->events_per_s / small_run->events_per_s);
  }
  if (small_run->latency.p99_ms > 0) {
    report.Add("latency_p99_ratio",
               large_run->latency.p99_ms / small_run->latency.p99_ms);
  }
  report.AddInt("in_flight", config.in_flight);
  report.AddInt("warmup", config.warmup_count);
  report.AddInt("head", static_cast<int64_t>(dataset.head()));
  AddLoopOutcome(report, Merge(small_run->loop, large_run->loop));
  return report;
}

}  // namespace agreements::bench
