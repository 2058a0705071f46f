// `agreements completion bash|zsh|fish`: a shell completion script generated from the
// command tables (cli_commands.h): the command words at each level, each command's flags
// and the global flags, which flags take a value, and the fixed values of a flag where
// the tables know them (FlagChoices). --context completes the names in the configuration
// file (config get-contexts --names); other values complete file names.
#include "clients/cli_completion.h"

#include <algorithm>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "clients/cli_commands.h"
#include "clients/cli_flags.h"

namespace agreements::cli {
namespace {

// One word that may follow a command path: a command's last word (with its summary) or a
// group's (with the commands under it).
struct NextWord {
  std::string word;
  std::string description;
};

// The command paths with words after them: "" and every group ("party", "audit", ...).
std::vector<std::string> Levels(const std::vector<CommandSpec>& commands) {
  std::vector<std::string> levels = {""};
  for (const CommandSpec& command : commands) {
    std::vector<std::string> words = absl::StrSplit(command.path, ' ');
    std::string prefix;
    for (size_t i = 0; i + 1 < words.size(); ++i) {
      prefix = i == 0 ? words[0] : absl::StrCat(prefix, " ", words[i]);
      if (std::find(levels.begin(), levels.end(), prefix) == levels.end()) {
        levels.push_back(prefix);
      }
    }
  }
  return levels;
}

std::vector<NextWord> WordsAfter(const std::vector<CommandSpec>& commands,
                                 const std::string& level) {
  std::vector<NextWord> next;
  const std::string prefix = level.empty() ? "" : level + " ";
  for (const CommandSpec& command : commands) {
    if (!absl::StartsWith(command.path, prefix)) continue;
    const std::string rest = command.path.substr(prefix.size());
    const size_t space = rest.find(' ');
    const std::string word = rest.substr(0, space);
    auto found = std::find_if(next.begin(), next.end(),
                              [&](const NextWord& w) { return w.word == word; });
    if (found == next.end()) {
      next.push_back(
          {word, space == std::string::npos
                     ? command.summary
                     : absl::StrCat(absl::StrCat(level, level.empty() ? "" : " ", word),
                                    " commands")});
    }
  }
  return next;
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

// Single-quoted for POSIX shells (bash, zsh).
std::string ShellQuote(absl::string_view text) {
  return absl::StrCat("'", absl::StrReplaceAll(text, {{"'", "'\\''"}}), "'");
}

// Single-quoted for fish.
std::string FishQuote(absl::string_view text) {
  return absl::StrCat("'", absl::StrReplaceAll(text, {{"\\", "\\\\"}, {"'", "\\'"}}),
                      "'");
}

// "--name" and "-s" of the flags that take a value (optional values are inline only).
std::vector<std::string> ValueFlagNames(const std::vector<FlagSpec>& flags) {
  std::vector<std::string> names;
  for (const FlagSpec& flag : flags) {
    if (flag.value_name.empty() || flag.optional_value) continue;
    names.push_back("--" + flag.name);
    if (flag.short_name != 0) names.push_back(std::string("-") + flag.short_name);
  }
  return names;
}

// The "case" arms shared by bash and zsh: `emit(pattern, body)` for every command with
// flags of the kind `names` selects, e.g. "list --sector"|"list --status") return 0 ;;
void ForEachCommandFlags(
    const std::vector<CommandSpec>& commands,
    const std::function<std::vector<std::string>(const CommandSpec&)>& names,
    const std::function<void(const std::string&)>& emit) {
  for (const CommandSpec& command : commands) {
    std::vector<std::string> patterns;
    for (const std::string& name : names(command)) {
      patterns.push_back(absl::StrCat("\"", command.path, " ", name, "\""));
    }
    if (!patterns.empty()) emit(absl::StrJoin(patterns, "|"));
  }
}

// _agreements_takes_value PATH FLAG and _agreements_values PATH FLAG, for bash and zsh.
std::string PosixFlagFunctions(const std::vector<FlagSpec>& globals,
                               const std::vector<CommandSpec>& commands) {
  std::string out = "_agreements_takes_value() {\n  case \"$2\" in\n";
  absl::StrAppend(&out, "    ", absl::StrJoin(ValueFlagNames(globals), "|"),
                  ") return 0 ;;\n  esac\n  case \"$1 $2\" in\n");
  ForEachCommandFlags(
      commands, [](const CommandSpec& c) { return ValueFlagNames(c.flags); },
      [&](const std::string& pattern) {
        absl::StrAppend(&out, "    ", pattern, ") return 0 ;;\n");
      });
  absl::StrAppend(&out,
                  "  esac\n  return 1\n}\n\n_agreements_values() {\n  case \"$2\" in\n"
                  "    --context) agreements config get-contexts --names 2>/dev/null; "
                  "return ;;\n");
  for (const FlagSpec& flag : globals) {
    const std::vector<std::string> choices = FlagChoices(flag);
    if (choices.empty()) continue;
    absl::StrAppend(
        &out, "    --", flag.name,
        flag.short_name != 0 ? absl::StrCat("|-", std::string(1, flag.short_name)) : "",
        ") printf '%s\\n' ", ShellQuote(absl::StrJoin(choices, " ")), "; return ;;\n");
  }
  absl::StrAppend(&out, "  esac\n  case \"$1 $2\" in\n");
  for (const CommandSpec& command : commands) {
    for (const FlagSpec& flag : command.flags) {
      const std::vector<std::string> choices = FlagChoices(flag);
      if (choices.empty()) continue;
      absl::StrAppend(&out, "    \"", command.path, " --", flag.name,
                      "\") printf '%s\\n' ", ShellQuote(absl::StrJoin(choices, " ")),
                      " ;;\n");
    }
  }
  absl::StrAppend(&out, "  esac\n}\n\n");
  return out;
}

// A function printing, for a level or a command path ($1), one line per item.
std::string CaseFunction(
    const std::string& name,
    const std::vector<std::pair<std::string, std::vector<std::string>>>& arms) {
  std::string out = absl::StrCat(name, "() {\n  case \"$1\" in\n");
  for (const auto& [pattern, lines] : arms) {
    absl::StrAppend(&out, "    \"", pattern, "\")\n");
    for (const std::string& line : lines) {
      absl::StrAppend(&out, "      printf '%s\\n' ", ShellQuote(line), "\n");
    }
    absl::StrAppend(&out, "      ;;\n");
  }
  absl::StrAppend(&out, "  esac\n}\n\n");
  return out;
}

// The words after each level: "word" (bash) or "word:description" (zsh).
std::string WordsFunction(const std::vector<CommandSpec>& commands, bool described) {
  std::vector<std::pair<std::string, std::vector<std::string>>> arms;
  for (const std::string& level : Levels(commands)) {
    std::vector<std::string> lines;
    for (const NextWord& next : WordsAfter(commands, level)) {
      lines.push_back(described
                          ? absl::StrCat(next.word, ":", FirstLine(next.description))
                          : next.word);
    }
    arms.emplace_back(level, std::move(lines));
  }
  return CaseFunction("_agreements_words", arms);
}

std::vector<std::string> FlagLines(const std::vector<FlagSpec>& flags, bool described) {
  std::vector<std::string> lines;
  for (const FlagSpec& flag : flags) {
    if (flag.name == "help") continue;
    lines.push_back(described ? absl::StrCat("--", flag.name, ":", FirstLine(flag.help))
                              : "--" + flag.name);
  }
  return lines;
}

// Every command's own flags, one per line, for its path; every command is listed.
std::string FlagsFunction(const std::vector<CommandSpec>& commands, bool described) {
  std::vector<std::pair<std::string, std::vector<std::string>>> arms;
  for (const CommandSpec& command : commands) {
    arms.emplace_back(command.path, FlagLines(command.flags, described));
  }
  return CaseFunction("_agreements_flags", arms);
}

constexpr char kBashMain[] = R"sh(_agreements() {
  local cur="${COMP_WORDS[COMP_CWORD]}" cmdpath="" word i flag
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="${COMP_WORDS[i]}"
    if [[ $word == -* ]]; then
      if [[ ${COMP_WORDS[i+1]} == "=" ]]; then
        ((i += 2))
      elif [[ $word != *=* ]] && _agreements_takes_value "$cmdpath" "$word"; then
        ((i++))
      fi
      continue
    fi
    if [[ -z $cmdpath && $word == help ]]; then continue; fi
    if [[ $'\n'"$(_agreements_words "$cmdpath")"$'\n' == *$'\n'"$word"$'\n'* ]]; then
      cmdpath="${cmdpath:+$cmdpath }$word"
    else
      break
    fi
  done
  flag=""
  if [[ $cur == "=" ]]; then
    flag="${COMP_WORDS[COMP_CWORD-1]}"
    cur=""
  elif ((COMP_CWORD > 1)) && [[ ${COMP_WORDS[COMP_CWORD-1]} == "=" ]]; then
    flag="${COMP_WORDS[COMP_CWORD-2]}"
  elif ((COMP_CWORD > 1)) &&
      _agreements_takes_value "$cmdpath" "${COMP_WORDS[COMP_CWORD-1]}"; then
    flag="${COMP_WORDS[COMP_CWORD-1]}"
  fi
  local choices
  if [[ -n $flag ]]; then
    choices="$(_agreements_values "$cmdpath" "$flag")"
    if [[ -n $choices ]]; then
      COMPREPLY=($(compgen -W "$choices" -- "$cur"))
    else
      COMPREPLY=($(compgen -f -- "$cur"))
    fi
  elif [[ $cur == -* ]]; then
    choices="$(_agreements_flags "$cmdpath") $_agreements_global_flags"
    COMPREPLY=($(compgen -W "$choices" -- "$cur"))
  else
    choices="$(_agreements_words "$cmdpath")"
    if [[ -n $choices ]]; then
      COMPREPLY=($(compgen -W "$choices" -- "$cur"))
    else
      COMPREPLY=($(compgen -f -- "$cur"))
    fi
  fi
}

complete -F _agreements agreements
)sh";

constexpr char kZshMain[] = R"sh(_agreements() {
  local cur=${words[CURRENT]} cmdpath="" word i prev
  local -a known values items
  for (( i = 2; i < CURRENT; i++ )); do
    word=${words[i]}
    if [[ $word == -* ]]; then
      if [[ $word != *=* ]] && _agreements_takes_value "$cmdpath" "$word"; then
        (( i++ ))
      fi
      continue
    fi
    if [[ -z $cmdpath && $word == help ]]; then continue; fi
    known=( ${${(f)"$(_agreements_words "$cmdpath")"}%%:*} )
    if (( ${known[(Ie)$word]} )); then
      cmdpath=${cmdpath:+$cmdpath }$word
    else
      break
    fi
  done
  prev=${words[CURRENT-1]}
  if (( CURRENT > 2 )) && [[ $prev == -* && $prev != *=* ]] &&
      _agreements_takes_value "$cmdpath" "$prev"; then
    values=( ${=${(f)"$(_agreements_values "$cmdpath" "$prev")"}} )
    if (( ${#values} )); then
      compadd -a values
    else
      _files
    fi
  elif [[ $cur == -* ]]; then
    items=( ${(f)"$(_agreements_flags "$cmdpath")"} $_agreements_global_flags )
    _describe -t flags 'flag' items
  else
    items=( ${(f)"$(_agreements_words "$cmdpath")"} )
    if (( ${#items} )); then
      _describe -t commands 'command' items
    else
      _files
    fi
  fi
}

if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then
  _agreements "$@"
else
  compdef _agreements agreements
fi
)sh";

constexpr char kFishFunctions[] = R"sh(function __agreements_path
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l cmdpath ''
    set -l skip 0
    for t in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        if string match -q -- '-*' $t
            if not string match -q -- '*=*' $t; and __agreements_takes_value "$cmdpath" $t
                set skip 1
            end
            continue
        end
        if test -z "$cmdpath" -a "$t" = help
            continue
        end
        if contains -- $t (__agreements_words "$cmdpath" | string replace -r '\t.*' '')
            set cmdpath (string trim -- "$cmdpath $t")
        else
            break
        end
    end
    echo $cmdpath
end

function __agreements_at --argument-names want
    set -l cmdpath (__agreements_path)
    test "$cmdpath" = "$want"
end

complete -c agreements -f
)sh";

// One "complete" line for a flag, under `condition` (none for a global flag).
std::string FishFlagLine(const FlagSpec& flag, const std::string& condition) {
  std::string out = "complete -c agreements";
  if (!condition.empty()) absl::StrAppend(&out, " -n ", FishQuote(condition));
  if (flag.short_name != 0)
    absl::StrAppend(&out, " -s ", std::string(1, flag.short_name));
  absl::StrAppend(&out, " -l ", flag.name);
  const std::vector<std::string> choices = FlagChoices(flag);
  if (flag.name == "context") {
    absl::StrAppend(&out, " -x -a ",
                    FishQuote("(agreements config get-contexts --names 2>/dev/null)"));
  } else if (!choices.empty()) {
    absl::StrAppend(&out, " -x -a ", FishQuote(absl::StrJoin(choices, " ")));
  } else if (absl::StrContains(flag.value_name, "FILE") ||
             absl::StrContains(flag.value_name, "PATH")) {
    absl::StrAppend(&out, " -r -F");
  } else if (!flag.value_name.empty() && !flag.optional_value) {
    absl::StrAppend(&out, " -x");
  }
  absl::StrAppend(&out, " -d ", FishQuote(FirstLine(flag.help)), "\n");
  return out;
}

// __agreements_words LEVEL (word TAB description lines) and __agreements_takes_value.
std::string FishDataFunctions(const std::vector<FlagSpec>& globals,
                              const std::vector<CommandSpec>& commands) {
  std::string out =
      "function __agreements_words --argument-names level\n    switch \"$level\"\n";
  for (const std::string& level : Levels(commands)) {
    absl::StrAppend(&out, "        case ", FishQuote(level), "\n");
    for (const NextWord& next : WordsAfter(commands, level)) {
      absl::StrAppend(&out, "            printf '%s\\t%s\\n' ", FishQuote(next.word), " ",
                      FishQuote(FirstLine(next.description)), "\n");
    }
  }
  absl::StrAppend(&out,
                  "    end\nend\n\nfunction __agreements_takes_value --argument-names "
                  "cmdpath flag\n    switch $flag\n        case ",
                  absl::StrJoin(ValueFlagNames(globals), " "),
                  "\n            return 0\n    end\n    switch \"$cmdpath $flag\"\n");
  for (const CommandSpec& command : commands) {
    std::vector<std::string> patterns;
    for (const std::string& name : ValueFlagNames(command.flags)) {
      patterns.push_back(FishQuote(absl::StrCat(command.path, " ", name)));
    }
    if (patterns.empty()) continue;
    absl::StrAppend(&out, "        case ", absl::StrJoin(patterns, " "),
                    "\n            return 0\n");
  }
  absl::StrAppend(&out, "    end\n    return 1\nend\n\n");
  return out;
}

std::string FishScript(const std::vector<FlagSpec>& globals,
                       const std::vector<CommandSpec>& commands) {
  std::string out =
      "# fish completion for agreements, generated by 'agreements completion fish'.\n"
      "# Load it with: agreements completion fish | source\n\n";
  absl::StrAppend(&out, FishDataFunctions(globals, commands), kFishFunctions);
  for (const std::string& level : Levels(commands)) {
    absl::StrAppend(
        &out, "complete -c agreements -n ",
        FishQuote(absl::StrCat("__agreements_at ", FishQuote(level))), " -a ",
        FishQuote(absl::StrCat("(__agreements_words ", FishQuote(level), ")")), "\n");
  }
  for (const FlagSpec& flag : globals) {
    if (flag.name != "help") absl::StrAppend(&out, FishFlagLine(flag, ""));
  }
  for (const CommandSpec& command : commands) {
    for (const FlagSpec& flag : command.flags) {
      absl::StrAppend(&out, FishFlagLine(flag, absl::StrCat("__agreements_at ",
                                                            FishQuote(command.path))));
    }
  }
  return out;
}

std::string BashScript(const std::vector<FlagSpec>& globals,
                       const std::vector<CommandSpec>& commands) {
  std::string out =
      "# bash completion for agreements, generated by 'agreements completion bash'.\n"
      "# Load it with: source <(agreements completion bash)\n\n";
  absl::StrAppend(&out, WordsFunction(commands, false), FlagsFunction(commands, false),
                  PosixFlagFunctions(globals, commands), "_agreements_global_flags=",
                  ShellQuote(absl::StrJoin(FlagLines(globals, false), " ")), "\n\n",
                  kBashMain);
  return out;
}

std::string ZshScript(const std::vector<FlagSpec>& globals,
                      const std::vector<CommandSpec>& commands) {
  std::string out =
      "#compdef agreements\n"
      "# zsh completion for agreements, generated by 'agreements completion zsh'.\n"
      "# Load it with: source <(agreements completion zsh), after compinit; or save it\n"
      "# as _agreements in a directory of $fpath.\n\n";
  std::vector<std::string> global_lines;
  for (const std::string& line : FlagLines(globals, true)) {
    global_lines.push_back(ShellQuote(line));
  }
  absl::StrAppend(&out, WordsFunction(commands, true), FlagsFunction(commands, true),
                  PosixFlagFunctions(globals, commands), "_agreements_global_flags=(\n  ",
                  absl::StrJoin(global_lines, "\n  "), "\n)\n\n", kZshMain);
  return out;
}

}  // namespace

absl::StatusOr<std::string> CompletionScript(absl::string_view shell,
                                             const std::vector<FlagSpec>& globals,
                                             const std::vector<CommandSpec>& commands) {
  if (shell == "bash") return BashScript(globals, commands);
  if (shell == "zsh") return ZshScript(globals, commands);
  if (shell == "fish") return FishScript(globals, commands);
  return UsageError(
      absl::StrCat("completion: \"", shell, "\" is not one of: bash, zsh, fish"));
}

CommandSpec CompletionCommand() {
  CommandSpec spec;
  spec.path = "completion";
  spec.args_usage = "bash|zsh|fish";
  spec.min_args = spec.max_args = 1;
  spec.summary = "print a shell completion script (commands, flags, enum values)";
  spec.details =
      "bash: source <(agreements completion bash)   (e.g. in ~/.bashrc)\n"
      "zsh:  source <(agreements completion zsh)    (after compinit), or save it as\n"
      "      _agreements in a directory of $fpath\n"
      "fish: agreements completion fish | source    (or save it in\n"
      "      ~/.config/fish/completions/agreements.fish)";
  spec.offline = true;
  spec.run = [](Env& env) -> absl::Status {
    absl::StatusOr<std::string> script =
        CompletionScript(env.args().positional()[0], GlobalFlags(), AllCommands());
    if (!script.ok()) return script.status();
    env.out() << *script;
    return absl::OkStatus();
  };
  return spec;
}

}  // namespace agreements::cli
