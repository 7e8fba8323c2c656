// The workflow driver (R135-R138): runs one WorkflowProgram between the connectors with
// durable state, after the syncs of a run. A workflow enrols HubSpot contacts, companies or
// deals; "contact" below stands for any of them (a company's or deal's Salesforce record is its
// account or opportunity, which its tasks name as WhatId; a contact's is named as WhoId).
//
// 1. Triggers. `when enters segment "L"` compares the list's members with the members the
//    previous run saw; `when P changes` compares P on the contacts changed since the previous
//    run with the value it saw. The first run of a trigger only records what it sees (like
//    HubSpot, turning a workflow on does not enrol the records that already meet it).
// 2. Enrolment. A contact whose trigger fired and that meets the `if` is enrolled once per
//    firing; the task's fields are evaluated then and kept with the enrolment.
// 3. Actions, in the order written, each at most once per enrolment. A contact not yet in
//    Salesforce is synced there first through the contacts sync (R137), as far as that sync's
//    rules allow (its include filter and create settings still apply); until it is, its
//    enrolment waits, and fails after seven days. Tasks are created in batches under the write
//    journal (a crash never makes a second task); campaign members are refused twice by
//    Salesforce itself; owner updates and syncs can repeat harmlessly. `set hubspot.X` writes
//    property values on the contact or its primary company in HubSpot (it needs no Salesforce
//    record), then syncs the records it changed through that object's sync, so the values
//    reach Salesforce in the same run (R135); its updates repeat harmlessly too.
//
// With `dry_run` (`syncline plan`) nothing is written or committed: the report lists the
// contacts that would be enrolled and the actions that are due.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.h"
#include "engine/sync_runner.h"
#include "engine/workflow_program.h"
#include "state/state_store.h"

namespace syncline::engine {

class WorkflowRunner {
 public:
  // Syncs these HubSpot records of `object` ("contacts", "companies") to Salesforce now (that
  // object's sync with RunOptions::hubspot_ids); nullopt when the rules have no such sync.
  using SyncHubSpot = std::function<std::optional<RunReport>(
      const std::string& object, const std::vector<std::string>& hubspot_ids)>;

  WorkflowRunner(const WorkflowProgram& program, connectors::Connector& hubspot,
                 connectors::Connector& salesforce, state::StateStore& store, RunOptions options,
                 SyncHubSpot sync_hubspot);
  ~WorkflowRunner();
  // Counts (also under by_sync["workflow NAME"]): workflow.enrolled, workflow.not_met (the `if`
  // was false), workflow.created.Task, workflow.campaign_members, workflow.owners_set,
  // workflow.synced, workflow.set.<object> (properties set in HubSpot), workflow.no_company,
  // workflow.done, waiting.workflow, workflow.failed, errors by category.
  RunReport Run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// How long an enrolment waits for its contact to reach Salesforce before it fails.
constexpr int64_t kWorkflowWaitMs = 7LL * 24 * 3600 * 1000;

}  // namespace syncline::engine
