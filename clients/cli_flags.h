// The command line of the `agreements` tool: flag and command specifications, a small
// parser for "agreements [global flags] COMMAND [SUBCOMMAND] [ARGS] [flags]", and the
// help text generated from the specifications.
#ifndef AGREEMENTS_CLIENTS_CLI_FLAGS_H_
#define AGREEMENTS_CLIENTS_CLI_FLAGS_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clients/cli_errors.h"

namespace agreements::cli {

// One flag. "--name VALUE", "--name=VALUE" or "-s VALUE" when short_name is set.
struct FlagSpec {
  std::string name;
  // Empty: a boolean flag that takes no value.
  std::string value_name;
  std::string help;
  bool repeated = false;
  char short_name = 0;
  // The value may be left out: "--name" alone (value "") or "--name=VALUE". Only the
  // inline form gives a value, so that the next argument is never taken for one.
  bool optional_value = false;
  // The values the flag takes, when they are a fixed set (an enum's short names); shell
  // completion offers them. Empty: any value (a "a|b|c" value_name still lists them).
  std::vector<std::string> choices = {};
};

// The fixed values of `flag`: its choices, else the lowercase alternatives of a value
// name such as "year|month" (not "N|beginning|now"'s placeholder N).
std::vector<std::string> FlagChoices(const FlagSpec& flag);

// The flags and positional arguments of one invocation. A value type; not thread-safe.
class ParsedArgs {
 public:
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  // The value of a flag given once (the last one if repeated); nullopt when absent.
  std::optional<std::string> Get(const std::string& name) const;
  // Every value of a repeated flag, in command-line order.
  std::vector<std::string> GetAll(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }

  void Add(const std::string& name, std::string value) {
    values_[name].push_back(std::move(value));
  }
  void AddPositional(std::string value) { positional_.push_back(std::move(value)); }

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

class Env;

// One command: its words ("party register"), positional arguments, flags and handler.
struct CommandSpec {
  std::string path;
  // Usage of the positional arguments, e.g. "ID" or "FILE.jsonl".
  std::string args_usage;
  size_t min_args = 0;
  size_t max_args = 0;
  std::string summary;
  // Longer help, printed after the usage line; may be empty.
  std::string details;
  std::vector<FlagSpec> flags;
  std::function<absl::Status(Env&)> run;
  // Other paths that name this command.
  std::vector<std::string> aliases = {};
  // Runs without the server's connection options (config, completion, version): main()
  // does not resolve the connection flags, context and token file before it runs.
  bool offline = false;
};

// A command that takes exactly `args` positional arguments.
CommandSpec FixedArgsCommand(std::string path, std::string args_usage, size_t args,
                             std::string summary, std::function<absl::Status(Env&)> run,
                             std::vector<FlagSpec> flags = {});

// The result of parsing argv.
struct Invocation {
  // The command; nullptr when none was named (help on the tool or on a group).
  const CommandSpec* command = nullptr;
  // The words of a group named without a subcommand, e.g. "party".
  std::string group;
  bool help = false;
  // A group was named without a subcommand and without asking for help: main() prints
  // the group's help on stderr and exits with kExitUsage.
  bool incomplete = false;
  ParsedArgs args;
};

// Parses the arguments after the program name. Global flags may appear anywhere; command
// flags after the command words. "help [COMMAND...]", "--help" and "-h" ask for help.
// Errors are usage errors; an unknown command or flag suggests the closest known one
// ("unknown command \"lsit\"; did you mean \"list\"?"). A group named without a
// subcommand ("agreements party") sets Invocation::incomplete.
absl::StatusOr<Invocation> ParseCommandLine(const std::vector<std::string>& argv,
                                            const std::vector<FlagSpec>& global_flags,
                                            const std::vector<CommandSpec>& commands);

// Help on the whole tool, or on one group of commands when `group` is not empty.
std::string ToolHelp(const std::vector<FlagSpec>& global_flags,
                     const std::vector<CommandSpec>& commands, const std::string& group);
// The usage of a group ("party"): its subcommands with their summaries, one a line.
std::string GroupUsage(const std::vector<CommandSpec>& commands,
                       const std::string& group);
std::string CommandHelp(const CommandSpec& command, const std::vector<FlagSpec>& globals);

}  // namespace agreements::cli

#endif  // AGREEMENTS_CLIENTS_CLI_FLAGS_H_
