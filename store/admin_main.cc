// agreements-admin: offline maintenance of a data directory (the server must be stopped).
//
//   agreements-admin rebuild --data_dir DIR [--repair]
//     Recomputes every view from the log and compares it with the stored views. Exit code
//     0 when they are identical, 3 when differences were found (and, with --repair,
//     rewritten), 1 on usage errors, 2 when the store cannot be read.
#include <cstdio>
#include <cstring>
#include <string>

#include "store/rebuild.h"
#include "store/store.h"

namespace {

int Usage() {
  std::fprintf(stderr, "usage: agreements-admin rebuild --data_dir DIR [--repair]\n");
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "rebuild") != 0) return Usage();
  std::string data_dir = "./data";
  bool repair = false;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--repair") {
      repair = true;
    } else if (arg.rfind("--data_dir=", 0) == 0) {
      data_dir = arg.substr(std::strlen("--data_dir="));
    } else if (arg == "--data_dir" && i + 1 < argc) {
      data_dir = argv[++i];
    } else {
      return Usage();
    }
  }
  agreements::store::StoreOptions options;
  options.create_if_missing = false;
  auto store = agreements::store::Store::Open(data_dir, options);
  if (!store.ok()) {
    std::fprintf(stderr, "error: %s\n", store.status().ToString().c_str());
    return 2;
  }
  auto report = agreements::store::RebuildViews(store->get(), repair);
  if (!report.ok()) {
    std::fprintf(stderr, "error: %s\n", report.status().ToString().c_str());
    return 2;
  }
  std::printf("replayed %llu events (head %llu), compared %llu keys: %llu differences\n",
              static_cast<unsigned long long>(report->events),
              static_cast<unsigned long long>(report->head),
              static_cast<unsigned long long>(report->keys_compared),
              static_cast<unsigned long long>(report->difference_count));
  for (const auto& difference : report->differences) {
    std::printf("  %s\n", difference.c_str());
  }
  if (report->repaired) std::printf("views repaired\n");
  return report->difference_count == 0 ? 0 : 3;
}
