// agreements-admin: offline maintenance of a data directory (the server must be stopped).
//
//   agreements-admin rebuild --data_dir DIR [--repair | --replace]
//     Recomputes every view from the log and compares it with the stored views. Exit code
//     0 when they are identical, 3 when differences were found (and, with --repair,
//     rewritten), 1 on usage errors, 2 when the store cannot be read. With --replace it
//     does not compare: it writes every derived family anew beside the stored one
//     (sorted SST files, two families at a time) and swaps them in; exit code 0.
//
//   agreements-admin verify --data_dir DIR [--signing_key FILE | --verifier_key KEY]
//     Recomputes the Merkle tree from the stored event bytes and checks it against the
//     stored tree and every signed checkpoint (docs/audit.md). Exit code 0 when all
//     match, 3 with "DATA_LOSS: ..." naming the first position or checkpoint that does
//     not, 1 on usage errors, 2 when the store or the key cannot be read.
#include <cstdio>
#include <cstring>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/signed_note.h"
#include "store/rebuild.h"
#include "store/store.h"
#include "store/verify.h"

namespace {

int Usage() {
  std::fprintf(stderr,
               "usage: agreements-admin rebuild --data_dir DIR [--repair | --replace]\n"
               "       agreements-admin verify --data_dir DIR [--signing_key FILE | "
               "--verifier_key KEY]\n");
  return 1;
}

struct Args {
  std::string command;
  std::string data_dir = "./data";
  std::string signing_key;
  std::string verifier_key;
  bool repair = false;
  bool replace = false;
};

bool Parse(int argc, char** argv, Args& args) {
  if (argc < 2) return false;
  args.command = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    const size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (arg != "--repair" && arg != "--replace") {
      if (i + 1 >= argc) return false;
      value = argv[++i];
    }
    if (arg == "--repair") {
      args.repair = true;
    } else if (arg == "--replace") {
      args.replace = true;
    } else if (arg == "--data_dir") {
      args.data_dir = value;
    } else if (arg == "--signing_key") {
      args.signing_key = value;
    } else if (arg == "--verifier_key") {
      args.verifier_key = value;
    } else {
      return false;
    }
  }
  if (args.repair && args.replace) return false;
  return args.command == "rebuild" || args.command == "verify";
}

// Progress on stderr at most once a second: events, rate, what is left.
agreements::store::RebuildProgress PrintProgress() {
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

int Replace(agreements::store::Store* store) {
  const absl::Time start = absl::Now();
  auto report = agreements::store::ReplaceViews(store, PrintProgress());
  if (!report.ok()) {
    std::fprintf(stderr, "error: %s\n", report.status().ToString().c_str());
    return 2;
  }
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

int Rebuild(agreements::store::Store* store, bool repair) {
  auto report = agreements::store::RebuildViews(store, repair, PrintProgress());
  if (!report.ok()) {
    std::fprintf(stderr, "error: %s\n", report.status().ToString().c_str());
    return 2;
  }
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

int Verify(agreements::store::Store* store, const Args& args) {
  std::string key = args.verifier_key;
  if (key.empty()) {
    const std::string path =
        args.signing_key.empty() ? args.data_dir + "/checkpoint.key" : args.signing_key;
    auto signer = agreements::note::NoteSigner::Load(path);
    if (!signer.ok()) {
      std::fprintf(stderr, "error: %s\n", signer.status().ToString().c_str());
      return 2;
    }
    key = signer->VerifierKey();
  }
  auto report = agreements::store::VerifyLog(store, key);
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

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!Parse(argc, argv, args)) return Usage();
  agreements::store::StoreOptions options;
  options.create_if_missing = false;
  auto store = agreements::store::Store::Open(args.data_dir, options);
  if (!store.ok()) {
    std::fprintf(stderr, "error: %s\n", store.status().ToString().c_str());
    return 2;
  }
  if (args.command == "verify") return Verify(store->get(), args);
  return args.replace ? Replace(store->get()) : Rebuild(store->get(), args.repair);
}
