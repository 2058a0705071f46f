// Mode B of the command fuzzer: a byte-to-command decoder. The bytes are read as a
// program of structured commands (register parties, record agreements, then lifecycle
// changes, practice events, corrections ...) with ids from small fixed sets and dates
// that mostly move forward, run in order against one Registry, so that the fuzzer
// reaches the rules that only deep states exercise. Test-only; not thread-safe.
//
// Layout (every read past the end answers 0):
//   program := start op*                        at most kMaxOps ops
//   start   := 1 byte: the first date is 1 January of 1980 + byte % 40; from 0xF0, of
//              9985 + (byte & 0x0F) (at most 9999), near the end of the calendar
//   op      := stream kind flags args
//   stream  := the agreement: kAgreements[byte % 3] ("a1", "a2", "a3")
//   kind    := the EventPayload field number, 1 + byte % 47
//   flags   := bit 0 dates_confirmed_by set, bit 1 reason set, bit 4 record_corrected
//              on a party stream; with bits 5-7 all set (kFlagChaos), bit 2 the other
//              stream type and bit 3 no stream id
// The args of each kind are listed in command_fuzz_program.cc. A party is one byte:
// kParties[byte % 8]; an optional party is none when bit 7 is set. A date is one byte
// (ReadDate): 0..223 move the current date forward by that many days (0: the same day);
// other values give dates of lower precision, earlier, extreme or invalid dates.
#ifndef AGREEMENTS_DOMAIN_FUZZ_COMMAND_FUZZ_PROGRAM_H_
#define AGREEMENTS_DOMAIN_FUZZ_COMMAND_FUZZ_PROGRAM_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "domain/fuzz/command_fuzz_registry.h"

namespace agreements::domain::fuzz {

inline constexpr int kMaxOps = 64;

// The flag bits that enable the malformed-stream flags (bits 2 and 3).
inline constexpr uint8_t kFlagChaos = 0xE0;

// Party ids: kz, kr, jp (states), kepco (company controlled by kr), suhh (the USSR, a
// former state), ru (its continuator), un (an organisation) are registered by
// SetUpWorld; p8 is not.
inline constexpr const char* kParties[] = {"kz",   "kr", "jp", "kepco",
                                           "suhh", "ru", "un", "p8"};
// Agreement ids; a9 is never recorded (a missing target).
inline constexpr const char* kAgreements[] = {"a1", "a2", "a3", "a9"};

// The date byte codes besides 0..223 (days forward).
inline constexpr uint8_t kDateLeap = 0xE0;        // 0xE0..0xEF: (n + 1) * 61 days forward
inline constexpr uint8_t kDateMonth = 0xF0;       // the current month, MONTH precision
inline constexpr uint8_t kDateYear = 0xF1;        // the current year, YEAR precision
inline constexpr uint8_t kDateEarlier = 0xF2;     // + byte: that many days earlier
inline constexpr uint8_t kDateUnset = 0xF3;       // an unset date
inline constexpr uint8_t kDateYear9999 = 0xF4;    // + byte: a day in December 9999
inline constexpr uint8_t kDateYearOne = 0xF5;     // 1 January of year 1
inline constexpr uint8_t kDateRaw = 0xF6;         // + 4 bytes: year - 2000, month, day,
                                                  //   precision (possibly invalid)
inline constexpr uint8_t kDateYearsLater = 0xF7;  // + byte: that many years forward

// Reads an input byte by byte; past the end every read answers 0.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t Byte() { return offset_ < size_ ? data_[offset_++] : 0; }
  // Big-endian.
  uint16_t U16() {
    const uint16_t high = Byte();
    return static_cast<uint16_t>(high << 8 | Byte());
  }
  // The next `n` bytes (fewer at the end).
  std::string Take(size_t n);
  std::string Rest() { return Take(size_ - offset_); }
  bool empty() const { return offset_ >= size_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t offset_ = 0;
};

// Decodes `in` as a program (above) and runs it on `registry`, a copy of ProgramStart()
// (command_fuzz_world.h) or set up by SetUpWorld.
void RunProgram(ByteReader& in, Registry& registry);

}  // namespace agreements::domain::fuzz

#endif  // AGREEMENTS_DOMAIN_FUZZ_COMMAND_FUZZ_PROGRAM_H_
