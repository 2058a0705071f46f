// agreements: the command-line client of the agreements registry. See `agreements
// --help`.
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "clients/cli_commands.h"
#include "clients/cli_flags.h"
#include "clients/client.h"
#include "common/build_info.h"

namespace agreements::cli {
namespace {

absl::StatusOr<OutputFormat> OutputFormatFlag(const ParsedArgs& args) {
  const std::string format = args.Get("output").value_or("table");
  if (format == "table") return OutputFormat::kTable;
  if (format == "json") return OutputFormat::kJson;
  return UsageError(absl::StrCat("-o: \"", format, "\" is not table or json"));
}

int Fail(const absl::Status& status, const std::string& target) {
  std::string message(status.message());
  if (!IsLocalError(status) && status.code() == absl::StatusCode::kUnavailable) {
    message = absl::StrCat("server ", target, ": ", message);
  }
  std::cerr << "error: " << absl::StatusCodeToString(status.code()) << ": " << message
            << "\n";
  if (IsVerificationError(status)) return kExitVerification;
  return IsLocalError(status) ? kExitUsage : kExitRpc;
}

int Main(int argc, char** argv) {
  const std::vector<std::string> arguments(argv + 1, argv + argc);
  if (arguments.size() == 1 &&
      (arguments[0] == "--version" || arguments[0] == "version")) {
    std::cout << build_info::VersionText("agreements");
    return kExitOk;
  }
  absl::StatusOr<Invocation> invocation =
      ParseCommandLine(arguments, GlobalFlags(), AllCommands());
  if (!invocation.ok()) return Fail(invocation.status(), "");
  if (invocation->help) {
    if (invocation->command != nullptr) {
      std::cout << CommandHelp(*invocation->command, GlobalFlags());
    } else {
      std::cout << ToolHelp(GlobalFlags(), AllCommands(), invocation->group);
    }
    return kExitOk;
  }
  absl::StatusOr<OutputFormat> format = OutputFormatFlag(invocation->args);
  if (!format.ok()) return Fail(format.status(), "");
  absl::StatusOr<client::RegistryClientOptions> options =
      ClientOptionsFromFlags(invocation->args);
  if (!options.ok()) return Fail(options.status(), "");
  const std::string target = options->target;
  Env env(invocation->args, *format, *std::move(options), std::cout);
  const absl::Status status = invocation->command->run(env);
  std::cout.flush();
  if (!status.ok()) return Fail(status, target);
  return kExitOk;
}

}  // namespace
}  // namespace agreements::cli

int main(int argc, char** argv) { return agreements::cli::Main(argc, argv); }
