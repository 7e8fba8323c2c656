// R34: "Salesforce campaigns linked to a lead/contact are written to the HubSpot contact
// property Salesforce Campaigns." HubSpot's integration keeps them in `salesforcecampaignids`,
// which only the integration itself may write (read-only to apps, like `salesforceleadid`, see
// R64), so Syncline writes the campaigns' names to a contact property of its own,
// `salesforce_campaigns` (label "Salesforce Campaigns"), created in the portal the first time a
// run has a value for it.
//
// When: as the integration does, whenever a pair of a contacts sync syncs into HubSpot (a
// linked or newly paired lead or contact with a change, a HubSpot contact created from a lead
// or contact, a retry, an import, a push). Joining or leaving a campaign alone is not a sync
// trigger (R124; R122 names only a HubSpot form's campaign membership), so it reaches HubSpot
// with the contact's next sync.
//
// Value: the names of the campaigns the record is a member of (CampaignMember.LeadId or
// ContactId -> Campaign.Name), sorted, each once, joined by ";" (HubSpot's separator for
// several values); "" (cleared) when it is in none. It is compared with the HubSpot contact's
// current value, so an unchanged value is never written again (echo suppression) and a HubSpot
// edit of the property is undone at the contact's next sync, as for an `always salesforce`
// mapping (R7).
//
// Cost: one query per run that syncs records, for whether the org has any campaign member at
// all (when none, every value is "" and nothing more is asked), then one SOQL query per 100
// synced records:
//   SELECT ..., Campaign.Name FROM CampaignMember WHERE LeadId IN (...)
// The value goes out in the pair's own HubSpot create or update when it has one, else in the
// page's batch of updates. The property is looked up (and created when missing) once per run,
// only when a value is to be written.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "connectors/connector.h"
#include "engine/program.h"
#include "engine/sync_runner.h"

namespace syncline::engine {

class CampaignSync {
 public:
  CampaignSync(const SyncProgram& program, connectors::Connector& hubspot,
               connectors::Connector& salesforce, RunReport& report)
      : p_(program), hs_(hubspot), sf_(salesforce), report_(report) {}

  // Whether the campaigns of this sync's records of `salesforce_object` are written.
  bool Covers(const std::string& salesforce_object) const;

  // The property's wanted value for these records of one Salesforce object (Lead or Contact),
  // by id ("" for a record in no campaign). nullopt when the campaigns cannot be read (the
  // integration user may not see campaigns, R148): the property is then left alone for the
  // run, and the run says so. `*min_calls` counts the queries.
  std::optional<std::unordered_map<std::string, std::string>> Names(
      const std::string& salesforce_object, const std::vector<std::string>& ids,
      int64_t* min_calls);

  // Whether the property can be written: looked up once per run and created when missing. A
  // dry run (plan) creates nothing and plans the writes as a run would make them.
  bool Ready(bool dry_run, int64_t* min_calls);

  // The property as created in HubSpot (a properties v3 body).
  static nlohmann::json PropertyDefinition(const std::string& name);

 private:
  void Unavailable(const std::string& why);
  void Unavailable(const std::string& what, const connectors::Error& e);
  // Whether any record of the org is a campaign member, asked once per run: an org without
  // campaigns (the demo's) then costs one query a run, not one per 100 synced records.
  bool AnyMembers(int64_t* min_calls);

  const SyncProgram& p_;
  connectors::Connector& hs_;
  connectors::Connector& sf_;
  RunReport& report_;
  bool unavailable_ = false;
  std::optional<bool> ready_;
  std::optional<bool> any_members_;
};

}  // namespace syncline::engine
