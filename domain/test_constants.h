// Short names for enum values in the domain tests' tables. Test-only.
#ifndef AGREEMENTS_DOMAIN_TEST_CONSTANTS_H_
#define AGREEMENTS_DOMAIN_TEST_CONSTANTS_H_

#include "agreements/v1/agreement.pb.h"

namespace agreements::domain::testing {

namespace v1 = ::agreements::v1;

inline constexpr auto kActive = v1::AGREEMENT_STATUS_ACTIVE;
inline constexpr auto kAdopted = v1::AGREEMENT_STATUS_ADOPTED;
inline constexpr auto kCancelled = v1::AGREEMENT_STATUS_CANCELLED;
inline constexpr auto kCompleted = v1::AGREEMENT_STATUS_COMPLETED;
inline constexpr auto kDiscontinued = v1::AGREEMENT_STATUS_DISCONTINUED;
inline constexpr auto kDraft = v1::AGREEMENT_STATUS_DRAFT;
inline constexpr auto kInEffect = v1::AGREEMENT_STATUS_IN_EFFECT;
inline constexpr auto kInForce = v1::AGREEMENT_STATUS_IN_FORCE;
inline constexpr auto kNegotiating = v1::AGREEMENT_STATUS_NEGOTIATING;
inline constexpr auto kNeverInForce = v1::AGREEMENT_STATUS_NEVER_IN_FORCE;
inline constexpr auto kOpen = v1::AGREEMENT_STATUS_OPEN_FOR_SIGNATURE;
inline constexpr auto kProvisional = v1::AGREEMENT_STATUS_PROVISIONALLY_APPLIED;
inline constexpr auto kSigned = v1::AGREEMENT_STATUS_SIGNED;
inline constexpr auto kSignedNotInForce = v1::AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE;
inline constexpr auto kSuspended = v1::AGREEMENT_STATUS_SUSPENDED;
inline constexpr auto kTerminated = v1::AGREEMENT_STATUS_TERMINATED;
inline constexpr auto kTerminatedEarly = v1::AGREEMENT_STATUS_TERMINATED_EARLY;
inline constexpr auto kUnspecified = v1::AGREEMENT_STATUS_UNSPECIFIED;
inline constexpr auto kBilateral = v1::ARITY_BILATERAL;
inline constexpr auto kMultilateral = v1::ARITY_MULTILATERAL;
inline constexpr auto kAccession = v1::CONSENT_MEANS_ACCESSION;
inline constexpr auto kRatification = v1::CONSENT_MEANS_RATIFICATION;
inline constexpr auto kContract = v1::LEGAL_NATURE_BINDING_DOMESTIC_LAW;
inline constexpr auto kBinding = v1::LEGAL_NATURE_BINDING_INTERNATIONAL;
inline constexpr auto kMixed = v1::LEGAL_NATURE_MIXED;
inline constexpr auto kNonBinding = v1::LEGAL_NATURE_NON_BINDING_POLITICAL;
inline constexpr auto kUndetermined = v1::LEGAL_NATURE_UNDETERMINED;
inline constexpr auto kDefinitive = v1::SIGNATURE_KIND_DEFINITIVE;
inline constexpr auto kSimple = v1::SIGNATURE_KIND_SIMPLE;

}  // namespace agreements::domain::testing

#endif  // AGREEMENTS_DOMAIN_TEST_CONSTANTS_H_
