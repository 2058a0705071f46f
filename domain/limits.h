// Size limits of commands and of the agreement state. ValidateCommand enforces the
// per-command limits (INVALID_ARGUMENT); DecideAgreement enforces the per-agreement
// totals that grow with events (FAILED_PRECONDITION). Lengths of text are counted in
// Unicode code points, not bytes. docs/domain.md lists every limit with its reason.
#ifndef AGREEMENTS_DOMAIN_LIMITS_H_
#define AGREEMENTS_DOMAIN_LIMITS_H_

#include <cstddef>
#include <cstdint>

namespace agreements::domain {

// Registry-local ids of agreements and parties: [a-z0-9][a-z0-9.-]{0,62}.
inline constexpr size_t kMaxIdChars = 63;

// Titles of an agreement and names of a party (one per language).
inline constexpr int kMaxTitles = 20;
inline constexpr int kMaxNames = 20;
// Text of one title or one name.
inline constexpr size_t kMaxTitleChars = 1000;
// BCP 47 tags are short; 64 leaves room for extensions and private use.
inline constexpr size_t kMaxLanguageTagChars = 64;

// Single-line descriptive fields.
inline constexpr size_t kMaxDesignationChars = 200;
inline constexpr size_t kMaxPlaceChars = 200;
inline constexpr size_t kMaxSignatoryChars = 200;
// Free text: command reason, rationale, cause, relation note, amount description.
inline constexpr size_t kMaxReasonChars = 2000;
// Summary of an agreement or of an amendment.
inline constexpr size_t kMaxSummaryChars = 10000;

// Repeated parts of one agreement (per command and per agreement state).
inline constexpr int kMaxParticipations = 500;
inline constexpr int kMaxDocuments = 200;
inline constexpr int kMaxAmounts = 100;
inline constexpr int kMaxClassifications = 50;
inline constexpr int kMaxRelations = 100;
inline constexpr int kMaxAmendments = 200;

// Parties.
inline constexpr int kMaxIdentifiers = 50;
inline constexpr size_t kMaxIdentifierSchemeChars = 64;
inline constexpr size_t kMaxIdentifierValueChars = 200;

// Documents.
inline constexpr size_t kMaxDocumentTitleChars = 1000;
inline constexpr size_t kMaxUrlChars = 2048;
inline constexpr size_t kMaxMediaTypeChars = 255;

// Treaty practice (docs/domain.md).
// Reservations, declarations and objections of one participant in one period.
inline constexpr int kMaxReservations = 200;
// Articles named by one reservation, and the length of each.
inline constexpr int kMaxArticles = 50;
inline constexpr size_t kMaxArticleChars = 200;
// Depositaries of one agreement, and notifications recorded for them together.
inline constexpr int kMaxDepositaries = 10;
inline constexpr int kMaxNotifications = 2000;
// Extensions of one agreement's term.
inline constexpr int kMaxExtensions = 100;
// Closed periods of one participation (a state leaving and joining again).
inline constexpr int kMaxPeriods = 50;
// Predecessors of one party.
inline constexpr int kMaxPredecessors = 20;
// Registration numbers, depositary references, treaty articles of clauses.
inline constexpr size_t kMaxReferenceChars = 200;
// Years in a period (notice, term, renewal) and automatic renewals of a term.
inline constexpr int kMaxPeriodYears = 1000;
inline constexpr int kMaxRenewals = 1000;

// Paths in one field mask (corrections, party updates).
inline constexpr int kMaxMaskPaths = 32;

// Largest magnitude of Money.units (10^15, a quadrillion units of any currency). The
// projector sums amounts per sector in int64 units; with this bound thousands of maximal
// amounts still fit, so realistic totals cannot overflow.
inline constexpr int64_t kMaxMoneyUnits = 1000000000000000;

// Calendar years accepted in legal dates.
inline constexpr int32_t kMinYear = 1;
inline constexpr int32_t kMaxYear = 9999;

}  // namespace agreements::domain

#endif  // AGREEMENTS_DOMAIN_LIMITS_H_
