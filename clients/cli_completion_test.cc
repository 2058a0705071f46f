// Tests of the shell completion scripts: generated from the command tables, each is
// syntactically valid for its shell (bash -n; zsh -n and fish -n when installed) and
// names every command and the enum values of a flag; bash completes in a real shell.
#include "clients/cli_completion.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "clients/cli_commands.h"
#include "common/temp_dir.h"
#include "gtest/gtest.h"

namespace agreements::cli {
namespace {

std::string Script(const std::string& shell) {
  absl::StatusOr<std::string> script =
      CompletionScript(shell, GlobalFlags(), AllCommands());
  EXPECT_TRUE(script.ok()) << script.status();
  return script.ok() ? *script : "";
}

// Runs `command` with /bin/sh; returns its exit status and fills `out` with its stdout.
int Shell(const std::string& command, std::string* out = nullptr) {
  std::FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    if (out != nullptr) out->append(buffer, n);
  }
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool Installed(const std::string& program) {
  return Shell(absl::StrCat("command -v ", program, " >/dev/null 2>&1")) == 0;
}

class CompletionTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& shell) {
    const std::string path = absl::StrCat(dir_.path(), "/agreements.", shell);
    std::ofstream(path) << Script(shell);
    return path;
  }
  testing::TempDir dir_;
};

TEST_F(CompletionTest, EveryScriptNamesEveryCommand) {
  for (const std::string shell : {"bash", "zsh"}) {
    const std::string script = Script(shell);
    for (const CommandSpec& command : AllCommands()) {
      EXPECT_TRUE(absl::StrContains(script, absl::StrCat("\"", command.path, "\")")))
          << shell << " lacks " << command.path;
    }
    EXPECT_TRUE(absl::StrContains(script, "'draft negotiating ")) << shell;
    EXPECT_TRUE(absl::StrContains(script, "\"list --status\")")) << shell;
  }
  const std::string fish = Script("fish");
  for (const CommandSpec& command : AllCommands()) {
    const std::vector<std::string> words = absl::StrSplit(command.path, ' ');
    EXPECT_TRUE(
        absl::StrContains(fish, absl::StrCat("printf '%s\\t%s\\n' '", words.back(), "'")))
        << "fish lacks " << command.path;
  }
  EXPECT_TRUE(absl::StrContains(fish, "-l status -x -a 'draft negotiating ")) << fish;
  EXPECT_FALSE(CompletionScript("tcsh", GlobalFlags(), AllCommands()).ok());
}

TEST_F(CompletionTest, BashScriptIsValidAndCompletes) {
  const std::string path = Write("bash");
  ASSERT_EQ(Shell(absl::StrCat("bash -n ", path)), 0) << Script("bash");
  // Completes in bash itself: COMP_WORDS as bash would split "agreements party reg".
  const auto complete = [&](const std::string& words, int cword) {
    std::string out;
    Shell(absl::StrCat("bash -c 'source ", path, "; COMP_WORDS=(", words,
                       "); COMP_CWORD=", cword,
                       "; _agreements; printf \"%s\\n\" \"${COMPREPLY[@]}\"'"),
          &out);
    return out;
  };
  EXPECT_EQ(complete("agreements party reg", 2), "register\n");
  EXPECT_EQ(complete("agreements lis", 1), "list\n");
  EXPECT_EQ(complete("agreements list --stat", 2), "--status\n");
  EXPECT_EQ(complete("agreements list --status in_f", 3), "in_force\n");
  EXPECT_EQ(complete("agreements -o js", 2), "json\njsonl\n");
  EXPECT_EQ(complete("agreements --server h:1 watch --fr", 4), "--from\n");
}

TEST_F(CompletionTest, ZshAndFishScriptsAreValidWhereInstalled) {
  if (Installed("zsh")) {
    EXPECT_EQ(Shell(absl::StrCat("zsh -n ", Write("zsh"))), 0) << Script("zsh");
  }
  if (Installed("fish")) {
    EXPECT_EQ(Shell(absl::StrCat("fish -n ", Write("fish"))), 0) << Script("fish");
  }
  if (!Installed("zsh") || !Installed("fish")) {
    GTEST_SKIP() << "zsh or fish is not installed: only their content was checked";
  }
}

}  // namespace
}  // namespace agreements::cli
