// Internal: the layout of the tables gen_geo_tables.py generates (geo_tables.cpp in the build
// tree). Everything is plain constant data so it lives in .rodata and needs no start-up work;
// strings are (offset, length) pairs into one pool.
#pragma once

#include <cstdint>
#include <string_view>

namespace syncline::stdlib::geo::detail {

struct PoolRef {
  std::uint32_t offset;
  std::uint32_t length;
};

// How the place-key normaliser treats one non-ASCII code point.
inline constexpr std::uint8_t kFoldDrop = 0;     // vanish (combining marks, apostrophes)
inline constexpr std::uint8_t kFoldSep = 0xFE;   // word separator (punctuation, spaces)
inline constexpr std::uint8_t kFoldPass = 0xFF;  // copy unchanged
struct FoldEntry {
  std::uint8_t kind;  // one of the above, or the length (1-4) of the replacement bytes
  char bytes[4];
};
struct FoldRange {
  std::uint32_t first, last;  // [first, last)
  std::uint32_t offset;       // index of `first` in kFold
};

struct CountryRow {
  PoolRef alpha2, alpha3, numeric, name, official_name, common_name;
  std::uint32_t subdivisions_begin, subdivisions_end;  // into kSubdivisions
};
struct SubdivisionRow {
  PoolRef code, name, label, type, parent;
  std::uint32_t country;
};

// Salesforce's default picklists (ISO plus salesforce_defaults.tsv), countries in code order,
// each with its states (a range of kSalesforceStates, in code order).
struct SalesforceCountryRow {
  PoolRef code, label;
  std::uint32_t states_begin, states_end;
};
struct SalesforceStateRow {
  PoolRef code, label;
  PoolRef iso;  // the ISO 3166-2 code part it stands for; empty for states ISO lacks
  std::uint8_t active;
};

// Open addressing, linear probing, FNV-1a over the normalised key; value 0xFFFF = empty.
struct HashSlot {
  std::uint32_t offset;
  std::uint16_t length;
  std::uint16_t value;
};

extern const FoldEntry kFold[];
extern const FoldRange kFoldRanges[3];
extern const CountryRow kCountries[];
extern const SubdivisionRow kSubdivisions[];
extern const HashSlot kCountryHash[];
extern const std::uint32_t kCountryHash_mask;
extern const HashSlot kSubdivisionHash[];
extern const std::uint32_t kSubdivisionHash_mask;
extern const SalesforceCountryRow kSalesforceCountries[];
extern const SalesforceStateRow kSalesforceStates[];
extern const std::uint32_t kSalesforceCountryCount;
extern const char kPool[];
extern const std::uint32_t kCountryCount;
extern const std::uint32_t kSubdivisionCount;

inline std::string_view pool(PoolRef r) noexcept {
  return {kPool + r.offset, r.length};
}

}  // namespace syncline::stdlib::geo::detail
