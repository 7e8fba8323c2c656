// Deterministic demo data: a messy HubSpot portal and Salesforce org of a configurable size
// (duplicate emails across leads and contacts, states and countries in every spelling, blanks,
// converted leads, opportunities at every stage with contact roles, tickets, cases,
// activities, a custom object). The same seed always gives the same data. The output is the
// body of each sandbox's /_sandbox/seed control call.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>

namespace syncline::sandbox {

struct DemoOptions {
  uint64_t seed = 42;
  int contacts = 2000;  // HubSpot contacts; Salesforce gets about as many leads + contacts
  int companies = 300;
  int64_t now_ms = 0;  // "today" of the data set; 0: 2026-01-01
};
DemoOptions DemoOptionsFromJson(const nlohmann::json& j);

nlohmann::json HubSpotDemoSeed(const DemoOptions& options);
nlohmann::json SalesforceDemoSeed(const DemoOptions& options);

}  // namespace syncline::sandbox
