// The Salesforce sandbox's State and Country/Territory picklists: one per sandbox instance,
// starting as the values Salesforce ships (stdlib geo's PicklistTable::salesforce_defaults(), so
// the sandbox and the integration agree) and customisable as an admin would through Setup or the
// Metadata API's AddressSettings (POST /_sandbox/addressSettings).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace syncline::sandbox {

struct AddressState {
  std::string code;  // StateCode value
  std::string label;
  std::string integration_value;  // what the State text field holds
  bool active = true;             // inactive: listed in describe, refused on write
};

struct AddressCountry {
  std::string code;  // CountryCode value
  std::string label;
  std::string integration_value;  // what the Country text field holds
  bool active = true;
  std::vector<AddressState> states;  // empty: the country has no state picklist
};

class AddressSettings {
 public:
  // The values Salesforce ships (235 countries, the states of US, CA, AU, BR, CN, IN, IE, IT, MX
  // and JP, the US territories inactive).
  static AddressSettings Defaults();

  // Applies {"countries": [{"isoCode", "label"?, "integrationValue"?, "active"?, "states"?:
  // [{"isoCode", "label"?, "integrationValue"?, "active"?}]}]}: an entry updates the country or
  // state with that code (only the members given) or adds a custom one (label defaults to the
  // code, integration value to the label, active to true). Returns an error message, and changes
  // nothing, when the body is malformed.
  std::optional<std::string> Apply(const nlohmann::json& body);

  // Case-insensitive; active or not. nullptr when absent.
  const AddressCountry* CountryByCode(std::string_view code) const;
  const AddressCountry* CountryByIntegrationValue(std::string_view value) const;
  static const AddressState* StateByCode(const AddressCountry& c, std::string_view code);
  static const AddressState* StateByIntegrationValue(const AddressCountry& c,
                                                     std::string_view value);

  // The countries in describe order (by label, accents and case ignored, as Salesforce lists
  // them); a StateCode's validFor bit i refers to entry i.
  std::vector<const AddressCountry*> DescribeOrder() const;
  // Every country and state with code, label, integration value and active flag (the shape
  // Apply takes).
  nlohmann::json ToJson() const;

  const std::vector<AddressCountry>& countries() const { return countries_; }

 private:
  std::vector<AddressCountry> countries_;  // code order; custom countries appended
};

}  // namespace syncline::sandbox
