// std.num: numbers as people type them into CRM fields ("1,234.50", " 42 ", "1e3"), decimal
// rounding that matches what they see (2.675 -> 2.68), and safe conversion to integers.
// Allocation-free; every failure is a returned status.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "status.h"

namespace syncline::stdlib::num {

// Parses a decimal number. Accepted, after trimming: an optional sign (+/-), digits with
// optional ',' thousands separators in groups of three ("1,234,567"), an optional '.'
// fraction (".5" and "5." too), an optional exponent ("1e3", "2.5E-4").
// Not accepted (invalid_format): currency symbols and suffixes ("$12", "1.2M"), other
// grouping ("1,23", "1 234"), decimal commas ("3,5"), "NaN", "inf", hex, words.
// Status: ok, blank, invalid_format, out_of_range (overflows a double), too_long (> 400
// bytes after trimming). Results within the subnormal range round to 0 or the nearest
// subnormal; -0 is returned as 0.
Result<double> parse_decimal(std::string_view text) noexcept;

// Rounds to `places` decimal places (negative: tens, hundreds...), half away from zero, on
// the shortest decimal representation of `value` (so 2.675 -> 2.68 and 1.005 -> 1.01, as a
// person would expect, although neither is exact in binary). places outside [-20, 20] is
// out_of_range. Status: ok, out_of_range (also for NaN and infinities).
Result<double> round_half_away(double value, int places) noexcept;

// Converts to int64 exactly. Status: ok, not_integral (has a fractional part),
// out_of_range (NaN, infinite, or outside [-2^63, 2^63)).
Result<std::int64_t> to_int64(double value) noexcept;

// Parses an integer: the shapes of parse_decimal, exact for every int64 ("9007199254740993"
// does not go through a double); "1e3" and "42.0" are integers, "1.5" is not_integral.
// Status: ok, blank, invalid_format, not_integral, out_of_range, too_long.
Result<std::int64_t> parse_integer(std::string_view text) noexcept;

// Formats a number the way both APIs accept it in text fields: plain decimal notation, never
// an exponent ("1e21" is written out), the fewest digits that read back to the same double
// ("0.1", not "0.1000000000000000055"), "-0" written as "0". `out` is replaced.
// Status: ok, out_of_range (NaN, infinities; out empty).
Status format_decimal(double value, std::string& out) noexcept;

}  // namespace syncline::stdlib::num
