// The configuration file of the `agreements` tool: named contexts (a server with its TLS
// files, token file and default output) and the current one. Its path is
// $AGREEMENTS_CONFIG, else $XDG_CONFIG_HOME/agreements/config.yaml, else
// ~/.config/agreements/config.yaml. The format is a subset of YAML, read and written here
// without a YAML library:
//
//   current-context: prod
//   contexts:
//     prod:
//       server: registry.example.org:443
//       tls-ca: /etc/agreements/ca.pem
//       token-file: ~/.config/agreements/prod.token
//       output: table
//     local:
//       server: 127.0.0.1:50051
//
// Only block mappings with scalar values: plain, 'single-quoted' or "double-quoted"
// (JSON escapes); comments on their own line or after a plain value (" #"); no
// sequences, anchors or multi-line scalars. A leading "~/" in a file name is the home
// directory. Free functions; safe from any thread (the file itself is not locked: the
// last writer wins).
#ifndef AGREEMENTS_CLIENTS_CLI_CONFIG_FILE_H_
#define AGREEMENTS_CLIENTS_CLI_CONFIG_FILE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clients/cli_flags.h"
#include "clients/client.h"

namespace agreements::cli {

// Environment variables of the configuration.
inline constexpr char kConfigEnv[] = "AGREEMENTS_CONFIG";
inline constexpr char kContextEnv[] = "AGREEMENTS_CONTEXT";

// One named context. Empty fields are unset: the flag, variable or default applies.
struct CliContext {
  // A context with only its name set.
  static CliContext Named(std::string name) {
    CliContext context;
    context.name = std::move(name);
    return context;
  }

  std::string name;
  // "host:port" or a gRPC target (key "server").
  std::string server;
  // Use TLS with the system's roots even without the files below (key "tls").
  bool tls = false;
  // Keys "tls-ca", "tls-cert", "tls-key", "tls-server-name", "token-file": as the flags
  // of the same names.
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
  std::string tls_server_name;
  std::string token_file;
  // The default -o (key "output"): table, wide, json, jsonl or yaml.
  std::string output;
};

// The whole file. A value type.
struct CliConfig {
  // The context used when neither --context nor $AGREEMENTS_CONTEXT names one; "" for
  // none.
  std::string current_context;
  // In file order; names are unique.
  std::vector<CliContext> contexts;

  // The context named `name`; nullptr when there is none.
  const CliContext* Find(absl::string_view name) const;
  CliContext* Find(absl::string_view name);
  // The names, in file order.
  std::vector<std::string> Names() const;
};

// The keys a context may hold, in the order they are written.
const std::vector<std::string>& ContextKeys();

// Parses the file's text. Errors (INVALID_ARGUMENT, local) name `source` and, for a
// syntax error, the line; an unknown key is an error that suggests the closest known one.
absl::StatusOr<CliConfig> ParseConfig(absl::string_view text, absl::string_view source);
// The file's text for `config`, with a comment line first; ParseConfig reads it back.
std::string WriteConfig(const CliConfig& config);

// $AGREEMENTS_CONFIG, else $XDG_CONFIG_HOME/agreements/config.yaml, else
// $HOME/.config/agreements/config.yaml; a usage error when none of them is set.
absl::StatusOr<std::string> ConfigPath();
// The configuration at `path`; an empty one when the file does not exist.
absl::StatusOr<CliConfig> LoadConfig(const std::string& path);
// Writes `config` to `path` atomically (a temporary file, then rename), readable by the
// owner only, creating the directory when needed.
absl::Status SaveConfig(const std::string& path, const CliConfig& config);

// `path` with a leading "~/" replaced by $HOME.
std::string ExpandHome(const std::string& path);

// The context this invocation uses: --context NAME, else $AGREEMENTS_CONTEXT, else the
// file's current-context; nullopt when none is named (or there is no file). A name that
// is not in the file is a usage error that lists the names.
absl::StatusOr<std::optional<CliContext>> SelectedContext(const ParsedArgs& args);

// Fills what flags and the environment left unset in `options` from `context`:
// target (when `server_given` is false), TLS, the TLS files and the token (read from the
// context's token file). So the precedence is flags > environment > context > defaults.
absl::Status ApplyContext(const CliContext& context, bool server_given,
                          client::RegistryClientOptions& options);

}  // namespace agreements::cli

#endif  // AGREEMENTS_CLIENTS_CLI_CONFIG_FILE_H_
