// What every fuzz target shares (docs/fuzzing.md): FUZZ_CHECK, which prints the
// violated property with the values involved and aborts (libFuzzer and the replay
// driver both report an abort as a failure and keep the input), and FuzzInput, which
// takes typed values from the front of the fuzzer's bytes.
//
// Header-only, so a target needs no library of its own; used by the targets under
// common/fuzz, services/fuzz, security/fuzz and clients/fuzz.
#ifndef AGREEMENTS_COMMON_FUZZ_FUZZ_INPUT_H_
#define AGREEMENTS_COMMON_FUZZ_FUZZ_INPUT_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace agreements::fuzz {

[[noreturn]] inline void PropertyViolated(const char* condition, const char* file,
                                          int line, absl::string_view details) {
  std::fprintf(stderr, "\nfuzz property violated at %s:%d\n  check: %s\n  %.*s\n", file,
               line, condition, static_cast<int>(details.size()), details.data());
  std::fflush(stderr);
  std::abort();
}

// The status's code and message, for the details of a violated property.
inline std::string Describe(const absl::Status& status) { return status.ToString(); }

// Takes values from the front of a fuzzer input. Reading past the end is not an error:
// numbers read as zero and strings come out short, so every input is usable and a
// mutation of the tail changes only the values read last. A value type over borrowed
// bytes; not thread-safe.
class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size)
      : data_(reinterpret_cast<const char*>(data)), size_(size) {}

  size_t remaining() const { return size_ - position_; }

  uint8_t Byte() {
    if (position_ == size_) return 0;
    return static_cast<uint8_t>(data_[position_++]);
  }
  bool Bool() { return (Byte() & 1) != 0; }
  // One of `count` (1 to 10) choices, written as a digit in text seeds: (byte - '0')
  // modulo count.
  int Choice(int count) { return static_cast<uint8_t>(Byte() - '0') % count; }
  // One of `count` (1 to 26) choices, written as a letter: (byte - 'a') modulo count.
  int Letter(int count) { return static_cast<uint8_t>(Byte() - 'a') % count; }

  // A number of 0 to 8 big-endian bytes (the first byte says how many, modulo 9), so
  // small values are as easy to reach as the extremes of uint64_t.
  uint64_t Number() {
    const int width = Byte() % 9;
    uint64_t value = 0;
    for (int i = 0; i < width; ++i) value = (value << 8) | Byte();
    return value;
  }
  // A number in [0, bound); 0 when bound is 0.
  uint64_t Below(uint64_t bound) { return bound == 0 ? 0 : Number() % bound; }

  // The next `count` bytes (fewer at the end of the input).
  std::string Bytes(size_t count) {
    const size_t taken = std::min(count, remaining());
    std::string bytes(data_ + position_, taken);
    position_ += taken;
    return bytes;
  }
  // A length byte, then that many bytes.
  std::string String() { return Bytes(Byte()); }
  // The bytes up to the next '\n' (which is consumed, not returned), or to the end.
  std::string Line() {
    const absl::string_view rest(data_ + position_, remaining());
    const size_t end = rest.find('\n');
    if (end == absl::string_view::npos) return Rest();
    std::string line(rest.substr(0, end));
    position_ += end + 1;
    return line;
  }
  std::string Rest() { return Bytes(remaining()); }

 private:
  const char* const data_;
  const size_t size_;
  size_t position_ = 0;
};

}  // namespace agreements::fuzz

// Aborts with `details` (anything convertible to absl::string_view, evaluated only on
// failure) unless `condition` holds.
#define FUZZ_CHECK(condition, details)                                                 \
  do {                                                                                 \
    if (!(condition)) {                                                                \
      ::agreements::fuzz::PropertyViolated(#condition, __FILE__, __LINE__, (details)); \
    }                                                                                  \
  } while (false)

#endif  // AGREEMENTS_COMMON_FUZZ_FUZZ_INPUT_H_
