// The Salesforce sandbox's State and Country/Territory picklists (see address_settings.h).
#include "sandbox/address_settings.h"

#include <algorithm>
#include <cctype>

#include "geo/place_key.h"
#include "geo/salesforce_picklists.h"

namespace syncline::sandbox {
namespace {

using nlohmann::json;

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The sort key of a label: accents and case folded like geo place keys ("Aland Islands" and
// "Åland Islands" sort alike); the raw text when it cannot be normalised.
std::string SortKey(const std::string& label) {
  syncline::stdlib::geo::PlaceKeyBuffer key;
  if (syncline::stdlib::geo::normalise_place_key(label, key, false) != syncline::stdlib::Status::ok)
    return label;
  return std::string(key.view());
}

// One picklist entry of an Apply body, checked before anything changes.
struct Entry {
  std::string code;
  std::optional<std::string> label, integration_value;
  std::optional<bool> active;
};

std::optional<std::string> ReadEntry(const json& j, const std::string& where, Entry& out) {
  if (!j.is_object()) return where + " must be an object";
  if (!j.contains("isoCode") || !j["isoCode"].is_string() ||
      j["isoCode"].get<std::string>().empty())
    return where + ".isoCode must be a non-empty string";
  out.code = j["isoCode"].get<std::string>();
  for (const char* name : {"label", "integrationValue"}) {
    if (!j.contains(name)) continue;
    if (!j[name].is_string() || j[name].get<std::string>().empty())
      return where + "." + name + " must be a non-empty string";
    (std::string_view(name) == "label" ? out.label : out.integration_value) =
        j[name].get<std::string>();
  }
  if (j.contains("active")) {
    if (!j["active"].is_boolean()) return where + ".active must be true or false";
    out.active = j["active"].get<bool>();
  }
  return std::nullopt;
}

// Updates `existing` with the members given, or makes a custom value.
template <typename T>
void Merge(const Entry& e, T* existing, std::vector<T>& list) {
  if (!existing) {
    T v;
    v.code = e.code;
    v.label = e.label.value_or(e.code);
    v.integration_value = e.integration_value.value_or(v.label);
    v.active = e.active.value_or(true);
    list.push_back(std::move(v));
    return;
  }
  if (e.label) existing->label = *e.label;
  if (e.integration_value) existing->integration_value = *e.integration_value;
  if (e.active) existing->active = *e.active;
}

template <typename T>
T* FindCode(std::vector<T>& list, std::string_view code) {
  for (auto& v : list)
    if (IEquals(v.code, code)) return &v;
  return nullptr;
}

}  // namespace

AddressSettings AddressSettings::Defaults() {
  AddressSettings out;
  for (const auto& c : syncline::stdlib::geo::PicklistTable::salesforce_defaults().countries()) {
    AddressCountry country{
        std::string(c.code), std::string(c.label), std::string(c.integration_value), c.active, {}};
    for (const auto& s : c.states)
      country.states.push_back(
          {std::string(s.code), std::string(s.label), std::string(s.integration_value), s.active});
    out.countries_.push_back(std::move(country));
  }
  return out;
}

std::optional<std::string> AddressSettings::Apply(const json& body) {
  if (!body.is_object() || !body.contains("countries") || !body["countries"].is_array())
    return "expected {\"countries\": [...]}";
  // Check everything first so that a bad entry changes nothing.
  std::vector<std::pair<Entry, std::vector<Entry>>> entries;
  for (size_t i = 0; i < body["countries"].size(); ++i) {
    const json& c = body["countries"][i];
    const std::string where = "countries[" + std::to_string(i) + "]";
    Entry country;
    if (auto e = ReadEntry(c, where, country)) return e;
    std::vector<Entry> states;
    if (c.contains("states")) {
      if (!c["states"].is_array()) return where + ".states must be an array";
      for (size_t j = 0; j < c["states"].size(); ++j) {
        Entry s;
        if (auto e = ReadEntry(c["states"][j], where + ".states[" + std::to_string(j) + "]", s))
          return e;
        states.push_back(std::move(s));
      }
    }
    entries.emplace_back(std::move(country), std::move(states));
  }
  for (const auto& [c, states] : entries) {
    Merge(c, FindCode(countries_, c.code), countries_);
    AddressCountry& country = *FindCode(countries_, c.code);
    for (const auto& s : states) Merge(s, FindCode(country.states, s.code), country.states);
  }
  return std::nullopt;
}

const AddressCountry* AddressSettings::CountryByCode(std::string_view code) const {
  for (const auto& c : countries_)
    if (IEquals(c.code, code)) return &c;
  return nullptr;
}

const AddressCountry* AddressSettings::CountryByIntegrationValue(std::string_view value) const {
  for (const auto& c : countries_)
    if (IEquals(c.integration_value, value)) return &c;
  return nullptr;
}

const AddressState* AddressSettings::StateByCode(const AddressCountry& c, std::string_view code) {
  for (const auto& s : c.states)
    if (IEquals(s.code, code)) return &s;
  return nullptr;
}

const AddressState* AddressSettings::StateByIntegrationValue(const AddressCountry& c,
                                                             std::string_view value) {
  for (const auto& s : c.states)
    if (IEquals(s.integration_value, value)) return &s;
  return nullptr;
}

std::vector<const AddressCountry*> AddressSettings::DescribeOrder() const {
  std::vector<std::pair<std::string, const AddressCountry*>> keyed;
  keyed.reserve(countries_.size());
  for (const auto& c : countries_) keyed.emplace_back(SortKey(c.label), &c);
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return a.second->code < b.second->code;
  });
  std::vector<const AddressCountry*> out;
  out.reserve(keyed.size());
  for (const auto& k : keyed) out.push_back(k.second);
  return out;
}

json AddressSettings::ToJson() const {
  json countries = json::array();
  for (const auto& c : countries_) {
    json states = json::array();
    for (const auto& s : c.states)
      states.push_back({{"isoCode", s.code},
                        {"label", s.label},
                        {"integrationValue", s.integration_value},
                        {"active", s.active}});
    countries.push_back({{"isoCode", c.code},
                         {"label", c.label},
                         {"integrationValue", c.integration_value},
                         {"active", c.active},
                         {"states", states}});
  }
  return {{"countries", countries}};
}

}  // namespace syncline::sandbox
