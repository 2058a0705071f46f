#include "clients/cli_flags.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "clients/cli_suggest.h"

namespace agreements::cli {
namespace {

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

namespace {

// The words that may follow `words` ("" at the top): the next word of every command path
// and alias under it, in table order, without duplicates.
std::vector<std::string> NextWords(const std::vector<CommandSpec>& commands,
                                   const std::string& words) {
  std::vector<std::string> next;
  const std::string prefix = words.empty() ? "" : words + " ";
  const auto add = [&](const std::string& path) {
    if (!absl::StartsWith(path, prefix)) return;
    std::vector<std::string> rest = absl::StrSplit(path.substr(prefix.size()), ' ');
    if (std::find(next.begin(), next.end(), rest[0]) == next.end()) {
      next.push_back(rest[0]);
    }
  };
  for (const CommandSpec& command : commands) {
    add(command.path);
    for (const std::string& alias : command.aliases) add(alias);
  }
  return next;
}

// One pass over argv. Used once, by one thread.
class CommandLineParser {
 public:
  CommandLineParser(const std::vector<std::string>& argv,
                    const std::vector<FlagSpec>& global_flags,
                    const std::vector<CommandSpec>& commands)
      : argv_(argv), global_flags_(global_flags), commands_(commands) {}

  absl::StatusOr<Invocation> Parse() {
    for (i_ = 0; i_ < argv_.size(); ++i_) {
      const std::string& token = argv_[i_];
      if (!flags_done_ && token == "--") {
        flags_done_ = true;
        continue;
      }
      const bool is_flag = !flags_done_ && token.size() > 1 && token[0] == '-';
      absl::Status status = is_flag ? Flag(token) : Word(token);
      if (!status.ok()) return status;
    }
    return Finish();
  }

 private:
  // A positional argument, or the next command word.
  absl::Status Word(const std::string& token) {
    if (invocation_.command != nullptr) {
      invocation_.args.AddPositional(token);
      return absl::OkStatus();
    }
    if (words_.empty() && token == "help" && !help_command_) {
      help_command_ = true;
      return absl::OkStatus();
    }
    const std::string candidate =
        words_.empty() ? token : absl::StrCat(words_, " ", token);
    for (const CommandSpec& command : commands_) {
      if (NamesCommand(command, candidate)) invocation_.command = &command;
    }
    if (invocation_.command == nullptr && !IsGroup(commands_, candidate)) {
      const std::optional<std::string> guess =
          ClosestMatch(token, NextWords(commands_, words_));
      if (guess.has_value()) {
        return UsageError(absl::StrCat(
            "unknown command \"", candidate, "\"; did you mean \"",
            words_.empty() ? *guess : absl::StrCat(words_, " ", *guess), "\"?"));
      }
      return UsageError(absl::StrCat("unknown command \"", candidate,
                                     "\" (run 'agreements help",
                                     words_.empty() ? "" : " ", words_, "')"));
    }
    words_ = candidate;
    return absl::OkStatus();
  }

  const std::vector<FlagSpec>& CommandFlags() const {
    static const std::vector<FlagSpec>* const none = new std::vector<FlagSpec>();
    return invocation_.command != nullptr ? invocation_.command->flags : *none;
  }

  // "unknown flag --x for "list"; did you mean --y?" and variants.
  absl::Status UnknownFlag(const std::string& token, const std::string& name) const {
    if (invocation_.command == nullptr && !words_.empty()) {
      return UsageError(absl::StrCat("unknown flag ", token,
                                     " before the subcommand of \"", words_, "\""));
    }
    const std::string where =
        invocation_.command != nullptr
            ? absl::StrCat(" for \"", invocation_.command->path, "\"")
            : std::string();
    std::vector<std::string> known;
    for (const auto* flags : {&global_flags_, &CommandFlags()}) {
      for (const FlagSpec& flag : *flags) known.push_back(flag.name);
    }
    if (!name.empty()) {
      if (std::optional<std::string> guess = ClosestMatch(name, known)) {
        return UsageError(absl::StrCat("unknown flag ", token, where, "; did you mean --",
                                       *guess, "?"));
      }
    }
    return UsageError(absl::StrCat(
        "unknown flag ", token, where, " (run 'agreements help",
        invocation_.command != nullptr ? absl::StrCat(" ", invocation_.command->path)
                                       : std::string(),
        "')"));
  }

  // A flag: "--name", "--name=value", "-s", "-s=value"; takes the next argument as its
  // value when it needs one.
  absl::Status Flag(const std::string& token) {
    std::string name;
    std::optional<std::string> inline_value;
    const FlagSpec* spec = nullptr;
    if (absl::StartsWith(token, "--")) {
      absl::string_view body = absl::string_view(token).substr(2);
      const size_t eq = body.find('=');
      name = std::string(body.substr(0, eq));
      if (eq != absl::string_view::npos) inline_value = std::string(body.substr(eq + 1));
      spec = FindFlag(global_flags_, name);
      if (spec == nullptr) spec = FindFlag(CommandFlags(), name);
    } else {
      if (token.size() > 2 && token[2] != '=') {
        return UsageError(
            absl::StrCat("unknown flag ", token, " (long flags take two dashes)"));
      }
      if (token.size() > 2) inline_value = token.substr(3);
      spec = FindShortFlag(global_flags_, token[1]);
      if (spec == nullptr) spec = FindShortFlag(CommandFlags(), token[1]);
      if (spec != nullptr) name = spec->name;
    }
    if (spec == nullptr) return UnknownFlag(token, name);
    if (name == "help") {
      if (inline_value.has_value()) return UsageError("--help takes no value");
      invocation_.help = true;
      return absl::OkStatus();
    }
    absl::StatusOr<std::string> value = FlagValue(*spec, inline_value);
    if (!value.ok()) return value.status();
    if (!spec->repeated && invocation_.args.Has(name)) {
      return UsageError(absl::StrCat("flag --", name, " given more than once"));
    }
    invocation_.args.Add(name, *std::move(value));
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> FlagValue(const FlagSpec& spec,
                                        const std::optional<std::string>& inline_value) {
    if (spec.optional_value) return inline_value.value_or("");
    if (spec.value_name.empty()) {
      if (inline_value.has_value()) {
        return UsageError(absl::StrCat("flag --", spec.name, " takes no value"));
      }
      return std::string();
    }
    if (inline_value.has_value()) return *inline_value;
    if (i_ + 1 < argv_.size()) return argv_[++i_];
    return UsageError(
        absl::StrCat("flag --", spec.name, " needs a value (", spec.value_name, ")"));
  }

  absl::StatusOr<Invocation> Finish() {
    if (help_command_) invocation_.help = true;
    if (invocation_.command == nullptr) {
      invocation_.group = words_;
      invocation_.incomplete = !words_.empty() && !invocation_.help;
      invocation_.help = true;
      return std::move(invocation_);
    }
    if (invocation_.help) return std::move(invocation_);
    const size_t count = invocation_.args.positional().size();
    const CommandSpec& command = *invocation_.command;
    if (count < command.min_args || count > command.max_args) {
      return UsageError(absl::StrCat(
          "usage: agreements ", command.path,
          command.args_usage.empty() ? "" : absl::StrCat(" ", command.args_usage),
          count < command.min_args ? " (missing argument)" : " (too many arguments)"));
    }
    return std::move(invocation_);
  }

  const std::vector<std::string>& argv_;
  const std::vector<FlagSpec>& global_flags_;
  const std::vector<CommandSpec>& commands_;
  Invocation invocation_;
  size_t i_ = 0;
  std::string words_;  // command words seen so far
  bool help_command_ = false;
  bool flags_done_ = false;
};

}  // namespace

std::vector<std::string> FlagChoices(const FlagSpec& flag) {
  if (!flag.choices.empty()) return flag.choices;
  if (flag.value_name.find('|') == std::string::npos) return {};
  std::vector<std::string> choices;
  for (absl::string_view part : absl::StrSplit(flag.value_name, '|')) {
    if (!part.empty() && absl::AsciiStrToLower(part) == part) choices.emplace_back(part);
  }
  return choices;
}

absl::StatusOr<Invocation> ParseCommandLine(const std::vector<std::string>& argv,
                                            const std::vector<FlagSpec>& global_flags,
                                            const std::vector<CommandSpec>& commands) {
  return CommandLineParser(argv, global_flags, commands).Parse();
}

namespace {

// "  path   summary" lines, aligned, for the commands under `group` (every command when
// it is empty).
void AppendCommandList(const std::vector<CommandSpec>& commands, const std::string& group,
                       std::string& out) {
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
}

}  // namespace

std::string GroupUsage(const std::vector<CommandSpec>& commands,
                       const std::string& group) {
  std::string out = absl::StrCat("Usage: agreements ", group,
                                 " SUBCOMMAND [ARGS] [flags]\n\nSubcommands:\n");
  AppendCommandList(commands, group, out);
  absl::StrAppend(&out, "\nRun 'agreements help ", group,
                  " SUBCOMMAND' for the flags of one.\n");
  return out;
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
    AppendCommandList(commands, group, out);
  } else {
    out = GroupUsage(commands, group);
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
        "\nOutput: -o table (default) prints aligned tables, -o wide more columns;\n"
        "-o json, jsonl (a record per line) and yaml print the friendly JSON form\n"
        "(dates, enums and amounts as text); add --proto-json for the exact proto3\n"
        "JSON mapping.\n"
        "\nConfiguration: named contexts in $AGREEMENTS_CONFIG, else\n"
        "$XDG_CONFIG_HOME/agreements/config.yaml, else ~/.config/agreements/config.yaml\n"
        "(agreements help config set-context); flags > environment > context > "
        "defaults.\n"
        "\nExit status: 0 success; 1 usage or local input error; 2 other server or\n"
        "transport error; 3 not found; 4 verification failed (audit commands);\n"
        "5 conflict (failed precondition, aborted, already exists); 6 invalid argument\n"
        "(the server refused the request); 7 permission denied or unauthenticated;\n"
        "8 unavailable, deadline exceeded or resource exhausted (try again later).\n"
        "Errors are printed to stderr as \"error: <CODE>: <message>\", then the\n"
        "server's details when it sent some (\"reason: ...\", metadata, fields).\n");
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

CommandSpec FixedArgsCommand(std::string path, std::string args_usage, size_t args,
                             std::string summary, std::function<absl::Status(Env&)> run,
                             std::vector<FlagSpec> flags) {
  CommandSpec spec;
  spec.path = std::move(path);
  spec.args_usage = std::move(args_usage);
  spec.min_args = spec.max_args = args;
  spec.summary = std::move(summary);
  spec.flags = std::move(flags);
  spec.run = std::move(run);
  return spec;
}

}  // namespace agreements::cli
