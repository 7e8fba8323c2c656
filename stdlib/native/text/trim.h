// Trimming and blank detection, the allocation-free building blocks every builtin uses to
// decide whether an input is "blank" (empty after trimming) before parsing it.
#pragma once

#include <string_view>

namespace syncline::stdlib::text {

// Unicode White_Space (plus U+FEFF, the byte-order mark) at a position: returns the length of
// the whitespace sequence starting at text[pos], or 0 when there is none.
std::size_t whitespace_length(std::string_view text, std::size_t pos) noexcept;

// `text` without leading and trailing Unicode whitespace. A view into the input: no copy.
// Invalid UTF-8 is never whitespace, so it is kept (callers validate separately).
std::string_view trim(std::string_view text) noexcept;

// True when trim(text) is empty.
inline bool is_blank(std::string_view text) noexcept {
  return trim(text).empty();
}

}  // namespace syncline::stdlib::text
