// One run of a rule set, in the order `syncline run` uses: every sync (contacts first, then
// companies, deals and tickets, which associate with synced contacts; a contacts sync's
// lifecycle pass after all of them, as the deals sync writes the roles it reads), then the
// activities blocks both ways (their tasks and engagements name the records just synced,
// R95), then the workflows (their actions need the contacts synced; R137 syncs a missing one
// through the contacts sync). Stops after the first pass that does not end "ok". The driver
// adds run history around it; the end-to-end tests call it as it is.
#pragma once

#include <vector>

#include "connectors/connector.h"
#include "engine/activity_program.h"
#include "engine/program.h"
#include "engine/sync_runner.h"
#include "engine/workflow_program.h"
#include "state/state_store.h"

namespace syncline::engine {

// The syncs in run order: contacts, companies, deals, tickets, then the rest as written.
std::vector<const SyncProgram*> RunOrder(const std::vector<SyncProgram>& syncs);

RunReport RunAll(const std::vector<SyncProgram>& syncs,
                 const std::vector<ActivityProgram>& activities,
                 const std::vector<WorkflowProgram>& workflows, connectors::Connector& hubspot,
                 connectors::Connector& salesforce, state::StateStore& store,
                 const RunOptions& options);

}  // namespace syncline::engine
