// Subdivision lookup over the generated tables; see subdivision.h.
#include "geo/subdivision.h"

#include <cstring>

#include "geo/geo_hash.h"
#include "geo/geo_tables.h"
#include "geo/place_key.h"

namespace syncline::stdlib::geo {
namespace {

Subdivision make(std::size_t i) noexcept {
  const auto& r = detail::kSubdivisions[i];
  const auto code = detail::pool(r.code);
  const auto dash = code.find('-');
  return Subdivision{static_cast<std::uint16_t>(i),
                     static_cast<std::uint16_t>(r.country),
                     code,
                     dash == std::string_view::npos ? code : code.substr(dash + 1),
                     detail::pool(r.name),
                     detail::pool(r.label),
                     detail::pool(r.type),
                     detail::pool(r.parent)};
}

// Keys are "<alpha-2 lower-case>:<normalised text>".
std::uint16_t probe_scoped(const Country& c, std::string_view key) noexcept {
  const char prefix[3] = {static_cast<char>(c.alpha2[0] | 0x20),
                          static_cast<char>(c.alpha2[1] | 0x20), ':'};
  return detail::probe(detail::kSubdivisionHash, detail::kSubdivisionHash_mask,
                       std::string_view(prefix, 3), key);
}

// "us wa" -> the "wa" of country US: a normalised key that starts with a known alpha-2 and a
// space, followed by a code part of that country.
Result<Subdivision> from_full_code(std::string_view key) noexcept {
  if (key.size() < 4 || key[2] != ' ') return {Status::not_found, {}};
  const auto c = country_by_alpha2(key.substr(0, 2));
  if (!c) return {Status::not_found, {}};
  const auto v = probe_scoped(c.value, key.substr(3));
  if (v == detail::kNoValue) return {Status::not_found, {}};
  // Only accept a code here: "us new york" is not a code, but "us ny" is.
  const auto sub = make(v);
  PlaceKeyBuffer part;
  if (normalise_place_key(sub.code_part, part, false) != Status::ok ||
      part.view() != key.substr(3)) {
    return {Status::not_found, {}};
  }
  return {Status::ok, sub};
}

}  // namespace

std::size_t subdivision_count(const Country& country) noexcept {
  const auto& r = detail::kCountries[country.index];
  return r.subdivisions_end - r.subdivisions_begin;
}

Subdivision subdivision_at(const Country& country, std::size_t i) noexcept {
  return make(detail::kCountries[country.index].subdivisions_begin + i);
}

namespace {
std::uint16_t probe_key(const Country& country, std::string_view k) noexcept {
  auto v = probe_scoped(country, k);
  if (v == detail::kNoValue) {
    // "US-WA" normalises to "us wa": retry without this country's prefix.
    if (k.size() > 3 && k[2] == ' ' && (k[0] == (country.alpha2[0] | 0x20)) &&
        (k[1] == (country.alpha2[1] | 0x20))) {
      v = probe_scoped(country, k.substr(3));
    }
  }
  return v;
}
}  // namespace

Result<Subdivision> find_subdivision(const Country& country, std::string_view text) noexcept {
  PlaceKeyBuffer key;
  const Status s = normalise_place_key(text, key);
  if (s != Status::ok) return {s, {}};
  auto v = probe_key(country, key.view());
  if (v == detail::kNoValue && key.rewritten) {
    normalise_place_key(text, key, /*rewrite_words=*/false);
    v = probe_key(country, key.view());
  }
  if (v == detail::kNoValue) return {Status::not_found, {}};
  return {Status::ok, make(v)};
}

Result<Subdivision> find_subdivision(std::string_view country_text,
                                     std::string_view text) noexcept {
  const auto c = find_country(country_text);
  if (c) return find_subdivision(c.value, text);
  const auto r = subdivision_by_code(text);
  if (r.status == Status::blank || r.status == Status::invalid_utf8 ||
      r.status == Status::too_long) {
    return r;
  }
  return r.ok() ? r : Result<Subdivision>{Status::not_found, {}};
}

Result<Subdivision> subdivision_by_code(std::string_view code) noexcept {
  PlaceKeyBuffer key;
  const Status s = normalise_place_key(code, key, /*rewrite_words=*/false);
  if (s != Status::ok) return {s, {}};
  return from_full_code(key.view());
}

}  // namespace syncline::stdlib::geo
