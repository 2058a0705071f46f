#include "common/temp_dir.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>

#include "gtest/gtest.h"

namespace agreements::testing {

TempDir::TempDir() {
  std::string pattern = ::testing::TempDir() + "/agreements-XXXXXX";
  char* made = mkdtemp(pattern.data());
  if (made == nullptr) std::abort();
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace agreements::testing
