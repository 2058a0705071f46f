// agreements-server: the registry's gRPC server on an embedded RocksDB data directory.
//
//   agreements-server [--listen=127.0.0.1:50051] [--data_dir=./data]
//                     [--signing_key=FILE] [--checkpoint_origin=NAME]
//
// Prints "agreements-server listening on HOST:PORT" once it serves. SIGTERM or SIGINT
// shut it down cleanly: in-flight commands finish and are durable, then it exits 0.
#include <csignal>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "services/server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "host:port to listen on (port 0 picks a free port)");
ABSL_FLAG(std::string, data_dir, "./data",
          "RocksDB data directory (created when missing)");
ABSL_FLAG(std::string, signing_key, "",
          "Ed25519 key file for signed checkpoints, created when absent "
          "(default: <data_dir>/checkpoint.key)");
ABSL_FLAG(std::string, checkpoint_origin, "agreements-registry",
          "origin line of signed checkpoints (also the key name)");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("agreements-server [--listen=HOST:PORT] [--data_dir=DIR]");
  absl::ParseCommandLine(argc, argv);

  // Block the shutdown signals in every thread; this thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  agreements::services::ServerOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.signing_key = absl::GetFlag(FLAGS_signing_key);
  options.checkpoints.origin = absl::GetFlag(FLAGS_checkpoint_origin);
  auto server = agreements::services::RegistryServer::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "agreements-server: %s\n", server.status().ToString().c_str());
    return 1;
  }
  std::string host = options.listen.substr(0, options.listen.rfind(':'));
  std::printf("agreements-server listening on %s:%d (data in %s)\n", host.c_str(),
              (*server)->port(), options.data_dir.c_str());
  std::fflush(stdout);

  int signal = 0;
  sigwait(&signals, &signal);
  std::printf("agreements-server: %s received, shutting down\n",
              signal == SIGINT ? "SIGINT" : "SIGTERM");
  std::fflush(stdout);
  (*server)->Shutdown();
  std::printf("agreements-server: stopped cleanly\n");
  return 0;
}
