// Associations kept in step (R69, R82, R87, R133). After a run's records are settled, the
// links of this sync touched since the last pass (and the links of associated objects made
// since then) are compared on both sides: an association that one CRM has between two synced
// records and the other lacks is added there. HubSpot: associations v4. Salesforce: a lookup
// on the record (Opportunity.AccountId, Case.ContactId, a custom lookup), a lookup on the other
// record (Contact.AccountId for an account's contacts), or opportunity contact roles.
// Salesforce lookups hold one record: a set lookup is never overwritten (HubSpot then gets
// the Salesforce association as well). Removing associations is not synced.
#pragma once

#include "engine/run_context.h"

namespace syncline::engine {

void SyncAssociations(RunContext& c);

}  // namespace syncline::engine
