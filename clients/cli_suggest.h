// "Did you mean": the closest of a set of known words (commands, flags) to a word the
// user typed, by edit distance. Free functions; safe from any thread.
#ifndef AGREEMENTS_CLIENTS_CLI_SUGGEST_H_
#define AGREEMENTS_CLIENTS_CLI_SUGGEST_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace agreements::cli {

// The optimal string alignment distance: insertions, deletions, substitutions and
// transpositions of two adjacent characters each cost 1 ("lsit" -> "list" is 1).
size_t EditDistance(absl::string_view a, absl::string_view b);

// The candidate closest to `word`, when one is close enough to be a typo: at most 1 edit
// for words of up to 4 characters, else at most 2 (and fewer edits than the word has
// characters). Ties go to the earlier candidate. nullopt when none is close or `word`
// is itself a candidate.
std::optional<std::string> ClosestMatch(absl::string_view word,
                                        const std::vector<std::string>& candidates);

}  // namespace agreements::cli

#endif  // AGREEMENTS_CLIENTS_CLI_SUGGEST_H_
