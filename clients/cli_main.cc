// agreements: the command-line client of the agreements registry. See `agreements
// --help`; exit codes in cli_errors.h.
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "clients/cli_commands.h"
#include "clients/cli_errors.h"
#include "clients/cli_flags.h"
#include "clients/client.h"

namespace agreements::cli {
namespace {

int Fail(const absl::Status& status, const std::string& target) {
  std::cout.flush();
  std::cerr << ErrorText(status, target);
  return ExitCodeFor(status);
}

// The command named by --version (`agreements --version` is `agreements version`).
const CommandSpec* VersionSpec() {
  for (const CommandSpec& command : AllCommands()) {
    if (command.path == "version") return &command;
  }
  return nullptr;
}

// Runs a command that needs no connection options: -o from the flag only.
int RunOffline(const CommandSpec& command, const ParsedArgs& args) {
  absl::StatusOr<OutputFormat> format =
      OutputFormatFromFlags(args, /*use_context=*/false);
  if (!format.ok()) return Fail(format.status(), "");
  Env env(args, *format, client::RegistryClientOptions(), std::cout);
  const absl::Status status = command.run(env);
  if (!status.ok()) return Fail(status, "");
  std::cout.flush();
  return kExitOk;
}

int Run(const CommandSpec& command, const ParsedArgs& args) {
  if (command.offline) return RunOffline(command, args);
  absl::StatusOr<OutputFormat> format = OutputFormatFromFlags(args);
  if (!format.ok()) return Fail(format.status(), "");
  absl::StatusOr<client::RegistryClientOptions> options = ClientOptionsFromFlags(args);
  if (!options.ok()) return Fail(options.status(), "");
  const std::string target = options->target;
  Env env(args, *format, *std::move(options), std::cout);
  const absl::Status status = command.run(env);
  if (!status.ok()) return Fail(status, target);
  std::cout.flush();
  return kExitOk;
}

int Main(int argc, char** argv) {
  const std::vector<std::string> arguments(argv + 1, argv + argc);
  absl::StatusOr<Invocation> invocation =
      ParseCommandLine(arguments, GlobalFlags(), AllCommands());
  if (!invocation.ok()) return Fail(invocation.status(), "");
  if (invocation->args.Has("version") && invocation->command == nullptr &&
      VersionSpec() != nullptr) {
    return Run(*VersionSpec(), invocation->args);
  }
  if (invocation->incomplete) {
    std::cerr << GroupUsage(AllCommands(), invocation->group);
    return kExitUsage;
  }
  if (invocation->help) {
    if (invocation->command != nullptr) {
      std::cout << CommandHelp(*invocation->command, GlobalFlags());
    } else {
      std::cout << ToolHelp(GlobalFlags(), AllCommands(), invocation->group);
    }
    return kExitOk;
  }
  return Run(*invocation->command, invocation->args);
}

}  // namespace
}  // namespace agreements::cli

int main(int argc, char** argv) { return agreements::cli::Main(argc, argv); }
