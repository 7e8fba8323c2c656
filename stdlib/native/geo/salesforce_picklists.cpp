// Salesforce State and Country picklists; see salesforce_picklists.h and docs/stdlib/geo.md
// for the semantics of each setting combination.
#include "geo/salesforce_picklists.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <new>

#include "geo/country.h"
#include "geo/geo_tables.h"
#include "geo/place_key.h"
#include "geo/subdivision.h"
#include "text/trim.h"
#include "text/utf8.h"

namespace syncline::stdlib::geo {
namespace {

constexpr std::size_t kMaxExact = 256;  // longer values cannot be codes or picklist values

// ASCII upper-case copy into a fixed buffer; false when too long.
bool upper_ascii(std::string_view in, std::array<char, kMaxExact>& buf, std::string_view& out) {
  if (in.size() > buf.size()) return false;
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    buf[i] = c;
  }
  out = std::string_view(buf.data(), in.size());
  return true;
}

std::string upper_string(std::string_view in) {
  std::string s(in);
  for (auto& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

// A sorted (scope, key) -> index table. scope is the country index for state entries and 0
// for country entries.
struct IndexEntry {
  std::uint32_t scope;
  std::string key;
  std::uint32_t index;
};

class Index {
 public:
  void add(std::uint32_t scope, std::string key, std::uint32_t index) {
    if (!key.empty()) entries_.push_back({scope, std::move(key), index});
  }
  // Sorts and drops keys that name two different entries (ambiguous labels).
  void finish() {
    // std::sort with a full tie-break rather than stable_sort: libstdc++ 12's stable_sort
    // trips clang's deprecation warning for get_temporary_buffer.
    std::sort(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
      if (a.scope != b.scope) return a.scope < b.scope;
      if (a.key != b.key) return a.key < b.key;
      return a.index < b.index;
    });
    std::vector<IndexEntry> out;
    for (std::size_t i = 0; i < entries_.size();) {
      std::size_t j = i;
      bool ambiguous = false;
      while (j < entries_.size() && entries_[j].scope == entries_[i].scope &&
             entries_[j].key == entries_[i].key) {
        ambiguous |= entries_[j].index != entries_[i].index;
        ++j;
      }
      if (!ambiguous) out.push_back(std::move(entries_[i]));
      i = j;
    }
    entries_ = std::move(out);
  }
  const std::uint32_t* find(std::uint32_t scope, std::string_view key) const noexcept {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), std::pair{scope, key},
                               [](const IndexEntry& e, const auto& k) {
                                 return e.scope != k.first ? e.scope < k.first
                                                           : std::string_view(e.key) < k.second;
                               });
    if (it == entries_.end() || it->scope != scope || it->key != key) return nullptr;
    return &it->index;
  }

 private:
  std::vector<IndexEntry> entries_;
};

std::string place_key_string(std::string_view text) {
  PlaceKeyBuffer b;
  if (normalise_place_key(text, b) != Status::ok) return {};
  return std::string(b.view());
}

}  // namespace

struct PicklistTable::Impl {
  std::deque<std::string> arena;  // owned text of custom tables (stable addresses)
  std::vector<PicklistState> states;
  std::vector<PicklistCountry> countries;
  // The ISO 3166-2 code part each state stands for (parallel to `states`): the code itself in
  // custom tables, from the generated data in the default table (empty: ISO lacks it).
  std::vector<std::string_view> state_iso;
  // Exact code, exact integration value, normalised label/value, ISO code part. Inactive
  // entries are in none of them.
  Index codes, values, keys, iso;
  std::size_t skipped = 0;

  std::string_view keep(std::string s) { return arena.emplace_back(std::move(s)); }

  std::uint32_t country_index(const PicklistCountry* c) const noexcept {
    return static_cast<std::uint32_t>(c - countries.data());
  }
  // Scope of state entries: 1 + country index (0 is the scope of countries).
  void build_indexes() {
    for (std::uint32_t i = 0; i < countries.size(); ++i) {
      const auto& c = countries[i];
      if (!c.active) continue;
      codes.add(0, upper_string(c.code), i);
      values.add(0, upper_string(c.integration_value), i);
      keys.add(0, place_key_string(c.label), i);
      keys.add(0, place_key_string(c.integration_value), i);
      const auto first = static_cast<std::size_t>(c.states.data() - states.data());
      for (std::uint32_t j = 0; j < c.states.size(); ++j) {
        const auto& s = c.states[j];
        if (!s.active) continue;
        codes.add(i + 1, upper_string(s.code), j);
        values.add(i + 1, upper_string(s.integration_value), j);
        keys.add(i + 1, place_key_string(s.label), j);
        keys.add(i + 1, place_key_string(s.integration_value), j);
        if (first + j < state_iso.size()) iso.add(i + 1, upper_string(state_iso[first + j]), j);
      }
    }
    codes.finish();
    values.finish();
    keys.finish();
    iso.finish();
  }
};

namespace {

// The generated default table (gen_geo_tables.py: ISO plus salesforce_defaults.tsv). Views
// point into the generated string pool, so nothing is copied.
std::shared_ptr<PicklistTable::Impl> build_defaults() {
  using detail::kSalesforceCountries;
  using detail::kSalesforceStates;
  using detail::pool;
  auto impl = std::make_shared<PicklistTable::Impl>();
  const std::uint32_t n = detail::kSalesforceCountryCount;
  const std::uint32_t state_count = n == 0 ? 0 : kSalesforceCountries[n - 1].states_end;
  impl->states.reserve(state_count);
  impl->state_iso.reserve(state_count);
  for (std::uint32_t i = 0; i < state_count; ++i) {
    const auto& s = kSalesforceStates[i];
    impl->states.push_back({pool(s.code), pool(s.label), pool(s.label), s.active != 0});
    impl->state_iso.push_back(pool(s.iso));
  }
  impl->countries.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto& c = kSalesforceCountries[i];
    impl->countries.push_back(
        {pool(c.code), pool(c.label), pool(c.label),
         std::span(impl->states).subspan(c.states_begin, c.states_end - c.states_begin), true});
  }
  impl->build_indexes();
  return impl;
}

std::string_view first_non_empty(std::string_view a, std::string_view b, std::string_view c) {
  return !a.empty() ? a : !b.empty() ? b : c;
}

}  // namespace

const PicklistTable& PicklistTable::salesforce_defaults() noexcept {
  static const PicklistTable table{build_defaults()};
  return table;
}

PicklistTable PicklistTable::custom(std::span<const CountryRow> countries,
                                    std::span<const StateRow> states) noexcept {
  try {
    return build_custom(countries, states);
  } catch (const std::bad_alloc&) {
    // Out of memory while building: an empty table (every row skipped) rather than a throw.
    auto impl = std::make_shared<Impl>();
    impl->skipped = countries.size() + states.size();
    return PicklistTable(std::move(impl));
  }
}

PicklistTable PicklistTable::build_custom(std::span<const CountryRow> countries,
                                          std::span<const StateRow> states) {
  auto impl = std::make_shared<Impl>();
  std::vector<std::string> seen_codes;
  std::vector<const CountryRow*> kept;
  for (const auto& row : countries) {
    const std::string code = upper_string(text::trim(row.code));
    if (code.empty() || std::find(seen_codes.begin(), seen_codes.end(), code) != seen_codes.end()) {
      ++impl->skipped;
      continue;
    }
    seen_codes.push_back(code);
    kept.push_back(&row);
  }
  std::vector<std::vector<PicklistState>> per_country(kept.size());
  for (const auto& row : states) {
    const std::string cc = upper_string(text::trim(row.country_code));
    const auto it = std::find(seen_codes.begin(), seen_codes.end(), cc);
    const std::string_view code = text::trim(row.code);
    if (it == seen_codes.end() || code.empty()) {
      ++impl->skipped;
      continue;
    }
    auto& list = per_country[static_cast<std::size_t>(it - seen_codes.begin())];
    const bool duplicate = std::any_of(list.begin(), list.end(), [&](const PicklistState& s) {
      return upper_string(s.code) == upper_string(code);
    });
    if (duplicate) {
      ++impl->skipped;
      continue;
    }
    const auto label = text::trim(row.label), value = text::trim(row.integration_value);
    list.push_back({impl->keep(std::string(code)),
                    impl->keep(std::string(first_non_empty(label, value, code))),
                    impl->keep(std::string(first_non_empty(value, label, code)))});
  }
  for (const auto& v : per_country) impl->states.insert(impl->states.end(), v.begin(), v.end());
  for (const auto& st : impl->states) impl->state_iso.push_back(st.code);
  std::size_t offset = 0;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    const auto code = text::trim(kept[i]->code);
    const auto label = text::trim(kept[i]->label), value = text::trim(kept[i]->integration_value);
    impl->countries.push_back({impl->keep(upper_string(code)),
                               impl->keep(std::string(first_non_empty(label, value, code))),
                               impl->keep(std::string(first_non_empty(value, label, code))),
                               std::span(impl->states).subspan(offset, per_country[i].size())});
    offset += per_country[i].size();
  }
  impl->build_indexes();
  return PicklistTable(std::move(impl));
}

namespace {

// Standard base64 (with or without padding); false on any other character.
bool decode_base64(std::string_view in, std::vector<std::uint8_t>& out) {
  out.clear();
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+') {
      v = 62;
    } else if (c == '/') {
      v = 63;
    } else if (c == '=') {
      break;
    } else {
      return false;
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

}  // namespace

PicklistTable PicklistTable::from_describe(std::span<const DescribeValue> country_codes,
                                           std::span<const DescribeValue> state_codes) noexcept {
  try {
    std::vector<CountryRow> countries;
    std::vector<StateRow> states;
    std::size_t skipped = 0;
    // validFor indexes the controlling field's values in describe order, inactive included.
    for (const auto& c : country_codes) {
      if (c.active) countries.push_back({c.value, c.label, c.label});
    }
    std::vector<std::uint8_t> bitmap;
    for (const auto& st : state_codes) {
      if (!st.active) continue;
      bool attached = false;
      if (decode_base64(st.valid_for, bitmap)) {
        for (std::size_t i = 0; i < country_codes.size() && i / 8 < bitmap.size(); ++i) {
          if ((bitmap[i / 8] & (0x80u >> (i % 8))) != 0 && country_codes[i].active) {
            states.push_back({country_codes[i].value, st.value, st.label, st.label});
            attached = true;
          }
        }
      }
      if (!attached) ++skipped;
    }
    PicklistTable t = build_custom(countries, states);
    std::const_pointer_cast<Impl>(t.impl_)->skipped += skipped;
    return t;
  } catch (const std::bad_alloc&) {
    auto impl = std::make_shared<Impl>();
    impl->skipped = country_codes.size() + state_codes.size();
    return PicklistTable(std::move(impl));
  }
}

std::span<const PicklistCountry> PicklistTable::countries() const noexcept {
  return impl_->countries;
}
std::size_t PicklistTable::skipped_rows() const noexcept {
  return impl_->skipped;
}

const PicklistCountry* PicklistTable::country_by_code(std::string_view code) const noexcept {
  std::array<char, kMaxExact> buf;
  std::string_view key;
  if (!upper_ascii(text::trim(code), buf, key)) return nullptr;
  const auto* i = impl_->codes.find(0, key);
  return i ? &impl_->countries[*i] : nullptr;
}

const PicklistCountry* PicklistTable::country_by_integration_value(
    std::string_view value) const noexcept {
  std::array<char, kMaxExact> buf;
  std::string_view key;
  if (!upper_ascii(text::trim(value), buf, key)) return nullptr;
  const auto* i = impl_->values.find(0, key);
  return i ? &impl_->countries[*i] : nullptr;
}

const PicklistState* PicklistTable::state_by_code(const PicklistCountry& c,
                                                  std::string_view code) const noexcept {
  std::array<char, kMaxExact> buf;
  std::string_view key;
  if (!upper_ascii(text::trim(code), buf, key)) return nullptr;
  const auto* i = impl_->codes.find(impl_->country_index(&c) + 1, key);
  return i ? &c.states[*i] : nullptr;
}

const PicklistState* PicklistTable::state_by_integration_value(
    const PicklistCountry& c, std::string_view value) const noexcept {
  std::array<char, kMaxExact> buf;
  std::string_view key;
  if (!upper_ascii(text::trim(value), buf, key)) return nullptr;
  const auto* i = impl_->values.find(impl_->country_index(&c) + 1, key);
  return i ? &c.states[*i] : nullptr;
}

Result<const PicklistCountry*> PicklistTable::match_country(std::string_view text) const noexcept {
  PlaceKeyBuffer key;
  const Status s = normalise_place_key(text, key);
  if (s != Status::ok) return {s, nullptr};
  if (const auto* c = country_by_code(text)) return {Status::ok, c};
  if (const auto* i = impl_->keys.find(0, key.view())) return {Status::ok, &impl_->countries[*i]};
  const auto iso = find_country(text);
  if (iso) {
    if (const auto* c = country_by_code(iso.value.alpha2)) return {Status::ok, c};
  }
  return {Status::not_found, nullptr};
}

Result<const PicklistState*> PicklistTable::match_state(const PicklistCountry& c,
                                                        std::string_view text) const noexcept {
  PlaceKeyBuffer key;
  const Status s = normalise_place_key(text, key);
  if (s != Status::ok) return {s, nullptr};
  if (const auto* st = state_by_code(c, text)) return {Status::ok, st};
  if (const auto* i = impl_->keys.find(impl_->country_index(&c) + 1, key.view())) {
    return {Status::ok, &c.states[*i]};
  }
  const auto iso = country_by_alpha2(c.code);
  if (iso) {
    const auto sub = find_subdivision(iso.value, text);
    if (sub) {
      std::array<char, kMaxExact> buf;
      std::string_view part;
      if (upper_ascii(sub.value.code_part, buf, part)) {
        if (const auto* i = impl_->iso.find(impl_->country_index(&c) + 1, part)) {
          return {Status::ok, &c.states[*i]};
        }
      }
    }
  }
  return {Status::state_not_in_country, nullptr};
}

// ---- conversions ------------------------------------------------------------------------

namespace {

SalesforceAddress fail(Status s, PlaceField f) {
  SalesforceAddress a;
  a.status = s;
  a.failed_field = f;
  return a;
}
HubSpotAddress fail_hs(Status s, PlaceField f) {
  HubSpotAddress a;
  a.status = s;
  a.failed_field = f;
  return a;
}

// Inputs that cannot be processed at all (invalid UTF-8, absurd length) fail in every mode,
// so pass-through modes never forward bytes a CRM would reject.
Status check_input(std::string_view v) {
  if (v.size() > kMaxPlaceInput) return Status::too_long;
  if (!text::is_valid_utf8(v)) return Status::invalid_utf8;
  return Status::ok;
}

const PicklistTable& table_for(const PicklistSettings& s) {
  if (s.salesforce == SalesforcePicklistMode::customized && s.table != nullptr) return *s.table;
  return PicklistTable::salesforce_defaults();
}

// Exact (as-is) resolution: a picklist code or integration value, nothing else.
const PicklistCountry* exact_country(const PicklistTable& t, std::string_view v) {
  if (const auto* c = t.country_by_code(v)) return c;
  return t.country_by_integration_value(v);
}
const PicklistState* exact_state(const PicklistTable& t, const PicklistCountry& c,
                                 std::string_view v) {
  if (const auto* s = t.state_by_code(c, v)) return s;
  return t.state_by_integration_value(c, v);
}

// Picklists disabled: free text; "match defaults" rewrites recognised places to Salesforce's
// default names and passes the rest through.
SalesforceAddress disabled_to_salesforce(HubSpotPlaceMode mode, std::string_view country,
                                         std::string_view state) {
  SalesforceAddress out;
  out.country = country;
  out.state = state;
  if (mode == HubSpotPlaceMode::sync_as_is) return out;
  const auto& defaults = PicklistTable::salesforce_defaults();
  if (country.empty()) return out;
  const auto c = defaults.match_country(country);
  if (!c) return out;
  out.country = c.value->integration_value;
  out.country_recognised = true;
  if (state.empty()) return out;
  const auto st = defaults.match_state(*c.value, state);
  if (st) {
    out.state = st.value->integration_value;
    out.state_recognised = true;
  } else if (const auto iso = country_by_alpha2(c.value->code)) {
    // Countries without Salesforce states: the ISO name is still the best spelling.
    if (const auto sub = find_subdivision(iso.value, state)) {
      out.state = sub.value.label;
      out.state_recognised = true;
    }
  }
  return out;
}

}  // namespace

SalesforceAddress to_salesforce(const PicklistSettings& settings, std::string_view country,
                                std::string_view state) noexcept {
  country = text::trim(country);
  state = text::trim(state);
  for (auto [v, f] :
       {std::pair{country, PlaceField::country}, std::pair{state, PlaceField::state}}) {
    if (const Status s = check_input(v); s != Status::ok) return fail(s, f);
  }
  if (country.empty() && state.empty()) return fail(Status::blank, PlaceField::none);
  if (settings.salesforce == SalesforcePicklistMode::disabled) {
    return disabled_to_salesforce(settings.hubspot, country, state);
  }
  // Picklists on: Salesforce's own rules apply (R109, R111).
  if (country.empty()) return fail(Status::state_without_country, PlaceField::state);
  const PicklistTable& table = table_for(settings);
  const bool as_is = settings.hubspot == HubSpotPlaceMode::sync_as_is;
  const PicklistCountry* c = nullptr;
  if (as_is) {
    c = exact_country(table, country);
    if (c == nullptr) return fail(Status::not_a_picklist_value, PlaceField::country);
  } else {
    const auto r = table.match_country(country);
    if (!r) return fail(r.status, PlaceField::country);
    c = r.value;
  }
  SalesforceAddress out;
  out.write_codes = true;
  out.country = c->integration_value;
  out.country_code = c->code;
  out.country_recognised = true;
  if (state.empty()) return out;
  const PicklistState* st = nullptr;
  if (as_is) {
    st = exact_state(table, *c, state);
    if (st == nullptr) return fail(Status::state_not_in_country, PlaceField::state);
  } else {
    const auto r = table.match_state(*c, state);
    if (!r) return fail(r.status, PlaceField::state);
    st = r.value;
  }
  out.state = st->integration_value;
  out.state_code = st->code;
  out.state_recognised = true;
  return out;
}

HubSpotAddress to_hubspot(const PicklistSettings& settings, std::string_view country,
                          std::string_view country_code, std::string_view state,
                          std::string_view state_code) noexcept {
  country = text::trim(country);
  state = text::trim(state);
  country_code = text::trim(country_code);
  state_code = text::trim(state_code);
  for (auto [v, f] :
       {std::pair{country, PlaceField::country}, std::pair{country_code, PlaceField::country},
        std::pair{state, PlaceField::state}, std::pair{state_code, PlaceField::state}}) {
    if (const Status s = check_input(v); s != Status::ok) return fail_hs(s, f);
  }
  const bool as_is = settings.hubspot == HubSpotPlaceMode::sync_as_is;
  if (settings.salesforce == SalesforcePicklistMode::disabled) {
    // Only the text fields exist. "Match defaults" normalises like the outbound direction.
    if (country.empty() && state.empty()) return fail_hs(Status::blank, PlaceField::none);
    const auto sf = disabled_to_salesforce(settings.hubspot, country, state);
    return {Status::ok, PlaceField::none, sf.country, sf.state};
  }
  if (country.empty() && country_code.empty() && state.empty() && state_code.empty()) {
    return fail_hs(Status::blank, PlaceField::none);
  }
  if (country.empty() && country_code.empty()) {
    return fail_hs(Status::state_without_country, PlaceField::state);
  }
  const PicklistTable& table = table_for(settings);
  // Country: code and integration value must name the same entry (R110, R111).
  const PicklistCountry* by_code =
      country_code.empty() ? nullptr : table.country_by_code(country_code);
  const PicklistCountry* by_value =
      country.empty() ? nullptr : table.country_by_integration_value(country);
  if (!country_code.empty() && by_code == nullptr) {
    return fail_hs(Status::not_a_picklist_value, PlaceField::country);
  }
  // Salesforce keeps the text field in step with the code, so a text this table does not know
  // beside a known code is the org's customised integration value (describe, where a
  // customised table comes from, has none): the code decides.
  if (!country.empty() && by_value == nullptr && by_code == nullptr) {
    return fail_hs(Status::not_a_picklist_value, PlaceField::country);
  }
  if (by_code != nullptr && by_value != nullptr && by_code != by_value) {
    return fail_hs(Status::code_value_mismatch, PlaceField::country);
  }
  const PicklistCountry* c = by_code != nullptr ? by_code : by_value;
  const PicklistState* st = nullptr;
  if (!state.empty() || !state_code.empty()) {
    const PicklistState* s_code =
        state_code.empty() ? nullptr : table.state_by_code(*c, state_code);
    const PicklistState* s_value =
        state.empty() ? nullptr : table.state_by_integration_value(*c, state);
    if ((!state_code.empty() && s_code == nullptr) ||
        (!state.empty() && s_value == nullptr && s_code == nullptr)) {
      return fail_hs(Status::state_not_in_country, PlaceField::state);
    }
    if (s_code != nullptr && s_value != nullptr && s_code != s_value) {
      return fail_hs(Status::code_value_mismatch, PlaceField::state);
    }
    st = s_code != nullptr ? s_code : s_value;
  }
  HubSpotAddress out;
  out.country = c->integration_value;
  out.state = st != nullptr ? st->integration_value : std::string_view{};
  if (as_is) {  // HubSpot keeps the text as Salesforce holds it (the org's integration value)
    if (!country.empty()) out.country = country;
    if (!state.empty()) out.state = state;
  }
  if (!as_is) {
    // HubSpot holds Salesforce's default names: map a customised entry back through its code.
    const auto& defaults = PicklistTable::salesforce_defaults();
    if (const auto* dc = defaults.country_by_code(c->code)) {
      out.country = dc->integration_value;
      if (st != nullptr) {
        if (const auto* ds = defaults.state_by_code(*dc, st->code))
          out.state = ds->integration_value;
      }
    }
  }
  return out;
}

}  // namespace syncline::stdlib::geo
