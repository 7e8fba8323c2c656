#include "engine/portal_stages.h"

#include <algorithm>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/run_context.h"

namespace syncline::engine {

stdlib::lifecycle::LifecycleStages LifecycleStagesOf(const schema::Object* contacts) {
  const schema::Field* f = contacts ? contacts->FindField("lifecyclestage") : nullptr;
  if (!f || f->options.empty()) return stdlib::lifecycle::LifecycleStages::hubspot_defaults();
  std::vector<const schema::Option*> options;
  for (const schema::Option& o : f->options) options.push_back(&o);
  std::stable_sort(options.begin(), options.end(), [](const auto* a, const auto* b) {
    return a->display_order < b->display_order;
  });
  std::vector<std::string_view> values, labels;
  for (const schema::Option* o : options) {
    values.push_back(o->value);
    labels.push_back(o->label);
  }
  return stdlib::lifecycle::LifecycleStages::custom(values, labels);
}

stdlib::lifecycle::LifecycleStages PortalLifecycleStages(connectors::Connector& hubspot,
                                                         connectors::Connector& salesforce) {
  auto described = hubspot.Describe("contacts");
  if (auto* e = std::get_if<connectors::Error>(&described))
    FailRead(hubspot, salesforce, *e, "reading the HubSpot lifecycle stages");
  return LifecycleStagesOf(&std::get<schema::Object>(described));
}

}  // namespace syncline::engine
