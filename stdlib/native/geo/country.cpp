// Country lookup over the generated tables; see country.h.
#include "geo/country.h"

#include "geo/geo_hash.h"
#include "geo/geo_tables.h"
#include "geo/place_key.h"

namespace syncline::stdlib::geo {

std::size_t country_count() noexcept {
  return detail::kCountryCount;
}

Country country_at(std::size_t i) noexcept {
  const auto& r = detail::kCountries[i];
  return Country{static_cast<std::uint16_t>(i), detail::pool(r.alpha2),
                 detail::pool(r.alpha3),        detail::pool(r.numeric),
                 detail::pool(r.name),          detail::pool(r.official_name),
                 detail::pool(r.common_name)};
}

namespace {

std::uint16_t probe_country(std::string_view text) noexcept {
  PlaceKeyBuffer key;
  if (normalise_place_key(text, key) != Status::ok) return detail::kNoValue;
  return detail::probe(detail::kCountryHash, detail::kCountryHash_mask, key.view());
}

}  // namespace

Result<Country> find_country(std::string_view text) noexcept {
  PlaceKeyBuffer key;
  const Status s = normalise_place_key(text, key);
  if (s != Status::ok) return {s, {}};
  auto v = detail::probe(detail::kCountryHash, detail::kCountryHash_mask, key.view());
  if (v == detail::kNoValue) {
    // "Germany (DE)", "United States [USA]": the part before the bracket, else the part
    // inside it. Only on a miss, so the common path pays nothing.
    const auto open = text.find_first_of("([");
    if (open != std::string_view::npos) {
      v = probe_country(text.substr(0, open));
      if (v == detail::kNoValue) {
        const auto close = text.find_first_of(")]", open + 1);
        v = probe_country(text.substr(
            open + 1, close == std::string_view::npos ? std::string_view::npos : close - open - 1));
      }
    }
  }
  if (v == detail::kNoValue) return {Status::not_found, {}};
  return {Status::ok, country_at(v)};
}

Result<Country> country_by_alpha2(std::string_view code) noexcept {
  if (code.size() != 2) return {Status::not_found, {}};
  char up[2];
  for (int i = 0; i < 2; ++i) {
    char c = code[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') return {Status::not_found, {}};
    up[i] = c;
  }
  // The rows are sorted by alpha-2: binary search.
  std::size_t lo = 0, hi = detail::kCountryCount;
  const std::string_view want(up, 2);
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    const auto a2 = detail::pool(detail::kCountries[mid].alpha2);
    if (a2 < want) {
      lo = mid + 1;
    } else if (want < a2) {
      hi = mid;
    } else {
      return {Status::ok, country_at(mid)};
    }
  }
  return {Status::not_found, {}};
}

}  // namespace syncline::stdlib::geo
