// Deal stages and pipelines (R78-R82). The rules' stage map translates between HubSpot deal
// stages and Salesforce opportunity stages: HubSpot -> Salesforce writes the first Salesforce
// stage of the row, Salesforce -> HubSpot reads any stage of the row back. A stage outside the
// map fails the record with a `mapping` sync error rather than sending a value the other CRM
// rejects (StageName is a restricted picklist; dealstage must be a stage of the pipeline).
#pragma once

#include "connectors/connector.h"
#include "engine/program.h"
#include "engine/values.h"

namespace syncline::engine {

// The mapping line of the deal stage (dealstage <-> StageName), if the sync has one.
const FieldMap* StageField(const SyncProgram& program, const ObjectProgram& object);

// `current`: the paired opportunity, if any. When its stage is in the same row as the deal's,
// it is kept: a row of several Salesforce stages ("Qualification", "Needs Analysis") must not
// turn "Needs Analysis" into "Qualification" on every pass.
void ApplyStagesToSalesforce(const SyncProgram& program, const ObjectProgram& object,
                             const connectors::Record* current, Evaluation& evaluation);
void ApplyStagesToHubSpot(const SyncProgram& program, const ObjectProgram& object,
                          Evaluation& evaluation);

// R80: a HubSpot deal syncs only while it is in the pipeline of the stage map.
bool InSyncedPipeline(const SyncProgram& program, const connectors::Record& hubspot);

}  // namespace syncline::engine
