// Internal: probing the generated open-addressing tables with a normalised key.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "geo/geo_tables.h"

namespace syncline::stdlib::geo::detail {

inline constexpr std::uint16_t kNoValue = 0xFFFF;

// FNV-1a, 32-bit: the same function gen_geo_tables.py uses to place the keys.
inline std::uint32_t fnv1a(std::string_view a, std::string_view b = {}) noexcept {
  std::uint32_t h = 0x811C9DC5u;
  for (char c : a) h = (h ^ static_cast<unsigned char>(c)) * 0x01000193u;
  for (char c : b) h = (h ^ static_cast<unsigned char>(c)) * 0x01000193u;
  return h;
}

// Looks up the key a+b (concatenated) without building it.
inline std::uint16_t probe(const HashSlot* table, std::uint32_t mask, std::string_view a,
                           std::string_view b = {}) noexcept {
  const std::size_t len = a.size() + b.size();
  for (std::uint32_t h = fnv1a(a, b) & mask;; h = (h + 1) & mask) {
    const HashSlot& s = table[h];
    if (s.value == kNoValue) return kNoValue;
    if (s.length == len) {
      const char* k = kPool + s.offset;
      if (std::memcmp(k, a.data(), a.size()) == 0 &&
          (b.empty() || std::memcmp(k + a.size(), b.data(), b.size()) == 0)) {
        return s.value;
      }
    }
  }
}

}  // namespace syncline::stdlib::geo::detail
