// State and country picklists (R107-R113): after the rules compute address values, convert
// them for the sync's picklist settings with std.geo's Salesforce picklist tables. Outbound,
// values become Salesforce integration values (sent as code fields when picklists are on);
// inbound, Salesforce's text and code fields become what HubSpot keeps. A value Salesforce
// would reject (a state without a country, a state outside its country) fails the record
// with a `picklist` sync error instead of an API error.
#pragma once

#include "connectors/connector.h"
#include "engine/program.h"
#include "engine/values.h"

namespace syncline::engine {

// An address of a Salesforce object: the text fields `prefix+Country`/`prefix+State`.
struct AddressFields {
  std::string prefix;  // "", "Mailing", "Billing", "Shipping"
  const FieldMap* country = nullptr;
  const FieldMap* state = nullptr;
};
std::vector<AddressFields> FindAddresses(const ObjectProgram& object);

void ApplyPicklistsToSalesforce(const SyncProgram& program, const ObjectProgram& object,
                                Evaluation& evaluation);
void ApplyPicklistsToHubSpot(const SyncProgram& program, const ObjectProgram& object,
                             const connectors::Record& salesforce, Evaluation& evaluation);

}  // namespace syncline::engine
