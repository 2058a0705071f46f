// agreements: the command-line client of the agreements registry. See `agreements
// --help`.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "clients/cli_commands.h"
#include "clients/cli_flags.h"
#include "clients/cli_values.h"
#include "clients/client.h"

namespace agreements::cli {
namespace {

constexpr char kServerEnv[] = "AGREEMENTS_SERVER";
constexpr char kDefaultServer[] = "127.0.0.1:50051";

absl::StatusOr<OutputFormat> OutputFormatFlag(const ParsedArgs& args) {
  const std::string format = args.Get("output").value_or("table");
  if (format == "table") return OutputFormat::kTable;
  if (format == "json") return OutputFormat::kJson;
  return UsageError(absl::StrCat("-o: \"", format, "\" is not table or json"));
}

absl::StatusOr<client::RegistryClientOptions> ClientOptionsFlags(const ParsedArgs& args) {
  client::RegistryClientOptions options;
  if (std::optional<std::string> server = args.Get("server")) {
    options.target = *server;
  } else if (const char* env = std::getenv(kServerEnv); env != nullptr && *env != '\0') {
    options.target = env;
  } else {
    options.target = kDefaultServer;
  }
  if (std::optional<std::string> timeout = args.Get("timeout")) {
    if (!absl::ParseDuration(*timeout, &options.call_timeout) ||
        options.call_timeout <= absl::ZeroDuration()) {
      return UsageError(absl::StrCat("--timeout: \"", *timeout,
                                     "\" is not a positive duration (e.g. 10s)"));
    }
  }
  options.actor = args.Get("actor").value_or("");
  if (std::optional<std::string> position = args.Get("min-position")) {
    absl::StatusOr<uint64_t> parsed = ParseUint64("min-position", *position);
    if (!parsed.ok()) return parsed.status();
  }
  return options;
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
      ClientOptionsFlags(invocation->args);
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
