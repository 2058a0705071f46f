// The pieces LegalStatusOn is built from: day ranges of dates of any precision, and the
// effective date of every event of a history after corrections. Not API: used by
// valid_time.cc and its tests. Pure functions; thread-safe.
#ifndef AGREEMENTS_DOMAIN_VALID_TIME_INTERNAL_H_
#define AGREEMENTS_DOMAIN_VALID_TIME_INTERNAL_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "agreements/v1/events.pb.h"
#include "agreements/v1/types.pb.h"
#include "domain/valid_time.h"

namespace agreements::domain::internal {

// The days a date may stand for, both ends included, as yyyymmdd numbers (whose order is
// calendar order): a DAY date is one day, "May 2009" is 20090501..20090531, "2009" is
// 20090101..20091231. An unset date may be any day. Month ends are taken as day 31, which
// orders correctly against every real date.
struct DayRange {
  int64_t first = 0;
  int64_t last = 0;
};

DayRange RangeOf(const agreements::v1::Date& date);

// Where an event's date lies against the question's range.
enum class Placement {
  // Certainly on or before the question: every day of the event's range is on or before
  // every day of the question's (a transition dated D applies on D).
  kOnOrBefore,
  // Certainly after it.
  kAfter,
  // The ranges leave it open ("in force from 2010" asked about 2010-03-01).
  kOpen,
};

Placement Place(const DayRange& event, const DayRange& question);

// What one event of a history contributes to valid time.
struct EffectiveDate {
  // False for events that change no status (documents, amounts, classifications,
  // relations, amendments) and for record_corrected: the replay skips them.
  bool relevant = false;
  // False for relevant events without a legal date (agreement_recorded,
  // participant_added, legal_nature_reassessed): they apply on every date.
  bool dated = false;
  // The date of the event for the instrument, corrected.
  agreements::v1::Date date;
  // The participant a participant-level event concerns; empty for instrument-wide ones.
  std::string party_id;
  // Corrected dates of the event for single participants, where a correction changed a
  // participant's field (its signature date, in_force_from, left_on ...) but not the
  // instrument's. A participant absent here follows `date`.
  std::map<std::string, agreements::v1::Date> party_dates;
};

// One entry per event of `history` (revision order), with dates as corrected by the
// record_corrected events of the same history. docs/domain.md "Valid time" lists which
// field holds which event's date.
std::vector<EffectiveDate> EffectiveDates(
    const std::vector<agreements::v1::Event>& history);

// Building the answer from replayed states (valid_time_answer.cc).

// IN_FORCE, IN_EFFECT, ACTIVE: the statuses in which an instrument is in force.
bool Operative(agreements::v1::AgreementStatus status);

// One participant's standing read from a replayed state. `in_force` says whether the
// instrument is in force on the date; `question` (nullptr: no date) places a pending
// withdrawal's date, adding a note when it is due and setting *uncertain when open.
ParticipantOnDate ReadParticipant(const agreements::v1::Participation& participation,
                                  bool in_force, const DayRange* question,
                                  std::vector<StatusNote>* notes, bool* uncertain);

// Fills in_force, expiry_due, expires_on and the expiry note of `answer` (status and
// status_uncertain already set) from the replayed state; `question` as above.
void ReadInstrument(const agreements::v1::Agreement& state,
                    const agreements::v1::Date& on, const DayRange* question,
                    LegalStatusOnDate& answer);

// Puts into a replayed state the values that corrections recorded after the replayed
// events changed, where the replay has them: the term, the entry into force, and each
// participant's entry into force, withdrawal date and provisional application of the
// same period. (The replay evolves the original payloads; which events apply on a date
// already follows the corrected dates, see EffectiveDates.)
void OverlayCorrections(const agreements::v1::Agreement& full,
                        agreements::v1::Agreement& replayed);

// Marks the successors whose succession (in the full record) comes after the date:
// status UNSPECIFIED and a note naming the predecessor.
void MarkSuccessorsNotYet(const agreements::v1::Agreement& full, const DayRange& question,
                          LegalStatusOnDate& answer);

}  // namespace agreements::domain::internal

#endif  // AGREEMENTS_DOMAIN_VALID_TIME_INTERNAL_H_
