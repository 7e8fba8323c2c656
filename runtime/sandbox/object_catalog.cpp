// ObjectDef's field index, and the ISO 3166 countries and states the Salesforce sandbox checks
// address fields against (read from Debian's iso-codes when installed).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>

#include "sandbox/object_catalog.h"

namespace syncline::sandbox {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::vector<Country> LoadCountries() {
  static const std::set<std::string> with_states = {"US", "CA", "AU", "BR", "CN",
                                                    "IN", "IE", "IT", "MX", "JP"};
  std::vector<Country> out;
  std::map<std::string, size_t> index;
  try {
    std::ifstream one("/usr/share/iso-codes/json/iso_3166-1.json");
    std::ifstream two("/usr/share/iso-codes/json/iso_3166-2.json");
    if (one && two) {
      auto j1 = nlohmann::json::parse(one);
      for (const auto& c : j1.at("3166-1")) {
        std::string name = c.value("common_name", c.at("name").get<std::string>());
        if (c.at("alpha_2") == "US") name = "United States";
        index[c.at("alpha_2")] = out.size();
        out.push_back({c.at("alpha_2"), name, {}});
      }
      auto j2 = nlohmann::json::parse(two);
      for (const auto& s : j2.at("3166-2")) {
        std::string code = s.at("code");
        std::string cc = code.substr(0, 2);
        if (!with_states.count(cc) || s.contains("parent")) continue;
        if (cc == "US" && s.value("type", "") == "Outlying area") continue;
        out[index[cc]].states.push_back({code.substr(3), s.at("name")});
      }
    }
  } catch (const std::exception&) {
    out.clear();
  }
  if (out.empty()) {
    out = {{"US",
            "United States",
            {{"CA", "California"},
             {"NY", "New York"},
             {"TX", "Texas"},
             {"WA", "Washington"},
             {"MA", "Massachusetts"},
             {"IL", "Illinois"},
             {"FL", "Florida"}}},
           {"CA", "Canada", {{"ON", "Ontario"}, {"QC", "Quebec"}, {"BC", "British Columbia"}}},
           {"AU", "Australia", {{"NSW", "New South Wales"}, {"VIC", "Victoria"}}},
           {"GB", "United Kingdom", {}},
           {"DE", "Germany", {}},
           {"FR", "France", {}},
           {"IE", "Ireland", {{"D", "Dublin"}}},
           {"NL", "Netherlands", {}},
           {"ES", "Spain", {}}};
  }
  return out;
}

}  // namespace

void ObjectDef::BuildIndex() {
  index.clear();
  for (size_t i = 0; i < fields.size(); ++i) index.emplace(fields[i].name, i);
}

const FieldDef* ObjectDef::Find(std::string_view field) const {
  if (index.size() == fields.size()) {
    auto it = index.find(std::string(field));
    if (it != index.end() && it->second < fields.size() && fields[it->second].name == field)
      return &fields[it->second];
  }
  for (const auto& f : fields)
    if (f.name == field) return &f;
  for (const auto& f : fields)
    if (IEquals(f.name, field)) return &f;
  return nullptr;
}

const std::vector<Country>& Countries() {
  static const std::vector<Country> countries = LoadCountries();
  return countries;
}

const Country* FindCountryByCode(std::string_view code) {
  for (const auto& c : Countries())
    if (IEquals(c.code, code)) return &c;
  return nullptr;
}

const Country* FindCountryByName(std::string_view name) {
  for (const auto& c : Countries())
    if (IEquals(c.name, name)) return &c;
  return nullptr;
}

}  // namespace syncline::sandbox
