#include "engine/run_all.h"

#include <algorithm>

#include "engine/activity_runner.h"
#include "engine/salesforce_activity_runner.h"
#include "engine/workflow_runner.h"

namespace syncline::engine {

std::vector<const SyncProgram*> RunOrder(const std::vector<SyncProgram>& syncs) {
  std::vector<const SyncProgram*> order;
  for (const char* first : {"contacts", "companies", "deals", "tickets"})
    for (const auto& s : syncs)
      if (s.hubspot_object == first) order.push_back(&s);
  for (const auto& s : syncs)
    if (std::find(order.begin(), order.end(), &s) == order.end()) order.push_back(&s);
  return order;
}

RunReport RunAll(const std::vector<SyncProgram>& syncs,
                 const std::vector<ActivityProgram>& activities,
                 const std::vector<WorkflowProgram>& workflows, connectors::Connector& hubspot,
                 connectors::Connector& salesforce, state::StateStore& store,
                 const RunOptions& options) {
  const std::vector<const SyncProgram*> order = RunOrder(syncs);
  RunReport total;
  // A contacts sync's lifecycle stages come from Salesforce's opportunity contact roles, which
  // the deals sync after it writes (R96-R106): its pass runs once every sync has, so those
  // roles move stages in this run (and R73 moves their companies) instead of the next.
  const SyncProgram* lifecycle = nullptr;
  for (const SyncProgram* s : order)
    if (s->lifecycle && s->IsContacts() && s != order.back()) lifecycle = s;
  for (const SyncProgram* s : order) {
    if (total.status != "ok") break;
    RunOptions o = options;
    if (s == lifecycle) o.lifecycle_pass = RunOptions::LifecyclePass::kDefer;
    SyncRunner runner(*s, hubspot, salesforce, store, o);
    total.Merge(runner.Run());
  }
  if (lifecycle && total.status == "ok") {
    RunOptions o = options;
    o.lifecycle_pass = RunOptions::LifecyclePass::kOnly;
    SyncRunner runner(*lifecycle, hubspot, salesforce, store, o);
    total.Merge(runner.Run());
  }
  for (const ActivityProgram& a : activities) {
    if (total.status != "ok") break;
    if (a.from_salesforce) {  // Salesforce tasks and events -> HubSpot engagements (R89)
      SalesforceActivityRunner runner(a, hubspot, salesforce, store, options);
      total.Merge(runner.Run());
    } else {
      ActivityRunner runner(a, hubspot, salesforce, store, options);
      total.Merge(runner.Run());
    }
  }
  for (const WorkflowProgram& w : workflows) {
    if (total.status != "ok") break;
    // A workflow syncs contacts first (R137) and the records it set properties on (R135)
    // through the rules' sync of that object, limited to those records.
    auto sync_hubspot = [&](const std::string& object,
                            const std::vector<std::string>& ids) -> std::optional<RunReport> {
      for (const SyncProgram* s : order) {
        if (s->hubspot_object != object) continue;
        RunOptions o = options;
        o.hubspot_ids = ids;
        SyncRunner runner(*s, hubspot, salesforce, store, o);
        return runner.Run();
      }
      return std::nullopt;
    };
    WorkflowRunner runner(w, hubspot, salesforce, store, options, sync_hubspot);
    total.Merge(runner.Run());
  }
  return total;
}

}  // namespace syncline::engine
