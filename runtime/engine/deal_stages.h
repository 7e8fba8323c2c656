// Deal pipelines and stages (R78-R82). The rules' `stages` blocks translate between HubSpot
// deal stages and Salesforce opportunity stages, one block per HubSpot pipeline: HubSpot ->
// Salesforce writes the first Salesforce stage of the row, Salesforce -> HubSpot reads any
// stage of the row back. A stage outside the map fails the record with a `mapping` sync error
// rather than sending a value the other CRM rejects (StageName is a restricted picklist;
// dealstage must be a stage of the pipeline).
//
// A block may name a Salesforce record type (R78): opportunities of that record type land in
// its pipeline, the others in the block without a record type, and deals created in Salesforce
// from its pipeline get that record type. The record types' ids are read once per run.
#pragma once

#include <map>
#include <string>

#include "connectors/connector.h"
#include "engine/core.h"
#include "engine/program.h"
#include "engine/values.h"

namespace syncline::engine {

// The rules' record types (as written: DeveloperName or id) -> their 18-character Salesforce
// ids. Record types the org does not have are absent.
using RecordTypeIds = std::map<std::string, std::string>;

// Reads the record types of `object` (one query of RecordType) and resolves the rules' ones.
connectors::Error LoadRecordTypeIds(const SyncProgram& program, connectors::Connector& salesforce,
                                    const std::string& object, RecordTypeIds* out);

// The mapping line of the deal stage (dealstage <-> StageName), if the sync has one.
const FieldMap* StageField(const SyncProgram& program, const ObjectProgram& object);

// The block holding a HubSpot deal: the one of its pipeline (a deal without one is in
// `default`), or a lone block without a pipeline; null when none does (R80).
const DealPipeline* PipelineOfDeal(const SyncProgram& program, const connectors::Record& hubspot);
// The block an opportunity lands in (R78): the one of its record type, else the one without
// a record type; null when neither exists.
const DealPipeline* PipelineOfOpportunity(const SyncProgram& program, const RecordTypeIds& ids,
                                          const connectors::Record& salesforce);

// `current`: the paired opportunity, if any. When its stage is in the same row as the deal's,
// it is kept: a row of several Salesforce stages ("Qualification", "Needs Analysis") must not
// turn "Needs Analysis" into "Qualification" on every pass. A new opportunity gets the record
// type of its deal's pipeline.
void ApplyStagesToSalesforce(const SyncProgram& program, const ObjectProgram& object,
                             const connectors::Record& hubspot, const connectors::Record* current,
                             const RecordTypeIds& ids, Evaluation& evaluation);
// Sets the deal's pipeline from the opportunity's record type and translates its stage with
// that pipeline's map.
void ApplyStagesToHubSpot(const SyncProgram& program, const ObjectProgram& object,
                          const connectors::Record& salesforce, const RecordTypeIds& ids,
                          Evaluation& evaluation);

// R78: a deal that moves to another pipeline (its opportunity changed record type) takes its
// stage from that pipeline's map even when the opportunity's stage did not change, so the
// pair's decision writes the stage along with the pipeline.
void FollowPipelineMove(const SyncProgram& program, const ObjectProgram& object,
                        const connectors::Record& hubspot, const Evaluation& to_hubspot,
                        PairDecision& decision);

// R80: a HubSpot deal syncs only while it is in a pipeline of the rules.
bool InSyncedPipeline(const SyncProgram& program, const connectors::Record& hubspot);

}  // namespace syncline::engine
