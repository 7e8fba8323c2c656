// Phone numbers to E.164 ("+14155552671") with libphonenumber, using the record's country as
// the default region for numbers typed without an international prefix.
#pragma once

#include <string>
#include <string_view>

#include "status.h"

namespace syncline::stdlib::text {

// `default_country` is free text resolved like geo::find_country ("USA", "Deutschland",
// "GB"); when it is blank or unknown, only numbers with an international prefix ("+44...",
// "0044..." is not enough) can be parsed. Extensions are dropped (E.164 has none). A number
// must be "possible" for its region (right length); it need not be assigned.
// Status: ok, blank, invalid_format (unparseable or impossible), invalid_utf8, too_long
// (more than 100 bytes after trimming).
Status phone_to_e164(std::string_view text, std::string_view default_country,
                     std::string& out) noexcept;

namespace detail {
// The two paths of phone_to_e164, for the tests that compare them. `t` is trimmed, valid
// UTF-8 and at most 100 bytes; `region` is an ISO alpha-2 code or "ZZ" (unknown).
// The common North American shapes, answered without the library; false: not one of them.
bool phone_to_e164_fast(std::string_view t, std::string_view region, std::string& out) noexcept;
// libphonenumber's Parse, IsPossibleNumber and Format.
Status phone_to_e164_library(std::string_view t, const std::string& region,
                             std::string& out) noexcept;
}  // namespace detail

}  // namespace syncline::stdlib::text
