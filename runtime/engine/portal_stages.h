// A portal's lifecycle stages in funnel order (R96): the `lifecyclestage` options of its
// contacts by displayOrder, HubSpot's defaults when it has none. The lifecycle pass moves
// stages forward in this order (R99, R103), and the std.lifecycle builtins of the rules rank
// by it (rt::BatchContext::SetLifecycleStages).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.h"
#include "engine/program.h"
#include "lifecycle/lifecycle_stages.h"
#include "schema/schema.h"

namespace syncline::engine {

// From a schema: `contacts` is the portal's HubSpot contacts object (null: the defaults).
stdlib::lifecycle::LifecycleStages LifecycleStagesOf(const schema::Object* contacts);

// The same in two steps, for `transform`'s cache, which keeps the options and not the schema:
// the `lifecyclestage` options in funnel order (both empty: the schema has none), then the
// stages they make (HubSpot's defaults for none).
struct StageOptions {
  std::vector<std::string> values, labels;
};
StageOptions LifecycleOptionsOf(const schema::Object* contacts);
stdlib::lifecycle::LifecycleStages LifecycleStagesFrom(const StageOptions& options);

// Read from the portal (a describe of contacts); a failed read ends the run (StopRun).
stdlib::lifecycle::LifecycleStages PortalLifecycleStages(connectors::Connector& hubspot,
                                                         connectors::Connector& salesforce);

// A runner's portal stages: read from the portal on first use (one HubSpot call, added to
// *min_calls), then kept for the run.
class PortalStagesCache {
 public:
  const stdlib::lifecycle::LifecycleStages& Get(connectors::Connector& hubspot,
                                                connectors::Connector& salesforce,
                                                int64_t* min_calls) {
    if (!stages_) {
      stages_ = PortalLifecycleStages(hubspot, salesforce);
      ++*min_calls;
    }
    return *stages_;
  }
  // For a transform's std.lifecycle builtins: null (HubSpot's defaults, nothing read) when `t`
  // calls none.
  const stdlib::lifecycle::LifecycleStages* For(const Transform& t, connectors::Connector& hubspot,
                                                connectors::Connector& salesforce,
                                                int64_t* min_calls) {
    return t.uses_lifecycle_stages ? &Get(hubspot, salesforce, min_calls) : nullptr;
  }

 private:
  std::optional<stdlib::lifecycle::LifecycleStages> stages_;
};

}  // namespace syncline::engine
