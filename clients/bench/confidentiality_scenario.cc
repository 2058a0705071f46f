// The confidentiality scenario: a reader plays a timing attacker. It asks the same
// questions about agreements it may not see (hidden) and about ones that do not exist
// (absent), alternately, and measures whether the answers or their latencies tell them
// apart (docs/security.md: a hidden agreement must cost what an absent one costs).
//
// Setup, as an admin: two registered states, kHiddenParty and kAbsentParty; a few public
// generated agreements of other parties; config.hidden_agreements CONFIDENTIAL energy
// agreements in which kHiddenParty participates; one CONFIDENTIAL agreement with
// kBigParticipants participations (a large view), kBigHiddenId. Then, as a reader:
//   list: ListAgreements(party_id = kHiddenParty) vs (party_id = kAbsentParty);
//   get:  GetAgreement(kBigHiddenId) vs GetAgreement(kBigAbsentId, never recorded).
// The reader is subject to the request rate per principal, like an attacker: a call
// refused for its rate is retried after the delay the server names, and only the
// attempt that was answered is timed.
#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clients/bench/bench.h"

namespace agreements::bench {
namespace {

// Ids of equal length, so that requests and answers of a pair have the same size.
constexpr char kHiddenParty[] = "conf-hidden";
constexpr char kAbsentParty[] = "conf-absent";
constexpr char kBigHiddenId[] = "conf-big-hidden";
constexpr char kBigAbsentId[] = "conf-big-absent";
constexpr char kHiddenSector[] = "energy";
// Public agreements loaded before the hidden ones (generated: other parties only).
constexpr int64_t kPublicAgreements = 1000;
// Participations of the big hidden agreement (at most the generator's parties).
constexpr int kBigParticipants = 150;
// Unmeasured probe pairs before each measured series.
constexpr int64_t kWarmupPairs = 200;

absl::Status FromGrpc(const grpc::Status& status, absl::string_view what) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", status.error_message()));
}

// 256 random bits in hex, like `openssl rand -hex 32`.
std::string NewToken() {
  std::random_device device;
  std::string token;
  for (int i = 0; i < 8; ++i) absl::StrAppendFormat(&token, "%08x", device());
  return token;
}

// Runs `commands` in one ExecuteBatch.
absl::Status Execute(Dataset& dataset, std::vector<v1::Command> commands,
                     absl::string_view what) {
  v1::ExecuteBatchRequest request;
  request.mutable_context()->set_request_id(dataset.NextRequestId());
  for (v1::Command& command : commands) *request.add_commands() = std::move(command);
  v1::ExecuteBatchResponse response;
  grpc::ClientContext context;
  dataset.Prepare(context);
  const grpc::Status status =
      dataset.commands()->ExecuteBatch(&context, request, &response);
  if (!status.ok()) return FromGrpc(status, what);
  dataset.NotePosition(response.result().last_position());
  return absl::OkStatus();
}

v1::Command RegisterState(const std::string& id, const std::string& country) {
  v1::Command command;
  command.set_stream_type(v1::STREAM_TYPE_PARTY);
  command.set_stream_id(id);
  v1::Party* party =
      command.mutable_change()->mutable_party_registered()->mutable_party();
  party->set_id(id);
  party->set_type(v1::PARTY_TYPE_STATE);
  party->set_country_code(country);
  auto* name = party->add_names();
  name->set_language("en");
  name->set_text(absl::StrCat("State ", country, " (", id, ")"));
  return command;
}

void ClassifyHidden(v1::Agreement& agreement) {
  agreement.set_confidentiality(v1::CONFIDENTIALITY_CONFIDENTIAL);
  agreement.clear_classifications();
  auto* classification = agreement.add_classifications();
  classification->set_scheme(v1::CLASSIFICATION_SCHEME_REGISTRY_SECTOR);
  classification->set_code(kHiddenSector);
}

// A generated agreement made hidden: kHiddenParty takes the first participation (always
// a state; the generator's parties are distinct from it), confidential, energy only.
void MakeHidden(v1::AgreementRecorded& recorded) {
  v1::Agreement* agreement = recorded.mutable_agreement();
  agreement->mutable_participations(0)->set_party_id(kHiddenParty);
  ClassifyHidden(*agreement);
}

// The big hidden agreement: a convention among the first `participants` generated
// parties.
v1::Command BigHiddenAgreement(const DataGenerator& generator, int participants) {
  v1::Command command;
  command.set_stream_type(v1::STREAM_TYPE_AGREEMENT);
  command.set_stream_id(kBigHiddenId);
  v1::Agreement* a =
      command.mutable_change()->mutable_agreement_recorded()->mutable_agreement();
  a->set_id(kBigHiddenId);
  a->set_designation("Convention");
  a->set_instrument_kind(v1::INSTRUMENT_KIND_CONVENTION);
  a->set_legal_nature(v1::LEGAL_NATURE_BINDING_INTERNATIONAL);
  a->set_arity(v1::ARITY_MULTILATERAL);
  auto* title = a->add_titles();
  title->set_language("en");
  title->set_text(absl::StrCat("Convention among ", participants, " parties on energy"));
  for (int k = 0; k < participants; ++k) {
    auto* participation = a->add_participations();
    participation->set_party_id(generator.parties()[k].id());
    participation->add_roles(v1::PARTICIPANT_ROLE_PARTY);
  }
  ClassifyHidden(*a);
  return command;
}

// Records everything the attacker then asks about; adds the loads' figures to `report`.
absl::Status Setup(Dataset& dataset, int big_participants, Report& report) {
  const BenchConfig& config = dataset.config();
  if (absl::Status s = Execute(
          dataset, {RegisterState(kHiddenParty, "KZ"), RegisterState(kAbsentParty, "JP")},
          "registering the probed parties");
      !s.ok()) {
    return s;
  }
  absl::StatusOr<Report> loaded =
      LoadAgreements(dataset, kPublicAgreements, "confidentiality-public");
  if (!loaded.ok()) return loaded.status();
  report.Add("public_load_seconds", loaded->Get("seconds", 0));
  loaded = LoadAgreements(dataset, kPublicAgreements + config.hidden_agreements,
                          "confidentiality-hidden", MakeHidden);
  if (!loaded.ok()) return loaded.status();
  report.Add("hidden_load_seconds", loaded->Get("seconds", 0));
  report.Add("hidden_load_events_per_s", loaded->Get("events_per_s", 0));
  std::vector<v1::Command> big;
  big.push_back(BigHiddenAgreement(dataset.generator(), big_participants));
  return Execute(dataset, std::move(big), "recording the big hidden agreement");
}

// The probes are meaningful only if the hidden agreements exist: an admin sees them.
absl::Status CheckAdminSees(Dataset& dataset, int big_participants) {
  v1::GetAgreementRequest get;
  get.set_agreement_id(kBigHiddenId);
  v1::GetAgreementResponse agreement;
  grpc::ClientContext get_context;
  dataset.Prepare(get_context);
  grpc::Status status = dataset.queries()->GetAgreement(&get_context, get, &agreement);
  if (!status.ok()) return FromGrpc(status, "admin GetAgreement of the big one");
  if (agreement.agreement().participations_size() != big_participants) {
    return absl::InternalError("admin: the big hidden agreement lost participations");
  }
  v1::ListAgreementsRequest list;
  list.set_party_id(kHiddenParty);
  list.set_page_size(1);
  v1::ListAgreementsResponse page;
  grpc::ClientContext list_context;
  dataset.Prepare(list_context);
  status = dataset.queries()->ListAgreements(&list_context, list, &page);
  if (!status.ok()) return FromGrpc(status, "admin ListAgreements");
  if (page.agreements_size() != 1 || page.next_page_token().empty()) {
    return absl::InternalError("admin: ListAgreements of the hidden party is not full");
  }
  return absl::OkStatus();
}

// One timed call: its latency, and what was wrong with its answer ("" when it was the
// answer an absent agreement gets).
struct Probe {
  int64_t nanos = 0;
  std::string mismatch;
};

// How long the server asked a refused caller to wait (its retry-after-ms trailer).
absl::Duration RetryAfter(const grpc::ClientContext& context) {
  const auto& trailers = context.GetServerTrailingMetadata();
  auto it = trailers.find("retry-after-ms");
  int64_t millis = 5;
  if (it != trailers.end()) {
    absl::SimpleAtoi(absl::string_view(it->second.data(), it->second.size()), &millis);
  }
  return absl::Milliseconds(std::clamp<int64_t>(millis, 1, 1000));
}

// Runs `call` until the server no longer refuses it for the caller's request rate (an
// attacker waits as it is told), and times the last attempt only.
template <typename Call>
grpc::Status TimedCall(Dataset& dataset, int64_t& nanos, const Call& call) {
  constexpr int kMostRetries = 1000;
  for (int attempt = 0;; ++attempt) {
    grpc::ClientContext context;
    dataset.Prepare(context);
    const int64_t start = NowNanos();
    const grpc::Status status = call(context);
    nanos = NowNanos() - start;
    if (status.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED ||
        attempt == kMostRetries) {
      return status;
    }
    absl::SleepFor(RetryAfter(context));
  }
}

Probe ListProbe(Dataset& dataset, const std::string& party_id) {
  v1::ListAgreementsRequest request;
  request.set_party_id(party_id);
  v1::ListAgreementsResponse response;
  Probe probe;
  const grpc::Status status =
      TimedCall(dataset, probe.nanos, [&](grpc::ClientContext& context) {
        return dataset.queries()->ListAgreements(&context, request, &response);
      });
  if (!status.ok()) {
    probe.mismatch = FromGrpc(status, "ListAgreements").ToString();
  } else if (response.agreements_size() > 0 || !response.next_page_token().empty()) {
    probe.mismatch = absl::StrCat(
        "ListAgreements(", party_id, "): ", response.agreements_size(),
        " agreements, page token ", response.next_page_token().empty() ? "no" : "yes");
  }
  return probe;
}

Probe GetProbe(Dataset& dataset, const std::string& id) {
  v1::GetAgreementRequest request;
  request.set_agreement_id(id);
  v1::GetAgreementResponse response;
  Probe probe;
  const grpc::Status status =
      TimedCall(dataset, probe.nanos, [&](grpc::ClientContext& context) {
        return dataset.queries()->GetAgreement(&context, request, &response);
      });
  if (status.error_code() != grpc::StatusCode::NOT_FOUND) {
    probe.mismatch = absl::StrCat("GetAgreement(", id, "): code ", status.error_code(),
                                  " instead of NOT_FOUND");
  }
  return probe;
}

// The latencies of one pair of questions.
struct PairSamples {
  std::vector<int64_t> hidden;
  std::vector<int64_t> absent;
  int64_t mismatches = 0;
  std::string first_mismatch;
};

// Asks `ask(true)` (hidden) and `ask(false)` (absent) `pairs` times, alternating which
// goes first so that neither always follows the other; the first kWarmupPairs pairs are
// not kept. Stops early at `deadline`.
template <typename Ask>
PairSamples MeasurePair(int64_t pairs, absl::Time deadline, const Ask& ask) {
  PairSamples samples;
  samples.hidden.reserve(pairs);
  samples.absent.reserve(pairs);
  for (int64_t i = -kWarmupPairs; i < pairs && absl::Now() < deadline; ++i) {
    for (int k = 0; k < 2; ++k) {
      const bool hidden = (k == 0) == (i % 2 == 0);
      Probe probe = ask(hidden);
      if (!probe.mismatch.empty() && samples.mismatches++ == 0) {
        samples.first_mismatch = std::move(probe.mismatch);
      }
      if (i >= 0) (hidden ? samples.hidden : samples.absent).push_back(probe.nanos);
    }
  }
  return samples;
}

// The threshold on latency that best tells two samples apart, and its balanced accuracy
// (the mean of the two sides' hit rates): 0.5 + D/2, D the largest gap between their
// empirical distribution functions (the two-sample Kolmogorov-Smirnov statistic).
struct Separation {
  double accuracy = 0.5;
  double threshold_ms = 0;
};

Separation BestThreshold(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  Separation best;
  if (a.empty() || b.empty()) return best;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const int64_t t = std::min(a[i], b[j]);
    while (i < a.size() && a[i] <= t) ++i;
    while (j < b.size() && b[j] <= t) ++j;
    const double gap =
        std::fabs(static_cast<double>(i) / a.size() - static_cast<double>(j) / b.size());
    if (0.5 + gap / 2 > best.accuracy) best = {0.5 + gap / 2, t / 1e6};
  }
  return best;
}

// The accuracy BestThreshold exceeds with probability 5% when both samples come from one
// distribution (the Kolmogorov-Smirnov critical value 1.358 * sqrt((n + m) / (n m))).
double ChanceAccuracyP95(size_t n, size_t m) {
  if (n == 0 || m == 0) return 1;
  const double nm = static_cast<double>(n) * static_cast<double>(m);
  return 0.5 + 0.5 * 1.358 * std::sqrt(static_cast<double>(n + m) / nm);
}

void AddPair(Report& report, const std::string& prefix, PairSamples& samples) {
  const LatencySummary hidden = Summarize(samples.hidden);  // Sorts.
  const LatencySummary absent = Summarize(samples.absent);
  for (const auto& [side, s] :
       {std::make_pair("hidden", &hidden), std::make_pair("absent", &absent)}) {
    const std::string key = absl::StrCat(prefix, "_", side);
    report.Add(key + "_p50_ms", s->p50_ms);
    report.Add(key + "_p90_ms", s->p90_ms);
    report.Add(key + "_p99_ms", s->p99_ms);
  }
  report.Add(prefix + "_median_ratio",
             absent.p50_ms > 0 ? hidden.p50_ms / absent.p50_ms : NAN);
  const Separation separation = BestThreshold(samples.hidden, samples.absent);
  report.Add(prefix + "_accuracy", separation.accuracy);
  report.Add(prefix + "_threshold_ms", separation.threshold_ms);
  report.AddInt(prefix + "_pairs", hidden.count);
  report.AddInt(prefix + "_mismatches", samples.mismatches);
  if (samples.mismatches > 0) {
    report.AddText(prefix + "_first_mismatch", samples.first_mismatch);
  }
}

}  // namespace

absl::StatusOr<Report> RunConfidentiality(const BenchConfig& config,
                                          const DataGenerator& generator) {
  const std::string admin = NewToken();
  const std::string reader = NewToken();
  DatasetOptions options;
  options.tokens = {{admin, "bench-admin", "admin"}, {reader, "bench-reader", "reader"}};
  options.token = admin;
  absl::StatusOr<std::unique_ptr<Dataset>> created =
      Dataset::Create(config, generator, "confidentiality", options);
  if (!created.ok()) return created.status();
  Dataset& dataset = **created;
  const int big_participants =
      std::min<int>(kBigParticipants, static_cast<int>(generator.parties().size()));

  Report report("confidentiality");
  report.AddInt("hidden_agreements", config.hidden_agreements);
  report.AddInt("public_agreements", kPublicAgreements);
  report.AddInt("big_participants", big_participants);
  if (absl::Status s = Setup(dataset, big_participants, report); !s.ok()) return s;
  if (absl::Status s = CheckAdminSees(dataset, big_participants); !s.ok()) return s;

  dataset.set_token(reader);
  std::fprintf(stderr, "[confidentiality] probing as a reader, %lld pairs each\n",
               static_cast<long long>(config.confidentiality_probes));
  const absl::Time deadline = absl::Now() + config.scenario_timeout;
  PairSamples list = MeasurePair(config.confidentiality_probes, deadline, [&](bool h) {
    return ListProbe(dataset, h ? kHiddenParty : kAbsentParty);
  });
  PairSamples get = MeasurePair(config.confidentiality_probes, deadline, [&](bool h) {
    return GetProbe(dataset, h ? kBigHiddenId : kBigAbsentId);
  });
  AddPair(report, "list", list);
  AddPair(report, "get", get);
  report.Add("chance_accuracy_p95",
             ChanceAccuracyP95(std::min(list.hidden.size(), get.hidden.size()),
                               std::min(list.absent.size(), get.absent.size())));
  report.AddText("probed", absl::StrCat("list ", kHiddenParty, " vs ", kAbsentParty,
                                        "; get ", kBigHiddenId, " vs ", kBigAbsentId));
  if (list.mismatches + get.mismatches > 0) {
    report.AddText("error", absl::StrCat(list.mismatches + get.mismatches,
                                         " answers told hidden from absent"));
  }
  return report;
}

}  // namespace agreements::bench
