// Valid time: the legal status of an agreement on a legal date, derived from the
// effective dates its events carry (signed 2009, in force from 2010, terminated 2020
// ...), independent of when the registry recorded them. Pure functions; thread-safe.
#ifndef AGREEMENTS_DOMAIN_VALID_TIME_H_
#define AGREEMENTS_DOMAIN_VALID_TIME_H_

#include <string>
#include <utility>
#include <vector>

#include "agreements/v1/agreement.pb.h"
#include "agreements/v1/events.pb.h"
#include "agreements/v1/types.pb.h"

namespace agreements::domain {

struct LegalStatusOnDate {
  agreements::v1::AgreementStatus status = agreements::v1::AGREEMENT_STATUS_UNSPECIFIED;
  // Each participant's status on the date, in participation order.
  std::vector<std::pair<std::string, agreements::v1::ParticipationStatus>> participants;
  // True when a date of lower precision than the question leaves the answer open, e.g.
  // "in force from 2010" (YEAR) asked about 2010-03-01.
  bool uncertain = false;
  // True when the instrument's own status is open (a participant's may be open while the
  // instrument is certainly in force).
  bool status_uncertain = false;
};

// `history`: the agreement's events in revision order (all of them, or those recorded up
// to the transaction time asked about: both axes together). `date` must be a valid date
// (any precision). Events that carry no legal date (corrections, documents, amounts ...)
// do not change the status; corrections of dates are applied as Evolve applies them.
LegalStatusOnDate LegalStatusOn(const std::vector<agreements::v1::Event>& history,
                                const agreements::v1::Date& date);

// True when the agreement's instrument status on `date` is in force (IN_FORCE, or
// PROVISIONALLY_APPLIED, or IN_EFFECT / ACTIVE for non-binding instruments and contracts)
// and that status is certain; uncertain participants do not matter.
bool InForceOn(const LegalStatusOnDate& status);

}  // namespace agreements::domain

#endif  // AGREEMENTS_DOMAIN_VALID_TIME_H_
