// The timeline-sync driver (R89-R95): runs one ActivityProgram between the connectors with
// durable state. One run reads the HubSpot engagements of the enabled types changed since its
// watermarks (never those older than the block's first run: no backfill, R89), finds each
// engagement's synced contact through the state store's links (WhoId, R95) and a synced deal or
// company (WhatId), evaluates the compiled field expressions and creates one Salesforce task
// per engagement in composite batches under the write journal. A link engagement <-> task
// keeps re-runs and crash recovery from creating a second task. Engagements whose contacts are
// not synced wait and are tried again on later runs. With `dry_run` it writes and commits
// nothing (`syncline plan`).
#pragma once

#include <memory>

#include "connectors/connector.h"
#include "engine/activity_program.h"
#include "engine/sync_runner.h"
#include "state/state_store.h"

namespace syncline::engine {

class ActivityRunner {
 public:
  ActivityRunner(const ActivityProgram& program, connectors::Connector& hubspot,
                 connectors::Connector& salesforce, state::StateStore& store, RunOptions options);
  ~ActivityRunner();
  // Counts: read.hubspot.activities, created.salesforce.<Task>, skipped.activities.unsynced,
  // skipped.activities.linked (a task exists), waiting.activities, errors by category.
  RunReport Run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace syncline::engine
