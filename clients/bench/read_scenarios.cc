// Read scenarios: query (GetAgreement by id, ListAgreements by sector with paging) and
// proof (AuditService inclusion proofs against the latest checkpoint).
#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "clients/bench/bench.h"
#include "common/merkle.h"

namespace agreements::bench {
namespace {

absl::Status FromGrpc(const grpc::Status& status, absl::string_view what) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", status.error_message()));
}

// Latencies and the first error of several threads.
struct Samples {
  absl::Mutex mu;
  std::vector<int64_t> get ABSL_GUARDED_BY(mu);
  std::vector<int64_t> list ABSL_GUARDED_BY(mu);
  int64_t errors ABSL_GUARDED_BY(mu) = 0;
  int64_t list_items ABSL_GUARDED_BY(mu) = 0;
  std::string first_error ABSL_GUARDED_BY(mu);
};

}  // namespace

absl::StatusOr<Report> RunQuery(Dataset& dataset, int64_t agreements) {
  const BenchConfig& config = dataset.config();
  if (agreements <= 0) return absl::FailedPreconditionError("no agreements loaded");
  const std::vector<std::string>& sectors = RegistrySectorCodes();

  // Page tokens to start from: the first pages of every sector (not timed).
  constexpr int kPagesPerSector = 20;
  constexpr int kPageSize = 100;
  std::vector<std::vector<std::string>> starts(sectors.size());
  for (size_t s = 0; s < sectors.size(); ++s) {
    starts[s].push_back("");
    std::string token;
    for (int page = 0; page < kPagesPerSector; ++page) {
      v1::ListAgreementsRequest request;
      request.set_sector(sectors[s]);
      request.set_page_size(kPageSize);
      request.set_page_token(token);
      v1::ListAgreementsResponse response;
      grpc::ClientContext context;
      dataset.Prepare(context);
      grpc::Status status =
          dataset.queries()->ListAgreements(&context, request, &response);
      if (!status.ok()) return FromGrpc(status, "ListAgreements");
      token = response.next_page_token();
      if (token.empty()) break;
      starts[s].push_back(token);
    }
  }

  Samples samples;
  const int threads = std::max(1, config.query_threads);
  const int64_t per_thread = std::max<int64_t>(1, config.query_count / threads);
  auto worker = [&](int t) {
    Rng rng(config.seed * 7919 + static_cast<uint64_t>(t));
    std::vector<int64_t> get, list;
    get.reserve(per_thread);
    list.reserve(per_thread);
    int64_t errors = 0, items = 0;
    std::string first_error;
    auto fail = [&](const grpc::Status& status, const char* what) {
      if (errors++ == 0) first_error = absl::StrCat(what, ": ", status.error_message());
    };
    v1::GetAgreementRequest get_request;
    v1::GetAgreementResponse get_response;
    for (int64_t i = 0; i < per_thread; ++i) {
      get_request.set_agreement_id(
          dataset.generator().AgreementId(static_cast<int64_t>(rng.Below(agreements))));
      grpc::ClientContext context;
      dataset.Prepare(context);
      const int64_t start = NowNanos();
      const grpc::Status status =
          dataset.queries()->GetAgreement(&context, get_request, &get_response);
      const int64_t took = NowNanos() - start;
      if (status.ok()) {
        get.push_back(took);
      } else {
        fail(status, "GetAgreement");
      }
    }
    v1::ListAgreementsRequest list_request;
    v1::ListAgreementsResponse list_response;
    while (static_cast<int64_t>(list.size()) + errors < per_thread * 2 &&
           static_cast<int64_t>(list.size()) < per_thread) {
      const size_t s = rng.Below(sectors.size());
      list_request.set_sector(sectors[s]);
      list_request.set_page_size(kPageSize);
      list_request.set_page_token(starts[s][rng.Below(starts[s].size())]);
      for (int page = 0; page < config.list_pages; ++page) {
        grpc::ClientContext context;
        dataset.Prepare(context);
        const int64_t start = NowNanos();
        const grpc::Status status =
            dataset.queries()->ListAgreements(&context, list_request, &list_response);
        const int64_t took = NowNanos() - start;
        if (!status.ok()) {
          fail(status, "ListAgreements");
          break;
        }
        list.push_back(took);
        items += list_response.agreements_size();
        if (list_response.next_page_token().empty()) break;
        list_request.set_page_token(list_response.next_page_token());
      }
    }
    absl::MutexLock lock(&samples.mu);
    samples.get.insert(samples.get.end(), get.begin(), get.end());
    samples.list.insert(samples.list.end(), list.begin(), list.end());
    samples.errors += errors;
    samples.list_items += items;
    if (samples.first_error.empty()) samples.first_error = first_error;
  };
  const int64_t start = NowNanos();
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker, t);
  worker(0);
  for (auto& thread : pool) thread.join();
  const double seconds = (NowNanos() - start) / 1e9;

  absl::MutexLock lock(&samples.mu);
  const LatencySummary get = Summarize(samples.get);
  const LatencySummary list = Summarize(samples.list);
  Report report("query");
  report.AddLatency("get", get, /*p999=*/false, /*max=*/true);
  report.AddLatency("list", list, /*p999=*/false, /*max=*/true);
  report.Add("list_items_per_call",
             list.count > 0 ? static_cast<double>(samples.list_items) / list.count : 0);
  report.AddInt("agreements", agreements);
  report.AddInt("threads", threads);
  report.AddInt("page_size", kPageSize);
  report.Add("seconds", seconds);
  report.AddInt("errors", samples.errors);
  if (!samples.first_error.empty()) report.AddText("first_error", samples.first_error);
  if (samples.errors > 0) {
    report.AddText("error", absl::StrCat(samples.errors, " calls failed"));
  }
  return report;
}

absl::StatusOr<Report> RunProof(Dataset& dataset) {
  const BenchConfig& config = dataset.config();
  v1::GetCheckpointResponse checkpoint;
  {
    grpc::ClientContext context;
    dataset.Prepare(context);
    const grpc::Status status =
        dataset.audit()->GetCheckpoint(&context, v1::GetCheckpointRequest(), &checkpoint);
    if (!status.ok()) return FromGrpc(status, "GetCheckpoint");
  }
  const uint64_t size = checkpoint.tree_size();
  if (size == 0) return absl::FailedPreconditionError("the latest checkpoint is empty");
  Rng rng(config.seed * 104729);
  std::vector<int64_t> latency;
  latency.reserve(config.proof_count);
  int64_t errors = 0, verified = 0, verify_failures = 0, proof_hashes = 0;
  std::string first_error;
  v1::GetInclusionProofRequest request;
  v1::GetInclusionProofResponse response;
  request.set_tree_size(size);
  for (int64_t i = 0; i < config.proof_count; ++i) {
    request.set_position(1 + rng.Below(size));
    grpc::ClientContext context;
    dataset.Prepare(context);
    const int64_t start = NowNanos();
    const grpc::Status status =
        dataset.audit()->GetInclusionProof(&context, request, &response);
    const int64_t took = NowNanos() - start;
    if (!status.ok()) {
      if (errors++ == 0) first_error = status.error_message();
      continue;
    }
    latency.push_back(took);
    proof_hashes += response.proof_size();
    if (verified + verify_failures < config.verify_proofs) {
      const merkle::Hash leaf = merkle::LeafHash(response.event());
      const std::vector<std::string> proof(response.proof().begin(),
                                           response.proof().end());
      absl::Status ok =
          merkle::VerifyInclusionBytes(request.position() - 1, size, response.leaf_hash(),
                                       proof, checkpoint.root_hash());
      const bool leaf_ok =
          response.leaf_hash() ==
          std::string(reinterpret_cast<const char*>(leaf.data()), leaf.size());
      if (ok.ok() && leaf_ok) {
        ++verified;
      } else {
        if (verify_failures++ == 0 && first_error.empty()) {
          first_error = leaf_ok ? ok.ToString() : "leaf_hash != SHA-256(0x00 || event)";
        }
      }
    }
  }
  const LatencySummary summary = Summarize(latency);
  Report report("proof");
  report.AddLatency("latency", summary, /*p999=*/false, /*max=*/true);
  report.AddInt("tree_size", static_cast<int64_t>(size));
  report.Add("proof_hashes_avg",
             summary.count > 0 ? static_cast<double>(proof_hashes) / summary.count : 0);
  report.AddInt("verified", verified);
  report.AddInt("verify_failures", verify_failures);
  report.AddInt("errors", errors);
  if (!first_error.empty()) report.AddText("first_error", first_error);
  if (errors > 0 || verify_failures > 0) {
    report.AddText("error", absl::StrCat(errors, " calls failed, ", verify_failures,
                                         " proofs did not verify"));
  }
  return report;
}

}  // namespace agreements::bench
