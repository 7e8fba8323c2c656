// Email address normalisation for matching contacts across the CRMs: trimmed, lower-cased,
// and rejected when clearly invalid (the sync deduplicates on email, so garbage must fail
// loudly instead of creating records).
#pragma once

#include <string>
#include <string_view>

#include "status.h"

namespace syncline::stdlib::text {

// Writes the normalised address to `out`: trimmed, an optional "mailto:" prefix removed,
// Unicode lower case (ICU root locale). Checks, after normalising: exactly one '@'; a local
// part of 1-64 bytes of RFC 5322 "atext" characters or non-ASCII letters, with no leading,
// trailing or doubled '.'; a domain of at least two dot-separated labels of 1-63 bytes
// (letters, digits, '-' not at either end, or non-ASCII for IDNs), whose last label has at
// least two characters and is not all digits; at most 254 bytes in total. Quoted local
// parts and IP-literal domains are not accepted.
// Status: ok, blank, invalid_format, invalid_utf8, too_long (> 254 bytes after trimming).
Status normalise_email(std::string_view text, std::string& out) noexcept;

}  // namespace syncline::stdlib::text
