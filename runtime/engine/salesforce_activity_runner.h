// Salesforce activities -> HubSpot engagements (R89, R90, R93): runs one ActivityProgram of an
// `activities from salesforce.Task` block between the connectors with durable state. One run
// reads the Salesforce Tasks (and Events, for meetings) created or modified since its watermarks
// (never those older than the first run of their type: no backfill, R89), leaves out the tasks
// Syncline made from HubSpot engagements (no echo), finds the synced HubSpot contact of WhoId
// and the synced company, deal or ticket of WhatId through the state store's links (R90
// "Related To"), and creates one engagement per task (tasks, calls, emails or meetings) in
// batches under the write journal, associated to those records. A link task <-> engagement
// keeps re-runs and crash recovery from creating a second one; a later change of a synced task
// updates the properties it wrote. Owners do not sync (R93). Tasks whose contact is not synced
// wait and are tried again on later runs. With `dry_run` it writes and commits nothing.
#pragma once

#include <memory>

#include "connectors/connector.h"
#include "engine/activity_program.h"
#include "engine/sync_runner.h"
#include "state/state_store.h"

namespace syncline::engine {

class SalesforceActivityRunner {
 public:
  SalesforceActivityRunner(const ActivityProgram& program, connectors::Connector& hubspot,
                           connectors::Connector& salesforce, state::StateStore& store,
                           RunOptions options);
  ~SalesforceActivityRunner();
  // Counts: read.salesforce.activities, created.hubspot.<object>, updated.hubspot.<object>,
  // skipped.salesforce_activities.{from_hubspot,type,before_start,unsynced,unchanged},
  // waiting.salesforce_activities, retried.salesforce_activities, recovered, errors by
  // category.
  RunReport Run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The HubSpot engagement object a Salesforce activity becomes: "meetings" for an Event; for a
// Task by TaskSubtype: "calls" (Call), "emails" (Email, ListEmail), else "tasks".
std::string SalesforceActivityType(const std::string& salesforce_object,
                                   const std::string& task_subtype);

}  // namespace syncline::engine
