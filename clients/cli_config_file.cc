#include "clients/cli_config_file.h"

#include <cstdlib>
#include <filesystem>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "clients/cli_json.h"
#include "clients/cli_suggest.h"
#include "clients/cli_values.h"
#include "common/status_macros.h"

namespace agreements::cli {
namespace {

constexpr char kCurrentContextKey[] = "current-context";
constexpr char kContextsKey[] = "contexts";

// One non-blank, non-comment line: its indentation, key and value (nullopt for
// "key:" alone, which opens a nested mapping).
struct YamlLine {
  int number = 0;
  size_t indent = 0;
  std::string key;
  std::optional<std::string> value;
};

absl::Status SyntaxError(absl::string_view source, int line, absl::string_view what) {
  return UsageError(absl::StrCat(source, ":", line, ": ", what));
}

// A quoted scalar at the start of `text`: "..." with JSON escapes, or '...' with ''
// for a quote. Sets `rest` to what follows it.
absl::StatusOr<std::string> QuotedScalar(absl::string_view text,
                                         absl::string_view& rest) {
  if (text[0] == '"') {
    size_t end = 1;
    while (end < text.size() && text[end] != '"') end += text[end] == '\\' ? 2 : 1;
    if (end >= text.size()) return absl::InvalidArgumentError("unterminated \"string\"");
    absl::StatusOr<JsonValue> parsed = ParseJsonValue(text.substr(0, end + 1));
    if (!parsed.ok()) return absl::InvalidArgumentError("bad escape in \"string\"");
    rest = text.substr(end + 1);
    return parsed->text();
  }
  std::string out;
  for (size_t i = 1; i < text.size(); ++i) {
    if (text[i] != '\'') {
      out += text[i];
    } else if (i + 1 < text.size() && text[i + 1] == '\'') {
      out += '\'';
      ++i;
    } else {
      rest = text.substr(i + 1);
      return out;
    }
  }
  return absl::InvalidArgumentError("unterminated 'string'");
}

// A scalar value: quoted, or plain up to a " #" comment; nothing else may follow.
absl::StatusOr<std::string> Scalar(absl::string_view text) {
  if (text[0] == '"' || text[0] == '\'') {
    absl::string_view rest;
    ASSIGN_OR_RETURN(std::string value, QuotedScalar(text, rest));
    rest = absl::StripAsciiWhitespace(rest);
    if (!rest.empty() && rest[0] != '#') {
      return absl::InvalidArgumentError("text after a quoted value");
    }
    return value;
  }
  if (std::string("[]{}&*!|>%@`").find(text[0]) != std::string::npos && text != "{}") {
    return absl::InvalidArgumentError(
        "only plain or quoted scalars are supported (no flow collections, anchors, tags "
        "or block scalars)");
  }
  const size_t comment = text.find(" #");
  return std::string(absl::StripTrailingAsciiWhitespace(text.substr(0, comment)));
}

// Splits one line into key and value; sequences and other YAML are refused.
absl::StatusOr<YamlLine> ParseLine(absl::string_view line, int number) {
  YamlLine parsed;
  parsed.number = number;
  while (parsed.indent < line.size() && line[parsed.indent] == ' ') ++parsed.indent;
  absl::string_view body = line.substr(parsed.indent);
  if (!body.empty() && body[0] == '\t') {
    return absl::InvalidArgumentError("tabs are not allowed in indentation");
  }
  if (absl::StartsWith(body, "- ") || body == "-") {
    return absl::InvalidArgumentError("sequences are not supported");
  }
  absl::string_view rest;
  if (body[0] == '"' || body[0] == '\'') {
    ASSIGN_OR_RETURN(parsed.key, QuotedScalar(body, rest));
  } else {
    const size_t colon = body.find(": ");
    const size_t end = colon != absl::string_view::npos ? colon
                       : absl::EndsWith(body, ":")      ? body.size() - 1
                                                        : absl::string_view::npos;
    if (end == absl::string_view::npos)
      return absl::InvalidArgumentError("expected key: value");
    parsed.key = std::string(absl::StripTrailingAsciiWhitespace(body.substr(0, end)));
    rest = body.substr(end);
  }
  if (!absl::ConsumePrefix(&rest, ":")) return absl::InvalidArgumentError("expected ':'");
  rest = absl::StripAsciiWhitespace(rest);
  if (!rest.empty() && rest[0] != '#') {
    ASSIGN_OR_RETURN(parsed.value, Scalar(rest));
  }
  return parsed;
}

absl::StatusOr<std::vector<YamlLine>> ParseLines(absl::string_view text,
                                                 absl::string_view source) {
  std::vector<YamlLine> lines;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    absl::ConsumeSuffix(&line, "\r");
    const absl::string_view content = absl::StripAsciiWhitespace(line);
    if (content.empty() || content[0] == '#' || (number == 1 && content == "---")) {
      continue;
    }
    absl::StatusOr<YamlLine> parsed = ParseLine(line, number);
    if (!parsed.ok()) return SyntaxError(source, number, parsed.status().message());
    lines.push_back(*std::move(parsed));
  }
  return lines;
}

// The mapping whose keys are at `indent`, from lines[i] on: strings, nested mappings, and
// null for a "key:" with nothing under it.
absl::StatusOr<JsonValue> ParseMapping(const std::vector<YamlLine>& lines, size_t& i,
                                       size_t indent, absl::string_view source) {
  JsonValue mapping = JsonValue::Object();
  while (i < lines.size() && lines[i].indent >= indent) {
    const YamlLine& line = lines[i++];
    if (line.indent != indent) return SyntaxError(source, line.number, "bad indentation");
    if (mapping.Find(line.key) != nullptr) {
      return SyntaxError(source, line.number,
                         absl::StrCat("duplicate key \"", line.key, "\""));
    }
    if (line.value.has_value()) {
      mapping.Set(line.key, *line.value == "{}" ? JsonValue::Object()
                                                : JsonValue::String(*line.value));
    } else if (i < lines.size() && lines[i].indent > indent) {
      ASSIGN_OR_RETURN(JsonValue nested, ParseMapping(lines, i, lines[i].indent, source));
      mapping.Set(line.key, std::move(nested));
    } else {
      mapping.Set(line.key, JsonValue());
    }
  }
  return mapping;
}

absl::Status UnknownKey(absl::string_view source, absl::string_view where,
                        const std::string& key, const std::vector<std::string>& known) {
  const std::optional<std::string> guess = ClosestMatch(key, known);
  return UsageError(absl::StrCat(
      source, ": ", where, "unknown key \"", key, "\"",
      guess.has_value() ? absl::StrCat("; did you mean \"", *guess, "\"?")
                        : absl::StrCat(" (known: ", absl::StrJoin(known, ", "), ")")));
}

// The string fields of a context, by key.
std::vector<std::pair<std::string, std::string*>> StringFields(CliContext& context) {
  return {{"server", &context.server},
          {"tls-ca", &context.tls_ca},
          {"tls-cert", &context.tls_cert},
          {"tls-key", &context.tls_key},
          {"tls-server-name", &context.tls_server_name},
          {"token-file", &context.token_file},
          {"output", &context.output}};
}

absl::StatusOr<CliContext> ContextFromValue(const std::string& name,
                                            const JsonValue& value,
                                            absl::string_view source) {
  CliContext context;
  context.name = name;
  const std::string where = absl::StrCat("context \"", name, "\": ");
  if (value.kind() != JsonValue::Kind::kObject) {
    if (value.is_null()) return context;
    return UsageError(absl::StrCat(source, ": ", where, "expected a mapping of keys"));
  }
  for (size_t i = 0; i < value.keys().size(); ++i) {
    const std::string& key = value.keys()[i];
    const JsonValue& field = value.items()[i];
    if (field.kind() == JsonValue::Kind::kObject) {
      return UsageError(absl::StrCat(source, ": ", where, key, ": expected a value"));
    }
    std::string* target = nullptr;
    for (auto& [name_of, pointer] : StringFields(context)) {
      if (name_of == key) target = pointer;
    }
    if (target != nullptr) {
      *target = field.text();
    } else if (key == "tls") {
      if (field.text() != "true" && field.text() != "false") {
        return UsageError(absl::StrCat(source, ": ", where, "tls: true or false"));
      }
      context.tls = field.text() == "true";
    } else {
      return UnknownKey(source, where, key, ContextKeys());
    }
  }
  return context;
}

absl::StatusOr<CliConfig> ConfigFromValue(const JsonValue& root,
                                          absl::string_view source) {
  CliConfig config;
  for (size_t i = 0; i < root.keys().size(); ++i) {
    const std::string& key = root.keys()[i];
    const JsonValue& value = root.items()[i];
    if (key == kCurrentContextKey && value.kind() != JsonValue::Kind::kObject) {
      config.current_context = value.text();
    } else if (key == kContextsKey &&
               (value.is_null() || value.kind() == JsonValue::Kind::kObject)) {
      for (size_t j = 0; j < value.keys().size(); ++j) {
        ASSIGN_OR_RETURN(CliContext context,
                         ContextFromValue(value.keys()[j], value.items()[j], source));
        config.contexts.push_back(std::move(context));
      }
    } else if (key == kCurrentContextKey || key == kContextsKey) {
      return UsageError(absl::StrCat(source, ": ", key, ": unexpected value"));
    } else {
      return UnknownKey(source, "", key, {kCurrentContextKey, kContextsKey});
    }
  }
  return config;
}

std::string HomeDirectory() {
  const char* home = std::getenv("HOME");
  return home != nullptr ? home : "";
}

std::string GetEnv(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

}  // namespace

const CliContext* CliConfig::Find(absl::string_view name) const {
  for (const CliContext& context : contexts) {
    if (context.name == name) return &context;
  }
  return nullptr;
}

CliContext* CliConfig::Find(absl::string_view name) {
  for (CliContext& context : contexts) {
    if (context.name == name) return &context;
  }
  return nullptr;
}

std::vector<std::string> CliConfig::Names() const {
  std::vector<std::string> names;
  for (const CliContext& context : contexts) names.push_back(context.name);
  return names;
}

const std::vector<std::string>& ContextKeys() {
  static const auto* const keys = new std::vector<std::string>{
      "server",          "tls",        "tls-ca", "tls-cert", "tls-key",
      "tls-server-name", "token-file", "output"};
  return *keys;
}

absl::StatusOr<CliConfig> ParseConfig(absl::string_view text, absl::string_view source) {
  ASSIGN_OR_RETURN(std::vector<YamlLine> lines, ParseLines(text, source));
  if (!lines.empty() && lines[0].indent != 0) {
    return SyntaxError(source, lines[0].number, "the first key must not be indented");
  }
  size_t i = 0;
  ASSIGN_OR_RETURN(JsonValue root, ParseMapping(lines, i, 0, source));
  return ConfigFromValue(root, source);
}

std::string WriteConfig(const CliConfig& config) {
  JsonValue root = JsonValue::Object();
  if (!config.current_context.empty()) {
    root.Set(kCurrentContextKey, JsonValue::String(config.current_context));
  }
  JsonValue contexts = JsonValue::Object();
  for (const CliContext& context : config.contexts) {
    CliContext copy = context;
    JsonValue fields = JsonValue::Object();
    for (const auto& [key, value] : StringFields(copy)) {
      if (key == "tls-ca" && copy.tls) fields.Set("tls", JsonValue::Bool(true));
      if (!value->empty()) fields.Set(key, JsonValue::String(*value));
    }
    contexts.Set(context.name, std::move(fields));
  }
  root.Set(kContextsKey, std::move(contexts));
  return absl::StrCat(
      "# agreements CLI configuration; see 'agreements help config set-context'.\n",
      WriteYaml(root));
}

absl::StatusOr<std::string> ConfigPath() {
  if (std::string path = GetEnv(kConfigEnv); !path.empty()) return path;
  if (std::string xdg = GetEnv("XDG_CONFIG_HOME"); !xdg.empty()) {
    return absl::StrCat(xdg, "/agreements/config.yaml");
  }
  if (std::string home = HomeDirectory(); !home.empty()) {
    return absl::StrCat(home, "/.config/agreements/config.yaml");
  }
  return UsageError(absl::StrCat("no configuration file: set $", kConfigEnv,
                                 ", $XDG_CONFIG_HOME or $HOME"));
}

absl::StatusOr<CliConfig> LoadConfig(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return CliConfig();
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseConfig(text, path);
}

absl::Status SaveConfig(const std::string& path, const CliConfig& config) {
  return WriteFileAtomically(path, WriteConfig(config), 0600);
}

std::string ExpandHome(const std::string& path) {
  if (!absl::StartsWith(path, "~/")) return path;
  return absl::StrCat(HomeDirectory(), path.substr(1));
}

absl::StatusOr<std::optional<CliContext>> SelectedContext(const ParsedArgs& args) {
  std::string name = args.Get("context").value_or("");
  const bool named = !name.empty() || !GetEnv(kContextEnv).empty();
  if (name.empty()) name = GetEnv(kContextEnv);
  absl::StatusOr<std::string> path = ConfigPath();
  if (!path.ok()) {
    if (named) return path.status();
    return std::optional<CliContext>();
  }
  ASSIGN_OR_RETURN(const CliConfig config, LoadConfig(*path));
  if (name.empty()) name = config.current_context;
  if (name.empty()) return std::optional<CliContext>();
  const CliContext* context = config.Find(name);
  if (context == nullptr) {
    const std::optional<std::string> guess = ClosestMatch(name, config.Names());
    return UsageError(absl::StrCat(
        "context \"", name, "\" is not in ", *path,
        guess.has_value()
            ? absl::StrCat("; did you mean \"", *guess, "\"?")
            : absl::StrCat(" (contexts: ", absl::StrJoin(config.Names(), ", "), ")"),
        named ? "" : " (the file's current-context)"));
  }
  return std::optional<CliContext>(*context);
}

absl::Status ApplyContext(const CliContext& context, bool server_given,
                          client::RegistryClientOptions& options) {
  if (!server_given && !context.server.empty()) options.target = context.server;
  options.tls = options.tls || context.tls;
  const std::pair<std::string*, const std::string*> files[] = {
      {&options.tls_ca_file, &context.tls_ca},
      {&options.tls_cert_file, &context.tls_cert},
      {&options.tls_key_file, &context.tls_key}};
  for (const auto& [option, value] : files) {
    if (option->empty() && !value->empty()) *option = ExpandHome(*value);
  }
  if (options.tls_server_name.empty()) options.tls_server_name = context.tls_server_name;
  if (options.token.empty() && !context.token_file.empty()) {
    absl::StatusOr<std::string> token =
        client::ReadTokenFile(ExpandHome(context.token_file),
                              absl::StrCat("context \"", context.name, "\": token-file"));
    if (!token.ok()) return LocalError(token.status());
    options.token = *std::move(token);
  }
  return absl::OkStatus();
}

}  // namespace agreements::cli
