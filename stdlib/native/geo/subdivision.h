// ISO 3166-2 subdivisions (states, provinces, counties...), generated from iso-codes, and
// lookup scoped by country, so "WA" is Washington in the US and Western Australia in AU.
// Lookups never allocate and never throw.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "geo/country.h"
#include "status.h"

namespace syncline::stdlib::geo {

struct Subdivision {
  std::uint16_t index = 0;     // position in the generated table (sorted by code)
  std::uint16_t country = 0;   // Country::index of its country
  std::string_view code;       // full ISO 3166-2 code: "US-WA"
  std::string_view code_part;  // after the dash: "WA"
  std::string_view name;       // ISO name (often in the local language): "Bayern"
  std::string_view label;      // name without Chinese type suffixes or Indian macrons
  std::string_view type;       // "State", "Province", "County", ...
  std::string_view parent;     // code part of the parent subdivision, or empty
};

// Number of subdivisions of a country, and the i-th of them (in code order).
std::size_t subdivision_count(const Country& country) noexcept;
Subdivision subdivision_at(const Country& country, std::size_t i) noexcept;

// Finds a subdivision of `country` from free text: its code part ("WA"), its full code
// ("US-WA", "us wa"), its ISO name, aliases or translations, in any case and with or without
// accents. Status: ok, blank, not_found, invalid_utf8, too_long.
Result<Subdivision> find_subdivision(const Country& country, std::string_view text) noexcept;

// Same, with the country given as free text. When the country is blank or not found, only a
// full code ("US-WA") can still succeed; otherwise the result is not_found. A blank `text`
// gives blank whatever the country.
Result<Subdivision> find_subdivision(std::string_view country_text, std::string_view text) noexcept;

// Finds a subdivision from a full ISO 3166-2 code alone ("US-WA", "au wa").
Result<Subdivision> subdivision_by_code(std::string_view code) noexcept;

}  // namespace syncline::stdlib::geo
