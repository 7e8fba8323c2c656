// ISO 3166-1 countries, generated at build time from Debian's iso-codes, and lookup of a
// country from whatever a person typed (names in English and local languages, codes, common
// aliases; any case, accents or punctuation). Lookups never allocate and never throw.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "status.h"

namespace syncline::stdlib::geo {

// A view of one generated row. All strings point into static storage.
struct Country {
  std::uint16_t index = 0;         // position in all_countries() (sorted by alpha-2)
  std::string_view alpha2;         // "DE"
  std::string_view alpha3;         // "DEU"
  std::string_view numeric;        // "276" (three digits, zero-padded)
  std::string_view name;           // ISO English short name: "Germany", "Korea, Republic of"
  std::string_view official_name;  // may be empty: "Federal Republic of Germany"
  std::string_view common_name;    // may be empty: "South Korea"
};

// Number of ISO 3166-1 entries (249 with iso-codes 4.15).
std::size_t country_count() noexcept;
// The i-th country (i < country_count()), in alpha-2 order.
Country country_at(std::size_t i) noexcept;

// Finds a country from free text. Status: ok, blank (empty or only spaces/punctuation),
// not_found, invalid_utf8, too_long (more than kMaxPlaceInput bytes). Accepts alpha-2,
// alpha-3, numeric, English short/official/common names and their variants ("Korea,
// Republic of" also as "Republic of Korea"), aliases (stdlib/native/geo/aliases.tsv) and
// the iso-codes translations ("Deutschland", "España", "日本"). When the whole text is not
// found and it has a bracket, the part before it and then the part inside it are tried:
// "Germany (DE)" and "Deutschland [Germany]" resolve.
Result<Country> find_country(std::string_view text) noexcept;

// Exact alpha-2 lookup (ASCII case-insensitive, no trimming): the fast path for codes that
// came from an API. Status: ok or not_found.
Result<Country> country_by_alpha2(std::string_view code) noexcept;

}  // namespace syncline::stdlib::geo
