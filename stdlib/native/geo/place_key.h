// Normalises what a person typed for a place ("  Côte d’Ivoire ", "U.S.A.", "ST. LUCIA") into
// the key the generated geo hash tables are built from. Allocation-free: the key is written
// into a fixed buffer the caller owns (normally on the stack). gen_geo_tables.py mirrors it.
#pragma once

#include <cstddef>
#include <string_view>

#include "status.h"

namespace syncline::stdlib::geo {

// Inputs longer than this many bytes are rejected (too_long) before any work is done.
inline constexpr std::size_t kMaxPlaceInput = 512;
// Capacity of a key buffer; a key never needs more (replacements expand at most 5x of a
// 1-byte '&', and longer keys are rejected as too_long).
inline constexpr std::size_t kPlaceKeyCapacity = 1024;

struct PlaceKeyBuffer {
  char data[kPlaceKeyCapacity];
  std::size_t size = 0;
  bool rewritten = false;  // a word rewrite ("the", "st") changed the key
  std::string_view view() const noexcept { return {data, size}; }
};

// Rules, in order:
//  - UTF-8 is decoded strictly (overlong forms, surrogates and stray bytes: invalid_utf8);
//  - ASCII letters are lower-cased; digits kept; ' ` and . vanish; & becomes the word "and";
//    any other ASCII character separates words;
//  - non-ASCII code points go through the generated fold table: accents and other marks
//    vanish (é -> e, ß -> ss, ø -> o), case folds (Ä -> a, Д -> д), punctuation and spaces
//    separate words; code points outside the table (CJK, Arabic, ...) are copied;
//  - words are joined by one space, without leading or trailing space;
//  - when more than one word remains, a leading "the" is dropped and "st" becomes "saint".
// Returns ok, blank (nothing left), invalid_utf8 or too_long. With rewrite_words false the
// last rule is skipped: lookups retry that way when a rewritten key finds nothing, so codes
// such as "ST-01" (São Tomé) and "DE-ST" still resolve.
Status normalise_place_key(std::string_view text, PlaceKeyBuffer& out,
                           bool rewrite_words = true) noexcept;

}  // namespace syncline::stdlib::geo
