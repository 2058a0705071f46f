// The terms of the text search (docs/storage.md, "Text search"): words of titles,
// summaries and party names in any language, folded to lower case (ASCII, Latin-1,
// Latin Extended-A, Greek and Cyrillic), split at spaces and punctuation. Scripts
// without case (Hangul, CJK ...) are kept as written; a query term matches every
// indexed term it is a prefix of, which also finds Korean nouns with their particles.
#ifndef AGREEMENTS_STORE_TEXT_TERMS_H_
#define AGREEMENTS_STORE_TEXT_TERMS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "agreements/v1/agreement.pb.h"
#include "agreements/v1/party.pb.h"

namespace agreements::store {

// Longest term kept, in bytes (longer words are cut at a character boundary).
inline constexpr size_t kMaxTermBytes = 48;
// Most terms indexed from one title or name, and from a summary: each term is an index
// entry written with the agreement, so a long summary is indexed by its first words
// (docs/performance.md has what the entries cost).
inline constexpr size_t kMaxTermsPerText = 64;
inline constexpr size_t kMaxSummaryTerms = 24;

// The terms of `text`, in order of appearance, each once; common function words
// ("the", "of", "и" ...) are left out.
std::vector<std::string> TextTerms(absl::string_view text);
// The terms an agreement is found by: its titles (every language) and the first
// kMaxSummaryTerms distinct terms of its summary.
std::vector<std::string> AgreementTerms(const agreements::v1::Agreement& agreement);
// The terms a party is found by: its names (every language).
std::vector<std::string> PartyTerms(const agreements::v1::Party& party);

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_TEXT_TERMS_H_
