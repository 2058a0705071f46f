#include "store/text_terms.h"

#include <set>

namespace agreements::store {
namespace {

namespace v1 = ::agreements::v1;

// Decodes one UTF-8 character at `text[*i]`, advancing `*i`; U+FFFD for a bad byte.
char32_t NextChar(absl::string_view text, size_t* i) {
  const unsigned char c = static_cast<unsigned char>(text[*i]);
  int length = c < 0x80           ? 1
               : (c >> 5) == 0x6  ? 2
               : (c >> 4) == 0xE  ? 3
               : (c >> 3) == 0x1E ? 4
                                  : 0;
  if (length == 0 || *i + length > text.size()) {
    ++*i;
    return 0xFFFD;
  }
  char32_t value = length == 1 ? c : c & (0x7F >> length);
  for (int k = 1; k < length; ++k) {
    const unsigned char next = static_cast<unsigned char>(text[*i + k]);
    if ((next & 0xC0) != 0x80) {
      ++*i;
      return 0xFFFD;
    }
    value = (value << 6) | (next & 0x3F);
  }
  *i += length;
  return value;
}

void AppendUtf8(char32_t c, std::string& out) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

char32_t Lower(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;                  // Latin-1
  if (c >= 0x100 && c <= 0x17F && c % 2 == 0 && c != 0x130) return c + 1;  // Latin A
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;               // Greek
  if (c >= 0x410 && c <= 0x42F) return c + 32;                             // Cyrillic
  if (c >= 0x400 && c <= 0x40F) return c + 80;               // Cyrillic Ё, Ї ...
  if (c >= 0x4B0 && c <= 0x4BF && c % 2 == 0) return c + 1;  // Kazakh Ұ, Ү, Һ ...
  if (c == 0x49A || c == 0x4A2 || c == 0x4AE || c == 0x4E8 || c == 0x492) return c + 1;
  return c;
}

// Letters and digits of every script count as word characters; ASCII and Unicode
// punctuation, spaces and symbols separate words.
bool IsWordChar(char32_t c) {
  if (c < 0x80) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }
  if (c == 0xFFFD || (c >= 0x2000 && c <= 0x206F) || (c >= 0x3000 && c <= 0x303F) ||
      (c >= 0xFF00 && c <= 0xFF0F) || (c >= 0xA0 && c <= 0xBF) || c == 0xD7 ||
      c == 0xF7) {
    return false;
  }
  return true;
}

// Words too common to search for (English, Russian and Kazakh function words): they
// would cost an index entry in nearly every agreement and find nothing in particular.
const std::set<std::string>& StopWords() {
  static const auto* words = new std::set<std::string>{
      "a",     "an",    "and",  "are", "as",   "at",   "be",     "by",   "for",
      "from",  "has",   "in",   "is",  "it",   "its",  "not",    "of",   "on",
      "or",    "shall", "that", "the", "this", "to",   "was",    "were", "will",
      "with",  "which", "и",    "в",   "во",   "на",   "о",      "об",   "по",
      "с",     "со",    "для",  "от",  "к",    "из",   "не",     "что",  "это",
      "между", "және",  "мен",  "бен", "пен",  "үшін", "бойынша"};
  return *words;
}

// Adds the terms of `text`, at most `limit` new ones.
void AddTerms(absl::string_view text, std::set<std::string>& seen,
              std::vector<std::string>& terms, size_t limit = kMaxTermsPerText) {
  std::string term;
  size_t added = 0;
  auto finish = [&] {
    // One ASCII letter or digit is no word to search for; one CJK character is.
    if (term.size() > 1 && added < limit && !StopWords().count(term) &&
        seen.insert(term).second) {
      terms.push_back(term);
      ++added;
    }
    term.clear();
  };
  for (size_t i = 0; i < text.size();) {
    const char32_t c = NextChar(text, &i);
    if (!IsWordChar(c)) {
      finish();
      continue;
    }
    std::string encoded;
    AppendUtf8(Lower(c), encoded);
    if (term.size() + encoded.size() <= kMaxTermBytes) term += encoded;
  }
  finish();
}

}  // namespace

std::vector<std::string> TextTerms(absl::string_view text) {
  std::set<std::string> seen;
  std::vector<std::string> terms;
  AddTerms(text, seen, terms, text.size());
  return terms;
}

std::vector<std::string> AgreementTerms(const v1::Agreement& agreement) {
  std::set<std::string> seen;
  std::vector<std::string> terms;
  for (const auto& title : agreement.titles()) AddTerms(title.text(), seen, terms);
  AddTerms(agreement.summary(), seen, terms, kMaxSummaryTerms);
  return terms;
}

std::vector<std::string> PartyTerms(const v1::Party& party) {
  std::set<std::string> seen;
  std::vector<std::string> terms;
  for (const auto& name : party.names()) AddTerms(name.text(), seen, terms);
  return terms;
}

}  // namespace agreements::store
