// Tests of the CLI's configuration file: the YAML subset reader and writer (round trip,
// comments, quoting, errors), the file's path, and the precedence flags > environment >
// context > defaults in the connection options and -o (no server).
#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "clients/cli_commands.h"
#include "clients/cli_config_file.h"
#include "clients/cli_errors.h"
#include "clients/cli_flags.h"
#include "clients/client.h"
#include "common/scoped_env.h"
#include "common/temp_dir.h"
#include "gtest/gtest.h"

namespace agreements::cli {
namespace {

using ::agreements::testing::ScopedEnv;

constexpr char kSample[] = R"(# my contexts
current-context: prod
contexts:
  prod:
    server: registry.example.org:443   # the public one
    tls-ca: "/etc/agreements/ca.pem"
    token-file: '~/.config/agreements/it''s.token'
    output: json

  # a local development server
  local:
    server: 127.0.0.1:50051
    tls: false
  tls-only:
    tls: true
    tls-server-name: "name with \"quotes\" and: colon"
)";

TEST(ConfigFileTest, ReadsTheSubsetWithCommentsAndQuotes) {
  absl::StatusOr<CliConfig> config = ParseConfig(kSample, "config.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->current_context, "prod");
  ASSERT_EQ(config->Names(), (std::vector<std::string>{"prod", "local", "tls-only"}));
  const CliContext& prod = config->contexts[0];
  EXPECT_EQ(prod.server, "registry.example.org:443");
  EXPECT_EQ(prod.tls_ca, "/etc/agreements/ca.pem");
  EXPECT_EQ(prod.token_file, "~/.config/agreements/it's.token");
  EXPECT_EQ(prod.output, "json");
  EXPECT_FALSE(prod.tls);
  EXPECT_EQ(config->contexts[1].server, "127.0.0.1:50051");
  EXPECT_TRUE(config->contexts[2].tls);
  EXPECT_EQ(config->contexts[2].tls_server_name, "name with \"quotes\" and: colon");
}

TEST(ConfigFileTest, WhatItWritesReadsBackTheSame) {
  absl::StatusOr<CliConfig> config = ParseConfig(kSample, "config.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  const std::string written = WriteConfig(*config);
  absl::StatusOr<CliConfig> again = ParseConfig(written, "written");
  ASSERT_TRUE(again.ok()) << again.status() << "\n" << written;
  EXPECT_EQ(WriteConfig(*again), written);
  ASSERT_EQ(again->contexts.size(), 3u);
  EXPECT_EQ(again->current_context, "prod");
  EXPECT_EQ(again->contexts[0].token_file, "~/.config/agreements/it's.token");
  EXPECT_TRUE(again->contexts[2].tls);
  EXPECT_EQ(again->contexts[2].tls_server_name, "name with \"quotes\" and: colon");
  EXPECT_TRUE(absl::StartsWith(written, "# agreements CLI configuration")) << written;
  EXPECT_TRUE(
      absl::StrContains(written, "\n  prod:\n    server: registry.example.org:443\n"))
      << written;

  // Values that YAML would read as something else are quoted, and come back as text.
  CliConfig odd;
  odd.contexts.push_back(CliContext::Named("yes"));
  odd.contexts[0].server = "10.0.0.1:50051";
  odd.contexts[0].output = "";
  odd.contexts[0].token_file = "# not a comment";
  odd.current_context = "yes";
  absl::StatusOr<CliConfig> odd_again = ParseConfig(WriteConfig(odd), "odd");
  ASSERT_TRUE(odd_again.ok()) << odd_again.status() << "\n" << WriteConfig(odd);
  EXPECT_EQ(odd_again->current_context, "yes");
  EXPECT_EQ(odd_again->contexts[0].server, "10.0.0.1:50051");
  EXPECT_EQ(odd_again->contexts[0].token_file, "# not a comment");

  absl::StatusOr<CliConfig> empty = ParseConfig(WriteConfig(CliConfig()), "empty");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->contexts.empty());
}

TEST(ConfigFileTest, ErrorsNameTheFileTheLineAndTheClosestKey) {
  const auto error = [](const std::string& text) {
    absl::StatusOr<CliConfig> config = ParseConfig(text, "c.yaml");
    EXPECT_FALSE(config.ok()) << text;
    if (config.ok()) return std::string();
    EXPECT_TRUE(IsLocalError(config.status()));
    return std::string(config.status().message());
  };
  EXPECT_EQ(error("contexts:\n  a:\n    sever: x\n"),
            "c.yaml: context \"a\": unknown key \"sever\"; did you mean \"server\"?");
  EXPECT_EQ(error("curent-context: a\n"),
            "c.yaml: unknown key \"curent-context\"; did you mean \"current-context\"?");
  EXPECT_EQ(error("contexts:\n  - a\n"), "c.yaml:2: sequences are not supported");
  EXPECT_EQ(error("contexts:\n\ta:\n"), "c.yaml:2: tabs are not allowed in indentation");
  EXPECT_EQ(error("contexts:\n    a:\n  b:\n"), "c.yaml:3: bad indentation");
  EXPECT_EQ(error("current-context: a\ncurrent-context: b\n"),
            "c.yaml:2: duplicate key \"current-context\"");
  EXPECT_EQ(error("contexts:\n  a:\n    tls: maybe\n"),
            "c.yaml: context \"a\": tls: true or false");
  EXPECT_EQ(error("current-context: \"open\n"), "c.yaml:1: unterminated \"string\"");
  EXPECT_EQ(error("contexts: [a, b]\n"),
            "c.yaml:1: only plain or quoted scalars are supported (no flow collections, "
            "anchors, tags or block scalars)");
  EXPECT_EQ(error("just text\n"), "c.yaml:1: expected key: value");
}

// Every variable the options read, cleared; the configuration file in a fresh directory.
class ContextPrecedenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name :
         {"AGREEMENTS_SERVER", client::kTlsCaEnv, client::kTlsCertEnv, client::kTlsKeyEnv,
          client::kTlsServerNameEnv, client::kTokenEnv, client::kTokenFileEnv,
          kContextEnv, "XDG_CONFIG_HOME"}) {
      env_.push_back(std::make_unique<ScopedEnv>(name, std::nullopt));
    }
    path_ = dir_.path() + "/agreements/config.yaml";
    env_.push_back(std::make_unique<ScopedEnv>(kConfigEnv, path_));
    token_ = dir_.path() + "/ctx.token";
    std::ofstream(token_) << "ctx-token\n";
    CliConfig config;
    config.current_context = "ctx";
    CliContext ctx = CliContext::Named("ctx");
    ctx.server = "context.example:443";
    ctx.tls_ca = "/ctx/ca.pem";
    ctx.token_file = token_;
    ctx.output = "yaml";
    config.contexts = {ctx, CliContext::Named("other")};
    config.contexts[1].server = "other.example:1";
    const absl::Status saved = SaveConfig(path_, config);
    ASSERT_TRUE(saved.ok()) << saved;
  }

  absl::StatusOr<Invocation> Parse(std::vector<std::string> argv) {
    argv.push_back("sectors");
    return ParseCommandLine(argv, GlobalFlags(), AllCommands());
  }
  absl::StatusOr<client::RegistryClientOptions> Options(std::vector<std::string> argv) {
    absl::StatusOr<Invocation> invocation = Parse(std::move(argv));
    if (!invocation.ok()) return invocation.status();
    return ClientOptionsFromFlags(invocation->args);
  }

  testing::TempDir dir_;
  std::string path_;
  std::string token_;
  std::vector<std::unique_ptr<ScopedEnv>> env_;
};

TEST_F(ContextPrecedenceTest, TheFileIsPrivateAndReadsBack) {
  struct stat info;
  ASSERT_EQ(stat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  absl::StatusOr<CliConfig> loaded = LoadConfig(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->Names(), (std::vector<std::string>{"ctx", "other"}));
  absl::StatusOr<CliConfig> missing = LoadConfig(dir_.path() + "/none.yaml");
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->contexts.empty());
}

TEST_F(ContextPrecedenceTest, TheContextFillsWhatFlagsAndEnvironmentLeave) {
  absl::StatusOr<client::RegistryClientOptions> options = Options({});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->target, "context.example:443");
  EXPECT_EQ(options->tls_ca_file, "/ctx/ca.pem");
  EXPECT_EQ(options->token, "ctx-token");
  absl::StatusOr<Invocation> invocation = Parse({});
  ASSERT_TRUE(invocation.ok());
  EXPECT_EQ(*OutputFormatFromFlags(invocation->args), OutputFormat::kYaml);
  EXPECT_EQ(*OutputFormatFromFlags(invocation->args, /*use_context=*/false),
            OutputFormat::kTable);
}

TEST_F(ContextPrecedenceTest, EnvironmentBeatsTheContextAndFlagsBeatBoth) {
  ScopedEnv server("AGREEMENTS_SERVER", "env.example:2");
  ScopedEnv token(client::kTokenEnv, "env-token");
  absl::StatusOr<client::RegistryClientOptions> options = Options({});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->target, "env.example:2");
  EXPECT_EQ(options->token, "env-token");
  EXPECT_EQ(options->tls_ca_file, "/ctx/ca.pem");  // nothing else set it

  options = Options({"--server", "flag.example:3", "--token", "flag-token", "--tls-ca",
                     "/flag/ca.pem"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->target, "flag.example:3");
  EXPECT_EQ(options->token, "flag-token");
  EXPECT_EQ(options->tls_ca_file, "/flag/ca.pem");
  absl::StatusOr<Invocation> invocation = Parse({"-o", "jsonl"});
  ASSERT_TRUE(invocation.ok());
  EXPECT_EQ(*OutputFormatFromFlags(invocation->args), OutputFormat::kJsonl);
}

TEST_F(ContextPrecedenceTest, ContextFlagThenVariableThenCurrentContext) {
  absl::StatusOr<client::RegistryClientOptions> options = Options({"--context", "other"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->target, "other.example:1");
  EXPECT_EQ(options->token, "");
  {
    ScopedEnv context(kContextEnv, "other");
    options = Options({});
    ASSERT_TRUE(options.ok()) << options.status();
    EXPECT_EQ(options->target, "other.example:1");
    options = Options({"--context", "ctx"});
    ASSERT_TRUE(options.ok()) << options.status();
    EXPECT_EQ(options->target, "context.example:443");
  }
  options = Options({"--context", "otehr"});
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(ExitCodeFor(options.status()), kExitUsage);
  EXPECT_TRUE(absl::StrContains(options.status().message(), "did you mean \"other\"?"))
      << options.status();
}

TEST_F(ContextPrecedenceTest, AnUnreadableTokenFileNamesTheContext) {
  std::remove(token_.c_str());
  absl::StatusOr<client::RegistryClientOptions> options = Options({});
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(ExitCodeFor(options.status()), kExitUsage);
  EXPECT_TRUE(
      absl::StrContains(options.status().message(), "context \"ctx\": token-file"))
      << options.status();
  // A token given otherwise makes the file irrelevant.
  options = Options({"--token", "t"});
  EXPECT_TRUE(options.ok()) << options.status();
}

TEST_F(ContextPrecedenceTest, PathFromXdgConfigHomeThenHome) {
  ScopedEnv no_config(kConfigEnv, std::nullopt);
  {
    ScopedEnv xdg("XDG_CONFIG_HOME", "/xdg");
    EXPECT_EQ(*ConfigPath(), "/xdg/agreements/config.yaml");
  }
  ScopedEnv home("HOME", "/home/u");
  EXPECT_EQ(*ConfigPath(), "/home/u/.config/agreements/config.yaml");
  EXPECT_EQ(ExpandHome("~/t.token"), "/home/u/t.token");
  EXPECT_EQ(ExpandHome("/abs/~/x"), "/abs/~/x");
}

}  // namespace
}  // namespace agreements::cli
