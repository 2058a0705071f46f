// `agreements config ...`: the named contexts of the configuration file
// (cli_config_file.h). These commands read and write the file only; they never contact a
// server.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli_commands.h"
#include "clients/cli_config_file.h"
#include "clients/cli_format.h"
#include "clients/cli_suggest.h"
#include "common/status_macros.h"

namespace agreements::cli {
namespace {

constexpr char kConfigDetails[] =
    "The configuration file is $AGREEMENTS_CONFIG, else\n"
    "$XDG_CONFIG_HOME/agreements/config.yaml, else ~/.config/agreements/config.yaml.\n"
    "Each context names a server with its TLS files, token file and default output;\n"
    "--context NAME (or $AGREEMENTS_CONTEXT) picks one for an invocation, else the\n"
    "file's current-context applies. Precedence for every setting: flags, then\n"
    "environment variables, then the context, then the defaults.";

// The file's path and content. A usage error when no path can be found.
struct LoadedConfig {
  std::string path;
  CliConfig config;
};

absl::StatusOr<LoadedConfig> Load() {
  LoadedConfig loaded;
  ASSIGN_OR_RETURN(loaded.path, ConfigPath());
  ASSIGN_OR_RETURN(loaded.config, LoadConfig(loaded.path));
  return loaded;
}

// The context named `name`, or a usage error that suggests the closest name.
absl::StatusOr<CliContext*> FindContext(LoadedConfig& loaded, const std::string& name) {
  CliContext* context = loaded.config.Find(name);
  if (context != nullptr) return context;
  const std::optional<std::string> guess = ClosestMatch(name, loaded.config.Names());
  return UsageError(absl::StrCat(
      "no context \"", name, "\" in ", loaded.path,
      guess.has_value() ? absl::StrCat("; did you mean \"", *guess, "\"?")
                        : std::string(" (see 'agreements config get-contexts')")));
}

JsonValue ContextValue(const CliContext& context, bool current) {
  JsonValue value = JsonValue::Object();
  value.Set("name", JsonValue::String(context.name));
  value.Set("current", JsonValue::Bool(current));
  value.Set("server", JsonValue::String(context.server));
  value.Set("tls", JsonValue::Bool(context.tls));
  value.Set("tlsCa", JsonValue::String(context.tls_ca));
  value.Set("tlsCert", JsonValue::String(context.tls_cert));
  value.Set("tlsKey", JsonValue::String(context.tls_key));
  value.Set("tlsServerName", JsonValue::String(context.tls_server_name));
  value.Set("tokenFile", JsonValue::String(context.token_file));
  value.Set("output", JsonValue::String(context.output));
  return value;
}

std::string TlsText(const CliContext& context) {
  if (!context.tls_ca.empty()) return absl::StrCat("ca ", context.tls_ca);
  return context.tls || !context.tls_cert.empty() || !context.tls_server_name.empty()
             ? "yes"
             : "-";
}

absl::Status RunGetContexts(Env& env) {
  ASSIGN_OR_RETURN(LoadedConfig loaded, Load());
  const CliConfig& config = loaded.config;
  if (env.args().Has("names")) {
    for (const CliContext& context : config.contexts) env.out() << context.name << "\n";
    return absl::OkStatus();
  }
  JsonValue all = JsonValue::Object();
  all.Set("file", JsonValue::String(loaded.path));
  all.Set("currentContext", JsonValue::String(config.current_context));
  JsonValue contexts = JsonValue::Array();
  Table table({"current", "name", "server", "tls", "token file", "output"});
  for (const CliContext& c : config.contexts) {
    const bool current = c.name == config.current_context;
    contexts.Append(ContextValue(c, current));
    table.AddRow({current ? "*" : "", c.name, c.server.empty() ? "-" : c.server,
                  TlsText(c), c.token_file.empty() ? "-" : c.token_file,
                  c.output.empty() ? "-" : c.output});
  }
  all.Set("contexts", std::move(contexts));
  env.PrintValue(all, [&] {
    if (config.contexts.empty()) {
      env.out() << "no contexts in " << loaded.path
                << " (add one with 'agreements config set-context NAME --server ...')\n";
    } else {
      table.Print(env.out());
    }
  });
  return absl::OkStatus();
}

absl::Status RunCurrentContext(Env& env) {
  ASSIGN_OR_RETURN(LoadedConfig loaded, Load());
  if (loaded.config.current_context.empty()) {
    return UsageError(
        absl::StrCat("no current-context in ", loaded.path,
                     " (set one with 'agreements config use-context NAME')"));
  }
  env.out() << loaded.config.current_context << "\n";
  return absl::OkStatus();
}

absl::Status RunUseContext(Env& env) {
  ASSIGN_OR_RETURN(LoadedConfig loaded, Load());
  const std::string& name = env.args().positional()[0];
  ASSIGN_OR_RETURN(CliContext * context, FindContext(loaded, name));
  loaded.config.current_context = context->name;
  RETURN_IF_ERROR(SaveConfig(loaded.path, loaded.config));
  env.out() << "switched to context \"" << name << "\"\n";
  return absl::OkStatus();
}

// The value of the first of `names` given; nullopt when none is.
std::optional<std::string> FirstFlag(const ParsedArgs& args,
                                     const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (std::optional<std::string> value = args.Get(name)) return value;
  }
  return std::nullopt;
}

// The file's key of a set-context flag: "tls-ca" for "ca-file".
std::string FieldKey(const std::string& flag) {
  if (flag == "ca-file") return "tls-ca";
  if (flag == "cert-file") return "tls-cert";
  if (flag == "key-file") return "tls-key";
  if (flag == "server-name") return "tls-server-name";
  if (flag == "default-output") return "output";
  return flag;
}

// Applies the flags of set-context to `context`: each given flag sets its key, --unset
// KEY clears one.
absl::Status SetContextFields(const ParsedArgs& args, CliContext& context) {
  const std::pair<std::vector<std::string>, std::string*> fields[] = {
      {{"server"}, &context.server},
      {{"ca-file", "tls-ca"}, &context.tls_ca},
      {{"cert-file", "tls-cert"}, &context.tls_cert},
      {{"key-file", "tls-key"}, &context.tls_key},
      {{"server-name", "tls-server-name"}, &context.tls_server_name},
      {{"token-file"}, &context.token_file},
      {{"default-output"}, &context.output}};
  for (const auto& [names, field] : fields) {
    if (std::optional<std::string> value = FirstFlag(args, names)) *field = *value;
  }
  if (args.Has("tls")) context.tls = true;
  if (!context.output.empty()) {
    absl::StatusOr<OutputFormat> format = ParseOutputFormat(context.output);
    if (!format.ok()) {
      return UsageError(absl::StrCat("--default-output: ", format.status().message()));
    }
  }
  for (const std::string& key : args.GetAll("unset")) {
    const std::vector<std::string>& keys = ContextKeys();
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      const std::optional<std::string> guess = ClosestMatch(key, keys);
      return UsageError(absl::StrCat(
          "--unset: \"", key, "\" is not a key",
          guess.has_value() ? absl::StrCat("; did you mean \"", *guess, "\"?")
                            : absl::StrCat(" (keys: ", absl::StrJoin(keys, ", "), ")")));
    }
    if (key == "tls") context.tls = false;
    for (const auto& [names, field] : fields) {
      if (key == FieldKey(names.front())) field->clear();
    }
  }
  return absl::OkStatus();
}

absl::Status RunSetContext(Env& env) {
  ASSIGN_OR_RETURN(LoadedConfig loaded, Load());
  const std::string& name = env.args().positional()[0];
  if (name.empty()) return UsageError("set-context: the name must not be empty");
  CliContext* context = loaded.config.Find(name);
  const bool created = context == nullptr;
  if (created) {
    loaded.config.contexts.push_back(CliContext::Named(name));
    context = &loaded.config.contexts.back();
  }
  RETURN_IF_ERROR(SetContextFields(env.args(), *context));
  RETURN_IF_ERROR(SaveConfig(loaded.path, loaded.config));
  env.out() << "context \"" << name << "\" " << (created ? "created" : "modified")
            << " in " << loaded.path << "\n";
  return absl::OkStatus();
}

absl::Status RunDeleteContext(Env& env) {
  ASSIGN_OR_RETURN(LoadedConfig loaded, Load());
  const std::string& name = env.args().positional()[0];
  ASSIGN_OR_RETURN(CliContext * context, FindContext(loaded, name));
  std::vector<CliContext>& contexts = loaded.config.contexts;
  contexts.erase(contexts.begin() + (context - contexts.data()));
  const bool was_current = loaded.config.current_context == name;
  if (was_current) loaded.config.current_context.clear();
  RETURN_IF_ERROR(SaveConfig(loaded.path, loaded.config));
  env.out() << "context \"" << name << "\" deleted"
            << (was_current ? " (it was the current context; none is now)" : "") << "\n";
  return absl::OkStatus();
}

CommandSpec ConfigCommand(std::string path, std::string args_usage, size_t args,
                          std::string summary, std::function<absl::Status(Env&)> run) {
  CommandSpec spec = FixedArgsCommand(std::move(path), std::move(args_usage), args,
                                      std::move(summary), std::move(run));
  spec.details = kConfigDetails;
  spec.offline = true;
  return spec;
}

}  // namespace

std::vector<CommandSpec> ConfigCommands() {
  std::vector<CommandSpec> commands;
  CommandSpec get =
      ConfigCommand("config get-contexts", "", 0,
                    "list the contexts of the configuration file", RunGetContexts);
  get.flags = {{"names", "", "print only the names, one per line"}};
  commands.push_back(std::move(get));
  commands.push_back(ConfigCommand("config current-context", "", 0,
                                   "print the name of the current context",
                                   RunCurrentContext));
  commands.push_back(ConfigCommand("config use-context", "NAME", 1,
                                   "make NAME the current context", RunUseContext));
  CommandSpec set = ConfigCommand(
      "config set-context", "NAME", 1,
      "create context NAME, or change the settings given (others stay)", RunSetContext);
  set.details = absl::StrCat(
      kConfigDetails,
      "\n\nE.g. agreements config set-context prod --server registry.example.org:443 \\\n"
      "       --ca-file /etc/agreements/ca.pem --token-file "
      "~/.config/agreements/prod.token\n"
      "--server, --tls, --token-file and "
      "--tls-ca/--tls-cert/--tls-key/--tls-server-name\n"
      "(the global flags) are stored too.");
  set.flags = {
      {"ca-file", "FILE", "PEM CA bundle that verifies the server (key tls-ca)"},
      {"cert-file", "FILE", "client certificate chain for mutual TLS (key tls-cert)"},
      {"key-file", "FILE", "private key of the client certificate (key tls-key)"},
      {"server-name", "NAME", "name to verify in the server certificate"},
      {"default-output", "FORMAT", "the context's -o: table, wide, json, jsonl or yaml",
       false, 0, false, OutputFormatNames()},
      {"unset", "KEY", "clear a key (server, tls, tls-ca, ..., output)", true, 0, false,
       ContextKeys()}};
  commands.push_back(std::move(set));
  commands.push_back(ConfigCommand("config delete-context", "NAME", 1,
                                   "remove context NAME", RunDeleteContext));
  return commands;
}

}  // namespace agreements::cli
