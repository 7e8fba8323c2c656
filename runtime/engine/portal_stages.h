// A portal's lifecycle stages in funnel order (R96): the `lifecyclestage` options of its
// contacts by displayOrder, HubSpot's defaults when it has none. The lifecycle pass moves
// stages forward in this order (R99, R103), and the std.lifecycle builtins of the rules rank
// by it (rt::BatchContext::SetLifecycleStages).
#pragma once

#include "connectors/connector.h"
#include "lifecycle/lifecycle_stages.h"
#include "schema/schema.h"

namespace syncline::engine {

// From a schema: `contacts` is the portal's HubSpot contacts object (null: the defaults).
stdlib::lifecycle::LifecycleStages LifecycleStagesOf(const schema::Object* contacts);

// Read from the portal (a describe of contacts); a failed read ends the run (StopRun).
stdlib::lifecycle::LifecycleStages PortalLifecycleStages(connectors::Connector& hubspot,
                                                         connectors::Connector& salesforce);

}  // namespace syncline::engine
