// Import from Salesforce (R125-R129, `syncline import`): brings existing Salesforce records
// into HubSpot through the sync that pairs their object, whatever the watermarks say. Each
// object is one SyncRunner run in import mode (RunOptions::import_object): the same field
// mappings, transforms, matching by email and journal as a run, writing HubSpot only. Records
// are linked and based as a run links them, so a later run continues without duplicates and
// an import can be repeated.
//
// What gets imported: one object, every object of every sync (in run order: contacts, then
// companies, deals, tickets), or the leads and contacts of one active campaign (R126). An
// object no sync pairs is refused with the rule that asks for the sync (R66 accounts, R77
// opportunities). Salesforce tasks and events (R125 "tasks") are imported through an
// `activities from salesforce.Task` block (SalesforceActivityRunner in import mode: every task
// of the listed types, whatever its age; the block alone syncs only those made after its first
// run, R89), after the syncs so that their contacts are linked first.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "connectors/connector.h"
#include "engine/activity_program.h"
#include "engine/program.h"
#include "engine/sync_runner.h"
#include "state/state_store.h"

namespace syncline::engine {

// R72: HubSpot caps a bulk company resync at 200,000 companies; an account import is that.
constexpr int64_t kBulkCompanyResyncCap = 200'000;

struct ImportRequest {
  std::string object;    // a Salesforce object ("Lead", case-insensitive); empty: all
  std::string campaign;  // a campaign's id or name: only its members (leads and contacts)
  // Records per object before the import stops (0: no cap); the next import continues where
  // it stopped. nullopt: kBulkCompanyResyncCap for accounts (R72), no cap for the rest.
  std::optional<int64_t> limit;
};

// One object to import through one sync.
struct ImportStep {
  const SyncProgram* sync = nullptr;
  std::string object;                           // the sync's Salesforce object
  std::optional<std::vector<std::string>> ids;  // campaign members; nullopt: every record
  const ActivityProgram* activity = nullptr;    // Task/Event: the block that imports them
};

struct ImportPlan {
  std::vector<ImportStep> steps;
  std::string error;             // not empty: the request is refused (nothing was written)
  std::optional<int64_t> limit;  // ImportRequest::limit
  // A campaign import: the campaign and its members.
  std::string campaign_id, campaign_name;
  int64_t campaign_leads = 0, campaign_contacts = 0;
};

// Resolves the request against the syncs (and, for a campaign, reads it and its members from
// Salesforce). `syncs` in any order; steps come in run order.
ImportPlan PlanImport(const std::vector<SyncProgram>& syncs, connectors::Connector& salesforce,
                      const ImportRequest& request,
                      const std::vector<ActivityProgram>& activities = {});

struct ImportResult {
  RunReport total;
  std::vector<std::pair<std::string, RunReport>> by_object;  // "Lead" -> its run
};

// Runs the steps in order (stops at the first run that stops).
ImportResult RunImport(const ImportPlan& plan, connectors::Connector& hubspot,
                       connectors::Connector& salesforce, state::StateStore& store,
                       const RunOptions& options);

}  // namespace syncline::engine
