// ScopedEnv: sets (a value) or unsets (nullopt) one environment variable for its
// lifetime, then restores what was there. For tests only: setenv races with getenv on
// other threads, so use it where nothing else reads the environment meanwhile (before
// a child process is started, or around calls that read it on this thread).
#ifndef AGREEMENTS_COMMON_SCOPED_ENV_H_
#define AGREEMENTS_COMMON_SCOPED_ENV_H_

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

namespace agreements::testing {

class ScopedEnv {
 public:
  ScopedEnv(std::string name, std::optional<std::string> value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    Set(value);
  }
  ~ScopedEnv() { Set(old_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  void Set(const std::optional<std::string>& value) {
    if (value.has_value()) {
      setenv(name_.c_str(), value->c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }

  std::string name_;
  std::optional<std::string> old_;
};

}  // namespace agreements::testing

#endif  // AGREEMENTS_COMMON_SCOPED_ENV_H_
