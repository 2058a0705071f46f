// agreements-admin's offline commands: rebuild and verify a data directory.
#include <cstdio>
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/signed_note.h"
#include "store/rebuild.h"
#include "store/store.h"
#include "store/verify.h"
#include "tools/admin/admin_commands.h"
#include "tools/admin/admin_internal.h"

namespace agreements::admin {
namespace {

// Progress on stderr at most once a second: events, rate, what is left.
store::RebuildProgress PrintProgress() {
  const absl::Time start = absl::Now();
  return [start, last = start](uint64_t events, uint64_t head) mutable {
    const absl::Time now = absl::Now();
    if (now - last < absl::Seconds(1)) return;
    last = now;
    const double rate = events / absl::ToDoubleSeconds(now - start);
    std::fprintf(
        stderr, "rebuild: %llu of %llu events, %.0f events/s, about %.0f s left\n",
        static_cast<unsigned long long>(events), static_cast<unsigned long long>(head),
        rate, rate > 0 ? (head - events) / rate : 0.0);
  };
}

int Replace(store::Store* store) {
  const absl::Time start = absl::Now();
  auto report = store::ReplaceViews(store, PrintProgress());
  if (!report.ok()) return Fail(report.status(), 2);
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::printf(
      "replayed %llu events (head %llu) in %.1f s (%.0f events/s), replaced %llu "
      "families with %llu keys (replay %.1f s, files and swap %.1f s)\n",
      static_cast<unsigned long long>(report->events),
      static_cast<unsigned long long>(report->head), seconds,
      seconds > 0 ? report->events / seconds : 0.0,
      static_cast<unsigned long long>(report->families_replaced),
      static_cast<unsigned long long>(report->keys_written), report->replay_seconds,
      report->output_seconds);
  return 0;
}

}  // namespace

int Fail(const absl::Status& status, int code) {
  std::fprintf(stderr, "error: %s\n", status.ToString().c_str());
  return code;
}

absl::StatusOr<std::unique_ptr<store::Store>> OpenExisting(const std::string& data_dir) {
  store::StoreOptions options;
  options.create_if_missing = false;
  return store::Store::Open(data_dir, options);
}

int RebuildStore(store::Store* store, bool repair, bool replace) {
  if (replace) return Replace(store);
  auto report = store::RebuildViews(store, repair, PrintProgress());
  if (!report.ok()) return Fail(report.status(), 2);
  std::printf(
      "replayed %llu events (head %llu, views at %llu), compared %llu keys: %llu "
      "differences (replay %.1f s, comparison %.1f s)\n",
      static_cast<unsigned long long>(report->events),
      static_cast<unsigned long long>(report->head),
      static_cast<unsigned long long>(report->applied),
      static_cast<unsigned long long>(report->keys_compared),
      static_cast<unsigned long long>(report->difference_count), report->replay_seconds,
      report->output_seconds);
  for (const auto& difference : report->differences) {
    std::printf("  %s\n", difference.c_str());
  }
  if (report->repaired) std::printf("views repaired\n");
  return report->difference_count == 0 ? 0 : 3;
}

int VerifyStore(store::Store* store, const std::string& verifier_key) {
  auto report = store::VerifyLog(store, verifier_key);
  if (!report.ok()) {
    std::printf("%s\n", report.status().ToString().c_str());
    return absl::IsDataLoss(report.status()) ? 3 : 2;
  }
  std::printf(
      "verified %llu events against the stored tree and %llu signed checkpoints\n",
      static_cast<unsigned long long>(report->events),
      static_cast<unsigned long long>(report->checkpoints));
  return 0;
}

absl::StatusOr<std::string> VerifierKeyOf(const AdminArgs& args,
                                          const std::string& default_key_file) {
  if (!args.verifier_key.empty()) return args.verifier_key;
  const std::string path = args.signing_key.empty() ? default_key_file : args.signing_key;
  auto signer = note::NoteSigner::Load(path);
  if (!signer.ok()) return signer.status();
  return signer->VerifierKey();
}

int Rebuild(const AdminArgs& args) {
  if (args.repair && args.replace)
    return Usage("--repair and --replace exclude each other");
  auto store = OpenExisting(args.data_dir);
  if (!store.ok()) return Fail(store.status(), 2);
  return RebuildStore(store->get(), args.repair, args.replace);
}

int Verify(const AdminArgs& args) {
  if (!args.backup.empty()) return VerifyBackup(args);
  auto key = VerifierKeyOf(args, args.data_dir + "/checkpoint.key");
  if (!key.ok()) return Fail(key.status(), 2);
  auto store = OpenExisting(args.data_dir);
  if (!store.ok()) return Fail(store.status(), 2);
  return VerifyStore(store->get(), *key);
}

}  // namespace agreements::admin
