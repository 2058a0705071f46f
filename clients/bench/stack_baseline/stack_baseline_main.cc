// agreements-stack-baseline: the stack the registry is built on, doing nothing but making
// appends durable (clients/bench/README.md, "Stack baseline").
//
//   agreements-stack-baseline [--listen=127.0.0.1:0] --data_dir=DIR [--sync=true]
//
// One gRPC service (agreements.bench.v1.StackBaseline, callback API) on the registry's
// gRPC; each Append's payload becomes one key in a RocksDB database (the registry's
// RocksDB), written in synced groups by one writer thread (GroupWriter). Prints
// "agreements-stack-baseline listening on HOST:PORT" once it serves. SIGTERM or SIGINT:
// the calls in flight are answered, then it exits 0.
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/time.h"
#include "clients/bench/stack_baseline/baseline_service.h"
#include "clients/bench/stack_baseline/group_writer.h"
#include "common/flags_usage.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0",
          "host:port to listen on (port 0 picks a free port)");
ABSL_FLAG(std::string, data_dir, "", "RocksDB directory (created when missing)");
ABSL_FLAG(bool, sync, true, "sync every group's write before answering");

namespace agreements::bench {
namespace {

// Serves until SIGTERM or SIGINT; returns the exit code.
int Serve(const std::string& listen, const std::string& data_dir, bool sync,
          sigset_t& signals) {
  GroupWriterOptions options;
  options.sync = sync;
  absl::StatusOr<std::unique_ptr<GroupWriter>> writer =
      GroupWriter::Open(data_dir, options);
  if (!writer.ok()) {
    std::fprintf(stderr, "agreements-stack-baseline: %s\n",
                 writer.status().ToString().c_str());
    return 1;
  }
  StackBaselineService service(writer->get());
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "agreements-stack-baseline: cannot listen on %s\n",
                 listen.c_str());
    return 1;
  }
  const std::string host = listen.substr(0, listen.rfind(':'));
  std::printf("agreements-stack-baseline listening on %s:%d (data in %s%s)\n",
              host.c_str(), port, data_dir.c_str(), sync ? "" : ", unsynced");
  std::fflush(stdout);

  int signal = 0;
  sigwait(&signals, &signal);
  // Calls in flight still get their answer: the writer runs until the server is down.
  server->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  (*writer)->Stop();
  const GroupWriterStats stats = (*writer)->stats();
  std::printf(
      "agreements-stack-baseline: stopped: %llu appends in %llu groups (largest %llu)\n",
      static_cast<unsigned long long>(stats.appends),
      static_cast<unsigned long long>(stats.groups),
      static_cast<unsigned long long>(stats.largest_group));
  return 0;
}

}  // namespace
}  // namespace agreements::bench

int main(int argc, char** argv) {
  agreements::ConfigureFlagsUsage(
      "agreements-stack-baseline",
      "agreements-stack-baseline [--listen=HOST:PORT] --data_dir=DIR [--sync=true]",
      {"clients/bench/stack_baseline/"});
  absl::ParseCommandLine(argc, argv);
  // Block the signals in every thread (gRPC's and RocksDB's threads start later and
  // inherit the mask); Serve waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  if (data_dir.empty()) {
    std::fprintf(stderr, "agreements-stack-baseline: --data_dir is required\n");
    return 1;
  }
  return agreements::bench::Serve(absl::GetFlag(FLAGS_listen), data_dir,
                                  absl::GetFlag(FLAGS_sync), signals);
}
