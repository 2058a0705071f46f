// Tests of the CLI's connection flags: --tls*, --token, --token-file, their environment
// fallbacks (flags win), the removed --actor, and the security commands' parsing.
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "clients/cli_commands.h"
#include "clients/cli_flags.h"
#include "clients/client.h"
#include "common/scoped_env.h"
#include "common/temp_dir.h"
#include "gtest/gtest.h"

namespace agreements::cli {
namespace {

using ::agreements::testing::ScopedEnv;

// Every variable the connection flags fall back to, cleared for each test.
class ConnectionFlagsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name :
         {"AGREEMENTS_SERVER", client::kTlsCaEnv, client::kTlsCertEnv, client::kTlsKeyEnv,
          client::kTlsServerNameEnv, client::kTokenEnv, client::kTokenFileEnv}) {
      cleared_.push_back(std::make_unique<ScopedEnv>(name, std::nullopt));
    }
    // No configuration file (contexts are tested in cli_config_test.cc).
    cleared_.push_back(std::make_unique<ScopedEnv>("AGREEMENTS_CONTEXT", std::nullopt));
    cleared_.push_back(
        std::make_unique<ScopedEnv>("AGREEMENTS_CONFIG", dir_.path() + "/none.yaml"));
  }

  // The options of "agreements ARGS... sectors".
  absl::StatusOr<client::RegistryClientOptions> Options(std::vector<std::string> argv) {
    argv.push_back("sectors");
    absl::StatusOr<Invocation> invocation =
        ParseCommandLine(argv, GlobalFlags(), AllCommands());
    if (!invocation.ok()) return invocation.status();
    return ClientOptionsFromFlags(invocation->args);
  }

  std::string WriteFile(const std::string& name, const std::string& content) {
    const std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << content;
    return path;
  }

  testing::TempDir dir_;
  std::vector<std::unique_ptr<ScopedEnv>> cleared_;
};

TEST_F(ConnectionFlagsTest, FlagsFillTheOptions) {
  absl::StatusOr<client::RegistryClientOptions> options =
      Options({"--tls", "--tls-ca=/f/ca.pem", "--tls-cert", "/f/c.pem", "--tls-key",
               "/f/c.key", "--tls-server-name=registry.example", "--token", "t0k"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(options->tls);
  EXPECT_EQ(options->tls_ca_file, "/f/ca.pem");
  EXPECT_EQ(options->tls_cert_file, "/f/c.pem");
  EXPECT_EQ(options->tls_key_file, "/f/c.key");
  EXPECT_EQ(options->tls_server_name, "registry.example");
  EXPECT_EQ(options->token, "t0k");

  absl::StatusOr<client::RegistryClientOptions> plain = Options({});
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->token, "");
}

TEST_F(ConnectionFlagsTest, TheEnvironmentFillsWhatNoFlagSets) {
  ScopedEnv ca(client::kTlsCaEnv, "/env/ca.pem");
  ScopedEnv name(client::kTlsServerNameEnv, "env.example");
  ScopedEnv token(client::kTokenEnv, "env-token");
  absl::StatusOr<client::RegistryClientOptions> options =
      Options({"--tls-ca=/flag/ca.pem", "--token=flag-token"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->tls_ca_file, "/flag/ca.pem");
  EXPECT_EQ(options->tls_server_name, "env.example");
  EXPECT_EQ(options->token, "flag-token");

  options = Options({});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->tls_ca_file, "/env/ca.pem");
  EXPECT_EQ(options->token, "env-token");
}

TEST_F(ConnectionFlagsTest, TokenFileFlagBeatsBothTokenVariables) {
  ScopedEnv token(client::kTokenEnv, "env-token");
  ScopedEnv file(client::kTokenFileEnv, WriteFile("env-token", "env-file-token"));
  absl::StatusOr<client::RegistryClientOptions> options =
      Options({"--token-file", WriteFile("flag-token", "file-token\n")});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->token, "file-token");
}

TEST_F(ConnectionFlagsTest, TokenVariablesFromAFile) {
  ScopedEnv file(client::kTokenFileEnv, WriteFile("token", "from-file \n"));
  absl::StatusOr<client::RegistryClientOptions> options = Options({});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->token, "from-file");
}

TEST_F(ConnectionFlagsTest, LocalErrors) {
  for (const std::vector<std::string>& argv :
       std::vector<std::vector<std::string>>{{"--token=a", "--token-file=/f/t"},
                                             {"--tls-ca="},
                                             {"--token="},
                                             {"--tls=yes"},
                                             {"--token-file=/no/such/token"},
                                             {"--actor", "alice"}}) {
    absl::StatusOr<client::RegistryClientOptions> options = Options(argv);
    EXPECT_FALSE(options.ok()) << argv[0];
    EXPECT_TRUE(IsLocalError(options.status())) << argv[0] << ": " << options.status();
  }
  absl::StatusOr<client::RegistryClientOptions> missing =
      Options({"--token-file=/no/such/token"});
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(missing.status().message(), "--token-file"))
      << missing.status();
  EXPECT_TRUE(absl::StrContains(missing.status().message(), "/no/such/token"))
      << missing.status();
}

TEST_F(ConnectionFlagsTest, SecurityCommandsAreListed) {
  for (const std::string path : {"whoami", "security-status"}) {
    absl::StatusOr<Invocation> invocation =
        ParseCommandLine({path}, GlobalFlags(), AllCommands());
    ASSERT_TRUE(invocation.ok()) << invocation.status();
    ASSERT_NE(invocation->command, nullptr);
    EXPECT_EQ(invocation->command->path, path);
  }
  const std::string help = ToolHelp(GlobalFlags(), AllCommands(), "");
  for (const char* text : {"whoami", "security-status", "--tls-ca", "--token-file"}) {
    EXPECT_TRUE(absl::StrContains(help, text)) << text;
  }
  EXPECT_FALSE(absl::StrContains(help, "--actor"));
}

}  // namespace
}  // namespace agreements::cli
