// std.text: Unicode-aware string builtins (case mapping, whitespace, case-insensitive
// comparison, truncation, multi-select values). Results are views into the input when they
// can be, otherwise written into a caller-provided std::string; nothing throws.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "status.h"
#include "text/trim.h"

namespace syncline::stdlib::text {

// Inputs above this many bytes fail with too_long (protects ICU's int32 lengths and memory).
inline constexpr std::size_t kMaxTextInput = 64u << 20;

// Unicode upper/lower case (ICU, root locale: no Turkish dotless-i surprises). `out` is
// replaced. Status: ok, blank (out empty), invalid_utf8, too_long.
Status to_upper(std::string_view text, std::string& out) noexcept;
Status to_lower(std::string_view text, std::string& out) noexcept;

// Trims, then replaces every run of Unicode whitespace (tabs, newlines, NBSP, ...) with one
// ASCII space. Status: ok, blank, invalid_utf8, too_long.
Status normalise_whitespace(std::string_view text, std::string& out) noexcept;

// Case-insensitive equality with full Unicode case folding ("STRASSE" == "straße") after NFC
// normalisation (composed and decomposed accents compare equal). Surrounding whitespace is
// significant: trim first if it should not be. Status: ok, invalid_utf8, too_long; two blank
// strings are equal (ok, true).
Result<bool> equals_ignore_case(std::string_view a, std::string_view b) noexcept;

// The longest prefix of `text` with at most `max_chars` code points, never cutting a UTF-8
// sequence (Salesforce text field lengths count characters). A view into the input.
// Status: ok (also when nothing was cut), blank (empty input), invalid_utf8.
Result<std::string_view> truncate(std::string_view text, std::size_t max_chars) noexcept;

// Multi-select values (HubSpot checkboxes, Salesforce multi-select picklists) are one string
// with items separated by ';'. next_multi_select_item returns the next non-empty trimmed item
// starting at `pos` and advances `pos`; status blank when no item is left. No allocation.
Result<std::string_view> next_multi_select_item(std::string_view text, std::size_t& pos) noexcept;

// Number of non-empty items (what the iteration above yields).
std::size_t count_multi_select_items(std::string_view text) noexcept;

// Joins items with ';' after trimming each; empty items and exact duplicates are dropped
// (first occurrence kept). Status: ok, blank (no items left, out empty), invalid_format (an
// item contains ';'), invalid_utf8.
Status join_multi_select(std::span<const std::string_view> items, std::string& out) noexcept;

// True when the multi-select value contains `item` (trimmed, exact match).
bool multi_select_contains(std::string_view text, std::string_view item) noexcept;

}  // namespace syncline::stdlib::text
