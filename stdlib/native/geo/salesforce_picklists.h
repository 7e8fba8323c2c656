// Salesforce State and Country/Territory picklists: the default table Salesforce ships
// (generated from ISO data plus the reviewed deviations of salesforce_defaults.tsv),
// admin-customised tables, and the conversion of
// addresses between HubSpot's free-text country/state and Salesforce's code + integration
// value fields for every combination of the integration's settings (R107-R113, B10).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "status.h"

namespace syncline::stdlib::geo {

struct PicklistState {
  std::string_view code;               // StateCode value: ISO 3166-2 part after the dash
  std::string_view label;              // what users see
  std::string_view integration_value;  // what the State text field holds
  // Inactive values are listed (describe shows them) but cannot be written: lookups skip them.
  bool active = true;
};

struct PicklistCountry {
  std::string_view code;  // CountryCode value: ISO alpha-2 by default
  std::string_view label;
  std::string_view integration_value;  // what the Country text field holds
  std::span<const PicklistState> states;
  bool active = true;  // as PicklistState::active
};

// An immutable picklist table. Copies are cheap (shared). Lookups never allocate; building
// a custom table allocates once.
class PicklistTable {
 public:
  // One row of an admin-supplied table (e.g. read from the org's describe).
  struct CountryRow {
    std::string code, label, integration_value;
  };
  struct StateRow {
    std::string country_code, code, label, integration_value;
  };

  // The values Salesforce ships (docs/stdlib/geo.md, "The default table"): 235 countries and
  // territories (code = ISO alpha-2, label = integration value = Salesforce's English name)
  // and states for US, CA, AU, BR, CN, IN, IE, IT, MX and JP, some of them inactive (the US
  // territories). Generated from ISO 3166 plus salesforce_defaults.tsv; built once, on first use.
  static const PicklistTable& salesforce_defaults() noexcept;

  // A customised table. Empty labels/integration values default to each other, then to the
  // code. Rows with an empty code, duplicate codes and states of unknown countries are
  // skipped (reported by `skipped_rows`).
  static PicklistTable custom(std::span<const CountryRow> countries,
                              std::span<const StateRow> states) noexcept;

  // One picklist entry of a describe result (`fields[].picklistValues[]` of CountryCode and
  // StateCode). `valid_for` is the base64 bitmap of a dependent value: bit i (most
  // significant bit first) set means "valid for the i-th controlling value".
  struct DescribeValue {
    std::string value, label, valid_for;
    bool active = true;
  };

  // A table from an org's describe: countries from the CountryCode values, states from the
  // StateCode values, attached to every country their `valid_for` names. Describe carries no
  // integration values, so they default to the labels (as Salesforce's own defaults do);
  // inactive values are skipped, as are states with no valid country (counted).
  static PicklistTable from_describe(std::span<const DescribeValue> country_codes,
                                     std::span<const DescribeValue> state_codes) noexcept;

  std::span<const PicklistCountry> countries() const noexcept;
  std::size_t skipped_rows() const noexcept;

  // Exact lookups, the way Salesforce validates: codes and integration values compare
  // ASCII-case-insensitively after trimming. nullptr when absent or inactive.
  const PicklistCountry* country_by_code(std::string_view code) const noexcept;
  const PicklistCountry* country_by_integration_value(std::string_view value) const noexcept;
  const PicklistState* state_by_code(const PicklistCountry& c,
                                     std::string_view code) const noexcept;
  const PicklistState* state_by_integration_value(const PicklistCountry& c,
                                                  std::string_view value) const noexcept;

  // Lenient lookups from what a person typed: exact code, then this table's labels and
  // integration values (normalised like geo place keys), then the ISO lookups of
  // country.h/subdivision.h mapped to this table's entries (through the ISO code each default
  // state stands for: "Ciudad de México" is MX state DF). Inactive entries never match.
  // Status: ok, blank, not_found (country), state_not_in_country (state), invalid_utf8,
  // too_long.
  Result<const PicklistCountry*> match_country(std::string_view text) const noexcept;
  Result<const PicklistState*> match_state(const PicklistCountry& c,
                                           std::string_view text) const noexcept;

  struct Impl;

 private:
  explicit PicklistTable(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  static PicklistTable build_custom(std::span<const CountryRow> countries,
                                    std::span<const StateRow> states);
  std::shared_ptr<const Impl> impl_;
};

// The integration's settings (seed: "State and country/region picklists").
enum class SalesforcePicklistMode : std::uint8_t {
  disabled,    // Salesforce State/Country are free text: anything is accepted
  enabled,     // picklists on with the values Salesforce ships
  customized,  // picklists on with the admin's own table (PicklistSettings::table)
};
enum class HubSpotPlaceMode : std::uint8_t {
  match_salesforce_defaults,  // HubSpot holds Salesforce's default names: normalise to them
  sync_as_is,                 // HubSpot values are sent and received unchanged
};

struct PicklistSettings {
  SalesforcePicklistMode salesforce = SalesforcePicklistMode::enabled;
  HubSpotPlaceMode hubspot = HubSpotPlaceMode::match_salesforce_defaults;
  // The customised table; required for `customized` (salesforce_defaults() is used when it is
  // null), ignored otherwise. Must outlive the conversion results.
  const PicklistTable* table = nullptr;
};

enum class PlaceField : std::uint8_t { none, country, state };

// Values to write to one Salesforce address. Views point into the picklist table or into the
// inputs (pass-through), never into temporaries.
struct SalesforceAddress {
  Status status = Status::ok;  // ok, blank (both inputs blank: write nothing) or a failure
  PlaceField failed_field = PlaceField::none;
  std::string_view country;       // text field (integration value, or free text if disabled)
  std::string_view country_code;  // code field; empty when picklists are disabled
  std::string_view state;
  std::string_view state_code;
  // Which fields to send (B10: only one of text or code per address): true for the *Code
  // fields (picklists on), false for the text fields (picklists off).
  bool write_codes = false;
  // False when a value was passed through because it was not recognised (disabled mode).
  bool country_recognised = false;
  bool state_recognised = false;
};

// Values to write to the HubSpot `country` and `state` properties.
struct HubSpotAddress {
  Status status = Status::ok;
  PlaceField failed_field = PlaceField::none;
  std::string_view country;
  std::string_view state;
};

// HubSpot -> Salesforce: from HubSpot's free-text country and state.
SalesforceAddress to_salesforce(const PicklistSettings& settings, std::string_view country,
                                std::string_view state) noexcept;

// Salesforce -> HubSpot: from an address's text fields (integration values) and code fields
// (ignored when picklists are disabled; either may be blank).
HubSpotAddress to_hubspot(const PicklistSettings& settings, std::string_view country,
                          std::string_view country_code, std::string_view state,
                          std::string_view state_code) noexcept;

}  // namespace syncline::stdlib::geo
