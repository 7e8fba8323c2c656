// State and country picklists (R107-R113): after the rules compute address values, convert
// them for the sync's picklist settings with std.geo's Salesforce picklist tables. Outbound,
// values become Salesforce integration values (sent as code fields when picklists are on);
// inbound, Salesforce's text and code fields become what HubSpot keeps. A value Salesforce
// would reject (a state without a country, a state outside its country) fails the record
// with a `picklist` sync error instead of an API error. The failure holds the address's fields
// (`Evaluation::held`): a pair whose decision writes none of them sends the rest.
#pragma once

#include <optional>

#include "connectors/connector.h"
#include "engine/program.h"
#include "engine/values.h"
#include "geo/salesforce_picklists.h"

namespace syncline::engine {

// An address of a Salesforce object: the text fields `prefix+Country`/`prefix+State`.
struct AddressFields {
  std::string prefix;  // "", "Mailing", "Billing", "Shipping"
  const FieldMap* country = nullptr;
  const FieldMap* state = nullptr;
};
std::vector<AddressFields> FindAddresses(const ObjectProgram& object);

// `org_table`: the org's own picklists (read from its describe) for the `customized` mode;
// nullptr: Salesforce's defaults.
void ApplyPicklistsToSalesforce(const SyncProgram& program, const ObjectProgram& object,
                                Evaluation& evaluation,
                                const stdlib::geo::PicklistTable* org_table = nullptr);
void ApplyPicklistsToHubSpot(const SyncProgram& program, const ObjectProgram& object,
                             const connectors::Record& salesforce, Evaluation& evaluation,
                             const stdlib::geo::PicklistTable* org_table = nullptr);

// The org's State and Country picklists from the describe of a Salesforce object with an
// address (`prefix`CountryCode / `prefix`StateCode). nullopt when the object has no
// CountryCode field: picklists are not enabled in the org.
std::optional<stdlib::geo::PicklistTable> PicklistsFromDescribe(const schema::Object& described,
                                                                const std::string& prefix);

}  // namespace syncline::engine
