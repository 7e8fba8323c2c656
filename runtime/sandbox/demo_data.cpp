#include "sandbox/demo_data.h"

namespace syncline::sandbox {

DemoOptions DemoOptionsFromJson(const nlohmann::json& j) {
  DemoOptions o;
  o.seed = j.value("seed", o.seed);
  o.contacts = j.value("contacts", o.contacts);
  o.companies = j.value("companies", o.companies);
  o.now_ms = j.value("now_ms", o.now_ms);
  return o;
}

nlohmann::json HubSpotDemoSeed(const DemoOptions&) { return nlohmann::json::object(); }
nlohmann::json SalesforceDemoSeed(const DemoOptions&) { return nlohmann::json::object(); }

}  // namespace syncline::sandbox
