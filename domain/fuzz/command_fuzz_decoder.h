// The pieces the builders of mode B are made of (command_fuzz_program.h has the layout):
// the current date and the date codes, and the Decoder every builder reads from. Not API;
// test-only; not thread-safe.
#ifndef AGREEMENTS_DOMAIN_FUZZ_COMMAND_FUZZ_DECODER_H_
#define AGREEMENTS_DOMAIN_FUZZ_COMMAND_FUZZ_DECODER_H_

#include <cstdint>
#include <string>

#include "absl/time/civil_time.h"
#include "domain/fuzz/command_fuzz_program.h"
#include "domain/fuzz/command_fuzz_registry.h"

namespace agreements::domain::fuzz {

v1::Date MakeDate(int64_t year, int month, int day, v1::DatePrecision precision);

// The current date of a program, and the dates its bytes ask for (ReadDate codes in
// command_fuzz_program.h).
class Dates {
 public:
  explicit Dates(int year) : cursor_(year, 1, 1) {}
  v1::Date Read(ByteReader& in);

 private:
  // Moves the current date, never past 31 December 9999.
  void Advance(absl::CivilDay to);

  absl::CivilDay cursor_;
};

// What a builder reads from: the input, the dates, the registry (corrections restate the
// current state) and the op's agreement stream and flags. Borrows everything.
struct Decoder {
  ByteReader& in;
  Dates& dates;
  const Registry& registry;
  std::string stream;
  uint8_t flags;

  uint8_t Byte() { return in.Byte(); }
  uint16_t U16() { return in.U16(); }
  v1::Date Date() { return dates.Read(in); }
  std::string Party() { return kParties[in.Byte() % 8]; }
  // None when bit 7 is set.
  std::string OptionalParty() {
    const uint8_t b = in.Byte();
    return b & 0x80 ? "" : kParties[b % 8];
  }
  std::string Target() { return kAgreements[in.Byte() % 4]; }
  // Texts of every kind: empty, short, too long for any field, non-ASCII, controls.
  std::string Text();
};

// Builds the command of one kind; sets the command's change (and, for a party kind,
// its stream).
using Builder = void (*)(Decoder&, v1::Command&);

void SetText(v1::LocalizedText* text, const char* language, const std::string& value);

// Counting (byte % 6), then a period byte: years (bits 6-7), months (bits 2-5), days
// (bits 0-1, times 15).
v1::NoticeRule ReadNoticeRule(Decoder& d);

// `t`: bit 0 an expiry date (read) instead of a duration of bits 1-4 in years; bit 5
// renews automatically, bit 6 at most twice, bit 7 for one year each time.
v1::Term ReadTerm(Decoder& d, uint8_t t);

// The codes of `mask`'s bits: registry sectors, OECD DAC, ISIC, and one of no scheme.
void SetClassifications(uint8_t mask,
                        google::protobuf::RepeatedPtrField<v1::Classification>* list);

// A position of the stream's own events mostly; bit 7: any position of the log; 0xFF:
// none.
uint64_t ReadPosition(Decoder& d, v1::StreamType type, const std::string& id);

// record_corrected (of a party with flags bit 4), party_registered and party_updated
// (command_fuzz_corrections.cc).
void BuildCorrection(Decoder& d, v1::Command& c);
void BuildPartyRegistered(Decoder& d, v1::Command& c);
void BuildPartyUpdated(Decoder& d, v1::Command& c);

}  // namespace agreements::domain::fuzz

#endif  // AGREEMENTS_DOMAIN_FUZZ_COMMAND_FUZZ_DECODER_H_
