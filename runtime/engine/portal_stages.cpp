#include "engine/portal_stages.h"

#include <algorithm>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/run_context.h"

namespace syncline::engine {

StageOptions LifecycleOptionsOf(const schema::Object* contacts) {
  StageOptions out;
  const schema::Field* f = contacts ? contacts->FindField("lifecyclestage") : nullptr;
  if (!f) return out;
  std::vector<const schema::Option*> options;
  for (const schema::Option& o : f->options) options.push_back(&o);
  std::stable_sort(options.begin(), options.end(), [](const auto* a, const auto* b) {
    return a->display_order < b->display_order;
  });
  for (const schema::Option* o : options) {
    out.values.push_back(o->value);
    out.labels.push_back(o->label);
  }
  return out;
}

stdlib::lifecycle::LifecycleStages LifecycleStagesFrom(const StageOptions& options) {
  if (options.values.empty()) return stdlib::lifecycle::LifecycleStages::hubspot_defaults();
  std::vector<std::string_view> values(options.values.begin(), options.values.end());
  std::vector<std::string_view> labels(options.labels.begin(), options.labels.end());
  return stdlib::lifecycle::LifecycleStages::custom(values, labels);
}

stdlib::lifecycle::LifecycleStages LifecycleStagesOf(const schema::Object* contacts) {
  return LifecycleStagesFrom(LifecycleOptionsOf(contacts));
}

stdlib::lifecycle::LifecycleStages PortalLifecycleStages(connectors::Connector& hubspot,
                                                         connectors::Connector& salesforce) {
  auto described = hubspot.Describe("contacts");
  if (auto* e = std::get_if<connectors::Error>(&described))
    FailRead(hubspot, salesforce, *e, "reading the HubSpot lifecycle stages");
  return LifecycleStagesOf(&std::get<schema::Object>(described));
}

}  // namespace syncline::engine
