#include "clients/cli_flags.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace agreements::cli {
namespace {

constexpr char kLocalErrorPayload[] = "type.agreements.dev/cli.LocalError";
constexpr char kVerificationErrorPayload[] = "type.agreements.dev/cli.VerificationError";

const FlagSpec* FindFlag(const std::vector<FlagSpec>& flags, absl::string_view name) {
  for (const FlagSpec& flag : flags) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

const FlagSpec* FindShortFlag(const std::vector<FlagSpec>& flags, char short_name) {
  for (const FlagSpec& flag : flags) {
    if (flag.short_name != 0 && flag.short_name == short_name) return &flag;
  }
  return nullptr;
}

bool NamesCommand(const CommandSpec& command, const std::string& words) {
  if (command.path == words) return true;
  return std::find(command.aliases.begin(), command.aliases.end(), words) !=
         command.aliases.end();
}

bool IsGroup(const std::vector<CommandSpec>& commands, const std::string& words) {
  const std::string prefix = words + " ";
  for (const CommandSpec& command : commands) {
    if (absl::StartsWith(command.path, prefix)) return true;
  }
  return false;
}

// Appends "  --name VALUE   help" lines, aligned.
void AppendFlagHelp(const std::vector<FlagSpec>& flags, std::string& out) {
  std::vector<std::string> left;
  size_t width = 0;
  for (const FlagSpec& flag : flags) {
    std::string text =
        flag.short_name != 0
            ? absl::StrCat("-", std::string(1, flag.short_name), ", --", flag.name)
            : absl::StrCat("    --", flag.name);
    if (flag.optional_value) {
      absl::StrAppend(&text, "[=", flag.value_name, "]");
    } else if (!flag.value_name.empty()) {
      absl::StrAppend(&text, " ", flag.value_name);
    }
    width = std::max(width, text.size());
    left.push_back(std::move(text));
  }
  for (size_t i = 0; i < flags.size(); ++i) {
    absl::StrAppend(&out, "  ", left[i], std::string(width - left[i].size() + 3, ' '),
                    flags[i].help, flags[i].repeated ? " (repeatable)" : "", "\n");
  }
}

}  // namespace

absl::Status UsageError(absl::string_view message) {
  return LocalError(absl::InvalidArgumentError(message));
}

absl::Status LocalError(absl::Status status) {
  status.SetPayload(kLocalErrorPayload, absl::Cord("1"));
  return status;
}

bool IsLocalError(const absl::Status& status) {
  return status.GetPayload(kLocalErrorPayload).has_value();
}

absl::Status VerificationError(absl::string_view message) {
  absl::Status status = absl::DataLossError(message);
  status.SetPayload(kVerificationErrorPayload, absl::Cord("1"));
  return status;
}

bool IsVerificationError(const absl::Status& status) {
  return status.GetPayload(kVerificationErrorPayload).has_value();
}

std::optional<std::string> ParsedArgs::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> ParsedArgs::GetAll(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return {};
  return it->second;
}

absl::StatusOr<Invocation> ParseCommandLine(const std::vector<std::string>& argv,
                                            const std::vector<FlagSpec>& global_flags,
                                            const std::vector<CommandSpec>& commands) {
  Invocation invocation;
  std::string words;  // command words seen so far
  bool help_command = false;
  bool flags_done = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& token = argv[i];
    const bool is_flag = !flags_done && token.size() > 1 && token[0] == '-';
    if (!is_flag) {
      if (token == "--" && !flags_done) {
        flags_done = true;
        continue;
      }
      if (invocation.command != nullptr) {
        invocation.args.AddPositional(token);
        continue;
      }
      if (words.empty() && token == "help" && !help_command) {
        help_command = true;
        continue;
      }
      const std::string candidate =
          words.empty() ? token : absl::StrCat(words, " ", token);
      for (const CommandSpec& command : commands) {
        if (NamesCommand(command, candidate)) invocation.command = &command;
      }
      if (invocation.command == nullptr && !IsGroup(commands, candidate)) {
        return UsageError(absl::StrCat("unknown command \"", candidate,
                                       "\" (run 'agreements --help')"));
      }
      words = candidate;
      continue;
    }
    if (token == "--") {
      flags_done = true;
      continue;
    }
    // A flag: "--name", "--name=value", "-s", "-s=value".
    std::string name;
    std::optional<std::string> inline_value;
    const FlagSpec* spec = nullptr;
    const std::vector<FlagSpec> no_flags;
    const std::vector<FlagSpec>& command_flags =
        invocation.command != nullptr ? invocation.command->flags : no_flags;
    if (absl::StartsWith(token, "--")) {
      absl::string_view body = absl::string_view(token).substr(2);
      const size_t eq = body.find('=');
      name = std::string(body.substr(0, eq));
      if (eq != absl::string_view::npos) inline_value = std::string(body.substr(eq + 1));
      spec = FindFlag(global_flags, name);
      if (spec == nullptr) spec = FindFlag(command_flags, name);
    } else {
      if (token.size() > 2 && token[2] != '=') {
        return UsageError(
            absl::StrCat("unknown flag ", token, " (long flags take two dashes)"));
      }
      if (token.size() > 2) inline_value = token.substr(3);
      spec = FindShortFlag(global_flags, token[1]);
      if (spec == nullptr) spec = FindShortFlag(command_flags, token[1]);
      if (spec != nullptr) name = spec->name;
    }
    if (spec == nullptr) {
      if (invocation.command == nullptr && !words.empty()) {
        return UsageError(absl::StrCat("unknown flag ", token,
                                       " before the subcommand of \"", words, "\""));
      }
      return UsageError(absl::StrCat(
          "unknown flag ", token,
          invocation.command != nullptr
              ? absl::StrCat(" for \"", invocation.command->path, "\"")
              : std::string(),
          " (run 'agreements help",
          invocation.command != nullptr ? absl::StrCat(" ", invocation.command->path)
                                        : std::string(),
          "')"));
    }
    if (name == "help") {
      if (inline_value.has_value()) return UsageError("--help takes no value");
      invocation.help = true;
      continue;
    }
    std::string value;
    if (spec->optional_value) {
      value = inline_value.value_or("");
    } else if (spec->value_name.empty()) {
      if (inline_value.has_value()) {
        return UsageError(absl::StrCat("flag --", name, " takes no value"));
      }
    } else if (inline_value.has_value()) {
      value = *inline_value;
    } else if (i + 1 < argv.size()) {
      value = argv[++i];
    } else {
      return UsageError(
          absl::StrCat("flag --", name, " needs a value (", spec->value_name, ")"));
    }
    if (!spec->repeated && invocation.args.Has(name)) {
      return UsageError(absl::StrCat("flag --", name, " given more than once"));
    }
    invocation.args.Add(name, std::move(value));
  }

  if (help_command) invocation.help = true;
  if (invocation.command == nullptr) {
    invocation.group = words;
    if (!words.empty() && !invocation.help) {
      return UsageError(absl::StrCat(
          "\"", words, "\" needs a subcommand (run 'agreements help ", words, "')"));
    }
    invocation.help = true;
    return invocation;
  }
  if (invocation.help) return invocation;
  const size_t count = invocation.args.positional().size();
  const CommandSpec& command = *invocation.command;
  if (count < command.min_args || count > command.max_args) {
    return UsageError(absl::StrCat(
        "usage: agreements ", command.path,
        command.args_usage.empty() ? "" : absl::StrCat(" ", command.args_usage),
        count < command.min_args ? " (missing argument)" : " (too many arguments)"));
  }
  return invocation;
}

std::string ToolHelp(const std::vector<FlagSpec>& global_flags,
                     const std::vector<CommandSpec>& commands, const std::string& group) {
  std::string out;
  if (group.empty()) {
    absl::StrAppend(&out,
                    "agreements: command-line client of the agreements registry.\n\n"
                    "Usage: agreements [global flags] COMMAND [ARGS] [flags]\n"
                    "       agreements help COMMAND     help on one command\n\n"
                    "Commands:\n");
  } else {
    absl::StrAppend(&out, "Usage: agreements ", group, " SUBCOMMAND [ARGS] [flags]\n\n",
                    "Subcommands:\n");
  }
  size_t width = 0;
  std::vector<const CommandSpec*> shown;
  for (const CommandSpec& command : commands) {
    if (!group.empty() && !absl::StartsWith(command.path, group + " ")) continue;
    shown.push_back(&command);
    width = std::max(width, command.path.size());
  }
  for (const CommandSpec* command : shown) {
    absl::StrAppend(&out, "  ", command->path,
                    std::string(width - command->path.size() + 3, ' '), command->summary,
                    "\n");
  }
  absl::StrAppend(&out, "\nGlobal flags:\n");
  AppendFlagHelp(global_flags, out);
  if (group.empty()) {
    absl::StrAppend(
        &out,
        "\nValues: dates are YYYY, YYYY-MM or YYYY-MM-DD (year, month or day "
        "precision);\n"
        "enums take their short lowercase names (ratification, "
        "memorandum_of_understanding,\n"
        "in_force); localized text is LANG:TEXT (en:\"Joint Statement\").\n"
        "\nOutput: -o table (default) prints aligned tables; -o json prints the RPC "
        "response\n"
        "in the protobuf JSON mapping.\n"
        "\nExit status: 0 success; 1 usage or local input error (bad flag or value,\n"
        "unreadable file, malformed JSON); 2 the server or the transport returned an "
        "error;\n"
        "4 verification failed (audit commands: a checkpoint signature, a proof or the\n"
        "consistency of the log's history does not verify).\n"
        "Errors are printed to stderr as \"error: <CODE>: <message>\".\n");
  }
  return out;
}

std::string CommandHelp(const CommandSpec& command,
                        const std::vector<FlagSpec>& globals) {
  std::string out = absl::StrCat("Usage: agreements ", command.path);
  if (!command.args_usage.empty()) absl::StrAppend(&out, " ", command.args_usage);
  if (!command.flags.empty()) absl::StrAppend(&out, " [flags]");
  absl::StrAppend(&out, "\n\n", command.summary, "\n");
  if (!command.details.empty()) absl::StrAppend(&out, "\n", command.details, "\n");
  if (!command.aliases.empty()) {
    absl::StrAppend(&out, "\nAlso: ", absl::StrJoin(command.aliases, ", "), "\n");
  }
  if (!command.flags.empty()) {
    absl::StrAppend(&out, "\nFlags:\n");
    AppendFlagHelp(command.flags, out);
  }
  absl::StrAppend(&out, "\nGlobal flags:\n");
  AppendFlagHelp(globals, out);
  return out;
}

}  // namespace agreements::cli
