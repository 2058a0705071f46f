// A fresh directory under the test temp dir (TEST_TMPDIR or /tmp), removed with
// everything in it on destruction. For tests only. Not thread-safe; cheap.
#ifndef AGREEMENTS_COMMON_TEMP_DIR_H_
#define AGREEMENTS_COMMON_TEMP_DIR_H_

#include <string>

namespace agreements::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace agreements::testing

#endif  // AGREEMENTS_COMMON_TEMP_DIR_H_
